"""Attacks on everything around the verdicts: the runner's stream, the coordinator, the report.

Issue 25: what comes out of a sandbox is hostile input. Each attack here is played against the
grading code directly (a forged runner, a forged answer, a forged report), in seconds; the ones
that need a real sandbox skip without root and bubblewrap. The whole pipeline under attack, with
nbgrader and the exchange, is tests/coursework/test_attacks.py.
"""

import json
import os
import re
import subprocess
import sys
import textwrap
import time

import nbformat
import pytest

from course import COURSEWORK, SOURCE

sys.path.insert(0, str(COURSEWORK))
import conversation  # noqa: E402
import judging  # noqa: E402
import plain_data  # noqa: E402
import probes  # noqa: E402
import sandbox  # noqa: E402
import stream  # noqa: E402
import submission  # noqa: E402

needs_sandbox = pytest.mark.skipif(bool(sandbox.sandbox_status()), reason=sandbox.sandbox_status() or "")
LESSON = "00_learning_loop"


# --- answers that overflow fail their probe alone -----------------------------------------------------

def lesson_with(expected):
    """A Lesson judging one public and one hidden probe of exercise x against `expected`."""
    lesson = judging.Lesson.__new__(judging.Lesson)
    lesson.probes = {"public/x/0": probes.Probe("result = x"), "hidden/x/0": probes.Probe("result = x")}
    lesson.expected = {key: probes.Answer(value=expected) for key in lesson.probes}
    lesson.points = {"check_x": 1.0, "hidden_x": 2.0}
    return lesson


@pytest.mark.parametrize("answer", [
    '{"result": {"ndarray": ["uint8", [2], [1, 300]]}}',            # a uint8 holding 300
    '{"result": %d}' % 10 ** 400,                                   # an integer of 401 digits
    '{"result": {"ndarray": ["int64", [1], [%d]]}}' % 2 ** 70,      # an int64 holding 2**70
    '{"result": {"ndarray": ["float16", [1], [1e300]]}}',           # a float16 holding 1e300
    '{"result": ' + "[" * 200_000 + "]" * 200_000 + "}",            # lists nested past any depth
])
def test_an_overflowing_answer_fails_its_probe_with_a_reason_and_nothing_raises(answer):
    for expected in (1.5, 3, probes.np.array([1, 2], dtype=probes.np.uint8)):
        verdicts = lesson_with(expected).verdicts({"answers": {"public/x/0": answer, "hidden/x/0": answer},
                                                   "faults": {}})
        assert verdicts["check_x"]["points"] == 0.0 and verdicts["hidden_x"]["points"] == 0.0
        assert all(reason for reason in verdicts["check_x"]["reasons"].values())


def test_a_huge_integer_compared_with_a_float_fails_instead_of_raising():
    assert probes.judge(probes.Answer(value=2 ** 63 - 1), probes.Answer(value=1e308), probes.Probe("")) != ""
    assert "cannot be compared" in probes.judge(probes.Answer(value=[10 ** 400]), probes.Answer(value=[1.0]),
                                                probes.Probe(""))


# --- forged messages -----------------------------------------------------------------------------------

def test_forged_outputs_of_the_wrong_shape_are_dropped_not_crashed_on():
    forged = [{"output_type": "execute_result", "data": []}, {"output_type": "execute_result", "data": "x"},
              {"output_type": "error", "ename": ["list"], "evalue": {"a": 1}, "traceback": "text"},
              {"output_type": "stream", "name": "stdout", "text": ["x"]}, "text", None,
              {"output_type": "display_data", "data": {"text/html": "<script>alert(1)</script>"}}]
    kept = stream.clean_outputs(forged * 2)
    assert kept == [{"output_type": "error", "ename": "Error", "evalue": "", "traceback": []}] * 2


@pytest.mark.parametrize("message", [
    {"start": [62]}, {"start": True}, {"start": -1}, {"start": "0"}, {"cell": [0], "outputs": []},
    {"cell": 0, "outputs": {}}, {"probe": ["k"], "answer": "{}"}, {"probe": "k", "answer": 1},
    {"probe_start": {"k": 1}}, {"cells_done": 1}, {"done": "yes"}, {"start": 0, "extra": 1}, [1], "x",
    {"probe": "k" * 1000, "answer": "{}"},
])
def test_a_protocol_message_of_the_wrong_form_is_ignored(message):
    assert stream.read_message(message) is None


