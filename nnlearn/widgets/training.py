"""The app of lesson 00 (the learning loop): a small network learns a 2-D dataset.

`training_explorer()`: every control move retrains from the same seed for a fixed budget of
updates and shows the decision regions and the loss curve; the `step` button runs ONE forward /
loss / backward / update (`nl.train_step`) and lists what each stage did. The run, its record and
its datasets live in `nnlearn.experiments.training_runs`; every number in a message comes from that record.
"""

import copy
import html

import ipywidgets as widgets
import numpy as np

from ..optim import OPTIMIZERS
from ..plots import boundaries, label, new_figure
from ..plots.curves import LossCurve
from .app import App, AppMessage, log_slider, slider_neighbours
from .lru import LRUCache
from ..experiments import ExperimentMessage
from ..experiments.training_runs import (BATCH_SIZES, BUDGET, DATASETS, LOSSES, SEEDS, TrainingRun,
                                        optimizer_key, plural)

LIMITS = (-2.6, 2.6)
RESOLUTION = 60
CACHE_BYTES = 6_000_000            # trained runs kept: about 64 (each ~80 kB with its decision regions)

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

    def __init__(self, dataset, learning_rate, loss, batch_size, optimizer, budget, seed=0):
        self.budget = budget
        self.controls = {
            "dataset": widgets.Dropdown(options=list(DATASETS), value=dataset, description="dataset"),
            "learning_rate": log_slider("learning rate", learning_rate, -4, 1),
            "loss": widgets.Dropdown(options=list(LOSSES), value=loss, description="loss"),
            "batch_size": widgets.SelectionSlider(options=list(BATCH_SIZES), value=batch_size,
                                                  description="batch size", continuous_update=True),
            "optimizer": widgets.Dropdown(options=[(info.name, key) for key, info in OPTIMIZERS.items()],
                                          value=optimizer_key(optimizer), description="optimizer"),
            # Another starting network: what one start shows is one sample (the lessons give the spread).
            "start": widgets.IntSlider(value=seed, min=0, max=len(SEEDS) - 1, description="start (seed)",
                                       continuous_update=True),
            "step": widgets.Button(description="step", tooltip="one forward / loss / backward / update"),
            "train": widgets.Button(description=f"train {budget} more", tooltip=f"{budget} more updates"),
            "reset": widgets.Button(description="reset", tooltip="back to the random network"),
        }
        self.status, self.stages = widgets.HTML(), widgets.HTML()
        # 688 x 288 px at 80 dpi: every pixel is drawn, encoded, sent and decoded on each move
        self.figure, (ax_regions, ax_loss) = new_figure(width=8.6, height=3.6, ncols=2)
        label(ax_regions, "Decision regions and data", "x₁", "x₂")
        self.image = boundaries.regions_image(ax_regions, LIMITS, LIMITS, RESOLUTION)
        self.scatters = boundaries.class_scatters(ax_regions, 3)
        boundaries.class_legend(ax_regions, 3)
        label(ax_loss, "Loss on each mini-batch", "update (step)", "loss (log scale)")
        self.curve = LossCurve(ax_loss, (0, budget))
        self.grid = boundaries.grid_points(LIMITS, LIMITS, RESOLUTION)
        self.cache = LRUCache(max_bytes=CACHE_BYTES)
        self.run, self.key, self.last_stages = None, None, None
        self.run_is_cached = False          # self.run is the cache's own: copy it before training on

    def settings(self, learning_rate=None):
        c = self.controls
        lr = float(c["learning_rate"].value if learning_rate is None else learning_rate)
        # 12 significant digits: the page and Python may compute a slider position's 10**x a last
        # bit apart; both are the same setting (and the same cached run) for a learner.
        return (c["dataset"].value, c["loss"].value, c["optimizer"].value,
                float(f"{lr:.12g}"), int(c["batch_size"].value), int(c["start"].value))

    def new_run(self, key=None):
        name, loss_name, opt_key, lr, size, seed = key or self.key
        return TrainingRun(name, loss_name, opt_key, lr, size, seed=seed)

    def trained(self, key):
        """The run of `key` after the budget of updates (and its decision regions), from the cache
        or trained now."""
        return self.cache.fetch(key, lambda: self._train_new(key))

    def _train_new(self, key):
        run = self.new_run(key).train(self.budget)
        run.new_epoch()
        self.regions(run)
        return run

    def regions(self, run):
        """The decision regions' colours (RESOLUTION, RESOLUTION, 4), kept with the run until it trains on."""
        kept = getattr(run, "_regions", None)
        if kept is None or kept[0] != run.updates:
            kept = run._regions = (run.updates, boundaries.region_colours(run.scores(self.grid), RESOLUTION))
        return kept[1]

    def own_run(self):
        """The run to train on: a copy of the cached one the first time (the cache keeps its own)."""
        if self.run_is_cached:
            self.run, self.run_is_cached = copy.deepcopy(self.run), False
        return self.run

    def retrain(self, app):
        self.key = self.settings()
        self.run, self.run_is_cached = self.trained(self.key), True
        self.last_stages = None
        self.look_ahead(app)

    def look_ahead(self, app):
        """While the learner looks at the picture, train the runs one slider step either side and
        draw their pictures, so the next move of the learning rate only sends one (App.when_idle)."""
        for neighbour in slider_neighbours(self.controls["learning_rate"], self.key[3]):
            app.when_idle(self.prerender, app, self.settings(neighbour))

    def picture_key(self):
        """What the picture shows: a cached run's settings and updates (None once trained on)."""
        return (self.key, self.run.updates) if self.run_is_cached else None

    def prerender(self, app, key):
        """Train the run of `key` and draw its picture, for the App to show if the learner goes there."""
        run = self.trained(key)
        app.prerender((key, run.updates), show=lambda: self.draw_artists(run),
                           restore=lambda: self.draw_artists(self.run))

    def draw_artists(self, run):
        """Put `run` in the figure's artists (the picture only; no widget changes)."""
        curve = self.curve
        blocks = max(1, int(np.ceil(run.updates / self.budget)))
        wanted = self.budget * 2 ** int(np.ceil(np.log2(blocks)))   # the axis doubles: few clicks rescale it
        if wanted != curve.ax.get_xlim()[1]:
            curve.set_xlim((0, wanted))
        curve.set(np.arange(1, run.updates + 1), run.losses, diverged_at=run.diverged_at)
        regions = self.regions(run)
        if run.diverged_at is not None:                             # a broken model: fade its regions to grey
            regions = regions.copy()
            regions[..., :3] = (0.3 * regions[..., :3] + 0.7 * 217).astype(np.uint8)
        self.image.set_data(regions)
        boundaries.set_class_points(self.scatters, run.X, run.y)

    def draw(self):
        run = self.run
        self.draw_artists(run)
        self.status.value = status_text(run)
        self.stages.value = stages_html(self.last_stages, run.loss_name)
        if run.diverged_at is not None:
            raise AppMessage(run.divergence_message())

    def update(self, app):
        if self.key != self.settings():
            self.retrain(app)
        self.draw()

    def on_step(self, app):
        try:
            self.last_stages = self.own_run().step(record=True)
        except ExperimentMessage as note:
            app.show_message(str(note), kind="warning")
            return
        app.refresh()

    def on_train(self, app):
        self.own_run().train(self.budget)
        self.last_stages = None
        app.refresh()

    def on_reset(self, app):
        self.run, self.run_is_cached = self.new_run(), False
        self.last_stages = None
        app.refresh()


def training_explorer(dataset="moons", learning_rate=1.0, loss="cross-entropy", batch_size=200,
                      optimizer="SGD", budget=BUDGET, seed=0):
    """A small network (2 -> 16 ReLU -> classes) learning a 2-D dataset.

    Moving a control retrains from the starting network `start` (a seed, 0 to 9) for `budget`
    updates (cached per setting) and redraws the decision regions and the loss curve. `step` runs one forward / loss / backward /
    update from where the picture is and lists the four stages; `train` runs `budget` more
    updates; `reset` goes back to the random network.
    """
    explorer = TrainingExplorer(dataset, learning_rate, loss, batch_size, optimizer, budget, seed)
    app = App(explorer.controls, explorer.figure, explorer.update, extra=[explorer.status, explorer.stages],
              title="Training explorer")
    app.picture_key = explorer.picture_key
    for name, press in (("step", explorer.on_step), ("train", explorer.on_train), ("reset", explorer.on_reset)):
        explorer.controls[name].on_click(lambda _button, press=press: press(app))
    app.explorer = explorer
    app.status, app.stages = explorer.status, explorer.stages
    return app
