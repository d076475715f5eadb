"""Run one submission in a bubblewrap sandbox and bring back its outputs and probe answers.

`run_submission(task)` is what a grading worker does (locally, or on a Dask worker: this module
is importable and holds no state). It is trusted code; what comes back from inside is not, and the
coordinator (grade.py) parses and judges it. The sandbox, per run:

- bubblewrap: `--ro-bind / /` with tmpfs over /tmp, /home, /root, /work, /srv, /mnt, /var/tmp, the
  course and this repository (so gradebook.db, source/, nbgrader_config.py, other students and the
  answer key cannot be read), the interpreter's prefix bound back read-only, a fresh 256 MB tmpfs
  holding only the notebook as the one writable place (`/tmp/submission`, also HOME), nnlearn, probes.py and
  sandbox_runner.py bound read-only in `/tmp/lib` (first on sys.path); no network, own pid, ipc and
  uts namespaces, `--die-with-parent`, `--new-session`, a cleared environment;
- as root, the runner drops to an unprivileged uid of its own (61000 + a slot locked for the run,
  so one submission's process limit never blocks another's) with `setpriv`;
- rlimits: address space 2 GB, CPU time, file size 64 MB, 64 processes; the stream is read with a
  cap per line and in all; a wall-clock limit per cell, per probe and per submission;
- when a run ends, bubblewrap is killed and with it its pid namespace: every process is gone.

A cell or probe that hangs, kills the process or floods the stream is named from the stream (the
runner says what it starts), the sandbox is restarted in a fresh folder without that cell (or with
the probes still to answer), and only what depends on it loses points. The outputs shown in the
feedback are frozen when the first probes are sent: nothing printed after a process has seen probe
code can reach a student.
"""

import fcntl
import json
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

COURSEWORK = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(COURSEWORK)
NNLEARN = os.path.join(REPO, "nnlearn")
RUNNER = os.path.join(COURSEWORK, "sandbox_runner.py")
PROBES = os.path.join(COURSEWORK, "probes.py")
BWRAP = shutil.which("bwrap") or "/usr/bin/bwrap"
SETPRIV = shutil.which("setpriv") or "/usr/bin/setpriv"

MEMORY_BYTES = 2 * 1024 ** 3         # address space of each process
FILE_BYTES = 64 * 1024 ** 2          # largest file it may write
PROCESSES = 64                       # processes and threads of the sandbox uid
MAX_LINE = 21_000_000                # one protocol line (a probe answer may be ~20 MB of JSON)
MAX_STREAM = 200_000_000             # all it may send in one run
UID_BASE = 61000
SLOTS = 64
SLOT_DIR = "/run/lock/nnlearn-sandbox" if os.path.isdir("/run/lock") else "/tmp/nnlearn-sandbox-slots"
HIDDEN = ("/tmp", "/home", "/root", "/work", "/srv", "/mnt", "/media", "/var/tmp", "/run", "/opt/nnlearn")
WORKDIR_BYTES = 256 * 1024 ** 2      # the submission's folder: a tmpfs of this size


def sandbox_status():
    """'' when bubblewrap sandboxes can run here as an unprivileged uid, else the reason."""
    if not os.path.exists(BWRAP):
        return "bubblewrap (bwrap) is not installed: apt-get install -y bubblewrap"
    if os.geteuid() != 0:
        return "grading in the sandbox needs root (to run each submission as an unprivileged uid)"
    if not os.path.exists(SETPRIV):
        return "setpriv (util-linux) is not installed"
    return ""


class Slot:
    """A uid of its own for one sandbox run: UID_BASE + the first free slot (an flock'd file)."""

    def __enter__(self):
        os.makedirs(SLOT_DIR, mode=0o700, exist_ok=True)
        while True:
            for number in range(SLOTS):
                handle = open(os.path.join(SLOT_DIR, f"slot-{number}"), "w")
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    handle.close()
                    continue
                self.handle, self.uid = handle, UID_BASE + number
                return self
            time.sleep(0.2)

    def __exit__(self, *exc):
        self.handle.close()