def test_terminal_escapes_and_control_characters_never_reach_what_a_person_reads():
    text = "ok\x1b[2K\x1b[1A\r\x1b]0;title\x07\x1b[32m14/14\x1b[0m\x08\x00\u202eevil\nnext\tline"
    assert stream.printable(text) == "ok14/14evil\nnext\tline"
    grader = __import__("importlib").import_module("grade")
    report = {"results": {("ada\x1b[2K", LESSON): {
        "score": 0.0, "max_score": 14.0, "exercises": {"x": (0.0, 14.0)}, "repairs": [], "flagged": [],
        "notes": ["cell 3: \x1b[1A\x1b[2K00_learning_loop  ada: 14/14\nfake line"], "disagree": {},
        "reasons": {"check_x": {"public/x/0": "raised ValueError: \x1b[1A\r14/14"}}}},
        "failed": {}, "seconds": 1.0, "seconds_per_submission": 1.0, "timings": {}}
    shown = grader.format_report(report)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", shown), repr(shown)
    assert len(shown.splitlines()) == 5                    # a note cannot add a line of its own


# --- a forged runner: a plain process speaking the protocol as an attacker would --------------------

def forged_runner(tmp_path, body):
    """A command that speaks the runner's protocol as `body` (Python) does; `say(**message)`."""
    script = tmp_path / "runner.py"
    script.write_text("import json, os, sys, time, fcntl\n"
                      "def say(**message):\n    sys.stdout.write(json.dumps(message) + '\\n'); sys.stdout.flush()\n"
                      + textwrap.dedent(body))
    return [sys.executable, "-I", str(script)]


def converse(command, task):
    state = conversation.Conversation(dict({"budget": 60, "timeout": 5, "probe_timeout": 3}, **task))
    run = stream.RunnerProcess(command, os.getcwd(), None)
    started = time.monotonic()
    try:
        state.converse(run)
    finally:
        run.stop()
    return state, time.monotonic() - started


def test_a_runner_that_shrinks_its_pipe_and_stops_reading_cannot_block_the_coordinator(tmp_path):
    command = forged_runner(tmp_path, """
        fcntl.fcntl(0, 1031, 4096)                          # F_SETPIPE_SZ: a 4 KB stdin pipe
        sys.stdin.readline()
        say(cells_done=True)                                # forged: then never read again
        time.sleep(600)
    """)
    big = [[f"public/x/{n}", "result = 1  # " + "x" * 50_000, []] for n in range(20)]   # 1 MB of probes
    state, seconds = converse(command, {"cells": [], "probes": big})
    assert seconds < 20, f"the coordinator waited {seconds:.0f} s"
    assert set(state.faults) == {key for key, _, _ in big}
    assert all("stopped answering" in why for why in state.faults.values())


def test_hidden_probes_reach_the_runner_only_after_every_public_answer(tmp_path):
    command = forged_runner(tmp_path, """
        sys.stdin.readline()
        say(cells_done=True)
        seen = []
        for line in sys.stdin:
            batch = json.loads(line)["probes"]
            seen += [key for key, _, _ in batch]
            for key, _, _ in batch:
                say(probe=key, answer=json.dumps({"result": seen}))
            say(done=True)
    """)
    keys = [["hidden/x/0", "", []], ["public/x/0", "", []], ["hidden/y/0", "", []], ["public/y/0", "", []]]
    state, _ = converse(command, {"cells": [], "probes": keys})
    for key in ("public/x/0", "public/y/0"):
        assert json.loads(state.answers[key])["result"] == ["public/x/0", "public/y/0"], state.answers
    assert len(json.loads(state.answers["hidden/x/0"])["result"]) == 4


