"""Apps for lessons 00 (the learning loop) and 05 (batch, stochastic, mini-batch).

- `training_explorer()`: a small network learns a 2-D dataset. Every control move retrains from
  the same seed for a fixed budget of updates and shows the decision regions and the loss curve;
  the `step` button runs ONE forward / loss / backward / update and lists what each stage did.
- `batch_size_explorer()`: how noisy a mini-batch gradient is, how many updates an epoch gives,
  and the loss against examples seen and against wall-clock time, for batch sizes 1 .. full batch.
"""

import copy
import html
import time
from collections import OrderedDict

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import NullLocator

from .. import data as nl_data
from .. import optim
from ..losses import CrossEntropyLoss, HuberLoss, MSELoss
from ..nn import Linear, ReLU, Sequential
from ..plots import boundaries, new_figure, label
from ..plots.curves import LossCurve
from ..plots.style import MARKERS, PALETTE
from ..train import accuracy
from .app import App, AppMessage, log_slider

N_POINTS = 200
HIDDEN = 16
BUDGET = 50                        # updates per retrain on a control move
LIMITS = (-2.6, 2.6)
RESOLUTION = 60
BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200)
BLOW_UP = 50.0                     # a loss this many times the first one counts as diverged

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
OPTIMIZERS = {
    "SGD": lambda params, lr: optim.SGD(params, lr=lr),
    "momentum": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9),
    "RMSprop": lambda params, lr: optim.RMSprop(params, lr=lr),
    "Adagrad": lambda params, lr: optim.Adagrad(params, lr=lr),
    "Adam": lambda params, lr: optim.Adam(params, lr=lr),
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


def _norm(array):
    return float(np.sqrt(np.vdot(array, array)))


class TrainingRun:
    """A model, its loss and optimizer, the data, and the loss after every update so far.

    `step()` runs the four steps once on the next mini-batch (epochs are reshuffled from a seeded
    generator, so a run always repeats) and returns what each stage did.
    """

    def __init__(self, dataset="moons", loss="cross-entropy", optimizer="SGD", lr=1.0, batch_size=200, seed=0):
        self.X, self.y = load_dataset(dataset)
        self.n_classes = int(self.y.max()) + 1
        self.model = small_network(self.n_classes, rng=seed)
        self.loss_name = loss
        self.loss_fn = LOSSES[loss]()
        # Cross-entropy takes class labels; MSE and Huber compare the outputs with one-hot rows.
        self.target = self.y if loss == "cross-entropy" else np.eye(self.n_classes)[self.y]
        self.optimizer = OPTIMIZERS[optimizer](self.model.parameters(), lr)
        self.batch_size = int(batch_size)
        self.batch_rng = np.random.default_rng(seed + 1)
        self._batches = None
        self.losses = []                     # one per update
        self.examples_seen = 0
        self.diverged_at = None              # the update whose loss blew up
        self.message = ""

    def _next_batch(self):
        if self._batches is not None:
            batch = next(self._batches, None)
            if batch is not None:
                return batch
        self._batches = nl_data.minibatches(self.X, self.target, self.batch_size, shuffle=True,
                                            rng=self.batch_rng)
        return next(self._batches)

    def new_epoch(self):
        """Drop the rest of the current epoch: the next batch starts a fresh shuffle."""
        self._batches = None

    def step(self, record=False):
        """One forward / loss / backward / update on the next mini-batch.

        With record=True returns what each stage did (output, loss, gradient norms, update sizes).
        """
        if self.diverged_at is not None:
            raise AppMessage(self.message + " Press reset or choose another setting.")
        X_batch, t_batch = self._next_batch()
        layers = [layer for layer in self.model if isinstance(layer, Linear)] if record else []
        before = [layer.weight.data.copy() for layer in layers]
        with np.errstate(all="ignore"):
            output = self.model(X_batch)                               # 1. forward pass
            loss = self.loss_fn(output, t_batch)                       # 2. loss
            update = len(self.losses) + 1
            if not np.isfinite(loss) or (self.losses and loss > BLOW_UP * self.losses[0]):
                self.losses.append(loss)
                self.diverged_at = update
                what = f"became {loss}" if not np.isfinite(loss) else f"grew to {loss:.3g}, {BLOW_UP:g} times its start"
                self.message = (f"Training diverged at update {update}: the loss {what}. Each step overshoots "
                                f"further than the last; lower the learning rate.")
                return None
            self.optimizer.zero_grad()
            self.model.backward(self.loss_fn.backward())               # 3. backpropagation
            gradients = [(_norm(layer.weight.grad), _norm(layer.bias.grad)) for layer in layers]
            self.optimizer.step()                                      # 4. weight update
        self.losses.append(loss)
        self.examples_seen += len(X_batch)
        if not record:
            return None
        changes = [(_norm(layer.weight.data - old), _norm(old)) for layer, old in zip(layers, before)]
        return {"update": update, "batch": len(X_batch), "output": output, "loss": loss,
                "gradients": gradients, "changes": changes}

    def train(self, updates):
        for _ in range(updates):
            if self.diverged_at is not None:
                break
            self.step()
        return self

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
        ("1. forward pass", f"a batch of {stages['batch']} points in, outputs of shape {output.shape} out; "
                            f"first rows {html.escape(first)} → classes {predicted.tolist()}"),
        ("2. loss", f"{loss_name} = {stages['loss']:.4f}"),
        ("3. backpropagation", gradients),
        ("4. weight update", changes),
    ]
    body = "".join(f"<tr><td style='padding-right:1em'><b>{name}</b></td><td>{text}</td></tr>" for name, text in rows)
    return f"<div><b>Update {stages['update']}</b><table style='font-size:90%'>{body}</table></div>"


