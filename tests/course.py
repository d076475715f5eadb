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


release = load("nnlearn_coursework_release", COURSEWORK / "release.py")
LESSONS = release.lessons(str(SOURCE))
