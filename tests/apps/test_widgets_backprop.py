"""The backpropagation apps (lesson 03), driven through their controls as a slider would."""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.experiments.multiplication_counts import count_multiplications, count_weights, make_network, measure_gradient_cost
from nnlearn.widgets.backprop import GRADIENT_LIMIT, NETWORK_SEEDS, STAGES, backward_walk


@pytest.fixture(scope="module")
def explorer():
    return nl.widgets.backprop_explorer()


def _bars(app):
    return app.gradient_bars.tops


def test_backprop_explorer_walks_backwards_one_layer_per_step(explorer):
    assert set(explorer.controls) == {"step", "activation", "network"}
    known = []
    for stage in range(len(STAGES)):
        explorer.controls["step"].value = stage
        assert explorer.message.value == ""
        known.append(int(np.sum(_bars(explorer) != 0)))
    # forward and loss gradient: no weight gradients yet; output layer: W2 and b2 (4); first layer: all 13
    assert known[0] == known[1] == 0 and known[2] == known[3] == 4 and known[4] == 13
    walk = backward_walk("sigmoid", NETWORK_SEEDS[0])
    np.testing.assert_allclose(_bars(explorer), walk["backprop"])
    explorer.controls["step"].value = 0


def test_the_stage_text_and_table_follow_the_step(explorer):
    stage_html, table_html = explorer.children[2].children
    explorer.controls["step"].value = 1
    assert "2(ŷ − y)" in stage_html.value and table_html.value.count("…") == 2 * 13
    explorer.controls["step"].value = 4
    assert "First layer" in stage_html.value and "…" not in table_html.value
    explorer.controls["step"].value = 0


def test_every_activation_and_network_passes_the_gradient_check(explorer):
    explorer.controls["step"].value = 4
    renders = explorer.renders
    for activation in ("sigmoid", "tanh", "relu"):
        explorer.controls["activation"].value = activation
        for seed in range(explorer.controls["network"].max + 1):
            explorer.controls["network"].value = seed
            assert explorer.message.value == ""
            walk = backward_walk(activation, NETWORK_SEEDS[seed])
            assert walk["errors"].max() < 1e-6
            assert 0.25 <= np.abs(walk["numeric"]).max() < GRADIENT_LIMIT
            np.testing.assert_allclose(_bars(explorer), walk["backprop"])
    assert explorer.renders > renders
    explorer.controls["activation"].value = "sigmoid"
    explorer.controls["network"].value = 0


def test_backward_walk_is_the_chain_rule_by_hand():
    walk = backward_walk("sigmoid", 3)
    h, g = walk["h"], walk["grad_y_hat"]
    assert g == pytest.approx(2 * (walk["y_hat"] - walk["target"]))
    np.testing.assert_allclose(walk["grad_W2"], h * g)
    np.testing.assert_allclose(walk["grad_h"], walk["W2"] * g)
    np.testing.assert_allclose(walk["local"], h * (1 - h))
    np.testing.assert_allclose(walk["grad_z"], walk["grad_h"] * h * (1 - h))
    np.testing.assert_allclose(walk["grad_W1"], np.outer(walk["x"], walk["grad_z"]))
    np.testing.assert_allclose(walk["backprop"], walk["numeric"], rtol=1e-6, atol=1e-9)


def test_backprop_cost_app_moves_its_markers_and_its_numbers_come_from_the_counts():
    app = nl.widgets.backprop_cost()
    assert set(app.controls) == {"width"}
    counts = count_multiplications(app.controls["width"].options, n_examples=32)
    ax_count, ax_parts = app.figure.axes
    fd_marker, bp_marker = [line for line in ax_count.get_lines() if line.get_animated()]
    note = next(t for t in ax_count.texts if t.get_animated())
    fd_text = next(t for t in ax_parts.texts if t.get_animated() and "forward passes in all" in t.get_text())
    renders = app.renders
    for i, width in enumerate(app.controls["width"].options):
        app.controls["width"].value = width
        assert app.message.value == ""
        assert fd_marker.get_xdata()[0] == counts.n_weights[i] == count_weights(make_network(width))
        assert fd_marker.get_ydata()[0] == counts.finite_differences[i]
        assert bp_marker.get_ydata()[0] == counts.backprop[i]
        assert f"n = {counts.n_weights[i]:,} weights" in note.get_text()
        assert f"{counts.finite_differences[i]:,} multiplications" in note.get_text()
        assert f"({counts.ratio[i]:,.0f}× fewer)" in note.get_text()
        segments = [patch for patch in ax_parts.patches]
        total = sum(patch.get_width() for patch in segments)
        assert total == pytest.approx(counts.backprop_in_forward_passes[i])
        assert f"{total:.2f} forward passes in all" in fd_text.get_text()
        assert f"2n = {2 * counts.n_weights[i]:,} forward passes" in fd_text.get_text()
        x_low, x_high = ax_count.get_xlim()
        y_low, y_high = ax_count.get_ylim()
        assert x_low < counts.n_weights[i] < x_high and y_low < counts.backprop[i] < counts.finite_differences[i] < y_high
    assert app.renders > renders


def test_count_multiplications_by_hand_for_width_2():
    # layers 2 -> 2 -> 2 -> 1, batch of 32: x @ W costs 32 * (4 + 4 + 2) = 320 multiplications
    counts = count_multiplications((2,), n_examples=32)
    assert counts.n_weights[0] == 15 and counts.forward[0] == 320
    assert counts.grad_weights[0] == 320 and counts.grad_inputs[0] == 32 * (4 + 2)
    assert counts.grad_activations[0] == 2 * 32 * (2 + 2)
    assert counts.finite_differences[0] == 2 * 15 * 320
    assert counts.backprop[0] == 320 + 320 + 192 + 256


def test_measure_gradient_cost_counts_weights_and_agrees_with_backprop():
    cost = measure_gradient_cost(widths=(2, 8), max_timed_weights=50)
    np.testing.assert_array_equal(cost.n_weights, [2 * 2 + 2 + 2 * 2 + 2 + 2 + 1, 8 * 2 + 8 + 64 + 8 + 8 + 1])
    assert list(cost.sampled) == [False, True]
    assert np.all(cost.max_relative_error < 1e-5)
    assert np.all(cost.finite_difference_seconds > 0) and np.all(cost.backprop_seconds > 0)
    fd_passes, _ = cost.forward_passes
    np.testing.assert_array_equal(fd_passes, 2 * cost.n_weights)
