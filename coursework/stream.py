"""The runner's stream: everything that comes out of a sandbox, read as hostile input.

`RunnerProcess` starts the runner and talks to it: what it sends is read with a cap per line (a
cell's message is small, a probe's answer may be larger) and in all, every wait has a deadline,
and what the coordinator writes to it never blocks (a runner that stops reading, or shrinks its
pipe, only runs out of time). `read_message` accepts the protocol's messages in their exact forms
and nothing else; `clean_outputs` keeps a cell's outputs only in known, bounded forms; `printable`
takes control characters and terminal escapes out of any text a person will see.
"""

import json
import os
import re
import select
import signal
import subprocess
import tempfile

MAX_CELL_LINE = 1_000_000            # one message while cells run (the runner caps outputs far below)
MAX_PROBE_LINE = 21_000_000          # one message while probes run (an answer may be ~20 MB of JSON)
MAX_STREAM = 200_000_000             # all it may send in one run
MAX_OUTPUT_CHARS = 2_000_000         # a submission's outputs kept for feedback, all cells together
MAX_KEY = 200                        # a probe key
CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?|"
                     r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text, limit=None):
    """text without terminal escapes and control characters (newlines and tabs stay), cut to limit."""
    text = CONTROL.sub("", str(text))
    return text if limit is None or len(text) <= limit else text[:limit] + "..."


def _index(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10_000_000


def _key(value):
    return isinstance(value, str) and 0 < len(value) <= MAX_KEY


def read_message(message):
    """The protocol message as a tuple, or None: ("start", index), ("cell", index, outputs),
    ("cells_done",), ("probe_start", key), ("probe", key, answer text), ("done",)."""
    if not isinstance(message, dict):
        return None
    keys = set(message)
    if keys == {"start"} and _index(message["start"]):
        return ("start", message["start"])
    if keys == {"cell", "outputs"} and _index(message["cell"]) and isinstance(message["outputs"], list):
        return ("cell", message["cell"], clean_outputs(message["outputs"]))
    if keys == {"probe_start"} and _key(message["probe_start"]):
        return ("probe_start", message["probe_start"])
    if keys == {"probe", "answer"} and _key(message["probe"]) and isinstance(message["answer"], str):
        return ("probe", message["probe"], message["answer"])
    for flag in ("cells_done", "done"):
        if keys == {flag} and message[flag] is True:
            return (flag,)
    return None


def _text(value, limit):
    return value[:limit] if isinstance(value, str) else ""


def clean_outputs(outputs):
    """The student's outputs as they came from the sandbox, kept only in known, bounded forms."""
    kept = []
    for output in outputs[:20] if isinstance(outputs, list) else []:
        if not isinstance(output, dict):
            continue
        kind = output.get("output_type")
        data = output.get("data")
        if kind == "stream" and output.get("name") in ("stdout", "stderr") and isinstance(output.get("text"), str):
            kept.append({"output_type": "stream", "name": output["name"], "text": output["text"][:25_000]})
        elif kind == "execute_result" and isinstance(data, dict) and isinstance(data.get("text/plain"), str):
            kept.append({"output_type": "execute_result", "execution_count": None, "metadata": {},
                         "data": {"text/plain": data["text/plain"][:5_000]}})
        elif kind == "error":
            trace = output.get("traceback") if isinstance(output.get("traceback"), list) else []
            kept.append({"output_type": "error", "ename": _text(output.get("ename"), 100) or "Error",
                         "evalue": _text(output.get("evalue"), 2_000),
                         "traceback": [_text(line, 2_000) for line in trace[:20]]})
    return kept


def output_chars(outputs):
    return sum(len(o.get("text", "")) + len(o.get("data", {}).get("text/plain", "")) + len(o.get("evalue", ""))
               + sum(map(len, o.get("traceback", []))) for o in outputs)


class RunnerProcess:
    """One start of the runner: a process, its stream both ways, and what it said."""

    def __init__(self, command, workdir, preexec_fn, env=None, pass_fds=()):
        self.stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, cwd=workdir, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.stderr, env=env, start_new_session=True,
                                        preexec_fn=preexec_fn, pass_fds=pass_fds)
        os.set_blocking(self.process.stdin.fileno(), False)
        self.buffer, self.total, self.outbox = b"", 0, b""
        self.line_limit = MAX_CELL_LINE

    def send(self, message):
        """Queue a message; it is written as the runner reads, never blocking the coordinator."""
        self.outbox += (json.dumps(message) + "\n").encode()
        self._flush()

    def _flush(self):
        try:
            while self.outbox:
                written = os.write(self.process.stdin.fileno(), self.outbox[:1 << 16])
                self.outbox = self.outbox[written:]
        except BlockingIOError:
            pass
        except OSError:
            self.outbox = b""                               # the runner closed its end

    def lines(self, deadline):
        """Yield messages (read_message's tuples; anything else is the student's noise) until
        deadline() passes; then a ("fault", reason)."""
        stdout, stdin = self.process.stdout.fileno(), self.process.stdin.fileno()
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                if len(line) > self.line_limit:
                    yield ("fault", "printed more than the grader reads")
                    return
                try:
                    message = read_message(json.loads(line))
                except (ValueError, RecursionError):
                    continue
                if message:
                    yield message
            if len(self.buffer) > self.line_limit or self.total > MAX_STREAM:
                yield ("fault", "printed more than the grader reads")
                return
            left = deadline()
            if left <= 0:
                yield ("fault", "timeout")
                return
            readable, writable, _ = select.select([stdout], [stdin] if self.outbox else [], [], min(left, 1.0))
            if writable:
                self._flush()
            if not readable:
                continue
            chunk = os.read(stdout, 1 << 20)
            if not chunk:
                self.process.wait()
                yield ("fault", exit_reason(self.process.returncode))
                return
            self.total += len(chunk)
            self.buffer += chunk

    def stop(self):
        """Kill the runner (bwrap, and with it the pid namespace); its stderr's first 4000 bytes."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.stderr.seek(0)
        text = self.stderr.read(4000).decode(errors="replace")
        self.stderr.close()
        return text


def exit_reason(code):
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        return f"the process was killed ({name})"
    return f"the process ended (exit code {code})"
