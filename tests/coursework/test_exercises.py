"""The exercises' checks of lessons 00-06, in-process; the tests are in tests/exercise_cases.py
(lessons 07-10: test_exercises_07_to_10.py), and the lesson-independent ones are here."""

import nbformat

from course import LESSONS
from exercise_cases import *  # noqa: F401,F403 (every test of exercise_cases.py, collected here)
from exercise_cases import predictions, probes

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
