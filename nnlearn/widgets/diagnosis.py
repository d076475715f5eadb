"""Lesson 02: a diagnosis where a missed sick patient costs more.

`diagnosis_explorer()` trains a logistic regression under BCEWithLogitsLoss(pos_weight) for each
slider value, and shows the decision line, the confusion matrix, recall and precision. Beside
it, the plain (unweighted) model with its threshold moved from 0.5 to 1 / (1 + pos_weight):
nearly the same decisions, because weighting the positives by w makes the model estimate
w p / (w p + 1 - p) instead of p, and that crosses 0.5 exactly where p crosses 1 / (1 + w).
The weighted model's probabilities are therefore no longer calibrated (too high).
"""

import ipywidgets as widgets
import numpy as np

from ..losses import BCEWithLogitsLoss
from ..nn import Linear
from ..optim import SGD
from ..plots import MARKERS, PALETTE, label, new_figure
from ..plots.confusion import ConfusionMatrixPlot
from ..plots.functions import decision_line
from .app import App, log_slider
from .regression import train_step


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
        train_step(model, loss_fn, optimizer, X, target)
    return model


def scores(y_true, predicted):
    """Confusion matrix [[TN, FP], [FN, TP]], recall and precision (0 when undefined)."""
    y_true, predicted = np.asarray(y_true), np.asarray(predicted)
    tp = int(np.sum((predicted == 1) & (y_true == 1)))
    fp = int(np.sum((predicted == 1) & (y_true == 0)))
    fn = int(np.sum((predicted == 0) & (y_true == 1)))
    tn = int(np.sum((predicted == 0) & (y_true == 0)))
    return {"matrix": np.array([[tn, fp], [fn, tp]]),
            "recall": tp / (tp + fn) if tp + fn else 0.0,
            "precision": tp / (tp + fp) if tp + fp else 0.0}


def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=float)))


class DiagnosisModels:
    """Every slider stop trained once (the first from scratch, each next warm-started from the one
    before: the fits change smoothly with pos_weight), and evaluated on the test patients: the
    weighted model at threshold 0.5, and the plain model (pos_weight 1) at threshold 1 / (1 + w)."""

    def __init__(self):
        self.X_train, self.y_train = diagnosis_data(400, rng=0)
        self.X_test, self.y_test = diagnosis_data(400, rng=1)
        self.results = {}
        start = None
        for value in POS_WEIGHTS:
            model = train_diagnosis(self.X_train, self.y_train, value, steps=200 if start is None else 60,
                                    start=start)
            self.results[float(value)] = self.evaluate(model, float(value))
            start = self.results[float(value)]["start"]
        self.plain = self.results[1.0]

    def evaluate(self, model, pos_weight):
        logits = model(self.X_test)[:, 0]
        r = scores(self.y_test, (logits > 0).astype(np.int64))          # logit > 0 <=> p > 0.5
        r.update(start=(model.weight.data.copy(), model.bias.data.copy()), w=model.weight.data[:, 0].copy(),
                 b=float(model.bias.data[0]), mean_p=float(sigmoid(logits).mean()), pos_weight=pos_weight)
        return r

    def __call__(self, pos_weight):
        """The stop's result, or (a value set from code) a warm start from the nearest stop, memoised."""
        nearest = float(POS_WEIGHTS[np.argmin(np.abs(np.log(POS_WEIGHTS / pos_weight)))])
        if abs(nearest / pos_weight - 1) < 1e-6:                        # a stop, up to 10 ** x rounding
            return self.results[nearest]
        key = round(float(pos_weight), 9)
        if key not in self.results:
            model = train_diagnosis(self.X_train, self.y_train, key, steps=60, start=self.results[nearest]["start"])
            self.results[key] = self.evaluate(model, key)
        return self.results[key]

    def moved_threshold(self, pos_weight):
        """The plain model deciding 'sick' when p > 1 / (1 + pos_weight): scores and its line's bias shift."""
        threshold = 1 / (1 + pos_weight)
        logits = self.X_test @ self.plain["w"] + self.plain["b"]
        r = scores(self.y_test, (sigmoid(logits) > threshold).astype(np.int64))
        r["threshold"] = threshold
        return r


