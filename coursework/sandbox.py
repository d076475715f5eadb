"""Run one submission in a bubblewrap sandbox and bring back its outputs and probe answers.

`run_submission(task)` is what a grading worker does (locally, or on a Dask worker: this module
is importable and holds no state). It is trusted code; what comes back from inside is not, and the
coordinator (grade.py) parses and judges it. The sandbox, per run:

- bubblewrap: an empty root with only the system folders (/usr, /etc, ...) and the interpreter's
  prefix bound read-only (so the course, this repository, /home and other students cannot be read,
  and no mount point names them), a fresh 256 MB tmpfs holding only the notebook as the one
  writable place (`/tmp/submission`, also HOME) besides a 64 MB /dev/shm, a private copy of
  nnlearn, plain_data.py and sandbox_runner.py read-only in `/tmp/lib` (first on sys.path); no network,
  own pid, ipc and uts namespaces, `--die-with-parent`, `--new-session`, a cleared environment;
- as root, the runner drops to an unprivileged uid of its own (61000 + a slot locked for the run,
  so one submission's process limit never blocks another's) with `setpriv`;
- rlimits: address space 1.5 GB, CPU time, file size 64 MB, 8 processes; and, where the machine
  has cgroups (v1, as root), a memory and a pids cgroup per slot bounding the sandbox as a whole
  (sandbox_cgroup.py: 2 GB with its tmpfs pages, 16 tasks), emptied by SIGKILL after the run; the stream is read as
  hostile input (stream.py, conversation.py); a wall-clock limit per cell, per probe and per
  submission;
- when a run ends, bubblewrap is killed and with it its pid namespace: every process is gone.

A cell or probe that hangs, kills the process or floods the stream is named from the stream (the
runner says what it starts), the sandbox is restarted in a fresh folder without that cell (or with
the probes still to answer), and only what depends on it loses points. The outputs shown in the
feedback are frozen when the first probes are sent: nothing printed after a process has seen probe
code can reach a student. A sandbox that cannot start (twice) raises: not graded, never 0.
"""

import atexit
import contextlib
import fcntl
import importlib.util
import os
import resource
import shutil
import sys
import tempfile
import time

import sandbox_cgroup
from conversation import Conversation
from stream import RunnerProcess, printable

COURSEWORK = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(COURSEWORK)


def _package_folder():
    """nnlearn beside this folder (the repository's layout), else the one Python imports."""
    beside = os.path.join(REPO, "nnlearn")
    if os.path.isfile(os.path.join(beside, "__init__.py")):
        return beside
    spec = importlib.util.find_spec("nnlearn")
    return list(spec.submodule_search_locations)[0] if spec and spec.submodule_search_locations else beside


NNLEARN = _package_folder()
RUNNER = os.path.join(COURSEWORK, "sandbox_runner.py")
PLAIN_DATA = os.path.join(COURSEWORK, "plain_data.py")
BWRAP = shutil.which("bwrap") or "/usr/bin/bwrap"
SETPRIV = shutil.which("setpriv") or "/usr/bin/setpriv"

# A sandbox as a whole holds at most sandbox_cgroup.MEMORY_BYTES (2 GB: its processes and tmpfs pages
# together) and TASKS tasks where the machine has cgroups (cgroup_status() == ''); elsewhere
# PROCESSES x MEMORY_BYTES of address space plus its two tmpfs (WORKDIR_BYTES and SHM_BYTES):
# 8 x 1.5 GB + 320 MB. Nothing else in it is writable.
MEMORY_BYTES = 3 * 1024 ** 3 // 2    # address space of each process
FILE_BYTES = 64 * 1024 ** 2          # largest file it may write
PROCESSES = 8                        # processes and threads of the sandbox uid
WORKDIR_BYTES = 256 * 1024 ** 2      # the submission's folder: a tmpfs of this size
SHM_BYTES = 64 * 1024 ** 2           # /dev/shm (by default a tmpfs sized at half of RAM)
UID_BASE = 61000
SLOTS = 64
SLOT_DIR = "/run/lock/nnlearn-sandbox" if os.path.isdir("/run/lock") else "/tmp/nnlearn-sandbox-slots"
# Only these system folders are bound (read-only), with the interpreter's prefix: the course, the
# repository and home folders are not there at all, so no mount point names them.
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")


def sandbox_status():
    """'' when bubblewrap sandboxes can run here as an unprivileged uid, else the reason."""
    if not os.path.exists(BWRAP):
        return "bubblewrap (bwrap) is not installed: apt-get install -y bubblewrap"
    if os.geteuid() != 0:
        return "grading in the sandbox needs root (to run each submission as an unprivileged uid)"
    if not os.path.exists(SETPRIV):
        return "setpriv (util-linux) is not installed"
    if not os.path.isfile(os.path.join(NNLEARN, "__init__.py")):
        return f"the nnlearn package is not at {NNLEARN} (install it, or keep coursework/ beside it)"
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


def _limits(cpu_seconds, group=None):
    def apply():
        if group is not None:
            group.join()                           # before bwrap: every task it starts is in the group
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES))
        resource.setrlimit(resource.RLIMIT_NPROC, (PROCESSES, PROCESSES))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


_LIBRARY = {}


def library():
    """A private read-only copy of nnlearn, the runner and plain_data.py, made once per process: the
    sandbox binds this copy, so its mount table names a temporary folder, not the repository."""
    if not _LIBRARY.get("path") or not os.path.isdir(_LIBRARY["path"]):
        folder = tempfile.mkdtemp(prefix="nnlearn-sandbox-lib-")
        shutil.copytree(NNLEARN, os.path.join(folder, "nnlearn"), ignore=shutil.ignore_patterns("__pycache__"))
        for path in (RUNNER, PLAIN_DATA):
            shutil.copy(path, folder)
        for parent, dirs, files in os.walk(folder):
            for name in dirs + files:
                os.chmod(os.path.join(parent, name), 0o755 if name in dirs else 0o644)
        os.chmod(folder, 0o755)
        atexit.register(shutil.rmtree, folder, True)
        _LIBRARY["path"] = folder
    return _LIBRARY["path"]


