"""Argument checks shared by the package.

Every misuse should fail here, early, with a message that names the argument, what was expected
and what was given, instead of as a broadcast, a NaN or a traceback from deep inside numpy.
"""

import numbers

import numpy as np


def describe(value):
    """A short description of a value for error messages: its type, and shape/dtype for arrays."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__} {value!r}" if np.isscalar(value) else type(value).__name__


def as_float_array(value, name, dtype=None, where=""):
    """Convert an array-like of real numbers to a floating ndarray (of `dtype` when given).

    A float ndarray of another precision is refused rather than silently cast, so float32
    stays float32 end to end; lists and integer arrays are converted.
    """
    if type(value) is np.ndarray and value.dtype.kind == "f" and (dtype is None or value.dtype == dtype):
        return value                                   # the common case, kept cheap: no copy, no checks
    prefix = f"{where}: " if str(where) else ""        # `where` may be any object (a layer): formatted only here
    if isinstance(value, np.ndarray):
        array = value
    else:
        try:
            array = np.asarray(value)
        except (ValueError, TypeError) as error:
            raise TypeError(f"{prefix}{name} must be an array of numbers, got {describe(value)}") from error
    kind = array.dtype.kind
    if kind == "f":
        if dtype is not None and array.dtype != dtype:
            if isinstance(value, np.ndarray):
                raise TypeError(
                    f"{prefix}{name} has dtype {array.dtype} but the parameters are {np.dtype(dtype)}; "
                    f"convert it with {name}.astype(np.{np.dtype(dtype)})"
                )
            array = array.astype(dtype)
        return array
    if kind in "iu":
        return array.astype(dtype if dtype is not None else np.float64)
    raise TypeError(f"{prefix}{name} must hold real numbers, got {describe(value)}")


def check_ndim(array, ndim, name, where="", hint=""):
    if array.ndim != ndim:
        prefix = f"{where}: " if where else ""
        raise ValueError(
            f"{prefix}{name} must be {ndim}-dimensional, got shape {array.shape}{hint}"
        )


def check_same_shape(prediction, target, where):
    """Refuse (N, 1) against (N,) and every other mismatch: broadcasting would compute the wrong loss."""
    if prediction.shape != target.shape:
        raise ValueError(
            f"{where}: prediction and target must have the same shape, got prediction {prediction.shape} "
            f"and target {target.shape} (numpy would broadcast them into a wrong loss; reshape one of them)"
        )


def check_real(value, name, *, low=None, high=None, low_inclusive=True, high_inclusive=True):
    """Check a hyperparameter: a real, finite number within [low, high] (bounds optional)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {describe(value)}")
    value = float(value)
    below = low is not None and (value < low if low_inclusive else value <= low)
    above = high is not None and (value > high if high_inclusive else value >= high)
    if not np.isfinite(value) or below or above:
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        interval = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise ValueError(f"{name} must be a finite number in {interval}, got {value!r}")
    return value


def check_int(value, name, low=None):
    """Check a count: an integer (not bool, not float) of at least `low`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {describe(value)}")
    if low is not None and value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")
    return int(value)


def check_finite(array, name, where=""):
    array = np.asarray(array)
    # A finite sum means every entry is finite (a NaN or an infinity would carry into it): one pass,
    # no boolean array the size of the data. Only when it is not (or it overflowed) look closer.
    if array.dtype.kind in "biu" or array.size == 0:
        return
    if array.size <= 4096:                             # small (a batch): one cheap pass, no error state to set
        if np.isfinite(array).all():
            return
    else:
        with np.errstate(all="ignore"):
            if np.isfinite(array.sum()):
                return
    if not np.all(np.isfinite(array)):
        prefix = f"{where}: " if where else ""
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ValueError(f"{prefix}{name} contains {bad} NaN or infinite value(s); clean the data first")


def as_rng(rng, name="rng"):
    """A numpy Generator from None, an int seed or a Generator (the one meaning of rng everywhere).

    None: fresh entropy from the operating system, a different draw every run. An int seed >= 0:
    the same draw every run. A Generator: used as it is (it advances, so consecutive calls differ).
    """
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"{name} must be a seed >= 0 (or None, or a numpy Generator), got {rng}")
        return np.random.default_rng(int(rng))
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(f"{name} must be None, an int seed or a numpy.random.Generator, got {describe(rng)}")


def check_float_dtype(dtype, where):
    """A float dtype for parameters: float32 or float64 (float16 cannot train: see the message)."""
    try:
        dtype = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"{where}: dtype must be a floating dtype such as np.float64, got {describe(dtype)}") from error
    if dtype.kind != "f":
        raise TypeError(f"{where}: dtype must be a floating dtype such as np.float64, got {dtype}")
    if dtype.itemsize < 4:
        raise TypeError(
            f"{where}: dtype {dtype} is not supported: float16 keeps about 3 significant digits and "
            "overflows above 65504, too coarse for gradient steps; use np.float32 (fast) or np.float64 (exact)"
        )
    return dtype
