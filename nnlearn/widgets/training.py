"""The app of lesson 00 (the learning loop): a small network learns a 2-D dataset.

`training_explorer()`: every control move retrains from the same seed for a fixed budget of
updates and shows the decision regions and the loss curve; the `step` button runs ONE forward /
loss / backward / update (`nl.train_step`) and lists what each stage did. Divergence is decided
by `has_diverged`, the one rule the library uses; the optimizers come from the one registry.
"""

import copy
import html
from collections import OrderedDict

import ipywidgets as widgets
import numpy as np

from .. import data as nl_data
from ..losses import CrossEntropyLoss, HuberLoss, MSELoss
from ..nn import Linear, ReLU, Sequential
from ..plots import boundaries, label, new_figure
from ..plots.curves import LossCurve
from ..train import accuracy
from ._pending_core import OPTIMIZERS, has_diverged, train_step
from .app import App, AppMessage, log_slider

N_POINTS = 200
HIDDEN = 16
BUDGET = 50                        # updates per retrain on a control move
LIMITS = (-2.6, 2.6)
RESOLUTION = 60
BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200)
CACHE_RUNS = 64                    # trained runs kept (each a few kB)

DATASETS = {
    "moons": lambda: nl_data.moons(N_POINTS, noise=0.2, rng=0),
    "circles": lambda: nl_data.circles(N_POINTS, noise=0.1, rng=0),
    "xor": lambda: nl_data.xor(N_POINTS, noise=0.1, rng=0),
    "spirals": lambda: nl_data.spirals(N_POINTS, classes=3, noise=0.15, rng=0),
    "blobs": lambda: nl_data.blobs(N_POINTS, centers=3, std=0.5, rng=0),
}
LOSSES = {
    "cross-entropy": CrossEntropyLoss,
    "MSE on one-hot": MSELoss,
    "Huber on one-hot": HuberLoss,
}

_DATA_CACHE = {}


def load_dataset(name):
    """(X, y) of one of the explorer's datasets (drawn once with a fixed seed, then reused)."""
    if name not in DATASETS:
        raise AppMessage(f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)}.")
    if name not in _DATA_CACHE:
        _DATA_CACHE[name] = DATASETS[name]()
    return _DATA_CACHE[name]


def small_network(n_classes, rng=0, hidden=HIDDEN):
    """2 inputs -> `hidden` ReLU units -> one output per class (logits)."""
    rng = np.random.default_rng(rng)
    return Sequential(Linear(2, hidden, rng=rng), ReLU(), Linear(hidden, n_classes, rng=rng))


def optimizer_key(name):
    """The registry key of an optimizer given by key or by display name ("Adam", "momentum")."""
    for key, info in OPTIMIZERS.items():
        if name == key or str(name).lower() in (str(key).lower(), info.name.lower()):
            return key
    raise AppMessage(f"Unknown optimizer {name!r}; choose one of {', '.join(i.name for i in OPTIMIZERS.values())}.")


def _norm(array):
    return float(np.sqrt(np.vdot(array, array)))


def plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class TrainingRun:
    """A model, its loss and optimizer, the data, and a record of every update so far.

    The record: `losses[k]` is the loss of update k + 1's mini-batch before that update (as
    `nl.train_step` returns it), `batch_sizes[k]` its number of examples. Epochs are reshuffled
    from a seeded generator, so a run always repeats.
    """

    def __init__(self, dataset="moons", loss="cross-entropy", optimizer="SGD", lr=1.0, batch_size=200, seed=0):
        self.X, self.y = load_dataset(dataset)
        self.n_classes = int(self.y.max()) + 1
        self.model = small_network(self.n_classes, rng=seed)
        self.loss_name = loss
        self.loss_fn = LOSSES[loss]()
        # Cross-entropy takes class labels; MSE and Huber compare the outputs with one-hot rows.
        self.target = self.y if loss == "cross-entropy" else np.eye(self.n_classes)[self.y]
        self.optimizer = OPTIMIZERS[optimizer_key(optimizer)].make(self.model.parameters(), lr)
        self.batch_size = int(batch_size)
        self.batch_rng = np.random.default_rng(seed + 1)
        self._batches = None
        self.losses = []
        self.batch_sizes = []
        self.diverged_at = None              # 1-based update whose loss counts as diverged

    @property
    def updates(self):
        return len(self.losses)

    @property
    def examples_seen(self):
        return int(sum(self.batch_sizes))

    def _next_batch(self):
        batch = next(self._batches, None) if self._batches is not None else None
        if batch is None:
            self._batches = nl_data.minibatches(self.X, self.target, self.batch_size, shuffle=True,
                                                rng=self.batch_rng)
            batch = next(self._batches)
        return batch

    def new_epoch(self):
        """Drop the rest of the current epoch: the next batch starts a fresh shuffle."""
        self._batches = None

    def step(self, record=False):
        """One `train_step` on the next mini-batch; with record=True, what each stage did."""
        if self.diverged_at is not None:
            raise AppMessage(self.divergence_message() + " Press reset or choose another setting.")
        X_batch, t_batch = self._next_batch()
        layers = [layer for layer in self.model if isinstance(layer, Linear)]
        before = [layer.weight.data.copy() for layer in layers] if record else []
        with np.errstate(all="ignore"):
            output = self.model(X_batch) if record else None                  # what step 1 computes
            loss = train_step(self.model, self.loss_fn, self.optimizer, X_batch, t_batch)
        self.losses.append(loss)
        self.batch_sizes.append(len(X_batch))
        if has_diverged(loss, self.losses[0]):
            self.diverged_at = self.updates
        if not record:
            return None
        gradients = [(_norm(layer.weight.grad), _norm(layer.bias.grad)) for layer in layers]
        changes = [(_norm(layer.weight.data - old), _norm(old)) for layer, old in zip(layers, before)]
        return {"update": self.updates, "batch": len(X_batch), "output": output, "loss": loss,
                "gradients": gradients, "changes": changes}

    def train(self, updates):
        for _ in range(updates):
            if self.diverged_at is not None:
                break
            self.step()
        return self

    def divergence_message(self):
        """What happened, from the record: the update, the loss and how many times the first it is."""
        k = self.diverged_at
        loss, first = self.losses[k - 1], self.losses[0]
        if not np.isfinite(loss):
            what = f"became {loss}"
        else:
            what = f"grew to {loss:.3g}, {loss / first:.0f} times its first value {first:.3g}"
        return (f"Training diverged at update {k}: the loss {what}. Each step overshoots further than "
                f"the last; lower the learning rate.")

    def scores(self, points):
        """Class probabilities (M, C) at points (M, 2): softmax of the logits for cross-entropy,
        the outputs clipped to [0, 1] and normalised for the losses on one-hot targets."""
        with np.errstate(all="ignore"):
            output = self.model(points)
            if self.loss_name == "cross-entropy":
                return boundaries.softmax(output)
            clipped = np.clip(output, 0.0, 1.0) + 1e-9
            return clipped / clipped.sum(axis=1, keepdims=True)

    def accuracy(self):
        with np.errstate(all="ignore"):
            return accuracy(self.model(self.X), self.y)

    def full_loss(self):
        """The loss on all the data now (after the last update), not on one mini-batch."""
        with np.errstate(all="ignore"):
            return float(self.loss_fn(self.model(self.X), self.target))


def slider_rates(low=-4, high=1, step=0.25):
    """The learning rates the explorer's slider offers, 10**low .. 10**high."""
    return [float(10 ** e) for e in np.arange(low, high + 1e-9, step)]


def first_diverging_rate(optimizer="SGD", dataset="moons", budget=BUDGET):
    """The smallest slider learning rate at which `budget` full-batch updates diverge (None if none)."""
    for lr in slider_rates():
        if TrainingRun(dataset, optimizer=optimizer, lr=lr).train(budget).diverged_at is not None:
            return lr
    return None


