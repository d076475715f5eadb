"""Optimizers racing: apps for lesson 06.

Five ways to turn a gradient into a step, all from `nnlearn.optim`:

    SGD        w <- w - lr g
    momentum   v <- momentum v + g;  w <- w - lr v                          (a heavy ball)
    RMSprop    s <- alpha s + (1 - alpha) g^2;  w <- w - lr g / (sqrt(s) + eps)
    AdaGrad    s <- s + g^2;  w <- w - lr g / (sqrt(s) + eps)
    Adam       momentum on g and RMSprop on g^2, both bias-corrected

- `optimizer_race()`: the five race on a 2-D surface from `nnlearn.landscapes` (ravine, saddle,
  several minima, Rosenbrock's valley), paths side by side, heights against the step, and the
  state of one chosen optimizer (its velocity and its squared-gradient average) step by step.
- `network_race()`: the same five train the same small network (same initial weights) on a 2-D
  dataset; loss curves against epochs and the decision boundary of one chosen optimizer.
"""

import math
import re

import ipywidgets as widgets
import numpy as np
from matplotlib.lines import Line2D

from .. import landscapes, optim
from ..data import moons
from ..losses import CrossEntropyLoss
from ..nn import Linear, ReLU, Sequential
from ..plots import CLASS_CMAP, LINESTYLES, MARKERS, PALETTE, label, new_figure
from ..plots.landscapes import DIVERGED_COLOR, PathArtists, clear_surface, plot_surface
from ..train import fit
from .app import App, AppMessage, log_slider, progress_bar

OPTIMIZERS = ("SGD", "momentum", "RMSprop", "AdaGrad", "Adam")
COLORS = dict(zip(OPTIMIZERS, (PALETTE[7], PALETTE[0], PALETTE[2], PALETTE[6], PALETTE[4])))
STYLE_MARKERS = dict(zip(OPTIMIZERS, (MARKERS[0], MARKERS[1], MARKERS[2], MARKERS[3], MARKERS[4])))
STYLE_LINES = dict(zip(OPTIMIZERS, LINESTYLES[:5]))

RACE_SURFACES = ("ravine", "saddle", "several_minima", "rosenbrock", "bowl")

# Learning rates at multiplier 1: each optimizer's step is scaled differently (SGD's step is
# lr * g, the adaptive ones step about lr per weight whatever the size of g), so each gets its
# own. Rosenbrock's walls are ~100 times steeper, so its rates are smaller.
BASE_LR = {
    "default": {"SGD": 0.1, "momentum": 0.1, "RMSprop": 0.05, "AdaGrad": 0.5, "Adam": 0.1},
    "rosenbrock": {"SGD": 0.001, "momentum": 0.001, "RMSprop": 0.01, "AdaGrad": 0.1, "Adam": 0.05},
}
NETWORK_LR = {"SGD": 0.1, "momentum": 0.1, "RMSprop": 0.01, "AdaGrad": 0.1, "Adam": 0.01}

# Which entries of opt.state[p] hold the running mean of g (velocity) and of g^2, per optimizer.
VELOCITY_KEY = {"momentum": "momentum_buffer", "Adam": "exp_avg"}
SQUARE_KEY = {"RMSprop": "square_avg", "AdaGrad": "sum", "Adam": "exp_avg_sq"}

MAX_STEPS = 300
_FLOOR = 1e-10        # heights above the lowest point are drawn from here up (log scale)


def make_optimizer(name, params, lr):
    """The nnlearn optimizer called `name` (one of OPTIMIZERS) for `params` with learning rate `lr`."""
    if name == "SGD":
        return optim.SGD(params, lr=lr)
    if name == "momentum":
        return optim.SGD(params, lr=lr, momentum=0.9)
    if name == "RMSprop":
        return optim.RMSprop(params, lr=lr)
    if name == "AdaGrad":
        return optim.Adagrad(params, lr=lr)
    if name == "Adam":
        return optim.Adam(params, lr=lr)
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")


def learning_rates(surface_name, scale=1.0):
    """Each optimizer's learning rate on `surface_name`: its base rate times `scale`."""
    base = BASE_LR.get(surface_name, BASE_LR["default"])
    return {name: base[name] * scale for name in OPTIMIZERS}


