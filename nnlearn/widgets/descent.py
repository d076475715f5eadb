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
from ..plots.landscapes import DIVERGED_COLOR, PathArtists, clear_surface, plot_surface
from .app import App, AppMessage, log_slider

_FLOOR = 1e-12          # log plots: heights above the minimum are shown from here up


def _diverged_message(k, lr):
    return (f"diverged after {k} steps: lower the learning rate (it is {lr:.3g}; "
            f"each step overshot the minimum by more than the last).")


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

    def update():
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


def descent_path(surface, lr, steps, view_factor=10.0):
    """Plain gradient descent (nl.optim.SGD) on `surface` for `steps` steps from surface.start.

    Returns (points (k + 1, 2), heights (k + 1,), diverged_at): diverged_at is the step at which
    the point left a box `view_factor` times the plot's size (or stopped being finite), else None;
    the path is cut there.
    """
    trajectory = landscapes.run(surface, lambda params: optim.SGD(params, lr=lr), steps=steps)
    points, values = trajectory.points, trajectory.values
    (xlo, xhi), (ylo, yhi) = surface.xlim, surface.ylim
    center = np.array([(xlo + xhi) / 2, (ylo + yhi) / 2])
    half = view_factor * np.array([(xhi - xlo) / 2, (yhi - ylo) / 2])
    with np.errstate(invalid="ignore"):
        outside = ~np.all(np.abs(points - center) <= half, axis=1)
    if outside.any():
        k = int(np.argmax(outside))
        return points[:k + 1], values[:k + 1], k
    if trajectory.diverged:
        return points, values, trajectory.steps
    return points, values, None


def descent_explorer(surface="ravine", learning_rate=0.4, steps=40):
    """The blindfolded hiker on a loss surface: plain gradient descent under a learning-rate slider.

    Controls: surface (a name from nl.landscapes.SURFACES), learning_rate (log slider from
    crawling through overshooting to diverging), steps. Left: contour map with the path; right:
    height above the lowest minimum against the step (log scale). Divergence is flagged on the
    map and reported in the message line.
    """
    max_steps = 200
    surface_control = widgets.Dropdown(options=list(landscapes.SURFACES), value=surface,
                                       description="surface")
    lr_control = log_slider("learning_rate", learning_rate, -4, 1, step=0.1)
    steps_control = widgets.IntSlider(value=steps, min=1, max=max_steps, step=1, description="steps",
                                      continuous_update=True)
    controls = {"surface": surface_control, "learning_rate": lr_control, "steps": steps_control}

    figure, (ax_map, ax_loss) = new_figure(11, 4.4, ncols=2)
    ax_map.get_subplotspec().get_gridspec().set_width_ratios([1.5, 1])
    state = {"surface": None, "artists": {}, "cache": {}}
    path = PathArtists(ax_map, color=PALETTE[4], marker=MARKERS[0], label="the hiker's path")
    ax_map.legend(loc="lower right", fontsize=8, framealpha=0.9)

    (curve,) = ax_loss.semilogy([], [], color=PALETTE[4], linestyle="-", marker=MARKERS[0], markersize=3,
                                animated=True, label="height above the minimum")
    (loss_flag,) = ax_loss.plot([], [], linestyle="none", marker="X", markersize=14,
                                color=DIVERGED_COLOR, markeredgecolor="black", animated=True)
    summary = ax_loss.text(0.97, 0.95, "", transform=ax_loss.transAxes, ha="right", va="top",
                           fontsize=9, animated=True,
                           bbox=dict(boxstyle="round", facecolor="white", edgecolor="0.5"))
    ax_loss.set_xlim(0, max_steps)
    ax_loss.set_ylim(_FLOOR, 1e4)
    label(ax_loss, "Loss along the path (log scale)", "step", "L(w) − L(minimum)")

    def set_surface(name):
        surf = landscapes.get(name)
        clear_surface(ax_map, state["artists"])
        state["artists"] = plot_surface(ax_map, surf)
        state["surface"] = surf
        state["low"] = min(float(surf(*m)) for m in surf.minima)
        _, _, Z = surf.grid(60)
        ax_loss.set_ylim(_FLOOR, 10 * (float(Z.max()) - state["low"]))

    def update():
        name = surface_control.value
        if state["surface"] is None or state["surface"].name != name:
            set_surface(name)
        surf, lr, n = state["surface"], float(lr_control.value), int(steps_control.value)
        key = (name, round(lr, 12))
        if key not in state["cache"]:          # one run of max_steps per (surface, lr); steps slices it
            state["cache"][key] = descent_path(surf, lr, max_steps)
        points, heights, diverged_at = state["cache"][key]
        shown = min(n, len(points) - 1)
        if diverged_at is not None and diverged_at > n:
            diverged_at = None
        points, heights = points[:shown + 1], heights[:shown + 1]
        above = np.maximum(heights - state["low"], _FLOOR)
        curve.set_data(np.arange(len(above)), above)
        (xlo, xhi), (ylo, yhi) = surf.xlim, surf.ylim
        x, y = points[-1]
        if diverged_at is None and not (xlo <= x <= xhi and ylo <= y <= yhi) and heights[-1] > heights[0]:
            # not yet past the divergence test, but already off the map and higher than at the start
            k = int(np.argmax((points[:, 0] < xlo) | (points[:, 0] > xhi) | (points[:, 1] < ylo) | (points[:, 1] > yhi)))
            path.update(points, diverged_at=k, note=f"off the map at step {k}")
            loss_flag.set_data([shown], [min(above[-1], ax_loss.get_ylim()[1] / 2)])
            summary.set_text(f"after {shown} steps: {above[-1]:.2g} above the minimum,\n"
                             f"higher than at the start: diverging")
            raise AppMessage(f"diverging: the point left the map at step {k} and the loss keeps growing; "
                             f"lower the learning rate (it is {lr:.3g}).")
        path.update(points, diverged_at=diverged_at)
        if diverged_at is not None:
            top = ax_loss.get_ylim()[1]
            loss_flag.set_data([diverged_at], [min(above[-1], top / 2)])
            summary.set_text(f"diverged at step {diverged_at}")
            raise AppMessage(_diverged_message(diverged_at, lr))
        loss_flag.set_data([], [])
        start = max(float(heights[0]) - state["low"], _FLOOR)
        summary.set_text(f"after {shown} steps: {above[-1]:.2g} above the minimum\n"
                         f"({above[-1] / start:.1%} of the height at the start)")

    return App(controls, figure, update, title="The blindfolded hiker: gradient descent on a loss surface")
