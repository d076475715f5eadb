"""Lesson 02, regression: MSE against Huber when the data hold outliers.

- `outlier_explorer()`: a straight line fitted under MSE and under Huber while one point is
  dragged away from the others, and how hard each point pulls on the line.
- `network_regression()`: a small network (1 -> 24 tanh -> 1) fitted to noisy points on a curve
  under MSE and under Huber, with a control for how many points are outliers and for how long
  it trains.
"""

import ipywidgets as widgets
import numpy as np

from ..experiments.regression_fits import GRID, LOSS_FUNCTIONS, curve_data, fitted_curve, true_curve
from ..losses import HuberLoss, MSELoss
from ..nn import Linear
from ..optim import SGD
from ..plots import MARKERS, PALETTE, label, new_figure
from ..plots.functions import LOSS_STYLE, pointwise_loss
from ..plots.style import nice_ceiling
from .app import App, slider_neighbours
from .lru import LRUCache
from .losses import slider, toggles

from ..train import train_step



def line_equation(slope, intercept):
    """'y = 2.80 x + 2.21' or 'y = 2.80 x − 2.21': one sign, never '+ +'."""
    sign = "−" if intercept < 0 else "+"
    return f"y = {slope:.2f} x {sign} {abs(intercept):.2f}"


def plural(count, word):
    """'1 step', '3 steps'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


# --------------------------------------------------------------------------------------------
# A line fitted under MSE and under Huber while one point is dragged away
# --------------------------------------------------------------------------------------------

def train_line(model, loss_fn, X, y, lr, max_steps=300, tolerance=1e-9):
    """Full-batch gradient descent on a Linear(1, 1) from its current weights; returns the steps taken.

    Stops once the squared gradient norm of the last step falls below `tolerance` (converged).
    """
    optimizer = SGD(model.parameters(), lr=lr)
    for step in range(1, max_steps + 1):
        train_step(model, loss_fn, optimizer, X, y)
        if sum(float(np.vdot(p.grad, p.grad)) for p in model.parameters()) < tolerance:
            return step
    return max_steps


class LineFits:
    """Fits of a line under one loss for each outlier height, memoised; a new height starts from
    the fit of the nearest height already done (a warm start), so a slider move needs few steps."""

    def __init__(self, loss_fn, lr, X, y, dragged, base):
        self.loss_fn, self.lr, self.X, self.y, self.dragged, self.base = loss_fn, lr, X, y, dragged, base
        self.model = Linear(1, 1, rng=0)
        # height -> (slope, intercept, steps). A dict, not an LRUCache: the warm start reads every fit
        # done, so forgetting one would change later fits; the slider has 81 heights, 3 numbers each.
        self.fits = {}

    def __call__(self, height):
        key = round(float(height), 9)
        if key not in self.fits:
            if self.fits:
                nearest = min(self.fits, key=lambda done: abs(done - key))
                self.model.weight.data[...] = self.fits[nearest][0]
                self.model.bias.data[...] = self.fits[nearest][1]
            y = self.y.copy()
            y[self.dragged] = self.base + key
            steps = train_line(self.model, self.loss_fn, self.X, y, self.lr)
            self.fits[key] = (float(self.model.weight.data[0, 0]), float(self.model.bias.data[0]), steps)
        return self.fits[key]


def outlier_data():
    """30 points near y = 2x + 1, two of them outliers (nl.data.line_with_outliers, seed 1)."""
    from ..data import line_with_outliers
    return line_with_outliers(n=30, slope=2.0, intercept=1.0, noise=0.3, n_outliers=2, rng=1)


def outlier_explorer():
    """A straight line fitted to 30 points under MSE and under Huber (delta = 1), while the
    `outlier` slider drags the rightmost point above the true line y = 2x + 1.

    Left: the data and both fitted lines. Right: how hard each point pulls on the line, minus
    the gradient of its loss with respect to its prediction (MSE: -2 d, Huber: -clip(d, -1, 1)).
    `loss` picks which fit is highlighted.
    """
    X, y = outlier_data()
    dragged = int(np.argmax(X[:, 0]))                      # the rightmost point gets dragged
    base = 2.0 * X[dragged, 0] + 1.0                       # its height on the true line
    fitters = {"MSE": LineFits(MSELoss(), 0.4, X, y, dragged, base),
               "Huber": LineFits(HuberLoss(delta=1.0), 0.8, X, y, dragged, base)}
    controls = {
        "outlier": slider("outlier height", 10.0, 0.0, 20.0, 0.25, fmt=".1f"),
        "loss": toggles(["MSE", "Huber"], "MSE", "loss", button_width="90px"),
    }
    for height in (0.0, controls["outlier"].value):        # warm starts for the first moves
        for fit in fitters.values():
            fit(height)

    figure, (ax_data, ax_pull) = new_figure(10.0, 3.6, ncols=2)
    xs = np.array([-2.2, 2.2])
    ax_data.plot(xs, 2 * xs + 1, color="black", linestyle=":", linewidth=1, label="true line y = 2x + 1")
    others = np.arange(len(X)) != dragged
    ax_data.plot(X[others, 0], y[others, 0], marker="o", linestyle="none", color="#999999",
                 markeredgecolor="black", markersize=5, label="data")
    point, = ax_data.plot([], [], marker="*", markersize=15, color=PALETTE[0], markeredgecolor="black",
                          linestyle="none", animated=True, zorder=5)
    fit_lines = {name: ax_data.plot([], [], linewidth=2, animated=True, **LOSS_STYLE[name])[0]
                 for name in fitters}
    for name in fitters:                                   # legend proxies
        ax_data.plot([], [], linewidth=2, label=f"fit under {name}", **LOSS_STYLE[name])
    ax_data.plot([], [], marker="*", markersize=10, color=PALETTE[0], markeredgecolor="black",
                 linestyle="none", label="the point you drag")
    ax_data.legend(loc="upper left", fontsize=8)
    ax_data.set_xlim(-2.2, 2.2)
    ax_data.set_ylim(-5.0, 26.0)
    label(ax_data, "Fitted lines", "x", "y")

    pulls = {name: ax_pull.plot([], [], marker=MARKERS[i], linestyle="none", markeredgecolor="black",
                                color=LOSS_STYLE[name]["color"], animated=True)[0]
             for i, name in ((0, "MSE"), (1, "Huber"))}
    dragged_pull = ax_pull.plot([], [], marker="*", markersize=15, linestyle="none", color=PALETTE[0],
                                markeredgecolor="black", animated=True, zorder=5)[0]
    for i, name in ((0, "MSE"), (1, "Huber")):
        ax_pull.plot([], [], marker=MARKERS[i], linestyle="none", markeredgecolor="black",
                     color=LOSS_STYLE[name]["color"], label=f"{name}: {'-2 d' if name == 'MSE' else '-clip(d, -1, 1)'}")
    ax_pull.legend(loc="upper left", fontsize=8)
    ax_pull.axhline(0, color="black", linewidth=0.8)
    ax_pull.set_xlim(-2.2, 2.2)
    ax_pull.set_ylim(-8.0, 42.0)
    label(ax_pull, "How hard each point pulls the line", "x", "upward pull = -dloss/dprediction")
    readout = widgets.HTML()

    def update(app):
        height, chosen = controls["outlier"].value, controls["loss"].value
        point.set_data([X[dragged, 0]], [base + height])
        y_now = y.copy()
        y_now[dragged] = base + height
        text = []
        for name, fit in fitters.items():
            slope, intercept, steps = fit(height)
            focus = name == chosen
            fit_lines[name].set_data(xs, slope * xs + intercept)
            fit_lines[name].set_linewidth(3.2 if focus else 1.5)
            fit_lines[name].set_alpha(1.0 if focus else 0.45)
            miss = slope * X[:, 0] + intercept - y_now[:, 0]          # d = prediction - target, (N,)
            pull = -pointwise_loss(name, miss, 1.0)[1]                  # upward pull = -dloss/dprediction
            pulls[name].set_data(X[:, 0], pull)
            pulls[name].set_markersize(8 if focus else 5)
            pulls[name].set_alpha(1.0 if focus else 0.45)
            if focus:
                dragged_pull.set_data([X[dragged, 0]], [pull[dragged]])
            equation = f"{name}: {line_equation(slope, intercept)}"
            text.append(f"{'<b>' + equation + '</b>' if focus else equation} "
                        f"<small>({plural(steps, 'step')} from the previous fit)</small>")
        readout.value = " &nbsp;|&nbsp; ".join(text) + " &nbsp;|&nbsp; true line: " + line_equation(2.0, 1.0)

    return App(controls, figure, update, extra=[readout],
               title="One outlier against MSE and Huber: drag it and watch the lines")


# --------------------------------------------------------------------------------------------
# A small network on noisy 1-D data, MSE against Huber with outliers
# --------------------------------------------------------------------------------------------

class NetworkFits:
    """The fitted curve and its error against the true curve, per (loss, outliers, steps), memoised."""

    def __init__(self):
        self.fits = LRUCache(max_bytes=4_000_000)          # every setting (2 x 11 x 2) fits many times over

    def __call__(self, loss, n_outliers, steps):
        key = (loss, int(n_outliers), int(steps))
        return self.fits.fetch(key, lambda: fitted_curve(*key))


def network_regression():
    """A network (1 -> 24 tanh -> 1, Adam, full batch) fitted to 60 noisy points on sin(1.5 x)
    under MSE and under Huber (delta = 1). `outliers` moves that many points 4 above the curve,
    `steps` trains for 500 or 3000 updates, `loss` highlights one fit. The readout gives each
    fit's root-mean-square distance from the true curve over [-3, 3]."""
    fits = NetworkFits()
    controls = {
        "outliers": widgets.IntSlider(value=6, min=0, max=10, step=1, description="outliers",
                                      continuous_update=True, style={"description_width": "initial"},
                                      layout=widgets.Layout(width="400px")),
        "steps": toggles(["500", "3000"], "500", "updates", button_width="90px"),
        "loss": toggles(["MSE", "Huber"], "MSE", "loss", button_width="90px"),
    }
    figure, ax = new_figure(7.5, 3.8)
    grid = GRID[:, 0]
    ax.plot(grid, true_curve(grid), color="black", linestyle=":", linewidth=1.5, label="true curve sin(1.5 x)")
    points, = ax.plot([], [], marker="o", linestyle="none", color="#999999", markeredgecolor="black",
                      markersize=5, animated=True)
    outlier_points, = ax.plot([], [], marker="*", linestyle="none", color=PALETTE[0], markeredgecolor="black",
                              markersize=13, animated=True, zorder=5)
    curves = {name: ax.plot([], [], linewidth=2, animated=True, **LOSS_STYLE[name])[0] for name in LOSS_FUNCTIONS}
    ax.plot([], [], marker="o", linestyle="none", color="#999999", markeredgecolor="black", label="data")
    ax.plot([], [], marker="*", linestyle="none", color=PALETTE[0], markeredgecolor="black", markersize=10,
            label="outliers (+4)")
    for name in LOSS_FUNCTIONS:
        ax.plot([], [], linewidth=2, label=f"network under {name}", **LOSS_STYLE[name])
    ax.legend(loc="upper left", fontsize=8, ncols=2)
    ax.set_xlim(-3.1, 3.1)
    ax.set_ylim(-2.0, 5.8)
    label(ax, "A small network fitted under MSE and under Huber", "x", "y")
    readout = widgets.HTML()

    last = [None]                                    # the last outlier count

    def update(app):
        n_outliers, steps, chosen = controls["outliers"].value, int(controls["steps"].value), controls["loss"].value
        # While the learner looks, the fits one outlier either side, the way they last moved first
        # (App.when_idle; each fit is its own callback, so a move in between is not held up).
        ahead = 1 if last[0] is None or n_outliers >= last[0] else -1
        last[0] = n_outliers
        for neighbour in slider_neighbours(controls["outliers"], n_outliers, first=ahead):
            for name in LOSS_FUNCTIONS:
                app.when_idle(fits, name, neighbour, steps)
        X, y, outliers = curve_data(n_outliers=n_outliers)
        normal = np.setdiff1d(np.arange(len(X)), outliers)
        points.set_data(X[normal, 0], y[normal, 0])
        outlier_points.set_data(X[outliers, 0], y[outliers, 0])
        drawn = {name: fits(name, n_outliers, steps) for name in LOSS_FUNCTIONS}
        values = np.concatenate([y[:, 0]] + [curve for curve, _ in drawn.values()])
        low, high = float(values.min()) - 0.3, float(values.max()) + 0.3
        # the axes follow the fits, in round steps (a new limit is a full redraw)
        limits = (-2.0 if low >= -2.0 else -nice_ceiling(-low), 5.8 if high <= 5.8 else nice_ceiling(high))
        if ax.get_ylim() != limits:
            ax.set_ylim(*limits)
        parts = []
        for name in LOSS_FUNCTIONS:
            curve, error = drawn[name]
            focus = name == chosen
            curves[name].set_data(grid, curve)
            curves[name].set_linewidth(3.2 if focus else 1.5)
            curves[name].set_alpha(1.0 if focus else 0.5)
            text = f"{name}: {error:.3f} from the true curve"
            parts.append(f"<b>{text}</b>" if focus else text)
        readout.value = (f"{plural(n_outliers, 'outlier')}, {steps} updates. Root-mean-square distance of "
                         "each fit from sin(1.5 x): " + " &nbsp;|&nbsp; ".join(parts))

    return App(controls, figure, update, extra=[readout],
               title="A network on noisy data: MSE against Huber with outliers")
