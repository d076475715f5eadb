"""The loss apps of lesson 02 and the plots behind them."""

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix

import nnlearn as nl
from nnlearn.plots import new_figure
from nnlearn.plots.confusion import ConfusionMatrixPlot
from nnlearn.plots.functions import LOSSES, pointwise_loss
from nnlearn.widgets.losses import (POS_WEIGHTS, _outlier_data, diagnosis_data, diagnosis_explorer,
                                    loss_explorer, outlier_explorer)


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
        pointwise_loss("L1", 1.0)


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


# --- outlier_explorer ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def outlier_app():
    return outlier_explorer()


def fitted(app, name):
    line = next(line for line in app.figure.axes[0].lines if line.get_animated() and line.get_label() != ""
                and line.get_linestyle() == {"MSE": "--", "Huber": "-."}[name] and len(line.get_xdata()) == 2)
    (x0, x1), (y0, y1) = line.get_data()
    slope = (y1 - y0) / (x1 - x0)
    return slope, y0 - slope * x0


def least_squares(height):
    X, y = _outlier_data()
    dragged = int(np.argmax(X[:, 0]))
    y = y.copy()
    y[dragged] = 2 * X[dragged, 0] + 1 + height
    A = np.column_stack([X[:, 0], np.ones(len(X))])
    return np.linalg.lstsq(A, y[:, 0], rcond=None)[0]


def test_outlier_explorer_mse_fit_is_least_squares(outlier_app):
    app = outlier_app
    assert set(app.controls) == {"outlier", "loss"}
    for height in (0.0, 7.5, 20.0, 3.0):
        app.controls["outlier"].value = height
        assert np.allclose(fitted(app, "MSE"), least_squares(height), atol=1e-3)
        assert app.message.value == ""


def test_outlier_explorer_huber_fit_is_a_minimum_of_the_huber_loss(outlier_app):
    app = outlier_app
    X, y = _outlier_data()
    dragged = int(np.argmax(X[:, 0]))
    for height in (0.0, 12.0, 20.0):
        app.controls["outlier"].value = height
        slope, intercept = fitted(app, "Huber")
        target = y.copy()
        target[dragged] = 2 * X[dragged, 0] + 1 + height
        loss_fn = nl.HuberLoss(delta=1.0)
        loss_fn(slope * X + intercept, target)
        grad = loss_fn.backward()[:, 0]
        assert abs(grad @ X[:, 0]) < 1e-3 and abs(grad.sum()) < 1e-3   # dL/dslope, dL/dintercept


def test_outlier_explorer_huber_moves_far_less_than_mse(outlier_app):
    app = outlier_app
    app.controls["outlier"].value = 0.0
    mse_before, huber_before = fitted(app, "MSE"), fitted(app, "Huber")
    app.controls["outlier"].value = 20.0
    mse_after, huber_after = fitted(app, "MSE"), fitted(app, "Huber")
    assert abs(mse_after[0] - mse_before[0]) > 5 * abs(huber_after[0] - huber_before[0])
    star = next(line for line in app.figure.axes[0].lines if line.get_marker() == "*" and line.get_animated())
    assert np.isclose(star.get_ydata()[0], 2 * star.get_xdata()[0] + 1 + 20.0)


def test_outlier_explorer_loss_control_highlights_a_fit(outlier_app):
    app = outlier_app
    for name in ("Huber", "MSE"):
        app.controls["loss"].value = name
        assert name in app.children[2].value.split("<b>")[1]
        assert app.message.value == ""
    control = app.controls["outlier"]
    for value in np.linspace(control.min, control.max, 9):
        control.value = value
        assert app.message.value == ""


# --- diagnosis_explorer ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def diagnosis_app():
    return diagnosis_explorer()


def matrix_shown(app):
    ax = app.figure.axes[1]
    counts = [int(text.get_text()) for text in ax.texts if text.get_animated()]
    return np.array(counts).reshape(2, 2)


def test_diagnosis_data_is_imbalanced():
    X, y = diagnosis_data(400, rng=0)
    assert X.shape == (400, 2) and y.shape == (400,) and y.dtype == np.int64
    assert 0.05 < y.mean() < 0.15


def test_diagnosis_explorer_matrix_matches_scikit_learn(diagnosis_app):
    app = diagnosis_app
    assert set(app.controls) == {"pos_weight", "loss"}
    assert app.controls["pos_weight"].min == 0 and np.isclose(10 ** app.controls["pos_weight"].max, 50)
    app.controls["loss"].value = "weighted"
    app.controls["pos_weight"].value = float(POS_WEIGHTS[6])
    matrix = matrix_shown(app)
    assert matrix.sum() == 400
    # the line drawn is the classifier: recompute its predictions and the matrix
    boundary = next(line for line in app.figure.axes[0].lines if line.get_animated())
    (x0, x1), (y0, y1) = boundary.get_data()
    X, y = diagnosis_data(400, rng=1)
    side = (x1 - x0) * (X[:, 1] - y0) - (y1 - y0) * (X[:, 0] - x0)
    for predicted in ((side > 0).astype(int), (side < 0).astype(int)):
        if np.array_equal(confusion_matrix(y, predicted), matrix):
            break
    else:
        pytest.fail(f"the decision line does not give the matrix shown {matrix.tolist()}")


def test_diagnosis_explorer_weight_trades_precision_for_recall(diagnosis_app):
    app = diagnosis_app
    app.controls["loss"].value = "weighted"
    seen = []
    for value in POS_WEIGHTS:
        renders = app.renders
        app.controls["pos_weight"].value = float(value)
        assert app.renders == renders + 1 and app.message.value == ""
        (tn, fp), (fn, tp) = matrix_shown(app)
        seen.append((tp / (tp + fn), tp / max(tp + fp, 1)))
    recall, precision = np.array(seen).T
    assert recall[-1] > recall[0] + 0.2                   # more sick patients found
    assert precision[-1] < precision[0] - 0.2             # at the cost of more false alarms
    assert "Recall" in app.children[2].value


def test_diagnosis_explorer_plain_loss_ignores_the_slider(diagnosis_app):
    app = diagnosis_app
    app.controls["loss"].value = "weighted"
    app.controls["pos_weight"].value = 1.0
    at_one = matrix_shown(app)
    app.controls["pos_weight"].value = 50.0
    app.controls["loss"].value = "plain"
    assert app.controls["pos_weight"].disabled
    assert np.array_equal(matrix_shown(app), at_one)
    app.controls["loss"].value = "weighted"
    assert not app.controls["pos_weight"].disabled
    assert not np.array_equal(matrix_shown(app), at_one)


def test_diagnosis_explorer_takes_a_value_between_the_stops(diagnosis_app):
    app = diagnosis_app
    app.controls["loss"].value = "weighted"
    app.controls["pos_weight"].value = 3.3
    assert app.message.value == "" and matrix_shown(app).sum() == 400
    assert "3.30" in app.children[2].value