def _limits(cpu_seconds):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES))
        resource.setrlimit(resource.RLIMIT_NPROC, (PROCESSES, PROCESSES))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def sandbox_command(notebook_fd, notebook_name, uid, hide=()):
    """The bwrap command line running the runner as uid, in a fresh size-limited tmpfs holding
    only the notebook (read from notebook_fd, an open file the child inherits)."""
    prefixes = sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})
    command = [BWRAP, "--ro-bind", "/", "/", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/dev/shm",
               "--proc", "/proc"]
    for path in list(HIDDEN) + [os.path.realpath(p) for p in hide] + [REPO, os.path.realpath(REPO)]:
        if os.path.isdir(path):
            command += ["--tmpfs", path]
    for prefix in prefixes:                            # the interpreter and its site-packages
        parent = os.path.dirname(prefix)
        parents = []
        while parent not in ("/", "") and parent not in HIDDEN:
            parents.insert(0, parent)
            parent = os.path.dirname(parent)
        for folder in parents:                         # tmpfs folders bwrap makes are 0700
            command += ["--perms", "0755", "--dir", folder]
        command += ["--ro-bind", prefix, prefix]
    command += ["--perms", "0755", "--dir", "/tmp/lib",
                "--ro-bind", os.path.realpath(NNLEARN), "/tmp/lib/nnlearn",
                "--ro-bind", RUNNER, "/tmp/lib/sandbox_runner.py",
                "--ro-bind", PROBES, "/tmp/lib/probes.py",
                "--size", str(WORKDIR_BYTES), "--perms", "1777", "--tmpfs", "/tmp/submission",
                "--perms", "0666", "--file", str(notebook_fd), f"/tmp/submission/{notebook_name}",
                "--chdir", "/tmp/submission",
                "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                "--die-with-parent", "--new-session", "--clearenv"]
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp/submission", "LANG": "C.UTF-8",
           "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/submission/.matplotlib",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}
    for key, value in env.items():
        command += ["--setenv", key, value]
    command += ["--", SETPRIV, f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
                sys.executable, "-I", "/tmp/lib/sandbox_runner.py"]
    return command


def plain_command(workdir):
    """No sandbox (benchmarks and development only): the runner as a child process, same limits."""
    return [sys.executable, "-I", RUNNER, os.path.dirname(NNLEARN)]


class _Run:
    """One start of the runner: a process, its stream, and what it said."""

    def __init__(self, command, workdir, cpu_seconds, sandboxed, pass_fds=()):
        env = None if sandboxed else {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": workdir,
                                      "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, cwd=workdir, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.stderr, env=env, start_new_session=True,
                                        preexec_fn=_limits(cpu_seconds), pass_fds=pass_fds)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.process.stdout, selectors.EVENT_READ)
        self.buffer, self.total = b"", 0

    def send(self, message):
        try:
            self.process.stdin.write((json.dumps(message) + "\n").encode())
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def lines(self, deadline):
        """Yield parsed messages until `deadline()` passes; then a ("fault", reason) tuple."""
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                try:
                    message = json.loads(line)
                except (ValueError, RecursionError):
                    continue                              # the student's own noise: ignored
                if isinstance(message, dict):
                    yield message
            if len(self.buffer) > MAX_LINE or self.total > MAX_STREAM:
                yield ("fault", "printed more than the grader reads")
                return
            left = deadline()
            if left <= 0:
                yield ("fault", "timeout")
                return
            if not self.selector.select(timeout=min(left, 1.0)):
                continue
            chunk = os.read(self.process.stdout.fileno(), 1 << 20)
            if not chunk:
                self.process.wait()
                yield ("fault", _exit_reason(self.process.returncode))
                return
            self.total += len(chunk)
            self.buffer += chunk

    def stop(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)   # bwrap, and with it the pid namespace
        except ProcessLookupError:
            pass
        self.process.wait()
        self.selector.close()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.stderr.seek(0)
        text = self.stderr.read(4000).decode(errors="replace")
        self.stderr.close()
        return text


def _exit_reason(code):
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        return f"the process was killed ({name})"
    return f"the process ended (exit code {code})"


