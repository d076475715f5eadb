"""The coursework grades what it should: released with nbgrader, graded with coursework/grade.py.

Every lesson in coursework/source is released on a temporary copy of the course; every lesson
that has probes (coursework/hidden/<lesson>.py) is graded there, all in one `grade.py --workers 2`
batch (in the sandbox when this machine can run it, as in CI; without it elsewhere: the verdicts
are the same), two students per lesson (each is a whole notebook run in a sandbox):

- `solutions`  the source's solution cells                  -> full marks
- `wrong`      TUNED and BUGGY answers of tests/submissions/<lesson>.py, one per exercise that
               has one (split_wrong_answers)                 -> a BUGGY[x] loses exactly check_x +
               hidden_x, a TUNED[x] hidden_x; nothing else is lost
- `unanswered` the release as it is, for UNANSWERED only     -> zero on every autograded cell
and tampering, riding on `wrong`: a buggy exercise's tests rewritten to `assert True`, a tuned
exercise's check cell deleted and another cell turned into markdown; all get the grade the real
tests give. A check_<x> cell's points come from the PUBLIC probes of x, a hidden_<x> cell's from
the HIDDEN ones. Each answer alone (every WRONG, BUGGY and TUNED one, and every lesson's
unanswered release) is judged in-process, against the same probes, by tests/coursework/test_exercises.py;
attacks on the grader are in tests/coursework/test_attacks.py.

The scores and the grading time are printed and saved to test-artifacts/coursework-scores.txt.
"""

import copy
import html
import json
import os
import re
import sys
import time

import nbformat
import pytest

from course import COURSEWORK, LESSONS, REPO, SOURCE, grade_id, load, release

SUBMISSIONS = REPO / "tests" / "submissions"
ARTIFACT = REPO / "test-artifacts" / "coursework-scores.txt"
WORKERS = 2                  # grading workers (the machines have 2 cores)
sys.path.insert(0, str(COURSEWORK))
import sandbox  # noqa: E402

SANDBOXED = not sandbox.sandbox_status()
GRADED = [name for name in LESSONS if (COURSEWORK / "hidden" / f"{name}.py").exists()]
UNANSWERED = [name for name in ("01_forward_pass",) if name in GRADED]   # its release graded as it is


# --- what a lesson is made of ----------------------------------------------------------------

def find_cell(nb, gid):
    return next(cell for cell in nb.cells if grade_id(cell) == gid)


