"""Gradient descent, the blindfolded hiker: apps for lesson 04.

The hiker cannot see the valley; at each step she feels the slope under her feet (the gradient)
and steps downhill, a distance proportional to the slope:  w <- w - lr * grad.

- `parabola_descent()`: one weight on the parabola L(w) = c w^2 / 2. Each step multiplies the
  distance to the minimum by (1 - lr c): crawling for lr c << 1, zig-zag for 1 < lr c < 2,
  diverging for lr c > 2 (the critical learning rate 2 / c, computed by hand in the lesson).
- `descent_explorer()`: the hiker's path on a 2-D surface from `nnlearn.landscapes`, seen from
  above, with the height above the minimum against the step beside it (log scale).
"""

import numpy as np
import ipywidgets as widgets

from .. import landscapes, optim
from ..plots import MARKERS, PALETTE, label, new_figure
from ..plots.landscapes import DIVERGED_COLOR, PathArtists, plot_surface
from ..train import DIVERGENCE_FACTOR
from .app import App, AppMessage, log_slider
from .lru import LRUCache

_FLOOR = 1e-12          # log plots: heights above the minimum are shown from here up


# ---------------------------------------------------------------------------------------------
# 1-D: the parabola, where everything can be computed by hand


def parabola_path(w0, curvature, lr, steps):
    """Gradient descent on L(w) = curvature * w^2 / 2 (gradient curvature * w) from w0.

    Returns the weights w_0 .. w_steps, shape (steps + 1,): w_k = (1 - lr * curvature)^k * w0.
    """
    factor = 1.0 - lr * curvature
    with np.errstate(over="ignore", invalid="ignore"):
        return w0 * factor ** np.arange(steps + 1)


def parabola_descent(curvature=2.0, w0=2.5, steps=12):
    """One weight, one parabola: how the learning rate decides between crawling, zig-zag and divergence.

    Controls: learning_rate (log slider), curvature (c in L = c w^2 / 2). Left: the parabola with
    the hiker's steps on it; right: |w| against the step (log scale), a straight line whose slope
    is log|1 - lr c|.
    """
    curvature_control = widgets.FloatSlider(value=curvature, min=0.5, max=4.0, step=0.5,
                                            description="curvature c", continuous_update=True)
    lr_control = log_slider("learning_rate", 0.1, -2, 0.5, step=0.05)
    controls = {"learning_rate": lr_control, "curvature": curvature_control}

    figure, (ax_curve, ax_dist) = new_figure(10, 3.8, ncols=2)
    w_max = 4.0
    ws = np.linspace(-w_max, w_max, 200)
    for c in (0.5, 4.0):                     # the range of the curvature slider, for scale
        ax_curve.plot(ws, c * ws ** 2 / 2, color="0.8", linestyle="-", linewidth=1, zorder=1)
    (parabola,) = ax_curve.plot([], [], color="black", linestyle="-", linewidth=1.5, animated=True, zorder=2,
                                label="L(w) = c w²/2")
    (walk,) = ax_curve.plot([], [], color=PALETTE[4], linestyle="-", marker=MARKERS[0], markersize=5, animated=True,
                            zorder=3, label="the hiker's steps")
    (flag,) = ax_curve.plot([], [], linestyle="none", marker="X", markersize=14, color=DIVERGED_COLOR,
                            markeredgecolor="black", animated=True, zorder=5)
    regime = ax_curve.text(0.5, 0.95, "", transform=ax_curve.transAxes, ha="center", va="top",
                           fontsize=10, animated=True,
                           bbox=dict(boxstyle="round", facecolor="white", edgecolor="0.5"))
    ax_curve.set_xlim(-w_max, w_max)
    ax_curve.set_ylim(-0.5, 4.0 * w_max ** 2 / 2 * 0.55)
    ax_curve.legend(loc="lower right", fontsize=8)
    label(ax_curve, "The hiker on a parabola", "weight w", "loss L(w)")

    steps_axis = np.arange(steps + 1)
    (distance,) = ax_dist.semilogy([], [], color=PALETTE[4], linestyle="-", marker=MARKERS[0], markersize=5,
                                   animated=True, label="|w_k|: distance to the minimum")
    (start_line,) = ax_dist.plot([0, steps], [w0, w0], color="0.5", linestyle="--", linewidth=1,
                                 label="start distance")
    ax_dist.set_xlim(-0.3, steps + 0.3)
    ax_dist.set_ylim(1e-6, 1e4)
    ax_dist.legend(loc="lower left", fontsize=8)
    label(ax_dist, "Distance to the minimum (log scale)", "step k", "|w_k|")

    def update(app):
        lr, c = float(lr_control.value), float(curvature_control.value)
        parabola.set_data(ws, c * ws ** 2 / 2)
        path = parabola_path(w0, c, lr, steps)
        factor = 1 - lr * c
        critical = 2 / c
        shown = np.abs(path) <= w_max * 1.0001
        last = int(np.argmin(shown)) if not shown.all() else len(path)
        visible = path[:max(last, 1)]
        walk.set_data(visible, c * visible ** 2 / 2)
        distance.set_data(steps_axis, np.maximum(np.abs(path), 1e-300))
        if abs(factor) < 1:
            kind = ("crawling" if factor > 0.8 else "zig-zag, converging" if factor < -0.2
                    else "smooth, converging" if factor >= 0 else "small zig-zag, converging")
        elif abs(factor) == 1:
            kind = "bouncing forever"
        else:
            kind = "diverging"
        regime.set_text(f"lr·c = {lr * c:.2f}   (1 − lr·c = {factor:+.2f}): {kind}\n"
                        f"critical learning rate 2/c = {critical:.3g}")
        if abs(factor) > 1:
            x = float(np.clip(path[max(last - 1, 0)] if last < len(path) else path[-1], -w_max * 0.97, w_max * 0.97))
            flag.set_data([x], [min(c * x ** 2 / 2, ax_curve.get_ylim()[1] * 0.95)])
            raise AppMessage(
                f"diverged: with lr·c = {lr * c:.2f} > 2 every step lands {abs(factor):.2f} times farther "
                f"from the minimum than the last; lower the learning rate below 2/c = {critical:.3g}."
            )
        flag.set_data([], [])

    return App(controls, figure, update, title="Gradient descent on a parabola: w ← w − lr · c · w")