def best_rate(optimizer="SGD", dataset="moons", budget=BUDGET):
    """The slider learning rate with the lowest loss on all the data after `budget` updates."""
    finals = {}
    for lr in slider_rates():
        run = TrainingRun(dataset, optimizer=optimizer, lr=lr).train(budget)
        finals[lr] = np.inf if run.diverged_at is not None else run.full_loss()
    return min(finals, key=finals.get)


def status_text(run):
    """The line under the picture, computed from the run's record."""
    n = len(run.X)
    if run.updates == 0:
        return (f"A random network, before any update: training accuracy <b>{run.accuracy():.0%}</b>, "
                f"loss on all {n} points <b>{run.full_loss():.4g}</b>")
    if run.diverged_at is not None:
        return (f"After {plural(run.updates, 'update')} ({run.examples_seen} examples seen): diverged, "
                f"no meaningful accuracy")
    text = (f"After <b>{plural(run.updates, 'update')}</b> ({run.examples_seen} examples seen): training "
            f"accuracy <b>{run.accuracy():.0%}</b>, loss on all {n} points <b>{run.full_loss():.4g}</b>")
    if run.batch_size < n:
        text += (f"; the last mini-batch ({plural(run.batch_sizes[-1], 'point')}) had loss "
                 f"{run.losses[-1]:.4g} before its update")
    return text


def stages_html(stages, loss_name):
    """The four stages of one update as a small HTML table (for the step button)."""
    if stages is None:
        return ""
    output = stages["output"]
    first = np.array2string(output[:3], precision=2, suppress_small=True, separator=", ")
    predicted = output[:3].argmax(axis=1)
    gradients = "; ".join(f"layer {i + 1}: |dL/dW| = {gw:.3g}, |dL/db| = {gb:.3g}"
                          for i, (gw, gb) in enumerate(stages["gradients"]))
    changes = "; ".join(f"layer {i + 1}: |ΔW| = {dw:.3g} ({dw / max(w, 1e-12):.2%} of |W|)"
                        for i, (dw, w) in enumerate(stages["changes"]))
    rows = [
        ("1. forward pass", f"a batch of {plural(stages['batch'], 'point')} in, outputs of shape {output.shape} "
                            f"out; first rows {html.escape(first)} → classes {predicted.tolist()}"),
        ("2. loss", f"{loss_name} = {stages['loss']:.4f}"),
        ("3. backpropagation", gradients),
        ("4. weight update", changes),
    ]
    body = "".join(f"<tr><td style='padding-right:1em'><b>{name}</b></td><td>{text}</td></tr>" for name, text in rows)
    return f"<div><b>Update {stages['update']}</b><table style='font-size:90%'>{body}</table></div>"