def test_forged_output_keeps_the_coordinator_memory_bounded(tmp_path):
    """160 MB of forged cell messages (under the stream's cap): the coordinator's peak memory stays
    under 300 MB (it reached 4.1 GB when every message was kept as parsed JSON)."""
    line = json.dumps({"cell": 0, "outputs": [{"output_type": "stream", "name": "stdout", "text": "y" * 20}]
                       * 12_000})                             # ~0.9 MB, under the per-message cap
    assert 800_000 < len(line) < stream.MAX_CELL_LINE
    command = forged_runner(tmp_path, f"""
        sys.stdin.readline()
        say(start=0)
        line = {line!r}
        for _ in range({160_000_000 // len(line)}):
            sys.stdout.write(line + "\\n")
        sys.stdout.flush()
        say(cell=0, outputs=[])
        say(cells_done=True)
        time.sleep(600)
    """)
    measure = f"""
import sys, json
sys.path.insert(0, {str(COURSEWORK)!r})
import conversation, stream
state = conversation.Conversation({{"budget": 60, "timeout": 30, "probe_timeout": 2,
                                    "cells": [[0, "cell 1", ""]], "probes": []}})
run = stream.RunnerProcess({command!r}, ".", None)
try:
    state.converse(run)
finally:
    run.stop()
peak = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])   # this process's own peak (kB)
print(json.dumps([peak, len(json.dumps(state.outputs)), state.notes]))
"""
    done = subprocess.run([sys.executable, "-c", measure], capture_output=True, text=True, timeout=120)
    peak_kb, kept, notes = json.loads(done.stdout.strip().splitlines()[-1])
    assert not any("printed more" in note for note in notes), notes   # every message was read, none refused
    assert peak_kb < 300_000, f"coordinator peak {peak_kb / 1000:.0f} MB"
    assert kept < 10_000


def test_a_message_longer_than_its_phase_allows_is_a_fault_not_a_gigabyte(tmp_path):
    command = forged_runner(tmp_path, """
        sys.stdin.readline()
        say(start=0)
        sys.stdout.write('{"cell": 0, "outputs": [' + '[],' * 2_000_000 + '[]]}\\n'); sys.stdout.flush()
        time.sleep(600)
    """)
    state, seconds = converse(command, {"cells": [[0, "cell 1", ""]], "probes": [["public/x/0", "", []]]})
    assert 0 in state.skip and "printed more than the grader reads" in state.notes[0]


# --- the submission itself ----------------------------------------------------------------------------

def released_notebook():
    nb = nbformat.read(SOURCE / LESSON / f"{LESSON}.ipynb", as_version=4)
    return nb, json.loads(nbformat.writes(nb))


def test_empty_cells_are_dropped_and_too_many_cells_are_refused_before_parsing(tmp_path):
    source, data = released_notebook()
    empty = {"cell_type": "markdown", "metadata": {}, "source": ""}
    data["cells"] += [empty] * 1500
    path = tmp_path / "a.ipynb"
    path.write_text(json.dumps(data))
    started = time.monotonic()
    nb, repairs = submission.rebuild(str(path), source)
    assert len(nb.cells) == len(source.cells) and "dropped 1500 empty cells" in repairs
    data["cells"] += [empty] * 850_000                       # 43 MB: the attack
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="more than 2000 cells"):
        submission.rebuild(str(path), source)
    assert time.monotonic() - started < 20


# --- the sandbox as a whole ---------------------------------------------------------------------------

def sandboxed(cells, probe_list=(), hide=()):
    return sandbox.run_submission({"key": "k", "notebook_name": "n.ipynb", "notebook_text": "{}",
                                   "cells": [[n, f"cell {n}", code] for n, code in enumerate(cells)],
                                   "probes": list(probe_list), "timeout": 20, "budget": 60, "hide": list(hide)})


def text_of(result, index):
    return "".join(o.get("text", "") + o.get("evalue", "") for o in result["outputs"][index])


@needs_sandbox
def test_the_sandbox_mount_table_names_neither_the_course_nor_the_repository(tmp_path):
    course = tmp_path / "my-course"
    course.mkdir()
    result = sandboxed(["print(open('/proc/self/mountinfo').read()); print(open('/proc/self/mounts').read())"],
                       hide=[str(course)])
    shown = text_of(result, 0)
    assert "/tmp/submission" in shown
    for path in (str(course), str(COURSEWORK.parent), "/work"):
        assert path not in shown, f"the sandbox's mount table shows {path}"


