"""Judging a lesson's submissions (trusted code, in the coordinator): the solutions' answers to the
probes, once, and each submission's verdicts from the answers its sandbox sent.

A check_<x> cell earns its points iff every PUBLIC probe of x matches the solution's answer, a
hidden_<x> cell iff every HIDDEN probe does. An answer that is not plain data, or that overflows
(a uint8 holding 300, an integer of 400 digits), fails its probe alone, never the batch. Of a
student's own error text, at most MAX_SHOWN characters, without control characters, reach feedback.
"""

import os

import plain_data
import probes
from stream import printable

MAX_SHOWN = 160                  # characters of a failing case shown under a check cell


class Lesson:
    """A lesson's source, probes, graded cells and the solutions' answers (trusted)."""

    def __init__(self, root, name):
        import nbformat
        self.name = name
        self.source_path = os.path.join(root, "source", name, name + ".ipynb")
        self.source = nbformat.read(self.source_path, as_version=4)
        self.root = root if os.path.exists(os.path.join(root, "hidden", f"{name}.py")) else probes.COURSEWORK
        if not os.path.exists(os.path.join(self.root, "hidden", f"{name}.py")):
            raise SystemExit(f"{name} has no probes (hidden/{name}.py): its hidden tests "
                             "must be converted to probes before it can be graded safely")
        self.public, self.hidden = probes.load_probes(name, self.root)
        self.forbidden = probes.forbidden(name, self.root)
        self.points = {probes.grade_id(c): float(c.metadata["nbgrader"].get("points", 0))
                       for c in self.source.cells if c.metadata.get("nbgrader", {}).get("grade")}
        self.probes = {}
        for kind, table in (("public", self.public), ("hidden", self.hidden)):
            for exercise, items in table.items():
                for number, probe in enumerate(items):
                    self.probes[f"{kind}/{exercise}/{number}"] = probe
        unjudged = [gid for gid in self.points if gid.startswith(("check_", "hidden_")) and not
                    (self.public if gid.startswith("check_") else self.hidden).get(gid.split("_", 1)[1])]
        if unjudged:
            raise SystemExit(f"{name}: graded cells without probes in coursework/hidden/{name}.py: {unjudged}")
        expected = probes.expected_answers(name, self.root, self.source_path)
        self.expected = {f"{kind}/{exercise}/{number}": answer
                         for (kind, exercise), answers in expected.items()
                         for number, answer in enumerate(answers)}
        broken = {key: a.error for key, a in self.expected.items() if a.error}
        if broken:
            raise SystemExit(f"{name}: probes fail on the solutions: {broken}")

    def probe_tasks(self):
        """[[key, code, names the exercise's probes forbid]], as a sandbox's task lists them."""
        return [[key, probe.code, self.forbidden.get(key.split("/")[1], [])] for key, probe in self.probes.items()]

    def verdicts(self, result):
        """{grade_id: verdict} from a sandbox result; verdict: passed, points, message, reasons."""
        reasons = {}
        for key, probe in self.probes.items():
            if key in result["answers"]:
                try:
                    answer = plain_data.parse_answer(result["answers"][key])
                except (plain_data.PlainDataError, ArithmeticError, ValueError, RecursionError) as error:
                    reasons[key] = f"answer not accepted: {error}"
                    continue
                reason = probes.judge(answer, self.expected[key], probe)
            else:
                reason = result["faults"].get(key, "no answer")
            reason = printable(reason, 300) if reason else reason
            if reason:
                reasons[key] = reason
        verdicts = {}
        for gid, points in self.points.items():
            kind, _, exercise = gid.partition("_")
            if kind not in ("check", "hidden"):
                continue
            prefix = f"{'public' if kind == 'check' else 'hidden'}/{exercise}/"
            failing = {key: reason for key, reason in reasons.items() if key.startswith(prefix)}
            total = sum(key.startswith(prefix) for key in self.probes)
            if kind == "check":
                first = next(iter(failing.values()), "")
                message = (f"public checks of {exercise} passed" if not failing else
                           f"public checks of {exercise} failed: {len(failing)} of {total} cases "
                           f"({printable(first, MAX_SHOWN)})")
                ename = "PublicChecksFailed"
            else:
                message = (f"Hidden tests of `{exercise}` passed" if not failing else
                           f"Hidden tests of `{exercise}` failed")
                ename = "HiddenTestsFailed"
            verdicts[gid] = {"passed": not failing, "points": points if not failing else 0.0,
                             "message": message, "ename": ename, "reasons": failing, "probes": total}
        return verdicts


def exercise_scores(cells):
    """{exercise: (score, max)} from {grade_id: (score, max)}: check_<x> and hidden_<x> add up."""
    totals = {}
    for grade_id, (score, max_score) in cells.items():
        name = grade_id.split("_", 1)[1] if grade_id.startswith(("check_", "hidden_")) else grade_id
        got, out_of = totals.get(name, (0.0, 0.0))
        totals[name] = (got + (score or 0.0), out_of + (max_score or 0.0))
    return totals