# ---------------------------------------------------------------------------------------------
# 2-D: the hiker on a landscape

MAX_STEPS = 200          # each (surface, learning rate) is run this far once; `steps` shows a prefix
_CACHE_BYTES = 1_500_000  # runs kept: about 256 of 201 points x 3 floats


def descent_path(surface, lr, steps):
    """Plain gradient descent (nl.optim.SGD) on `surface` for `steps` steps from surface.start.

    Returns (points (k + 1, 2), heights (k + 1,), diverged_at): landscapes.run's record, cut where
    nl.has_diverged stopped it (diverged_at is that 1-based step, or None).
    """
    trajectory = landscapes.run(surface, lambda params: optim.SGD(params, lr=lr), steps=steps)
    return trajectory.points, trajectory.values, trajectory.diverged_at


class _PerSurfaceApp(App):
    """An App whose static picture depends only on the surface shown: it keeps one background per
    surface, so coming back to a surface repaints only the animated artists (no full redraw)."""

    def __init__(self, controls, figure, update, surface_name, **kwargs):
        self._surface_name, self._backgrounds = surface_name, {}
        super().__init__(controls, figure, update, **kwargs)

    def render(self):
        name = self._surface_name()
        cached = self._backgrounds.get(name)
        if cached is not None and getattr(self, "_background", None) is not None:
            self._background = cached
            self.figure.stale = False          # the static part for this surface is already drawn
        super().render()
        self._backgrounds[name] = self._background