class Lesson:
    """The exercises and points of a source notebook, and its planted-bug submissions."""

    def __init__(self, name):
        self.name = name
        self.source = nbformat.read(SOURCE / name / f"{name}.ipynb", as_version=4)
        self.exercises = [grade_id(c)[3:] for c in self.source.cells
                          if (grade_id(c) or "").startswith("ex_")
                          and c.metadata["nbgrader"].get("solution")]
        graded = {grade_id(c): float(c.metadata["nbgrader"]["points"])
                  for c in self.source.cells if grade_id(c) and c.metadata["nbgrader"].get("grade")}
        # autograded: check_ and hidden_ cells; a written_ cell is a "manually graded answer", its
        # points given by hand in the formgrader (None until then, and flagged for manual grading)
        self.points = {gid: points for gid, points in graded.items() if not gid.startswith("written_")}
        self.manual = {gid: points for gid, points in graded.items() if gid.startswith("written_")}
        # an exercise whose solution calls another exercise's function depends on it: when that
        # one is wrong, what the dependent scores is not this test's business (it is left out)
        texts = {x: find_cell(self.source, f"ex_{x}").source for x in self.exercises}
        self.depends = {x: {a for a in self.exercises if a != x and re.search(rf"\b{a}\s*\(", texts[x])}
                        for x in self.exercises}
        self.buggy, self.tuned, self.problem = {}, {}, None
        path = SUBMISSIONS / f"{name}.py"
        if not path.exists():
            self.problem = (f"tests/submissions/{name}.py is missing: every lesson must have one, "
                            "with BUGGY and TUNED dicts keyed by exercise name")
            return
        module = load(f"nnlearn_submissions_{name}", path)
        self.buggy = dict(getattr(module, "BUGGY", {}))
        self.tuned = dict(getattr(module, "TUNED", {}))
        for x, wrongs in getattr(module, "WRONG", {}).items():   # a learner's mistake is a bug too
            if x not in self.buggy and wrongs:
                self.buggy[x] = wrongs[0][0]
        missing = [f"BUGGY[{x!r}]" for x in self.exercises if x not in self.buggy]
        # TUNED may leave out an exercise whose public check cannot be tuned against (a
        # prediction the learner states); BUGGY may not
        if not self.tuned:
            missing.append("TUNED (empty)")
        unknown = sorted((set(self.buggy) | set(self.tuned)) - set(self.exercises))
        if missing or unknown:
            self.problem = (f"tests/submissions/{name}.py: missing {', '.join(missing) or 'nothing'}; "
                            f"names that are not exercises of {name}: {unknown or 'none'} "
                            f"(exercises: {self.exercises})")
        # A checkpoint (a prediction, 0 points) loses nothing when wrong: grading a planted bug in it
        # would cost a sandbox run and show nothing (its check agreeing with the grade is judged
        # in-process, tests/coursework/test_exercises.py).
        self.buggy = {x: code for x, code in self.buggy.items() if self.exercise_points(x) > 0}

    def exercise_points(self, x):
        return self.points.get(f"check_{x}", 0.0) + self.points.get(f"hidden_{x}", 0.0)

    @property
    def max_score(self):
        return sum(self.points.values())

    def expected(self, states, default_full=True):
        """Expected score per grade cell, given each exercise's state (default: correct).

        correct: both cells full; wrong: both zero; tuned: the check full, the hidden tests zero.
        """
        expected = {}
        broken = {x for x, state in states.items() if state != "correct"}
        for gid, points in self.points.items():
            kind, _, x = gid.partition("_")
            state = states.get(x, "correct") if kind in ("check", "hidden") else None
            if state in ("correct", "tuned") and self.depends.get(x, set()) & broken:
                continue                              # depends on a wrong exercise: not judged here
            if state is None:
                expected[gid] = points if default_full else 0.0
            elif state == "correct" or (state == "tuned" and kind == "check"):
                expected[gid] = points
            else:
                expected[gid] = 0.0
        return expected

    def secret_lines(self, regions=("SOLUTION", "HIDDEN TESTS")):
        """Non-blank lines between BEGIN/END markers that appear nowhere outside them."""
        return release.secret_lines(self.source, regions)


LESSON_INFO = {name: Lesson(name) for name in LESSONS}


# --- submissions -----------------------------------------------------------------------------

def submission(lesson, released, answers=None, edit=None):
    """The release with every ex_ cell answered by the source solution unless `answers` says
    otherwise ({exercise: code, or None to leave it unanswered}); then `edit(nb)`."""
    nb = copy.deepcopy(released)
    answers = answers or {}
    for x in lesson.exercises:
        cell = find_cell(nb, f"ex_{x}")
        code = answers.get(x, find_cell(lesson.source, f"ex_{x}").source)
        if code is not None:
            cell.source = code
    if edit:
        edit(nb)
    return nb


def rewrite_to_assert_true(nb, x):
    """Tampering: the tests of exercise x rewritten to pass whatever the answer."""
    for cell in nb.cells:
        if grade_id(cell) in (f"check_{x}", f"hidden_{x}"):
            cell.source = "assert True"
    return f"restored the source of cell 'check_{x}'"


def delete_cell(nb, gid):
    """Tampering: a graded cell deleted."""
    nb.cells.remove(find_cell(nb, gid))
    return f"re-inserted deleted cell '{gid}'"


