"""The app of lesson 05 (batch, stochastic, mini-batch): what the batch size changes.

`batch_size_explorer()`: how noisy a mini-batch gradient is; the learning rate each batch size
tolerates (every batch size trained on one stated grid of learning rates); and the loss against
examples seen and against time, each batch size at its own best learning rate from that grid.
The curves are the app's seed (0); the dots under them are the chosen batch size's best rate at
each of 10 seeds, so the spread of "the best rate" is in view. The runs behind it live in
`nnlearn.experiments`: `gradient_noise`, `training_runs` (`loss_while_training`,
`learning_rate_search`) and `batch_rates` (over seeds; computed once per kernel).
"""


import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import NullLocator

from ..experiments.batch_rates import SEEDS, at_equal_epochs
from ..experiments.gradient_noise import gradient_noise, main_direction, norm
from ..experiments.training_runs import BATCH_SIZES, EPOCHS, LR_GRID, load_dataset, moons_search
from ..plots import label, new_figure
from ..plots.style import MARKERS, PALETTE
from .app import App, AppMessage


def cividis_shades(count):
    """`count` colours along cividis (readable with every common colour-vision deficiency)."""
    from matplotlib import colormaps

    return [colormaps["cividis"](value) for value in np.linspace(0.0, 0.85, count)]


TOP = 3.0                          # losses above this (and diverged runs) are drawn at it


