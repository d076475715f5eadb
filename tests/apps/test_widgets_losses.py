"""The loss apps of lesson 02 and the plots behind them."""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.plots import new_figure
from nnlearn.plots.confusion import ConfusionMatrixPlot
from nnlearn.plots.functions import LOSSES, pointwise_loss
from nnlearn.widgets.losses import (axis_limits, first_below, loss_explorer, sigmoid_learning,
                                    sigmoid_neuron_run)


# --- the per-example losses behind the curves ----------------------------------------------

def per_element(loss_fn, prediction, target):
    """Loss and gradient of each element, from an nnlearn loss that returns the mean."""
    losses = np.array([loss_fn(p[None], t[None]) for p, t in zip(prediction, target)])
    loss_fn(prediction, target)
    return losses, loss_fn.backward() * prediction.size


def test_pointwise_losses_are_those_of_nnlearn():
    d = np.linspace(-5, 5, 41)
    for name, loss_fn, prediction, target, sign in [
        ("MSE", nl.MSELoss(), d, np.zeros_like(d), 1),
        ("Huber", nl.HuberLoss(delta=1.5), d, np.zeros_like(d), 1),
        ("cross-entropy", nl.BCEWithLogitsLoss(), -d, np.ones_like(d), -1),   # d = -logit, target 1
    ]:
        expected_loss, expected_gradient = per_element(loss_fn, prediction, target)
        loss, gradient = pointwise_loss(name, d, delta=1.5)
        assert np.allclose(loss, expected_loss), name
        assert np.allclose(gradient, sign * expected_gradient), name


def test_pointwise_losses_by_hand():
    assert pointwise_loss("MSE", 3.0) == (9.0, 6.0)
    loss, gradient = pointwise_loss("Huber", 3.0, delta=1.0)
    assert loss == 2.5 and gradient == 1.0                         # 1 * (3 - 1/2), clipped at delta
    loss, gradient = pointwise_loss("cross-entropy", 0.0)
    assert np.isclose(loss, np.log(2)) and gradient == 0.5
    loss, gradient = pointwise_loss("cross-entropy", 1e3)            # no overflow
    assert np.isclose(loss, 1e3) and gradient == 1.0
    with pytest.raises(ValueError, match="loss must be one of"):
        pointwise_loss("no such loss", 1.0)


def test_confusion_matrix_plot_shows_counts_and_refuses_a_wrong_shape():
    _, ax = new_figure()
    plot = ConfusionMatrixPlot(ax, ["healthy", "sick"])
    plot.update(np.array([[50, 10], [2, 8]]))
    assert [[text.get_text() for text in row] for row in plot.texts] == [["50", "10"], ["2", "8"]]
    assert ax.get_title() and ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    shades = [cell.get_facecolor() for row in plot.cells for cell in row]
    assert shades[0] != shades[1]                                  # 50/60 and 10/60 of the row
    with pytest.raises(ValueError, match="shape"):
        plot.update(np.zeros((3, 3), dtype=int))


# --- loss_explorer ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def losses_app():
    return loss_explorer()


def test_loss_explorer_marks_the_miss_on_every_curve(losses_app):
    app = losses_app
    assert set(app.controls) == {"loss", "miss", "delta"}
    app.controls["delta"].value = 1.0
    app.controls["miss"].value = 2.0
    ax_loss, ax_gradient = app.figure.axes[:2]
    marked = {line.get_marker(): line.get_ydata()[0] for line in ax_gradient.lines
              if line.get_animated() and len(line.get_xdata()) == 1}
    assert np.isclose(marked["o"], 4.0)                            # MSE: 2 d
    assert np.isclose(marked["s"], 1 / (1 + np.exp(-2.0)))          # cross-entropy: sigmoid(d)
    assert np.isclose(marked["^"], 1.0)                            # Huber: capped at delta
    assert "4.000" in app.children[2].value                        # MSE loss 2^2 in the table


def test_loss_explorer_highlights_the_chosen_loss(losses_app):
    app = losses_app
    for name in LOSSES:
        app.controls["loss"].value = name
        widths = {line.get_label(): line.get_linewidth() for line in app.figure.axes[0].lines
                  if line.get_animated() and line.get_label() in LOSSES}
        assert max(widths, key=widths.get) == name
        assert app.message.value == ""


def test_loss_explorer_delta_moves_hubers_cap(losses_app):
    app = losses_app
    huber = next(line for line in app.figure.axes[1].lines if line.get_label() == "Huber")
    for delta in (0.1, 0.5, 2.0, 3.0):
        app.controls["delta"].value = delta
        assert np.isclose(huber.get_ydata().max(), delta)


def test_loss_explorer_miss_runs_through_its_range(losses_app):
    app = losses_app
    control = app.controls["miss"]
    for value in np.linspace(control.min, control.max, 9):
        renders = app.renders
        control.value = value
        assert app.renders == renders + 1 and app.message.value == ""
        for line in app.figure.axes[0].lines:
            if line.get_animated() and len(line.get_xdata()) == 1:
                assert line.get_xdata()[0] == value


