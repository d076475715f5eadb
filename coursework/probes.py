"""Hidden tests as probes: the student's code answers questions, the trusted grader judges.

A probe is a snippet of Python that calls the student's functions and assigns the answer to a
variable `result`: plain data (numbers, bools, strings, None, numpy arrays, and lists, tuples and
dicts of them). It holds inputs, never expected values. The grader runs the same snippet twice:

    in the student's kernel   (sandboxed) -> result -> to_plain -> JSON text -> from_plain
    against the solutions     (trusted)   -> result -> to_plain ---------------> from_plain
                                                                      compare(actual, expected)

so nothing the student's process does (patching numpy, nnlearn, builtins or IPython) can change a
verdict: at most it changes the student's own answers. `from_plain` parses the student's JSON
strictly (known shapes only, bounded size and depth) and `compare` runs on the trusted side.

Each lesson's probes live in coursework/hidden/NN_topic.py:

    from probes import Probe
    PUBLIC = {"mse_loss": [Probe("result = mse_loss(np.array([1., 2., 3.]), np.zeros(3))")]}
    HIDDEN = {"mse_loss": [Probe("...", rtol=1e-9)]}

PUBLIC mirrors the notebook's public check cell (the learner sees those inputs and answers, so a
check cell's points are earned by the same inputs, judged here); HIDDEN tries what it does not.
An investigation's answer is a measurement: its probe's `spread` is code run on the solutions only
that assigns `tolerance`, the atol the answer is judged with, from the spread of the solution's own
runs (over the seeds its spec names, say).

    python coursework/probes.py 00_learning_loop                   # every probe runs on the solutions
    python coursework/probes.py 00_learning_loop --submissions     # and fails on BUGGY/TUNED/WRONG
"""

import argparse
import contextlib
import importlib.util
import io
import json
import math
import os
import sys
import traceback
import warnings
from dataclasses import dataclass

import numpy as np

COURSEWORK = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(COURSEWORK)
MAX_JSON_CHARS = 20_000_000          # a student's answer to one probe, as JSON text
MAX_DEPTH = 20
MAX_ITEMS = 2_000_000
MAX_CONTAINERS = 100_000             # lists and objects in one answer (an array is one list)
MAX_INT_BITS = 64                    # an integer in an answer fits in 64 bits (int64 or uint64)


@dataclass(frozen=True)
class Probe:
    """One hidden question: `code` assigns `result`; compared within rtol/atol (floats only)."""

    code: str
    rtol: float = 1e-7
    atol: float = 1e-10
    label: str = ""                  # what it tries, for the instructor's report ("float32 input")
    spread: str = ""                 # an investigation's: code run on the solutions only that assigns
                                     # `tolerance`, the atol allowed, from the spread of the solution's own runs


def prediction(expression, digits=None):
    """The probe of a prediction ("predict, then look"): the answer as its self-check compares it
    (nnlearn.selfcheck.canonical: a number rounded to `digits` decimals, a choice without case,
    spaces, brackets or quotes), so the public check and the grade agree on every answer."""
    return Probe(f"from nnlearn.selfcheck import canonical\nresult = canonical({expression}, {digits!r})\n",
                 label="the prediction")


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


def judge(answer, expected, probe):
    """'' when the student's Answer matches the solution's Answer to this probe, else a reason.
    Never raises: an answer the comparison cannot handle (a number too large for a float) fails."""
    if expected.error:
        return f"the probe fails on the solution itself ({expected.error}): fix the probe"
    if answer.error:
        return f"raised {answer.error}"
    try:
        return compare(answer.value, expected.value, probe.rtol, max(probe.atol, expected.tolerance))
    except (ArithmeticError, ValueError, TypeError, RecursionError) as error:
        return f"result: cannot be compared ({type(error).__name__})"


# --- running probes ----------------------------------------------------------------------------

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


def answer_in_namespace(probe, namespace):
    """Run one probe on a copy of `namespace` in this process (the trusted side, or tests)."""
    scope = dict(namespace)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                np.errstate(all="ignore"):
            exec(compile(probe.code, "<probe>", "exec"), scope)
        return Answer(value=from_plain(to_plain(scope["result"])))
    except Exception as error:
        return Answer(error=f"{type(error).__name__}: {error}"[:300])


def grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or ""


def notebook_namespace(notebook_path, replacements=None, skip_prefixes=("demo_", "check_", "hidden_")):
    """Execute a notebook's code cells in a fresh namespace, here, and return it (and the errors).

    replacements maps an exercise name to code that replaces its `ex_<name>` cell. Demo, check and
    hidden cells are skipped; a cell that raises is reported and the rest still run. For the
    trusted side (the solutions) and for tests; student notebooks run sandboxed, never here.
    """
    import nbformat
    nb = nbformat.read(notebook_path, as_version=4)
    namespace, errors = {"__name__": "__main__"}, {}
    replacements = replacements or {}
    cwd = os.getcwd()
    os.chdir(os.path.dirname(os.path.abspath(notebook_path)))
    try:
        for cell in nb.cells:
            gid = grade_id(cell)
            if cell.cell_type != "code" or gid.startswith(skip_prefixes):
                continue
            source = replacements.get(gid[3:], cell.source) if gid.startswith("ex_") else cell.source
            try:
                with contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
                    exec(compile(source, gid or "<cell>", "exec"), namespace)
            except Exception as error:
                errors[gid] = f"{type(error).__name__}: {error}"
    finally:
        os.chdir(cwd)
    return namespace, errors


