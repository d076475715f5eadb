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
"""

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
            raise CheckFailed(f"{len(failed)} of {len(self.results)} {kind} checks of {self.exercise} failed "
                              "(see above what was expected and the hints).")
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
