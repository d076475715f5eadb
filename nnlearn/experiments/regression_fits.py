"""A small network fitted to noisy points on a curve under MSE and under Huber (lesson 02): how far
each fit ends from the true curve, with and without outliers, from one start or over many.

The data: 60 points y = sin(1.5 x) + noise on [-3, 3], some moved 4 above the curve (outliers).
The network: 1 -> 24 tanh -> 1, Adam at 0.02, full batch. A fit is judged by its root-mean-square
distance from sin(1.5 x) on a grid over [-3, 3].
"""

import functools

import numpy as np

from ..losses import LOSSES
from ..models import mlp
from ..optim import Adam
from ..train import train_step

LOSS_FUNCTIONS = {name: info.make for name, info in LOSSES.items() if info.target == "values"}   # MSE, Huber
SEEDS = tuple(range(10))


def true_curve(x):
    """The function the noisy points are drawn around: sin(1.5 x)."""
    return np.sin(1.5 * np.asarray(x, dtype=float))


def curve_data(n=60, n_outliers=0, height=4.0, noise=0.15, rng=0):
    """n points y = sin(1.5 x) + noise on x in [-3, 3]; the first `n_outliers` of a fixed random
    order are moved `height` above the curve (the same points for every count, so raising the
    count adds outliers and keeps the ones before).

    Shapes: X (n, 1), y (n, 1) float64, outliers (n_outliers,) indices into them.
    """
    generator = np.random.default_rng(rng)
    x = np.sort(generator.uniform(-3.0, 3.0, n))
    y = true_curve(x) + noise * generator.standard_normal(n)
    outliers = generator.permutation(n)[:n_outliers]
    y[outliers] += height
    return x[:, None], y[:, None], outliers


def fit_network(loss, X, y, steps, lr=0.02, seed=0):
    """mlp([1, 24, 1], activation="tanh") from seed `seed`, trained full batch with
    Adam(lr) for `steps` updates under "MSE" or "Huber" (delta = 1). Returns the model."""
    model = mlp([1, 24, 1], activation="tanh", rng=seed)
    loss_fn = LOSS_FUNCTIONS[loss]()
    optimizer = Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        train_step(model, loss_fn, optimizer, X, y)
    return model


GRID = np.linspace(-3.0, 3.0, 241)[:, None]               # where fits are drawn and judged, (241, 1)


@functools.lru_cache(maxsize=256)           # a curve of 241 floats and a number per fit
def fitted_curve(loss, n_outliers, steps, seed=0, data_seed=0):
    """(curve on GRID (241,), its root-mean-square distance from the true curve) of the network
    from starting network `seed`, trained on curve_data(n_outliers, rng=data_seed)."""
    X, y, _ = curve_data(n_outliers=n_outliers, rng=data_seed)
    curve = fit_network(loss, X, y, steps, seed=seed)(GRID)[:, 0]                  # (241,)
    return curve, float(np.sqrt(np.mean((curve - true_curve(GRID[:, 0])) ** 2)))


def distances_over_seeds(n_outliers, steps, seeds=SEEDS, vary="start"):
    """loss -> the distances from the true curve over `seeds`, varying the starting network
    (vary="start") or the draw of the data (vary="data")."""
    def distance(loss, seed):
        return fitted_curve(loss, n_outliers, steps, *((seed, 0) if vary == "start" else (0, seed)))[1]
    return {loss: np.array([distance(loss, s) for s in seeds]) for loss in LOSS_FUNCTIONS}
