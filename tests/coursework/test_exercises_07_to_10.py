"""The exercises' checks of lessons 07-10, in-process; the tests are in tests/exercise_cases.py
(lessons 00-06: test_exercises.py)."""

from course import LESSONS
from exercise_cases import (  # noqa: F401 (collected by pytest)
    test_every_probe_runs_on_the_solutions_and_every_exercise_has_probes,
    test_every_exercise_has_plausible_wrong_answers,
    test_a_plausible_wrong_answer_fails_the_public_check_with_a_pointed_message,
    test_a_planted_bug_fails_the_public_check_and_the_hidden_probes,
    test_an_answer_tuned_to_the_public_checks_fails_the_hidden_probes,
    test_the_unanswered_release_fails_a_public_and_a_hidden_probe_of_every_exercise,
    test_no_prediction_check_shows_its_answer_or_why_before_it_is_given,
    test_every_sealed_prediction_opens_with_the_answer_of_the_lessons_solution,
    test_a_right_choice_written_differently_is_right_for_the_check_and_for_the_grader,
    test_the_public_check_and_the_grade_agree_on_every_answer_near_a_numeric_prediction,
    expected, pytest_generate_tests, run_case)

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
