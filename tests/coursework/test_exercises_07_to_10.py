"""The exercises' checks of lessons 07-10, in-process; the tests are in tests/exercise_cases.py
(lessons 00-06: test_exercises.py)."""

from course import LESSONS
from exercise_cases import *  # noqa: F401,F403 (every test of exercise_cases.py, collected here)
from exercise_cases import expected, run_case

LESSONS_HERE = [lesson for lesson in LESSONS if lesson >= "07"]


def test_patching_the_comparison_does_not_grade_a_wrong_prediction():
    """Attack: the probe compares through nnlearn.selfcheck.canonical in the student's process, so a
    submission may replace it. Whatever it returns, the trusted grader compares it with the
    solution's answer: without the answer there is nothing to gain (the self-check may be fooled,
    the grade is not)."""
    import nnlearn.selfcheck

    expected("08_playground")                 # the grader's answers, computed apart from the submission
    original = nnlearn.selfcheck.canonical
    try:
        for forged in ("lambda *a, **k: 'same'", "lambda answer, digits=None: str(answer)"):
            code = (f"import nnlearn.selfcheck\nnnlearn.selfcheck.canonical = {forged}\n"
                    "def predict_xor_feature():\n    return 'x1^2'\n")
            _, _, hidden_failures = run_case("08_playground", "predict_xor_feature", code, first_failure=True)
            assert hidden_failures, f"a patched canonical ({forged}) grades a wrong prediction"
    finally:
        nnlearn.selfcheck.canonical = original   # run_case runs the submission in this process
