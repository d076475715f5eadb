"""Students who attack the grader score exactly what their honest part deserves.

One batch of lesson 00 (it has probes, coursework/hidden/00_learning_loop.py) on a temporary
copy of the course, graded with `grade.py --workers 2` in the sandbox: every attack of issue 11
and a few more, next to honest students. For each: the score per graded cell, the batch
completes, no file of the course or the repository changes, the gradebook's extra credit stays
untouched, no process of a sandbox is left, and no feedback shows a solution or probe line.
Needs root and bubblewrap (CI has both); skips elsewhere with the reason.
"""

import copy
import hashlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import nbformat
import pytest

from course import COURSEWORK, REPO, SOURCE, grade_id, load, release, without_story_runs

LESSON = "00_learning_loop"
SOURCE_NB = nbformat.read(SOURCE / LESSON / f"{LESSON}.ipynb", as_version=4)
EXERCISES = tuple(grade_id(c)[3:] for c in SOURCE_NB.cells
                  if grade_id(c).startswith("ex_") and c.metadata["nbgrader"].get("solution"))
# the roles the attacks play on, whatever lesson 00's exercises are: X1 an update function,
# X2 the last exercise, X3 another one, T one that trains with nnlearn's losses
X1 = "sgd_update" if "sgd_update" in EXERCISES else EXERCISES[0]
X2 = EXERCISES[-1]
X3 = next(x for x in EXERCISES if x not in (X1, X2))
T = next((x for x in ("train_step", "fit") if x in EXERCISES), X2)
ANSWERS = {grade_id(c)[3:]: c.source for c in SOURCE_NB.cells if grade_id(c).startswith("ex_")}
DEPENDS = {x: {a for a in EXERCISES if a != x and re.search(rf"\b{a}\s*\(", ANSWERS[x])} for x in EXERCISES}


def deserved(*correct):
    """The exercises that earn points when only `correct` are answered right (and what they call)."""
    right = set(correct)
    return tuple(x for x in EXERCISES if x in right and not DEPENDS[x] - right)


def all_but(*wrong):
    return deserved(*[x for x in EXERCISES if x not in wrong])
TIMEOUT = 20                  # seconds per cell in the attack batch (a loaded machine is slow)
PROBE_TIMEOUT = 8             # seconds per probe (the infinite loop in a function costs 3 of them)
sys.path.insert(0, str(COURSEWORK))
import sandbox  # noqa: E402

pytestmark = pytest.mark.skipif(bool(sandbox.sandbox_status()), reason=sandbox.sandbox_status() or "")
if not (COURSEWORK / "hidden" / f"{LESSON}.py").exists():
    pytestmark = pytest.mark.skip(reason=f"coursework/hidden/{LESSON}.py is missing")


FIT_VIA_NL = """
def my_fit(model, loss_fn, optimizer, X, y, epochs, batch_size, rng):
    history = nl.fit(model, loss_fn, optimizer, X, y, epochs=epochs, batch_size=batch_size, rng=rng)
    return history.step_loss, history.epoch_loss
"""


def solution(x):
    return ANSWERS[x]


def course_paths(course):
    """Paths an attacker would try: the course, the repository, the installed package."""
    return [str(course), str(REPO), str(COURSEWORK), "/work/main", "../../..", "../..", ".."]


# --- the attacks: {student: (answers, extra cells, edit, expected correct exercises)} ---------------
# answers: {exercise: code} replacing ex_<x> (default: unanswered, as released);
# extra: code cells the student adds after the exercise cells; edit(nb): anything else.