def _folders(path):
    """--dir arguments making path's parents (0755) in the sandbox's own root."""
    parents, parent = [], os.path.dirname(path)
    while parent not in ("/", ""):
        parents.insert(0, parent)
        parent = os.path.dirname(parent)
    return [arg for folder in parents for arg in ("--perms", "0755", "--dir", folder)]


def sandbox_command(notebook_fd, notebook_name, uid, hide=()):
    """The bwrap command line running the runner as uid, in a fresh size-limited tmpfs holding
    only the notebook (read from notebook_fd, an open file the child inherits)."""
    command = [BWRAP, "--perms", "0755", "--tmpfs", "/"]
    bound = []
    for path in SYSTEM:
        if os.path.islink(path):
            command += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            command += ["--ro-bind", path, path]
            bound.append(path)
    for prefix in sorted({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}):
        if not any(prefix == b or prefix.startswith(b + "/") for b in bound):
            command += _folders(prefix) + ["--ro-bind", prefix, prefix]   # the interpreter, site-packages
            bound.append(prefix)
    for path in {os.path.realpath(p) for p in list(hide) + [REPO]}:       # only if inside a bound folder
        if os.path.isdir(path) and any(path.startswith(b + "/") for b in bound):
            command += ["--tmpfs", path]
    command += ["--dev", "/dev", "--size", str(SHM_BYTES), "--perms", "1777", "--tmpfs", "/dev/shm",
                "--proc", "/proc", "--perms", "0755", "--dir", "/tmp",
                "--ro-bind", library(), "/tmp/lib",
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


def run_submission(task):
    """Run one submission; returns {"outputs", "answers", "faults", "notes", "runs", "seconds"}.

    task: {"key": any, "notebook_name": str, "notebook_text": str,
           "cells": [[index, label, source]], "probes": [[key, code] or [key, code, forbidden]],
           "timeout": seconds per cell, "probe_timeout": per probe (default: timeout),
           "budget": seconds in all, "sandbox": bool,
           "hide": [more host paths to hide]}. Answers are the raw JSON texts the runner sent;
    faults name the probes that got none (and why). Public probes ("public/..." keys) go to the
    runner first; the others only once every public one is answered. Raises RuntimeError when no
    sandbox can run or start: that submission is not graded, never given 0.
    """
    sandboxed = task.get("sandbox", True)
    status = sandbox_status() if sandboxed else ""
    if status:
        raise RuntimeError(status)
    state = Conversation(task)
    while (state.pending or state.runs == 0) and state.may_run_again():
        state.runs += 1
        spoke, errors = run_once(task, state, sandboxed)
        state.failed_starts += not spoke
        if state.failed_starts >= 2:
            why = printable((errors.strip().splitlines() or ["no reason given"])[-1], 300)
            raise RuntimeError(f"the sandbox did not start: {why}")
    return {"key": task.get("key"), "outputs": state.outputs, "answers": state.answers, "faults": state.faults,
            "notes": state.notes, "runs": state.runs, "seconds": time.monotonic() - state.started}


def run_once(task, state, sandboxed):
    """One start of the runner, in a fresh folder: (whether it said anything, its stderr)."""
    name = os.path.basename(task.get("notebook_name", "notebook.ipynb"))
    workdir = tempfile.mkdtemp(prefix="nnlearn-sandbox-")
    try:
        with tempfile.TemporaryFile() as notebook, (Slot() if sandboxed else _NoSlot()) as slot, \
                _group(slot, sandboxed) as group:
            notebook.write(task.get("notebook_text", "").encode())
            notebook.flush()
            notebook.seek(0)
            if sandboxed:
                command = sandbox_command(notebook.fileno(), name, slot.uid, task.get("hide", ()))
                env, fds = None, (notebook.fileno(),)
            else:
                command, env, fds = plain_run(notebook, name, workdir), _plain_env(workdir), ()
            cpu = int(max(5, state.budget_end - time.monotonic())) + 1
            run = RunnerProcess(command, workdir, _limits(cpu, group), env, fds)
            try:
                spoke = state.converse(run)
            finally:
                errors = run.stop()        # always: the sandbox never outlives its run or its slot
            if group is not None and group.oom_kills():
                state.notes.append(f"the sandbox ran out of memory ({sandbox_cgroup.MEMORY_BYTES // 1024 ** 2} MB "
                                   "for all its processes and files together)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return spoke, errors


_CGROUPS = {}


def cgroup_status():
    """'' when each sandbox gets a cgroup of its own here (checked once per process), else why not."""
    if "status" not in _CGROUPS:
        _CGROUPS["status"] = sandbox_cgroup.available()
    return _CGROUPS["status"]


def _group(slot, sandboxed):
    """The slot's cgroup (killed and removed on exit), or nothing where cgroups cannot be used."""
    if not sandboxed or cgroup_status():
        return contextlib.nullcontext(None)
    return sandbox_cgroup.Cgroup(slot.uid - UID_BASE)


def plain_run(notebook, name, workdir):
    """No sandbox: the notebook written to workdir, and the command running the runner there."""
    with open(os.path.join(workdir, name), "wb") as handle:
        handle.write(notebook.read())
    return plain_command(workdir)


def _plain_env(workdir):
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": workdir,
            "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}


class _NoSlot:
    uid = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
