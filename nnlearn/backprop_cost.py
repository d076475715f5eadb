"""What backpropagation saves: the gradient by finite differences against backprop, timed.

Finite differences find each weight's share of the loss separately: nudge one weight up and down,
run the network forward both times, divide the change in loss by the nudge. That is two forward
passes per weight, so the cost grows with (number of weights) x (cost of a forward pass), roughly
the square of the network's size. Backprop gets every weight's gradient from one forward and one
backward pass, which costs about as much as two or three forward passes.

    cost = measure_gradient_cost(widths=(2, 4, 8, 16, 32))
    cost.n_weights, cost.finite_difference_seconds, cost.backprop_seconds

The times are measured on this machine, so they vary from run to run; the ratio is the point.
"""

import time
from dataclasses import dataclass

import numpy as np

from .gradcheck import relative_error
from .losses import MSELoss
from .nn import Linear, Sequential, Tanh


def make_network(width, depth=2, in_features=2, rng=0):
    """A tanh network in_features -> width (x depth) -> 1, for timing."""
    rng = np.random.default_rng(rng)
    layers, previous = [], in_features
    for _ in range(depth):
        layers += [Linear(previous, width, rng=rng), Tanh()]
        previous = width
    layers.append(Linear(previous, 1, rng=rng))
    return Sequential(*layers)


def count_weights(model):
    """Number of trainable numbers (weights and biases) in `model`."""
    return int(sum(param.data.size for param in model.parameters()))


def _best_time(function, min_seconds=0.002, max_repeats=50):
    """Shortest of several runs of function() (repeated until min_seconds have passed): the least noisy estimate."""
    best, total, repeats = np.inf, 0.0, 0
    while repeats < max_repeats and (total < min_seconds or repeats < 3):
        start = time.perf_counter()
        function()
        elapsed = time.perf_counter() - start
        best, total, repeats = min(best, elapsed), total + elapsed, repeats + 1
    return best


@dataclass
class GradientCost:
    """Timings per network width (one entry per width, arrays of equal length).

    n_weights: trainable numbers; forward_seconds: one forward pass and loss;
    backprop_seconds: forward, loss and backward (every gradient at once);
    finite_difference_seconds: two forward passes per weight (every gradient, one at a time);
    max_relative_error: the two gradients compared (small: both give the same answer);
    sampled: True where the finite-difference time was measured on a sample of the weights and scaled.
    """

    widths: np.ndarray
    n_weights: np.ndarray
    forward_seconds: np.ndarray
    backprop_seconds: np.ndarray
    finite_difference_seconds: np.ndarray
    max_relative_error: np.ndarray
    sampled: np.ndarray

    @property
    def forward_passes(self):
        """Forward passes each method needs: 2 per weight for finite differences; backprop's
        forward plus backward counted as the forward passes they take as long as."""
        return 2 * self.n_weights, self.backprop_seconds / self.forward_seconds

    @property
    def speedup(self):
        return self.finite_difference_seconds / self.backprop_seconds


def _finite_difference_sample(forward, params, indices, eps=1e-6):
    """Centred differences for the weights at `indices` (pairs (parameter number, flat index)) only."""
    grads = []
    for p, i in indices:
        flat = params[p].data.reshape(-1)
        original = flat[i]
        flat[i] = original + eps
        plus = forward()
        flat[i] = original - eps
        minus = forward()
        flat[i] = original
        grads.append((plus - minus) / (2 * eps))
    return np.array(grads)


def measure_gradient_cost(widths=(1, 2, 4, 8, 16, 32, 64), depth=2, n_examples=32, rng=0,
                          max_timed_weights=300, progress=None):
    """Time the full gradient of an MSE loss by finite differences and by backprop, per width.

    Finite differences are timed on every weight of a network with up to `max_timed_weights`
    weights; for a larger one on a random sample of that many weights, and the time scaled up
    by n_weights / sample (each weight costs the same two forward passes), so that measuring a
    big network does not take minutes. `sampled` says which widths were scaled.
    progress(i, n): called after each width (for a progress bar). Returns a GradientCost.
    """
    generator = np.random.default_rng(rng)
    X = generator.normal(size=(n_examples, 2))
    y = generator.normal(size=(n_examples, 1))
    loss_fn = MSELoss()
    rows = []
    for index, width in enumerate(widths):
        model = make_network(width, depth, rng=generator)
        params = model.parameters()

        def forward():
            return loss_fn(model(X), y)

        def backprop():
            for param in params:
                param.grad.fill(0)
            loss_fn(model(X), y)
            model.backward(loss_fn.backward())

        every = [(p, i) for p, param in enumerate(params) for i in range(param.data.size)]
        n_weights = len(every)
        sampled = n_weights > max_timed_weights
        if sampled:
            chosen = generator.choice(n_weights, size=max_timed_weights, replace=False)
            indices = [every[i] for i in np.sort(chosen)]
        else:
            indices = every

        def finite_differences():
            return _finite_difference_sample(forward, params, indices)

        forward_seconds = _best_time(forward)
        backprop_seconds = _best_time(backprop)
        start = time.perf_counter()
        numeric = finite_differences()
        fd_seconds = time.perf_counter() - start
        if fd_seconds < 0.01:                  # small networks: repeat for a steadier figure
            fd_seconds = min(fd_seconds, _best_time(finite_differences, min_seconds=0.01, max_repeats=5))
        fd_seconds *= n_weights / len(indices)
        backprop()
        analytic = np.array([params[p].grad.reshape(-1)[i] for p, i in indices])
        error = relative_error(analytic, numeric)
        rows.append((width, n_weights, forward_seconds, backprop_seconds, fd_seconds, error, sampled))
        if progress is not None:
            progress(index + 1, len(widths))
    columns = [np.array(column) for column in zip(*rows)]
    return GradientCost(*columns)
