"""Lesson 07's comparisons over seeds, and memorising shuffled labels: what holds beyond one run.

A seed draws a network's initial weights and its dropout masks; the digits and their split stay the
same (`digit_runs.digits_split`). Every figure here is read from `digit_runs.digits_run`, so the
lesson, its apps and its claims tests share one store (every run here at seeds 0-4 is stored).
Runs on all 1,197 digits with 128 hidden units cost seconds each to train, so the comparisons over
seeds use the cheaper settings the lesson names.
"""

import numpy as np

from . import spread
from .digit_runs import digits_run

SEEDS = (0, 1, 2, 3, 4)
MEMORISING = dict(hidden_units=128, train_size=200)     # the random-label run: 9,610 weights, 200 digits
CHANCE = 0.1                                             # ten digits: a guess is right 1 time in 10

# (label, setting A, setting B): B - A in validation accuracy after 150 epochs, over SEEDS.
# A setting is (hidden_units, train_size, weight_decay, dropout).
COMPARISONS = (
    ("more data: 8 units, 50 → 1,197 digits", (8, 50, 0.0, 0.0), (8, 1197, 0.0, 0.0)),
    ("wider: 8 → 128 units, 50 digits", (8, 50, 0.0, 0.0), (128, 50, 0.0, 0.0)),
    ("dropout 0.5: 128 units, 200 digits", (128, 200, 0.0, 0.0), (128, 200, 0.0, 0.5)),
    ("dropout 0.5: 128 units, 50 digits", (128, 50, 0.0, 0.0), (128, 50, 0.0, 0.5)),
    ("dropout 0.5: 8 units, 50 digits", (8, 50, 0.0, 0.0), (8, 50, 0.0, 0.5)),
    ("dropout 0.2: 8 units, 1,197 digits", (8, 1197, 0.0, 0.0), (8, 1197, 0.0, 0.2)),
    ("weight decay 1: 128 units, 50 digits", (128, 50, 0.0, 0.0), (128, 50, 1.0, 0.0)),
    ("weight decay 1: 8 units, 1,197 digits", (8, 1197, 0.0, 0.0), (8, 1197, 1.0, 0.0)),
)


def final(setting, key="val_accuracy", seeds=SEEDS):
    """`key` after the last epoch for a setting (hidden_units, train_size, weight_decay, dropout), one per seed."""
    return np.array([digits_run(*setting, seed=seed)[key][-1] for seed in seeds])


def difference(setting_a, setting_b, key="val_accuracy", seeds=SEEDS):
    """B - A per seed (the same seed for both: the same initial weights where the shapes agree)."""
    return final(setting_b, key, seeds) - final(setting_a, key, seeds)


def describe(values, scale=100, unit=" points"):
    """'median +0.7 points, range -1.0 to +2.0, above 0 in 4 of 5 seeds' for per-seed differences."""
    middle, low, high, above, count = spread(values)
    return (f"median {scale * middle:+.1f}{unit}, range {scale * low:+.1f} to {scale * high:+.1f}, "
            f"above 0 in {above} of {count} seeds")


def comparison_table(seeds=SEEDS):
    """{label: per-seed B - A in validation accuracy} for every entry of COMPARISONS."""
    return {label: difference(a, b, seeds=seeds) for label, a, b in COMPARISONS}


def print_comparisons(seeds=SEEDS):
    """One line per comparison: the per-seed differences in points and their summary."""
    for label, values in comparison_table(seeds).items():
        per_seed = " ".join(f"{100 * v:+5.1f}" for v in values)
        print(f"{label:<40} {per_seed}   {describe(values)}")


def memorising_runs(seeds=SEEDS, **setting):
    """{"true": [run per seed], "shuffled": [run per seed]} for one network and training set
    (MEMORISING unless given): the same digits with their labels, and with the labels shuffled."""
    setting = {**MEMORISING, **setting}
    return {labels: [digits_run(setting["hidden_units"], setting["train_size"], seed=seed, labels=labels)
                     for seed in seeds] for labels in ("true", "shuffled")}


def first_epoch_at(curve, level=1.0):
    """The first epoch (1-based) at which `curve` reaches `level`, or None."""
    reached = np.flatnonzero(np.asarray(curve) >= level)
    return int(reached[0]) + 1 if len(reached) else None


SIZE_GRID = tuple(range(50, 1198, 25))                  # training-set sizes the investigation searches


def smallest_size(hidden_units=32, target=0.9, seed=0, sizes=SIZE_GRID):
    """The smallest training-set size in `sizes` whose run ends (epoch 150) at validation accuracy
    >= target, or None. Accuracy is not monotonic in the size: a larger one may fall below again."""
    for size in sizes:
        if digits_run(hidden_units, size, seed=seed)["val_accuracy"][-1] >= target:
            return size
    return None


def size_tolerance(hidden_units=32, target=0.9, seeds=SEEDS, sizes=SIZE_GRID):
    """How far the answer moves with the seed, plus one grid step: max |smallest(seed) - smallest(0)| + step."""
    answers = [smallest_size(hidden_units, target, seed, sizes) for seed in seeds]
    return max(abs(a - answers[0]) for a in answers) + (sizes[1] - sizes[0])