def diagnosis_explorer():
    """A classifier for a disease that 10% of patients have, trained with a loss in which a
    false negative (a sick patient sent home) costs `pos_weight` times a false alarm.

    Controls: `pos_weight` (log scale, 1 .. 50) and `loss` ("plain": pos_weight = 1, or
    "weighted"). Shows the test patients with the decision lines (the weighted model's, and the
    plain model's with its threshold moved to 1 / (1 + pos_weight)), the confusion matrix, and
    recall and precision against pos_weight for both. Every slider stop is trained on creation.
    """
    models = DiagnosisModels()
    X_test, y_test = models.X_test, models.y_test
    curve = [models.results[float(value)] for value in POS_WEIGHTS]
    moved = [models.moved_threshold(float(value)) for value in POS_WEIGHTS]
    controls = {
        "pos_weight": log_slider("pos_weight", 5.0, 0.0, float(np.log10(50.0)), step=float(np.log10(50.0)) / 16,
                                 readout_format=".2f", layout=widgets.Layout(width="440px")),
        "loss": widgets.ToggleButtons(options=["plain", "weighted"], value="weighted", description="loss",
                                      style={"button_width": "100px", "description_width": "initial"}),
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
    moved_line, = ax_data.plot([], [], color=PALETTE[6], linestyle=":", linewidth=2, animated=True)
    ax_data.plot([], [], color="black", linestyle="--", linewidth=2, label="says sick beyond this line")
    ax_data.plot([], [], color=PALETTE[6], linestyle=":", linewidth=2, label="plain model, threshold 1/(1+w)")
    ax_data.legend(loc="lower left", fontsize=7)
    ax_data.set_xlim(*limits)
    ax_data.set_ylim(*limits)
    ax_data.set_aspect("equal")
    label(ax_data, "Test patients and the decision line", "test score A (units: std. dev.)",
          "test score B (units: std. dev.)")

    matrix_plot = ConfusionMatrixPlot(ax_matrix, ["healthy", "sick"], title="Confusion matrix (test patients)")

    ax_metrics.plot(POS_WEIGHTS, [r["recall"] for r in curve], marker=MARKERS[0], color=PALETTE[4],
                    label="recall: sick found")
    ax_metrics.plot(POS_WEIGHTS, [r["precision"] for r in curve], marker=MARKERS[1], color=PALETTE[0],
                    linestyle="--", label="precision: alarms that are right")
    ax_metrics.plot(POS_WEIGHTS, [r["recall"] for r in moved], color=PALETTE[4], linestyle=":", linewidth=1,
                    label="same, plain model at 1/(1+w)")
    ax_metrics.plot(POS_WEIGHTS, [r["precision"] for r in moved], color=PALETTE[0], linestyle=":", linewidth=1)
    ax_metrics.set_xscale("log")
    ax_metrics.set_xlim(0.9, 56)
    ax_metrics.set_ylim(0, 1.05)
    now = ax_metrics.axvline(1, color="black", linestyle=":", animated=True)
    now_points = ax_metrics.plot([], [], marker="o", markersize=11, linestyle="none", markerfacecolor="none",
                                 markeredgecolor="black", markeredgewidth=2, animated=True)[0]
    ax_metrics.legend(loc="lower left", fontsize=7)
    label(ax_metrics, "Recall and precision", "pos_weight w (log scale)", "fraction")
    readout = widgets.HTML()

    def update(app):
        weighted = controls["loss"].value == "weighted"
        controls["pos_weight"].disabled = not weighted
        pos_weight = controls["pos_weight"].value if weighted else 1.0
        r = models(pos_weight)
        plain_moved = models.moved_threshold(pos_weight)
        ends = decision_line(r["w"][0], r["w"][1], r["b"], limits, limits)
        boundary.set_data(*(ends if ends is not None else ([], [])))
        # p > 1/(1+w)  <=>  logit > -log(w): the plain model's line shifted by log(w).
        w, b = models.plain["w"], models.plain["b"]
        moved_ends = decision_line(w[0], w[1], b + np.log(pos_weight), limits, limits)
        moved_line.set_data(*(moved_ends if moved_ends is not None else ([], [])))
        matrix_plot.update(r["matrix"])
        now.set_xdata([pos_weight, pos_weight])
        now_points.set_data([pos_weight, pos_weight], [r["recall"], r["precision"]])
        (tn, fp), (fn, tp) = r["matrix"]
        readout.value = (
            f"<b>{'weighted' if weighted else 'plain'} loss, pos_weight = {pos_weight:.2f}</b>: "
            f"a missed sick patient costs {pos_weight:.2f}× a false alarm. "
            f"Recall {r['recall']:.2f} ({tp} of {tp + fn} sick found, {fn} sent home), "
            f"precision {r['precision']:.2f} ({tp} of {tp + fp} alarms right).<br>"
            f"The plain model with its threshold moved to 1/(1 + {pos_weight:.2f}) = {plain_moved['threshold']:.3f}: "
            f"recall {plain_moved['recall']:.2f}, precision {plain_moved['precision']:.2f}. "
            f"Mean predicted p(sick) on the test patients: {r['mean_p']:.3f}, while "
            f"{y_test.mean():.3f} of them are sick."
        )

    return App(controls, figure, update, extra=[readout],
               title="A diagnosis where a missed sick patient costs more")
