"""Two things for the whole suite.

1. Make nbval's `--nbval-lax` run of the lessons as strict as the curriculum asks. nbval lets a
   cell tagged `raises-exception` raise anything. In a learner notebook the only error allowed is
   the NotImplementedError of an exercise not yet done, and only in a check cell (`grade_id`
   check_*); in a source notebook (no such tags) nbval already fails on any error.
2. Put the longest files first. README's command runs the suite on every core with pytest-xdist,
   whole files per worker (`--dist loadfile`: a notebook's cells share one kernel, and a module's
   server or browser is started once); started first, the long files run side by side and the
   short ones fill in around them.
"""

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


# The files that take a minute or more (seconds on 2 cores, measured with --durations), longest first.
LONGEST_FIRST = (
    "tests/test_lowest_versions.py",     # 300-1100: the lowest declared versions in a fresh venv, unit and app tests
    "tests/test_layout.py",              # 230: every app of every lesson in Lab, two window sizes
    "tests/test_browser.py",             # 180: lesson 00 in Notebook 7, 20 fresh page loads
    "tests/test_coursework.py",          # 160: a batch of 81 submissions through the sandbox
    "tests/test_attacks.py",             # 120: the attack batch
    "tests/test_binder.py",              # 85: a fresh venv from binder/
    "tests/test_grading_cycle.py",       # 70: nbgrader with real Unix users
    "tests/test_claims_elsewhere.py",    # 55: the claims again, as on two other processors
    "tests/test_browser_playground.py",  # 35: the playground in Voila and in Lab
)


def pytest_collection_modifyitems(items):
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(LONGEST_FIRST)))   # stable
