"""Plain data: what may cross from a student's sandboxed process to the grader, and how it is compared.

The student's kernel turns a probe's `result` into JSON with `to_plain` (sent there as source,
`KERNEL_SOURCE`); the trusted side parses that text with `parse_answer` (strictly: known shapes
only, bounded size, depth and integer width) and `compare`s it with the solution's answer.
The runner in the sandbox imports this module only for `KERNEL_SOURCE`.
"""

import json
import math
import warnings
from dataclasses import dataclass

import numpy as np

MAX_JSON_CHARS = 20_000_000          # a student's answer to one probe, as JSON text
MAX_DEPTH = 20
MAX_ITEMS = 2_000_000
MAX_CONTAINERS = 100_000             # lists and objects in one answer (an array is one list)
MAX_INT_BITS = 64                    # an integer in an answer fits in 64 bits (int64 or uint64)


class PlainDataError(ValueError):
    """A result that is not plain data, or JSON that is not what to_plain writes."""


# --- plain data: what may cross from the student's process to the grader ----------------------
# JSON with three tagged forms: {"ndarray": [dtype, shape, flat values]}, {"float": "nan"|"inf"|"-inf"},
# {"dict": [[key, value], ...]}, {"tuple": [...]}. Lists, strings, bools, ints, finite floats and null
# are themselves. This function is also sent, as source, to the student's kernel (see KERNEL_SOURCE).