@needs_sandbox
def test_a_sandbox_as_a_whole_has_bounded_memory_and_disk():
    result = sandboxed(["""
import os, resource
for path in ("/dev/shm/a", "/dev/shm/b", "/x", "/usr/x", "/etc/x", "/tmp/x", "/tmp/lib/x"):
    try:
        with open(path, "wb") as handle:
            handle.write(b"0" * 60_000_000)
        print("wrote", path)
    except OSError as error:
        print("refused", path, error.errno)
print("limits", resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_NPROC)[0])
"""])
    shown = text_of(result, 0)
    assert shown.count("wrote") == 1 and "wrote /dev/shm/a" in shown, shown     # /dev/shm holds 64 MB
    limits = [int(n) for n in shown.split("limits")[1].split()]
    assert limits[0] * limits[1] <= 12 * 1024 ** 3, limits                # 8 processes x 1.5 GB


@needs_sandbox
def test_processes_of_a_sandbox_together_stay_under_its_cgroup_and_none_survives(monkeypatch):
    import sandbox_cgroup
    if sandbox.cgroup_status():
        pytest.skip(f"no cgroups here ({sandbox.cgroup_status()}): the bound is the rlimits above")
    monkeypatch.setattr(sandbox_cgroup, "MEMORY_BYTES", 400 * 1024 ** 2)
    result = sandboxed(["""
for knob in ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/pids/pids.max"):
    try:
        open(knob, "w").write("-1")                    # lift its own limit: no /sys in the sandbox
        print("lifted", knob)
    except OSError as error:
        print("refused", knob)
""", """
import os, subprocess
with open("/dev/shm/a", "wb") as handle:            # tmpfs pages count too
    handle.write(b"0" * 60_000_000)
child = subprocess.Popen(["sleep", "600"])         # would outlive the run without the group
pid = os.fork()
block = b"x" * 250_000_000                           # 250 MB in each of two processes: under the
if pid == 0:                                         # 1.5 GB rlimit of each, over 400 MB together
    os._exit(0)
status = os.waitpid(pid, 0)[1]
print("together", os.waitstatus_to_exitcode(status))
"""])
    assert text_of(result, 0).count("refused") == 2, result
    shown = text_of(result, 1) if 1 in result["outputs"] else ""       # the runner itself may be the one killed
    assert "together 0" not in shown, result
    assert any("ran out of memory" in note for note in result["notes"]), result["notes"]
    assert not subprocess.run(["pgrep", "-x", "-f", "sleep 600"], capture_output=True).stdout


@needs_sandbox
def test_the_reference_an_exercise_must_not_call_refuses_however_it_is_reached():
    ways = [
        "def sgd_update(params, lr):\n    nl.optim.SGD(params, lr=lr).step()\n",
        "step = nl.optim.SGD.step\ndef sgd_update(params, lr):\n    step(nl.optim.SGD(params, lr=lr))\n",
        "nl.optim.SGD.step = lambda self, f=nl.optim.Optimizer.step: f(self)\n"
        "def sgd_update(params, lr):\n    nl.optim.SGD(params, lr=lr).step()\n",
        "def sgd_update(params, lr):\n    o = nl.optim.SGD(params, lr=lr)\n"
        "    [o._update(p, p.grad, {}, o.param_groups[0]) for p in params]\n",
        "def sgd_update(params, lr):\n    for p in params:\n        p.data -= lr * p.grad\n",     # honest
    ]
    cells = ["import numpy as np\nimport nnlearn as nl\n"] + [
        way.replace("sgd_update", f"sgd_update_{n}") for n, way in enumerate(ways)]
    probe = "p = nl.Parameter(np.ones(2)); p.grad[...] = 1.0\nsgd_update_{n}([p], 0.5)\nresult = p.data\n"
    forbidden = probes.forbidden(LESSON)["sgd_update"]
    result = sandboxed(cells, [[f"public/sgd_update/{n}", probe.format(n=n), forbidden] for n in range(len(ways))]
                       + [["public/other/0", probe.format(n=0), []]])
    answers = {key: plain_data.parse_answer(text) for key, text in result["answers"].items()}
    for n in range(len(ways) - 1):
        assert "refuses to run" in answers[f"public/sgd_update/{n}"].error, (n, answers)
    assert answers[f"public/sgd_update/{len(ways) - 1}"].value.tolist() == [0.5, 0.5]
    assert answers["public/other/0"].value.tolist() == [0.5, 0.5]     # only while its exercise is probed


