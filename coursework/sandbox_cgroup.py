"""A sandbox bounded as a whole: a control group of its own (cgroup v1: memory and pids) per slot.

rlimits bound each process of a sandbox (1.5 GB of address space, 8 processes of its uid); the
memory cgroup bounds what all of them hold together, the pages they write to the sandbox's tmpfs
folders (/tmp/submission, /dev/shm) included, since tmpfs pages are charged to the group that
writes them; the pids cgroup bounds the number of tasks whatever their uid (bubblewrap's own
included). When a run ends, every task still in the group is killed and the group removed.

Needs root and the v1 hierarchies /sys/fs/cgroup/memory and /sys/fs/cgroup/pids (the grading
machine has them). cgroup v2 is not used. Where they are missing, `available()` says why and the
bound is the rlimits and tmpfs sizes alone: processes x address space + the two tmpfs.
"""

import os
import signal
import time

ROOT = "/sys/fs/cgroup"
PARENT = "nnlearn-sandbox"
MEMORY_BYTES = 2 * 1024 ** 3         # all of one sandbox: its processes and its tmpfs pages
TASKS = 16                           # processes and threads of one sandbox, bubblewrap's included


def available():
    """'' when sandboxes can be put in cgroups here, else the reason."""
    if os.geteuid() != 0:
        return "cgroups need root"
    for controller, knob in (("memory", "memory.limit_in_bytes"), ("pids", "pids.max")):
        folder = os.path.join(ROOT, controller)
        if not os.path.isfile(os.path.join(folder, "cgroup.procs")):
            return f"no cgroup v1 {controller} hierarchy at {folder}"
        try:
            os.makedirs(os.path.join(folder, PARENT), exist_ok=True)
        except OSError as error:
            return f"cannot make a cgroup in {folder} ({error.strerror})"
        if not os.path.isfile(os.path.join(folder, PARENT, knob)):
            return f"{folder} has no {knob}"
    return ""


class Cgroup:
    """The memory and pids groups of one slot: made with their limits, joined by the runner's
    first process before it starts bubblewrap, emptied (SIGKILL) and removed after the run."""

    def __init__(self, slot, memory_bytes=None, tasks=None):
        self.folders = {name: os.path.join(ROOT, name, PARENT, f"slot-{slot}") for name in ("memory", "pids")}
        self.memory_bytes = memory_bytes or MEMORY_BYTES
        self.tasks = tasks or TASKS

    def __enter__(self):
        for folder in self.folders.values():
            if os.path.isdir(folder):
                self.kill_all()                    # a run of this slot that was cut short
            os.makedirs(folder, exist_ok=True)
        memory = self.folders["memory"]
        _write(memory, "memory.limit_in_bytes", self.memory_bytes)
        if os.path.exists(os.path.join(memory, "memory.memsw.limit_in_bytes")):
            _write(memory, "memory.memsw.limit_in_bytes", self.memory_bytes)   # no way out through swap
        _write(self.folders["pids"], "pids.max", self.tasks)
        return self

    def join(self):
        """Put the calling process (the runner's, before exec) in both groups."""
        for folder in self.folders.values():
            _write(folder, "cgroup.procs", os.getpid())

    def oom_kills(self):
        """How often the kernel killed a task of this group for memory (0 when not known)."""
        try:
            with open(os.path.join(self.folders["memory"], "memory.oom_control")) as handle:
                fields = dict(line.split() for line in handle if line.strip())
            return int(fields.get("oom_kill", 0))
        except (OSError, ValueError):
            return 0

    def kill_all(self, seconds=10):
        """SIGKILL every task of the groups until none is left (or `seconds` pass)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            pids = {pid for folder in self.folders.values() for pid in _tasks(folder)}
            if not pids:
                return True
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)
        return False

    def __exit__(self, *exc):
        self.kill_all()
        for folder in self.folders.values():
            for _ in range(100):                   # a killed task leaves its group a moment later
                try:
                    os.rmdir(folder)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)
        return False


def _write(folder, name, value):
    with open(os.path.join(folder, name), "w") as handle:
        handle.write(str(value))


def _tasks(folder):
    try:
        with open(os.path.join(folder, "cgroup.procs")) as handle:
            return [int(line) for line in handle if line.strip()]
    except OSError:
        return []
