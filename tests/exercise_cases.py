"""The exercises' tests, for the lessons of the test file that imports them (in-process: fast, no
nbgrader, no sandbox).

For each lesson, tests/submissions/NN_topic.py holds per exercise a planted bug (BUGGY), an answer
hard-coding the public checks (TUNED) and plausible learner mistakes (WRONG: [(code, fragment)]).
- the solutions pass every public check cell and every probe runs on them;
- every WRONG answer fails the public check cell with output that contains its fragment (the hint
  that points at the mistake), and fails at least one hidden probe;
- every BUGGY answer fails the public check cell and a hidden probe;
- every TUNED answer passes the public check cell and fails a hidden probe.
The probes (coursework/hidden/NN_topic.py) are what the trusted grader judges; see coursework/probes.py.

tests/coursework/test_exercises.py (lessons 00-06) and test_exercises_07_to_10.py import every test
here and name their lessons in LESSONS_HERE; `pytest_generate_tests` gives each test those lessons.
Two files, so that two workers share the work (pytest-xdist gives a file to one worker), and each
lesson's solutions and expected answers are computed in one of them only.
"""

import ast
import contextlib
import functools
import io
import os
import re
import warnings

import nbformat
import numpy as np
import pytest

from course import COURSEWORK, NOTEBOOKS, REPO, SOURCE, grade_id, load
from namespaces import Prefixes
from nnlearn.selfcheck import canonical, _open

probes = load("nnlearn_probes", COURSEWORK / "probes.py")

# What a test file takes with `from exercise_cases import *`: every test, and the hook that gives them its lessons.
__all__ = ["test_every_probe_runs_on_the_solutions_and_every_exercise_has_probes", "test_every_exercise_has_plausible_wrong_answers", "test_a_plausible_wrong_answer_fails_the_public_check_with_a_pointed_message", "test_a_planted_bug_fails_the_public_check_and_the_hidden_probes", "test_an_answer_tuned_to_the_public_checks_fails_the_hidden_probes", "test_the_unanswered_release_fails_a_public_and_a_hidden_probe_of_every_exercise", "test_no_prediction_check_shows_its_answer_or_why_before_it_is_given", "test_every_sealed_prediction_opens_with_the_answer_of_the_lessons_solution", "test_a_right_choice_written_differently_is_right_for_the_check_and_for_the_grader", "test_the_public_check_and_the_grade_agree_on_every_answer_near_a_numeric_prediction", "pytest_generate_tests"]
SUBMISSIONS = REPO / "tests" / "submissions"


def submissions(lesson):
    path = SUBMISSIONS / f"{lesson}.py"
    return load(f"nnlearn_submissions_{lesson}_x", path) if path.exists() else None


@functools.lru_cache(maxsize=None)
def exercises(lesson):
    nb = nbformat.read(probes.source_notebook(lesson), as_version=4)
    return {grade_id(c)[3:]: c for c in nb.cells if grade_id(c).startswith("ex_")}, \
        {grade_id(c)[6:]: c for c in nb.cells if grade_id(c).startswith("check_")}


@functools.lru_cache(maxsize=None)
def expected(lesson):
    return probes.expected_answers(lesson)


@functools.lru_cache(maxsize=None)
def prefixes(lesson):
    """The lesson's solutions run once, kept as they stand before each exercise (tests/namespaces.py)."""
    return Prefixes(probes, lesson)


@functools.lru_cache(maxsize=None)
def probes_of(lesson):
    return probes.load_probes(lesson)


