"""Where the course lives, and its tools loaded as modules (coursework/ is not a package)."""

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COURSEWORK = REPO / "coursework"
SOURCE = COURSEWORK / "source"
NOTEBOOKS = REPO / "notebooks"


def load(name, path):
    """Import the Python file at path as a module called name."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or ""


# Lesson 00's story cells that train networks: seconds in every sandboxed kernel that runs the lesson.
STORY_RUNS = ("loop_code", "random_code", "rates_over_seeds")


def without_story_runs(path):
    """Reduce the story's training cells of the notebook at path to a comment, for a batch that
    grades lesson 00 for what the grader does (attacks, the exchange cycle), not for the lesson:
    every sandbox would run them again, and no exercise, probe or attack uses what they print or
    define (the honest student still earns full marks; tests/coursework/test_coursework.py grades it whole)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if grade_id(cell) in STORY_RUNS:
            cell.source = f"# {grade_id(cell)}: the lesson's training, left out of this batch"
    nbformat.write(nb, path)


release = load("nnlearn_coursework_release", COURSEWORK / "release.py")
LESSONS = release.lessons(str(SOURCE))