@pytest.mark.parametrize("lesson", [LESSON, "10_autograd"])
def test_the_forbidden_references_exist_and_the_solutions_do_not_call_them(lesson):
    for exercise, names in probes.forbidden(lesson).items():
        for name in names:
            module, _, rest = name.partition(":")
            target = __import__(module, fromlist=["_"])
            for part in rest.split("."):
                target = getattr(target, part)
            assert callable(target) and not target.__code__.co_freevars, name
        assert exercise in probes.load_probes(lesson)[0]
    text = (SOURCE / lesson / f"{lesson}.ipynb").read_text()
    assert "refuse to run" in text or "refuses to run" in text


@needs_sandbox
def test_lesson_10_graded_on_the_learners_own_backward_pass():
    ways = ["def backward(root):\n    root.backward()\n",
            "from nnlearn.autograd import backward_steps\ndef backward(root):\n    for _ in backward_steps(root): pass\n",
            "from nnlearn import autograd\ndef backward(root):\n    order = autograd.topological_order(root)\n"
            "    root.grad = 1.0\n    for v in reversed(order):\n"
            "        for p, d in zip(v._prev, v._local): p.grad += d * v.grad\n"]
    cells = ["import nnlearn as nl\nfrom nnlearn import autograd\n"] + [
        way.replace("def backward", f"def backward_{n}") for n, way in enumerate(ways)]
    probe = "a = autograd.Value(3.0)\nbackward_{n}(a * a)\nresult = a.grad\n"
    forbidden = probes.forbidden("10_autograd")["backward"]
    result = sandboxed(cells, [[f"public/backward/{n}", probe.format(n=n), forbidden] for n in range(len(ways))])
    answers = {key: plain_data.parse_answer(text) for key, text in result["answers"].items()}
    for n in range(len(ways)):
        assert "refuses to run" in answers[f"public/backward/{n}"].error, (n, answers)


# --- a grading failure is never a grade -----------------------------------------------------------------

@needs_sandbox
def test_a_sandbox_that_cannot_start_grades_nobody_leaves_the_gradebook_alone_and_fails(tmp_path, monkeypatch,
                                                                                           capsys):
    from course import load, release
    from nbgrader.api import Gradebook
    (tmp_path / "src").mkdir()
    import shutil
    lesson = "01_forward_pass"             # the quickest lesson to grade: nothing here depends on which
    shutil.copytree(SOURCE / lesson, tmp_path / "src" / lesson)
    course = tmp_path / "course"
    release.build(str(tmp_path / "src"), workdir=str(course))
    os.chmod(course, 0o700)
    folder = course / "submitted" / "ada" / lesson
    folder.mkdir(parents=True)
    shutil.copy(SOURCE / lesson / f"{lesson}.ipynb", folder)             # a full solution
    real = sandbox.sandbox_command
    monkeypatch.setattr(sandbox, "sandbox_command", lambda *args: [real(*args)[0], "--no-such-option"]
                        + real(*args)[1:])
    grader = load("nnlearn_grade_nostart", COURSEWORK / "grade.py")
    code = grader.main([lesson, "--root", str(course), "--timeout", "20"])
    assert code != 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assert gradebook.assignment_submissions(lesson) == []
    assert not (course / "autograded").exists()
    assert "ada: NOT GRADED: could not be run: RuntimeError: the sandbox did not start" in capsys.readouterr().out


# --- Dask: only the grader talks to its scheduler ------------------------------------------------------

