"""The optimizer race on a 2-D loss surface (lesson 06).

Every optimizer of lesson 06's cast (`experiments.surface_races.CAST`, from `nnlearn.optim.OPTIMIZERS`) runs from the same start (two sliders) on the same
surface, aligned with the weight axes or turned 45 degrees (`rotation`), each at its own best learning rate from one grid (see `nnlearn.experiments.surface_races`), times a common
multiplier. Top left: the paths on the contour map, and where 225 starts spread over the map end
for the optimizer chosen; top right: the height above the lowest point against the step; bottom:
what the chosen optimizer remembers (its running mean of g and its running mean or sum of g^2),
per weight.
"""

import math

import ipywidgets as widgets
import numpy as np
from matplotlib.lines import Line2D

from .. import landscapes
from ..plots import LINESTYLES, MARKERS, PALETTE, label, new_figure
from ..plots.landscapes import DIVERGED_COLOR, PathArtists, clear_surface, plot_surface
from .app import App, AppMessage, log_slider, slider_neighbours
from ..experiments.surface_races import (LR_EXPONENTS, RACE_STEPS, START_GRID, best_learning_rates, lowest_minima,
                                        many_starts, optimizer_names, race, registry, surface_sweep)

RACE_SURFACES = ("ravine", "saddle", "several_minima", "rosenbrock", "bowl")
_COLOURS = (PALETTE[7], PALETTE[0], PALETTE[2], PALETTE[6], PALETTE[4], PALETTE[1])   # no yellow, no vermillion
_FLOOR = 1e-10        # heights above the lowest point are drawn from here up (log scale)


