"""Learning versus memorising: the apps for lesson 07.

`generalisation_explorer()`: one network on handwritten digits, its loss and accuracy per epoch
on the training and validation sets side by side, with weight decay, dropout and early stopping
as controls, and the validation digits it gets wrong. `overfitting_chart()`: every network size
against every training-set size, measured. `memorising_chart()`: a network learning the digits'
true labels and memorising shuffled ones, over 5 seeds. `seed_spread_chart()`: each comparison the
lesson makes, seed by seed. Runs come from `nnlearn.experiments.digit_runs.digits_run` (stored
for every setting these apps open with and every explorer setting at seed 0; any other trained the
first time it is shown, then cached); the test set is never shown here.
"""

import html

import ipywidgets as widgets
import numpy as np

from ..plots import MARKERS, PALETTE, label, new_figure
from ..plots.style import nice_ceiling
from ..plots.digits import DigitGallery
from .app import App, progress_bar
from ..experiments.digit_runs import (DROPOUTS, EPOCHS, HIDDEN_UNITS, PATIENCE, STOPPING, TRAIN_SIZES,
                                  WEIGHT_DECAYS, digits_run, digits_split, kept_epoch, weight_count)
from ..experiments.digit_seeds import CHANCE, COMPARISONS, MEMORISING, SEEDS, difference, memorising_runs

LOSS_LIMITS = (0.0, 2.5)            # every run starts near ln 10 = 2.30


def _selection(options, value, description):
    return widgets.SelectionSlider(options=list(options), value=value, description=description,
                                   continuous_update=True, style={"description_width": "initial"},
                                   layout=widgets.Layout(width="340px"))


def explorer_summary(run, hidden_units, train_size, stopping="off"):
    """The numbers the explorer prints under its figure, all read from `run` at the kept epoch."""
    best, stop = kept_epoch(run, stopping)
    y_val = digits_split()[3]
    wrong = int(np.sum(run["val_predicted"][best - 1] != y_val))
    lowest = int(np.argmin(run["val_loss"][:stop])) + 1          # within the epochs drawn
    return dict(best=best, stop=stop, wrong=wrong, lowest=lowest, val_accuracy=float(run["val_accuracy"][best - 1]),
                val_loss=float(run["val_loss"][best - 1]), lowest_loss=float(run["val_loss"][lowest - 1]),
                accuracy_at_lowest=float(run["val_accuracy"][lowest - 1]),
                train_accuracy=float(run["train_accuracy"][best - 1]),
                confidence=float(run["wrong_confidence"][best - 1]),
                confidence_at_lowest=float(run["wrong_confidence"][lowest - 1]),
                weights=weight_count(hidden_units), train_size=train_size)


def explorer_message(numbers, stopping="off"):
    """The summary line, as HTML, from `explorer_summary`'s numbers."""
    n = numbers
    where = (f"trained all {n['stop']} epochs" if stopping == "off" else
             f"early stopping on {stopping} (patience {PATIENCE}) stopped at epoch {n['stop']} and "
             f"kept the weights of epoch {n['best']}")
    return html.escape(
        f"{n['weights']:,} weights, {n['train_size']:,} training digits: {where}. "
        f"Validation accuracy {n['val_accuracy']:.1%} ({n['wrong']} of 300 wrong), validation loss "
        f"{n['val_loss']:.2f} (lowest {n['lowest_loss']:.2f} at epoch {n['lowest']}, accuracy then "
        f"{n['accuracy_at_lowest']:.1%}). On the digits it gets wrong it gives its wrong answer "
        f"a probability of {n['confidence']:.0%} on average ({n['confidence_at_lowest']:.0%} at epoch {n['lowest']})."
    )


