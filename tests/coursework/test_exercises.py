"""The exercises' checks of lessons 00-06, in-process; the tests are in tests/exercise_cases.py
(lessons 07-10: test_exercises_07_to_10.py), and the lesson-independent ones are here."""

import nbformat

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
    predictions, probes, pytest_generate_tests)

LESSONS_HERE = [lesson for lesson in LESSONS if lesson < "07"]


def test_an_investigations_answer_is_judged_within_the_spread_of_the_solutions_runs():
    """Probe.spread runs on the trusted side only; its tolerance widens the probe's atol."""
    namespace = {"runs": lambda: [2.0, 2.5, 1.7]}
    spread = "tolerance = max(runs()) - min(runs())"
    probe = probes.Probe("result = float(sorted(runs())[1])", atol=0.0, spread=spread)
    expected = probes.expected_answer(probe, namespace)
    assert expected.value == 2.0 and abs(expected.tolerance - 0.8) < 1e-12
    assert probes.judge(probes.Answer(value=2.7), expected, probe) == ""
    assert probes.judge(probes.Answer(value=2.9), expected, probe)
    assert probes.judge(probes.Answer(value=2.7), probes.answer_in_namespace(probe, namespace), probe)
    broken = probes.expected_answer(probes.Probe("result = 1.0", spread="tolerance = -1.0"), namespace)
    assert broken.error and "no tolerance" in broken.error


def test_every_lesson_has_its_predictions_they_are_found_and_carry_no_points():
    found = {lesson: sorted(predictions(lesson)) for lesson in LESSONS}
    assert sum(len(names) for names in found.values()) >= 25, found     # the parser finds them all
    assert all(found.values()), found
    for lesson in LESSONS:                                               # checkpoints, not grades
        for cell in nbformat.read(probes.source_notebook(lesson), as_version=4).cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            if grade_id.startswith(("check_predict_", "hidden_predict_")):
                assert cell.metadata["nbgrader"].get("points", 0) == 0, (lesson, grade_id)