def attacks(course):
    paths = repr(course_paths(course))
    sol = {x: solution(x) for x in EXERCISES}
    wrong_sgd = f"def {X1}(*args, **kwargs):\n    pass\n"
    return {
        "honest": (dict(sol), [], None, EXERCISES),
        "unanswered": ({}, [], None, ()),
        "patch_allclose": ({X1: wrong_sgd + """
import numpy as np
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.array_equal = lambda *a, **k: True
np.isclose = lambda *a, **k: True
"""}, [], None, ()),
        "patch_checks_exit": ({X2: f"""
from nnlearn.selfcheck import Checks
import nnlearn.selfcheck
Checks.__exit__ = lambda self, *exc: True
Checks.close = lambda self, *a, **k: None
def {X2}(*args, **kwargs):
    return 0.5
"""}, [], None, ()),
        "rebind_checks": ({X2: f"""
class Checks:
    def __init__(self, *a, **k): pass
    def __enter__(self): return self
    def __exit__(self, *exc): return True
    def close(self, *a, **k): pass
    def true(self, *a, **k): pass
def {X2}(*args, **kwargs):
    return 1.0
""", X3: sol[X3]}, [], None, deserved(X3)),
        "array_reads_expected": ({X2: f"""
import inspect
class Sneaky(float):
    def __array__(self, dtype=None, copy=None):
        import numpy as np
        for frame in inspect.stack():
            for name in ("expected", "desired", "b"):
                if name in frame.frame.f_locals:
                    return np.asarray(frame.frame.f_locals[name])
        return np.asarray(0.0)
    def __eq__(self, other): return True
    def __float__(self): return 0.75
def {X2}(*args, **kwargs):
    return Sneaky(0.0)
""", X1: sol[X1]}, [], None, deserved(X1)),
        "patch_nnlearn": ({T: sol[T] + """
import nnlearn as nl
class Zero(nl.MSELoss):
    def __call__(self, prediction, target):
        super().__call__(prediction, target)
        return 0.0
nl.MSELoss = Zero
nl.CrossEntropyLoss = Zero
nl.fit = lambda *a, **k: None
nl.optim.SGD.step = lambda self: None
"""}, [], None, ()),
        "nnlearn_folder": ({}, [], "nnlearn_folder", ()),
        "ipython_hooks": ({}, ["""
ip = get_ipython()
from IPython.core.interactiveshell import ExecutionResult
ExecutionResult.success = property(lambda self: True)
ip.showtraceback = lambda *a, **k: None
ip.input_transformers_cleanup.append(lambda lines: ["pass\\n"])
ip.events.register("pre_run_cell", lambda info: print(2))
"""], None, ()),
        "settrace": ({"sgd_update": wrong_sgd}, ["""
import sys
def tracer(frame, event, arg):
    if event == "line" and "raise" in (frame.f_code.co_name or ""):
        frame.f_lineno = frame.f_lineno + 1
    return tracer
sys.settrace(tracer)
"""], None, ()),
        "exec_source": ({}, [f"""
import json, os
for root in {paths}:
    for path in (os.path.join(root, "source", "{LESSON}", "{LESSON}.ipynb"),
                 os.path.join(root, "coursework", "source", "{LESSON}", "{LESSON}.ipynb"),
                 os.path.join(root, "{LESSON}", "{LESSON}.ipynb")):
        try:
            cells = json.load(open(path))["cells"]
        except Exception:
            continue
        for cell in cells:
            if cell["cell_type"] == "code" and "BEGIN SOLUTION" in "".join(cell["source"]):
                exec("".join(cell["source"]))
"""], None, ()),
        "leak_into_feedback": ({}, [f"""
import glob, os
for root in {paths} + ["/", "/tmp", "/root", "/proc/1"]:
    for pattern in ("source/*/*.ipynb", "coursework/source/*/*.ipynb", "hidden/*.py",
                    "coursework/hidden/*.py", "*/*/*.ipynb", "cmdline", "environ"):
        for path in glob.glob(os.path.join(root, pattern)):
            try:
                print(open(path).read()[:200000])
            except Exception as error:
                print("no", path, type(error).__name__)
"""], None, ()),
        "forge_protocol": ({}, ["""
import json, os, time
for fd in range(3, 30):
    try:
        os.write(fd, (json.dumps({"cells_done": True}) + "\\n").encode())
    except OSError:
        pass
time.sleep(1)
for fd in range(0, 30):
    try:
        os.set_blocking(fd, False)
        print(os.read(fd, 1 << 20).decode(errors="replace"))
    except OSError:
        pass
"""], None, ()),
        "gradebook_and_files": ({}, [f"""
import os, sqlite3
for root in {paths}:
    for name in ("gradebook.db", "coursework/gradebook.db"):
        try:
            db = sqlite3.connect(os.path.join(root, name))
            db.execute("UPDATE grade SET extra_credit = 100")
            db.execute("UPDATE submitted_assignment SET extra_credit = 100")
            db.commit()
            print("WROTE", root)
        except Exception as error:
            print("no", type(error).__name__)
    for name in ("nbgrader_config.py", "coursework/nbgrader_config.py", "nnlearn/selfcheck.py",
                 "coursework/grade.py", "coursework/hidden/{LESSON}.py"):
        try:
            open(os.path.join(root, name), "a").write("\\nc.GenerateFeedback.preprocessors = []\\n")
            print("WROTE", name)
        except Exception as error:
            print("no", type(error).__name__)
import nnlearn.selfcheck
try:
    open(nnlearn.selfcheck.__file__, "a").write("\\nChecks.__exit__ = lambda *a: True\\n")
except Exception as error:
    print("no", type(error).__name__)
import socket
try:
    socket.create_connection(("127.0.0.1", 8786), timeout=1)
except Exception as error:
    print("no network", type(error).__name__)
"""], None, ()),
        "detached_process": ({}, [f"""
import os, subprocess, sys
code = '''
import os, sqlite3, time
time.sleep(6)
for root in {paths}:
    try:
        db = sqlite3.connect(os.path.join(root, "gradebook.db"))
        db.execute("UPDATE grade SET auto_score = max_score, extra_credit = 100")
        db.commit()
    except Exception:
        pass
'''
subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        exec(code)
    os._exit(0)
"""], None, ()),
        "duplicate_grade_id": (dict(sol), [], "duplicate", EXERCISES),
        "empty_metadata": (dict(sol), [], "empty_metadata", EXERCISES),
        "deleted_answer_cell": (dict(sol), [], "delete_answer", all_but(X2)),
        "kill_parent": (dict(sol, **{X2: f"""
import os, signal
def {X2}(*args, **kwargs):
    os.kill(os.getppid(), signal.SIGKILL)
    os.kill(1, signal.SIGKILL)
"""}), [], None, all_but(X2)),
        "os_exit": (dict(sol, **{X1: f"import os\ndef {X1}(*args, **kwargs):\n    os._exit(1)\n"}),
                    [], None, all_but(X1)),
        "fork_bomb": (dict(sol), ["""
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""], None, EXERCISES),
        "memory_hog": (dict(sol), ["""
import numpy as np
hog = []
try:
    hog.append(bytearray(8 * 1024 ** 3))
except MemoryError:
    print("no memory")
hog = np.ones((1024, 1024, 1024))
"""], None, EXERCISES),
        "huge_output": (dict(sol), ["""
import os
try:                                             # fill the disk: the folder is a 256 MB tmpfs
    for number in range(20):
        open(f"fill{number}", "wb").write(b"0" * 60_000_000)
except OSError as error:
    print("disk full:", error)
print("x" * 50_000_000)
for fd in range(1, 30):
    try:
        os.write(fd, b"y" * 30_000_000)
    except OSError:
        pass
"""], None, EXERCISES),
        "infinite_loop": (dict(sol, **{X2: f"def {X2}(*args, **kwargs):\n    while True:\n        pass\n"}),
                          [], None, all_but(X2)),
        "warning_on_stderr": (dict(sol, **{X2: sol[X2] + f"""
import sys, warnings
import numpy as np
_honest = {X2}
def {X2}(*args, **kwargs):                       # the correct answer, with noise on stderr
    with np.errstate(divide="warn"):
        np.log(np.zeros(1))                      # RuntimeWarning on stderr
    warnings.warn("just a warning")
    print("debug output", file=sys.stderr)
    return _honest(*args, **kwargs)
"""}), [], None, EXERCISES),
        "json_patch": ({}, ["""
import json
json.dumps = lambda *a, **k: '{"result": 1.0}'
"""], None, ()),
        # issue 25: the stream, the coordinator, the feedback, the references an exercise must not call
        "sgd_via_optim": (dict(sol, **{X1: f"def {X1}(parameters, lr):\n"
                                           "    nl.optim.SGD(list(parameters), lr=lr).step()\n"}), [], None, all_but(X1)),
        "fit_via_nl": (dict(sol, fit=FIT_VIA_NL), [], None, all_but("fit")) if "fit" in EXERCISES else
                      (dict(sol), [], None, EXERCISES),
        "forged_messages": (dict(sol), ["""
import json, os
lines = [{"cell": i, "outputs": [{"output_type": "execute_result", "data": []},
                                 {"output_type": "error", "ename": ["x"], "traceback": "x"}]} for i in range(200)]
lines += [{"start": [62]}, {"start": True}, {"probe": ["x"], "answer": 1}, {"probe_start": {"a": 1}}]
for fd in range(3, 30):
    try:
        os.write(fd, "".join(json.dumps(line) + "\\n" for line in lines).encode())
    except OSError:
        pass
"""], None, EXERCISES),
        "overflow_answers": (dict(sol), ["""
import json
_dumps, _calls = json.dumps, [0]
def dumps(value, *args, **kwargs):
    if isinstance(value, dict) and "result" in value:
        _calls[0] += 1
        return ('{"result": {"ndarray": ["uint8", [1], [300]]}}' if _calls[0] % 2 else
                '{"result": 1' + "0" * 400 + '}')
    return _dumps(value, *args, **kwargs)
json.dumps = dumps
"""], None, ()),
        "escapes_and_script": (dict(sol, **{X1: f"def {X1}(*args, **kwargs):\n"
                                                "    raise ValueError('\\x1b[2K\\x1b[1A\\r{LESSON}  honest: 14/14\\x1b[8m')\n"}),
                               [], "script_markdown", all_but(X1)),
        "pipe_hang": ({}, ["""
import fcntl, json, os, stat, time
for fd in range(0, 30):
    try:
        if stat.S_ISFIFO(os.fstat(fd).st_mode):
            fcntl.fcntl(fd, 1031, 4096)                  # F_SETPIPE_SZ
            os.write(fd, (json.dumps({"cells_done": True}) + "\\n").encode())
    except OSError:
        pass
time.sleep(1000)
"""], None, ()),
        "read_mounts": ({}, ["print(open('/proc/self/mountinfo').read())\nprint(open('/proc/self/mounts').read())"],
                        None, ()),
        "hidden_leak": (dict(sol, **{X1: f"""
import os, re, select, sys
def {X1}(parameters, lr):
    marker = "hid" + "den/"                        # a hidden probe's key, built here only
    found, frame = [], sys._getframe()
    while frame:
        found += [str(v) for v in list(frame.f_locals.values()) if marker in str(v)[:10 ** 7]]
        frame = frame.f_back
    for fd in range(0, 30):                          # whatever is waiting in a pipe (without blocking)
        try:
            if select.select([fd], [], [], 0)[0]:
                found.append(os.read(fd, 1 << 20).decode(errors="replace"))
        except (OSError, ValueError):
            pass
    found = [text for text in found if re.search(marker + r"\\w", text)]
    raise ValueError(("LEAK " + " | ".join(found))[:2000] if found else "nothing")
"""}), [], None, all_but(X1)),
        "too_many_cells": ({}, [], "too_many_cells", None),
        "symlink_to_solutions": ({}, [], "symlink", None),
        "not_json": ({}, [], "not_json", None),
    }


def build_submission(released, answers, extra, edit, folder, course):
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        if grade_id(cell).startswith("ex_") and grade_id(cell)[3:] in answers:
            cell.source = answers[grade_id(cell)[3:]]
    last = max(i for i, c in enumerate(nb.cells) if grade_id(c).startswith("hidden_"))
    for offset, code in enumerate(extra):
        nb.cells.insert(last + 1 + offset, nbformat.v4.new_code_cell(code))
    path = folder / f"{LESSON}.ipynb"
    folder.mkdir(parents=True)
    if edit == "duplicate":                        # an honest copy-paste of an answer cell
        index = next(i for i, c in enumerate(nb.cells) if grade_id(c) == f"ex_{X2}")
        nb.cells.insert(index + 1, copy.deepcopy(nb.cells[index]))
        nb.cells[index + 1]["id"] = "pasted-answer"
    elif edit == "empty_metadata":
        nb.cells.insert(3, nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {}}))
        nb.cells[5].metadata["nbgrader"] = {}
    elif edit == "delete_answer":
        nb.cells = [c for c in nb.cells if grade_id(c) != f"ex_{X2}"]
    elif edit == "script_markdown":
        nb.cells.insert(last + 1, nbformat.v4.new_markdown_cell(
            "<script>document.title = 'PWNED'</script>\n<img src=x onerror=\"document.title='PWNED'\">\n"
            "<a href=\"javascript:alert('PWNED')\">feedback</a>"))
    elif edit == "nnlearn_folder":
        (folder / "nnlearn").mkdir()
        (folder / "nnlearn" / "__init__.py").write_text(
            "raise SystemExit('shadowed')\n")
    elif edit == "symlink":
        os.symlink(course / "source" / LESSON / f"{LESSON}.ipynb", path)
        return
    elif edit == "too_many_cells":                 # 850,000 empty markdown cells (43 MB)
        data = json.loads(nbformat.writes(nb))
        data["cells"] += [{"cell_type": "markdown", "metadata": {}, "source": ""}] * 850_000
        path.write_text(json.dumps(data))
        return
    elif edit == "not_json":
        path.write_text(nbformat.writes(nb)[:5000])
        return
    nbformat.write(nb, path)


def tree_digest(*roots, skip=()):
    digest = {}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in ("__pycache__", ".pytest_cache", ".git", "test-artifacts")
                       and os.path.join(folder, d) not in skip]
            for name in files:
                path = os.path.join(folder, name)
                if path in skip or os.path.islink(path):
                    continue
                with open(path, "rb") as handle:
                    digest[path] = hashlib.sha256(handle.read()).hexdigest()
    return digest


def sandbox_processes():
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                uid = os.stat(f"/proc/{pid}").st_uid
            except FileNotFoundError:
                continue
            if sandbox.UID_BASE <= uid < sandbox.UID_BASE + sandbox.SLOTS:
                found.append(pid)
    return found


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("attacks")
    (tmp / "src").mkdir()
    shutil.copytree(SOURCE / LESSON, tmp / "src" / LESSON)
    without_story_runs(tmp / "src" / LESSON / f"{LESSON}.ipynb")
    course = tmp / "course"
    release.build(str(tmp / "src"), workdir=str(course))
    released = nbformat.read(course / "release" / LESSON / f"{LESSON}.ipynb", as_version=4)
    table = attacks(course)
    for student, (answers, extra, edit, _) in table.items():
        build_submission(released, answers, extra, edit, course / "submitted" / student / LESSON, course)
    grader = load("nnlearn_grade_attacks", COURSEWORK / "grade.py")
    skip = {str(course / name) for name in ("gradebook.db", "autograded", "feedback", "grading.log",
                                            ".nbgrader.log")}
    before = tree_digest(str(course), str(REPO / "nnlearn"), str(COURSEWORK), skip=skip)
    lines = []
    started = time.monotonic()
    report = grader.grade([LESSON], root=str(course), timeout=TIMEOUT, probe_timeout=PROBE_TIMEOUT,
                          budget=150, feedback=True, workers=2, log=lines.append)
    seconds = time.monotonic() - started
    leftover = sandbox_processes()
    time.sleep(7)                                   # the detached process would write now
    after = tree_digest(str(course), str(REPO / "nnlearn"), str(COURSEWORK), skip=skip)
    print("\n".join(lines))
    print(f"attack batch: {len(table)} students in {seconds:.0f} s")
    return {"course": course, "report": report, "table": table, "before": before, "after": after,
            "leftover": leftover, "log": "\n".join(lines), "released": released}


def points():
    nb = nbformat.read(SOURCE / LESSON / f"{LESSON}.ipynb", as_version=4)
    return {grade_id(c): float(c.metadata["nbgrader"]["points"]) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")}


STUDENTS = list(attacks("/course"))


@pytest.mark.parametrize("student", STUDENTS)
def test_each_attack_scores_exactly_what_its_honest_part_deserves(attacked, student):
    correct = attacked["table"][student][3]
    key = (student, LESSON)
    if correct is None:
        assert key in attacked["report"]["failed"], f"{student} should be reported, not graded"
        assert key not in attacked["report"]["results"]
        return
    assert key in attacked["report"]["results"], attacked["report"]["failed"].get(key)
    result = attacked["report"]["results"][key]
    got = {gid: score for gid, (score, _) in result["cells"].items()}
    want = {gid: (p if gid.split("_", 1)[1] in correct else 0.0) for gid, p in points().items()}
    assert got == want, f"{student}: got {got}, deserves {want}\n{attacked['log']}"
    assert not result["disagree"]


def test_the_batch_completes_and_reports_the_unreadable_with_their_reason(attacked):
    failed = attacked["report"]["failed"]
    assert set(failed) == {("symlink_to_solutions", LESSON), ("not_json", LESSON), ("too_many_cells", LESSON)}, failed
    assert "more than 2000 cells" in failed[("too_many_cells", LESSON)]
    assert "not a regular file" in failed[("symlink_to_solutions", LESSON)]
    assert "not valid JSON" in failed[("not_json", LESSON)]


def test_no_file_of_the_course_or_the_repository_changes(attacked):
    before, after = attacked["before"], attacked["after"]
    changed = sorted(path for path in set(before) | set(after) if before.get(path) != after.get(path))
    assert not changed, f"changed by grading: {changed}"


def test_the_gradebook_and_export_hold_the_verdicts_and_no_extra_credit(attacked):
    from nbgrader.api import Gradebook
    course = attacked["course"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for submission in gradebook.assignment_submissions(LESSON):
            key = (submission.student_id, LESSON)
            assert not getattr(submission, "extra_credit", None), submission.student_id
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    assert not grade.extra_credit, (submission.student_id, grade.name)
            if key in attacked["report"]["results"]:
                assert submission.score == attacked["report"]["results"][key]["score"], key
    subprocess.run([sys.executable, "-m", "nbgrader", "export"], cwd=course, check=True,
                   capture_output=True, timeout=120)
    import csv
    rows = {row["student_id"]: row for row in csv.DictReader(open(course / "grades.csv"))
            if row["assignment"] == LESSON}
    for (student, _), result in attacked["report"]["results"].items():
        assert float(rows[student]["score"]) == result["score"], student


def test_no_process_of_a_sandbox_outlives_its_grading(attacked):
    assert attacked["leftover"] == [], f"sandbox processes still running: {attacked['leftover']}"
    assert sandbox_processes() == []


def test_feedback_shows_no_solution_no_probe_and_no_instructor_path(attacked):
    course = attacked["course"]
    source = nbformat.read(SOURCE / LESSON / f"{LESSON}.ipynb", as_version=4)
    public = "\n".join(c.source for c in attacked["released"].cells)
    secret = {line for line in release.secret_lines(source) if len(line) >= 8 and line not in public}
    probe_text = (COURSEWORK / "hidden" / f"{LESSON}.py").read_text()
    probe_lines = {line.strip() for line in probe_text.splitlines()
                   if len(line.strip()) >= 12 and line.strip() not in public
                   and not line.strip().startswith(("import", "from", "#", '"""'))}
    for (student, _), _result in attacked["report"]["results"].items():
        path = course / "feedback" / student / LESSON / f"{LESSON}.html"
        assert path.exists(), student
        text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))
        own = "\n".join(attacked["table"][student][0].values()) + "\n".join(attacked["table"][student][1])
        leaked = sorted(line for line in secret | probe_lines if line in text and line not in own)
        assert not leaked, f"feedback of {student} shows: {leaked[:5]}"
        for path_text in (str(course), str(REPO), "/work/"):
            if path_text not in own:
                assert path_text not in text, f"feedback of {student} shows the path {path_text}"


def test_feedback_says_which_checks_failed_in_one_line(attacked):
    text = (attacked["course"] / "feedback" / "infinite_loop" / LESSON / f"{LESSON}.html").read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    assert f"public checks of {X2} failed" in text
    assert f"Hidden tests of `{X2}` failed: 0 of" in text
    assert f"public checks of {X1} passed" in text or X1 in DEPENDS[X2]


def test_a_worker_that_dies_mid_batch_loses_nothing(tmp_path):
    """Kill one of two Dask workers while it runs a submission: everything still comes back."""
    from distributed import Client
    grader = load("nnlearn_grade_workers", COURSEWORK / "grade.py")
    os.environ["PYTHONPATH"] = str(COURSEWORK) + os.pathsep + os.environ.get("PYTHONPATH", "")
    tasks = [{"key": f"s{n}", "cells": [[0, "wait", "import time\ntime.sleep(2)\nx = %d" % n]],
              "probes": [["public/x/0", "result = x"]], "timeout": 20, "budget": 60, "sandbox": True}
             for n in range(6)]
    with grader.local_cluster(2) as cluster, Client(cluster) as client:
        pids = client.run(os.getpid)

        def kill_one():
            time.sleep(3)
            os.kill(next(iter(pids.values())), signal.SIGKILL)      # a worker this test started

        threading.Thread(target=kill_one, daemon=True).start()
        results = grader.run_tasks(tasks, scheduler=cluster.scheduler_address, security=cluster.security)
    assert sorted(results) == [f"s{n}" for n in range(6)]
    for n in range(6):
        assert results[f"s{n}"].get("answers", {}).get("public/x/0") == f'{{"result": {n}}}', results[f"s{n}"]


def test_the_report_shows_no_terminal_escape_of_a_student(attacked):
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", attacked["log"]), "a control character reached the report"
    assert "14/14" not in attacked["log"].split("escapes_and_script:")[1].splitlines()[0]


def test_feedback_html_runs_no_script_of_a_student(attacked):
    text = (attacked["course"] / "feedback" / "escapes_and_script" / LESSON / f"{LESSON}.html").read_text()
    assert "PWNED" not in text.replace("&#x27;", "'").split("<body")[0]
    body = text.split("<body", 1)[1]
    assert "<script>document.title" not in body, "a student's script runs in the feedback"
    assert not re.search(r"<img[^>]*onerror", body) and 'href="javascript:' not in body
    assert "\x1b" not in text


def test_a_public_probe_never_sees_a_hidden_one(attacked):
    reasons = attacked["report"]["results"][("hidden_leak", LESSON)]["reasons"][f"check_{X1}"]
    assert all("nothing" in why and "LEAK" not in why for why in reasons.values()), reasons


def test_every_graded_student_is_in_the_gradebook(attacked):
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{attacked['course'] / 'gradebook.db'}") as gradebook:
        known = {student.id for student in gradebook.students}
    assert {student for student, _ in attacked["report"]["results"]} <= known


def test_feedback_of_one_student_leaves_the_others_alone(attacked):
    course = attacked["course"]
    feedback = {s: course / "feedback" / s / LESSON / f"{LESSON}.html" for s in ("honest", "unanswered")}
    before = {s: path.stat().st_mtime_ns for s, path in feedback.items()}
    grader = load("nnlearn_grade_one", COURSEWORK / "grade.py")
    report = grader.grade([LESSON], root=str(course), students={"honest"}, timeout=TIMEOUT, budget=150,
                          feedback=True, workers=1, log=lambda text: None)
    assert set(report["results"]) == {("honest", LESSON)}
    assert feedback["honest"].stat().st_mtime_ns != before["honest"]
    assert feedback["unanswered"].stat().st_mtime_ns == before["unanswered"]
