"""The lessons run top to bottom: the sources with every check passing, the learner versions
failing only where an exercise is still to be done.

- notebooks/ is what `python coursework/release.py` generates from coursework/source (byte for
  byte), and holds no line of a solution or a hidden test.
- A learner notebook, run on a fresh kernel, raises NotImplementedError in check cells and
  nowhere else, and nothing else goes wrong.
- A source notebook runs without a single error.
- Each runs in under 30 s (wall clock; on a machine busier than 1.5 runnable processes per core,
  the kernel's own CPU time is held to it instead, and both are printed).

nbval (`--nbval-lax`, see pyproject.toml) runs the same notebooks cell by cell as well.
"""

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
COURSEWORK = REPO / "coursework"
SOURCE = COURSEWORK / "source"
NOTEBOOKS = REPO / "notebooks"
ARTIFACT = REPO / "test-artifacts" / "notebook-times.txt"
LIMIT_SECONDS = 30
CELL_TIMEOUT = 120


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


release = _load("nnlearn_coursework_release", COURSEWORK / "release.py")
_load("nnlearn_kernel_polling", COURSEWORK / "kernel_polling.py")      # the nbclient stall fix
LESSONS = release.lessons(str(SOURCE))
TIMES = {}


def grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or ""


def run(path):
    """Execute the notebook at path on a fresh kernel, in its folder.

    Returns (notebook with outputs, wall seconds, the kernel's CPU seconds).
    """
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    # one extra cell at the end reads the kernel's CPU time (user + system)
    nb.cells.append(nbformat.v4.new_code_cell("import os as _os\nprint(sum(_os.times()[:2]))"))
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, startup_timeout=120, allow_errors=True,
                            kernel_name="python3",
                            resources={"metadata": {"path": str(Path(path).parent)}})
    started = time.monotonic()
    client.execute()
    wall = time.monotonic() - started
    probe = nb.cells.pop()
    try:
        cpu = float(probe.outputs[0]["text"])
    except (IndexError, KeyError, ValueError):
        cpu = float("nan")
    return nb, wall, cpu


def errors(nb):
    """[(cell index, grade_id, error name, message)] for every error output."""
    return [(index, grade_id(cell), output["ename"], output.get("evalue", "")[:200])
            for index, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for output in cell.get("outputs", []) if output["output_type"] == "error"]


def check_time(request, label, wall, cpu):
    busy = os.getloadavg()[0] > 1.5 * (os.cpu_count() or 1)
    TIMES[label] = (wall, cpu, busy)
    _say(request, f"{label}: {wall:.1f} s wall, {cpu:.1f} s kernel CPU"
                  + (" (busy machine: the CPU time is held to the limit)" if busy else ""))
    measured = cpu if busy else wall
    assert measured < LIMIT_SECONDS, (
        f"{label} took {measured:.1f} s ({'kernel CPU' if busy else 'wall clock'}); "
        f"a lesson must run in under {LIMIT_SECONDS} s")


def _say(request, text):
    """Print to the test log even while pytest captures output."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(text)
        return
    with capture.global_and_fixture_disabled():
        reporter.ensure_newline()
        reporter.write_line(text)


@pytest.fixture(scope="module", autouse=True)
def save_times():
    yield
    if TIMES:
        ARTIFACT.parent.mkdir(exist_ok=True)
        ARTIFACT.write_text("".join(
            f"{label}: {wall:.1f} s wall, {cpu:.1f} s kernel CPU{' (busy machine)' if busy else ''}\n"
            for label, (wall, cpu, busy) in sorted(TIMES.items())))


def test_learner_notebooks_are_what_release_generates_from_the_sources():
    result = subprocess.run([sys.executable, str(COURSEWORK / "release.py"), "--check"],
                            capture_output=True, text=True, timeout=900, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("lesson", LESSONS)
def test_learner_notebook_holds_no_solution_or_hidden_test_line(lesson):
    path = NOTEBOOKS / lesson / f"{lesson}.ipynb"
    assert path.exists(), f"notebooks/{lesson}/{lesson}.ipynb is missing: run python coursework/release.py"
    learner = nbformat.read(path, as_version=4)
    source = nbformat.read(SOURCE / lesson / f"{lesson}.ipynb", as_version=4)
    assert not release.leaked_lines(source, learner)
    text = path.read_text()
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "END SOLUTION", "END HIDDEN TESTS"):
        assert marker not in text


@pytest.mark.parametrize("lesson", LESSONS)
def test_learner_notebook_fails_only_with_not_implemented_in_check_cells(lesson, request):
    path = NOTEBOOKS / lesson / f"{lesson}.ipynb"
    assert path.exists(), f"notebooks/{lesson}/{lesson}.ipynb is missing: run python coursework/release.py"
    nb, wall, cpu = run(path)
    unexpected = [error for error in errors(nb)
                  if not (error[1].startswith("check_") and error[2] == "NotImplementedError")]
    assert not unexpected, f"errors other than NotImplementedError in a check cell: {unexpected}"
    checks = [grade_id(cell) for cell in nb.cells if grade_id(cell).startswith("check_")]
    for cell in nb.cells:
        if grade_id(cell).startswith("check_"):
            assert "raises-exception" in cell.metadata.get("tags", []), grade_id(cell)
    assert checks, f"{lesson} has no check cells"
    check_time(request, f"notebooks/{lesson}", wall, cpu)


@pytest.mark.parametrize("lesson", LESSONS)
def test_source_notebook_runs_with_every_check_passing(lesson, request):
    nb, wall, cpu = run(SOURCE / lesson / f"{lesson}.ipynb")
    assert not errors(nb), f"errors in the source notebook: {errors(nb)}"
    check_time(request, f"coursework/source/{lesson}", wall, cpu)
