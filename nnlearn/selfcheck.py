"""Self-checks for the exercises: say exactly what passed and what failed.

    with Checks("mse_loss") as check:
        check.close(mse_loss([1., 2.], [0., 0.]), 2.5, inputs="prediction=[1, 2], target=[0, 0]")
        check.close(mse_loss([3.], [3.]), 0.0, inputs="prediction=[3], target=[3]")

prints one line per check (the input, the expected and the actual value when it fails) and, when
every check passed, "All N public checks passed." It never claims more: the hidden tests that
grade the work run later. A failing check raises AssertionError after all checks are reported,
so a graded check cell scores zero. `Checks(..., public=False)` is for hidden tests: it prints
nothing about its inputs, so grading feedback does not reveal them.
"""

import numpy as np


class Checks:
    """A group of checks on one exercise, reported together when the `with` block ends."""

    def __init__(self, exercise, public=True):
        self.exercise = exercise
        self.public = public
        self.results = []                      # (passed, description)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None:
            return False                       # e.g. NotImplementedError: let it show as it is
        failed = [text for passed, text in self.results if not passed]
        if self.public:
            for passed, text in self.results:
                print(("✔ " if passed else "✘ ") + text)
            if not failed:
                print(f"All {len(self.results)} public checks of {self.exercise} passed. "
                      "(Hidden tests run when your work is graded.)")
        if failed:
            if self.public:
                raise AssertionError(f"{len(failed)} of {len(self.results)} public checks of {self.exercise} failed")
            raise AssertionError(f"{len(failed)} of {len(self.results)} hidden checks of {self.exercise} failed")
        return False

    def _record(self, passed, inputs, expected, actual, what):
        if passed:
            text = f"{what} for {inputs}" if inputs else what
        else:
            text = (f"{what} for {inputs}: " if inputs else f"{what}: ") + (
                f"expected {_show(expected)}, got {_show(actual)}")
        self.results.append((bool(passed), text))
        return bool(passed)

    def close(self, actual, expected, inputs="", rtol=1e-6, atol=1e-9, what="value"):
        """Passes when actual has expected's shape and matches it to rtol/atol."""
        try:
            actual_array = np.asarray(actual, dtype=float)
            expected_array = np.asarray(expected, dtype=float)
            passed = (actual_array.shape == expected_array.shape
                      and np.allclose(actual_array, expected_array, rtol=rtol, atol=atol))
        except (TypeError, ValueError):
            passed = False
        return self._record(passed, inputs, expected, actual, what)

    def true(self, condition, description):
        """Passes when condition holds; description says what was checked."""
        self.results.append((bool(condition), description + ("" if condition else ": not the case")))
        return bool(condition)


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
