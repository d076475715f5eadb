"""PyTorch as the reference the comparison tests check nnlearn against.

Locally a missing torch skips those tests. Under CI (the environment variable CI is set, as
`.ci/run` and CI services do) it fails them instead: a landing whose PyTorch comparisons did not
run has not been checked.
"""

import os

import pytest


def running_in_ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def import_torch():
    """The torch module; a skip without it, or a failure without it under CI."""
    try:
        import torch
    except ImportError:
        if running_in_ci():
            pytest.fail("PyTorch is not installed but CI is set: the PyTorch comparisons must run on every "
                        "landing (.ci/run installs torch)")
        pytest.skip("PyTorch is not installed: the comparison with it is skipped (CI would fail here)")
    return torch