def training_explorer(dataset="moons", learning_rate=1.0, loss="cross-entropy", batch_size=200,
                      optimizer="SGD", budget=BUDGET):
    """A small network (2 -> 16 ReLU -> classes) learning a 2-D dataset.

    Moving a control retrains from the same seed for `budget` updates (cached per setting) and
    redraws the decision regions and the loss curve. `step` runs one forward / loss / backward /
    update from where the picture is and lists the four stages; `train` runs `budget` more
    updates; `reset` goes back to the random network.
    """
    controls = {
        "dataset": widgets.Dropdown(options=list(DATASETS), value=dataset, description="dataset"),
        "learning_rate": log_slider("learning rate", learning_rate, -4, 1),
        "loss": widgets.Dropdown(options=list(LOSSES), value=loss, description="loss"),
        "batch_size": widgets.SelectionSlider(options=list(BATCH_SIZES), value=batch_size,
                                              description="batch size", continuous_update=True),
        "optimizer": widgets.Dropdown(options=list(OPTIMIZERS), value=optimizer, description="optimizer"),
        "step": widgets.Button(description="step", tooltip="one forward / loss / backward / update"),
        "train": widgets.Button(description=f"train {budget} more", tooltip=f"{budget} more updates"),
        "reset": widgets.Button(description="reset", tooltip="back to the random network"),
    }
    stages = widgets.HTML()

    figure, (ax_regions, ax_loss) = new_figure(width=9.5, height=3.9, ncols=2)
    label(ax_regions, "Decision regions and data", "x₁", "x₂")
    image = boundaries.regions_image(ax_regions, LIMITS, LIMITS, RESOLUTION)
    scatters = boundaries.class_scatters(ax_regions, 3)
    boundaries.class_legend(ax_regions, 3)
    status = widgets.HTML()
    label(ax_loss, "Loss on each mini-batch", "update (step)", "loss (log scale)")
    curve = LossCurve(ax_loss, (0, budget))
    grid = boundaries.grid_points(LIMITS, LIMITS, RESOLUTION)

    cache = OrderedDict()
    state = {"run": None, "key": None, "stages": None}

    def settings():
        return (controls["dataset"].value, controls["loss"].value, controls["optimizer"].value,
                float(controls["learning_rate"].value), int(controls["batch_size"].value))

    def new_run(key):
        name, loss_name, opt_name, lr, size = key
        return TrainingRun(name, loss_name, opt_name, lr, size)

    def retrain():
        key = settings()
        if key not in cache:
            run = new_run(key).train(budget)
            run.new_epoch()
            cache[key] = copy.deepcopy(run)
            if len(cache) > 300:
                cache.popitem(last=False)
        state["run"] = copy.deepcopy(cache[key])
        state["key"] = key
        state["stages"] = None

    def draw():
        run = state["run"]
        length = len(run.losses)
        right = curve.ax.get_xlim()[1]
        blocks = max(1, int(np.ceil(length / budget)))
        wanted = budget * 2 ** int(np.ceil(np.log2(blocks)))  # the axis doubles: few clicks rescale it
        if wanted != right:
            curve.set_xlim((0, wanted))                       # a button went past the axis: redraw all
        steps = np.arange(1, length + 1)
        curve.set(steps, run.losses, diverged_at=run.diverged_at)
        regions = boundaries.region_colours(run.scores(grid), RESOLUTION)
        if run.diverged_at is not None:                       # a broken model: fade its regions to grey
            regions[..., :3] = (0.3 * regions[..., :3] + 0.7 * 217).astype(np.uint8)
        image.set_data(regions)
        boundaries.set_class_points(scatters, run.X, run.y)
        accuracy_text = "–" if run.diverged_at else f"{run.accuracy():.0%}"
        last = f"{run.losses[-1]:.4g}" if run.losses else "–"
        status.value = (f"After <b>{length}</b> updates ({run.examples_seen} examples seen): "
                        f"training accuracy <b>{accuracy_text}</b>, last loss <b>{last}</b>")
        stages.value = stages_html(state["stages"], run.loss_name)
        if run.diverged_at is not None:
            raise AppMessage(run.message)

    def update():
        if state["key"] != settings():
            retrain()
        draw()

    app = App(controls, figure, update, extra=[status, stages], title="Training explorer")

    def on_step(_button):
        try:
            state["stages"] = state["run"].step(record=True)
        except AppMessage as note:
            app.show_message(str(note), kind="warning")
            return
        app.refresh()

    def on_train(_button):
        state["run"].train(budget)
        state["stages"] = None
        app.refresh()

    def on_reset(_button):
        state["run"] = new_run(state["key"])
        state["stages"] = None
        app.refresh()

    controls["step"].on_click(on_step)
    controls["train"].on_click(on_train)
    controls["reset"].on_click(on_reset)
    app.state = state
    app.status = status
    app.stages = stages
    return app


