"""Lesson 08: does depth pay on the spiral? One change at a time, over seeds, on the playground's engine.

"Three hidden layers of 8 with every feature and Adam reach 99 %" changes depth, features and
optimizer at once. STEPS changes one thing at a time from the playground's default (hidden layers
4 and 2, tanh, inputs x1 and x2, SGD at 0.03, batch 10, 100 epochs); each row names the setting it
changes. A seed draws the points (and their split) and the initial weights (`Config.seed`).

The table's 40 runs (and the circle without hidden layers over 10 seeds) take about 15 seconds, so
`test_accuracy` reads them from spiral_depth_stored.py, written by
`python -m nnlearn.experiments.spiral_depth --write`; any other setting is trained
(`trained_test_accuracy` always trains). tests/claims/test_stored_runs.py trains every stored
run again and compares.
"""

import pprint
import sys
from pathlib import Path

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

CIRCLE_SEEDS = tuple(range(10))                          # the circle without hidden layers (lesson 08's prediction)
STORE = Path(__file__).with_name("spiral_depth_stored.py")
_cache = {}


def run_key(dataset="spiral", epochs=EPOCHS, seed=0, **settings):
    """One setting as a tuple: (dataset, epochs, seed, its other settings sorted by name)."""
    return dataset, int(epochs), int(seed), tuple(sorted(settings.items()))


def trained_test_accuracy(dataset="spiral", epochs=EPOCHS, seed=0, **settings):
    """Test accuracy of the playground after `epochs` epochs of one setting, trained now."""
    playground = Playground(Config(dataset=dataset, seed=seed, **settings))
    with threadpool_limits(1, user_api="blas"):                  # tiny matrices: one thread is fastest
        for _ in range(epochs):
            playground.step()
    return float(playground.metrics()["accuracy"])


def test_accuracy(dataset="spiral", epochs=EPOCHS, seed=0, **settings):
    """Test accuracy of the playground after `epochs` epochs of one setting: stored, else trained (then cached)."""
    key = run_key(dataset, epochs, seed, **settings)
    if key not in _cache:
        _cache[key] = stored_accuracies().get(key)
        if _cache[key] is None:
            _cache[key] = trained_test_accuracy(dataset, epochs, seed, **settings)
    return _cache[key]


def stored_accuracies():
    """{run_key: test accuracy} of the stored runs (see the module docstring)."""
    from nnlearn.experiments.spiral_depth_stored import ACCURACY
    return ACCURACY


def stored_settings():
    """(dataset, seed, settings) of every stored run: the depth table's and the circle's without hidden layers."""
    return ([("spiral", seed, settings) for _, settings in STEPS for seed in SEEDS]
            + [("circle", seed, dict(hidden=())) for seed in CIRCLE_SEEDS])


def write(path=STORE):
    accuracy = {run_key(dataset, EPOCHS, seed, **settings): trained_test_accuracy(dataset, EPOCHS, seed, **settings)
                for dataset, seed, settings in stored_settings()}
    path.write_text('"""Stored test accuracies of spiral_depth (the depth table, seeds 0-4, and the circle without\n'
                    'hidden layers, seeds 0-9), written by `python -m nnlearn.experiments.spiral_depth --write`;\n'
                    'tests/claims/test_stored_runs.py trains them again and compares."""\n\n'
                    f"ACCURACY = {pprint.pformat(accuracy, width=120)}\n")


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


if __name__ == "__main__" and "--write" in sys.argv:
    write()
