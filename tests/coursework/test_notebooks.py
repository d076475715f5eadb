"""The learner notebooks are what the sources generate, and give nothing away.

- notebooks/ is what `python coursework/release.py` generates from coursework/source (byte for
  byte), and holds no line of a solution or a hidden test.
- Every check cell of a learner notebook is tagged `raises-exception`: it is where an unanswered
  exercise raises NotImplementedError.

Running the notebooks: the sources run whole in the grading sandbox, every check passing and no
cell raising (tests/coursework/test_coursework.py); the learner versions run under nbval
(`--nbval-lax`, see pyproject.toml), failing only with NotImplementedError in check cells (the
root conftest.py enforces that), or, in a session that runs tests/browser/test_layout.py, there
instead, in JupyterLab (root conftest.py, 3.). Their run times are printed
by benchmarks/bench_apps.py, not asserted here.
"""

import re
import subprocess
import sys

import nbformat
import pytest

from course import COURSEWORK, LESSONS, NOTEBOOKS, REPO, SOURCE, grade_id, release


def test_all_eleven_lessons_exist():
    assert [lesson[:2] for lesson in LESSONS] == [f"{n:02d}" for n in range(11)], LESSONS


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
def test_learner_check_cells_and_only_they_may_raise(lesson):
    learner = nbformat.read(NOTEBOOKS / lesson / f"{lesson}.ipynb", as_version=4)
    checks = [cell for cell in learner.cells if grade_id(cell).startswith("check_")]
    assert checks, f"{lesson} has no check cells"
    for cell in learner.cells:
        tagged = "raises-exception" in cell.metadata.get("tags", [])
        assert tagged == grade_id(cell).startswith("check_"), grade_id(cell)


@pytest.mark.parametrize("lesson", LESSONS)
def test_source_notebook_is_stored_without_outputs(lesson):
    source = nbformat.read(SOURCE / lesson / f"{lesson}.ipynb", as_version=4)
    for cell in source.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, grade_id(cell)
        assert "raises-exception" not in cell.metadata.get("tags", []), (
            f"{grade_id(cell)}: a source cell must not be allowed to fail")


@pytest.mark.parametrize("lesson", LESSONS)
def test_hidden_cells_hold_no_test_code_because_probes_are_judged_by_the_grader(lesson):
    source = nbformat.read(SOURCE / lesson / f"{lesson}.ipynb", as_version=4)
    hidden = [cell for cell in source.cells if grade_id(cell).startswith("hidden_")]
    assert hidden, f"{lesson} has no hidden-test cells"
    for cell in hidden:
        code = [line for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("#")]
        assert not code, (f"{grade_id(cell)}: hidden tests belong in coursework/hidden/{lesson}.py as probes, "
                          f"not in the notebook (found {code[:2]})")
    assert (COURSEWORK / "hidden" / f"{lesson}.py").exists(), f"coursework/hidden/{lesson}.py is missing"


@pytest.mark.parametrize("notebook", [NOTEBOOKS / lesson / f"{lesson}.ipynb" for lesson in LESSONS]
                         + [NOTEBOOKS / "dashboard" / "playground.ipynb"], ids=lambda path: path.stem)
def test_first_cell_installs_nnlearn_in_the_browser_edition_and_does_nothing_elsewhere(notebook):
    from IPython.core.inputtransformer2 import TransformerManager

    first = nbformat.read(notebook, as_version=4).cells[0]
    assert first.source == release.BROWSER_INSTALL and first.metadata == {"tags": [release.BROWSER_INSTALL_TAG]}
    python = TransformerManager().transform_cell(first.source)        # as IPython runs it
    calls = []
    exec(compile(python, "first cell", "exec"), {"get_ipython": lambda: calls.append("magic")})
    assert calls == [] and sys.platform != "emscripten"
    grading = re.sub(r"^(\s*)[%!].*$", r"\1pass", first.source, flags=re.M)   # as the sandboxed grader runs it
    compile(grading, "first cell", "exec")
