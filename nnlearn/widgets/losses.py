"""Lesson 02: what a loss rewards and punishes.

- `loss_explorer()`: MSE, cross-entropy and Huber, each loss and its gradient against the miss
  (the basketball coach: the bigger the miss, the bigger the correction, and how much bigger).
- `outlier_explorer()`: a line fitted under MSE and under Huber while one point is dragged away.
- `diagnosis_explorer()`: a diagnosis classifier whose loss makes a missed sick patient cost more
  (BCEWithLogitsLoss's pos_weight), and the confusion matrix, recall and precision that follow.
"""

import ipywidgets as widgets
import numpy as np

from ..losses import BCEWithLogitsLoss, HuberLoss, MSELoss
from ..nn import Linear
from ..optim import SGD
from ..plots import MARKERS, PALETTE, label, new_figure
from ..plots.confusion import ConfusionMatrixPlot
from ..plots.functions import LOSS_STYLE, LOSSES, decision_line, loss_curves, pointwise_loss
from .app import App, log_slider

MISS_LIMITS = (-4.0, 4.0)


def _slider(name, value, low, high, step, description=None, fmt=".2f"):
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description or name,
                               continuous_update=True, readout_format=fmt,
                               style={"description_width": "initial"}, layout=widgets.Layout(width="300px"))


# --------------------------------------------------------------------------------------------
# Loss and gradient against the miss
# --------------------------------------------------------------------------------------------

def loss_explorer():
    """Loss (left) and gradient (right) against the miss for MSE, cross-entropy and Huber.

    Controls: `loss` highlights one of them, `miss` marks a point on every curve, `delta` is
    Huber's switch from squared to linear. For MSE and Huber the miss is prediction - target;
    for (binary) cross-entropy it is measured on the logit: how far the logit sits on the wrong
    side (d = -logit for a sick patient, target 1). The gradient is dloss/dmiss, the correction.
    """
    controls = {
        "loss": widgets.ToggleButtons(options=list(LOSSES), value="MSE", description="loss",
                                      style={"button_width": "100px"}),
        "miss": _slider("miss", 1.5, *MISS_LIMITS, 0.05, description="miss d"),
        "delta": _slider("delta", 1.0, 0.1, 3.0, 0.05, description="Huber delta"),
    }
    figure, (ax_loss, ax_gradient) = new_figure(10.0, 3.6, ncols=2)
    miss = np.linspace(*MISS_LIMITS, 401)
    lines = loss_curves(ax_loss, ax_gradient, miss, delta=controls["delta"].value, animated=True)
    markers = {
        name: (ax_loss.plot([], [], marker=MARKERS[i], linestyle="none", markeredgecolor="black",
                            color=LOSS_STYLE[name]["color"], animated=True, zorder=5)[0],
               ax_gradient.plot([], [], marker=MARKERS[i], linestyle="none", markeredgecolor="black",
                                color=LOSS_STYLE[name]["color"], animated=True, zorder=5)[0])
        for i, name in enumerate(LOSSES)
    }
    guides = [ax.axvline(0, color="black", linestyle=":", linewidth=1, animated=True)
              for ax in (ax_loss, ax_gradient)]
    for ax in (ax_loss, ax_gradient):
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xlim(*MISS_LIMITS)
    ax_loss.set_ylim(-0.2, 6.0)
    ax_gradient.set_ylim(-4.0, 4.0)
    # A static legend made of proxies (the real lines are animated, so they stay out of it).
    proxies = [ax_loss.plot([], [], marker=MARKERS[i], markeredgecolor="black", linewidth=2, label=name,
                            **LOSS_STYLE[name])[0] for i, name in enumerate(LOSSES)]
    ax_loss.legend(handles=proxies, loc="upper center", fontsize=9)
    label(ax_loss, "Loss: how bad is the miss?", "miss d (cross-entropy: logit on the wrong side)", "loss")
    label(ax_gradient, "Gradient: how big is the correction?", "miss d (cross-entropy: logit on the wrong side)",
          "gradient dloss/dd")
    readout = widgets.HTML()

    def update():
        chosen, d, delta = controls["loss"].value, controls["miss"].value, controls["delta"].value
        rows = []
        for name in LOSSES:
            loss_line, gradient_line = lines[name]
            loss_curve, gradient_curve = pointwise_loss(name, miss, delta)
            loss_line.set_ydata(loss_curve)
            gradient_line.set_ydata(gradient_curve)
            focus = name == chosen
            for line in (loss_line, gradient_line):
                line.set_linewidth(3.2 if focus else 1.4)
                line.set_alpha(1.0 if focus else 0.35)
                line.set_zorder(3 if focus else 2)
            loss, gradient = (float(v) for v in pointwise_loss(name, d, delta))
            for marker, value, (low, high) in zip(markers[name], (loss, gradient),
                                                  (ax_loss.get_ylim(), ax_gradient.get_ylim())):
                marker.set_data([d], [min(max(value, low), high)])     # kept on the axes
                marker.set_markersize(10 if focus else 6)
                marker.set_alpha(1.0 if focus else 0.5)
            row = f"<td>{name}</td><td>{loss:.3f}</td><td>{gradient:+.3f}</td>"
            rows.append(f"<tr style='font-weight:bold'>{row}</tr>" if focus else f"<tr>{row}</tr>")
        for guide in guides:
            guide.set_xdata([d, d])
        p_right = 1 / (1 + np.exp(d))
        readout.value = (
            f"<table><tr><th>miss d = {d:+.2f}</th><th>loss</th><th>gradient</th></tr>{''.join(rows)}</table>"
            f"<small>For cross-entropy, d = {d:+.2f} on the logit means the model gives the right class "
            f"probability {p_right:.3f}.</small>"
        )

    return App(controls, figure, update, extra=[readout],
               title="The basketball coach: how the correction grows with the miss")