def run_case(lesson, name, code, first_failure=False):
    """(public check passed, its output, reasons of the failing hidden probes) for one answer;
    with first_failure, the hidden probes stop at the first that fails (the tests of a wrong answer
    need one; an investigation's probes take seconds each).
    A planted mistake may make numpy warn (the mean of an empty slice): the learner's own code,
    reported by the check's verdict, not by the suite."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _run_case(lesson, name, code, first_failure)


def _run_case(lesson, name, code, first_failure):
    _, checks = exercises(lesson)
    namespace = prefixes(lesson).namespace(name, code)
    public, hidden = probes_of(lesson)
    failing = []
    for probe, answer in zip(hidden.get(name, []), expected(lesson)[("hidden", name)] if name in hidden else []):
        failing.append(probes.judge(probes.answer_in_namespace(probe, namespace), answer, probe))
        if first_failure and failing[-1]:
            break
    output = io.StringIO()
    passed = True
    cwd = os.getcwd()
    os.chdir(os.path.dirname(probes.source_notebook(lesson)))
    try:
        with contextlib.redirect_stdout(output), np.errstate(all="ignore"):
            exec(compile(checks[name].source, f"check_{name}", "exec"), namespace)
    except Exception as error:                       # CheckFailed, or the learner's code raising
        passed = False
        output.write(f"\n{type(error).__name__}: {error}")
    finally:
        os.chdir(cwd)
    return passed, output.getvalue(), [reason for reason in failing if reason]


def cases(kind, lessons):
    for lesson in lessons:
        module = submissions(lesson)
        table = getattr(module, kind, {}) if module else {}
        for name, entry in table.items():
            if kind == "WRONG":
                for index, (code, fragment) in enumerate(entry):
                    yield pytest.param(lesson, name, code, fragment, id=f"{lesson}-{name}-{index}")
            else:
                yield pytest.param(lesson, name, entry, None, id=f"{lesson}-{name}")


def cases_of(kind):
    """Mark a test as taking (lesson, name, code, fragment) from tests/submissions' `kind`
    (WRONG, BUGGY, TUNED), or (lesson, name, variant) for "choices written differently"."""
    def mark(test):
        test.cases = kind
        return test
    return mark


def choice_variants(lessons):
    return [pytest.param(lesson, name, variant, id=f"{lesson}-{name}-{index}")
            for lesson in lessons for name, (answer, _, _) in predictions(lesson).items() if isinstance(answer, str)
            for index, variant in enumerate(_written_differently(answer))]


def pytest_generate_tests(metafunc):
    """Each test runs for the lessons the importing test file names (its LESSONS_HERE)."""
    lessons = getattr(metafunc.module, "LESSONS_HERE", None)
    if lessons is None:
        return
    kind = getattr(metafunc.function, "cases", None)
    if kind == "choices written differently":
        metafunc.parametrize("lesson,name,variant", choice_variants(lessons))
    elif kind:
        metafunc.parametrize("lesson,name,code,fragment", list(cases(kind, lessons)))
    elif "lesson" in metafunc.fixturenames:
        metafunc.parametrize("lesson", lessons)


def test_every_probe_runs_on_the_solutions_and_every_exercise_has_probes(lesson):
    answers = expected(lesson)
    broken = {key: [a.error for a in found if a.error] for key, found in answers.items()}
    assert not any(broken.values()), f"probes that fail on the solutions: {broken}"
    names, checks = exercises(lesson)
    public, hidden = probes.load_probes(lesson)
    assert set(checks) == set(names), f"exercises without a public check cell: {set(names) - set(checks)}"
    assert set(names) <= set(hidden), f"exercises without hidden probes: {set(names) - set(hidden)}"
    assert set(names) <= set(public), f"exercises without public probes: {set(names) - set(public)}"


def test_every_exercise_has_plausible_wrong_answers(lesson):
    names, _ = exercises(lesson)
    module = submissions(lesson)
    wrong = getattr(module, "WRONG", {}) if module else {}
    assert all(wrong.get(name) for name in names), \
        f"exercises with no WRONG answers in tests/submissions/{lesson}.py: {[n for n in names if not wrong.get(n)]}"


@cases_of("WRONG")
def test_a_plausible_wrong_answer_fails_the_public_check_with_a_pointed_message(lesson, name, code, fragment):
    passed, output, hidden_failures = run_case(lesson, name, code, first_failure=True)
    assert not passed, f"the public checks of {name} pass this wrong answer:\n{code}\n{output}"
    assert fragment in output, f"the public check output does not say {fragment!r}:\n{output}"
    if name.startswith("predict_"):                  # where to look, never why: that would be the answer
        assert "Why" not in output, f"the check of {name} explains a wrong prediction:\n{output}"
    assert hidden_failures, f"the hidden probes of {name} pass this wrong answer:\n{code}"


@cases_of("BUGGY")
def test_a_planted_bug_fails_the_public_check_and_the_hidden_probes(lesson, name, code, fragment):
    passed, output, hidden_failures = run_case(lesson, name, code, first_failure=True)
    assert not passed, f"the public checks of {name} pass the planted bug:\n{output}"
    assert hidden_failures, f"the hidden probes of {name} pass the planted bug"


@cases_of("TUNED")
def test_an_answer_tuned_to_the_public_checks_fails_the_hidden_probes(lesson, name, code, fragment):
    passed, output, hidden_failures = run_case(lesson, name, code, first_failure=True)
    assert passed, f"the tuned answer to {name} should pass its public checks:\n{output}"
    assert hidden_failures, f"the hidden probes of {name} pass an answer tuned to the public checks"


def test_the_unanswered_release_fails_a_public_and_a_hidden_probe_of_every_exercise(lesson):
    """The learner's notebook as released (every ex_ cell as notebooks/ has it) earns no point:
    each check_x and hidden_x cell has a probe that fails. tests/coursework/test_coursework.py grades one
    lesson's unanswered release end to end in the sandbox; this judges every lesson's, in-process."""
    released = {grade_id(c)[3:]: c.source for c in nbformat.read(NOTEBOOKS / lesson / f"{lesson}.ipynb",
                                                                  as_version=4).cells
                if grade_id(c).startswith("ex_")}
    names, _ = exercises(lesson)
    assert set(released) == set(names), f"the released exercises differ from the source's: {set(released) ^ set(names)}"
    namespace = prefixes(lesson).answered(released)
    passing = []
    for (kind, name), answers in expected(lesson).items():
        table = probes_of(lesson)[0 if kind == "public" else 1][name]
        if not any(probes.judge(probes.answer_in_namespace(p, namespace), e, p) for p, e in zip(table, answers)):
            passing.append(f"{kind} {name}")
    assert not passing, f"probes that all pass on the unanswered release (points for nothing): {passing}"


# ------------------------------------------------------------------ predictions ("predict, then look")

def _call(source, method):
    """The `check.<method>(...)` call of a check cell's source, or None."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method:
            return node
    return None


