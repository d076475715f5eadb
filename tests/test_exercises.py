"""Every exercise's checks have teeth, judged in this process (fast, no nbgrader, no sandbox).

For each lesson, tests/submissions/NN_topic.py holds per exercise a planted bug (BUGGY), an answer
hard-coding the public checks (TUNED) and plausible learner mistakes (WRONG: [(code, fragment)]).
- the solutions pass every public check cell and every probe runs on them;
- every WRONG answer fails the public check cell with output that contains its fragment (the hint
  that points at the mistake), and fails at least one hidden probe;
- every BUGGY answer fails the public check cell and a hidden probe;
- every TUNED answer passes the public check cell and fails a hidden probe.
The probes (coursework/hidden/NN_topic.py) are what the trusted grader judges; see coursework/probes.py.
"""

import contextlib
import functools
import io
import os

import nbformat
import numpy as np
import pytest

from course import COURSEWORK, LESSONS, REPO, grade_id, load

probes = load("nnlearn_probes", COURSEWORK / "probes.py")
SUBMISSIONS = REPO / "tests" / "submissions"


def submissions(lesson):
    path = SUBMISSIONS / f"{lesson}.py"
    return load(f"nnlearn_submissions_{lesson}_x", path) if path.exists() else None


def exercises(lesson):
    nb = nbformat.read(probes.source_notebook(lesson), as_version=4)
    return {grade_id(c)[3:]: c for c in nb.cells if grade_id(c).startswith("ex_")}, \
        {grade_id(c)[6:]: c for c in nb.cells if grade_id(c).startswith("check_")}


@functools.lru_cache(maxsize=None)
def expected(lesson):
    return probes.expected_answers(lesson)


def run_case(lesson, name, code):
    """(public check passed, its output, reasons of the failing hidden probes) for one answer."""
    _, checks = exercises(lesson)
    namespace, _ = probes.notebook_namespace(probes.source_notebook(lesson), {name: code})
    public, hidden = probes.load_probes(lesson)
    failing = [probes.judge(probes.answer_in_namespace(p, namespace), e, p)
               for p, e in zip(hidden.get(name, []), expected(lesson)[("hidden", name)] if name in hidden else [])]
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


def cases(kind):
    for lesson in LESSONS:
        module = submissions(lesson)
        table = getattr(module, kind, {}) if module else {}
        for name, entry in table.items():
            if kind == "WRONG":
                for index, (code, fragment) in enumerate(entry):
                    yield pytest.param(lesson, name, code, fragment, id=f"{lesson}-{name}-{index}")
            else:
                yield pytest.param(lesson, name, entry, None, id=f"{lesson}-{name}")


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_probe_runs_on_the_solutions_and_every_exercise_has_probes(lesson):
    answers = expected(lesson)
    broken = {key: [a.error for a in found if a.error] for key, found in answers.items()}
    assert not any(broken.values()), f"probes that fail on the solutions: {broken}"
    names, checks = exercises(lesson)
    public, hidden = probes.load_probes(lesson)
    assert set(checks) == set(names), f"exercises without a public check cell: {set(names) - set(checks)}"
    assert set(names) <= set(hidden), f"exercises without hidden probes: {set(names) - set(hidden)}"
    assert set(names) <= set(public), f"exercises without public probes: {set(names) - set(public)}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_exercise_has_plausible_wrong_answers(lesson):
    names, _ = exercises(lesson)
    module = submissions(lesson)
    wrong = getattr(module, "WRONG", {}) if module else {}
    assert all(wrong.get(name) for name in names), \
        f"exercises with no WRONG answers in tests/submissions/{lesson}.py: {[n for n in names if not wrong.get(n)]}"


@pytest.mark.parametrize("lesson,name,code,fragment", list(cases("WRONG")))
def test_a_plausible_wrong_answer_fails_the_public_check_with_a_pointed_message(lesson, name, code, fragment):
    passed, output, hidden_failures = run_case(lesson, name, code)
    assert not passed, f"the public checks of {name} pass this wrong answer:\n{code}\n{output}"
    assert fragment in output, f"the public check output does not say {fragment!r}:\n{output}"
    assert hidden_failures, f"the hidden probes of {name} pass this wrong answer:\n{code}"


@pytest.mark.parametrize("lesson,name,code,fragment", list(cases("BUGGY")))
def test_a_planted_bug_fails_the_public_check_and_the_hidden_probes(lesson, name, code, fragment):
    passed, output, hidden_failures = run_case(lesson, name, code)
    assert not passed, f"the public checks of {name} pass the planted bug:\n{output}"
    assert hidden_failures, f"the hidden probes of {name} pass the planted bug"


@pytest.mark.parametrize("lesson,name,code,fragment", list(cases("TUNED")))
def test_an_answer_tuned_to_the_public_checks_fails_the_hidden_probes(lesson, name, code, fragment):
    passed, output, hidden_failures = run_case(lesson, name, code)
    assert passed, f"the tuned answer to {name} should pass its public checks:\n{output}"
    assert hidden_failures, f"the hidden probes of {name} pass an answer tuned to the public checks"