class GeneralisationExplorer:
    """The explorer's figure and its update: curves, markers, gallery, summary."""

    def __init__(self, controls):
        self.controls = controls
        self.figure = new_figure(10, 6.2)[0]
        self.figure.clear()
        grid = self.figure.add_gridspec(2, 2, height_ratios=[1.5, 1])
        self.ax_loss, self.ax_accuracy = self.figure.add_subplot(grid[0, 0]), self.figure.add_subplot(grid[0, 1])
        self.gallery = DigitGallery(self.figure.add_subplot(grid[1, :]), rows=2, cols=10,
                                    title="Validation digits it gets wrong (at the epoch kept): true → said")
        self.series = {}
        for ax, what in ((self.ax_loss, "loss"), (self.ax_accuracy, "accuracy")):
            for index, (split, colour, style) in enumerate((("train", PALETTE[0], "-"), ("val", PALETTE[4], "--"))):
                name = "training" if split == "train" else "validation"
                (self.series[split, what],) = ax.plot([], [], color=colour, linestyle=style, marker=MARKERS[index],
                                                      markevery=15, markersize=5, linewidth=2, label=name,
                                                      animated=True)
            ax.set_xlim(0, EPOCHS + 2)
        self.kept = {}
        for ax, what in ((self.ax_loss, "loss"), (self.ax_accuracy, "accuracy")):
            (self.kept[what],) = ax.plot([], [], linestyle="none", marker="*", markersize=15, color=PALETTE[5],
                                         markeredgecolor="black", label="epoch kept", animated=True)
        self.stop_lines = [ax.axvline(1, color=PALETTE[5], linestyle=":", linewidth=1.5, animated=True)
                           for ax in (self.ax_loss, self.ax_accuracy)]
        self.ax_loss.set_ylim(*LOSS_LIMITS)
        self.ax_accuracy.set_ylim(0, 1.02)
        self.ax_loss.legend(loc="upper right", fontsize=8)
        self.ax_accuracy.legend(loc="lower right", fontsize=8)
        label(self.ax_loss, "Loss per epoch", "epoch (one update on all training digits)",
              "cross-entropy loss")
        label(self.ax_accuracy, "Accuracy per epoch", "epoch", "fraction of digits right")
        self.summary = widgets.HTML()

    def settings(self):
        c = self.controls
        return (c["hidden_units"].value, c["train_size"].value, c["weight_decay"].value,
                c["dropout"].value, c["early_stopping"].value)

    def update(self, app):
        hidden_units, train_size, weight_decay, dropout, stopping = self.settings()
        run = digits_run(hidden_units, train_size, weight_decay, dropout)
        numbers = explorer_summary(run, hidden_units, train_size, stopping)
        shown = numbers["stop"]
        epochs = np.arange(1, shown + 1)
        for split in ("train", "val"):
            self.series[split, "loss"].set_data(epochs, np.clip(run[f"{split}_loss"][:shown], *LOSS_LIMITS))
            self.series[split, "accuracy"].set_data(epochs, run[f"{split}_accuracy"][:shown])
        best = numbers["best"]
        self.kept["loss"].set_data([best], [np.clip(run["val_loss"][best - 1], *LOSS_LIMITS)])
        self.kept["accuracy"].set_data([best], [run["val_accuracy"][best - 1]])
        for line in self.stop_lines:
            line.set_xdata([shown, shown])
            line.set_visible(stopping != "off")
        X_val, y_val = digits_split()[2:4]
        predicted = run["val_predicted"][best - 1]
        wrong = np.flatnonzero(predicted != y_val)[:self.gallery.size]
        self.gallery.update(X_val[wrong], y_val[wrong], predicted[wrong])
        self.summary.value = explorer_message(numbers, stopping)
        self.numbers = numbers


def generalisation_explorer(hidden_units=128, train_size=50, weight_decay=0.0, dropout=0.0, early_stopping="off"):
    """Loss and accuracy per epoch on real handwritten digits (scikit-learn's 8 x 8), training and validation.

    Controls: hidden_units (network size), train_size (training digits), weight_decay (AdamW's
    decoupled decay), dropout (p, after the hidden layer), early_stopping ("off", or watching
    validation accuracy or loss with patience 20, restoring the best epoch). Every setting is
    stored (150 epochs at seed 0, nnlearn.experiments.digit_runs_stored), so a move only redraws.
    """
    controls = {
        "hidden_units": _selection(HIDDEN_UNITS, hidden_units, "hidden units"),
        "train_size": _selection(TRAIN_SIZES, train_size, "training digits"),
        "weight_decay": _selection(WEIGHT_DECAYS, weight_decay, "weight decay"),
        "dropout": _selection(DROPOUTS, dropout, "dropout p"),
        "early_stopping": widgets.Dropdown(options=list(STOPPING), value=early_stopping,
                                           description="early stopping", style={"description_width": "initial"},
                                           layout=widgets.Layout(width="300px")),
    }
    explorer = GeneralisationExplorer(controls)
    app = App(controls, explorer.figure, explorer.update, extra=(explorer.summary,),
              title="Learning versus memorising: handwritten digits")
    app.explorer = explorer
    return app