def _argument(call, position, keyword):
    """A literal argument of `call`, given by position or by keyword (None when absent)."""
    for item in call.keywords:
        if item.arg == keyword:
            return ast.literal_eval(item.value)
    return ast.literal_eval(call.args[position]) if len(call.args) > position else None


def _solution(ex_source, name):
    """The answer the lesson's solution gives: `return X` in def name(), or `name = X` (not None)."""
    for node in ast.walk(ast.parse(ex_source)):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)]
            return ast.literal_eval(returns[0].value)
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == name:
            value = ast.literal_eval(node.value)
            if value is not None:
                return value
    raise AssertionError(f"no answer for {name} in its ex_ cell")


def _cells(path):
    nb = nbformat.read(path, as_version=4)
    return {grade_id(c): c.source for c in nb.cells if grade_id(c)}


def predictions(lesson):
    """{name: (solution's answer, source check cell, released check cell)} of a lesson's predictions."""
    source = _cells(SOURCE / lesson / f"{lesson}.ipynb")
    released = _cells(NOTEBOOKS / lesson / f"{lesson}.ipynb")
    names = [gid[3:] for gid in source if gid.startswith("ex_predict_")]
    return {name: (_solution(source[f"ex_{name}"], name), source[f"check_{name}"], released.get(f"check_{name}", ""))
            for name in names}


