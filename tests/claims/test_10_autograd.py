"""Every number lesson 10 (autograd) states, computed from the package.

Each test is named after the sentence it protects; the lesson's own cells use the same calls.
Times are never asserted tightly: the time claim is checked with a margin of four or more.
"""

import contextlib
import io
import sys

import nbformat
import numpy as np
import pytest

from nnlearn.autograd import Value
from nnlearn.experiments import autograd_graphs, scalar_costs
from course import SOURCE

LESSON = SOURCE / "10_autograd" / "10_autograd.ipynb"


def cells(*grade_ids):
    found = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(LESSON, as_version=4).cells}
    return [found[g] for g in grade_ids]


def test_a_used_twice_gets_minus_3_the_sum_of_its_two_paths_and_b_minus_8():
    a, b = Value(-2.0), Value(3.0)
    f = (a * b) * (a + b)
    f.backward()
    assert (a.grad, b.grad) == (-3.0, -8.0)
    walk = autograd_graphs.record("used twice", accumulate=False)        # the app's "=" rule loses a path
    labels = [n["label"] for n in walk["nodes"]]
    assert walk["steps"][-1]["grads"][labels.index("a")] in (3.0, -6.0)


def test_the_call_counts_repeat_exactly_over_seeds():
    for width in (4, 16):
        assert len({scalar_costs.call_counts(width, seed)[:2] for seed in range(5)}) == 1


def test_the_tensor_step_makes_148_calls_at_every_width():
    assert {scalar_costs.call_counts(width)[1] for width in (4, 16, 64)} == {148}


@pytest.mark.parametrize("width,stated", [(4, 170), (16, 600), (64, 2400)])
def test_a_scalar_step_makes_about_170_600_and_2400_times_the_calls(width, stated):
    scalar, tensor, loss_scalar, loss_tensor = scalar_costs.call_counts(width)
    assert abs(scalar / tensor / stated - 1) < 0.1
    assert abs(loss_scalar - loss_tensor) < 1e-14                        # the same network, the same loss


def test_the_call_ratio_about_doubles_with_the_width_exponent_0_96():
    widths = scalar_costs.WIDTHS
    ratios = [scalar / tensor for scalar, tensor, _, _ in map(scalar_costs.call_counts, widths)]
    assert all(1.8 < later / earlier < 2.1 for earlier, later in zip(ratios, ratios[1:]))
    assert abs(scalar_costs.growth_exponent(widths, ratios) - 0.96) < 0.02


def test_at_width_16_a_scalar_step_takes_hundreds_of_times_as_long():
    """The text says 200 to 1,300 times; asserted with a wide margin (never flaky): above 50."""
    ratios = [scalar_costs.time_ratio(16, seed, repeats=3) for seed in range(5)]
    assert np.median(ratios) > 50


def test_the_time_ratio_grows_with_the_width():
    """Width 64 against width 4: 16 times the weights; asserted with a wide margin (more than 3 times)."""
    low = np.median([scalar_costs.time_ratio(4, seed) for seed in range(3)])
    high = np.median([scalar_costs.time_ratio(64, seed) for seed in range(3)])
    assert high > 3 * low


def test_two_hidden_layers_grow_faster_than_one_but_not_like_w_squared():
    """The investigation's answer lies between the one-layer exponent and 2 (the solution's is about 1.5)."""
    widths = (2, 4, 8, 16)
    ratios = [s / t for s, t, _, _ in (scalar_costs.call_counts(w, 0, hidden_layers=2) for w in widths)]
    assert 1.3 < scalar_costs.growth_exponent(widths, ratios) < 1.7


def run_torch_cells(block_torch):
    """Run the lesson's PyTorch cells (with torch importable or not); returns (printed text, namespace)."""
    namespace = {}
    exec(cells("setup")[0], namespace)
    saved = sys.modules.get("torch", None)
    printed = io.StringIO()
    try:
        if block_torch:
            sys.modules["torch"] = None                                    # import torch raises ImportError
        with contextlib.redirect_stdout(printed):
            for source in cells("torch_import", "torch_loop"):
                exec(source, namespace)
    finally:
        if block_torch:
            if saved is None:
                del sys.modules["torch"]
            else:
                sys.modules["torch"] = saved
    return printed.getvalue(), namespace


def test_without_pytorch_the_cells_say_how_to_install_it_and_skip():
    printed, namespace = run_torch_cells(block_torch=True)
    assert "pip install torch" in printed and "skipped" in printed
    assert namespace["torch"] is None and namespace["nnlearn_losses"] == []


def test_lesson_00s_loop_in_pytorch_gives_nnlearns_losses_to_float_rounding():
    from pytorch_reference import import_torch
    import_torch()
    printed, namespace = run_torch_cells(block_torch=False)
    differences = np.abs(np.subtract(namespace["nnlearn_losses"], namespace["torch_losses"]))
    assert len(differences) == 50 and differences.max() < 1e-14, printed
    assert "largest difference" in printed