def test_the_local_cluster_talks_only_to_holders_of_its_certificates():
    from distributed import Client
    grader = __import__("importlib").import_module("grade")
    with pytest.raises(SystemExit, match="TLS"):
        grader.run_tasks([{"key": 1}], scheduler="tcp://127.0.0.1:8786")
    with grader.local_cluster(1) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tls://127.0.0.1:")
        intruder = ("import os, sys\nfrom distributed import Client\n"   # another account: no certificates
                    "client = Client(sys.argv[1], timeout=5)\nclient.run_on_scheduler(os.getpid)\nprint('IN')\n")
        for attempt in (address, address.replace("tls://", "tcp://")):
            done = subprocess.run([sys.executable, "-c", intruder, attempt], capture_output=True, text=True,
                                  timeout=60)
            assert done.returncode != 0 and "IN" not in done.stdout, done.stdout
        with Client(cluster) as client:
            assert client.submit(sum, [1, 2]).result() == 3


def test_zip_collect_takes_the_student_the_lms_named_not_one_the_file_name_claims():
    from traitlets.config.loader import PyFileConfigLoader
    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSEWORK)).load_config()
    pattern = re.compile(config.FileNameCollectorPlugin.named_regexp)
    honest = pattern.match(f"{LESSON}_ada_attempt_2026-12-01-10-00-00_{LESSON}.ipynb")
    assert honest["student_id"] == "ada" and honest["file_id"] == f"{LESSON}.ipynb"
    forged = pattern.match(f"{LESSON}_eve_attempt_2026-12-01-10-00-00_x_ada_attempt_2099-01-01_{LESSON}.ipynb")
    assert forged["student_id"] == "eve" and forged["file_id"] != f"{LESSON}.ipynb"


def test_an_uploaded_archive_that_climbs_out_or_links_to_the_key_stops_nobody_and_reads_nothing(tmp_path):
    """zip_collect: a student uploads a .tar.gz whose member climbs out of the folder (nbgrader's
    extractor opens archives inside the LMS's and raises, collecting nobody), and the LMS archive
    holds a link to the answer key. The honest student is collected; no link, nothing outside."""
    import io
    import tarfile
    course = tmp_path / "course"
    course.mkdir()
    for name in ("nbgrader_config.py", "robust_grading.py", "kernel_polling.py"):
        (course / name).write_text((COURSEWORK / name).read_text())
    key = tmp_path / "key.ipynb"
    key.write_text("the answer key")
    upload = io.BytesIO()
    with tarfile.open(fileobj=upload, mode="w:gz") as tar:
        climb = tarfile.TarInfo(f"../../../../{LESSON}_ada_attempt_2026-12-01-10-00-00_{LESSON}.ipynb")
        climb.size = 2
        tar.addfile(climb, io.BytesIO(b"{}"))
    archive = course / "downloaded" / LESSON / "archive"
    archive.mkdir(parents=True)
    with tarfile.open(archive / "lms.tar.gz", "w:gz") as tar:
        link = tarfile.TarInfo(f"{LESSON}_eve_attempt_2026-12-01-10-00-00_{LESSON}.ipynb")
        link.type, link.linkname = tarfile.SYMTYPE, str(key)
        tar.addfile(link)
        evil = tarfile.TarInfo(f"{LESSON}_mal_attempt_2026-12-01-10-00-00_evil.tar.gz")
        evil.size = len(upload.getvalue())
        tar.addfile(evil, io.BytesIO(upload.getvalue()))
        honest = tarfile.TarInfo(f"{LESSON}_bo_attempt_2026-12-01-10-00-00_{LESSON}.ipynb")
        honest.size = 2
        tar.addfile(honest, io.BytesIO(b"{}"))
    before = sorted(p.name for p in tmp_path.iterdir())
    done = subprocess.run([sys.executable, "-m", "nbgrader", "zip_collect", LESSON, "--force"], cwd=course,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert os.listdir(course / "submitted") == ["bo"]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    for folder, dirs, files in os.walk(course):
        for name in dirs + files:
            path = os.path.join(folder, name)
            assert not os.path.islink(path), path
            if name.endswith(".ipynb"):
                assert "the answer key" not in open(path).read(), path
