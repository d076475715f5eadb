"""Learning versus memorising: the app for lesson 07.

A network is trained on some handwritten digits and judged on others it never saw (the
validation set). The training loss always falls; the validation loss tells whether it learned
digits or memorised the examples. `generalisation_explorer()` shows both curves as the network
grows and the training set shrinks, where early stopping would stop, and the validation digits
the network gets wrong.
"""

import time

import ipywidgets as widgets
import numpy as np

from ..data import digits, train_val_split
from ..losses import CrossEntropyLoss
from ..nn import Linear, ReLU, Sequential
from ..optim import Adam
from ..plots import MARKERS, PALETTE, label, new_figure
from ..plots.digits import DigitGallery
from ..train import EarlyStopping, fit
from .app import App, AppMessage, progress_bar

HIDDEN_UNITS = (8, 32, 128, 256)
TRAIN_SIZES = (50, 100, 200, 500, 1438)
EPOCHS = 50
PATIENCE = 5


def digits_split(seed=0, dtype=np.float32):
    """The digits, shuffled with `seed`, split into a training pool (1,438) and validation (359)."""
    X, y = digits(rng=seed, dtype=dtype)
    return train_val_split(X, y, val_fraction=0.2, rng=seed)


def digits_model(hidden_units, seed=0, dtype=np.float32):
    """64 pixels -> hidden_units ReLU units -> 10 digit scores (logits)."""
    rng = np.random.default_rng(seed)
    return Sequential(Linear(64, hidden_units, rng=rng, dtype=dtype), ReLU(),
                      Linear(hidden_units, 10, rng=rng, dtype=dtype))


def train_digits_run(hidden_units, train_size, data, epochs=EPOCHS, patience=PATIENCE, lr=0.01, seed=0):
    """Train digits_model(hidden_units) on the first `train_size` training digits (full batch, Adam).

    Runs all `epochs` while an EarlyStopping watches the validation loss, to show both what
    happens without early stopping and where it would have stopped. Returns a dict of per-epoch
    curves (train_loss, val_loss, train_accuracy, val_accuracy), lowest_epoch (lowest validation
    loss over the whole run), stop_epoch (where early stopping with `patience` would stop),
    best_epoch (the epoch whose weights it keeps) and the validation predictions at the end
    ("predicted_final") and with early stopping ("predicted_best").
    """
    from threadpoolctl import threadpool_limits

    X_train, y_train, X_val, y_val = data
    X_train, y_train = X_train[:train_size], y_train[:train_size]
    model = digits_model(hidden_units, seed, X_train.dtype)
    stopper = EarlyStopping(model, patience=patience, restore_best=False)
    stop = {}

    def watch(history):
        """Where early stopping would stop, and what its restored weights predict; never stops."""
        if "epoch" not in stop and stopper(history):
            stop["epoch"], stop["best"] = history.epochs, stopper.best_epoch
            current = [param.data.copy() for param in model.parameters()]
            stopper.restore()
            stop["predicted"] = model(X_val).argmax(axis=1)
            for param, data in zip(model.parameters(), current):
                param.data[...] = data
        return False

    with threadpool_limits(limits=1, user_api="blas"):       # small matrices: threads only cost
        history = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=lr), X_train, y_train,
                      epochs=epochs, batch_size=None, validation=(X_val, y_val), callbacks=[watch])
        predicted_final = model(X_val).argmax(axis=1)
        if "epoch" not in stop:           # never ran out of patience: it stops at the last epoch
            stopper.restore()
            stop.update(epoch=history.epochs, best=stopper.best_epoch, predicted=model(X_val).argmax(axis=1))
    return dict(
        train_loss=np.array(history.epoch_loss), val_loss=np.array(history.val_loss),
        train_accuracy=np.array(history.epoch_accuracy), val_accuracy=np.array(history.val_accuracy),
        lowest_epoch=int(np.argmin(history.val_loss)) + 1, best_epoch=stop["best"], stop_epoch=stop["epoch"],
        predicted_final=predicted_final, predicted_best=stop["predicted"],
    )


