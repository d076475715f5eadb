"""The optimizer race on a real network (lesson 06): what it trains and measures.

Every optimizer of lesson 06's cast (`experiments.surface_races.CAST`, from `nnlearn.optim.OPTIMIZERS`) trains the same small network (the same initial
weights) on the moons dataset, full batch, with `nl.train_step`, at each learning rate of one grid.
Each is then compared at its own best rate (the lowest training loss after the last step; a run that
trips `nl.has_diverged` is the worst), times a common multiplier.
"""

import functools
import math
from dataclasses import dataclass

import numpy as np

from ..data import moons
from ..losses import CrossEntropyLoss
from ..models import mlp
from ..train import has_diverged, train_step
from .surface_races import registry

NETWORK_LR_EXPONENTS = tuple(float(e) for e in np.arange(-4.0, 1.01, 0.5))   # 10^-4, 10^-3.5, ..., 10
EPOCHS = 50


def network_model(seed=0):
    """The small network every racer trains: 2 -> 16 -> 16 -> 2 with ReLU, same weights for a seed."""
    return mlp([2, 16, 16, 2], activation="relu", rng=seed)


def race_data(n=200, seed=0):
    return moons(n=n, noise=0.2, rng=seed)


@dataclass
class NetworkRun:
    """One optimizer at one learning rate: the loss before each step (`losses`, up to the step that
    diverged), `final_loss` (after the last step; inf when diverged), `diverged_at` (1-based step
    or None) and the trained weights (`weights`, a list of arrays; None when diverged)."""

    lr: float
    losses: np.ndarray
    final_loss: float
    diverged_at: int
    weights: list


def train_one(name, lr, epochs=EPOCHS, n=200, seed=0):
    """Train network_model(seed) on race_data(n, seed) with optimizer `name` at `lr`, full batch."""
    X, y = race_data(n, seed)
    model, loss_fn = network_model(seed), CrossEntropyLoss()
    optimizer = registry()[name].make(model.parameters(), lr)
    losses, diverged_at = [], None
    with np.errstate(all="ignore"):
        for step in range(1, epochs + 1):
            loss = train_step(model, loss_fn, optimizer, X, y)
            losses.append(loss)
            if has_diverged(loss, losses[0]):
                diverged_at = step
                break
        final = loss_fn(model(X), y) if diverged_at is None else math.inf
    if diverged_at is None and has_diverged(final, losses[0]):
        diverged_at, final = epochs, math.inf          # the loss after the last step tripped it
    weights = None if diverged_at is not None else [p.data.copy() for p in model.parameters()]
    return NetworkRun(lr=lr, losses=np.asarray(losses), final_loss=float(final), diverged_at=diverged_at,
                      weights=weights)


@functools.lru_cache(maxsize=32)            # 11 runs of a few kB each per optimizer and seed: 5 seeds
def optimizer_sweep(name, epochs=EPOCHS, n=200, seed=0):
    """[NetworkRun at 10**e for e in NETWORK_LR_EXPONENTS] for one optimizer (a fraction of a second)."""
    return [train_one(name, 10.0 ** e, epochs, n, seed) for e in NETWORK_LR_EXPONENTS]


def network_sweep(epochs=EPOCHS, n=200, seed=0):
    """name -> optimizer_sweep(name, ...) for every optimizer of the registry."""
    return {name: optimizer_sweep(name, epochs, n, seed) for name in registry()}


def best_runs(epochs=EPOCHS, n=200, seed=0):
    """name -> (index into NETWORK_LR_EXPONENTS of its best rate, that NetworkRun)."""
    best = {}
    for name, runs in network_sweep(epochs, n, seed).items():
        index = int(np.argmin([run.final_loss for run in runs]))
        best[name] = (index, runs[index])
    return best


@functools.lru_cache(maxsize=16)
def _off_grid(name, exponent, epochs, n, seed):
    return train_one(name, 10.0 ** exponent, epochs, n, seed)


def runs_at(multiplier_exponent=0.0, epochs=EPOCHS, n=200, seed=0):
    """name -> NetworkRun at 10**multiplier_exponent times the optimizer's best rate."""
    sweep, results = network_sweep(epochs, n, seed), {}
    for name, (index, _) in best_runs(epochs, n, seed).items():
        exponent = round(NETWORK_LR_EXPONENTS[index] + multiplier_exponent, 6)
        matches = [i for i, e in enumerate(NETWORK_LR_EXPONENTS) if math.isclose(e, exponent, abs_tol=1e-6)]
        results[name] = sweep[name][matches[0]] if matches else _off_grid(name, exponent, epochs, n, seed)
    return results


def predict(weights, points):
    """Logits of network_model with `weights` at `points` (M, 2)."""
    model = network_model()
    for param, value in zip(model.parameters(), weights):
        param.data[...] = value
    return model(points)


SEEDS = tuple(range(5))      # the seeds the lesson's comparisons are stated over: 0 is the app's


def best_over_seeds(seeds=SEEDS, epochs=EPOCHS, n=200):
    """seed -> name -> NetworkRun at its best rate: each seed draws its own moons and initial weights."""
    return {seed: {name: run for name, (_, run) in best_runs(epochs, n, seed).items()} for seed in seeds}


def ratios_to_best(seeds=SEEDS, epochs=EPOCHS, n=200):
    """name -> array (len(seeds),): its final loss at its best rate over the lowest of the six, seed by seed."""
    table = best_over_seeds(seeds, epochs, n)
    names = list(registry())
    losses = np.array([[table[seed][name].final_loss for name in names] for seed in seeds])   # (S, 6)
    return {name: losses[:, i] / losses.min(axis=1) for i, name in enumerate(names)}
