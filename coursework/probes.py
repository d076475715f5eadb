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
import os
import sys
import traceback
from dataclasses import dataclass

import numpy as np


COURSEWORK = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(COURSEWORK)
if COURSEWORK not in sys.path:             # plain_data beside it, also when loaded by file path
    sys.path.insert(0, COURSEWORK)

from plain_data import Answer, compare, from_plain, to_plain  # noqa: E402


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


@contextlib.contextmanager
def in_folder_of(notebook_path):
    """Run with the notebook's folder as the working directory, as Jupyter does."""
    cwd = os.getcwd()
    os.chdir(os.path.dirname(os.path.abspath(notebook_path)))
    try:
        yield
    finally:
        os.chdir(cwd)


def run_cell(gid, source, namespace, errors):
    """Execute one cell's source in namespace, its output silenced; an error is recorded in
    errors[gid] and the next cells still run."""
    try:
        with contextlib.redirect_stdout(io.StringIO()), np.errstate(all="ignore"):
            exec(compile(source, gid or "<cell>", "exec"), namespace)
    except Exception as error:
        errors[gid] = f"{type(error).__name__}: {error}"


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
    with in_folder_of(notebook_path):
        for cell in nb.cells:
            gid = grade_id(cell)
            if cell.cell_type != "code" or gid.startswith(skip_prefixes):
                continue
            source = replacements.get(gid[3:], cell.source) if gid.startswith("ex_") else cell.source
            run_cell(gid, source, namespace, errors)
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