def generalisation_explorer(hidden_units=256, train_size=100, early_stopping=False, seed=0):
    """Train and validation curves on real handwritten digits (scikit-learn's 8 x 8).

    Controls: hidden_units (network size), train_size (how many training digits), early_stopping
    (stop when the validation loss has not improved for 5 epochs, and keep the best epoch's
    weights). Top: loss and accuracy per epoch, training and validation; bottom: validation
    digits the network gets wrong. All 20 (size, training set) combinations are trained when the
    app is created (a few seconds, with a progress bar); moving a control only redraws.
    """
    data = digits_split(seed)
    X_val, y_val = data[2], data[3]
    combos = [(h, n) for h in HIDDEN_UNITS for n in TRAIN_SIZES]
    bar = progress_bar(len(combos), "training 20 networks on digits")
    runs, start = {}, time.perf_counter()
    for index, (h, n) in enumerate(combos):
        runs[h, n] = train_digits_run(h, n, data, seed=seed)
        bar.value = index + 1
    bar.close()
    training_seconds = time.perf_counter() - start

    controls = {
        "hidden_units": widgets.SelectionSlider(options=list(HIDDEN_UNITS), value=hidden_units,
                                                description="hidden units", continuous_update=True),
        "train_size": widgets.SelectionSlider(options=list(TRAIN_SIZES), value=train_size,
                                              description="training digits", continuous_update=True,
                                              style={"description_width": "initial"}),
        "early_stopping": widgets.Checkbox(value=early_stopping, description="early stopping (patience 5)",
                                           indent=False),
    }
    figure = new_figure(10, 6.0)[0]
    figure.clear()
    grid = figure.add_gridspec(2, 2, height_ratios=[1.5, 1])
    ax_loss, ax_accuracy = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])
    gallery = DigitGallery(figure.add_subplot(grid[1, :]), rows=2, cols=8,
                           title="Validation digits it gets wrong: true label → what the network said")

    series = {}
    for ax, what in ((ax_loss, "loss"), (ax_accuracy, "accuracy")):
        for index, (split, colour, style) in enumerate((("train", PALETTE[0], "-"), ("val", PALETTE[4], "--"))):
            name = "training" if split == "train" else "validation"
            (series[split, what],) = ax.plot([], [], color=colour, linestyle=style, marker=MARKERS[index],
                                             markevery=5, markersize=5, linewidth=2, label=name, animated=True)
        ax.set_xlim(0, EPOCHS + 1)
    (best_marker,) = ax_loss.plot([], [], linestyle="none", marker="*", markersize=16, color=PALETTE[5],
                                  markeredgecolor="black", label="best epoch (lowest validation loss)",
                                  animated=True)
    best_line = ax_loss.axvline(1, color=PALETTE[5], linestyle=":", linewidth=1.5, animated=True)
    stop_line = ax_accuracy.axvline(1, color=PALETTE[5], linestyle=":", linewidth=1.5, animated=True)
    ax_loss.set_yscale("log")
    ax_loss.set_ylim(1e-4, 20)
    ax_accuracy.set_ylim(0, 1.02)
    ax_loss.legend(loc="lower left", fontsize=8)
    ax_accuracy.legend(loc="lower right", fontsize=8)
    label(ax_loss, "Loss per epoch", "epoch", "cross-entropy loss (log scale)")
    label(ax_accuracy, "Accuracy per epoch", "epoch", "fraction of digits right")
    summary = widgets.HTML()            # numbers in a widget: drawing text in the figure is slow

    def update():
        h, n = controls["hidden_units"].value, controls["train_size"].value
        stopping = controls["early_stopping"].value
        run = runs[h, n]
        last = run["stop_epoch"] if stopping else len(run["train_loss"])
        epochs = np.arange(1, last + 1)
        for split in ("train", "val"):
            series[split, "loss"].set_data(epochs, np.clip(run[f"{split}_loss"][:last], 1.1e-4, 19))
            series[split, "accuracy"].set_data(epochs, run[f"{split}_accuracy"][:last])
        best = run["best_epoch"] if stopping else run["lowest_epoch"]
        best_marker.set_data([best], [run["val_loss"][best - 1]])
        best_line.set_xdata([best, best])
        best_line.set_visible(stopping)
        stop_line.set_xdata([last, last])
        stop_line.set_visible(stopping)
        predicted = run["predicted_best"] if stopping else run["predicted_final"]
        wrong = np.flatnonzero(predicted != y_val)
        shown = wrong[:gallery.size]
        gallery.update(X_val[shown], y_val[shown], predicted[shown])
        accuracy = 1 - len(wrong) / len(y_val)
        gap = run["val_loss"][last - 1] - run["train_loss"][last - 1]
        weights = 64 * h + h + 10 * h + 10
        summary.value = (
            f"{h} hidden units ({weights:,} weights), {n} training digits: "
            + (f"early stopping stopped at epoch {last}, kept the weights of epoch {best}; "
               if stopping else f"trained all {last} epochs (lowest validation loss at epoch {best}); ")
            + f"validation accuracy <b>{accuracy:.1%}</b> ({len(wrong)} of {len(y_val)} wrong), "
            f"validation minus training loss {gap:.2f}."
        )
        if not len(wrong):
            raise AppMessage("No validation digit is wrong: nothing to show below.")

    app = App(controls, figure, update, extra=(summary,),
              title="Learning versus memorising: handwritten digits")
    app.training_seconds = training_seconds
    app.runs = runs
    return app