def _static_why(name, answer, cell):
    """The explanation a prediction's token holds (all of a static one's, the part of a live one's
    that would give the answer away), opened with the solution's answer; None without a token."""
    call = _call(cell, "prediction")
    tree = ast.parse(cell)
    sealed = [ast.literal_eval(n.value) for n in ast.walk(tree)
              if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "sealed"]
    if call is None:
        call = _call(cell, "predicted")
        sealed += [k.value.value for k in call.keywords if k.arg == "sealed" and isinstance(k.value, ast.Constant)]
        if not sealed:
            return None
        digits = _argument(call, 99, "digits")
    else:
        digits = _argument(call, 3, "digits")
    return _open(sealed[0], canonical(answer, digits))


def test_no_prediction_check_shows_its_answer_or_why_before_it_is_given(lesson):
    for name, (answer, source_cell, released_cell) in predictions(lesson).items():
        assert released_cell == source_cell, f"{name}: the released check cell differs from the source's"
        for cell in (source_cell, released_cell):
            static, live = _call(cell, "prediction"), _call(cell, "predicted")
            assert static or live, f"{name}: its check uses neither check.prediction nor check.predicted:\n{cell}"
            assert "hint=" not in cell and 'print("Why' not in cell, f"{name}: a hint or a printed why:\n{cell}"
            if isinstance(answer, str):               # a choice: its solution is nowhere in the cell
                for quoted in (f'"{answer}"', f"'{answer}'"):
                    assert quoted not in cell, f"{name}: the check cell holds the solution {quoted}:\n{cell}"
            why = _static_why(name, answer, cell)
            if static or why:
                assert why and why not in cell, f"{name}: its why is in the cell in clear"
                for piece in re.split(r"[.:;,()]\s", why):
                    if len(piece.strip()) >= 20:
                        assert piece.strip() not in cell, f"{name}: part of its why is in the cell: {piece!r}"


def test_every_sealed_prediction_opens_with_the_answer_of_the_lessons_solution(lesson):
    sealed = {name: (answer, cell) for name, (answer, cell, _) in predictions(lesson).items()
              if _call(cell, "prediction") or "sealed" in cell}
    for name, (answer, cell) in sealed.items():
        assert _static_why(name, answer, cell), f"{name}: the token does not open with the solution's {answer!r}"


def _written_differently(answer):
    return [f"({answer.upper()})", f" '{answer.title()}' "]


@cases_of("choices written differently")
def test_a_right_choice_written_differently_is_right_for_the_check_and_for_the_grader(lesson, name, variant):
    """The self-check ignores case, outer spaces, brackets and quotes; the probes that grade must too."""
    code = f"{name} = {variant!r}\n" if lesson.startswith("06") else f"def {name}():\n    return {variant!r}\n"
    passed, output, hidden_failures = run_case(lesson, name, code)
    assert passed and "right. Why:" in output, output
    assert not hidden_failures, hidden_failures


def _near(answer):
    """Answers a learner might give next to the solution's number: read off a plot, rounded, a little off."""
    value = float(answer)
    spread = [0.002, 0.004, 0.006, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.5]
    near = {value * (1 + s) for s in spread} | {value * (1 - s) for s in spread}
    near |= {value + d for d in (-1, -0.5, -0.4, -0.05, -0.01, 0.01, 0.05, 0.4, 0.5, 1)}
    return sorted(round(v, 6) for v in near)


def test_the_public_check_and_the_grade_agree_on_every_answer_near_a_numeric_prediction(lesson):
    """A learner told "right" by the self-check gets the point, and one told "not what the demo
    shows" does not: both compare nnlearn.selfcheck.canonical(answer, digits), with the same digits."""
    for name, (answer, _, _) in predictions(lesson).items():
        if isinstance(answer, str):
            continue
        for value in _near(answer):
            code = f"{name} = {value!r}\n" if lesson.startswith("06") else f"def {name}():\n    return {value!r}\n"
            passed, output, hidden_failures = run_case(lesson, name, code)
            assert passed == (not hidden_failures), (f"{name} = {value}: the public check says "
                                                     f"{'right' if passed else 'wrong'}, the grade "
                                                     f"{'fails' if hidden_failures else 'passes'} it\n{output}")