def test_loss_explorer_axes_hold_every_marked_value(losses_app):
    """Issue 12: at miss 3 MSE's marker read 6 instead of 9 on a fixed 0-6 axis."""
    app = losses_app
    for value in np.linspace(app.controls["miss"].min, app.controls["miss"].max, 17):
        for delta in (0.1, 3.0):
            app.controls["delta"].value = delta
            app.controls["miss"].value = value
            for ax in app.figure.axes[:2]:
                low, high = ax.get_ylim()
                for line in ax.lines:
                    if line.get_animated() and len(line.get_xdata()) == 1:
                        assert low < line.get_ydata()[0] < high, (value, delta)
    app.controls["miss"].value = 3.0
    marked = {line.get_marker(): line.get_ydata()[0] for line in app.figure.axes[0].lines
              if line.get_animated() and len(line.get_xdata()) == 1}
    assert marked["o"] == 9.0
    assert app.figure.axes[0].get_ylim()[1] > 9.0 and app.figure.axes[1].get_ylim()[1] > 6.0
    app.controls["miss"].value = 0.5                                  # back to the smallest axes
    assert app.figure.axes[0].get_ylim()[1] == 6.0


def test_axis_limits_grow_past_the_floor_only_when_needed_in_round_steps():
    assert axis_limits([1.0, -2.0], 6.0) == 6.0
    assert axis_limits([9.0, 2.0], 6.0) == 12.0               # 9 x 1.15 = 10.35 -> 12
    assert axis_limits([-8.0], 4.0) == 10.0                   # 9.2 -> 10
    assert axis_limits([0.5], 0.2) == 0.6
    for value in np.linspace(0.01, 500, 997):
        top = axis_limits([value], 0.0)
        assert value * 1.15 <= top <= value * 1.15 * 4 / 3 + 1e-12, value      # the widest gap: 6 -> 8


def test_sweeping_the_miss_redraws_the_whole_figure_only_when_an_axis_grows():
    """A full redraw costs ~10 times a move's blit; the axes step in round numbers."""
    app = loss_explorer()
    try:
        full, before = 0, app.figure.axes[0].get_ylim() + app.figure.axes[1].get_ylim()
        for miss in np.arange(-4.0, 4.01, 0.05):
            app.controls["miss"].value = float(miss)
            limits = app.figure.axes[0].get_ylim() + app.figure.axes[1].get_ylim()
            full += limits != before
            before = limits
        assert full <= 20, f"{full} of 161 moves changed an axis"        # each axis steps ~9 times down and up
    finally:
        app.close()


def test_controls_have_short_labels_and_room_for_their_tracks():
    """Issue 12: squeezed sliders and cut toggle labels."""
    from nnlearn.widgets.diagnosis import diagnosis_explorer
    from nnlearn.widgets.regression import network_regression, outlier_explorer
    import ipywidgets as widgets
    for build in (loss_explorer, sigmoid_learning, outlier_explorer, network_regression, diagnosis_explorer):
        app = build()
        for control in app.controls.values():
            if isinstance(control, widgets.ToggleButtons):
                if control.style.button_width != "auto":       # auto: the frame sizes buttons to their labels
                    width = int(control.style.button_width.rstrip("px"))
                    assert width >= 8 * max(len(str(o)) for o in control.options) + 16, (build.__name__, control.options)
            else:
                assert control.style.description_width == "initial"
                width = int(control.layout.width.rstrip("px"))
                label_px, readout_px = 8 * len(control.description), 70
                assert width - label_px - readout_px >= 250, (build.__name__, control.description)


# --- sigmoid_learning ----------------------------------------------------------------------------

def test_sigmoid_neuron_run_follows_the_two_gradients():
    """MSE: dL/db = 2 a (1 - a) (a - 0); cross-entropy: dL/db = a - 0 (x = 1, target 0)."""
    for loss in ("MSE", "cross-entropy"):
        run = sigmoid_neuron_run(loss, 2.0, 0.15, steps=5)
        a = run["output"][:-1]
        expected = 2 * a * (1 - a) * a if loss == "MSE" else a
        assert np.allclose(run["grad_b"], expected)
        assert np.isclose(run["output"][0], 1 / (1 + np.exp(-4.0)))
    with pytest.raises(ValueError, match="loss must be"):
        sigmoid_neuron_run("Huber", 2.0, 0.1)


def test_sigmoid_learning_readout_is_computed_from_the_runs_it_draws():
    app = sigmoid_learning()
    assert set(app.controls) == {"start", "learning_rate"}
    for start, lr in ((2.0, 0.15), (0.6, 0.15), (-1.0, 1.0), (3.0, 0.01)):
        app.controls["start"].value = start
        app.controls["learning_rate"].value = lr
        assert app.message.value == ""
        for name in ("MSE", "cross-entropy"):
            run = sigmoid_neuron_run(name, start, lr)
            line = next(l for l in app.figure.axes[0].lines if l.get_animated() and l.get_label() == name)
            assert np.allclose(line.get_ydata(), run["output"])
            below = first_below(run["output"])
            text = f"below 0.5 after {below} update" if below is not None else "still above 0.5"
            assert text in app.children[2].value
    assert "after 1 updates" not in app.children[2].value


def test_first_below():
    assert first_below([0.9, 0.6, 0.4]) == 2 and first_below([0.9]) is None and first_below([0.2]) == 0
