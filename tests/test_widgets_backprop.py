"""The backpropagation apps (lesson 03), driven through their controls as a slider would."""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.backprop_cost import count_weights, make_network, measure_gradient_cost
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


def test_backprop_cost_app_moves_its_marker_over_the_sweep():
    app = nl.widgets.backprop_cost(widths=(1, 4, 16))
    assert set(app.controls) == {"width"}
    marker = [line for line in app.figure.axes[0].get_lines() if line.get_animated()][0]
    seen = []
    for width in (1, 4, 16):
        app.controls["width"].value = width
        assert app.message.value == ""
        seen.append(marker.get_xdata()[0])
    assert seen == sorted(seen) and seen[-1] == count_weights(make_network(16))
    heights = [bar.get_height() for bar in app.figure.axes[1].patches]
    assert heights[0] > heights[1]                       # finite differences: many more forward passes


def test_measure_gradient_cost_counts_weights_and_agrees_with_backprop():
    cost = measure_gradient_cost(widths=(2, 8), max_timed_weights=50)
    np.testing.assert_array_equal(cost.n_weights, [2 * 2 + 2 + 2 * 2 + 2 + 2 + 1, 8 * 2 + 8 + 64 + 8 + 8 + 1])
    assert list(cost.sampled) == [False, True]
    assert np.all(cost.max_relative_error < 1e-5)
    assert np.all(cost.finite_difference_seconds > 0) and np.all(cost.backprop_seconds > 0)
    fd_passes, _ = cost.forward_passes
    np.testing.assert_array_equal(fd_passes, 2 * cost.n_weights)