MEASURES = {
    "validation accuracy": lambda run: run["val_accuracy"][-1],
    "training − validation accuracy": lambda run: run["train_accuracy"][-1] - run["val_accuracy"][-1],
    "validation loss: last − lowest": lambda run: run["val_loss"][-1] - run["val_loss"].min(),
}


def overfitting_table(measure="validation accuracy", weight_decay=0.0, dropout=0.0):
    """measure after 150 epochs for every (hidden units, training digits): (len(HIDDEN_UNITS), len(TRAIN_SIZES))."""
    return np.array([[MEASURES[measure](digits_run(h, n, weight_decay, dropout)) for n in TRAIN_SIZES]
                     for h in HIDDEN_UNITS])


def overfitting_chart(measure="validation accuracy"):
    """One line per network size: a measure of overfitting against the number of training digits.

    The 18 runs are stored (a progress bar shows any that must be trained); the `measure`
    control only redraws.
    """
    bar = progress_bar(len(HIDDEN_UNITS) * len(TRAIN_SIZES), "training 18 networks on digits")
    for index, (h, n) in enumerate((h, n) for h in HIDDEN_UNITS for n in TRAIN_SIZES):
        digits_run(h, n)
        bar.value = index + 1
    bar.close()
    controls = {"measure": widgets.ToggleButtons(options=list(MEASURES), value=measure,
                                                 style={"button_width": "220px"})}
    figure, ax = new_figure(8, 4.2)
    lines = [ax.plot([], [], marker=MARKERS[i], color=PALETTE[i], linewidth=2, label=f"{h} hidden units",
                     animated=True)[0] for i, h in enumerate(HIDDEN_UNITS)]
    ax.set_xscale("log")
    ax.set_xticks(TRAIN_SIZES, [f"{n:,}" for n in TRAIN_SIZES])
    ax.minorticks_off()
    ax.set_xlim(40, 1500)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.legend(fontsize=8, loc="center right")
    label(ax, "After 150 epochs, on the 300 validation digits", "training digits (log scale)", "")

    def update(app):
        table = overfitting_table(controls["measure"].value)
        for line, row in zip(lines, table):
            line.set_data(TRAIN_SIZES, row)
        low, high = table.min(), max(table.max(), table.min() + 0.05)
        bottom = low - 0.08 * (high - low)
        if controls["measure"].value != "validation accuracy":
            bottom = min(bottom, -0.01)                    # a gap or a rise: show where 0 is
        ax.set_ylim(bottom, high + 0.08 * (high - low))
        ax.set_ylabel(controls["measure"].value)

    app = App(controls, figure, update, title="Overfitting, measured: network size against training digits",
              cache_pictures=True)
    return app