def make_markdown(nb, gid):
    """Tampering: a graded cell turned into markdown (so it never runs)."""
    cell = find_cell(nb, gid)
    cell.cell_type = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)
    return f"changed cell '{gid}' back from markdown to code"


def split_wrong_answers(lesson):
    """({exercise: TUNED answer}, {exercise: BUGGY answer}) for the one student who answers wrong:
    an exercise with both gets them in turn (the first tuned, the next buggy, ...), so each lesson
    has tuned and buggy exercises side by side. Every answer of both kinds is judged alone,
    in-process, by tests/coursework/test_exercises.py."""
    tuned, buggy, turn = {}, {}, 0
    for x in lesson.exercises:
        if x in lesson.tuned and x in lesson.buggy:
            (tuned if turn % 2 == 0 else buggy)[x] = lesson.tuned[x] if turn % 2 == 0 else lesson.buggy[x]
            turn += 1
        elif x in lesson.tuned:
            tuned[x] = lesson.tuned[x]
        elif x in lesson.buggy:
            buggy[x] = lesson.buggy[x]
    return tuned, buggy


def students_for(lesson, released):
    """{student: (notebook or raw text, expected {grade_id: score} or None, expected repairs)}.

    `solutions`, and `wrong` with the TUNED and BUGGY answers (split_wrong_answers); `unanswered`
    for UNANSWERED only (every lesson's unanswered release is judged in-process by
    tests/coursework/test_exercises.py). The tampering rides on `wrong`, where undoing it changes the score:
    its first buggy exercise has its tests rewritten to `assert True` (restored: 0 points, not
    full); a tuned exercise has its check cell deleted and another cell turned into markdown
    (restored and run: the check's points, where bare nbgrader gives 0).
    """
    exercises = lesson.exercises
    students = {"solutions": (submission(lesson, released), lesson.expected({}), [])}
    if lesson.name in UNANSWERED:
        students["unanswered"] = (copy.deepcopy(released), lesson.expected(
            {x: "wrong" for x in exercises}, default_full=False), [])
    tuned, buggy = split_wrong_answers(lesson)
    nb = submission(lesson, released, {**tuned, **buggy})
    repairs = [rewrite_to_assert_true(nb, next(iter(buggy)))] if buggy else []
    # the deleted and the markdown cell: tuned exercises first (their check earns points), then
    # those with points answered right
    others = [x for x in tuned] + [x for x in exercises if x not in tuned and x not in buggy
                                   and lesson.exercise_points(x) > 0]
    others = others or [x for x in exercises if x not in buggy] or list(exercises)
    repairs += [delete_cell(nb, f"check_{others[0]}"),
                make_markdown(nb, f"check_{others[1]}" if len(others) > 1 else f"hidden_{others[0]}")]
    states = {**{x: "tuned" for x in tuned}, **{x: "wrong" for x in buggy}}
    students["wrong"] = (nb, lesson.expected(states), repairs)
    if not buggy:                                 # the lesson lacks BUGGY: tamper on unanswered
        first = exercises[0]
        nb = submission(lesson, released, {first: None})
        students["tampered_tests"] = (nb, lesson.expected({first: "wrong"}),
                                      [rewrite_to_assert_true(nb, first)])
    return students


# --- grading everything once ------------------------------------------------------------------

