"""Each batch size's best learning rate over seeds, at equal epochs and at equal updates (lesson 05).

One seed is one starting network (`small_network(rng=seed)`) and one order of the mini-batches
(seed + 1), as in `training_runs.learning_rate_search`; the data (200 moons) stay the same. A
budget is a number of updates: `updates_in(epochs, b)` gives b's updates in that many epochs, so
the same function compares batch sizes at equal epochs (equal examples seen) and at equal updates.
Every run is cached, so the lesson, its claims and the app share them.

    python -m nnlearn.experiments.batch_rates      prints the numbers lesson 05 states
"""

import functools
import math

import numpy as np

from .training_runs import BATCH_SIZES, EPOCHS, LR_GRID, N_POINTS, TrainingRun

SEEDS = tuple(range(10))


def updates_in(epochs, batch_size, n=N_POINTS):
    """Updates in `epochs` epochs of batches of `batch_size` out of n examples: epochs * ceil(n / b)."""
    return epochs * math.ceil(n / batch_size)


@functools.lru_cache(maxsize=None)
def final_loss(batch_size, lr, seed, updates):
    """The loss on all 200 points after `updates` SGD updates (inf when the run diverged)."""
    run = TrainingRun("moons", optimizer="SGD", lr=lr, batch_size=batch_size, seed=seed).train(updates)
    return math.inf if run.diverged_at is not None else run.full_loss()


@functools.lru_cache(maxsize=None)
def best_rate(batch_size, seed, updates, lrs=LR_GRID):
    """The rate of the grid with the lowest final loss after `updates` updates."""
    return min(lrs, key=lambda lr: final_loss(batch_size, lr, seed, updates))


def best_rates(batch_size, updates, seeds=SEEDS):
    """best_rate at every seed: an array (len(seeds),)."""
    return np.array([best_rate(batch_size, seed, updates) for seed in seeds])


def at_equal_epochs(batch_size, epochs=EPOCHS, seeds=SEEDS):
    """Best rates per seed when every batch size trains for `epochs` epochs (b gets updates_in(epochs, b))."""
    return best_rates(batch_size, updates_in(epochs, batch_size), seeds)


def ratio_over_seeds(small, large, small_updates, large_updates, seeds=SEEDS):
    """best_rate(large) / best_rate(small) per seed: how far the best rate moves with the batch."""
    return best_rates(large, large_updates, seeds) / best_rates(small, small_updates, seeds)


def spread(values):
    """(median, min, max) of an array, as floats."""
    values = np.asarray(values, dtype=float)
    return float(np.median(values)), float(values.min()), float(values.max())


def tuned_finals(batch_size, epochs=EPOCHS, seeds=SEEDS):
    """The final loss at each seed's own best rate, after `epochs` epochs: (len(seeds),)."""
    updates = updates_in(epochs, batch_size)
    return np.array([final_loss(batch_size, best_rate(batch_size, seed, updates), seed, updates)
                     for seed in seeds])


def summary(seeds=SEEDS):
    """The lines lesson 05 quotes, as text."""
    lines = [f"seeds {seeds[0]}..{seeds[-1]}, grid {LR_GRID[0]:g}..{LR_GRID[-1]:g} in steps of 10^0.25"]
    for b in BATCH_SIZES:
        rates = at_equal_epochs(b, seeds=seeds)
        median, low, high = spread(rates)
        lines.append(f"  b={b:3d}, {EPOCHS} epochs ({updates_in(EPOCHS, b)} updates): best rate median {median:.3g}, "
                     f"range {low:.3g}-{high:.3g}; final loss median {np.median(tuned_finals(b, seeds=seeds)):.3f}")
    ratio = ratio_over_seeds(1, 10, updates_in(EPOCHS, 1), updates_in(EPOCHS, 10), seeds)
    lines.append("  b=10 / b=1 at equal epochs: median %.3g, range %.3g-%.3g" % spread(ratio))
    for updates in (100, 1000):
        ratio = ratio_over_seeds(1, 10, updates, updates, seeds)
        lines.append(f"  b=10 / b=1 at {updates} updates each: median %.3g, range %.3g-%.3g" % spread(ratio))
    for updates in (5, 10, 50):
        pair = {b: best_rates(b, updates, seeds) for b in (100, 200)}
        same = int(np.sum(pair[100] == pair[200]))
        lines.append(f"  {updates} updates: b=100 median {np.median(pair[100]):.3g}, b=200 median "
                     f"{np.median(pair[200]):.3g}, the same rate at {same} of {len(seeds)} seeds")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary())
