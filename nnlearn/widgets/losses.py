"""Lesson 02: what a loss rewards and punishes, and why classification uses cross-entropy.

- `loss_explorer()`: MSE, cross-entropy and Huber, each loss and its gradient against the miss
  (the basketball coach: how the correction grows with the miss, for each loss).
- `sigmoid_learning()`: one sigmoid neuron started badly wrong, trained under MSE and under
  cross-entropy (Nielsen, ch. 3): MSE's gradient carries the factor sigma'(z), which is tiny
  when the neuron is saturated, so it learns slowly exactly when it is most wrong.

The regression apps are in `regression.py`, the diagnosis app in `diagnosis.py`.
"""

import ipywidgets as widgets
import numpy as np

from ..losses import BCEWithLogitsLoss, MSELoss
from ..nn import Linear, Sequential, Sigmoid
from ..optim import SGD
from ..plots import MARKERS, label, new_figure
from ..plots.style import nice_ceiling
from ..plots.functions import LOSS_STYLE, LOSSES, loss_curves, pointwise_loss
from .app import App, log_slider, slider_neighbours
from .lru import LRUCache
from ..train import train_step

MISS_LIMITS = (-4.0, 4.0)
LOSS_FLOOR, GRADIENT_FLOOR = 6.0, 4.0      # the smallest axis ranges; they grow with the marked values


def slider(description, value, low, high, step, fmt=".2f", width="440px"):
    """A float slider with a short label and a track of at least 250 px."""
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=description,
                               continuous_update=True, readout_format=fmt,
                               style={"description_width": "initial"}, layout=widgets.Layout(width=width))


def toggles(options, value, description, button_width="120px"):
    """Toggle buttons wide enough for their longest label."""
    return widgets.ToggleButtons(options=list(options), value=value, description=description,
                                 style={"button_width": button_width, "description_width": "initial"})


def axis_limits(values, floor, headroom=1.15):
    """The top of an axis that holds every marked value with some headroom, and at least `floor`:
    the next round number (`nice_ceiling`), so that the axis changes (and the whole figure is
    redrawn) only when a value crosses one, not on every move."""
    need = headroom * max(abs(v) for v in values)
    return float(floor) if need <= floor else nice_ceiling(need)


# --------------------------------------------------------------------------------------------
# Loss and gradient against the miss
# --------------------------------------------------------------------------------------------

