"""Ready-made networks: one multilayer perceptron builder, used by the lessons, apps and playground."""

import numpy as np

from ._checks import as_rng, check_int
from .nn import Dropout, LeakyReLU, Linear, ReLU, Sequential, Sigmoid, Tanh

# name -> activation class; "linear" means no activation between the layers
ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "leaky_relu": LeakyReLU, "linear": None}


def mlp(sizes, activation="relu", dropout=0.0, rng=None, init="uniform", dtype=np.float64, dropout_rng=None):
    """Linear -> activation (-> Dropout) for every hidden layer, then a Linear output (no activation).

    sizes: [inputs, hidden..., outputs], e.g. mlp([2, 16, 16, 3]) is 2 -> 16 -> 16 -> 3.
    The weights are drawn from `rng` layer by layer (an int seed or a Generator: the same network
    every time); Dropout draws its masks from `dropout_rng` (default: the same generator).
    """
    sizes = list(sizes) if not isinstance(sizes, (str, bytes)) else sizes
    if not isinstance(sizes, list) or len(sizes) < 2:
        raise ValueError(f"mlp: sizes must be a list of at least two layer widths [inputs, ..., outputs], got {sizes!r}")
    sizes = [check_int(size, "mlp: each of sizes", low=1) for size in sizes]
    if activation not in ACTIVATIONS:
        raise ValueError(f"mlp: activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(f"mlp: dropout must be a probability in [0, 1), got {dropout!r}")
    rng = as_rng(rng, "mlp: rng")
    dropout_rng = rng if dropout_rng is None else as_rng(dropout_rng, "mlp: dropout_rng")
    layers = []
    for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1]):
        layers.append(Linear(fan_in, fan_out, rng=rng, init=init, dtype=dtype))
        if ACTIVATIONS[activation] is not None:
            layers.append(ACTIVATIONS[activation]())
        if dropout > 0:
            layers.append(Dropout(dropout, rng=dropout_rng))
    layers.append(Linear(sizes[-2], sizes[-1], rng=rng, init=init, dtype=dtype))
    return Sequential(*layers)