def race(surface, scale=1.0, steps=MAX_STEPS):
    """Run the five optimizers on `surface` (a Surface or its name) from its start point.

    Returns {name: landscapes.Trajectory}; each trajectory's states hold the optimizer's state
    after every step (PyTorch's names), and diverged/message tell when a racer flew off.
    """
    surface = landscapes.get(surface) if isinstance(surface, str) else surface
    rates = learning_rates(surface.name, scale)
    return {name: landscapes.run(surface, lambda params, name=name: make_optimizer(name, params, rates[name]),
                                 steps=steps)
            for name in OPTIMIZERS}


def state_series(trajectory, key):
    """The state entry `key` after each step as an array (k, 2), or None if the optimizer has none."""
    if not trajectory.states or key not in trajectory.states[0]:
        return None
    return np.array([state[key] for state in trajectory.states], dtype=float).reshape(-1, 2)


def diverged_step(trajectory):
    """The step at which a racer diverged (as its message says), or None if it did not."""
    if not trajectory.diverged:
        return None
    found = re.search(r"at step (\d+)", trajectory.message)
    return int(found.group(1)) if found else trajectory.steps + 1


def optimizer_race(surface="ravine", optimizer="Adam", steps=150):
    """SGD, momentum, RMSprop, AdaGrad and Adam racing downhill on the same surface.

    Controls: surface, learning_rate (a multiplier on each optimizer's own base rate, log scale),
    steps, optimizer (whose state the right-hand panels show). Left: the five paths on the contour
    map; middle: height above the lowest point against the step (log-log); right: the chosen
    optimizer's velocity (running mean of g) and squared-gradient average, per weight.
    """
    controls = {
        "surface": widgets.Dropdown(options=[(landscapes.get(n).title.split(":")[0], n) for n in RACE_SURFACES],
                                    value=surface, description="surface"),
        "learning_rate": log_slider("learning_rate ×", 1.0, -2, 1, step=0.125),
        "steps": widgets.IntSlider(value=steps, min=1, max=MAX_STEPS, step=1, description="steps",
                                   continuous_update=True),
        "optimizer": widgets.Dropdown(options=list(OPTIMIZERS), value=optimizer, description="show state of"),
    }
    figure = new_figure(12, 5.0)[0]
    figure.clear()
    grid = figure.add_gridspec(2, 3, width_ratios=[1.25, 1, 1])
    ax_map = figure.add_subplot(grid[:, 0])
    ax_height = figure.add_subplot(grid[:, 1])
    ax_velocity = figure.add_subplot(grid[0, 2])
    ax_square = figure.add_subplot(grid[1, 2])

    paths = {name: PathArtists(ax_map, color=COLORS[name], marker=STYLE_MARKERS[name], label=name,
                               linestyle=STYLE_LINES[name]) for name in OPTIMIZERS}
    for path in paths.values():
        path.head.set_markersize(8)
    heights, ends = {}, {}
    for name in OPTIMIZERS:
        (heights[name],) = ax_height.plot([], [], color=COLORS[name], linestyle=STYLE_LINES[name],
                                          marker=STYLE_MARKERS[name], markevery=0.1, markersize=5,
                                          label=name, animated=True)
        (ends[name],) = ax_height.plot([], [], linestyle="none", marker="X", markersize=11,
                                       color=DIVERGED_COLOR, markeredgecolor="black", animated=True)
    ax_height.set_xscale("log")
    ax_height.set_yscale("log")
    ax_height.set_xlim(1, MAX_STEPS)
    label(ax_height, "Height above the lowest point", "step (log scale)", "f(x, y) - f(minimum)")
    rates_html = widgets.HTML()         # text in a widget, not the figure: drawing text is slow

    velocity_lines, square_lines = [], []
    for index, (axis_name, style) in enumerate((("x", "-"), ("y", "--"))):
        (line,) = ax_velocity.plot([], [], linestyle=style, linewidth=1.6, label=f"weight {axis_name}",
                                   animated=True)
        velocity_lines.append(line)
        (line,) = ax_square.plot([], [], linestyle=style, linewidth=1.6, label=f"weight {axis_name}",
                                 animated=True)
        square_lines.append(line)
    for ax in (ax_velocity, ax_square):
        ax.set_xscale("log")
        ax.set_xlim(1, MAX_STEPS)               # fixed: moving `steps` only redraws the lines
        # the lines take the chosen optimizer's colour; the legend tells the weights apart by style
        ax.legend(handles=[Line2D([], [], color="0.3", linestyle=style, label=f"weight {axis_name}")
                           for axis_name, style in (("x", "-"), ("y", "--"))], loc="upper right", fontsize=8)
    ax_velocity.set_ylim(-1, 1)
    ax_square.set_yscale("log")
    ax_square.set_ylim(1e-4, 1e2)
    label(ax_velocity, "Velocity (running mean of g)", "", "per weight (symlog)")
    label(ax_square, "Average of g² (AdaGrad: sum)", "step (log scale)", "per weight")
    velocity_note = ax_velocity.text(0.5, 0.5, "", transform=ax_velocity.transAxes, ha="center",
                                     va="center", fontsize=10, animated=True, color="0.3")
    square_note = ax_square.text(0.5, 0.5, "", transform=ax_square.transAxes, ha="center",
                                 va="center", fontsize=10, animated=True, color="0.3")

    lr_control = controls["learning_rate"]
    scales = 10.0 ** np.arange(lr_control.min, lr_control.max + 1e-9, lr_control.step)
    cache = {}
    shown = {"surface": None}
    drawn = {}

    def runs(name, scale):
        key = (name, round(math.log10(scale), 6))
        if key not in cache:
            if len(cache) > 400:
                cache.clear()
            cache[key] = race(name, scale, MAX_STEPS)
        return cache[key]

    def state_limits(surface_name):
        """Y limits of the state panels on this surface, shared by all optimizers and fixed over
        the whole learning-rate range: moving a control then never rescales (a full redraw)."""
        key = ("limits", surface_name)
        if key not in cache:
            reach, low, high = 0.0, np.inf, 0.0
            for scale in scales[::4]:           # every fourth position: a quarter of the work
                for name, trajectory in runs(surface_name, scale).items():
                    if trajectory.diverged:
                        continue
                    if name in VELOCITY_KEY:
                        reach = max(reach, float(np.abs(state_series(trajectory, VELOCITY_KEY[name])).max()))
                    if name in SQUARE_KEY:
                        square = state_series(trajectory, SQUARE_KEY[name])
                        square = square[square > 0]
                        if square.size:
                            low, high = min(low, float(square.min())), max(high, float(square.max()))
            velocity_limits = (-1.2 * reach, 1.2 * reach) if reach > 0 else (-1.0, 1.0)
            square_limits = (max(low / 3, high * 1e-12), high * 3) if high > 0 else (1e-4, 1.0)
            cache[key] = (velocity_limits, square_limits)
        return cache[key]

    def update():
        surface_obj = landscapes.get(controls["surface"].value)
        scale = float(controls["learning_rate"].value)
        steps_shown = int(controls["steps"].value)
        chosen = controls["optimizer"].value
        if shown["surface"] != surface_obj.name:
            if drawn:
                clear_surface(ax_map, drawn)
                drawn.clear()
            drawn.update(plot_surface(ax_map, surface_obj, levels=14, resolution=100))
            velocity_limits, square_limits = state_limits(surface_obj.name)
            # symmetric log scale: a velocity of 0.01 and one of 100 both stay readable
            ax_velocity.set_yscale("symlog", linthresh=velocity_limits[1] / 100)
            ax_velocity.set_ylim(*velocity_limits)
            top = 10.0 ** math.floor(math.log10(velocity_limits[1] / 1.2))
            ax_velocity.set_yticks([-top, -top / 10, 0, top / 10, top])
            ax_square.set_ylim(*square_limits)
            if not figure.legends:             # outside the axes, so no path ever hides it
                handles = [heights[name] for name in OPTIMIZERS] + [drawn["minima"], drawn["start"]]
                figure.legend(handles=handles, loc="outside lower center", ncols=7, fontsize=9)
            lowest = min(float(surface_obj(*m)) for m in surface_obj.minima)
            shown["lowest"] = lowest
            _, _, Z = surface_obj.grid(60)
            ax_height.set_ylim(_FLOOR, 10 * (float(Z.max()) - lowest))
            shown["surface"] = surface_obj.name
        results = runs(surface_obj.name, scale)
        rates = learning_rates(surface_obj.name, scale)
        lowest = shown["lowest"]
        problems = []
        for name in OPTIMIZERS:
            trajectory = results[name]
            k = min(steps_shown, trajectory.steps)
            points = trajectory.points[:k + 1]
            when = diverged_step(trajectory)
            diverged_now = when is not None and when <= steps_shown
            paths[name].update(points, diverged_at=when if diverged_now else None,
                               note=f"{name} diverged at step {when}" if diverged_now else None)
            if diverged_now and problems:          # one note is enough; the others would overlap it
                paths[name].note.set_visible(False)
            paths[name].line.set_linewidth(3.0 if name == chosen else 1.4)
            values = np.maximum(trajectory.values[1:k + 1] - lowest, _FLOOR)
            heights[name].set_data(np.arange(1, k + 1), values)
            heights[name].set_linewidth(2.8 if name == chosen else 1.4)
            if diverged_now:
                ends[name].set_data([max(k, 1)], [ax_height.get_ylim()[1] / 3])
                problems.append(f"{name} diverged at step {when}")
            else:
                ends[name].set_data([], [])
        rates_html.value = "learning rates: " + ", ".join(f"{n} <b>{rates[n]:.3g}</b>" for n in OPTIMIZERS)

        trajectory = results[chosen]
        k = min(steps_shown, trajectory.steps)
        steps_axis = np.arange(1, k + 1)
        velocity = state_series(trajectory, VELOCITY_KEY[chosen]) if chosen in VELOCITY_KEY else None
        square = state_series(trajectory, SQUARE_KEY[chosen]) if chosen in SQUARE_KEY else None
        for index, line in enumerate(velocity_lines):
            line.set_color(COLORS[chosen])
            if velocity is None or k == 0:
                line.set_data([], [])
            else:
                line.set_data(steps_axis, velocity[:k, index])
        for index, line in enumerate(square_lines):
            line.set_color(COLORS[chosen])
            if square is None or k == 0:
                line.set_data([], [])
            else:
                line.set_data(steps_axis, np.maximum(square[:k, index], 1e-300))
        velocity_note.set_text("" if velocity is not None else f"{chosen} keeps no velocity:\nit steps along g itself")
        square_note.set_text("" if square is not None else f"{chosen} keeps no g² average:\none learning rate for every weight")
        if problems:
            raise AppMessage("; ".join(problems) + ": each step overshot by more than the last. Lower the learning rate.")

    return App(controls, figure, update, extra=(rates_html,), title="Optimizer race on a loss surface")