def _say(request, text):
    """Print to the test log even while pytest captures output."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(text)
        return
    with capture.global_and_fixture_disabled():
        reporter.ensure_newline()
        reporter.write_line(text)


def selected_lessons(request):
    """The lessons with probes that the selected tests need (all by default; `-k 02_loss` grades
    just that one)."""
    here = [item for item in request.session.items
            if getattr(getattr(item, "module", None), "__name__", None) == __name__]
    lessons = {item.callspec.params["lesson"] for item in here
               if hasattr(item, "callspec") and "lesson" in item.callspec.params}
    return [name for name in GRADED if name in lessons]


@pytest.fixture(scope="module")
def graded(tmp_path_factory, request):
    if not LESSONS:
        pytest.skip("no lessons in coursework/source yet")
    tmp = tmp_path_factory.mktemp("coursework")
    lessons = selected_lessons(request)
    started = time.monotonic()
    course = tmp / "course"
    files = release.build(str(SOURCE), workdir=str(course))   # generate_assignment "*"
    release_seconds = time.monotonic() - started
    expected, repairs = {}, {}
    for name in lessons:
        lesson = LESSON_INFO[name]
        released = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
        for student, (nb, cells, fixes) in students_for(lesson, released).items():
            folder = course / "submitted" / student / name
            folder.mkdir(parents=True)
            (folder / f"{name}.ipynb").write_text(nbformat.writes(nb))
            expected[(student, name)] = cells
            repairs[(student, name)] = fixes
    report = {"results": {}, "failed": {}, "seconds": 0.0, "timings": {}}
    lines = []
    if lessons:
        grader = load("nnlearn_coursework_grade", COURSEWORK / "grade.py")
        report = grader.grade(lessons, root=str(course), feedback=True, workers=WORKERS,
                              use_sandbox=SANDBOXED, log=lines.append)
    total = time.monotonic() - started
    results, failed = report["results"], report["failed"]
    summary = [f"coursework grading: {len(lessons)} lessons with probes, {len(expected)} submissions, "
               f"{'sandboxed' if SANDBOXED else 'NOT sandboxed (' + sandbox.sandbox_status() + ')'}, "
               f"{WORKERS} workers, {total:.0f} s in all; release {release_seconds:.0f} s; grade.py "
               f"{report['seconds']:.0f} s (" + ", ".join(f"{k} {v:.0f} s" for k, v in report["timings"].items())
               + f"); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"]
    summary.append(f"  {'lesson':24} {'student':36} {'score':>9} {'expected':>9}")
    for (student, name), cells in sorted(expected.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        want = f"{sum(cells.values()):g}"
        got = (f"{results[(student, name)]['score']:g}/{results[(student, name)]['max_score']:g}"
               if (student, name) in results else "NOT GRADED")
        summary.append(f"  {name:24} {student:36} {got:>9} {want:>9}")
        if (student, name) in results:
            for line in results[(student, name)]["repairs"] + results[(student, name)]["notes"]:
                summary.append(f"  {'':24}   {line}")
    for (student, name), reason in sorted(failed.items()):
        summary.append(f"  not graded: {name} {student}: {reason}")
    text = "\n".join(summary)
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(text + "\n" + "\n".join(lines) + "\n")
    _say(request, "\n" + text)
    return {"results": results, "failed": failed, "expected": expected, "repairs": repairs,
            "files": files, "course": {name: course for name in LESSONS}, "seconds": total}


def needs_probes(lesson):
    if lesson not in GRADED:
        pytest.skip(f"{lesson} has no probes yet (coursework/hidden/{lesson}.py): it cannot be graded safely")


def feedback_text(graded, student, lesson):
    path = graded["course"][lesson] / "feedback" / student / lesson / f"{lesson}.html"
    assert path.exists(), f"no feedback for {student} on {lesson}"
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def cell_scores(graded, student, lesson):
    key = (student, lesson)
    assert key in graded["results"], (
        f"{student}'s submission of {lesson} was not graded: {graded['failed'].get(key)}")
    return {gid: score for gid, (score, _) in graded["results"][key]["cells"].items()}


def differences(got, want):
    return {gid: (got.get(gid), want[gid]) for gid in want if got.get(gid) != want[gid]}


# --- the tests -----------------------------------------------------------------------------------

@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_has_planted_bug_and_tuned_submissions(lesson):
    info = LESSON_INFO[lesson]
    assert info.exercises, f"{lesson} has no exercise cells (grade_id ex_<name>)"
    assert info.problem is None, info.problem
    for x in info.exercises:
        assert f"check_{x}" in info.points, f"{lesson}: exercise {x} has no graded check_{x} cell"
        # a hidden_<x> cell is optional (a prediction question may have only its check cell)


@pytest.mark.parametrize("lesson", LESSONS)
def test_release_contains_no_solution_or_hidden_test_code(graded, lesson):
    secret = LESSON_INFO[lesson].secret_lines()
    learner = nbformat.reads(graded["files"][f"{lesson}/{lesson}.ipynb"].decode(), as_version=4)
    nbgrader_release = nbformat.read(graded["course"][lesson] / "release" / lesson / f"{lesson}.ipynb",
                                     as_version=4)
    for which, nb in (("notebooks/", learner), ("nbgrader release/", nbgrader_release)):
        lines = {line.strip() for cell in nb.cells for line in cell.source.splitlines()}
        leaked = sorted(secret & lines)
        assert not leaked, f"{which}{lesson} contains solution or hidden-test lines: {leaked}"
        text = json.dumps(nb)
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in text, f"{which}{lesson} still contains '{marker}'"
    for cell in learner.cells:
        if (grade_id(cell) or "").startswith("check_"):
            assert "raises-exception" in cell.metadata.get("tags", []), grade_id(cell)
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, grade_id(cell)


@pytest.mark.parametrize("lesson", LESSONS)
def test_source_solutions_score_full_marks(graded, lesson):
    needs_probes(lesson)
    got = cell_scores(graded, "solutions", lesson)
    assert not differences(got, graded["expected"][("solutions", lesson)]), (
        f"cells that lost points (got, max): {differences(got, graded['expected'][('solutions', lesson)])}")
    assert graded["results"][("solutions", lesson)]["score"] == LESSON_INFO[lesson].max_score


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_cell_of_the_solutions_runs_without_an_error(graded, lesson):
    """The sandbox ran the source's solutions top to bottom (every cell but the demos, checks and
    hidden tests, which the grader never runs); none raised, but one tagged raises-exception. This
    is the suite's run of the sources: the demos are the learner lessons' own, which run in
    tests/browser/test_layout.py (nbval runs a source only when named: python -m pytest coursework/source/NN_topic)."""
    needs_probes(lesson)
    path = graded["course"][lesson] / "autograded" / "solutions" / lesson / f"{lesson}.ipynb"
    nb = nbformat.read(path, as_version=4)
    ran = [cell for cell in nb.cells if cell.cell_type == "code" and cell.get("outputs") is not None
           and cell.execution_count is not None]
    assert len(ran) > 5, f"{lesson}: only {len(ran)} cells carry outputs in {path}"
    raised = [(grade_id(cell) or cell.source[:60], output.get("ename"), output.get("evalue", "")[:200])
              for cell in ran if "raises-exception" not in cell.metadata.get("tags", [])
              and not grade_id(cell).startswith(("check_", "hidden_"))
              for output in cell.outputs if output.get("output_type") == "error"]
    assert not raised, f"{lesson}: cells of the solutions raised: {raised}"


@pytest.mark.parametrize("lesson", UNANSWERED)
def test_unanswered_release_scores_zero_on_every_autograded_cell(graded, lesson):
    """In the sandbox for UNANSWERED; every lesson's unanswered release fails a public and a hidden
    probe of each exercise in-process (tests/coursework/test_exercises.py)."""
    needs_probes(lesson)
    got = cell_scores(graded, "unanswered", lesson)
    assert set(got) == set(LESSON_INFO[lesson].points) | set(LESSON_INFO[lesson].manual)
    assert all(not score for score in got.values()), f"unanswered but scored: {got}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_wrong_answers_lose_exactly_their_exercise_points_and_feedback_names_them(graded, lesson):
    """The `wrong` student: each BUGGY[x] loses exactly check_x + hidden_x, each TUNED[x] only
    hidden_x, and the feedback names each (split_wrong_answers says which answer each exercise gets)."""
    needs_probes(lesson)
    info = LESSON_INFO[lesson]
    assert info.buggy, info.problem or f"tests/submissions/{lesson}.py has an empty BUGGY"
    assert info.tuned, info.problem or f"tests/submissions/{lesson}.py has an empty TUNED"
    tuned, buggy = split_wrong_answers(info)
    got = cell_scores(graded, "wrong", lesson)
    wrong = differences(got, graded["expected"][("wrong", lesson)])
    assert not wrong, (f"each BUGGY[x] should lose exactly check_x + hidden_x ({', '.join(buggy)}), each "
                       f"TUNED[x] hidden_x ({', '.join(tuned)}); cells off (got, expected): {wrong}")
    text = feedback_text(graded, "wrong", lesson)
    for x in buggy:
        assert (f"public checks of {x} failed" in text
                or f"Hidden tests of `{x}` failed" in text), f"feedback for BUGGY[{x!r}] does not name {x}"
    for x in tuned:
        assert f"Hidden tests of `{x}` failed" in text, f"feedback for TUNED[{x!r}] does not name {x}"
    assert info.problem is None, info.problem


@pytest.mark.parametrize("lesson", LESSONS)
def test_tampered_cells_get_the_grade_the_real_tests_give(graded, lesson):
    needs_probes(lesson)
    students = sorted(s for (s, name), fixes in graded["repairs"].items() if name == lesson and fixes)
    kinds = " ".join(fix for s in students for fix in graded["repairs"][(s, lesson)])
    for kind in ("restored the source", "re-inserted deleted cell", "back from markdown to code"):
        assert kind in kinds, f"no submission of {lesson} tried: {kind}"
    for student in students:
        got = cell_scores(graded, student, lesson)
        wrong = differences(got, graded["expected"][(student, lesson)])
        assert not wrong, f"{student}: cells off (got, expected): {wrong}"
        done = graded["results"][(student, lesson)]["repairs"]
        for repair in graded["repairs"][(student, lesson)]:
            assert repair in done, f"{student}: expected the repair {repair!r}, got {done}"
        flagged = set(graded["results"][(student, lesson)]["flagged"]) - set(LESSON_INFO[lesson].manual)
        assert not flagged, f"nothing but the written answers left for manual grading: {flagged}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_feedback_never_shows_hidden_tests(graded, lesson):
    needs_probes(lesson)
    # a hidden-test line that is also public text (the learner notebook, the package, the
    # student's own code) may show up legitimately; every other one must not
    learner = nbformat.reads(graded["files"][f"{lesson}/{lesson}.ipynb"].decode(), as_version=4)
    public = "\n".join(cell.source for cell in learner.cells) + "\n".join(
        path.read_text() for path in sorted((REPO / "nnlearn").rglob("*.py")))
    probe_lines = {line.strip() for line in (COURSEWORK / "hidden" / f"{lesson}.py").read_text().splitlines()}
    hidden = {line for line in LESSON_INFO[lesson].secret_lines(regions=("HIDDEN TESTS",)) | probe_lines
              if len(line) >= 6 and line not in public}          # not `])` and the like
    students = sorted(s for (s, name) in graded["results"] if name == lesson)
    assert students
    for student in students:
        text = feedback_text(graded, student, lesson)
        submitted = (graded["course"][lesson] / "submitted" / student / lesson / f"{lesson}.ipynb").read_text()
        own = "\n".join(cell.source for cell in nbformat.reads(submitted, as_version=4).cells)
        shown = sorted(line for line in hidden if line in text and line not in own)
        assert not shown, f"feedback of {student} on {lesson} shows hidden-test lines: {shown}"
        assert "BEGIN HIDDEN TESTS" not in text


def test_no_module_of_the_grading_pipeline_is_over_300_lines():
    long = {path.name: n for path in sorted(COURSEWORK.glob("*.py"))
            if (n := len(path.read_text().splitlines())) > 300}
    assert not long, long
