"""Backpropagation: apps for lesson 03.

- `backprop_explorer()`: the chain rule walked backwards through a 2-3-1 network, one stage per
  position of the `step` slider: the loss's gradient arrives at the output, each layer multiplies
  it by its local derivative and passes it on, and every weight gets its gradient (the cookie
  recipe: what a pinch more of each ingredient, each weight, would do to the loss). Beside it, the gradient check:
  backprop against centred finite differences, with the relative error per parameter.
The cost app (finite differences against backprop as the network grows) is in backprop_counts.py
(not backprop_cost.py: that name is the app function exported from nnlearn.widgets).
"""

import html

import numpy as np
import ipywidgets as widgets
from matplotlib.collections import PolyCollection

from ..gradcheck import numerical_gradient, relative_error
from ..losses import MSELoss
from ..models import mlp
from ..plots import PALETTE, label, new_figure
from ..plots.diagrams import NetworkDiagram
from .app import App
from .lru import lru_cached

_DERIVATIVE_NAME = {"sigmoid": "σ'(z) = h(1 − h)", "tanh": "tanh'(z) = 1 − h²", "relu": "relu'(z) = 1 if z > 0 else 0"}

STAGES = (
    "0 · forward pass",
    "1 · loss gradient",
    "2 · output layer",
    "3 · activation",
    "4 · first layer",
)


def _example_network(activation="sigmoid", seed=0):
    """A 2-3-1 network with weights rounded to one decimal, one example and its target, so that
    every number in the backward pass can be checked by hand. Returns (model, x, y)."""
    rng = np.random.default_rng(seed)
    model = mlp([2, 3, 1], activation=activation, rng=rng)
    for param in model.parameters():
        param.data[...] = np.round(rng.uniform(-1, 1, size=param.data.shape), 1)
    x = np.round(rng.uniform(-2, 2, size=(1, 2)), 1)
    x[x == 0] = 0.5
    y = np.array([[1.0]])
    return model, x, y


@lru_cached(max_bytes=1_000_000)          # a few kB a walk: 2 activations x 5 seeds fit many times over
def backward_walk(activation="sigmoid", seed=0):
    """Every number of one forward and backward pass through the example network, by layer.

    Returns a dict: x (2,), z and h (3,), y_hat, target, loss, grad_y_hat, grad_W2 (3,), grad_b2,
    grad_h (3,), local (3,) = f'(z), grad_z (3,), grad_W1 (2, 3), grad_b1 (3,), grad_x (2,), and
    the gradient check: names (13,), backprop (13,), numeric (13,), errors (13,).
    """
    model, x, y = _example_network(activation, seed)
    first, act, second = model.layers
    loss_fn = MSELoss()
    z = first(x)
    h = act(z)
    y_hat = second(h)
    loss = loss_fn(y_hat, y)
    model.zero_grad()
    grad_y_hat = loss_fn.backward()                    # dL/dŷ = 2 (ŷ - y)
    grad_h = second.backward(grad_y_hat)               # fills dL/dW2, dL/db2
    grad_z = act.backward(grad_h)                      # times f'(z)
    grad_x = first.backward(grad_z)                    # fills dL/dW1, dL/db1
    walk = dict(
        x=x[0], z=z[0], h=h[0], y_hat=float(y_hat[0, 0]), target=float(y[0, 0]), loss=loss,
        grad_y_hat=float(grad_y_hat[0, 0]), grad_W2=second.weight.grad[:, 0].copy(),
        grad_b2=float(second.bias.grad[0]), grad_h=grad_h[0], local=np.asarray(act.derivative(z, h), dtype=float)[0],
        grad_z=grad_z[0], grad_W1=first.weight.grad.copy(), grad_b1=first.bias.grad.copy(), grad_x=grad_x[0],
        W1=first.weight.data.copy(), b1=first.bias.data.copy(), W2=second.weight.data[:, 0].copy(),
        b2=float(second.bias.data[0]),
    )
    names, analytic, numeric = [], [], []
    for layer_name, layer in (("W1", first), ("W2", second)):
        b_name = "b" + layer_name[1]
        for name, param in ((layer_name, layer.weight), (b_name, layer.bias)):
            grad = numerical_gradient(lambda _: loss_fn(model(x), y), param.data)
            for index in np.ndindex(param.data.shape):
                names.append(f"{name}[{','.join(map(str, index))}]" if name.startswith("W") else f"{name}[{index[0]}]")
                analytic.append(float(param.grad[index]))
                numeric.append(float(grad[index]))
    analytic, numeric = np.array(analytic), np.array(numeric)
    errors = np.array([relative_error(a, n) for a, n in zip(analytic, numeric)])
    walk.update(names=names, backprop=analytic, numeric=numeric, errors=errors)
    return walk