class BatchSizeExplorer:
    """The data, records and artists behind `batch_size_explorer`; `update` redraws one batch size."""

    def __init__(self, batch_size, x_axis, samples):
        self.X, self.y = load_dataset("moons")
        self.n = len(self.X)
        self.sizes = [b for b in BATCH_SIZES if b <= self.n]
        self.controls = {
            "batch_size": widgets.SelectionSlider(options=self.sizes, value=batch_size, description="batch size",
                                                  continuous_update=True),
            "x_axis": widgets.ToggleButtons(options=["examples seen", "time"], value=x_axis, description="x axis")}
        gradients, self.full, self.by_size, self.spread = gradient_noise(self.X, self.y, self.sizes, samples)
        self.along = self.full / norm(self.full)                          # unit vector of the full gradient
        noise = gradients - self.full
        noise -= np.outer(noise @ self.along, self.along)                  # the part across it
        self.across = main_direction(noise)
        self.runs, self.best = moons_search()
        self.chosen = {b: self.runs[b][self.best[b]] for b in self.sizes}
        self.final = {b: np.array([self.runs[b][lr]["loss"][-1] for lr in LR_GRID]) for b in self.sizes}
        self.seed_best = {b: at_equal_epochs(b) for b in self.sizes}      # (len(SEEDS),) best rate per seed
        self.shades = cividis_shades(len(self.sizes))
        self.figure, ((ax_noise, ax_spread), (ax_lr, ax_race)) = new_figure(width=8.8, height=6.2, ncols=2, nrows=2)
        self.draw_noise(ax_noise, samples)
        self.draw_spread(ax_spread, samples)
        self.draw_rates(ax_lr)
        self.ax_race = ax_race
        self.race_lines = [ax_race.plot([], [], color=shade, linewidth=1.0)[0] for shade in self.shades]
        (self.race_bold,) = ax_race.plot([], [], color="black", linewidth=2.6, animated=True)
        race_losses = np.concatenate([run["loss"] for run in self.chosen.values()])
        ax_race.set_ylim(race_losses.min() * 0.85, TOP * 1.2)               # spikes above 3 run off the top
        ax_race.set_yscale("log")
        ax_race.yaxis.set_minor_locator(NullLocator())
        label(ax_race, "Each at its own best learning rate", "examples seen", f"loss on all {self.n} points (log)")
        self.info = widgets.HTML()
        self.shown_axis = None

    def project(self, g):
        return np.column_stack([g @ self.along, g @ self.across])

    def draw_noise(self, ax, samples):
        one = self.project(self.by_size[1])
        reach = 1.1 * np.abs(np.vstack([one, self.project(self.full[None])])).max()
        ax.set_xlim(-reach, reach)
        ax.set_ylim(-reach, reach)
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.plot(*self.project(self.full[None]).T, linestyle="none", marker="*", markersize=16, color=PALETTE[5],
                markeredgecolor="black", zorder=5, label="full-batch gradient")
        self.dots = ax.scatter(*one.T, s=14, color=PALETTE[4], marker=MARKERS[0], alpha=0.6, animated=True,
                               label=f"{samples} mini-batch gradients")
        ax.legend(loc="lower left", fontsize="small")
        label(ax, "Mini-batch gradients of one network", "along the full gradient", "across it")

    def draw_spread(self, ax, samples):
        n, spread = self.n, self.spread
        partial = [b for b in self.sizes if b < n]                         # the full batch has no spread
        measured = [spread[b] for b in partial]
        theory = spread[1] * np.sqrt((n - np.array(partial)) / (n - 1) / np.array(partial))
        ax.plot(partial, measured, marker=MARKERS[1], color=PALETTE[4], label=f"measured ({samples} draws)")
        ax.plot(partial, theory, linestyle="--", color=PALETTE[0], label="σ₁·√((N−b)/(b(N−1)))")
        _log_axes(ax)
        ax.set_xlim(0.8, n * 0.8)
        ax.set_ylim(min(measured) / 2, max(measured) * 1.6)
        (self.spread_marker,) = ax.plot([], [], linestyle="none", marker="o", markersize=12, markerfacecolor="none",
                                        markeredgecolor=PALETTE[5], markeredgewidth=2, animated=True)
        ax.legend(loc="lower left", fontsize="small")
        label(ax, "Noise of the gradient", "batch size b (log scale)", "rms distance to full gradient")

    def draw_rates(self, ax):
        lrs = np.array(LR_GRID)
        for shade, b in zip(self.shades, self.sizes):
            ax.plot(lrs, np.clip(self.final[b], None, TOP), color=shade, linewidth=1.0, label=f"b={b}")
            ax.plot([self.best[b]], [self.final[b][LR_GRID.index(self.best[b])]], linestyle="none", marker="o",
                    markersize=5, color=shade)
        (self.lr_bold,) = ax.plot([], [], color="black", linewidth=2.4, animated=True)
        low = min(f.min() for f in self.final.values()) * 0.2                # room below the curves for
        self.strip = low * 1.25                                            # the seeds' dot plot
        self.seed_dots = ax.scatter([], [], s=26, color=PALETTE[5], edgecolors="black", linewidths=0.6,
                                    zorder=6, animated=True)
        ax.axhspan(low, low / 0.2 * 0.8, color="grey", alpha=0.08, linewidth=0)
        ax.text(lrs[-1] * 1.2, self.strip, f"best rate at\n{len(SEEDS)} seeds", ha="right", va="bottom",
                fontsize="x-small", color="black")
        (self.lr_best,) = ax.plot([], [], linestyle="none", marker="o", markersize=11, markerfacecolor="none",
                                  markeredgecolor=PALETTE[5], markeredgewidth=2, animated=True)
        _log_axes(ax)
        ax.set_xlim(lrs[0] / 1.3, lrs[-1] * 1.3)
        ax.set_ylim(low, TOP * 1.2)
        ax.legend(loc="upper left", fontsize="x-small", ncol=2, title="batch size", title_fontsize="x-small")
        label(ax, f"SGD, {EPOCHS} epochs: final loss vs learning rate",
              "learning rate (log; diverged or above 3: drawn at 3)", f"loss on all {self.n} points (log)")

    def race_data(self, run, key):
        if key == "examples seen":
            return run["examples"], np.clip(run["loss"], None, TOP)
        return run["time"][1:] * 1000, np.clip(run["loss"][1:], None, TOP)   # ms; a log axis has no t = 0

    def draw_race(self, key):
        """The static race lines for one x axis (a full redraw: only when the toggle moves)."""
        ax = self.ax_race
        for line, b in zip(self.race_lines, self.sizes):
            line.set_data(*self.race_data(self.chosen[b], key))
        if key == "examples seen":
            ax.set_xscale("linear")
            ax.set_xlim(0, EPOCHS * self.n * 1.02)
            ax.set_xlabel("examples seen")
        else:
            ax.set_xscale("log")
            ax.xaxis.set_minor_locator(NullLocator())
            times = [self.chosen[b]["time"][1:] * 1000 for b in self.sizes]
            ax.set_xlim(min(t[0] for t in times) / 2, max(t[-1] for t in times) * 1.5)
            ax.set_xlabel("updates × time per update (ms, log)")
        self.shown_axis = key

    def update(self, app):
        b = int(self.controls["batch_size"].value)
        if b not in self.by_size:
            raise AppMessage(f"The batch size {b} is larger than the data ({self.n} points).")
        if self.controls["x_axis"].value != self.shown_axis:
            self.draw_race(self.controls["x_axis"].value)
        self.dots.set_offsets(self.project(self.by_size[b]))
        self.spread_marker.set_data([b], [self.spread[b]] if b < self.n else [np.nan])
        self.lr_bold.set_data(np.array(LR_GRID), np.clip(self.final[b], None, TOP))
        self.lr_best.set_data([self.best[b]], [self.final[b][LR_GRID.index(self.best[b])]])
        self.seed_dots.set_offsets(seed_dot_positions(self.seed_best[b], self.strip))
        self.race_bold.set_data(*self.race_data(self.chosen[b], self.shown_axis))
        self.info.value = (explorer_text(b, self.n, self.spread, self.full, self.best, self.chosen[b])
                           + seeds_text(b, self.seed_best))