def memorising_chart(measure="accuracy"):
    """Training and validation curves with the digits' true labels and with shuffled ones, 5 seeds each.

    128 hidden units, 200 training digits, 150 epochs: a thin line per seed, a thick one for the
    median. The 10 runs are stored; the `measure` control only redraws.
    """
    bar = progress_bar(2 * len(SEEDS), "training 10 networks on true and shuffled labels")
    for index, seed in enumerate(SEEDS):
        for labels in ("true", "shuffled"):
            digits_run(MEMORISING["hidden_units"], MEMORISING["train_size"], seed=seed, labels=labels)
            bar.value += 1
    bar.close()
    runs = memorising_runs()
    controls = {"measure": widgets.ToggleButtons(options=["accuracy", "loss"], value=measure)}
    figure, ax = new_figure(8, 4.4)
    lines, epochs = [], np.arange(1, EPOCHS + 1)
    for labels, colour in (("true", PALETTE[4]), ("shuffled", PALETTE[5])):
        for split, style, marker in (("train", "-", MARKERS[0]), ("val", "--", MARKERS[1])):
            name = f"{'training' if split == 'train' else 'validation'}, {labels} labels"
            thin = [ax.plot([], [], color=colour, linestyle=style, linewidth=0.8, alpha=0.45, animated=True)[0]
                    for _ in SEEDS]
            (median,) = ax.plot([], [], color=colour, linestyle=style, linewidth=2.2, marker=marker, markevery=15,
                                label=f"{name} (median)", animated=True)
            lines.append((labels, split, thin, median))
    level = ax.axhline(CHANCE, color="grey", linewidth=1, linestyle=":", animated=True)
    ax.set_xlim(0, EPOCHS + 2)
    label(ax, f"{MEMORISING['hidden_units']} hidden units, {MEMORISING['train_size']} training digits, "
              f"{len(SEEDS)} seeds (thin lines)", "epoch", "")
    highest_loss = max(float(run[f"{split}_loss"].max()) for group in runs.values() for run in group
                       for split in ("train", "val"))

    def update(app):
        what = controls["measure"].value
        for labels, split, thin, median in lines:
            curves = np.array([run[f"{split}_{what}"] for run in runs[labels]])
            for line, curve in zip(thin, curves):
                line.set_data(epochs, curve)
            median.set_data(epochs, np.median(curves, axis=0))
        level.set_ydata([CHANCE if what == "accuracy" else np.log(10)] * 2)
        level.set_label("guessing: 1 in 10 right" if what == "accuracy" else "guessing: loss ln 10 = 2.30")
        ax.legend(fontsize=8, loc="center right" if what == "accuracy" else "upper left")
        ax.set_ylim(*((0, 1.02) if what == "accuracy" else (0, nice_ceiling(highest_loss))))
        ax.set_ylabel("fraction of digits right" if what == "accuracy" else "cross-entropy loss")

    return App(controls, figure, update, title="Memorising: true labels against shuffled labels",
               cache_pictures=True)


def seed_spread_chart(measure="validation accuracy"):
    """Each comparison of the lesson (B - A after 150 epochs), one dot per seed and a bar at the median."""
    keys = {"validation accuracy": ("val_accuracy", 100, "points; right of 0: B is better"),
            "validation loss": ("val_loss", 1, "left of 0: B is better")}
    bar = progress_bar(len(COMPARISONS), "training the lesson's comparisons over 5 seeds")
    table = {}
    for index, (name, a, b) in enumerate(COMPARISONS):
        table[name] = {what: scale * difference(a, b, key) for what, (key, scale, _) in keys.items()}
        bar.value = index + 1
    bar.close()
    controls = {"measure": widgets.ToggleButtons(options=list(keys), value=measure,
                                                 style={"button_width": "160px"})}
    figure, ax = new_figure(8, 4.2)
    rows = np.arange(len(COMPARISONS))[::-1]
    dots = ax.plot([], [], linestyle="none", marker="o", color=PALETTE[4], alpha=0.7, label="one seed",
                   animated=True)[0]
    medians = ax.plot([], [], linestyle="none", marker="|", markersize=18, markeredgewidth=3, color=PALETTE[5],
                      label="median", animated=True)[0]
    ax.axvline(0, color="grey", linewidth=1)
    ax.set_yticks(rows, [name for name, _, _ in COMPARISONS], fontsize=8)
    ax.set_ylim(-0.6, len(COMPARISONS) - 0.4)
    ax.legend(fontsize=8, loc="lower right")

    def update(app):
        what = controls["measure"].value
        values = [table[name][what] for name, _, _ in COMPARISONS]
        dots.set_data(np.concatenate(values), np.repeat(rows, [len(v) for v in values]))
        medians.set_data([np.median(v) for v in values], rows)
        reach = nice_ceiling(1.1 * max(np.abs(np.concatenate(values)).max(), 1e-3))     # no dot on the edge
        ax.set_xlim(-reach, reach)
        unit = keys[what][2]
        label(ax, f"Each change, seed by seed ({len(SEEDS)} seeds): B − A after 150 epochs",
              f"change in {what} ({unit})", "")

    return App(controls, figure, update, title="Over seeds: how often each change helps", cache_pictures=True)