# Seeds of the example networks behind the `network` slider: chosen so that, with every activation,
# the largest gradient lies between 0.25 and 2.4 (the bars fit one fixed scale) and no neuron sits
# on the kink of ReLU (z = 0 exactly, where finite differences and backprop disagree).
NETWORK_SEEDS = (3, 5, 6, 15, 17, 19, 29, 34, 38, 39)
GRADIENT_LIMIT = 2.5

# Which parameters (indices into walk["names"]: W1 0-5, b1 6-8, W2 9-11, b2 12) each stage has computed.
_KNOWN = {0: [], 1: [], 2: list(range(9, 13)), 3: list(range(9, 13)), 4: list(range(13))}


class _Bars:
    """A bar chart as one animated PolyCollection: one draw call per move instead of one per bar."""

    def __init__(self, ax, positions, bottom=0.0, width=0.8, facecolor=PALETTE[2], label=None):
        self.positions, self.bottom, self.half = np.asarray(positions, dtype=float), bottom, width / 2
        self.collection = PolyCollection(self._verts(np.full(len(positions), bottom)), facecolors=facecolor,
                                         edgecolors="black", linewidths=0.6, label=label, animated=True, zorder=2)
        ax.add_collection(self.collection)

    def _verts(self, tops):
        x, h, b = self.positions, self.half, self.bottom
        return [[(xi - h, b), (xi - h, t), (xi + h, t), (xi + h, b)] for xi, t in zip(x, tops)]

    def set_tops(self, tops):
        self.tops = np.asarray(tops, dtype=float)
        self.collection.set_verts(self._verts(self.tops))


def _stage_text(stage, walk, activation):
    """What happens at this stage, in words and with one worked number."""
    g = walk["grad_y_hat"]
    h, W2 = walk["h"], walk["W2"]
    x = walk["x"]
    if stage == 0:
        return ("<b>Forward pass.</b> The input flows right: z = x W1 + b1, h = f(z), ŷ = h W2 + b2, "
                f"and the loss L = (ŷ − y)² = ({walk['y_hat']:.3f} − {walk['target']:.0f})² = {walk['loss']:.4f}. "
                "Every layer keeps what it saw; backward needs it.")
    if stage == 1:
        return ("<b>The loss's gradient arrives.</b> ∂L/∂ŷ = 2(ŷ − y) = "
                f"2 × ({walk['y_hat']:.3f} − {walk['target']:.0f}) = {g:+.4f}: "
                + ("the prediction is too high, so pushing ŷ down lowers the loss." if g > 0 else
                   "the prediction is too low, so pushing ŷ up lowers the loss."))
    if stage == 2:
        return ("<b>Output layer: ŷ = h W2 + b2.</b> Each weight's gradient is its input times the "
                f"gradient arriving: ∂L/∂W2[0] = h₀ × ∂L/∂ŷ = {h[0]:.3f} × {g:+.4f} = {h[0] * g:+.4f}; "
                f"∂L/∂b2 = ∂L/∂ŷ = {g:+.4f}. Passed back to the hidden layer: "
                f"∂L/∂h₀ = W2[0] × ∂L/∂ŷ = {W2[0]:+.1f} × {g:+.4f} = {W2[0] * g:+.4f}.")
    if stage == 3:
        return (f"<b>Through the activation.</b> Local derivative {_DERIVATIVE_NAME[activation]}; "
                f"∂L/∂z₀ = ∂L/∂h₀ × f'(z₀) = {walk['grad_h'][0]:+.4f} × {walk['local'][0]:.4f} = "
                f"{walk['grad_z'][0]:+.4f}. No weights here, only the chain rule.")
    return ("<b>First layer: z = x W1 + b1.</b> Same rule as the output layer: "
            f"∂L/∂W1[0,0] = x₀ × ∂L/∂z₀ = {x[0]:+.1f} × {walk['grad_z'][0]:+.4f} = {x[0] * walk['grad_z'][0]:+.4f}. "
            "Every weight now has its gradient, from one backward pass: "
            "the gradient check on the right agrees with finite differences.")