def _hidden_module(lesson, root=COURSEWORK):
    path = os.path.join(root, "hidden", f"{lesson}.py")
    if COURSEWORK not in sys.path:
        sys.path.insert(0, COURSEWORK)
    spec = importlib.util.spec_from_file_location(f"nnlearn_hidden_{lesson}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_probes(lesson, root=COURSEWORK):
    """(PUBLIC, HIDDEN) of <root>/hidden/<lesson>.py (root: a course folder, coursework/ by default)."""
    module = _hidden_module(lesson, root)
    return dict(getattr(module, "PUBLIC", {})), dict(getattr(module, "HIDDEN", {}))


def forbidden(lesson, root=COURSEWORK):
    """{exercise: ["module:function", ...]}: the course's own versions an exercise must not call;
    they refuse to run while its probes run (FORBIDDEN in <root>/hidden/<lesson>.py)."""
    return {name: list(names) for name, names in getattr(_hidden_module(lesson, root), "FORBIDDEN", {}).items()}


def source_notebook(lesson, root=COURSEWORK):
    return os.path.join(root, "source", lesson, f"{lesson}.ipynb")


def expected_answers(lesson, root=COURSEWORK, source=None):
    """{(kind, exercise): [Answer per probe]} from the instructor's solutions (trusted side): the
    probes of root's hidden/, the solutions of `source` (default: root's source notebook)."""
    public, hidden = load_probes(lesson, root)
    namespace, errors = notebook_namespace(source or source_notebook(lesson, root))
    if errors:
        raise RuntimeError(f"{lesson}: the solutions raise: {errors}")
    return {(kind, name): [expected_answer(p, namespace) for p in probes]
            for kind, table in (("public", public), ("hidden", hidden)) for name, probes in table.items()}


def expected_answer(probe, namespace):
    """The solution's Answer to a probe; with the tolerance its `spread` computes, if it has one."""
    answer = answer_in_namespace(probe, namespace)
    if probe.spread and not answer.error:
        spread = answer_in_namespace(Probe(probe.spread + "\nresult = float(tolerance)\n"), namespace)
        if spread.error or not isinstance(spread.value, float) or not spread.value >= 0:
            return Answer(error=f"its spread gives no tolerance ({spread.error or spread.value})")
        answer.tolerance = spread.value
    return answer


def failures_in_process(lesson, replacements, expected=None):
    """{(kind, exercise): [reasons of failing probes]} for a submission given as replacements."""
    public, hidden = load_probes(lesson)
    expected = expected or expected_answers(lesson)
    namespace, _ = notebook_namespace(source_notebook(lesson), replacements)
    result = {}
    for kind, table in (("public", public), ("hidden", hidden)):
        for name, probes in table.items():
            reasons = [judge(answer_in_namespace(p, namespace), e, p) for p, e in zip(probes, expected[(kind, name)])]
            result[(kind, name)] = [r for r in reasons if r]
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lesson")
    parser.add_argument("--submissions", action="store_true",
                        help="also run BUGGY, TUNED and WRONG of tests/submissions/<lesson>.py")
    args = parser.parse_args(argv)
    expected = expected_answers(args.lesson)
    broken = {key: [a.error for a in answers if a.error] for key, answers in expected.items()}
    broken = {key: errs for key, errs in broken.items() if errs}
    for (kind, name), answers in expected.items():
        print(f"{kind:6s} {name}: {len(answers)} probes" + (f"  BROKEN: {broken[(kind, name)]}" if (kind, name) in broken else ""))
    if not args.submissions:
        return 1 if broken else 0
    spec = importlib.util.spec_from_file_location("subs", os.path.join(REPO, "tests", "submissions", f"{args.lesson}.py"))
    subs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(subs)
    cases = [(f"BUGGY[{n}]", {n: c}, n) for n, c in getattr(subs, "BUGGY", {}).items()]
    cases += [(f"TUNED[{n}]", {n: c}, n) for n, c in getattr(subs, "TUNED", {}).items()]
    cases += [(f"WRONG[{n}][{i}]", {n: c}, n) for n, wrongs in getattr(subs, "WRONG", {}).items()
              for i, (c, _fragment) in enumerate(wrongs)]
    passed_wrongly = 0
    for label, replacements, name in cases:
        fails = failures_in_process(args.lesson, replacements, expected)
        hidden = fails.get(("hidden", name), [])
        public = fails.get(("public", name), [])
        flag = "ok" if hidden else "PASSES HIDDEN PROBES"
        passed_wrongly += not hidden
        print(f"{label}: public {len(public)} failing, hidden {len(hidden)} failing  {flag}")
    return 1 if (broken or passed_wrongly) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:
        traceback.print_exc()
        sys.exit(2)
