"""Each batch size's best learning rate over seeds, at equal epochs and at equal updates (lesson 05).

One seed is one starting network (`small_network(rng=seed)`) and one order of the mini-batches
(seed + 1), as in `training_runs.learning_rate_search`; the data (200 moons) stay the same. A
budget is a number of updates: `updates_in(epochs, b)` gives b's updates in that many epochs, so
the same function compares batch sizes at equal epochs (equal examples seen) and at equal updates.
Every run is cached, so the lesson, its claims and the app share them.

The search at equal epochs for every batch size over 10 seeds takes 15-40 seconds (batch 1 alone
makes 150 000 updates), too long for an app to wait for, so its results are also stored, in
`batch_rates_stored.py`; the app and the lesson read them there, and the claims test runs the
search again and checks that it gives the stored numbers.

    python -m nnlearn.experiments.batch_rates           prints the numbers lesson 05 states
    python -m nnlearn.experiments.batch_rates --write   runs the search again and rewrites the store
"""

import functools
import importlib
import math

import pprint
import sys
from pathlib import Path

import numpy as np

from . import batch_rates_stored, spread, training_runs
from .training_runs import BATCH_SIZES, EPOCHS, LR_GRID, N_POINTS

SEEDS = tuple(range(10))


def updates_in(epochs, batch_size, n=N_POINTS):
    """Updates in `epochs` epochs of batches of `batch_size` out of n examples: epochs * ceil(n / b)."""
    return epochs * math.ceil(n / batch_size)


def final_loss(batch_size, lr, seed, updates):
    """The loss on all 200 points after `updates` SGD updates (inf when the run diverged)."""
    return training_runs.final_loss("SGD", "moons", lr, seed, updates, batch_size)


@functools.lru_cache(maxsize=None)
def best_rate(batch_size, seed, updates, lrs=LR_GRID):
    """The rate of the grid with the lowest final loss after `updates` updates."""
    return min(lrs, key=lambda lr: final_loss(batch_size, lr, seed, updates))


def best_rates(batch_size, updates, seeds=SEEDS):
    """best_rate at every seed: an array (len(seeds),)."""
    return np.array([best_rate(batch_size, seed, updates) for seed in seeds])


def at_equal_epochs(batch_size, live=False):
    """Best rates per seed (SEEDS) when every batch size trains for EPOCHS epochs (b gets
    updates_in(EPOCHS, b) updates): from the store, or with live=True, searched now."""
    if live:
        return best_rates(batch_size, updates_in(EPOCHS, batch_size))
    return np.array(batch_rates_stored.BEST[batch_size])


def ratio_over_seeds(small, large, small_updates, large_updates, seeds=SEEDS):
    """best_rate(large) / best_rate(small) per seed: how far the best rate moves with the batch."""
    return best_rates(large, large_updates, seeds) / best_rates(small, small_updates, seeds)


def tuned_finals(batch_size, live=False):
    """The final loss at each seed's own best rate after EPOCHS epochs, (len(SEEDS),): stored or live."""
    if not live:
        return np.array(batch_rates_stored.FINAL[batch_size])
    updates = updates_in(EPOCHS, batch_size)
    return np.array([final_loss(batch_size, best_rate(batch_size, seed, updates), seed, updates) for seed in SEEDS])


def write_store(path=Path(__file__).with_name("batch_rates_stored.py")):
    """Run the search at equal epochs for every batch size and seed, and write it to the store."""
    best = {b: [float(rate) for rate in at_equal_epochs(b, live=True)] for b in BATCH_SIZES}
    final = {b: [float(loss) for loss in tuned_finals(b, live=True)] for b in BATCH_SIZES}
    path.write_text(f'''"""Stored results of batch_rates' search at equal epochs ({EPOCHS} epochs, seeds {SEEDS[0]}..{SEEDS[-1]}).

Written by `python -m nnlearn.experiments.batch_rates --write`; tests/claims/test_05_batch_size.py runs
the search again and checks these numbers. BEST[b][k]: the best rate of the grid for batch size b at
seed k; FINAL[b][k]: the loss on all the data after {EPOCHS} epochs at that rate.
"""

SEEDS = {SEEDS!r}
BEST = {pprint.pformat(best, width=110)}
FINAL = {pprint.pformat(final, width=110)}
''')


def summary():
    """The lines lesson 05 quotes, as text (equal epochs from the store, equal updates run now)."""
    seeds = SEEDS
    lines = [f"seeds {seeds[0]}..{seeds[-1]}, grid {LR_GRID[0]:g}..{LR_GRID[-1]:g} in steps of 10^0.25"]
    for b in BATCH_SIZES:
        rates = at_equal_epochs(b)
        median, low, high = spread(rates)[:3]
        lines.append(f"  b={b:3d}, {EPOCHS} epochs ({updates_in(EPOCHS, b)} updates): best rate median {median:.3g}, "
                     f"range {low:.3g}-{high:.3g}; final loss median {np.median(tuned_finals(b)):.3f}")
    ratio = at_equal_epochs(10) / at_equal_epochs(1)
    lines.append("  b=10 / b=1 at equal epochs: median %.3g, range %.3g-%.3g" % spread(ratio)[:3])
    for updates in (100,):
        ratio = ratio_over_seeds(1, 10, updates, updates, seeds)
        lines.append(f"  b=10 / b=1 at {updates} updates each: median %.3g, range %.3g-%.3g" % spread(ratio)[:3])
    for updates in (5, 10, 20, 50):
        pair = {b: best_rates(b, updates, seeds) for b in (100, 200)}
        same = int(np.sum(pair[100] == pair[200]))
        near = int(np.sum(np.abs(np.log10(pair[200] / pair[100])) < 0.3))
        lines.append(f"  {updates} updates each: b=100 median {np.median(pair[100]):.3g}, b=200 median "
                     f"{np.median(pair[200]):.3g}; the same rate at {same} of {len(seeds)} seeds, within one "
                     f"grid step at {near}")
    return "\n".join(lines)


if __name__ == "__main__":
    if "--write" in sys.argv:
        write_store()
        importlib.reload(batch_rates_stored)
    print(summary())