# ---------------------------------------------------------------------------------------------
# The same race on a real network


NETWORK_SCALES = tuple(10.0 ** e for e in np.arange(-1.0, 1.51, 0.5))   # 6 learning-rate multipliers


def network_model(seed=0):
    """The small network every racer trains: 2 -> 16 -> 16 -> 2 with ReLU, same weights for a seed."""
    rng = np.random.default_rng(seed)
    return Sequential(Linear(2, 16, rng=rng), ReLU(), Linear(16, 16, rng=rng), ReLU(), Linear(16, 2, rng=rng))


def train_race(X, y, scale=1.0, epochs=50, seed=0, grid=None):
    """Train network_model(seed) with each optimizer (full batch) at its NETWORK_LR times `scale`.

    Returns {name: (History, grid_logits or None)}; with grid (M, 2) the trained network's logits
    on it (for a decision boundary).
    """
    from threadpoolctl import threadpool_limits

    results = {}
    with threadpool_limits(limits=1, user_api="blas"):      # tiny matrices: threads only add overhead
        for name in OPTIMIZERS:
            model = network_model(seed)
            optimizer = make_optimizer(name, model.parameters(), NETWORK_LR[name] * scale)
            history = fit(model, CrossEntropyLoss(), optimizer, X, y, epochs=epochs, batch_size=None)
            logits = None
            if grid is not None and not history.diverged:
                with np.errstate(all="ignore"):
                    logits = model(grid)
            results[name] = (history, logits)
    return results


