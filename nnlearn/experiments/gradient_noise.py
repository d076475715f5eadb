"""How noisy a mini-batch gradient is (lesson 05): per-example gradients of the explorer's
starting network, mini-batch gradients drawn from them for every batch size, and their spread
around the full-batch gradient."""

import numpy as np

from ..losses import CrossEntropyLoss
from .training_runs import small_network


def norm(array):
    """The Euclidean length of an array of any shape."""
    return float(np.sqrt(np.vdot(array, array)))


def per_example_gradients(model, loss_fn, X, target):
    """The gradient of the loss on each example alone, flattened: (N, P) for P parameters.

    A mini-batch gradient (mean loss over the batch) is the mean of its examples' rows.
    """
    rows = []
    for i in range(len(X)):
        loss_fn(model(X[i:i + 1]), target[i:i + 1])
        model.zero_grad()
        model.backward(loss_fn.backward())
        rows.append(np.concatenate([p.grad.ravel() for p in model.parameters()]))
    return np.array(rows)


def minibatch_gradient_samples(gradients, batch_sizes, samples=100, rng=0):
    """Mini-batch gradients drawn without replacement, for every batch size at once.

    gradients: (N, P) per-example gradients. Returns a dict batch_size -> (samples, P): row k is
    the mean of the first b rows of the k-th random order (a cumulative sum makes this cheap).
    """
    rng = np.random.default_rng(rng)
    n = len(gradients)
    result = {}
    totals = np.zeros((samples, gradients.shape[1]))
    orders = np.argsort(rng.random((samples, n)), axis=1)            # (samples, N) permutations
    counted = 0
    for b in sorted(batch_sizes):
        b = min(int(b), n)
        totals += gradients[orders[:, counted:b]].sum(axis=1)
        counted = b
        result[b] = totals / b
    return result


def main_direction(rows, iterations=60):
    """The unit vector along which the rows (M, P) spread most (power iteration on rows^T rows)."""
    covariance = rows.T @ rows
    vector = np.ones(rows.shape[1]) / np.sqrt(rows.shape[1])
    for _ in range(iterations):
        vector = covariance @ vector
        vector /= norm(vector)
    return vector


def gradient_noise(X, y, sizes, samples=100, seed=0):
    """Per-example gradients of the random starting network, mini-batch samples, their rms spread."""
    model = small_network(int(y.max()) + 1, rng=seed)
    gradients = per_example_gradients(model, CrossEntropyLoss(), X, y)   # (N, P)
    full = gradients.mean(axis=0)
    by_size = minibatch_gradient_samples(gradients, sizes, samples=samples, rng=seed)
    spread = {b: float(np.sqrt(np.mean(np.sum((g - full) ** 2, axis=1)))) for b, g in by_size.items()}
    return gradients, full, by_size, spread