class DescentExplorer:
    """The hiker's path on a surface (left) and its height above the minimum (right, log scale).

    One map per surface is drawn the first time it is shown, then hidden or shown again; paths are
    computed once per (surface, learning rate) for MAX_STEPS steps and cut to `steps`.
    """

    def __init__(self, surface="ravine", learning_rate=0.4, steps=40):
        self.surface_control = widgets.Dropdown(options=list(landscapes.SURFACES), value=surface,
                                                description="surface")
        self.lr_control = log_slider("learning_rate", learning_rate, -4, 1, step=0.1)
        self.steps_control = widgets.IntSlider(value=steps, min=1, max=MAX_STEPS, step=1, description="steps",
                                               continuous_update=True)
        self.controls = {"surface": self.surface_control, "learning_rate": self.lr_control,
                         "steps": self.steps_control}
        self.figure, (self.ax_map, self.ax_loss) = new_figure(11, 4.4, ncols=2)
        self.ax_map.get_subplotspec().get_gridspec().set_width_ratios([1.5, 1])
        self.maps, self.shown, self.runs = {}, None, LRUCache(max_bytes=_CACHE_BYTES)
        self.path = PathArtists(self.ax_map, color=PALETTE[4], marker=MARKERS[0], label="the hiker's path")
        (self.curve,) = self.ax_loss.semilogy([], [], color=PALETTE[4], linestyle="-", marker=MARKERS[0],
                                              markersize=3, animated=True, label="height above the minimum")
        (self.loss_flag,) = self.ax_loss.plot([], [], linestyle="none", marker="X", markersize=14,
                                              color=DIVERGED_COLOR, markeredgecolor="black", animated=True)
        self.summary = self.ax_loss.text(0.97, 0.88, "", transform=self.ax_loss.transAxes, ha="right", va="top",
                                         fontsize=9, animated=True,
                                         bbox=dict(boxstyle="round", facecolor="white", edgecolor="0.5"))
        self.ax_loss.set_xlim(0, MAX_STEPS)
        label(self.ax_loss, "Loss along the path (log scale)", "step", "L(w) − L(minimum)")
        self.show_surface(surface)
        self.ax_map.legend(loc="lower right", fontsize=8, framealpha=0.9)
        self.ax_loss.legend(loc="lower left", fontsize=8, framealpha=0.9)

    def show_surface(self, name):
        """Hide the map shown, show (drawing it the first time) the map of `name`, with its limits."""
        if name == self.shown:
            return
        if self.shown is not None:
            for artist in self.maps[self.shown]["artists"].values():
                artist.set_visible(False)
        surface = landscapes.get(name)
        if name not in self.maps:
            _, _, Z = surface.grid(60)
            low = min(float(surface(*m)) for m in surface.minima)
            # nl.has_diverged's line, drawn as a height above the minimum: 50 x max(start height, 1)
            limit = DIVERGENCE_FACTOR * max(float(surface(*surface.start)), 1.0) - low
            artists = plot_surface(self.ax_map, surface)
            artists["limit"] = self.ax_loss.axhline(limit, color=DIVERGED_COLOR, linestyle="--", linewidth=1,
                                                    label="diverged above this (nl.has_diverged)")
            self.maps[name] = {"artists": artists, "low": low, "limit": limit,
                               "top": max(10 * (float(Z.max()) - low), 8 * limit)}
        for artist in self.maps[name]["artists"].values():
            artist.set_visible(True)
        self.ax_map.set_xlim(*surface.xlim)
        self.ax_map.set_ylim(*surface.ylim)
        self.ax_map.set_title(surface.title)
        self.ax_map.apply_aspect()             # the box of an equal-aspect map, before any blit
        self.ax_loss.set_ylim(_FLOOR, self.maps[name]["top"])
        self.shown = name

    def run(self, name, lr):
        """(points, heights, diverged_at) of MAX_STEPS steps at this learning rate, cached."""
        return self.runs.fetch((name, round(lr, 12)), lambda: descent_path(landscapes.get(name), lr, MAX_STEPS))

    def update(self, app):
        name, lr, n = self.surface_control.value, float(self.lr_control.value), int(self.steps_control.value)
        self.show_surface(name)
        points, heights, diverged_at = self.run(name, lr)
        shown = min(n, len(points) - 1)
        points, heights = points[:shown + 1], heights[:shown + 1]
        low = self.maps[name]["low"]
        above = np.maximum(heights - low, _FLOOR)
        self.curve.set_data(np.arange(len(above)), above)
        if diverged_at is not None and diverged_at <= n:
            self.path.update(points, diverged_at=diverged_at)
            self.loss_flag.set_data([shown], [min(above[-1], self.maps[name]["top"] / 2)])   # huge jumps: at the top
            self.summary.set_text(f"diverged at step {diverged_at}")
            raise AppMessage(f"diverged at step {diverged_at}: the loss reached {heights[-1]:.3g}, more than "
                             f"{DIVERGENCE_FACTOR:g} times max(its start {heights[0]:.3g}, 1); lower the learning "
                             f"rate (it is {lr:.3g}).")
        self.path.update(points)
        self.loss_flag.set_data([], [])
        start = max(float(heights[0]) - low, _FLOOR)
        (xlo, xhi), (ylo, yhi) = landscapes.get(name).xlim, landscapes.get(name).ylim
        x, y = points[-1]
        where = "" if (xlo <= x <= xhi and ylo <= y <= yhi) else ",\nthe point is off the map"
        height = heights[-1] - low
        self.summary.set_text((f"after {shown} steps: {height:.2g} above the minimum\n"
                               f"({height / start:.2%} of the height at the start){where}") if height > _FLOOR else
                              f"after {shown} steps: at the minimum\n(less than {_FLOOR:g} above it){where}")
        if diverged_at is not None:
            raise AppMessage(f"climbing: at this learning rate the walk diverges at step {diverged_at}; "
                             f"move steps to {diverged_at} or more to see it.")


def descent_explorer(surface="ravine", learning_rate=0.4, steps=40):
    """The blindfolded hiker on a loss surface: plain gradient descent under a learning-rate slider.

    Controls: surface (a name from nl.landscapes.SURFACES), learning_rate (log slider from
    crawling through overshooting to diverging), steps. Left: contour map with the path; right:
    height above the lowest minimum against the step (log scale). Divergence (nl.has_diverged, the
    rule training uses) is flagged on the map and reported in the message line.
    """
    explorer = DescentExplorer(surface, learning_rate, steps)
    app = _PerSurfaceApp(explorer.controls, explorer.figure, explorer.update, lambda: explorer.shown,
                         title="The blindfolded hiker: gradient descent on a loss surface")
    for name in landscapes.SURFACES:           # draw every map once now, so that no switch redraws it all
        if name != surface:
            explorer.surface_control.value = name
    explorer.surface_control.value = surface
    app.explorer = explorer
    return app