# --------------------------------------------------------------------------------------------
# A line fitted under MSE and under Huber while one point is dragged away
# --------------------------------------------------------------------------------------------

def _train_line(model, loss_fn, X, y, lr, max_steps=300, tolerance=1e-9):
    """Full-batch gradient descent on a Linear(1, 1), from its current weights; returns steps taken.

    Stops early once the squared gradient norm falls below `tolerance` (it has converged).
    """
    optimizer = SGD(model.parameters(), lr=lr)
    for step in range(1, max_steps + 1):
        prediction = model(X)                              # 1. forward pass
        loss_fn(prediction, y)                             # 2. loss
        optimizer.zero_grad()
        model.backward(loss_fn.backward())                 # 3. backpropagation
        if sum(float(np.vdot(p.grad, p.grad)) for p in model.parameters()) < tolerance:
            return step
        optimizer.step()                                   # 4. weight update
    return max_steps


class _LineFits:
    """Fits of a line under one loss for each outlier height, memoised; a new height starts from
    the fit of the nearest height already done (a warm start), so a slider move needs few steps."""

    def __init__(self, loss_fn, lr, X, y, dragged, base):
        self.loss_fn, self.lr, self.X, self.y, self.dragged, self.base = loss_fn, lr, X, y, dragged, base
        self.model = Linear(1, 1, rng=0)
        self.fits = {}                                     # height -> (slope, intercept, steps)

    def __call__(self, height):
        key = round(float(height), 9)
        if key not in self.fits:
            if self.fits:
                nearest = min(self.fits, key=lambda done: abs(done - key))
                self.model.weight.data[...] = self.fits[nearest][0]
                self.model.bias.data[...] = self.fits[nearest][1]
            y = self.y.copy()
            y[self.dragged] = self.base + key
            steps = _train_line(self.model, self.loss_fn, self.X, y, self.lr)
            self.fits[key] = (float(self.model.weight.data[0, 0]), float(self.model.bias.data[0]), steps)
        return self.fits[key]


