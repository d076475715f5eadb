"""Make nbval's `--nbval-lax` run of the lessons as strict as the curriculum asks.

nbval lets a cell tagged `raises-exception` raise anything. In a learner notebook the only error
allowed is the NotImplementedError of an exercise not yet done, and only in a check cell
(`grade_id` check_*); in a source notebook (no such tags) nbval already fails on any error.
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
