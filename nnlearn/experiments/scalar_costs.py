"""Lesson 10: the same network trained with scalar `Value`s and with nnlearn's tensor layers.

One training step of a 2-W-1 tanh network (MSE on 32 points of the moons), written two ways:
`value_step` builds a graph of one `Value` per multiplication and addition (nnlearn.autograd),
`nl.train_step` runs a handful of numpy calls per layer. Their cost is measured two ways:
- `count_calls`: Python-level operations, the function calls the interpreter makes (Python
  functions and built-ins, numpy's included), counted with sys.setprofile: exact and repeatable;
- `step_seconds`: time per step, the median of a few repeats (machine-dependent, never asserted
  tightly).
"""

import sys
import time

import numpy as np

from .. import data
from ..autograd import Value, zero_grad
from ..losses import MSELoss
from ..models import mlp
from ..optim import SGD
from ..train import train_step

WIDTHS = (4, 8, 16, 32, 64)
N_POINTS = 32
LR = 0.1


def problem(width, seed=0, n=N_POINTS, hidden_layers=1):
    """(model, X, y): nl.mlp([2, width, ..., 1], tanh) with `hidden_layers` layers of `width` units,
    drawn from `seed`; n moons points, y (n, 1) in {0, 1}."""
    X, y = data.moons(n, rng=seed)
    sizes = [2, *[width] * hidden_layers, 1]
    return mlp(sizes, activation="tanh", rng=seed), X, y.reshape(-1, 1).astype(float)


def as_values(model):
    """The Linear layers of `model` as [(W, b)]: W[i][j] a Value per weight (in, out), b[j] per bias."""
    layers = []
    for layer in model:
        if hasattr(layer, "weight"):
            W = [[Value(float(w)) for w in row] for row in layer.weight.data]
            layers.append((W, [Value(float(b)) for b in layer.bias.data]))
    return layers


def parameters(layers):
    return [p for W, b in layers for p in [*(w for row in W for w in row), *b]]


def value_forward(layers, x):
    """One example x (a sequence of floats) through the layers: tanh between them, none at the end."""
    out = list(x)
    for index, (W, b) in enumerate(layers):
        out = [sum((out[i] * W[i][j] for i in range(len(W))), b[j]) for j in range(len(b))]
        if index < len(layers) - 1:
            out = [o.tanh() for o in out]
    return out


def value_loss(layers, X, y):
    """Mean squared error over every output of every example, as a Value (nl.MSELoss's definition)."""
    total = Value(0.0)
    for x, target in zip(X.tolist(), y.tolist()):
        for o, t in zip(value_forward(layers, x), target):
            total = total + (o - t) ** 2
    return total * (1.0 / y.size)


def value_step(layers, X, y, lr=LR):
    """The four steps on Values: forward and loss, zero the gradients, backward, update. Returns the loss."""
    loss = value_loss(layers, X, y)
    params = parameters(layers)
    zero_grad(params)
    loss.backward()
    for p in params:
        p.data -= lr * p.grad
    return loss.data


def count_calls(function, *args):
    """(what function(*args) returns, how many Python-level calls it made: Python functions and
    built-ins, numpy's C functions included), counted with sys.setprofile."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        result = function(*args)
    finally:
        sys.setprofile(previous)
    return result, count


def step_seconds(step, repeats=5):
    """The median time of `repeats` calls of step() (a training step that changes its own weights)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def tensor_step_of(model, X, y, lr=LR):
    loss_fn, optimizer = MSELoss(), SGD(model.parameters(), lr=lr)
    return lambda: train_step(model, loss_fn, optimizer, X, y)


def call_counts(width, seed=0, hidden_layers=1):
    """(calls of one scalar step, calls of one tensor step) of the same network, and their two
    losses (equal to float rounding). The counts depend on the width, not on the seed."""
    model, X, y = problem(width, seed, hidden_layers=hidden_layers)
    loss_scalar, calls_scalar = count_calls(value_step, as_values(model), X, y)
    loss_tensor, calls_tensor = count_calls(tensor_step_of(model, X, y))
    return calls_scalar, calls_tensor, loss_scalar, loss_tensor


def time_ratio(width, seed=0, repeats=3):
    """Seconds per scalar step over seconds per tensor step (medians of `repeats`), same network."""
    model, X, y = problem(width, seed)
    layers = as_values(model)
    return step_seconds(lambda: value_step(layers, X, y), repeats) / step_seconds(tensor_step_of(model, X, y), repeats)


def cost_ratios(widths=WIDTHS, seeds=range(5), repeats=3):
    """{width: (call ratio, time ratios over seeds)}, scalar over tensor."""
    table = {}
    for width in widths:
        calls_scalar, calls_tensor, _, _ = call_counts(width)
        table[width] = (calls_scalar / calls_tensor, [time_ratio(width, seed, repeats) for seed in seeds])
    return table


def growth_exponent(widths, ratios):
    """The slope of log(ratio) against log(width): the ratio grows about as width ** slope."""
    return float(np.polyfit(np.log(widths), np.log(ratios), 1)[0])