def loss_explorer():
    """Loss (left) and gradient (right) against the miss for MSE, cross-entropy and Huber.

    Controls: `loss` highlights one of them, `miss` marks a point on every curve, `delta` is
    Huber's switch from squared to linear. For MSE and Huber the miss is prediction - target;
    for (binary) cross-entropy it is measured on the logit: how far the logit sits on the wrong
    side (d = -logit for target 1). The gradient is dloss/dmiss, the correction. The vertical
    axes grow so that every marked value stays inside them (never pinned at an edge).
    """
    controls = {
        "loss": toggles(LOSSES, "MSE", "loss"),
        "miss": slider("miss d", 1.5, *MISS_LIMITS, 0.05),
        "delta": slider("Huber δ", 1.0, 0.1, 3.0, 0.05),
    }
    figure, (ax_loss, ax_gradient) = new_figure(10.0, 3.6, ncols=2)
    miss = np.linspace(*MISS_LIMITS, 401)
    lines = loss_curves(ax_loss, ax_gradient, miss, delta=controls["delta"].value, animated=True)
    markers = {
        name: tuple(ax.plot([], [], marker=MARKERS[i], linestyle="none", markeredgecolor="black",
                            color=LOSS_STYLE[name]["color"], animated=True, zorder=5)[0]
                    for ax in (ax_loss, ax_gradient))
        for i, name in enumerate(LOSSES)
    }
    guides = [ax.axvline(0, color="black", linestyle=":", linewidth=1, animated=True)
              for ax in (ax_loss, ax_gradient)]
    for ax in (ax_loss, ax_gradient):
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xlim(*MISS_LIMITS)
    # A static legend made of proxies (the real lines are animated, so they stay out of it).
    proxies = [ax_loss.plot([], [], marker=MARKERS[i], markeredgecolor="black", linewidth=2, label=name,
                            **LOSS_STYLE[name])[0] for i, name in enumerate(LOSSES)]
    ax_loss.legend(handles=proxies, loc="upper center", fontsize=9)
    label(ax_loss, "Loss: how bad is the miss?", "miss d (cross-entropy: logit on the wrong side)", "loss")
    label(ax_gradient, "Gradient: how big is the correction?", "miss d (cross-entropy: logit on the wrong side)",
          "gradient dloss/dd")
    readout = widgets.HTML()

    def update(app):
        chosen, d, delta = controls["loss"].value, controls["miss"].value, controls["delta"].value
        values = {name: tuple(float(v) for v in pointwise_loss(name, d, delta)) for name in LOSSES}
        # Axes follow the marked values: a full redraw only when a limit changes.
        loss_top = axis_limits([v[0] for v in values.values()], LOSS_FLOOR)
        gradient_top = axis_limits([v[1] for v in values.values()], GRADIENT_FLOOR)
        if ax_loss.get_ylim() != (-0.2, loss_top):
            ax_loss.set_ylim(-0.2, loss_top)
        if ax_gradient.get_ylim() != (-gradient_top, gradient_top):
            ax_gradient.set_ylim(-gradient_top, gradient_top)
        rows = []
        for name in LOSSES:
            loss_line, gradient_line = lines[name]
            loss_curve, gradient_curve = pointwise_loss(name, miss, delta)
            loss_line.set_ydata(loss_curve)
            gradient_line.set_ydata(gradient_curve)
            focus = name == chosen
            for line in (loss_line, gradient_line):
                line.set_linewidth(3.2 if focus else 1.4)
                line.set_alpha(1.0 if focus else 0.35)
                line.set_zorder(3 if focus else 2)
            loss, gradient = values[name]
            for marker, value in zip(markers[name], (loss, gradient)):
                marker.set_data([d], [value])
                marker.set_markersize(10 if focus else 6)
                marker.set_alpha(1.0 if focus else 0.5)
            row = f"<td>{name}</td><td>{loss:.3f}</td><td>{gradient:+.3f}</td>"
            rows.append(f"<tr style='font-weight:bold'>{row}</tr>" if focus else f"<tr>{row}</tr>")
        for guide in guides:
            guide.set_xdata([d, d])
        p_right = 1 / (1 + np.exp(d))
        readout.value = (
            f"<table><tr><th>miss d = {d:+.2f}</th><th>loss</th><th>gradient</th></tr>{''.join(rows)}</table>"
            f"<small>For cross-entropy, d = {d:+.2f} on the logit means the model gives the right class "
            f"probability {p_right:.3f}.</small>"
        )

    return App(controls, figure, update, extra=[readout],
               title="The basketball coach: how the correction grows with the miss")


# --------------------------------------------------------------------------------------------
# One sigmoid neuron, badly wrong, under MSE and under cross-entropy
# --------------------------------------------------------------------------------------------

SIGMOID_STEPS = 300


def sigmoid_neuron_run(loss, start, lr, steps=SIGMOID_STEPS):
    """Train a = sigmoid(w x + b) on the single example x = 1, target 0, from w = b = start.

    loss: "MSE" (nl.MSELoss on the output a) or "cross-entropy" (nl.BCEWithLogitsLoss on the
    logit z, which is the same as cross-entropy on a). SGD, full batch, `steps` updates.
    Returns {"output": (steps + 1,) a before each update and after the last, "loss": (steps,),
    "grad_b": (steps,) dL/db used by each update}.
    """
    X, y = np.array([[1.0]]), np.array([[0.0]])
    layer = Linear(1, 1)
    layer.weight.data[...] = start
    layer.bias.data[...] = start
    if loss == "MSE":
        model, loss_fn, to_output = Sequential(layer, Sigmoid()), MSELoss(), lambda out: out
    elif loss == "cross-entropy":
        model, loss_fn = Sequential(layer), BCEWithLogitsLoss()
        to_output = lambda out: 0.5 * (1 + np.tanh(0.5 * out))                # sigmoid of the logit
    else:
        raise ValueError(f"loss must be 'MSE' or 'cross-entropy', got {loss!r}")
    optimizer = SGD(model.parameters(), lr=lr)
    outputs, losses, grads = [], [], []
    for _ in range(steps):
        outputs.append(float(to_output(model(X))[0, 0]))
        losses.append(train_step(model, loss_fn, optimizer, X, y))
        grads.append(float(layer.bias.grad[0]))
    outputs.append(float(to_output(model(X))[0, 0]))
    return {"output": np.array(outputs), "loss": np.array(losses), "grad_b": np.array(grads)}