class TrainingExplorer:
    """The state behind `training_explorer`: the current run, a cache of trained runs, the artists."""

    def __init__(self, dataset, learning_rate, loss, batch_size, optimizer, budget):
        self.budget = budget
        self.controls = {
            "dataset": widgets.Dropdown(options=list(DATASETS), value=dataset, description="dataset"),
            "learning_rate": log_slider("learning rate", learning_rate, -4, 1),
            "loss": widgets.Dropdown(options=list(LOSSES), value=loss, description="loss"),
            "batch_size": widgets.SelectionSlider(options=list(BATCH_SIZES), value=batch_size,
                                                  description="batch size", continuous_update=True),
            "optimizer": widgets.Dropdown(options=[(info.name, key) for key, info in OPTIMIZERS.items()],
                                          value=optimizer_key(optimizer), description="optimizer"),
            "step": widgets.Button(description="step", tooltip="one forward / loss / backward / update"),
            "train": widgets.Button(description=f"train {budget} more", tooltip=f"{budget} more updates"),
            "reset": widgets.Button(description="reset", tooltip="back to the random network"),
        }
        self.status, self.stages = widgets.HTML(), widgets.HTML()
        self.figure, (ax_regions, ax_loss) = new_figure(width=9.5, height=3.9, ncols=2)
        label(ax_regions, "Decision regions and data", "x₁", "x₂")
        self.image = boundaries.regions_image(ax_regions, LIMITS, LIMITS, RESOLUTION)
        self.scatters = boundaries.class_scatters(ax_regions, 3)
        boundaries.class_legend(ax_regions, 3)
        label(ax_loss, "Loss on each mini-batch", "update (step)", "loss (log scale)")
        self.curve = LossCurve(ax_loss, (0, budget))
        self.grid = boundaries.grid_points(LIMITS, LIMITS, RESOLUTION)
        self.cache = OrderedDict()
        self.run, self.key, self.last_stages = None, None, None

    def settings(self):
        c = self.controls
        return (c["dataset"].value, c["loss"].value, c["optimizer"].value,
                float(c["learning_rate"].value), int(c["batch_size"].value))

    def new_run(self):
        name, loss_name, opt_key, lr, size = self.key
        return TrainingRun(name, loss_name, opt_key, lr, size)

    def retrain(self):
        self.key = self.settings()
        if self.key not in self.cache:
            run = self.new_run().train(self.budget)
            run.new_epoch()
            self.cache[self.key] = run
            if len(self.cache) > CACHE_RUNS:
                self.cache.popitem(last=False)
        self.run = copy.deepcopy(self.cache[self.key])
        self.last_stages = None

    def draw(self):
        run, curve = self.run, self.curve
        blocks = max(1, int(np.ceil(run.updates / self.budget)))
        wanted = self.budget * 2 ** int(np.ceil(np.log2(blocks)))   # the axis doubles: few clicks rescale it
        if wanted != curve.ax.get_xlim()[1]:
            curve.set_xlim((0, wanted))
        curve.set(np.arange(1, run.updates + 1), run.losses, diverged_at=run.diverged_at)
        regions = boundaries.region_colours(run.scores(self.grid), RESOLUTION)
        if run.diverged_at is not None:                             # a broken model: fade its regions to grey
            regions[..., :3] = (0.3 * regions[..., :3] + 0.7 * 217).astype(np.uint8)
        self.image.set_data(regions)
        boundaries.set_class_points(self.scatters, run.X, run.y)
        self.status.value = status_text(run)
        self.stages.value = stages_html(self.last_stages, run.loss_name)
        if run.diverged_at is not None:
            raise AppMessage(run.divergence_message())

    def update(self):
        if self.key != self.settings():
            self.retrain()
        self.draw()

    def on_step(self, _button):
        try:
            self.last_stages = self.run.step(record=True)
        except AppMessage as note:
            self.app.show_message(str(note), kind="warning")
            return
        self.app.refresh()

    def on_train(self, _button):
        self.run.train(self.budget)
        self.last_stages = None
        self.app.refresh()

    def on_reset(self, _button):
        self.run = self.new_run()
        self.last_stages = None
        self.app.refresh()


def training_explorer(dataset="moons", learning_rate=1.0, loss="cross-entropy", batch_size=200,
                      optimizer="SGD", budget=BUDGET):
    """A small network (2 -> 16 ReLU -> classes) learning a 2-D dataset.

    Moving a control retrains from the same seed for `budget` updates (cached per setting) and
    redraws the decision regions and the loss curve. `step` runs one forward / loss / backward /
    update from where the picture is and lists the four stages; `train` runs `budget` more
    updates; `reset` goes back to the random network.
    """
    explorer = TrainingExplorer(dataset, learning_rate, loss, batch_size, optimizer, budget)
    app = App(explorer.controls, explorer.figure, explorer.update, extra=[explorer.status, explorer.stages],
              title="Training explorer")
    explorer.app = app
    explorer.controls["step"].on_click(explorer.on_step)
    explorer.controls["train"].on_click(explorer.on_train)
    explorer.controls["reset"].on_click(explorer.on_reset)
    app.explorer = explorer
    app.status, app.stages = explorer.status, explorer.stages
    return app