def to_plain(value, _depth=0):
    """Turn a probe's result into JSON-ready plain data; PlainDataError for anything else."""
    if _depth > MAX_DEPTH:
        raise PlainDataError("result is nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise PlainDataError(f"result holds an array of dtype {value.dtype}")
        flat = [to_plain(item) for item in value.ravel().tolist()]
        return {"ndarray": [str(value.dtype), list(value.shape), flat]}
    if isinstance(value, tuple):
        return {"tuple": [to_plain(item, _depth + 1) for item in value]}
    if isinstance(value, list):
        return [to_plain(item, _depth + 1) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise PlainDataError("result holds a dict whose keys are not all strings")
        return {"dict": [[key, to_plain(item, _depth + 1)] for key, item in value.items()]}
    raise PlainDataError(f"result holds a {type(value).__name__}, which is not plain data")


def from_plain(data, _depth=0, _count=None):
    """Rebuild a value from to_plain's JSON data, checking every part of it (trusted side)."""
    count = _count if _count is not None else [0]
    count[0] += 1
    if count[0] > MAX_ITEMS or _depth > MAX_DEPTH:
        raise PlainDataError("answer is too large or too deeply nested")
    if isinstance(data, int) and not isinstance(data, bool) and data.bit_length() > MAX_INT_BITS:
        raise PlainDataError(f"answer holds an integer wider than {MAX_INT_BITS} bits")
    if data is None or isinstance(data, (bool, str, int)):
        return data
    if isinstance(data, float):
        return data
    if isinstance(data, list):
        return [from_plain(item, _depth + 1, count) for item in data]
    if isinstance(data, dict) and len(data) == 1:
        (tag, body), = data.items()
        if tag == "float" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag == "tuple" and isinstance(body, list):
            return tuple(from_plain(item, _depth + 1, count) for item in body)
        if tag == "dict" and isinstance(body, list):
            pairs = []
            for pair in body:
                if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                    raise PlainDataError("malformed dict in answer")
                pairs.append((pair[0], from_plain(pair[1], _depth + 1, count)))
            return dict(pairs)
        if tag == "ndarray" and isinstance(body, list) and len(body) == 3:
            dtype, shape, flat = body
            if (not isinstance(dtype, str) or not isinstance(shape, list) or not isinstance(flat, list)
                    or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)):
                raise PlainDataError("malformed array in answer")
            try:
                dtype = np.dtype(dtype)
            except TypeError:
                raise PlainDataError("malformed array dtype in answer") from None
            if dtype.kind not in "biuf" or math.prod(shape) != len(flat):
                raise PlainDataError("malformed array in answer")
            count[0] += len(flat)
            values = [from_plain(item, _depth + 1, count) for item in flat]
            if not all(isinstance(v, (bool, int, float)) for v in values):
                raise PlainDataError("malformed array values in answer")
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")            # numpy warns before it wraps around
                    return np.array(values, dtype=dtype).reshape(shape)
            except (OverflowError, ValueError, TypeError, DeprecationWarning, RuntimeWarning):
                raise PlainDataError(f"answer holds values that do not fit in {dtype}") from None
    raise PlainDataError("answer is not plain data")


def parse_answer(text):
    """Strict parse of the JSON text a student's kernel sent for one probe."""
    if not isinstance(text, str) or len(text) > MAX_JSON_CHARS:
        raise PlainDataError("answer is missing or too long")
    if text.count("[") + text.count("{") > MAX_CONTAINERS:    # before parsing: bounded memory
        raise PlainDataError("answer holds too many lists or objects")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise PlainDataError("answer is not valid JSON") from None
    if not isinstance(data, dict) or set(data) not in ({"result"}, {"error"}):
        raise PlainDataError("answer has the wrong form")
    if "error" in data:
        if not isinstance(data["error"], str):
            raise PlainDataError("answer has the wrong form")
        return Answer(error=data["error"][:300])
    return Answer(value=from_plain(data["result"]))


@dataclass
class Answer:
    """What one probe gave: a value, or the error it raised (as 'TypeName: message')."""

    value: object = None
    error: str = ""
    tolerance: float = 0.0           # the solution's answer only: atol computed from Probe.spread


# --- the comparison (trusted side only) ---------------------------------------------------------

def _kind(dtype):
    return {"b": "bool", "i": "int", "u": "int", "f": "float"}[dtype.kind]


def compare(actual, expected, rtol=1e-7, atol=1e-10, where="result"):
    """'' when actual matches expected, else a short reason. Bools, ints, strings exactly;
    floats within rtol/atol (NaN equals NaN); arrays by shape, kind (and width below 64 bits)."""
    if isinstance(expected, np.ndarray):
        if not isinstance(actual, np.ndarray):
            if isinstance(actual, (list, int, float)) and not isinstance(actual, bool):
                try:
                    actual = np.asarray(actual, dtype=float)
                except (TypeError, ValueError):
                    return f"{where}: expected an array, got a {type(actual).__name__}"
            else:
                return f"{where}: expected an array, got a {type(actual).__name__}"
        if actual.shape != expected.shape:
            return f"{where}: expected shape {expected.shape}, got {actual.shape}"
        if _kind(actual.dtype) != _kind(expected.dtype):
            return f"{where}: expected {_kind(expected.dtype)} values, got {_kind(actual.dtype)}"
        if expected.dtype.kind == "f" and expected.dtype.itemsize < 8 and actual.dtype != expected.dtype:
            return f"{where}: expected dtype {expected.dtype}, got {actual.dtype}"
        if expected.dtype.kind == "f":
            ok = np.allclose(actual.astype(float), expected.astype(float), rtol=rtol, atol=atol, equal_nan=True)
        else:
            ok = np.array_equal(actual, expected)
        return "" if ok else f"{where}: values differ"
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        if type(actual) is not type(expected) or actual != expected:
            return f"{where}: expected {type(expected).__name__} {expected!r}" if not isinstance(expected, str) \
                else f"{where}: strings differ"
        return ""
    if isinstance(expected, (int, float)):
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return f"{where}: expected a number, got a {type(actual).__name__}"
        if isinstance(expected, int) and isinstance(actual, int):
            return "" if actual == expected else f"{where}: numbers differ"
        if math.isnan(expected) and math.isnan(actual) or actual == expected:   # NaN, inf
            return ""
        if not (math.isfinite(expected) and math.isfinite(actual)):    # inf - inf, 1 - inf
            return f"{where}: numbers differ"
        ok = abs(actual - expected) <= atol + rtol * abs(expected)
        return "" if ok else f"{where}: numbers differ"
    if isinstance(expected, (list, tuple)):
        if type(actual) is not type(expected):
            return f"{where}: expected a {type(expected).__name__}, got a {type(actual).__name__}"
        if len(actual) != len(expected):
            return f"{where}: expected {len(expected)} items, got {len(actual)}"
        for index, (a, e) in enumerate(zip(actual, expected)):
            reason = compare(a, e, rtol, atol, f"{where}[{index}]")
            if reason:
                return reason
        return ""
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(actual) != set(expected):
            return f"{where}: expected keys {sorted(expected)}"
        for key in expected:
            reason = compare(actual[key], expected[key], rtol, atol, f"{where}[{key!r}]")
            if reason:
                return reason
        return ""
    return f"{where}: cannot compare a {type(expected).__name__}"


# --- the kernel's half ----------------------------------------------------------------------------

# What runs in a student's kernel to answer one probe: run the code on a copy of the notebook's
# globals (probes do not see each other's variables) and print one line of JSON. Sent as source
# text with the probe code as a string literal; `to_plain` travels with it.
_KERNEL_TEMPLATE = '''
def __nnlearn_probe(code):
    import json as _json, math, numpy as np
    class PlainDataError(ValueError):
        pass
    MAX_DEPTH = {max_depth}
{to_plain}
    namespace = dict(globals())
    try:
        exec(compile(code, "<hidden test>", "exec"), namespace)
        return _json.dumps({{"result": to_plain(namespace["result"])}})
    except BaseException as error:            # a probe must answer, whatever the code raised
        if isinstance(error, KeyboardInterrupt):
            raise
        return _json.dumps({{"error": f"{{type(error).__name__}}: {{error}}"[:300]}})
'''


def _to_plain_source():
    import inspect
    source = inspect.getsource(to_plain)
    return "\n".join("    " + line for line in source.splitlines())


KERNEL_SOURCE = _KERNEL_TEMPLATE.format(max_depth=MAX_DEPTH, to_plain=_to_plain_source())


def kernel_code(probe):
    """Source to execute in a student's kernel: prints the probe's answer as one JSON line."""
    return KERNEL_SOURCE + f"\nprint(__nnlearn_probe({probe.code!r}))\ndel __nnlearn_probe\n"