def first_below(outputs, level=0.5):
    """The number of updates after which the output first drops below `level` (None if never)."""
    below = np.flatnonzero(np.asarray(outputs) < level)
    return int(below[0]) if below.size else None


def sigmoid_learning():
    """One sigmoid neuron (x = 1, target 0) started at w = b = `start`, trained with SGD at
    `learning_rate` for 300 updates under MSE and under cross-entropy.

    Left: the output a after each update. Right: |dL/db|, the size of each correction (log
    scale). MSE's is 2 (a - y) sigma'(z): when a is near 1, sigma'(z) = a (1 - a) is near 0 and the
    neuron barely moves. Cross-entropy's is a - y: largest when the neuron is most wrong.
    """
    controls = {
        "start": slider("start w = b", 2.0, -1.0, 3.0, 0.1, fmt=".1f"),
        "learning_rate": log_slider("learning rate", 0.15, -2, 0, step=0.05,
                                    layout=widgets.Layout(width="440px")),
    }
    names = ("MSE", "cross-entropy")
    figure, (ax_out, ax_grad) = new_figure(10.0, 3.4, ncols=2)
    steps = np.arange(SIGMOID_STEPS + 1)
    output_lines = {name: ax_out.plot([], [], linewidth=2, label=name, animated=True, **LOSS_STYLE[name])[0]
                    for name in names}
    grad_lines = {name: ax_grad.plot([], [], linewidth=2, label=name, animated=True, **LOSS_STYLE[name])[0]
                  for name in names}
    for ax in (ax_out, ax_grad):
        proxies = [ax.plot([], [], linewidth=2, label=name, **LOSS_STYLE[name])[0]   # the lines are animated
                   for name in names]
        ax.legend(handles=proxies, loc="upper right" if ax is ax_out else "lower left", fontsize=9)
        ax.set_xlim(0, SIGMOID_STEPS)
    ax_out.axhline(0.0, color="black", linewidth=0.8)
    ax_out.axhline(0.5, color="black", linestyle=":", linewidth=1)
    ax_out.set_ylim(-0.02, 1.02)
    label(ax_out, "Output a (target 0)", "update", "output a = σ(w + b)")
    ax_grad.set_yscale("log")
    ax_grad.set_ylim(1e-4, 3.0)
    label(ax_grad, "Size of the correction |dL/db|", "update", "|dL/db| (log scale)")
    readout = widgets.HTML()
    cache = LRUCache(max_bytes=4_000_000)                    # (start, lr) -> runs: a slider revisits

    def runs_at(start, lr):
        return cache.fetch((round(start, 6), round(lr, 9)),
                           lambda: {name: sigmoid_neuron_run(name, start, lr) for name in names})

    def update(app):
        start, lr = controls["start"].value, controls["learning_rate"].value
        runs = runs_at(start, lr)
        # while the learner looks, the runs one step of `start` either side (App.when_idle)
        for neighbour in slider_neighbours(controls["start"], start):
            app.when_idle(runs_at, neighbour, lr)
        parts = []
        for name, run in runs.items():
            output_lines[name].set_data(steps, run["output"])
            grad_lines[name].set_data(steps[:-1], np.maximum(np.abs(run["grad_b"]), 1e-12))
            below = first_below(run["output"])
            when = f"below 0.5 after {below} update{'s' if below != 1 else ''}" if below is not None \
                else f"still above 0.5 after {SIGMOID_STEPS} updates"
            parts.append(f"<b>{name}</b>: first correction |dL/db| = {abs(run['grad_b'][0]):.3f}, "
                         f"output {when}, {run['output'][-1]:.3f} at the end")
        readout.value = (f"Start: a = {runs['MSE']['output'][0]:.3f} (target 0). " + "; ".join(parts) + ".")

    return App(controls, figure, update, extra=[readout],
               title="Why not MSE for a classifier: a saturated sigmoid learns slowly under MSE")
