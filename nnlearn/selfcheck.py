"""Self-checks for the exercises: say exactly what passed and what failed.

    with Checks("mse_loss") as check:
        check.close(mse_loss([1., 2.], [0., 0.]), 2.5, inputs="prediction=[1, 2], target=[0, 0]")
        check.close(mse_loss([3.], [3.]), 0.0, inputs="prediction=[3], target=[3]")

prints one line per check (the input, the expected and the actual value when it fails, and a
hint that points at the likely mistake) and, when every check passed, "All N public checks
passed." It never claims more: the hidden tests that grade the work are judged by the grader.
A failing check raises CheckFailed (an AssertionError) after all checks are reported, and an
exercise still raising NotImplementedError raises NotAnswered (a NotImplementedError): both show
as one line, not as a traceback through this file, and both are errors that nbval and nbgrader see.
`Checks(..., public=False)` prints nothing about its inputs.

Predictions ("predict, then look") never show their answer before the learner has given it:
`check.prediction(answer, sealed, look=...)` holds the answer only as a token, `seal(answer, why)`,
which opens to the explanation with the right answer alone; `check.predicted(answer, truth,
look=..., why=...)` compares with a value the cell computes from the demo's own runs. A wrong
prediction is told where to look in the demo (`look`), not what it shows; a right one is told why.
A learner can still find the answer by trying every option: a prediction's point is for running
the predict-then-look loop, not for knowing beforehand. Authors make a token with
`python -m nnlearn.selfcheck ANSWER "WHY" [--digits N]`.
"""

import base64
import hashlib

import numpy as np


class NotAnswered(NotImplementedError):
    """The exercise cell above still raises NotImplementedError."""

    def _render_traceback_(self):              # IPython shows these lines instead of a traceback
        return [str(self)]


class CheckFailed(AssertionError):
    """Some checks failed; what and why was printed above."""

    def _render_traceback_(self):
        return [str(self)]


class Checks:
    """A group of checks on one exercise, reported together when the `with` block ends."""

    def __init__(self, exercise, public=True):
        self.exercise = exercise
        self.public = public
        self.results = []                      # (passed, description)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None and issubclass(exc_type, NotImplementedError):
            raise NotAnswered(f"{self.exercise}: not answered yet. Write your code in the exercise cell "
                              "above, run it, then run this cell again.") from None
        if exc_type is not None:
            return False                       # an error in the learner's code: show where it is
        failed = [text for passed, text in self.results if not passed]
        if self.public:
            for passed, text in self.results:
                print(("✔ " if passed else "✘ ") + text)
            if not failed:
                print(f"All {len(self.results)} public checks of {self.exercise} passed. "
                      "(Hidden tests run when your work is graded.)")
        if failed:
            kind = "public" if self.public else "hidden"
            guide = "where to look" if all("\n    look: " in text for text in failed) else "what was expected and the hints"
            raise CheckFailed(f"{len(failed)} of {len(self.results)} {kind} checks of {self.exercise} failed "
                              f"(see above {guide}).")
        return False

    def _record(self, passed, inputs, expected, actual, what, hint=""):
        if passed:
            text = f"{what} for {inputs}" if inputs else what
        else:
            text = (f"{what} for {inputs}: " if inputs else f"{what}: ") + (
                f"expected {_show(expected)}, got {_show(actual)}")
            if hint:
                text += f"\n    hint: {hint}"
        self.results.append((bool(passed), text))
        return bool(passed)

    def close(self, actual, expected, inputs="", rtol=1e-6, atol=1e-9, what="value", hint=""):
        """Passes when actual has expected's shape and matches it to rtol/atol; hint shows on failure."""
        try:
            actual_array = np.asarray(actual, dtype=float)
            expected_array = np.asarray(expected, dtype=float)
            passed = (actual_array.shape == expected_array.shape
                      and np.allclose(actual_array, expected_array, rtol=rtol, atol=atol))
        except (TypeError, ValueError):
            passed = False
        return self._record(passed, inputs, expected, actual, what, hint)

    def dtype(self, actual, expected, inputs="", what="dtype", hint=""):
        """Passes when actual is an array of dtype `expected` (float32 in, float32 out)."""
        expected = np.dtype(expected)
        got = actual.dtype if isinstance(actual, (np.ndarray, np.generic)) else type(actual).__name__
        passed = isinstance(actual, np.ndarray) and actual.dtype == expected
        text = f"{what} for {inputs}" if inputs else what
        text += f" is {expected}" if passed else f": expected {expected}, got {got}"
        if not passed and hint:
            text += f"\n    hint: {hint}"
        self.results.append((passed, text))
        return passed

    def unchanged(self, array, before, inputs="", what="the input is left unchanged", hint=""):
        """Passes when `array` holds exactly `before` (a copy taken earlier): same dtype, shape and
        every bit, so a value put back by arithmetic that is off by one rounding fails too."""
        array, before = np.asarray(array), np.asarray(before)
        passed = (array.dtype == before.dtype and array.shape == before.shape
                  and array.tobytes() == before.tobytes())
        text = f"{what} ({inputs})" if inputs else what
        if not passed:
            if array.dtype != before.dtype or array.shape != before.shape:
                text += f": it was {before.dtype} {before.shape}, now {array.dtype} {array.shape}"
            else:
                changed = array != before
                if not changed.any():       # equal values, other bits: -0.0 for 0.0, another NaN
                    text += ": equal values but not the same bits"
                else:
                    drift = np.max(np.abs(array.astype(float) - before.astype(float))[changed])
                    text += f": {int(changed.sum())} of {array.size} entries changed, by up to {drift:.1e}"
            if hint:
                text += f"\n    hint: {hint}"
        self.results.append((passed, text))
        return passed

    def prediction(self, answer, sealed, look, digits=None, options=None, what="your prediction"):
        """Passes when `answer` is the one `sealed` was made with (`seal(answer, why, digits)`);
        then shows why. A wrong answer gets `look`: where in the demo to see it for yourself."""
        problem = _form_problem(answer, digits, options)
        why = None if problem else _open(sealed, canonical(answer, digits))
        return self._prediction(answer, why, problem, look, what)

    def predicted(self, answer, truth, look, why, digits=None, options=None, what="your prediction", sealed=None):
        """Passes when `answer` equals `truth` (computed by the cell from the demo's runs; numbers
        compared rounded to `digits` decimals); then shows `why` (the live numbers) and what
        `sealed` holds (`seal(truth, text, digits)`: the part of the explanation that would give the
        answer away if it stood in the cell). A wrong answer gets `look`."""
        problem = _form_problem(answer, digits, options)
        right = problem is None and canonical(answer, digits) == canonical(truth, digits)
        if right and sealed is not None:
            why = f"{why} {_open(sealed, canonical(truth, digits)) or ''}".strip()
        return self._prediction(answer, why if right else None, problem, look, what)

    def _prediction(self, answer, why, problem, look, what):
        said = repr(answer)
        if isinstance(answer, (int, float, np.integer, np.floating)) and not isinstance(answer, bool):
            said = f"{float(answer):g}"
        if problem:
            text = f"{what} {said}: {problem}"
        elif why is None:
            text = f"{what} {said} is not what the demo shows\n    look: {look}"
        else:
            text = f"{what} {said}: right. Why: {why}"
        self.results.append((why is not None and not problem, text))
        return why is not None and not problem

    def true(self, condition, description, hint=""):
        """Passes when condition holds; description says what was checked; hint shows on failure."""
        condition = bool(condition)
        text = description if condition else description + ": not the case" + (f"\n    hint: {hint}" if hint else "")
        self.results.append((condition, text))
        return condition