def racer_style(name):
    """Colour, marker and line style of an optimizer, from its place in the cast: after six
    colours the line styles shift by one, so no two racers look alike."""
    index = list(registry()).index(name)
    return (_COLOURS[index % len(_COLOURS)], MARKERS[index % len(MARKERS)],
            LINESTYLES[(index + index // len(_COLOURS)) % len(LINESTYLES)])


START_STEP = 1e-4    # the start sliders' step: the saddle's start y = 0.001 (and its turned twin's) can be set


def _snap(slider):
    """The slider's value, with the rounding of a browser slider (-2 + 20000 * 1e-4) taken off: y = 0 is 0."""
    value = float(slider.value)
    snapped = round(round(value / slider.step) * slider.step, 9)          # 10 * 1e-4 is 0.001, not 0.00100...02
    return float(snapped) if abs(value - snapped) < 1e-9 else value


def rates_text(surface_name, multiplier_exponent=0.0):
    """The line above the picture: each optimizer's learning rate and where it comes from."""
    rates = best_learning_rates(surface_name)
    factor = 10.0 ** multiplier_exponent
    grid = f"10^{LR_EXPONENTS[0]:g}, 10^{LR_EXPONENTS[1]:g}, ..., 10^{LR_EXPONENTS[-1]:g}"
    return (f"learning rates (each optimizer's best on this surface from the grid {grid}, × {factor:.3g}): "
            + ", ".join(f"{name} <b>{rates[name] * factor:.3g}</b>" for name in rates))


def reach_text(surface_name, multiplier_exponent=0.0):
    """The 'over many starts' line: how many of the 225 starts end in a deepest minimum."""
    surface = landscapes.get(surface_name)
    deepest = lowest_minima(surface)
    results = many_starts(surface_name, multiplier_exponent)
    total = START_GRID * START_GRID
    where = "the deepest minimum" if len(surface.minima) > 1 else "the minimum"
    if len(deepest) > 1:
        where = "one of the deepest minima"
    counts = ", ".join(f"{name} <b>{r.count(deepest)}</b> ({100 * r.count(deepest) / total:.0f} %)"
                       for name, r in results.items())
    return (f"over {total} starts ({START_GRID} × {START_GRID} grid, dots on the map), ending within 0.1 of "
            f"{where} after {RACE_STEPS} steps: {counts}")


class OptimizerRace:
    """The race's figure and controls; `update` redraws from the controls (an App calls it)."""

    def __init__(self, surface="ravine", optimizer="Adam", steps=150, start=None, rotation=0):
        names = optimizer_names()
        first = landscapes.get(surface + ("_rotated" if rotation else ""))
        x0, y0 = first.start if start is None else start
        self.controls = {
            "surface": widgets.Dropdown(options=[(landscapes.get(n).title.split(":")[0], n) for n in RACE_SURFACES],
                                        value=surface, description="surface"),
            "rotation": widgets.Dropdown(options=[("along the weight axes", 0), ("turned 45°", 45)], value=rotation,
                                         description="rotation"),
            "learning_rate": log_slider("learning_rate × (each its best)", 1.0, -1, 1, step=0.5),
            "start_x": widgets.FloatSlider(value=x0, min=first.xlim[0], max=first.xlim[1], step=START_STEP,
                                           description="start x", continuous_update=True, readout_format=".4g"),
            "start_y": widgets.FloatSlider(value=y0, min=first.ylim[0], max=first.ylim[1], step=START_STEP,
                                           description="start y", continuous_update=True, readout_format=".4g"),
            "steps": widgets.IntSlider(value=steps, min=1, max=RACE_STEPS, description="steps",
                                       continuous_update=True),
            "optimizer": widgets.Dropdown(options=list(names), value=optimizer, description="show state of"),
        }
        self.rates_html, self.reach_html = widgets.HTML(), widgets.HTML()
        self.shown_surface, self.shown_optimizer, self.drawn, self.limits, self.syncing = None, None, {}, None, False
        self._build_figure(names)

    # -- the figure, built once ---------------------------------------------------------------
    def _build_figure(self, names):
        # Two rows (the map and the heights; the two running means under them), 688 px wide: in one
        # row the figure was 1000 px and shrank to 60 % in a notebook at 1024 px, too small to read.
        figure = self.figure = new_figure(8.6, 7.6)[0]
        figure.clear()
        grid = figure.add_gridspec(2, 2, height_ratios=[1.45, 1])
        self.ax_map = figure.add_subplot(grid[0, 0])
        self.ax_height = figure.add_subplot(grid[0, 1])
        self.ax_velocity = figure.add_subplot(grid[1, 0])
        self.ax_square = figure.add_subplot(grid[1, 1])
        self.paths, self.heights, self.ends = {}, {}, {}
        for name in names:
            colour, marker, style = racer_style(name)
            self.paths[name] = PathArtists(self.ax_map, color=colour, marker=marker, label=name, linestyle=style)
            self.paths[name].head.set_markersize(8)
            (self.heights[name],) = self.ax_height.plot([], [], color=colour, linestyle=style, marker=marker,
                                                        markevery=0.1, markersize=5, label=name, animated=True)
            (self.ends[name],) = self.ax_height.plot([], [], linestyle="none", marker="X", markersize=11,
                                                     color=DIVERGED_COLOR, markeredgecolor="black", animated=True)
        self.reached = self.ax_map.scatter([], [], s=9, marker="o", color="black", alpha=0.55, zorder=3,
                                           animated=True, label="start ending in the deepest minimum")
        self.missed = self.ax_map.scatter([], [], s=9, marker="x", color="0.45", alpha=0.5, linewidths=0.8,
                                          zorder=3, animated=True, label="start ending elsewhere")
        self.ax_height.set_xscale("log")
        self.ax_height.set_yscale("log")
        self.ax_height.set_xlim(0.8, 1.2 * RACE_STEPS)      # no point of step 1 on the edge
        label(self.ax_height, "Height above the lowest point", "step (log scale)", "f(x, y) - f(minimum)")
        self.velocity_lines, self.square_lines = [], []
        for axis_name, style in (("x", "-"), ("y", "--")):
            for ax, lines in ((self.ax_velocity, self.velocity_lines), (self.ax_square, self.square_lines)):
                (line,) = ax.plot([], [], linestyle=style, linewidth=1.6, marker="o", markersize=2.5, animated=True)
                lines.append(line)
        for ax in (self.ax_velocity, self.ax_square):
            ax.set_xscale("log")
            ax.set_xlim(0.8, 1.2 * RACE_STEPS)
            ax.legend(handles=[Line2D([], [], color="0.3", linestyle=style, label=f"weight {axis_name}")
                               for axis_name, style in (("x", "-"), ("y", "--"))], loc="upper right", fontsize=8)
        self.ax_square.set_yscale("log")
        label(self.ax_velocity, "Running mean of g (velocity)", "step (log scale)", "per weight (symlog)")
        label(self.ax_square, "Running mean of g² (Adagrad: sum)", "step (log scale)", "per weight")
        self.notes = [ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=10,
                              animated=True, color="0.3") for ax in (self.ax_velocity, self.ax_square)]

    def _show_surface(self, surface):
        """Draw a new surface (a full redraw) and fit the sliders and axes to it."""
        self.syncing = True                    # the sliders move to the new start without a recompute
        try:
            # Two messages per slider, so the page never meets a value outside the range it has: first
            # a range that holds the old and the new start, then the value with the new range. The
            # page applies a message's keys in the order they come, a Python set's (it changes from
            # kernel to kernel): with min, max and value in one message, in some kernels the value
            # came first, was clamped to the old range and sent back, and the race ran from x = -2,
            # not the turned Rosenbrock's -2.83 the lesson states. Each piece alone, the page met the
            # new range with the old value and did the same.
            for slider, lim, value in ((self.controls["start_x"], surface.xlim, surface.start[0]),
                                       (self.controls["start_y"], surface.ylim, surface.start[1])):
                with slider.hold_sync():
                    slider.min, slider.max = min(lim[0], slider.min, value), max(lim[1], slider.max, value)
                with slider.hold_sync():
                    slider.value = value
                    slider.min, slider.max = lim
        finally:
            self.syncing = False
        if self.drawn:
            clear_surface(self.ax_map, self.drawn)
        self.drawn = plot_surface(self.ax_map, surface, levels=14, resolution=100, show_start=False)
        self.drawn["start"] = self.ax_map.plot(*surface.start, linestyle="none", marker="o", markersize=9,
                                               markerfacecolor="none", markeredgecolor="black",
                                               markeredgewidth=1.5, label="start", zorder=4, animated=True)[0]
        if not self.figure.legends:
            handles = [self.heights[n] for n in self.heights] + [self.drawn["minima"], self.drawn["start"],
                                                                 self.reached, self.missed]
            self.figure.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=9)
        self.lowest = min(float(surface(*m)) for m in surface.minima)
        _, _, Z = surface.grid(60)
        self.ax_height.set_ylim(_FLOOR, 10 * (float(Z.max()) - self.lowest))
        self.shown_surface = surface.name
        self.limits = None

    # -- every control move -------------------------------------------------------------------
    def update(self, app):
        if self.syncing:
            return
        turned = "_rotated" if self.controls["rotation"].value else ""
        surface = landscapes.get(self.controls["surface"].value + turned)
        if surface.name != self.shown_surface:
            surface_sweep(surface.name)
            self._show_surface(surface)
        exponent = round(2 * math.log10(float(self.controls["learning_rate"].value))) / 2   # the slider's half decades
        start = tuple(_snap(self.controls[key]) for key in ("start_x", "start_y"))
        shown, chosen = int(self.controls["steps"].value), self.controls["optimizer"].value
        if chosen != self.shown_optimizer:
            self.limits, self.shown_optimizer = None, chosen
        self.drawn["start"].set_data([start[0]], [start[1]])
        results = race(surface.name, start, exponent)
        problems = []
        for name, (points, values, diverged_at, _, _) in results.items():
            k = min(shown, len(points) - 1)
            now = diverged_at is not None and diverged_at <= shown
            self.paths[name].update(points[:k + 1], diverged_at=diverged_at if now else None,
                                    note=f"{name} diverged at step {diverged_at}" if now else None)
            if now and problems:
                self.paths[name].note.set_visible(False)      # one note on the map is enough
            self.paths[name].line.set_linewidth(3.0 if name == chosen else 1.4)
            self.heights[name].set_data(np.arange(1, k + 1), np.maximum(values[1:k + 1] - self.lowest, _FLOOR))
            self.heights[name].set_markevery(max(1, k // 10))          # a single step is drawn too
            self.heights[name].set_linewidth(2.8 if name == chosen else 1.4)
            self.ends[name].set_data(([max(k, 1)], [self.ax_height.get_ylim()[1] / 3]) if now else ([], []))
            if now:
                problems.append(f"{name} diverged at step {diverged_at}")
        self._show_many_starts(surface, exponent, chosen)
        if self.limits is None:
            self._size_state_panels(surface.name, start, chosen)
        self._show_state(results[chosen], shown, chosen)
        # While the learner looks, the races one slider step either side (App.when_idle).
        for neighbour in slider_neighbours(self.controls["learning_rate"], 10.0 ** exponent):
            neighbour = round(2 * math.log10(neighbour)) / 2
            app.when_idle(race, surface.name, start, neighbour)
            app.when_idle(many_starts, surface.name, neighbour)
        self.rates_html.value = rates_text(surface.name, exponent)
        self.reach_html.value = reach_text(surface.name, exponent)
        if problems:
            raise AppMessage("; ".join(problems) + " (its height passed 50 × max(its height at the start, 1)): each step "
                             "overshot by more than the last. Lower the learning rate.")

    def _show_many_starts(self, surface, exponent, chosen):
        result = many_starts(surface.name, exponent)[chosen]
        starts = surface_sweep(surface.name).starts
        hit = np.isin(result.minimum, lowest_minima(surface))
        self.reached.set_offsets(starts[hit])
        self.missed.set_offsets(starts[~hit])
        self.reached.set_color(racer_style(chosen)[0])

    def _show_state(self, record, shown, chosen):
        points, _, _, velocity, square = record
        k = min(shown, len(points) - 1)
        colour = racer_style(chosen)[0]
        for lines, series in ((self.velocity_lines, velocity), (self.square_lines, square)):
            for index, line in enumerate(lines):
                line.set_color(colour)
                if series is None or k == 0:
                    line.set_data([], [])
                else:
                    line.set_data(np.arange(1, k + 1), np.maximum(series[:k, index], 1e-300)
                                  if lines is self.square_lines else series[:k, index])
                    line.set_markevery(max(1, k // 10))
        self.notes[0].set_text("" if velocity is not None else f"{chosen} keeps no velocity:\nit steps along g itself")
        self.notes[1].set_text("" if square is not None else f"{chosen} keeps no g² average:\none step size for every weight")
        self._fit_state_limits(velocity, square)

    def _size_state_panels(self, surface_name, start, chosen):
        """Limits that hold the chosen racer's state at every multiplier of the slider, set up front:
        a move of the multiplier then repaints without growing them (a full redraw, ~210 ms)."""
        slider = self.controls["learning_rate"]
        for exponent in np.arange(slider.min, slider.max + slider.step / 2, slider.step):
            _, _, _, velocity, square = race(surface_name, start, float(exponent))[chosen]
            self._fit_state_limits(velocity, square)

    def _fit_state_limits(self, velocity, square):
        """Decades that hold the chosen racer's state; changed (a full redraw) only when they must."""
        reach = float(np.nanmax(np.abs(velocity))) if velocity is not None and velocity.size else 1.0
        top = 10.0 ** math.ceil(math.log10(max(reach, 1e-12)))
        positive = square[np.isfinite(square) & (square > 0)] if square is not None else np.empty(0)
        low, high = ((10.0 ** math.floor(math.log10(positive.min())), 10.0 ** math.ceil(math.log10(positive.max())))
                     if positive.size else (1e-4, 1.0))
        if self.limits is not None:            # grow only: most moves then repaint without a full redraw
            top, low, high = max(top, self.limits[0]), min(low, self.limits[1]), max(high, self.limits[2])
        low = max(low, high * 1e-12)
        limits = (top, low, high)
        if limits != self.limits:
            self.ax_velocity.set_yscale("symlog", linthresh=top / 100)
            self.ax_velocity.set_ylim(-top, top)
            self.ax_velocity.set_yticks([-top, -top / 10, 0, top / 10, top])
            self.ax_square.set_ylim(low, high * (1.0001 if high > low else 10))
            self.limits = limits


def optimizer_race(surface="ravine", optimizer="Adam", steps=150, start=None, rotation=0):
    """Every optimizer of lesson 06's cast racing downhill on one surface, from a start you pick.

    Controls: surface, rotation (0: the surface as defined, its valleys along the weight axes; 45: its
    twin turned 45 degrees, `landscapes.rotated`), learning_rate (a multiplier on each optimizer's own best rate, in half
    decades), start_x and start_y, steps, optimizer (whose state the bottom panels show and
    whose 225 starts the dots on the map show)."""
    race_app = OptimizerRace(surface, optimizer, steps, start, rotation)
    app = App(race_app.controls, race_app.figure, race_app.update,
              extra=(race_app.rates_html, race_app.reach_html), title="Optimizer race on a loss surface")
    app.explorer = race_app
    return app