def seed_dot_positions(rates, strip, rise=1.12):
    """A dot plot: one dot per seed at its best rate, equal rates stacked upwards from `strip` (log y)."""
    positions, seen = [], {}
    for rate in rates:
        k = seen.get(rate, 0)
        seen[rate] = k + 1
        positions.append((rate, strip * rise ** k))
    return np.array(positions)


def seeds_text(b, seed_best):
    """The spread of b's best rate over the seeds, and how far linear scaling from b=1 is off."""
    rates = seed_best[b]
    text = (f" Over {len(rates)} seeds (dots) its best rate has median <b>{np.median(rates):.3g}</b>, range "
            f"{rates.min():.3g} to {rates.max():.3g}")
    if b == 1:
        return text + "."
    ratio = rates / seed_best[1]
    return text + (f"; b={b} over b=1, seed by seed: median {np.median(ratio):.3g}x, range {ratio.min():.3g}x "
                   f"to {ratio.max():.3g}x (linear scaling says {b}x, square-root scaling {np.sqrt(b):.3g}x).")


def _log_axes(ax):
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_minor_locator(NullLocator())


def batch_size_explorer(batch_size=10, x_axis="examples seen", samples=100):
    """What the batch size changes, for one dataset (200 moons) and one network (2-16-2 ReLU).

    Top: mini-batch gradients (dots) around the full-batch gradient (star) of the random starting
    network, and their spread against batch size. Bottom left: the loss after EPOCHS epochs of SGD
    against the learning rate (grid LR_GRID), one curve per batch size; the dot is each one's best;
    the dots along the bottom are the chosen batch size's best rate at each of 10 seeds.
    Bottom right: each batch size at its own best learning rate, the full-data loss against
    examples seen or training time. Everything is computed on creation; a move only redraws.
    """
    explorer = BatchSizeExplorer(batch_size, x_axis, samples)
    app = App(explorer.controls, explorer.figure, explorer.update, extra=[explorer.info], title="Batch size explorer")
    app.explorer = explorer
    app.info, app.runs, app.best, app.spread = explorer.info, explorer.runs, explorer.best, explorer.spread
    return app


def explorer_text(b, n, spread, full, best, run):
    """The message under the explorer, computed from the records the plots draw."""
    per_epoch = -(-n // b)
    noise = (f"its mini-batch gradients lie {spread[b]:.3g} (rms) from the full-batch gradient, whose "
             f"length is {norm(full):.3g}" if b < n else "its gradient is the full-batch gradient (no noise)")
    scaled = best[1] * b
    return (f"Batch size <b>{b}</b>: <b>{per_epoch}</b> updates per epoch of {n} examples; {noise}. "
            f"Best learning rate on the grid: <b>{best[b]:g}</b> (linear scaling from b=1 would say "
            f"{best[1]:g} × {b} = {scaled:.3g}). At it, {EPOCHS} epochs took {run['updates']} updates and "
            f"{run['time'][-1] * 1000:.0f} ms and brought the loss from {run['loss'][0]:.3f} to "
            f"<b>{run['loss'][-1]:.3f}</b>.")