def run_submission(task):
    """Run one submission; returns {"outputs", "answers", "faults", "notes", "runs", "seconds"}.

    task: {"key": any, "notebook_name": str, "notebook_text": str,
           "cells": [[index, label, source]], "probes": [[key, code]],
           "timeout": seconds per cell, "probe_timeout": per probe (default: timeout),
           "budget": seconds in all, "sandbox": bool,
           "hide": [more host paths to hide]}. Answers are the raw JSON texts the runner sent;
    faults name the probes that got none (and why). Raises RuntimeError when no sandbox can run.
    """
    started = time.monotonic()
    budget_end = started + task["budget"]
    probe_timeout = task.get("probe_timeout") or task["timeout"]
    cells = [(int(index), label, source) for index, label, source in task["cells"]]
    labels = {index: label for index, label, _ in cells}
    pending = [(key, code) for key, code in task["probes"]]
    skip, outputs, answers, faults, notes = set(), {}, {}, {}, []
    frozen, runs, failed_starts = False, 0, 0
    sandboxed = task.get("sandbox", True)
    status = sandbox_status() if sandboxed else ""
    if status:
        raise RuntimeError(status)
    while pending or runs == 0:
        out_of_time = time.monotonic() > budget_end
        if out_of_time or runs > len(cells) + len(task["probes"]) + 2:
            why = "the submission ran out of time" if out_of_time else "the sandbox kept stopping"
            for key, _ in pending:
                faults[key] = why
            notes.append(f"{why}; {len(pending)} probes not answered")
            break
        runs += 1
        workdir = tempfile.mkdtemp(prefix="nnlearn-sandbox-")
        name = os.path.basename(task.get("notebook_name", "notebook.ipynb"))
        notebook = tempfile.TemporaryFile()
        try:
            notebook.write(task.get("notebook_text", "").encode())
            notebook.flush()
            notebook.seek(0)
            with (Slot() if sandboxed else _NoSlot()) as slot:
                if sandboxed:
                    command = sandbox_command(notebook.fileno(), name, slot.uid, task.get("hide", ()))
                else:
                    with open(os.path.join(workdir, name), "wb") as handle:
                        handle.write(notebook.read())
                    command = plain_command(workdir)
                cpu = int(max(5, budget_end - time.monotonic())) + 1
                run = _Run(command, workdir, cpu, sandboxed, (notebook.fileno(),) if sandboxed else ())
                state = {"current": None, "end": time.monotonic() + task["timeout"] + 20}  # + start-up

                def deadline():
                    return min(state["end"], budget_end) - time.monotonic()

                run.send({"cells": [[index, source] for index, _, source in cells if index not in skip]})
                sent = finished = spoke = False
                for message in run.lines(deadline):
                    current = state["current"]
                    if isinstance(message, tuple):           # a fault: blame what was running
                        reason = message[1]
                        if reason == "timeout":
                            limit = task["timeout"] if current and current[0] == "cell" else probe_timeout
                            reason = ("the submission ran out of time" if state["end"] >= budget_end
                                      else f"ran out of time ({limit} s)")
                        if current and current[0] == "cell":
                            skip.add(current[1])
                            notes.append(f"{labels[current[1]]}: {reason}; graded without it")
                        elif current:
                            faults[current[1]] = reason
                            pending = [p for p in pending if p[0] != current[1]]
                            notes.append(f"probe {current[1]}: {reason}")
                        elif sent:                          # between probes: only tampering
                            for key, _ in pending:          # with the runner gets here
                                faults[key] = f"the runner stopped answering ({reason})"
                            notes.append(f"the runner stopped answering between probes ({reason})")
                            pending = []
                        elif not spoke:
                            failed_starts += 1
                        break
                    spoke = True
                    now = time.monotonic()
                    if "start" in message and not sent and message["start"] in labels:
                        state.update(current=("cell", message["start"]), end=now + task["timeout"])
                    elif "cell" in message and not sent and message["cell"] in labels:
                        if not frozen and isinstance(message.get("outputs"), list):
                            outputs[message["cell"]] = message["outputs"]
                        state.update(current=None, end=now + task["timeout"])
                    elif message.get("cells_done") is True and not sent:
                        frozen = sent = True                 # feedback outputs end here, for good
                        run.send({"probes": [[key, code] for key, code in pending]})
                        state.update(current=None, end=now + probe_timeout)
                    elif "probe_start" in message and sent:
                        if any(message["probe_start"] == key for key, _ in pending):
                            state.update(current=("probe", message["probe_start"]), end=now + probe_timeout)
                    elif "probe" in message and sent:
                        key = message["probe"]
                        if any(key == k for k, _ in pending) and isinstance(message.get("answer"), str):
                            answers[key] = message["answer"]
                            pending = [p for p in pending if p[0] != key]
                        state.update(current=None, end=now + probe_timeout)
                    elif message.get("done") is True and sent:
                        finished = True
                        break
                errors = run.stop()
                if finished:
                    for key, _ in pending:                   # said it was done without answering
                        faults[key] = "no answer"
                    pending = []
                if failed_starts >= 2:
                    why = (errors.strip().splitlines() or ["no reason given"])[-1][:300]
                    for key, _ in pending:
                        faults[key] = f"the sandbox did not start: {why}"
                    notes.append(f"the sandbox did not start: {why}")
                    pending = []
        finally:
            notebook.close()
            shutil.rmtree(workdir, ignore_errors=True)
    return {"key": task.get("key"), "outputs": outputs, "answers": answers, "faults": faults,
            "notes": notes, "runs": runs, "seconds": time.monotonic() - started}


class _NoSlot:
    uid = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
