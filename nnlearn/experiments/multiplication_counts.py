"""What backpropagation saves: the gradient by finite differences against backprop, counted and timed.

Finite differences find each weight's share of the loss separately: nudge one weight up and down,
run the network forward both times, divide the change in loss by the nudge. That is two forward
passes per weight, and a forward pass itself costs about one multiplication per weight and
example, so the work grows like (number of weights)^2. Backprop gets every weight's gradient from
one forward and one backward pass; the backward pass reuses what the forward pass kept (each
layer's input x and output h) and the gradient arriving at each layer (shared by all of that
layer's weights), and costs about two forward passes: about three forward passes in all, a cost
that grows like the number of weights, not its square.

    counts = count_multiplications(widths=(2, 4, 8, 16, 32))      # exact, deterministic
    counts.n_weights, counts.finite_differences, counts.backprop
    cost = measure_gradient_cost(widths=(2, 4, 8, 16, 32))        # seconds on this machine
    cost.n_weights, cost.finite_difference_seconds, cost.backprop_seconds

The counts are exact. The times vary from run to run, and for small networks they grow more
slowly than the counts: each forward pass pays a fixed cost (Python calls, array allocation) that
dwarfs its few multiplications until the layers are wide.
"""

import time
from dataclasses import dataclass

import numpy as np

from ..gradcheck import relative_error
from ..losses import MSELoss
from ..models import mlp


def make_network(width, depth=2, in_features=2, rng=0):
    """A tanh network in_features -> width (x depth) -> 1, for timing."""
    return mlp(layer_sizes(width, depth, in_features), activation="tanh", rng=rng)


def count_weights(model):
    """Number of trainable numbers (weights and biases) in `model`."""
    return int(sum(param.data.size for param in model.parameters()))


def layer_sizes(width, depth=2, in_features=2, out_features=1):
    """The sizes (in_features, width, ..., width, out_features) of make_network's layers."""
    return (in_features,) + (width,) * depth + (out_features,)


@dataclass
class MultiplicationCount:
    """Multiplications for one full gradient of a network's loss, per width (arrays of equal length).

    Counted in the matrix products and the elementwise products of the chain rule, for a batch of
    n_examples, layer sizes d_0 .. d_L (d_0 inputs, d_L outputs):
        forward            sum_l N d_(l-1) d_l                      x @ W for every layer
        grad_weights       sum_l N d_(l-1) d_l                      dL/dW = x^T g, reusing the saved x
        grad_inputs        sum_(l >= 2) N d_(l-1) d_l               dL/dx = g W^T (not needed for the data)
        grad_activations   sum_hidden 2 N d_l                       f'(z) = 1 - h^2 from the saved h, times g
        backprop           forward + the three backward terms       about 3 forward passes
        finite_differences 2 n_weights forward                      2 forward passes per weight
    """

    widths: np.ndarray
    n_weights: np.ndarray
    forward: np.ndarray
    grad_weights: np.ndarray
    grad_inputs: np.ndarray
    grad_activations: np.ndarray

    @property
    def backward(self):
        return self.grad_weights + self.grad_inputs + self.grad_activations

    @property
    def backprop(self):
        return self.forward + self.backward

    @property
    def finite_differences(self):
        return 2 * self.n_weights * self.forward

    @property
    def backprop_in_forward_passes(self):
        """Backprop's multiplications divided by one forward pass's (about 3)."""
        return self.backprop / self.forward

    @property
    def ratio(self):
        """How many times more multiplications finite differences need than backprop."""
        return self.finite_differences / self.backprop


def count_multiplications(widths=(1, 2, 4, 8, 16, 32, 64, 128, 256), depth=2, in_features=2, out_features=1,
                          n_examples=32):
    """Exact multiplication counts of both methods for make_network(width, depth) on a batch of n_examples."""
    rows = []
    for width in widths:
        sizes = layer_sizes(int(width), depth, in_features, out_features)
        products = [n_examples * a * b for a, b in zip(sizes[:-1], sizes[1:])]
        n_weights = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
        hidden = sum(2 * n_examples * d for d in sizes[1:-1])
        rows.append((int(width), n_weights, sum(products), sum(products), sum(products[1:]), hidden))
    return MultiplicationCount(*[np.array(column, dtype=np.int64) for column in zip(*rows)])


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
