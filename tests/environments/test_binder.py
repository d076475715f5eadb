"""Binder and a fresh machine: what binder/ builds must run the lessons.

repo2docker (Binder) reads only binder/ when it exists: binder/runtime.txt picks Python,
`pip install -r binder/requirements.txt` runs from the repository root, binder/postBuild runs once
after. Docker is not available here, so the fresh-machine test builds the same environment in a new
venv from a copy of the working tree, then runs lesson 00 in it and builds every app.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BINDER = REPO / "binder"
LESSON = Path("notebooks") / "00_learning_loop" / "00_learning_loop.ipynb"
ARTIFACTS = REPO / "test-artifacts" / "binder"
# Binder users wait for this build. Seen here: 74 s with an empty pip cache on a quiet machine,
# 174-400 s while other test suites loaded both cores. The time is recorded in
# test-artifacts/binder/fresh-venv.json, not asserted (speed is measured, not tested); the
# subprocess timeout below only stops a hung install.


def requirement_lines(path):
    """Non-empty, non-comment lines of a requirements file, whitespace-normalised."""
    lines = []
    for raw in Path(path).read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            lines.append(re.sub(r"\s+", " ", line))
    return lines


def requirement_name(line):
    return re.split(r"[\s<>=!~;\[]", line, maxsplit=1)[0].lower().replace("_", "-")


def pyproject():
    import tomllib                         # Python >= 3.11 (the tests' Python, and Binder's)

    return tomllib.loads((REPO / "pyproject.toml").read_text())


# ------------------------------------------------------------------------------- configuration
def test_binder_has_only_what_repo2docker_should_read():
    assert (BINDER / "requirements.txt").is_file() and (BINDER / "runtime.txt").is_file()
    # Any of these would take precedence over requirements.txt (or add a second environment).
    for shadowing in ["environment.yml", "Pipfile", "Pipfile.lock", "setup.py", "Project.toml", "install.R"]:
        assert not (BINDER / shadowing).exists(), f"binder/{shadowing} would change what Binder builds"


def test_runtime_python_satisfies_requires_python():
    from packaging.specifiers import SpecifierSet

    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert match, f"binder/runtime.txt should read python-X.Y, not {runtime!r}"
    requires = pyproject()["project"]["requires-python"]
    assert SpecifierSet(requires).contains(match.group(1) + ".0"), f"{runtime} is outside {requires}"
    assert match.group(1) == "3.11", "the lessons are tested on Python 3.11"


def test_binder_requirements_cannot_drift_from_the_learners():
    """binder/requirements.txt includes ../requirements.txt (or lists exactly the same lines) and
    installs the package itself."""
    binder = requirement_lines(BINDER / "requirements.txt")
    root = requirement_lines(REPO / "requirements.txt")
    included = [line.split(None, 1)[1] for line in binder if line.startswith(("-r ", "--requirement "))]
    if included:
        assert [(BINDER / path).resolve() for path in included] == [(REPO / "requirements.txt").resolve()], (
            f"binder/requirements.txt should include ../requirements.txt only, not {included}")
        own = [line for line in binder if not line.startswith(("-r ", "--requirement "))]
        assert not [line for line in own if requirement_name(line) not in {"-e", "."}], (
            f"binder/requirements.txt adds requirements of its own: {own}; put them in requirements.txt")
    else:
        strip = lambda lines: sorted(line for line in lines if requirement_name(line) not in {"-e", "."})
        assert strip(binder) == strip(root), "binder/requirements.txt and requirements.txt differ"
    installs_package = lambda lines: any(re.fullmatch(r"(-e |--editable )?\.(\[[\w,]+\])?", line) for line in lines)
    assert installs_package(binder) or installs_package(root), "nothing installs the nnlearn package (`-e .`)"


def test_learner_requirements_cover_the_package_and_the_front_end():
    names = {requirement_name(line) for line in requirement_lines(REPO / "requirements.txt")}
    project = pyproject()["project"]
    needed = list(project["dependencies"]) + [dep for deps in project.get("optional-dependencies", {}).values()
                                              for dep in deps]
    missing = {requirement_name(dep) for dep in needed} - names
    assert not missing, f"requirements.txt lacks what the package needs: {sorted(missing)}"
    # The apps are ipywidgets in JupyterLab / Notebook 7; ipywidgets' lab extension ships in its wheel.
    assert {"ipywidgets", "jupyterlab", "notebook"} <= names
    assert "nbgrader" not in names, "nbgrader adds its menus to a learner's JupyterLab: keep it in requirements-dev.txt"


def test_postbuild_silences_the_news_toast():
    post_build = BINDER / "postBuild"
    text = post_build.read_text()
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    assert text.startswith("#!/bin/bash") and "set -euo pipefail" in text, (
        "without `set -e` repo2docker ignores postBuild's errors")
    overrides = json.loads((BINDER / "jupyterlab-overrides.json").read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    assert "jupyterlab-overrides.json" in text


def test_binder_links_in_readme_open_an_existing_notebook():
    readme = REPO / "README.md"
    if not readme.exists():
        pytest.skip("no README.md yet")
    links = re.findall(r"https://mybinder\.org/v2/[^\s)\"'>]+", readme.read_text())
    for link in links:
        urlpath = re.search(r"urlpath=([^&\s]+)", link)
        if urlpath:
            target = urlpath.group(1).replace("%2F", "/")
            path = re.sub(r"^/?(lab/tree|tree|notebooks|doc/tree|voila/render)/", "", target)
            assert (REPO / path).exists(), f"{link} opens {path}, which does not exist"


# ------------------------------------------------------------------------------- fresh machine
RUNNER = r'''
"""Run inside the fresh venv: execute the lesson with nbclient, then build every app."""
import inspect, json, sys, time
from pathlib import Path
from queue import Empty

import nbformat
from jupyter_client.channels import AsyncZMQSocketChannel
from nbclient import NotebookClient


async def get_msg(self, timeout=None):
    # nbclient stall (jupyter/nbclient#312): poll the kernel's socket in short slices.
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        if await self.socket.poll(200):
            return await self._recv()
        if deadline is not None and time.monotonic() > deadline:
            raise Empty


AsyncZMQSocketChannel.get_msg = get_msg

notebook_path = Path(sys.argv[1])
report = {}
nb = nbformat.read(notebook_path, as_version=4)
probe = nbformat.v4.new_code_cell("import sys, nnlearn\nprint(sys.prefix)\nprint(nnlearn.__file__)")
nb.cells.insert(0, probe)
start = time.monotonic()
client = NotebookClient(nb, timeout=180, startup_timeout=90, kernel_name="python3",
                        resources={"metadata": {"path": str(notebook_path.parent)}})
try:
    client.execute()
except Exception as error:               # an error outside a raises-exception cell
    report["execute_error"] = f"{type(error).__name__}: {str(error)[-3000:]}"
report["execute_seconds"] = time.monotonic() - start
report["probe"] = "".join(o.get("text", "") for o in nb.cells[0].outputs).split()
report["cells"] = []
for index, cell in enumerate(nb.cells[1:]):
    if cell.cell_type != "code":
        continue
    tags = cell.metadata.get("tags", [])
    errors = [o for o in cell.outputs if o.output_type == "error"]
    stderr = [o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
    if errors or stderr:
        report["cells"].append({"index": index, "tags": tags, "errors": [(e.ename, e.evalue) for e in errors],
                                "stderr": stderr, "source": cell.source[:200]})

import nnlearn.widgets as w
import nnlearn.widgets.app as frame
from nnlearn.widgets.app import App

report["apps"], report["app_errors"] = [], []
names = getattr(w, "__all__", None) or [name for name in dir(w) if not name.startswith("_")]
for name in names:
    obj = getattr(w, name)
    if not inspect.isfunction(obj) or name in frame.__all__:       # the frame's helpers, not apps
        continue
    try:
        app = obj()
        assert isinstance(app, App), f"returned {type(app).__name__}, not an App"
        assert app.controls and app.figure is not None and app.image.value, "no controls or no picture"
        report["apps"].append(name)
    except Exception as error:
        report["app_errors"].append(f"{name}: {type(error).__name__}: {error}")
print("REPORT " + json.dumps(report))
'''


def copy_tree(dest):
    """The working tree as a fresh clone would have it (no .git, no build or test leftovers)."""
    skip_names = {".git", "__pycache__", ".ipynb_checkpoints", ".pytest_cache", "build", "dist", "test-artifacts"}
    skip_paths = {REPO / "coursework" / name for name in ["release", "submitted", "autograded", "feedback"]}

    def ignore(folder, names):
        return [name for name in names if name in skip_names or name.endswith(".egg-info")
                or Path(folder, name) in skip_paths or name == "gradebook.db"]

    shutil.copytree(REPO, dest, ignore=ignore)
    notebooks = os.environ.get("NNLEARN_NOTEBOOKS")      # to try another copy of the lessons
    if notebooks:
        shutil.rmtree(dest / "notebooks", ignore_errors=True)
        shutil.copytree(notebooks, dest / "notebooks")


def clean_env(tmp):
    env = {key: value for key, value in os.environ.items()
           if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "JUPYTER_PATH",
                          "JUPYTER_CONFIG_PATH", "PIP_REQUIRE_VIRTUALENV", "MPLBACKEND"}}
    for name in ["JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"]:
        (tmp / name.lower()).mkdir(exist_ok=True)
        env[name] = str(tmp / name.lower())    # no user kernelspecs or settings leak in
    return env


def run(command, timeout, **kwargs):
    start = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"{' '.join(map(str, command))} took more than {timeout} s:\n{(error.stdout or '')[-3000:]}")
    return done, time.monotonic() - start


@pytest.mark.slow
def test_fresh_venv_from_binder_runs_lesson_00_and_every_app(tmp_path):
    timings = {}
    tree = tmp_path / "repo"
    copy_tree(tree)
    assert (tree / LESSON).exists(), f"{LESSON} is missing (generate it with `python coursework/release.py`)"
    env = clean_env(tmp_path)

    venv = tmp_path / "venv"
    made, timings["venv"] = run([sys.executable, "-m", "venv", str(venv)], timeout=120)
    if made.returncode != 0:
        pytest.skip(f"cannot create a venv here ({made.stderr.strip()[-300:]}): "
                    "install Python's venv module (e.g. apt-get install -y python3-venv)")
    python = venv / "bin" / "python"

    # What Binder runs, from the repository root.
    installed, timings["pip install -r binder/requirements.txt"] = run(
        # --no-compile: the same resolution and files as Binder's install, without writing a .pyc for
        # every module of every package (a third of the install's time); the lesson compiles what it imports.
        [python, "-m", "pip", "install", "--progress-bar", "off", "--no-compile", "-r", "binder/requirements.txt"],
        timeout=600, cwd=tree, env=env)
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    checked, _ = run([python, "-m", "pip", "check"], timeout=120, env=env)
    assert checked.returncode == 0, checked.stdout

    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    built, timings["binder/postBuild"] = run(["bash", "binder/postBuild"], timeout=120, cwd=tree, env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    overrides = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "nnlearn.json"
    assert json.loads(overrides.read_text())["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    extensions, _ = run([python, "-m", "jupyter", "labextension", "list"], timeout=120, env=env)
    listing = extensions.stdout + extensions.stderr
    assert re.search(r"@jupyter-widgets/jupyterlab-manager.*enabled.*OK", listing), listing

    runner = tmp_path / "run_lesson.py"
    runner.write_text(RUNNER)
    executed, timings["lesson 00 + every app"] = run([python, str(runner), str(tree / LESSON)],
                                                       timeout=600, cwd=tmp_path, env=env)
    lines = [line for line in executed.stdout.splitlines() if line.startswith("REPORT ")]
    assert executed.returncode == 0 and lines, executed.stdout[-3000:] + executed.stderr[-3000:]
    report = json.loads(lines[-1][len("REPORT "):])

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "fresh-venv.json").write_text(json.dumps({"timings_s": timings, **report}, indent=2))
    print("fresh venv: " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items()))

    assert report["probe"][:1] == [str(venv)], f"the kernel ran outside the venv: {report['probe']}"
    assert report["probe"][1].startswith(str(tree)), f"nnlearn imported from elsewhere: {report['probe']}"
    assert "execute_error" not in report, report["execute_error"]
    for cell in report["cells"]:
        where = f"cell {cell['index']} ({cell['source'][:60]!r})"
        assert "raises-exception" in cell["tags"] or not cell["errors"], f"{where} raised {cell['errors']}"
        assert all(name in ("NotImplementedError", "NotAnswered") for name, _ in cell["errors"]), f"{where} raised {cell['errors']}"
        assert not cell["stderr"], f"{where} wrote to stderr: {cell['stderr']}"
    assert report["app_errors"] == [], report["app_errors"]
    assert report["apps"], "nnlearn.widgets exports no app"
