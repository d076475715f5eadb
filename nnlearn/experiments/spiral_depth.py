"""Lesson 08: does depth pay on the spiral? One change at a time, over seeds, on the playground's engine.

"Three hidden layers of 8 with every feature and Adam reach 99 %" changes depth, features and
optimizer at once. STEPS changes one thing at a time from the playground's default (hidden layers
4 and 2, tanh, inputs x1 and x2, SGD at 0.03, batch 10, 100 epochs); each row names the setting it
changes. A seed draws the points (and their split) and the initial weights (`Config.seed`).
"""

import numpy as np
from threadpoolctl import threadpool_limits

from ..playground import FEATURES, Config, Playground

SEEDS = (0, 1, 2, 3, 4)
EPOCHS = 100
ALL_FEATURES = tuple(FEATURES)
ADAM = dict(optimizer="Adam", learning_rate=0.01)

# (what changes, the playground settings): each row changes one thing from the row it names.
STEPS = (
    ("default: layers 4, 2; x1, x2; SGD 0.03", dict()),
    ("default + every feature", dict(features=ALL_FEATURES)),
    ("+ Adam 0.01 (every feature)", dict(features=ALL_FEATURES, **ADAM)),
    ("every feature, Adam: one layer of 8", dict(features=ALL_FEATURES, hidden=(8,), **ADAM)),
    ("every feature, Adam: two layers of 8", dict(features=ALL_FEATURES, hidden=(8, 8), **ADAM)),
    ("every feature, Adam: three layers of 8", dict(features=ALL_FEATURES, hidden=(8, 8, 8), **ADAM)),
    ("x1, x2 only, Adam: one layer of 8", dict(hidden=(8,), **ADAM)),
    ("x1, x2 only, Adam: three layers of 8", dict(hidden=(8, 8, 8), **ADAM)),
)

_cache = {}


def test_accuracy(dataset="spiral", epochs=EPOCHS, seed=0, **settings):
    """Test accuracy of the playground after `epochs` epochs of one setting (cached)."""
    key = (dataset, epochs, seed, tuple(sorted(settings.items())))
    if key not in _cache:
        playground = Playground(Config(dataset=dataset, seed=seed, **settings))
        with threadpool_limits(1, user_api="blas"):              # tiny matrices: one thread is fastest
            for _ in range(epochs):
                playground.step()
        _cache[key] = float(playground.metrics()["accuracy"])
    return _cache[key]


def over_seeds(settings, seeds=SEEDS, dataset="spiral", epochs=EPOCHS):
    """Test accuracy of one setting at each seed: an array of len(seeds)."""
    return np.array([test_accuracy(dataset, epochs, seed, **settings) for seed in seeds])


def depth_table(seeds=SEEDS):
    """{what changes: test accuracy per seed} for every row of STEPS."""
    return {name: over_seeds(settings, seeds) for name, settings in STEPS}


def print_depth_table(seeds=SEEDS):
    """One line per row of STEPS: test accuracy at each seed, then median and range."""
    print(f"{'spiral, 100 epochs, test accuracy':<40} " + " ".join(f"seed {s}" for s in seeds) + "   median (range)")
    for name, values in depth_table(seeds).items():
        print(f"{name:<40} " + " ".join(f"{v:6.1%}" for v in values) +
              f"   {np.median(values):.1%} ({values.min():.1%}-{values.max():.1%})")


def larger_class_share(dataset="circle", seed=0):
    """The test-split share of its larger class: the accuracy of always guessing that class."""
    playground = Playground(Config(dataset=dataset, seed=seed, hidden=()))
    return float(np.bincount(playground.y_test).max() / len(playground.y_test))
