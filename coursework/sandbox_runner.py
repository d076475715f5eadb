"""Runs ONE student notebook inside the sandbox; everything it prints is the student's claim.

Started by coursework/sandbox.py as `python -I sandbox_runner.py` inside bubblewrap, with this
file, plain_data.py and the nnlearn package bound read-only in its folder (put first on sys.path, so
nothing in the student's working directory can shadow them). The protocol, one JSON object per
line on the stdout it inherited (the student's own prints go to captured streams):

    stdin   {"cells": [[index, source], ...], "forbidden": [name, ...]}   the code cells, in order,
                                                              and what some probes forbid
    stdout  {"start": index}  ...  {"cell": index, "outputs": [nbformat outputs]}   per cell
    stdout  {"cells_done": true}
    stdin   {"probes": [[key, code, [name, ...]], ...]}      only sent after cells_done
    stdout  {"probe_start": key}  ...  {"probe": key, "answer": "<JSON text>"}     per probe
    stdout  {"done": true}                                    per batch of probes; then the next
                                                              batch (hidden probes come only
                                                              after every public one is answered)

No verdict is made here: the answers are plain data (plain_data.KERNEL_SOURCE) that the trusted
coordinator parses strictly and compares with the solutions' answers, which never come here.
"""

import ast
import io
import json
import os
import re
import signal
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_STREAM_CHARS = 20_000            # per cell and stream: the rest is cut (feedback stays small)
MAX_REPR_CHARS = 5_000
MAGIC = re.compile(r"^(\s*)[%!].*$", re.MULTILINE)


class CappedStream(io.TextIOBase):
    """A text stream that keeps the first MAX_STREAM_CHARS characters written to it."""

    def __init__(self):
        self.parts, self.size, self.cut = [], 0, False

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = MAX_STREAM_CHARS - self.size
        if len(text) > room:
            self.cut = True
            text = text[:max(room, 0)]
        if text:
            self.parts.append(text)
            self.size += len(text)
        return len(text)

    def value(self):
        return "".join(self.parts) + ("\n[output cut: too long]\n" if self.cut else "")


def run_cell(source, namespace, index):
    """Execute one cell as a notebook would (the last expression's value is shown); outputs."""
    if source.lstrip().startswith("%%"):
        return [{"output_type": "stream", "name": "stderr", "text": "cell magic: not run while grading\n"}]
    source = MAGIC.sub(lambda m: m.group(1) + "pass", source)   # line magics and shell escapes
    out, err = CappedStream(), CappedStream()
    outputs, saved = [], (sys.stdout, sys.stderr)
    sys.stdout, sys.stderr = out, err
    try:
        tree = ast.parse(source, filename=f"<cell {index}>")
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, f"<cell {index}>", "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), f"<cell {index}>", "eval"), namespace)
            if value is not None:
                text = repr(value)
                outputs.append({"output_type": "execute_result", "execution_count": index,
                                "metadata": {}, "data": {"text/plain": text[:MAX_REPR_CHARS]}})
    except BaseException as error:                   # the student's error, shown as theirs
        if isinstance(error, KeyboardInterrupt):
            raise
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        lines = [line for line in lines if "sandbox_runner.py" not in line]
        outputs.append({"output_type": "error", "ename": type(error).__name__,
                        "evalue": str(error)[:MAX_REPR_CHARS], "traceback": [l[:2000] for l in lines[-20:]]})
    finally:
        sys.stdout, sys.stderr = saved
    streams = [{"output_type": "stream", "name": name, "text": stream.value()}
               for name, stream in (("stdout", out), ("stderr", err)) if stream.size or stream.cut]
    return streams + outputs


def main():
    sys.path[:0] = [HERE] + sys.argv[1:2]            # the read-only nnlearn and probes.py first
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in type(f).__name__.lower()
                        and "editable" not in getattr(f, "__name__", "").lower()]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a file too big fails to write, no kill
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    requests = os.fdopen(os.dup(0), "r")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):                             # C-level and child output go nowhere
        os.dup2(null, fd)
    sys.stdin = io.StringIO("")

    dumps = json.dumps                               # the student may patch json later

    def say(**message):
        protocol.write(dumps(message) + "\n")
        protocol.flush()

    import plain_data                                # only for KERNEL_SOURCE (to_plain)
    loads = json.loads
    plan = loads(requests.readline())
    guard, forbidden = refused, resolve(plan.get("forbidden", []))   # before any student code
    namespace = {"__name__": "__main__", "__builtins__": __builtins__,
                 "display": lambda *values, **_: [print(repr(value)) for value in values] and None}
    for index, source in plan["cells"]:
        say(start=index)
        say(cell=index, outputs=run_cell(source, namespace, index))
    say(cells_done=True)
    answer = None
    for line in requests:                            # batches of probes: public first, then hidden
        if answer is None:
            exec(compile(plain_data.KERNEL_SOURCE, "<probe runner>", "exec"), namespace)
            answer = namespace.pop("__nnlearn_probe")
        for key, code, names in loads(line)["probes"]:
            say(probe_start=key)
            sys.stdout = sys.stderr = CappedStream()   # a probe's prints are thrown away
            try:
                with guard(forbidden, names):
                    text = answer(code)
            finally:
                sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
            say(probe=key, answer=text if isinstance(text, str) else "")
        say(done=True)


def _refuse(*args, **kwargs):
    raise RuntimeError("this exercise asks you to write it yourself: the course's own version "
                       "refuses to run while it is graded")


def resolve(names):
    """{"module:qualified.name": (function, its code)}, looked up before any student code runs."""
    table = {}
    for name in names:
        module, _, rest = name.partition(":")
        target = __import__(module, fromlist=["_"])
        for part in rest.split("."):
            target = getattr(target, part)
        table[name] = (target, target.__code__)
    return table


class refused:
    """While a probe runs, the functions it names (e.g. "nnlearn.optim:Optimizer.step", the
    reference the exercise must not call) raise: the code of the function objects found before
    any cell ran is swapped, so every reference to them refuses, however it was reached, rebound
    or wrapped. A function copied beforehand from that code escapes: that is copying the course."""

    def __init__(self, table, names):
        self.swapped = [table[name] for name in names if name in table]

    def __enter__(self):
        for function, _ in self.swapped:
            function.__code__ = _refuse.__code__

    def __exit__(self, *exc):
        for function, code in self.swapped:
            function.__code__ = code


if __name__ == "__main__":
    main()
