"""The optimizer race on a real network (lesson 06).

Every optimizer of lesson 06's cast (`experiments.surface_races.CAST`, from `nnlearn.optim.OPTIMIZERS`) trains the same small network (the same initial
weights) on the moons dataset, full batch, with `nl.train_step`, at each learning rate of one grid.
Each is then shown at its own best rate (the lowest training loss after the last step; a run that
trips `nl.has_diverged` is the worst), times a common multiplier. `race over` adds the same race at
seeds 0 to 4 (each its own data and initial weights) as dots right of the last step: the spread the
lesson's comparisons are stated with (trained once, on the first switch, then cached).
"""

import math

import ipywidgets as widgets
import numpy as np

from ..experiments.network_races import (EPOCHS, NETWORK_LR_EXPONENTS, SEEDS, network_sweep, optimizer_sweep,
                                         predict, race_data, registry, runs_at)
from ..losses import softmax
from ..plots import label, new_figure
from ..plots.boundaries import (class_legend, class_scatters, grid_points, region_colours, regions_image,
                                set_class_points)
from ..plots.landscapes import DIVERGED_COLOR
from .app import App, AppMessage, log_slider, progress_bar
from .race_surfaces import racer_style

LIMITS = (-2.6, 2.6)
RESOLUTION = 60


def tune_all(seed=0, seeds=None):
    """Every optimizer's sweep of the grid (cached) at `seed` (or at each of `seeds`), with a progress bar."""
    seeds = (seed,) if seeds is None else tuple(seeds)
    bar = progress_bar(len(registry()) * len(seeds), "tuning each optimizer's learning rate"
                       + (f" at seeds {seeds[0]} to {seeds[-1]}" if len(seeds) > 1 else ""))
    for s, one in enumerate(seeds):
        for index, name in enumerate(registry()):
            optimizer_sweep(name, EPOCHS, 200, one)
            bar.value = s * len(registry()) + index + 1
    bar.close()
    return network_sweep(EPOCHS, 200, seeds[0])


def seeds_text(multiplier_exponent=0.0, seeds=SEEDS):
    """The 'over seeds' line: each optimizer's final losses over `seeds`, at the multiplier."""
    parts = []
    for name in registry():
        losses = np.array([runs_at(multiplier_exponent, EPOCHS, 200, seed)[name].final_loss for seed in seeds])
        finite = losses[np.isfinite(losses)]
        spread = (f"{finite.min():.3f} to {finite.max():.3f} (median {np.median(finite):.3f})" if finite.size else "")
        diverged = len(losses) - finite.size
        parts.append(f"{name} {spread}" + (f"{', ' if finite.size else ''}diverged at {diverged} of {len(seeds)} seeds"
                                           if diverged else ""))
    return (f"over seeds {seeds[0]} to {seeds[-1]} (dots right of step {EPOCHS}; each seed its own data and "
            "initial weights): " + "; ".join(parts))


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
            "race_over": widgets.ToggleButtons(options=[(f"seed {seed}", 1), (f"seeds {SEEDS[0]} to {SEEDS[-1]}",
                                                                              len(SEEDS))],
                                               value=1, description="race over"),
        }
        self.summary, self.spread = widgets.HTML(), widgets.HTML()
        self.figure, (self.ax_loss, self.ax_regions) = new_figure(11, 4.6, ncols=2)
        self.curves, self.flags = {}, {}
        for name in registry():
            colour, marker, style = racer_style(name)
            (self.curves[name],) = self.ax_loss.plot([], [], color=colour, linestyle=style, marker=marker,
                                                     markevery=0.1, markersize=5, linewidth=1.6, label=name,
                                                     animated=True)
            (self.flags[name],) = self.ax_loss.plot([], [], linestyle="none", marker="X", markersize=12,
                                                    color=DIVERGED_COLOR, markeredgecolor="black", animated=True)
        # one column of dots per optimizer right of the last step: its final loss at each seed
        self.columns = {name: EPOCHS + 2.5 + 1.2 * index for index, name in enumerate(registry())}
        self.seed_dots = self.ax_loss.scatter([], [], s=22, edgecolors="black", linewidths=0.5, zorder=4,
                                              animated=True)
        self.seed_flags = self.ax_loss.scatter([], [], s=40, marker="X", color=DIVERGED_COLOR, edgecolors="black",
                                               linewidths=0.5, zorder=4, animated=True)
        self.ax_loss.set_xlim(0, EPOCHS + 2.5 + 1.2 * len(registry()))
        self.ax_loss.axvline(EPOCHS + 1.5, color="0.6", linewidth=0.8, linestyle=":")
        self.seed_note = self.ax_loss.text(EPOCHS + 2.5 + 0.6 * (len(registry()) - 1), 7.0,
                                           f"seeds\n{SEEDS[0]} to {SEEDS[-1]}", ha="center", va="top", fontsize=8,
                                           color="0.3", animated=True, visible=False)
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

    def update(self, app):
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
        self._show_seeds(exponent)
        run = results[chosen]
        if run.weights is None:
            self.image.set_data(region_colours(np.full((len(self.grid), 2), np.nan), RESOLUTION))
        else:
            self.image.set_data(region_colours(softmax(predict(run.weights, self.grid)), RESOLUTION))
        if problems:
            raise AppMessage("; ".join(problems) + " (its loss passed 50 × max(its first loss, 1), or stopped being "
                             "a number). Lower the learning rate." + (f" {chosen} has no regions to show."
                                                                      if run.weights is None else ""))


    def _show_seeds(self, exponent):
        """Dots of every optimizer's final loss over SEEDS (trained on the first switch), or none."""
        if self.controls["race_over"].value == 1:
            self.seed_dots.set_offsets(np.empty((0, 2)))
            self.seed_flags.set_offsets(np.empty((0, 2)))
            self.seed_note.set_visible(False)
            self.spread.value = ""
            return
        self.seed_note.set_visible(True)
        tune_all(seeds=SEEDS)
        dots, colours, flags = [], [], []
        for seed in SEEDS:
            for name, run in runs_at(exponent, EPOCHS, 200, seed).items():
                if run.diverged_at:
                    flags.append((self.columns[name], 6.0))
                else:
                    dots.append((self.columns[name], np.clip(run.final_loss, 0.011, 9.0)))
                    colours.append(racer_style(name)[0])
        self.seed_dots.set_offsets(np.array(dots).reshape(-1, 2))
        self.seed_dots.set_facecolors(colours)
        self.seed_flags.set_offsets(np.array(flags).reshape(-1, 2))
        self.spread.value = seeds_text(exponent)


def network_race(optimizer="Adam", seed=0):
    """Every optimizer of lesson 06's cast trains the same network on moons, each at its best rate.

    Controls: learning_rate (a multiplier on each optimizer's own best rate, in half decades),
    optimizer (whose decision regions are shown), race_over (seed 0 alone, or dots of the final loss
    at each of seeds 0 to 4 beside the curves). Left: the loss before each full-batch step;
    right: the chosen optimizer's decision regions after the last step."""
    race_app = NetworkRace(optimizer, seed)
    app = App(race_app.controls, race_app.figure, race_app.update, extra=(race_app.summary, race_app.spread),
              title="Optimizer race on a network (moons)")
    app.explorer = race_app
    return app
