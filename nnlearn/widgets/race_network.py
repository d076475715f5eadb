"""The optimizer race on a real network (lesson 06).

Every optimizer of `nnlearn.optim.OPTIMIZERS` trains the same small network (the same initial
weights) on the moons dataset, full batch, with `nl.train_step`, at each learning rate of one grid.
Each is then shown at its own best rate (the lowest training loss after the last step; a run that
trips `nl.has_diverged` is the worst), times a common multiplier.
"""

import math

import ipywidgets as widgets
import numpy as np

from ..experiments.network_races import (EPOCHS, NETWORK_LR_EXPONENTS, network_sweep, optimizer_sweep, predict,
                                         race_data, registry, runs_at)
from ..losses import softmax
from ..plots import label, new_figure
from ..plots.boundaries import (class_legend, class_scatters, grid_points, region_colours, regions_image,
                                set_class_points)
from ..plots.landscapes import DIVERGED_COLOR
from .app import App, AppMessage, log_slider, progress_bar
from .race_surfaces import racer_style

LIMITS = (-2.6, 2.6)
RESOLUTION = 60


def tune_all(seed=0):
    """Every optimizer's sweep of the grid (cached), with a progress bar while it trains."""
    bar = progress_bar(len(registry()), "tuning each optimizer's learning rate")
    for index, name in enumerate(registry()):
        optimizer_sweep(name, EPOCHS, 200, seed)
        bar.value = index + 1
    bar.close()
    return network_sweep(EPOCHS, 200, seed)


def summary_text(results, multiplier_exponent=0.0):
    """The line above the picture: each optimizer's learning rate and final loss."""
    grid = f"10^{NETWORK_LR_EXPONENTS[0]:g}, 10^{NETWORK_LR_EXPONENTS[1]:g}, ..., 10^{NETWORK_LR_EXPONENTS[-1]:g}"
    parts = [f"{name} <b>{run.lr:.3g}</b>: " + (f"diverged at step {run.diverged_at}" if run.diverged_at
                                              else f"{run.final_loss:.3f}") for name, run in results.items()]
    return (f"learning rate (each optimizer's best from the grid {grid}, × {10 ** multiplier_exponent:.3g}) "
            f"and training loss after {EPOCHS} steps: " + "; ".join(parts))


class NetworkRace:
    """The figure and controls of the network race; `update` redraws from the controls."""

    def __init__(self, optimizer="Adam", seed=0):
        self.seed = seed
        tune_all(seed)
        self.X, self.y = race_data(200, seed)
        self.grid = grid_points(LIMITS, LIMITS, RESOLUTION)
        self.controls = {
            "learning_rate": log_slider("learning_rate × (each its best)", 1.0, -1, 1, step=0.5),
            "optimizer": widgets.Dropdown(options=list(registry()), value=optimizer, description="regions of"),
        }
        self.summary = widgets.HTML()
        self.figure, (self.ax_loss, self.ax_regions) = new_figure(11, 4.6, ncols=2)
        self.curves, self.flags = {}, {}
        for name in registry():
            colour, marker, style = racer_style(name)
            (self.curves[name],) = self.ax_loss.plot([], [], color=colour, linestyle=style, marker=marker,
                                                     markevery=0.1, markersize=5, linewidth=1.6, label=name,
                                                     animated=True)
            (self.flags[name],) = self.ax_loss.plot([], [], linestyle="none", marker="X", markersize=12,
                                                    color=DIVERGED_COLOR, markeredgecolor="black", animated=True)
        self.ax_loss.set_xlim(0, EPOCHS + 1)
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_ylim(0.01, 10)
        label(self.ax_loss, "Training loss, same network and start", "step (full batch: one per epoch)",
              "cross-entropy loss (before the step)")
        self.ax_loss.legend(loc="lower left", fontsize=8, ncols=2)
        self.image = regions_image(self.ax_regions, LIMITS, LIMITS, RESOLUTION)
        self.points = class_scatters(self.ax_regions, 2)
        set_class_points(self.points, self.X, self.y)
        class_legend(self.ax_regions, 2)
        label(self.ax_regions, "Decision regions after the last step", "feature 1", "feature 2")

    def update(self):
        exponent = round(2 * math.log10(float(self.controls["learning_rate"].value))) / 2   # the slider's half decades
        chosen = self.controls["optimizer"].value
        results = runs_at(exponent, EPOCHS, 200, self.seed)
        problems = []
        for name, run in results.items():
            steps = np.arange(1, len(run.losses) + 1)
            self.curves[name].set_data(steps, np.clip(run.losses, 0.011, 9.0))
            self.curves[name].set_linewidth(3.0 if name == chosen else 1.5)
            self.flags[name].set_data(([run.diverged_at], [6.0]) if run.diverged_at else ([], []))
            if run.diverged_at:
                problems.append(f"{name} diverged at step {run.diverged_at}")
        self.summary.value = summary_text(results, exponent)
        run = results[chosen]
        if run.weights is None:
            self.image.set_data(region_colours(np.full((len(self.grid), 2), np.nan), RESOLUTION))
        else:
            self.image.set_data(region_colours(softmax(predict(run.weights, self.grid)), RESOLUTION))
        if problems:
            raise AppMessage("; ".join(problems) + " (its loss passed 50 × max(its first loss, 1), or stopped being "
                             "a number). Lower the learning rate." + (f" {chosen} has no regions to show."
                                                                      if run.weights is None else ""))


def network_race(optimizer="Adam", seed=0):
    """Every optimizer of nl.optim.OPTIMIZERS trains the same network on moons, each at its best rate.

    Controls: learning_rate (a multiplier on each optimizer's own best rate, in half decades),
    optimizer (whose decision regions are shown). Left: the loss before each full-batch step;
    right: the chosen optimizer's decision regions after the last step."""
    race_app = NetworkRace(optimizer, seed)
    app = App(race_app.controls, race_app.figure, race_app.update, extra=(race_app.summary,),
              title="Optimizer race on a network (moons)")
    app.race = race_app
    return app
