"""What one submission's runs say to the grader, and what is made of it (trusted, in the worker).

The runner gets the cells to run, then the probes in batches: the public ones first, the others
only once every public one is answered, so nothing a public probe's failure says can carry a
hidden probe. Each fault is blamed on what was running: a cell is skipped on the next start, a
probe fails alone, anything between probes (only tampering gets there) fails what is left.
Outputs are kept, bounded, until the first probe batch is sent, and never after.
"""

import time

from stream import MAX_OUTPUT_CHARS, MAX_PROBE_LINE, output_chars

MAX_ANSWER_CHARS = 40_000_000        # all of a submission's probe answers together


class Conversation:
    """What one submission's runs have said so far, and the conversation of one run."""

    def __init__(self, task):
        self.task, self.started = task, time.monotonic()
        self.budget_end = self.started + task["budget"]
        self.timeout = task["timeout"]
        self.probe_timeout = task.get("probe_timeout") or task["timeout"]
        self.cells = [(int(index), label, source) for index, label, source in task["cells"]]
        self.labels = {index: label for index, label, _ in self.cells}
        self.pending = [(item[0], item[1], list(item[2]) if len(item) > 2 else []) for item in task["probes"]]
        self.skip, self.outputs, self.answers, self.faults, self.notes = set(), {}, {}, {}, []
        self.frozen, self.runs, self.failed_starts, self.kept_chars, self.answer_chars = False, 0, 0, 0, 0

    def may_run_again(self):
        out_of_time = time.monotonic() > self.budget_end
        if out_of_time or self.runs > len(self.cells) + len(self.task["probes"]) + 2:
            why = "the submission ran out of time" if out_of_time else "the sandbox kept stopping"
            self.fail_pending(why)
            self.notes.append(f"{why}; probes not answered")
            return False
        return True

    def fail_pending(self, why, keys=None):
        for key, _, _ in self.pending:
            if keys is None or key in keys:
                self.faults[key] = why
        self.pending = [p for p in self.pending if keys is not None and p[0] not in keys]

    def next_batch(self):
        """The public probes still to answer, or, when none is left, the others."""
        public = [p for p in self.pending if p[0].startswith("public/")]
        return [list(p) for p in (public or self.pending)]

    def converse(self, run):
        """Run the cells not skipped, then the probes in batches; True if the runner said anything."""
        end = [time.monotonic() + self.timeout + 20]                  # + start-up
        current, batch, spoke = None, None, False
        run.send({"cells": [[index, source] for index, _, source in self.cells if index not in self.skip],
                  "forbidden": sorted({name for _, _, names in self.pending for name in names})})
        for message in run.lines(lambda: min(end[0], self.budget_end) - time.monotonic()):
            now = time.monotonic()
            if message[0] == "fault":
                self.blame(message[1], current, batch, end[0])
                return spoke
            spoke = True
            kind = message[0]
            if kind == "start" and batch is None and message[1] in self.labels:
                current, end[0] = ("cell", message[1]), now + self.timeout
            elif kind == "cell" and batch is None and message[1] in self.labels:
                if not self.frozen:
                    self.keep_outputs(message[1], message[2])
                current, end[0] = None, now + self.timeout
            elif kind == "cells_done" and batch is None:
                self.frozen = True                                   # feedback outputs end here, for good
                batch = self.send_batch(run)
                current, end[0] = None, now + self.probe_timeout
            elif kind == "probe_start" and batch and message[1] in batch:
                current, end[0] = ("probe", message[1]), now + self.probe_timeout
            elif kind == "probe" and batch and message[1] in batch and message[1] not in self.answers:
                self.answer_chars += len(message[2])
                if self.answer_chars > MAX_ANSWER_CHARS:
                    self.blame("answered with more than the grader reads", ("probe", message[1]), batch, 0)
                    return spoke
                self.answers[message[1]] = message[2]
                self.pending = [p for p in self.pending if p[0] != message[1]]
                current, end[0] = None, now + self.probe_timeout
            elif kind == "done" and batch is not None:
                self.fail_pending("no answer", set(batch))           # said it was done without answering
                if not self.pending:
                    return spoke
                batch = self.send_batch(run)
                current, end[0] = None, now + self.probe_timeout
        return spoke

    def send_batch(self, run):
        probes = self.next_batch()
        run.line_limit = MAX_PROBE_LINE
        run.send({"probes": probes})
        return {key for key, _, _ in probes}

    def keep_outputs(self, index, outputs):
        size = output_chars(outputs)
        if self.kept_chars + size > MAX_OUTPUT_CHARS:
            outputs = [{"output_type": "stream", "name": "stderr", "text": "[output cut: too long]\n"}]
        self.kept_chars += min(size, MAX_OUTPUT_CHARS)
        self.outputs[index] = outputs

    def blame(self, reason, current, batch, end):
        """A fault: blame what was running (a cell is skipped next time, a probe fails alone)."""
        if reason == "timeout":
            limit = self.timeout if current and current[0] == "cell" else self.probe_timeout
            reason = "the submission ran out of time" if end >= self.budget_end else f"ran out of time ({limit} s)"
        if current and current[0] == "cell":
            self.skip.add(current[1])
            self.notes.append(f"{self.labels[current[1]]}: {reason}; graded without it")
        elif current:
            self.fail_pending(reason, {current[1]})
            self.notes.append(f"probe {current[1]}: {reason}")
        elif batch is not None:                                      # between probes: only tampering
            self.fail_pending(f"the runner stopped answering ({reason})")   # with the runner gets here
            self.notes.append(f"the runner stopped answering between probes ({reason})")
