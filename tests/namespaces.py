"""A lesson's namespace with one exercise answered differently, without re-running the cells before it.

`probes.notebook_namespace(notebook, {name: code})` runs every graded cell of a lesson from the top
for each answer tried; the cells before an exercise never depend on its answer (an exercise cell
only defines things, and nothing outside check cells calls learner code: CONTRIBUTING.md), so they
run once per lesson here. `Prefixes(lesson)` runs the solutions once and keeps a deep copy of the
namespace as it stands before each `ex_` cell; `namespace(name, code)` starts from a fresh deep
copy of the one before `ex_<name>`, runs `code` there and every later cell after it, just as
notebook_namespace would (same skipped cells, same working folder; a cell that raises is skipped).
"""

import ast
import copy
import types

import nbformat


def _copy(namespace):
    """A deep copy where copying is possible (arrays, models, lists); the object itself where not
    (modules, generators). Functions are rebound to the copy, so their globals are the copy's."""
    memo, copied = {}, {}
    for key, value in namespace.items():
        if key.startswith("__"):                      # __builtins__, __name__
            copied[key] = value
            continue
        try:
            copied[key] = copy.deepcopy(value, memo)
        except Exception:                             # noqa: BLE001 (modules, locks: shared as they are)
            copied[key] = value
    for key, value in copied.items():
        if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
            function = types.FunctionType(value.__code__, copied, value.__name__, value.__defaults__,
                                          value.__closure__)
            function.__kwdefaults__, function.__qualname__ = value.__kwdefaults__, value.__qualname__
            function.__dict__.update(value.__dict__)
            copied[key] = function
    return copied


def _is_plain_answer(name, code):
    """True for a prediction's answer that only binds `name` to a literal (`name = 0.5`, or
    `def name(): return "b"`): the cells after it run the same with it or with the solution's."""
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return False
    if len(body) != 1:
        return False
    node = body[0]
    if isinstance(node, ast.Assign):
        value, target = node.value, node.targets
        if len(target) != 1 or getattr(target[0], "id", None) != name:
            return False
    elif isinstance(node, ast.FunctionDef) and node.name == name and not node.decorator_list \
            and not node.args.args and not node.args.defaults:
        statements = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        if len(statements) != 1 or not isinstance(statements[0], ast.Return) or statements[0].value is None:
            return False
        value = statements[0].value
    else:
        return False
    try:
        ast.literal_eval(value)
    except ValueError:
        return False
    return True


class Prefixes:
    def __init__(self, probes, lesson):
        self.probes = probes
        self.path = probes.source_notebook(lesson)
        nb = nbformat.read(self.path, as_version=4)
        skipped = ("demo_", "check_", "hidden_")
        self.cells = [(probes.grade_id(c), c.source) for c in nb.cells
                      if c.cell_type == "code" and not probes.grade_id(c).startswith(skipped)]
        self.before, self.errors = {}, {}
        namespace = {"__name__": "__main__"}
        with self.probes.in_folder_of(self.path):
            for index, (gid, source) in enumerate(self.cells):
                if gid.startswith("ex_"):
                    self.before[gid[3:]] = (index, _copy(namespace))
                self.probes.run_cell(gid, source, namespace, self.errors)
        self.final = _copy(namespace)

    def namespace(self, name, code):
        """The namespace notebook_namespace(notebook, {name: code}) gives (a cell that raises is
        skipped, the rest still run)."""
        if _is_plain_answer(name, code):               # nothing later can differ: skip re-running it
            namespace = _copy(self.final)
            exec(compile(code, f"ex_{name}", "exec"), namespace)
            return namespace
        return self.answered({name: code})

    def answered(self, replacements):
        """The namespace notebook_namespace(notebook, replacements) gives: from the copy kept before
        the first exercise replaced, every later cell run, each `ex_<name>` of replacements replaced."""
        index, before = min(self.before[name] for name in replacements)
        namespace = _copy(before)
        with self.probes.in_folder_of(self.path):
            for gid, source in self.cells[index:]:
                self.probes.run_cell(gid, replacements.get(gid[3:], source) if gid.startswith("ex_") else source,
                          namespace, {})
        return namespace
