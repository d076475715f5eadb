"""The PyTorch comparisons run where they must: under CI a missing torch is a failure, not a skip."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytorch_reference import import_torch, running_in_ci

TESTS = Path(__file__).resolve().parents[1]   # tests/: pytorch_reference.py


def test_pytorch_is_there_to_compare_with():
    torch = import_torch()
    assert torch.tensor([1.0, 2.0]).sum().item() == 3.0


@pytest.mark.parametrize("value, expected", [("true", True), ("1", True), ("", False), ("false", False), ("0", False)])
def test_ci_is_recognised_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("CI", value)
    assert running_in_ci() is expected


@pytest.mark.parametrize("ci, outcome", [("true", "failed"), ("", "skipped")])
def test_a_missing_torch_fails_under_ci_and_skips_otherwise(tmp_path, ci, outcome):
    # A test file that needs torch, run in a Python where `import torch` fails.
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent("""
        import sys
        sys.modules["torch"] = None          # makes `import torch` raise ImportError
    """))
    (tmp_path / "test_needs_torch.py").write_text(textwrap.dedent("""
        from pytorch_reference import import_torch

        def test_compare():
            import_torch()
    """))
    env = {"PATH": "/usr/bin:/bin", "CI": ci, "PYTHONPATH": f"{tmp_path}:{TESTS}"}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:nbval",
                             "--rootdir", str(tmp_path), "-c", "/dev/null", str(tmp_path / "test_needs_torch.py")],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    assert f"1 {outcome}" in result.stdout, result.stdout + result.stderr
