"""A non-editable install ships the whole package.

Every path in the repository installs with `-e .`, which reads the source tree and so hides a
wheel that leaves a subpackage out (it once shipped only the 11 core modules: `nl.widgets`
raised ModuleNotFoundError). This test builds the wheel from a copy of the sources, installs it
(not editable) into a fresh venv, and, from a directory outside the repository, imports every
module from the venv and builds one app.

The venv sees the system's site-packages (numpy, matplotlib, ipywidgets are not reinstalled, which
keeps this to seconds), but the nnlearn it imports must be the one the wheel put in the venv.
"""

import email
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SUBPACKAGES = sorted(p.parent.name for p in (REPO / "nnlearn").glob("*/__init__.py"))
MODULES = sorted(
    ".".join(p.relative_to(REPO).with_suffix("").parts)
    for p in (REPO / "nnlearn").rglob("*.py") if p.name != "__init__.py"
)

IMPORT_EVERYTHING = """
import importlib, pathlib, sys
import nnlearn as nl
venv = pathlib.Path(sys.prefix).resolve()
assert pathlib.Path(nl.__file__).resolve().is_relative_to(venv), (nl.__file__, venv)
for name in {modules!r}:
    module = importlib.import_module(name)
    assert pathlib.Path(module.__file__).resolve().is_relative_to(venv), module.__file__
app = nl.widgets.neuron_explorer()
assert app.controls and app.figure is not None
print("version", nl.__version__)
print("imported", len({modules!r}))
"""


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    source = tmp_path_factory.mktemp("source")
    shutil.copy(REPO / "pyproject.toml", source)
    shutil.copy(REPO / "README.md", source)
    shutil.copytree(REPO / "nnlearn", source / "nnlearn", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(source),
         "-w", str(dist)])
    (built,) = dist.glob("nnlearn-*.whl")
    return built


def test_the_wheel_holds_every_subpackage_and_module(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in SUBPACKAGES:
        assert f"nnlearn/{package}/__init__.py" in names, package
    for module in MODULES:
        assert module.replace(".", "/") + ".py" in names, module


def test_the_version_is_written_once_and_the_apps_extra_lists_what_the_apps_import(wheel):
    import nnlearn

    with zipfile.ZipFile(wheel) as archive:
        (metadata_name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = email.message_from_string(archive.read(metadata_name).decode())
    assert metadata["Version"] == nnlearn.__version__
    assert 'version = "' not in (REPO / "pyproject.toml").read_text()
    apps = [r.split(";")[0].split(">")[0].split("<")[0].strip().lower()
            for r in metadata.get_all("Requires-Dist") if "extra == \"apps\"" in r]
    assert set(apps) >= {"matplotlib", "ipywidgets", "ipython", "threadpoolctl"}


@pytest.mark.slow                   # ~45 s here (a venv, pip, importing matplotlib and ipywidgets)
def test_the_wheel_installed_into_a_fresh_venv_imports_every_module_and_builds_an_app(wheel, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    python = venv / "bin" / "python"
    # --ignore-installed: the system's editable nnlearn must not count as "already satisfied".
    run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--ignore-installed", str(wheel)])
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    env["MPLBACKEND"] = "Agg"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    modules = [f"nnlearn.{package}" for package in SUBPACKAGES] + MODULES
    result = run([str(python), "-c", IMPORT_EVERYTHING.format(modules=modules)], cwd=outside, env=env)
    assert f"imported {len(modules)}" in result.stdout


PUBLIC_MODULES = ["nnlearn", "nnlearn.nn", "nnlearn.losses", "nnlearn.optim", "nnlearn.train", "nnlearn.gradcheck",
                  "nnlearn.data", "nnlearn.landscapes"]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_each_public_core_module_declares_all_and_every_name_in_it_exists(name):
    import importlib

    module = importlib.import_module(name)
    assert module.__all__ and len(set(module.__all__)) == len(module.__all__)
    for attribute in module.__all__:
        assert getattr(module, attribute) is not None, attribute


def test_the_package_exports_the_api_the_lessons_use():
    import nnlearn as nl

    for name in ("train_step", "has_diverged", "Dropout", "fit", "History"):
        assert name in nl.__all__
    assert "AdamW" in nl.optim.__all__ and "OPTIMIZERS" in nl.optim.__all__