def network_race(optimizer="Adam", epochs=50, n=200, seed=0):
    """The five optimizers train the same network (same initial weights) on the moons dataset.

    Controls: learning_rate (a multiplier on each optimizer's own base rate; the results for the
    six slider positions are computed when the app is created), optimizer (whose decision
    boundary is shown). Left: training loss against epoch (full batch: one step per epoch);
    right: the chosen optimizer's decision boundary after the last epoch.
    """
    X, y = moons(n=n, noise=0.2, rng=seed)
    lim = 2.6
    xs = np.linspace(-lim, lim, 70)
    GX, GY = np.meshgrid(xs, xs)
    grid = np.column_stack([GX.ravel(), GY.ravel()])
    bar = progress_bar(len(NETWORK_SCALES), "training 5 networks per learning rate")
    results = {}
    for index, scale in enumerate(NETWORK_SCALES):
        results[index] = train_race(X, y, scale, epochs, seed, grid)
        bar.value = index + 1
    bar.close()

    exponents = [round(math.log10(s), 6) for s in NETWORK_SCALES]
    controls = {
        "learning_rate": log_slider("learning_rate ×", 1.0, exponents[0], exponents[-1], step=0.5),
        "optimizer": widgets.Dropdown(options=list(OPTIMIZERS), value=optimizer, description="boundary of"),
    }
    figure, (ax_loss, ax_boundary) = new_figure(11, 4.5, ncols=2)
    curves, flags = {}, {}
    for name in OPTIMIZERS:
        (curves[name],) = ax_loss.plot([], [], color=COLORS[name], linestyle=STYLE_LINES[name],
                                       marker=STYLE_MARKERS[name], markevery=0.1, markersize=5,
                                       linewidth=1.6, label=name, animated=True)
        (flags[name],) = ax_loss.plot([], [], linestyle="none", marker="X", markersize=12,
                                      color=DIVERGED_COLOR, markeredgecolor="black", animated=True)
    ax_loss.set_xlim(0, epochs + 1)
    ax_loss.set_yscale("log")
    ax_loss.set_ylim(0.01, 5)
    label(ax_loss, "Training loss, same network and start", "epoch (one full-batch step)", "cross-entropy loss")
    rates_html = widgets.HTML()
    image = ax_boundary.imshow(np.zeros((len(xs), len(xs))), extent=(-lim, lim, -lim, lim), origin="lower",
                               cmap=CLASS_CMAP + "_r", vmin=-0.2, vmax=1.2, alpha=0.6, animated=True,
                               interpolation="bilinear", aspect="auto")
    points = [ax_boundary.scatter(*X[y == cls].T, s=16, marker=MARKERS[cls], color=PALETTE[4 if cls == 0 else 0],
                                  edgecolor="black", linewidth=0.5, label=f"class {cls}", zorder=3,
                                  animated=True)          # drawn over the animated regions
              for cls in (0, 1)]
    ax_boundary.set_xlim(-lim, lim)
    ax_boundary.set_ylim(-lim, lim)
    figure.legend(handles=[curves[name] for name in OPTIMIZERS] + points, loc="outside lower center",
                  ncols=7, fontsize=9)
    label(ax_boundary, "Decision regions of the optimizer chosen", "feature 1", "feature 2")

    def update():
        scale = float(controls["learning_rate"].value)
        index = int(np.argmin([abs(math.log10(scale) - e) for e in exponents]))
        chosen = controls["optimizer"].value
        run = results[index]
        problems = []
        for name in OPTIMIZERS:
            history, _ = run[name]
            losses = np.asarray(history.epoch_loss, dtype=float)
            curves[name].set_data(np.arange(1, len(losses) + 1), np.clip(losses, 0.011, 4.9))
            curves[name].set_linewidth(3.0 if name == chosen else 1.5)
            if history.diverged:
                flags[name].set_data([len(losses) + 1], [3.5])
                problems.append(f"{name} diverged at epoch {len(losses) + 1}")
            else:
                flags[name].set_data([], [])
        rates_html.value = "learning rate, final loss: " + "; ".join(
            f"{n} <b>{NETWORK_LR[n] * NETWORK_SCALES[index]:.3g}</b>, "
            + (f"{run[n][0].epoch_loss[-1]:.3f}" if run[n][0].epoch_loss and not run[n][0].diverged else "diverged")
            for n in OPTIMIZERS)
        history, logits = run[chosen]
        if logits is None:
            image.set_data(np.full((len(xs), len(xs)), 0.5))
            rates_html.value += f"<br>{chosen} diverged: no decision regions to show."
        else:
            shifted = logits - logits.max(axis=1, keepdims=True)
            probability = np.exp(shifted[:, 1]) / np.exp(shifted).sum(axis=1)
            image.set_data(probability.reshape(len(xs), len(xs)))
        if problems:
            raise AppMessage("; ".join(problems) + ": the loss stopped being finite. Lower the learning rate.")

    return App(controls, figure, update, extra=(rates_html,), title="Optimizer race on a network (moons)")