def outlier_explorer():
    """A straight line fitted to 30 points under MSE and under Huber (delta = 1), while the
    `outlier` slider drags the rightmost point above the true line y = 2x + 1.

    Left: the data and both fitted lines. Right: how hard each point pulls on the line, the
    gradient of its loss with respect to its prediction (MSE: 2 d, Huber: clip(d, -1, 1)).
    `loss` picks which fit is highlighted.
    """
    X, y = _outlier_data()
    dragged = int(np.argmax(X[:, 0]))                      # the rightmost point gets dragged
    base = 2.0 * X[dragged, 0] + 1.0                       # its height on the true line
    fitters = {"MSE": _LineFits(MSELoss(), 0.4, X, y, dragged, base),
               "Huber": _LineFits(HuberLoss(delta=1.0), 0.8, X, y, dragged, base)}
    controls = {
        "outlier": _slider("outlier", 10.0, 0.0, 20.0, 0.25, description="outlier: height above the line", fmt=".1f"),
        "loss": widgets.ToggleButtons(options=["MSE", "Huber"], value="MSE", description="loss",
                                      style={"button_width": "80px"}),
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

    def update():
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
            text.append(f"{'<b>' if focus else ''}{name}: y = {slope:.2f} x + {intercept:+.2f}"
                        f"{'</b>' if focus else ''} <small>({steps} steps)</small>")
        readout.value = " &nbsp;|&nbsp; ".join(text) + " &nbsp;|&nbsp; true line: y = 2.00 x + 1.00"

    return App(controls, figure, update, extra=[readout],
               title="One outlier against MSE and Huber: drag it and watch the lines")


def _outlier_data():
    from ..data import line_with_outliers
    return line_with_outliers(n=30, slope=2.0, intercept=1.0, noise=0.3, n_outliers=2, rng=1)


# --------------------------------------------------------------------------------------------
# A diagnosis where a missed sick patient costs more
# --------------------------------------------------------------------------------------------

def diagnosis_data(n=400, sick_fraction=0.1, rng=0):
    """Two blood-test scores per patient, about `sick_fraction` of them sick (label 1).

    Shapes: X (n, 2) float64, y (n,) int64. Healthy patients' scores ~ N((0, 0), 1), sick ones'
    ~ N((1.5, 1.0), 1): the groups overlap, so no line separates them without mistakes.
    """
    generator = np.random.default_rng(rng)
    y = (generator.random(n) < sick_fraction).astype(np.int64)
    X = generator.standard_normal((n, 2)) + np.outer(y, [1.5, 1.0])
    return X, y


POS_WEIGHTS = np.geomspace(1.0, 50.0, 17)                 # the slider's values, 1 .. 50


def train_diagnosis(X, y, pos_weight, steps=200, lr=0.5, start=None):
    """Logistic regression (Linear(2, 1)) trained full batch under BCEWithLogitsLoss(pos_weight),
    with SGD and momentum 0.9.

    Starts from Linear(2, 1, rng=0), or from `start` = (weight (2, 1), bias (1,)) for a warm start
    from a nearby pos_weight. Returns the trained Linear layer.
    """
    model = Linear(2, 1, rng=0)
    if start is not None:
        model.weight.data[...], model.bias.data[...] = start
    loss_fn = BCEWithLogitsLoss(pos_weight=float(pos_weight))
    optimizer = SGD(model.parameters(), lr=lr, momentum=0.9)
    target = y[:, None].astype(float)                      # (N, 1), like the logits
    for _ in range(steps):
        loss_fn(model(X), target)                          # forward pass and loss
        optimizer.zero_grad()
        model.backward(loss_fn.backward())                 # backpropagation
        optimizer.step()                                   # weight update
    return model


def diagnosis_explorer():
    """A classifier for a disease that 10% of patients have, trained with a loss in which a
    false negative (a sick patient sent home) costs `pos_weight` times a false alarm.

    Controls: `pos_weight` (log scale, 1 .. 50) and `loss` ("plain": pos_weight = 1, or
    "weighted"). Shows the test patients with the decision line, the confusion matrix on them, and
    recall and precision against pos_weight. Every slider value is trained once, on creation.
    """
    from sklearn.metrics import confusion_matrix, precision_score, recall_score

    X_train, y_train = diagnosis_data(400, rng=0)
    X_test, y_test = diagnosis_data(400, rng=1)

    def evaluate(model):
        predicted = (model(X_test)[:, 0] > 0).astype(np.int64)          # logit > 0 <=> p(sick) > 0.5
        return {
            "start": (model.weight.data.copy(), model.bias.data.copy()),
            "w": model.weight.data[:, 0].copy(), "b": float(model.bias.data[0]),
            "matrix": confusion_matrix(y_test, predicted, labels=[0, 1]),
            "recall": recall_score(y_test, predicted, zero_division=0),
            "precision": precision_score(y_test, predicted, zero_division=0),
        }

    # Every slider stop, trained once now: the first from scratch, each next one warm-started
    # from the one before (the fits change smoothly with pos_weight, so 60 steps suffice).
    results = {}
    start = None
    for value in POS_WEIGHTS:
        model = train_diagnosis(X_train, y_train, value, steps=200 if start is None else 60, start=start)
        results[float(value)] = evaluate(model)
        start = results[float(value)]["start"]

    def result(pos_weight):
        """The stop's result, or (a value set from code) a warm start from the nearest stop, memoised."""
        nearest = float(POS_WEIGHTS[np.argmin(np.abs(np.log(POS_WEIGHTS / pos_weight)))])
        if abs(nearest / pos_weight - 1) < 1e-6:                        # a stop, up to 10 ** x rounding
            return results[nearest]
        key = round(float(pos_weight), 9)
        if key not in results:
            model = train_diagnosis(X_train, y_train, key, steps=60, start=results[nearest]["start"])
            results[key] = evaluate(model)
        return results[key]

    curve = [results[float(value)] for value in POS_WEIGHTS]
    controls = {
        "pos_weight": log_slider("false-negative weight (pos_weight)", 5.0, 0.0, float(np.log10(50.0)),
                                 step=float(np.log10(50.0)) / 16),
        "loss": widgets.ToggleButtons(options=["plain", "weighted"], value="weighted", description="loss",
                                      style={"button_width": "80px"}),
    }
    controls["pos_weight"].value = float(POS_WEIGHTS[np.argmin(np.abs(POS_WEIGHTS - 5.0))])

    figure, (ax_data, ax_matrix, ax_metrics) = new_figure(12.0, 3.8, ncols=3)
    limits = (-3.5, 4.5)
    for cls, name, marker, colour in ((0, "healthy", "o", PALETTE[1]), (1, "sick", "^", PALETTE[5])):
        rows = y_test == cls
        ax_data.plot(X_test[rows, 0], X_test[rows, 1], marker=marker, linestyle="none", color=colour,
                     markeredgecolor="black", markeredgewidth=0.5, markersize=5 if cls == 0 else 7,
                     label=f"{name} ({rows.sum()})")
    boundary, = ax_data.plot([], [], color="black", linestyle="--", linewidth=2, animated=True)
    ax_data.plot([], [], color="black", linestyle="--", linewidth=2, label="says sick beyond this line")
    ax_data.legend(loc="lower left", fontsize=7)
    ax_data.set_xlim(*limits)
    ax_data.set_ylim(*limits)
    ax_data.set_aspect("equal")
    label(ax_data, "Test patients and the decision line", "test score A (units: std. dev.)",
          "test score B (units: std. dev.)")

    matrix_plot = ConfusionMatrixPlot(ax_matrix, ["healthy", "sick"], title="Confusion matrix (test patients)")

    recalls = [r["recall"] for r in curve]
    precisions = [r["precision"] for r in curve]
    ax_metrics.plot(POS_WEIGHTS, recalls, marker=MARKERS[0], color=PALETTE[4], label="recall: sick found")
    ax_metrics.plot(POS_WEIGHTS, precisions, marker=MARKERS[1], color=PALETTE[0], linestyle="--",
                    label="precision: alarms that are right")
    ax_metrics.set_xscale("log")
    ax_metrics.set_xlim(0.9, 56)
    ax_metrics.set_ylim(0, 1.05)
    now = ax_metrics.axvline(1, color="black", linestyle=":", animated=True)
    now_points = ax_metrics.plot([], [], marker="o", markersize=11, linestyle="none", markerfacecolor="none",
                                 markeredgecolor="black", markeredgewidth=2, animated=True)[0]
    ax_metrics.legend(loc="lower left", fontsize=8)
    label(ax_metrics, "Recall and precision", "pos_weight (cost of a false negative, log scale)", "fraction")
    readout = widgets.HTML()

    def update():
        weighted = controls["loss"].value == "weighted"
        controls["pos_weight"].disabled = not weighted
        pos_weight = controls["pos_weight"].value if weighted else 1.0
        r = result(pos_weight)
        w, b = r["w"], r["b"]
        ends = decision_line(w[0], w[1], b, limits, limits)
        boundary.set_data(*(ends if ends is not None else ([], [])))
        matrix_plot.update(r["matrix"])
        now.set_xdata([pos_weight, pos_weight])
        now_points.set_data([pos_weight, pos_weight], [r["recall"], r["precision"]])
        (tn, fp), (fn, tp) = r["matrix"]
        readout.value = (
            f"<b>{'weighted' if weighted else 'plain'} loss, pos_weight = {pos_weight:.2f}</b>: "
            f"a missed sick patient costs {pos_weight:.2f}× a false alarm. "
            f"Recall {r['recall']:.2f} ({tp} of {tp + fn} sick found, {fn} sent home), "
            f"precision {r['precision']:.2f} ({tp} of {tp + fp} alarms right)."
        )

    return App(controls, figure, update, extra=[readout],
               title="A diagnosis where a missed sick patient costs more")
