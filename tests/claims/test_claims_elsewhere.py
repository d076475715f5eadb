"""The lessons' claims hold on other machines' arithmetic, not only on this one's.

numpy picks its SIMD loops (exp, tanh, sums) and OpenBLAS its matrix kernels by the CPU, and each
choice rounds the last bits differently; a training run at a large learning rate turns those bits
into different paths. A learner's laptop (AVX2) and Binder see the same lesson text, so every claims
test runs again here as if on a laptop: numpy's dispatch narrowed with NPY_DISABLE_CPU_FEATURES and
OpenBLAS's kernel set with OPENBLAS_CORETYPE.

One machine, the commonest a learner has (every x86-64 processor since 2013 has AVX2). An SSE-only
server (OPENBLAS_CORETYPE=Prescott, no FMA) passed every claim too when it was last run here; it
is not run on every change because each run of the claims costs about two minutes. To try it:
    NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL AVX512_SPR" OPENBLAS_CORETYPE=Prescott \
    OPENBLAS_NUM_THREADS=1 python -m pytest -n 0 tests/claims
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
MACHINES = {
    "an AVX2 laptop": {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR", "OPENBLAS_CORETYPE": "Haswell"},
}


def _openblas_on_x86():
    config = np.show_config(mode="dicts") or {}
    blas = str(config.get("Build Dependencies", {}).get("blas", {}).get("name", ""))
    return "openblas" in blas.lower() and os.uname().machine in ("x86_64", "AMD64")


@pytest.mark.skipif(not _openblas_on_x86(), reason="the kernels named here are OpenBLAS's and numpy's on x86-64")
@pytest.mark.parametrize("machine", MACHINES)
def test_every_claim_holds_with_another_machines_arithmetic(machine):
    env = {**os.environ, **MACHINES[machine], "OPENBLAS_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    # --ignore: this file lives in tests/claims too, and would start the two runs again in each run
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
                             str(REPO / "tests" / "claims"), f"--ignore={Path(__file__).resolve()}"],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    failed = [line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    assert result.returncode == 0, f"on {machine}: " + ("\n".join(failed) or result.stdout[-3000:])