def _show(value):
    """A short readable form of a value: rounded arrays, with their shape when not a scalar."""
    if value is None:
        return "None"
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return repr(value)
    text = np.array2string(array, precision=6, separator=", ", threshold=12, suppress_small=True)
    return text if array.ndim == 0 else f"{text} (shape {array.shape})"


# ----------------------------------------------------------------------------------- predictions
def canonical(answer, digits=None):
    """What two equal predictions have in common: a number rounded to `digits` decimals, or a
    choice without case, spaces, brackets or quotes ("(B)" is "b")."""
    if digits is not None:
        value = round(float(answer), digits) + 0.0                 # + 0.0: no "-0.00"
        return f"{value:.{max(digits, 0)}f}"
    return str(answer).strip().strip("()\"'").strip().lower()


def _form_problem(answer, digits, options):
    """Why `answer` cannot be judged at all (None when it can): not a number, or not an option."""
    if digits is not None:
        try:
            if not np.isfinite(float(answer)):
                return "expected a finite number"
        except (TypeError, ValueError):
            return "expected a number"
    if options is not None and canonical(answer, digits) not in {canonical(o, digits) for o in options}:
        return "expected one of " + ", ".join(repr(o) for o in options)
    return None


def _stream(key, length):
    blocks = (hashlib.sha256(key + i.to_bytes(4, "big")).digest() for i in range(length // 32 + 1))
    return b"".join(blocks)[:length]


def _key(form):
    """The key of an answer's canonical form."""
    return hashlib.sha256(b"nnlearn prediction " + form.encode()).digest()


def seal(answer, why, digits=None):
    """The token a prediction's check holds instead of its answer: `why`, locked with the answer
    (rounded to `digits` decimals when it is a number)."""
    key, data = _key(canonical(answer, digits)), why.encode()
    body = bytes(a ^ b for a, b in zip(data, _stream(key, len(data))))
    return base64.b64encode(hashlib.sha256(b"tag" + key + data).digest()[:8] + body).decode()


def _open(sealed, form):
    """The explanation `sealed` holds, if `form` (an answer's canonical form) is the one it was
    sealed with; else None."""
    raw = base64.b64decode(sealed)
    key = _key(form)
    data = bytes(a ^ b for a, b in zip(raw[8:], _stream(key, len(raw) - 8)))
    if hashlib.sha256(b"tag" + key + data).digest()[:8] != raw[:8]:
        return None
    return data.decode()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Seal a prediction's answer and explanation for check.prediction.")
    parser.add_argument("answer")
    parser.add_argument("why")
    parser.add_argument("--digits", type=int, default=None, help="a number's decimals (omit for a choice)")
    arguments = parser.parse_args()
    answer = float(arguments.answer) if arguments.digits is not None else arguments.answer
    print(seal(answer, arguments.why, arguments.digits))