def _table_html(walk, known):
    rows = []
    for i, name in enumerate(walk["names"]):
        if i in known:
            bp, err = f"{walk['backprop'][i]:+.6f}", f"{walk['errors'][i]:.1e}"
        else:
            bp, err = "…", "…"
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{bp}</td><td>{walk['numeric'][i]:+.6f}</td><td>{err}</td></tr>")
    return ("<table style='font-size:11px;border-collapse:collapse' cellpadding='2'>"
            "<tr><th>parameter</th><th>backprop</th><th>finite diff.</th><th>rel. error</th></tr>"
            + "".join(rows) + "</table>")


def backprop_explorer(activation="sigmoid", network=0):
    """The backward pass of a 2-3-1 network, one layer at a time, with a gradient check.

    Controls: step (forward pass, loss gradient, output layer, activation, first layer),
    activation (sigmoid, tanh, relu), network (another set of weights and input).
    Top: the network with the forward values in the neurons and the gradients under them, the
    weights coloured by the sign of their gradient (orange +, blue −) and drawn wider the larger
    it is. Bottom left: every parameter's gradient, backprop (bars) against finite differences (×);
    bottom right: their relative error (log scale). The table under the controls lists the same numbers.
    """
    step_control = widgets.SelectionSlider(options=[(name, i) for i, name in enumerate(STAGES)], value=0,
                                           description="step", continuous_update=True,
                                           layout=widgets.Layout(width="380px"))
    activation_control = widgets.Dropdown(options=list(_DERIVATIVE_NAME), value=activation, description="activation")
    seed_control = widgets.IntSlider(value=network, min=0, max=len(NETWORK_SEEDS) - 1, description="network",
                                     continuous_update=True)
    controls = {"step": step_control, "activation": activation_control, "network": seed_control}
    stage_html = widgets.HTML(layout=widgets.Layout(width="55%"))
    table_html = widgets.HTML()
    extra = [widgets.HBox([stage_html, table_html])]

    # The network on top, the two charts under it: in three columns side by side the figure was
    # 1000 px wide and shrank to 60 % in a notebook at 1024 px, its labels too small to read.
    figure, _ = new_figure(8.6, 7.2)
    figure.clear()
    panels = figure.subplot_mosaic([["net", "net"], ["grad", "err"]], height_ratios=[1.35, 1.0])
    ax_net, ax_grad, ax_err = panels["net"], panels["grad"], panels["err"]
    diagram = NetworkDiagram(ax_net, (2, 3, 1, 1), names=("input x", "hidden h = f(z)", "output ŷ", "loss L"),
                             node_size=900, fontsize=9)
    ax_net.set_title("Backward pass, layer by layer")
    ax_net.text(0.5, 0.005, "weight lines: orange = gradient > 0, blue = gradient < 0, wider = larger",
                transform=ax_net.transAxes, ha="center", va="bottom", fontsize=8, color="0.3")

    names = backward_walk(activation, NETWORK_SEEDS[network])["names"]
    positions = np.arange(len(names))
    bars = _Bars(ax_grad, positions, bottom=0.0, facecolor=PALETTE[2], label="backprop")
    (numeric_marks,) = ax_grad.plot([], [], linestyle="none", marker="x", markersize=8, color="black",
                                    markeredgewidth=1.6, label="finite differences", animated=True)
    ax_grad.axhline(0, color="black", linewidth=0.8)
    ax_grad.set_xlim(-0.7, len(names) - 0.3)
    ax_grad.set_ylim(-GRADIENT_LIMIT, GRADIENT_LIMIT)        # fixed: a move only repaints the bars
    ax_grad.set_xticks(positions, names, rotation=90, fontsize=8)
    ax_grad.legend(loc="upper right", fontsize=8)
    label(ax_grad, "Each parameter's gradient: the loss's sensitivity to it", "parameter", "gradient ∂L/∂w")

    floor = 1e-16
    error_bars = _Bars(ax_err, positions, bottom=floor, facecolor=PALETTE[6])
    ax_err.set_yscale("log")
    ax_err.set_ylim(floor, 1.0)
    ax_err.set_xlim(-0.7, len(names) - 0.3)
    ax_err.axhline(1e-6, color=PALETTE[5], linestyle="--", linewidth=1.2, label="1e-6: above it, suspect a bug")
    ax_err.set_xticks(positions, names, rotation=90, fontsize=8)
    ax_err.legend(loc="upper right", fontsize=8)
    label(ax_err, "Gradient check: relative error", "parameter", "|backprop − numeric| / (|b| + |n|)")

    def fmt(value):
        return f"{value:+.3f}"

    def update(app):
        stage, act = int(step_control.value), activation_control.value
        walk = backward_walk(act, NETWORK_SEEDS[int(seed_control.value)])
        known = _KNOWN[stage]
        # forward values in the neurons, always
        diagram.set_node_text(0, [f"{v:+.1f}" for v in walk["x"]])
        diagram.set_node_text(1, [f"{v:.3f}" for v in walk["h"]])
        diagram.set_node_text(2, [f"{walk['y_hat']:.3f}"])
        diagram.set_node_text(3, [f"{walk['loss']:.3f}"])
        # gradients under the neurons, as far as the backward pass has come
        diagram.set_node_text(3, [f"y = {walk['target']:.0f}"], below=True, color="black")
        diagram.set_node_text(2, [f"∂L/∂ŷ={fmt(walk['grad_y_hat'])}" if stage >= 1 else ""], below=True,
                              color=PALETTE[5])
        if stage == 2:
            hidden = [f"∂L/∂h={fmt(v)}" for v in walk["grad_h"]]
        elif stage >= 3:
            hidden = [f"∂L/∂h={fmt(gh)}\n×f'(z)={d:.3f}\n∂L/∂z={fmt(gz)}"
                      for gh, d, gz in zip(walk["grad_h"], walk["local"], walk["grad_z"])]
        else:
            hidden = ["", "", ""]
        diagram.set_node_text(1, hidden, below=True, color=PALETTE[5])
        diagram.set_node_text(0, [f"∂L/∂x={fmt(v)}" for v in walk["grad_x"]] if stage >= 4 else ["", ""],
                              below=True, color=PALETTE[5])
        scale = max(np.max(np.abs(walk["grad_W1"])), np.max(np.abs(walk["grad_W2"])))
        diagram.set_edge_values(1, walk["grad_W2"] if stage >= 2 else None, scale=scale)
        diagram.set_edge_values(0, walk["grad_W1"] if stage >= 4 else None, scale=scale)
        diagram.highlight({0: None, 1: 2.5, 2: 1.5, 3: 1.0, 4: 0.5}[stage])
        # gradient check: finite differences know every answer; backprop fills them in as it goes
        numeric_marks.set_data(positions, walk["numeric"])
        shown = np.isin(positions, known)
        bars.set_tops(np.where(shown, walk["backprop"], 0.0))
        error_bars.set_tops(np.where(shown, np.maximum(walk["errors"], floor), floor))
        stage_html.value = _stage_text(stage, walk, act)
        table_html.value = _table_html(walk, known)

    app = App(controls, figure, update, extra=extra, title="Backpropagation: the chain rule, one layer at a time")
    app.gradient_bars, app.error_bars = bars, error_bars      # for tests: .tops holds the heights
    return app
