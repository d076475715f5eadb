"""Curves of the functions a network is built from: activations, and losses against the miss.

Activations are nnlearn's own layers (so a plot shows exactly what the network computes).
Losses are the classes of `nnlearn.losses.LOSSES` themselves (reduction="none"), drawn per
example against the miss d, the quantity each loss penalises:

    MSE            d = prediction - target      l = d^2                      dl/dd = 2 d
    Huber          d = prediction - target      l = d^2 / 2 if |d| < delta   dl/dd = clip(d, -delta, delta)
                                                  delta (|d| - delta / 2) otherwise
    cross-entropy  d = the logit's distance on  l = log(1 + exp(d))          dl/dd = sigmoid(d)
                   the wrong side

(the binary cross-entropy has cross-entropy's curve, so it is drawn once).
"""

import dataclasses
import functools

import numpy as np

from ..losses import LOSSES as LOSS_REGISTRY
from ..models import ACTIVATIONS as MODEL_ACTIVATIONS
from ..nn import LeakyReLU
from .style import LINESTYLES, PALETTE

# nl.LeakyReLU() has PyTorch's default slope 0.01, too flat to see in a plot: the plots use 0.1.
LEAKY_SLOPE = 0.1
# The explorer shows PyTorch's class names; the layers are nnlearn.models.ACTIVATIONS'.
_SHOWN_AS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "LeakyReLU"}
ACTIVATIONS = {shown: functools.partial(LeakyReLU, negative_slope=LEAKY_SLOPE) if key == "leaky_relu"
               else MODEL_ACTIVATIONS[key] for key, shown in _SHOWN_AS.items()}
# Range of each activation's output worth showing (colour scales, axis limits).
ACTIVATION_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "ReLU": (0.0, 3.0), "LeakyReLU": (-0.5, 3.0)}

LOSSES = tuple(name for name, info in LOSS_REGISTRY.items() if info.target != "binary")
_STYLE_INDEX = {"MSE": 4, "cross-entropy": 5, "Huber": 2}        # palette / line style of each loss
_free = (i for i in (6, 1, 7, 0, 3) if i not in _STYLE_INDEX.values())   # a loss added later (yellow last)
LOSS_STYLE = {}
for _name in LOSSES:
    _index = _STYLE_INDEX[_name] if _name in _STYLE_INDEX else next(_free)
    LOSS_STYLE[_name] = {"color": PALETTE[_index], "linestyle": LINESTYLES[_index]}


def activation(name):
    """The nnlearn layer for an activation name ("sigmoid", "tanh", "ReLU", "LeakyReLU")."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]()


def activate(name, z):
    """Apply the named activation elementwise to z (any shape); returns an array of z's shape."""
    z = np.asarray(z, dtype=float)
    return activation(name)(z.reshape(-1, 1)).reshape(z.shape)


def pointwise_loss(name, miss, delta=1.0):
    """Loss and its gradient for one example, against the miss d (any shape), computed by the
    registry's class (see the module docstring); `delta` is Huber's.

    Returns (loss, gradient) arrays of miss's shape; gradient is dl/dd.
    """
    if name not in LOSSES:
        raise ValueError(f"loss must be one of {list(LOSSES)}, got {name!r}")
    info = LOSS_REGISTRY[name]
    if "delta" in info.options:
        info = dataclasses.replace(info, options=dict(info.options, delta=delta))
    return info.pointwise(miss)


def loss_curves(ax_loss, ax_gradient, miss, delta=1.0, animated=False):
    """Draw every loss on ax_loss and its gradient on ax_gradient against the miss.

    Returns {name: (loss_line, gradient_line)} so an app can restyle or update them.
    """
    lines = {}
    for name in LOSSES:
        loss, gradient = pointwise_loss(name, miss, delta)
        style = dict(LOSS_STYLE[name], linewidth=2, label=name, animated=animated)
        lines[name] = (ax_loss.plot(miss, loss, **style)[0], ax_gradient.plot(miss, gradient, **style)[0])
    return lines


def decision_line(w1, w2, b, xlim, ylim):
    """End points (xs, ys) of the line w1 x1 + w2 x2 + b = 0 inside the box, or None if it misses it.

    The line is where a neuron's pre-activation z = w . x + b is zero: the sigmoid's 0.5, ReLU's kink.
    """
    (x0, x1), (y0, y1) = xlim, ylim
    points = []
    if abs(w2) > 1e-12:                  # crossings of the left and right edges
        for x in (x0, x1):
            y = -(w1 * x + b) / w2
            if y0 - 1e-9 <= y <= y1 + 1e-9:
                points.append((x, y))
    if abs(w1) > 1e-12:                  # crossings of the bottom and top edges
        for y in (y0, y1):
            x = -(w2 * y + b) / w1
            if x0 - 1e-9 <= x <= x1 + 1e-9:
                points.append((x, y))
    if len(points) < 2:
        return None
    points = sorted(set((round(x, 12), round(y, 12)) for x, y in points))
    start, end = points[0], points[-1]
    return [start[0], end[0]], [start[1], end[1]]
