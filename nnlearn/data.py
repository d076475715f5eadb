"""Datasets for the lessons, a train/validation split, and mini-batches.

Everything is seeded through `rng` (an int seed or a numpy Generator), so a lesson draws the same
data every time it runs. Nothing is downloaded: scikit-learn ships its handwritten digits.
"""

import numpy as np

from ._checks import as_rng, check_int, check_real, describe


def _check_pair(X, y, where):
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{where}: X and y must be arrays with one row per example, got {describe(X)} and {describe(y)}")
    if len(X) != len(y):
        raise ValueError(f"{where}: X and y must have the same number of rows, got {len(X)} and {len(y)}")
    return X, y


def minibatches(X, y, batch_size, shuffle=True, rng=None):
    """Yield (X_batch, y_batch) pairs that cover the data once (one epoch).

    Every batch has `batch_size` rows except possibly the last, which holds what is left (a
    smaller batch, never carried over). A batch_size at least len(X) gives one full batch.
    With shuffle=True the order is a fresh permutation drawn from `rng`.
    """
    X, y = _check_pair(X, y, "minibatches")
    batch_size = check_int(batch_size, "minibatches: batch_size", low=1)
    n = len(X)
    if shuffle:
        order = as_rng(rng).permutation(n)
        for start in range(0, n, batch_size):
            index = order[start:start + batch_size]
            yield X[index], y[index]
    else:
        for start in range(0, n, batch_size):
            yield X[start:start + batch_size], y[start:start + batch_size]


def train_val_split(X, y, val_fraction=0.2, rng=None):
    """Shuffle and split into (X_train, y_train, X_val, y_val); val_fraction of the rows go to validation."""
    X, y = _check_pair(X, y, "train_val_split")
    val_fraction = check_real(val_fraction, "train_val_split: val_fraction", low=0, high=1,
                              low_inclusive=False, high_inclusive=False)
    n = len(X)
    n_val = int(round(n * val_fraction))
    if n_val < 1 or n_val >= n:
        raise ValueError(
            f"train_val_split: val_fraction={val_fraction} of {n} rows leaves {n_val} for validation "
            f"and {n - n_val} for training; both need at least one"
        )
    order = as_rng(rng).permutation(n)
    val, train = order[:n_val], order[n_val:]
    return X[train], y[train], X[val], y[val]