# ---------------------------------------------------------------- lesson 05: batch size

def per_example_gradients(model, loss_fn, X, target):
    """The gradient of the loss on each example alone, flattened: (N, P) for P parameters.

    A mini-batch gradient (mean loss over the batch) is the mean of its examples' rows.
    """
    rows = []
    for i in range(len(X)):
        loss_fn(model(X[i:i + 1]), target[i:i + 1])
        model.zero_grad()
        model.backward(loss_fn.backward())
        rows.append(np.concatenate([p.grad.ravel() for p in model.parameters()]))
    return np.array(rows)


def minibatch_gradient_samples(gradients, batch_sizes, samples=100, rng=0):
    """Mini-batch gradients drawn without replacement, for every batch size at once.

    gradients: (N, P) per-example gradients. Returns a dict batch_size -> (samples, P): row k is
    the mean of the first b rows of the k-th random order (a cumulative sum makes this cheap).
    """
    rng = np.random.default_rng(rng)
    n = len(gradients)
    result = {}
    totals = np.zeros((samples, gradients.shape[1]))
    orders = np.argsort(rng.random((samples, n)), axis=1)            # (samples, N) permutations
    counted = 0
    for b in sorted(batch_sizes):
        b = min(int(b), n)
        totals += gradients[orders[:, counted:b]].sum(axis=1)
        counted = b
        result[b] = totals / b
    return result


def loss_while_training(model, loss_fn, optimizer, X, y, batch_size, epochs, rng=0, every=20):
    """Train with mini-batches of `batch_size` and record the loss on ALL of (X, y) as it goes.

    The full-data loss is measured before training and then whenever about `every` more examples
    have been used (and at the end). Each update is timed (the measuring is not), and `time` is
    the number of updates so far times the median time of one update. Returns a dict of arrays: examples (examples seen), time (seconds), loss, and
    updates (the number of weight updates made).
    """
    rng = np.random.default_rng(rng)
    examples, losses, at_update = [0], [loss_fn(model(X), y)], [0]
    durations = []
    seen = updates = 0
    last_recorded = 0
    for _ in range(epochs):
        for X_batch, y_batch in nl_data.minibatches(X, y, batch_size, shuffle=True, rng=rng):
            started = time.perf_counter()
            loss_fn(model(X_batch), y_batch)                     # forward pass and loss
            optimizer.zero_grad()
            model.backward(loss_fn.backward())                   # backpropagation
            optimizer.step()                                     # weight update
            durations.append(time.perf_counter() - started)
            seen += len(X_batch)
            updates += 1
            if seen - last_recorded >= every:
                examples.append(seen)
                at_update.append(updates)
                losses.append(loss_fn(model(X), y))
                last_recorded = seen
    if examples[-1] != seen:
        examples.append(seen)
        at_update.append(updates)
        losses.append(loss_fn(model(X), y))
    # Time = updates x the median time of one update: the typical cost, without the jumps a busy
    # machine adds when it pauses the program now and then.
    per_update = float(np.median(durations))
    return {"examples": np.array(examples), "time": np.array(at_update) * per_update,
            "loss": np.array(losses), "updates": updates, "time_per_update": per_update}


