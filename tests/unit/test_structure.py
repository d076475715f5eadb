"""The package's structure, as DESIGN.md draws it: what imports what."""

import pkgutil
import subprocess
import sys

import nnlearn.experiments


def test_experiments_import_neither_ipywidgets_nor_matplotlib():
    modules = [f"nnlearn.experiments.{m.name}" for m in pkgutil.iter_modules(nnlearn.experiments.__path__)]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ipywidgets', 'matplotlib', 'IPython')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert len(modules) >= 5
    assert out.strip() == "[]", f"nnlearn.experiments pulled in UI modules: {out}"


def test_no_module_of_the_package_is_over_300_lines():
    import pathlib
    root = pathlib.Path(nnlearn.experiments.__file__).parent.parent
    long = {str(path.relative_to(root)): n for path in root.rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 300}
    assert not long, f"split these by job (one module, one job): {long}"
