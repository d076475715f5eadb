"""The declared dependency floors hold: the unit and app tests pass with the lowest version of every
range that requirements.txt and pyproject.toml declare.

The text cache (nnlearn/widgets/text_cache.py) needs matplotlib's glyph-by-glyph text (3.11) while
the floor is 3.8: without it the canvas must be matplotlib's own. That is tested twice: here by
taking the attribute away, and for real in a fresh venv of the lowest versions (slow: about two
minutes of installing with pip's cache warm, more with it cold; the cache is pip's own, reused).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

import nnlearn as nl
from nnlearn.widgets import text_cache
from test_binder import pyproject, requirement_lines, requirement_name

REPO = Path(__file__).resolve().parents[2]
# The core's unit tests and the apps that lean hardest on matplotlib and ipywidgets (the text
# cache, the blit): a few minutes in all, so the suite stays inside its budget. The browser,
# notebook and coursework tests need more than the package's ranges (Chromium, nbgrader, JupyterLab).
# This file's own fast tests run there too; its slow one is left out by -m "not slow".
TESTS = ["unit/test_nn.py", "unit/test_losses.py", "unit/test_optim.py", "unit/test_train.py", "unit/test_data.py",
         "unit/test_gradcheck.py", "environments/test_lowest_versions.py", "apps/test_widgets_training.py",
         "apps/test_widgets_neuron.py"]                # under tests/


def test_without_glyph_by_glyph_text_the_apps_draw_with_matplotlibs_own_canvas(monkeypatch):
    # As on matplotlib 3.8 .. 3.10, for the guard (matplotlib 3.11's own drawing needs the method)
    monkeypatch.setattr(text_cache, "Text", type("Text", (), {}))
    assert not text_cache.fast_path()
    app = nl.widgets.playground()
    app.step(2)
    assert type(app._canvas.get_renderer()) is RendererAgg and app.image.value
    plain = FigureCanvasAgg(app.figure)
    plain.draw()
    reference = np.asarray(plain.buffer_rgba()).copy()
    app.figure.set_canvas(app._canvas)
    app._canvas.draw()
    assert np.array_equal(np.asarray(app._canvas.buffer_rgba()), reference)
    app.close()


def test_a_renderer_handed_a_font_object_draws_it_and_records_nothing():
    drawn = []

    class Renderer:
        def draw_text_image(self, image, x, y, angle, gc):
            drawn.append(image)

    recorder = text_cache._Recorder(Renderer())
    recorder.draw_text_image(object(), 1, 2, 0, None)                # matplotlib < 3.11 passes the FT2Font
    assert len(drawn) == 1 and not recorder.replayable and recorder.glyphs == []


def lowest_versions():
    """name==floor for every range with a floor in pyproject.toml (the package and its apps; the
    higher floor where requirements.txt names a higher one), and pytest's floor from
    requirements-dev.txt. JupyterLab, Notebook and Voila, which only requirements.txt declares,
    serve the lessons, not the package: the Binder test builds that environment."""
    project = pyproject()["project"]
    package = project["dependencies"] + \
        [line for group in project.get("optional-dependencies", {}).values() for line in group]
    names = {requirement_name(line) for line in package}
    lines = package + [line for line in requirement_lines(REPO / "requirements.txt") if requirement_name(line) in names]
    lines += [line for line in requirement_lines(REPO / "requirements-dev.txt") if requirement_name(line) == "pytest"]
    floors = {}
    for line in lines:
        match = re.search(r">=\s*([\w.]+)", line)
        if match:
            name = requirement_name(line)
            version = tuple(int(part) for part in match.group(1).split(".") if part.isdigit())
            floors[name] = max(floors.get(name, version), version)
    return [f"{name}=={'.'.join(map(str, version))}" for name, version in sorted(floors.items())]


def test_every_declared_range_has_a_floor_to_test():
    pins = lowest_versions()
    assert "matplotlib==3.8" in pins and "numpy==1.26" in pins and "pytest==8" in pins
    project = pyproject()["project"]
    names = {requirement_name(line) for line in project["dependencies"]} | \
        {requirement_name(line) for group in project["optional-dependencies"].values() for line in group}
    assert names <= {requirement_name(pin) for pin in pins}


@pytest.mark.slow
def test_the_unit_and_app_tests_pass_with_the_lowest_declared_versions(tmp_path):
    venv = tmp_path / "lowest"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = str(venv / "bin" / "python")
    # pip's own cache (~/.cache/pip) is shared with every other install: a warm one downloads nothing
    install = subprocess.run([python, "-m", "pip", "install", "-q", *lowest_versions()],
                             capture_output=True, text=True, timeout=1800)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    versions = subprocess.run([python, "-c", "import matplotlib, numpy; print(matplotlib.__version__, numpy.__version__)"],
                              capture_output=True, text=True, timeout=120)
    assert versions.stdout.split() == ["3.8.0", "1.26.0"], versions.stdout + versions.stderr
    # CI unset: the PyTorch comparisons skip here (torch is CI's, not a declared range)
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "PYTHONPATH")}
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run([python, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider", "-m", "not slow",
                             *[str(REPO / "tests" / name) for name in TESTS]],
                            capture_output=True, text=True, timeout=3000, cwd=REPO, env=env)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
