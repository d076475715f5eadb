"""Four things for the whole suite.

1. Make nbval's `--nbval-lax` run of the lessons as strict as the curriculum asks. nbval lets a
   cell tagged `raises-exception` raise anything. In a learner notebook the only error allowed is
   the NotImplementedError of an exercise not yet done, and only in a check cell (`grade_id`
   check_*); in a source notebook (no such tags) nbval already fails on any error.
2. Mark the fast tier (`python -m pytest -m fast`, about 2-3 minutes on 2 cores): tests/unit,
   tests/apps, tests/claims and the exercises' checks, not the kinds that start servers, browsers,
   sandboxes or environments, or run whole lessons (NOT_FAST_FOLDERS and NOT_FAST below, and
   nbval's notebook cells). A new test file joins its folder's tier.
3. Run each learner lesson (notebooks/NN_topic/) once, not twice: tests/browser/test_layout.py runs
   every one of them top to bottom in JupyterLab (every code cell must get an execution count, and
   nothing may reach stderr but an unanswered exercise's NotImplementedError), and
   tests/coursework/test_notebooks.py checks that a learner copy is its source with the solutions
   taken out and that only check cells may raise. So when test_layout.py runs in the same session
   (a browser here, no -m or -k choosing tests), nbval leaves the learner lessons out; it still
   runs the dashboard and any notebook named on the command line (a source: the suite runs the
   sources whole in the grading sandbox, tests/coursework/test_coursework.py).
4. Put the longest files first, as a recorded run measured them (tests/durations.json). README's
   command runs the suite on every core with pytest-xdist, whole files per worker (`--dist
   loadfile`: a notebook's cells share one kernel, and a module's server or browser is started
   once); started first, the long files run side by side and the short ones fill in around them.
"""

import importlib.util
import json
import os
import re
from collections import defaultdict
from pathlib import Path

import pytest

UNANSWERED = ("NotImplementedError", "NotAnswered")     # NotAnswered: nnlearn.selfcheck's one-line form


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    outputs = getattr(item, "test_outputs", None)             # set by nbval's cell items
    if call.when != "call" or report.failed or not outputs:
        return
    grade_id = item.cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or ""
    for output in outputs:
        if output.get("output_type") != "error":
            continue
        if output.get("ename") not in UNANSWERED or not grade_id.startswith("check_"):
            report.outcome = "failed"
            report.longrepr = (
                f"{item.nodeid}: cell {grade_id or '(no grade_id)'} raised {output.get('ename')}: "
                f"{output.get('evalue')}\nOnly check cells may fail, and only with the "
                "NotImplementedError of an unanswered exercise.")
            return


# Longest files first, by the seconds each took in a recorded run (`python -m pytest
# --record-durations` rewrites tests/durations.json); a file not yet recorded goes last.
DURATIONS = Path(__file__).parent / "tests" / "durations.json"
_recorded_seconds = defaultdict(float)


ROOT = Path(__file__).parent
LEARNER_LESSON = re.compile(r"notebooks/\d\d_[^/]+/\d\d_[^/]+\.ipynb$")
CHROMIUM = os.environ.get("NNLEARN_CHROMIUM", "/usr/bin/chromium")       # as tests/browser_helpers.py


def layout_test_runs_the_learner_lessons(config):
    """True when this session runs tests/browser/test_layout.py in full (see 3. above)."""
    if config.option.markexpr or config.option.keyword or importlib.util.find_spec("playwright") is None:
        return False
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return False
    layout = ROOT / "tests" / "browser" / "test_layout.py"
    args = [Path(arg.split("::")[0]).resolve() for arg in config.args]
    return any(arg == layout or arg in layout.parents for arg in args)


def pytest_ignore_collect(collection_path, config):
    path = collection_path.resolve()
    if not LEARNER_LESSON.search(path.as_posix()) or ROOT not in path.parents:
        return None
    if any(Path(arg.split("::")[0]).resolve() == path for arg in config.args):
        return None                                  # named on the command line: run it
    if not hasattr(config, "_learner_lessons_covered"):
        config._learner_lessons_covered = layout_test_runs_the_learner_lessons(config)
    return True if config._learner_lessons_covered else None


def pytest_addoption(parser):
    parser.addoption("--record-durations", action="store_true",
                     help="write each test file's total seconds to tests/durations.json (orders the next runs)")


# tests/ is split by kind: unit/, apps/ (driven in-process), claims/, coursework/, browser/,
# environments/. The fast tier is unit, apps, claims and the exercises' checks; left out are the
# kinds that start browsers, servers, sandboxes or environments, or run whole lessons, each from
# half a minute to several.
NOT_FAST_FOLDERS = ("tests/browser/", "tests/environments/", "tests/coursework/")
FAST_IN_SLOW_FOLDERS = {"tests/coursework/test_exercises.py",      # in-process: the checks' logic
                        "tests/coursework/test_exercises_07_to_10.py"}
NOT_FAST = {
    "tests/claims/test_claims_elsewhere.py",   # every claim again under other CPUs' arithmetic
    "tests/claims/test_stored_runs.py",        # every stored run of lessons 07 and 08 trained again
    "tests/apps/test_memory.py",               # every app built and closed, for memory
}


def is_fast(path):
    """A test file of the fast tier: a .py file under tests/, not in a slow folder or NOT_FAST."""
    if path in FAST_IN_SLOW_FOLDERS:
        return True
    return (path.startswith("tests/") and path.endswith(".py") and path not in NOT_FAST
            and not path.startswith(NOT_FAST_FOLDERS))


def pytest_collection_modifyitems(items):
    for item in items:
        if is_fast(item.nodeid.split("::")[0]):
            item.add_marker(pytest.mark.fast)
    seconds = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    items.sort(key=lambda item: -seconds.get(item.nodeid.split("::")[0], 0.0))   # stable within a file


def pytest_runtest_logreport(report):
    _recorded_seconds[report.nodeid.split("::")[0]] += report.duration       # xdist sends every report here


def pytest_sessionfinish(session):
    if session.config.getoption("record_durations") and not hasattr(session.config, "workerinput"):
        ranked = dict(sorted(((path, round(total, 1)) for path, total in _recorded_seconds.items()),
                             key=lambda pair: -pair[1]))
        DURATIONS.write_text(json.dumps(ranked, indent=1) + "\n")