def batch_size_race(X, y, batch_sizes, epochs=5, lr=0.2, seed=0):
    """The same network trained by SGD once per batch size, for the same number of epochs."""
    runs = {}
    for b in batch_sizes:
        model = small_network(int(y.max()) + 1, rng=seed)
        opt = optim.SGD(model.parameters(), lr=lr)
        runs[b] = loss_while_training(model, CrossEntropyLoss(), opt, X, y, b, epochs, rng=seed + 1)
    return runs


def batch_size_explorer(batch_size=10, epochs=5, lr=0.2, samples=100):
    """What the batch size changes, for one dataset (200 moons) and one network.

    Top left: mini-batch gradients (dots) around the full-batch gradient (star) for the random
    starting network, in the plane of the full gradient and the direction of most noise.
    Top right: their spread against batch size. Bottom: SGD (lr fixed) trained for `epochs`
    epochs at every batch size, the loss on all the data against examples seen and against
    training time; the chosen batch size is drawn bold. Everything is computed on creation; a
    move only redraws.
    """
    X, y = load_dataset("moons")
    n = len(X)
    sizes = [b for b in BATCH_SIZES if b <= n]
    controls = {"batch_size": widgets.SelectionSlider(options=sizes, value=batch_size,
                                                      description="batch size", continuous_update=True)}

    model = small_network(2, rng=0)
    gradients = per_example_gradients(model, CrossEntropyLoss(), X, y)   # (N, P)
    full = gradients.mean(axis=0)
    samples_by_size = minibatch_gradient_samples(gradients, sizes, samples=samples, rng=0)
    along = full / _norm(full)                                             # unit vector of the full gradient
    noise = gradients - full
    noise -= np.outer(noise @ along, along)                                # the part across it
    across = main_direction(noise)                                         # its main direction
    project = lambda g: np.column_stack([g @ along, g @ across])          # noqa: E731
    spread = {b: float(np.sqrt(np.mean(np.sum((g - full) ** 2, axis=1)))) for b, g in samples_by_size.items()}
    runs = batch_size_race(X, y, sizes, epochs=epochs, lr=lr)

    figure, axes = new_figure(width=8.8, height=5.8, ncols=2, nrows=2)
    (ax_noise, ax_spread), (ax_examples, ax_time) = axes
    one = project(samples_by_size[1])
    reach = 1.1 * np.abs(np.vstack([one, project(full[None])])).max()
    ax_noise.set_xlim(-reach, reach)
    ax_noise.set_ylim(-reach, reach)
    ax_noise.axhline(0, color="grey", linewidth=0.8)
    ax_noise.axvline(0, color="grey", linewidth=0.8)
    ax_noise.plot(*project(full[None]).T, linestyle="none", marker="*", markersize=16, color=PALETTE[5],
                  markeredgecolor="black", zorder=5, label="full-batch gradient")
    dots = ax_noise.scatter(*one.T, s=14, color=PALETTE[4], marker=MARKERS[0], alpha=0.6, animated=True,
                            label=f"{samples} mini-batch gradients")
    ax_noise.legend(loc="lower left", fontsize="small")
    label(ax_noise, "Mini-batch gradients of one network", "along the full gradient", "across it")

    partial = [b for b in sizes if b < n]                                  # the full batch has no spread
    measured = [spread[b] for b in partial]
    theory = spread[1] * np.sqrt((n - np.array(partial)) / (n - 1) / np.array(partial))
    ax_spread.plot(partial, measured, marker=MARKERS[1], color=PALETTE[4], label=f"measured ({samples} draws)")
    ax_spread.plot(partial, theory, linestyle="--", color=PALETTE[0], label="σ₁·√((N−b)/(b(N−1)))")
    ax_spread.set_xscale("log")
    ax_spread.set_yscale("log")
    ax_spread.xaxis.set_minor_locator(NullLocator())
    ax_spread.yaxis.set_minor_locator(NullLocator())
    ax_spread.set_xlim(0.8, n * 0.8)
    ax_spread.set_ylim(min(measured) / 2, max(measured) * 1.6)
    (spread_marker,) = ax_spread.plot([], [], linestyle="none", marker="o", markersize=12,
                                      markerfacecolor="none", markeredgecolor=PALETTE[5], markeredgewidth=2,
                                      animated=True)
    ax_spread.legend(loc="lower left", fontsize="small")
    label(ax_spread, "Noise of the gradient", "batch size b (log scale)", "rms distance to full gradient")

    all_losses = np.concatenate([run["loss"] for run in runs.values()])
    ylim = (all_losses.min() * 0.85, all_losses.max() * 1.15)
    shortest = min(run["time"][1] for run in runs.values()) * 1000
    longest = max(run["time"][-1] for run in runs.values()) * 1000
    shades = cividis_shades(len(sizes))
    bold = {}
    for ax, key in ((ax_examples, "examples"), (ax_time, "time")):
        for index, b in enumerate(sizes):
            x, loss = runs[b][key], runs[b]["loss"]
            if key == "time":
                x, loss = x[1:] * 1000, loss[1:]               # ms; a log axis has no t = 0
            ax.plot(x, loss, color=shades[index], linewidth=1.0, label=f"b={b}")
        (bold[key],) = ax.plot([], [], color="black", linewidth=2.6, animated=True)
        ax.set_ylim(ylim)
    ax_examples.set_xlim(0, epochs * n * 1.02)
    ax_time.set_xscale("log")
    ax_time.set_xlim(shortest / 2, longest * 1.5)
    ax_examples.legend(loc="upper right", fontsize="x-small", ncol=2, title="batch size", title_fontsize="x-small")
    label(ax_examples, f"SGD, {epochs} epochs: loss vs data used", "examples seen", "loss on all 200 points")
    label(ax_time, "... and vs training time", "updates × time per update (ms, log)", "loss on all 200 points")

    def update():
        b = int(controls["batch_size"].value)
        if b not in samples_by_size:
            raise AppMessage(f"The batch size {b} is larger than the data ({n} points).")
        dots.set_offsets(project(samples_by_size[b]))
        spread_marker.set_data([b], [spread[b]] if b < n else [np.nan])
        per_epoch = -(-n // b)
        run = runs[b]
        bold["examples"].set_data(run["examples"], run["loss"])
        time_ms = run["time"] * 1000
        bold["time"].set_data(time_ms[1:], run["loss"][1:])                 # log axis: skip t = 0
        info.value = (f"Batch size <b>{b}</b>: <b>{per_epoch}</b> updates per epoch of {n} examples. "
                      f"Its mini-batch gradients lie {spread[b]:.3g} (rms) from the full-batch gradient, "
                      f"whose length is {_norm(full):.3g}. SGD with this batch size made {run['updates']} "
                      f"updates in {epochs} epochs, taking {time_ms[-1]:.0f} ms, and brought the loss from "
                      f"{run['loss'][0]:.3f} to <b>{run['loss'][-1]:.3f}</b>.")

    info = widgets.HTML()
    app = App(controls, figure, update, extra=[info], title="Batch size explorer")
    app.info = info
    app.runs = runs
    app.spread = spread
    return app


def main_direction(rows, iterations=60):
    """The unit vector along which the rows (M, P) spread most (power iteration on rows^T rows)."""
    covariance = rows.T @ rows
    vector = np.ones(rows.shape[1]) / np.sqrt(rows.shape[1])
    for _ in range(iterations):
        vector = covariance @ vector
        vector /= _norm(vector)
    return vector


def cividis_shades(count):
    """`count` colours along cividis (readable with every common colour-vision deficiency)."""
    from matplotlib import colormaps

    return [colormaps["cividis"](value) for value in np.linspace(0.0, 0.85, count)]
