"""The regression apps of lesson 02: a line and a small network, MSE against Huber."""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.experiments.regression_fits import curve_data, fit_network, true_curve
from nnlearn.widgets.regression import (line_equation, network_regression,
                                        outlier_data, outlier_explorer, plural, NetworkFits)

_outlier_data = outlier_data


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


def test_line_equation_has_one_sign():
    assert line_equation(2.8, 2.21) == "y = 2.80 x + 2.21"
    assert line_equation(2.8, -2.21) == "y = 2.80 x − 2.21"
    assert plural(1, "step") == "1 step" and plural(3, "step") == "3 steps"


def test_outlier_explorer_readout_never_doubles_a_sign(outlier_app):
    app = outlier_app
    for height in np.linspace(0, 20, 9):
        app.controls["outlier"].value = height
        text = app.children[2].value
        assert "+ +" not in text and "+ -" not in text and "(1 steps)" not in text


# --- network_regression --------------------------------------------------------------------------

def test_curve_data_adds_outliers_and_keeps_the_earlier_ones():
    X0, y0, o0 = curve_data(n_outliers=0)
    X3, y3, o3 = curve_data(n_outliers=3)
    X5, y5, o5 = curve_data(n_outliers=5)
    assert X0.shape == (60, 1) and y0.shape == (60, 1) and len(o0) == 0
    assert np.array_equal(X0, X5) and list(o5[:3]) == list(o3)
    assert np.allclose(y5[o5] - y0[o5], 4.0)
    normal = np.setdiff1d(np.arange(60), o5)
    assert np.array_equal(y5[normal], y0[normal])


@pytest.fixture(scope="module")
def network_app():
    return network_regression()


def test_network_regression_draws_the_fits_it_reports(network_app):
    app = network_app
    assert set(app.controls) == {"outliers", "steps", "loss"}
    fits = NetworkFits()
    for outliers, steps in ((0, "500"), (6, "500"), (10, "3000")):
        app.controls["outliers"].value = outliers
        app.controls["steps"].value = steps
        assert app.message.value == ""
        for name in ("MSE", "Huber"):
            curve, error = fits(name, outliers, int(steps))
            line = next(l for l in app.figure.axes[0].lines if l.get_animated()
                        and l.get_linestyle() == {"MSE": "--", "Huber": "-."}[name])
            assert np.allclose(line.get_ydata(), curve)
            assert f"{name}: {error:.3f} from the true curve" in app.children[2].value
        stars = next(l for l in app.figure.axes[0].lines if l.get_marker() == "*" and l.get_animated())
        assert len(stars.get_xdata()) == outliers


def test_network_regression_every_control_runs(network_app):
    app = network_app
    for value in range(0, 11, 2):
        app.controls["outliers"].value = value
        assert app.message.value == ""
    for name in ("Huber", "MSE"):
        app.controls["loss"].value = name
        assert f"<b>{name}:" in app.children[2].value


def test_fit_network_is_deterministic():
    X, y, _ = curve_data(n_outliers=2)
    a, b = fit_network("MSE", X, y, 20), fit_network("MSE", X, y, 20)
    assert all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters()))
    assert np.allclose(true_curve([0.0, np.pi / 3]), [0.0, 1.0])


def test_outlier_explorer_axes_hold_every_point_and_pull(outlier_app):
    app = outlier_app
    for height in np.linspace(0, 20, 5):
        for name in ("MSE", "Huber"):
            app.controls["outlier"].value = height
            app.controls["loss"].value = name
            for ax in app.figure.axes[:2]:
                low, high = ax.get_ylim()
                for line in ax.lines:
                    if line.get_animated() and len(line.get_xdata()):
                        ys = np.asarray(line.get_ydata())
                        if len(ys) > 2 or line.get_marker() == "*":         # points, not the fitted lines
                            assert np.all((low < ys) & (ys < high)), (height, name)


def test_network_regression_axes_follow_the_fits(network_app):
    app = network_app
    app.controls["outliers"].value, app.controls["steps"].value = 10, "3000"
    low, high = app.figure.axes[0].get_ylim()
    for line in app.figure.axes[0].lines:
        if line.get_animated() and len(line.get_ydata()):
            assert low < np.min(line.get_ydata()) and np.max(line.get_ydata()) < high
    app.controls["outliers"].value, app.controls["steps"].value = 0, "500"
    assert app.figure.axes[0].get_ylim() == (-2.0, 5.8)
