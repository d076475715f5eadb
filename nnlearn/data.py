"""Datasets for the lessons, a train/validation split, and mini-batches.

Everything random is drawn from `rng`, with one meaning across the package: an int seed (or a
numpy Generator) gives the same draw every time, so a lesson that passes rng=0 sees the same data
on every run; rng=None draws fresh entropy, a different draw every call. Nothing is downloaded:
scikit-learn ships its handwritten digits.

The 2-D classification sets (`moons`, `circles`, `blobs`, `spirals`, `xor`) return
X (N, 2) with coordinates roughly in [-2, 2] and y (N,) int64 class labels 0, 1, ..., so a small
network trains on them in a few hundred steps with lr ~ 0.1. Every loader takes `dtype` for X
(np.float64 by default; np.float32 for speed runs).
"""

import numpy as np

from ._checks import as_rng, check_float_dtype, check_int, check_real, describe

__all__ = ["moons", "circles", "blobs", "spirals", "xor", "line_with_outliers", "digits",
           "minibatches", "train_val_split"]


def _check_pair(X, y, where):
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{where}: X and y must be arrays with one row per example, got {describe(X)} and {describe(y)}")
    if len(X) != len(y):
        raise ValueError(f"{where}: X and y must have the same number of rows, got {len(X)} and {len(y)}")
    return X, y


def _seed(rng):
    """An int random_state for scikit-learn, drawn from `rng` (so one seed fixes everything)."""
    return int(as_rng(rng).integers(2**31 - 1))


def _finish(X, y, dtype):
    return np.ascontiguousarray(X, dtype=dtype), np.ascontiguousarray(y, dtype=np.int64)


def moons(n=200, noise=0.2, rng=None, dtype=np.float64):
    """Two interleaving half circles (scikit-learn's make_moons), centred and scaled to about [-2, 2].

    Shapes: X (n, 2), y (n,) in {0, 1}. noise is the standard deviation of Gaussian jitter
    (in the units of the unscaled moons, whose radius is 1).
    """
    from sklearn.datasets import make_moons

    n = check_int(n, "moons: n", low=2)
    noise = check_real(noise, "moons: noise", low=0)
    dtype = check_float_dtype(dtype, "moons")
    X, y = make_moons(n_samples=n, noise=noise, random_state=_seed(rng))
    X = (X - [0.5, 0.25]) * 1.2                 # moons span x in [-1, 2], y in [-0.5, 1]
    return _finish(X, y, dtype)


def circles(n=200, noise=0.1, factor=0.5, rng=None, dtype=np.float64):
    """A ring around a smaller ring (scikit-learn's make_circles), scaled to about [-2, 2].

    Shapes: X (n, 2), y (n,): 0 for the outer ring (radius 1.5), 1 for the inner ring
    (radius 1.5 * factor). noise is Gaussian jitter in units of the outer radius.
    """
    from sklearn.datasets import make_circles

    n = check_int(n, "circles: n", low=2)
    noise = check_real(noise, "circles: noise", low=0)
    factor = check_real(factor, "circles: factor", low=0, high=1, low_inclusive=False, high_inclusive=False)
    dtype = check_float_dtype(dtype, "circles")
    X, y = make_circles(n_samples=n, noise=noise, factor=factor, random_state=_seed(rng))
    return _finish(X * 1.5, y, dtype)


def blobs(n=200, centers=3, std=1.0, rng=None, dtype=np.float64):
    """Gaussian clusters, one per class (scikit-learn's make_blobs), standardised to about [-2, 2].

    Shapes: X (n, 2), y (n,) in {0, ..., centers - 1}. The cluster centres are drawn uniformly
    from a 10 x 10 box and std is each cluster's standard deviation in those units; X is then
    shifted to mean 0 and scaled so its larger coordinate spread is 1 (which keeps the ratio of
    spread to distance between clusters).
    """
    from sklearn.datasets import make_blobs

    n = check_int(n, "blobs: n", low=2)
    centers = check_int(centers, "blobs: centers", low=1)
    std = check_real(std, "blobs: std", low=0)
    dtype = check_float_dtype(dtype, "blobs")
    X, y = make_blobs(n_samples=n, centers=centers, cluster_std=std, center_box=(-5.0, 5.0),
                      random_state=_seed(rng))
    X = X - X.mean(axis=0)
    scale = X.std(axis=0).max()
    return _finish(X / scale if scale > 0 else X, y, dtype)


def spirals(n=300, classes=3, noise=0.2, rng=None, dtype=np.float64):
    """Interleaved spiral arms, one per class (the CS231n spiral), radius up to 2.

    Shapes: X (n, 2), y (n,) in {0, ..., classes - 1}; the n points are shared out as evenly as
    possible. Point k of arm j sits at radius r = 2 k / (m - 1) and angle
    t = 4 (j + r / 2) + noise * N(0, 1), where m is the arm's number of points.
    """
    n = check_int(n, "spirals: n", low=2)
    classes = check_int(classes, "spirals: classes", low=1)
    noise = check_real(noise, "spirals: noise", low=0)
    dtype = check_float_dtype(dtype, "spirals")
    if n < 2 * classes:
        raise ValueError(f"spirals: n={n} is too small for {classes} arms; use n >= {2 * classes}")
    rng = as_rng(rng)
    sizes = [n // classes + (j < n % classes) for j in range(classes)]
    X, y = [], []
    for j, size in enumerate(sizes):
        radius = np.linspace(0.0, 1.0, size)
        angle = np.linspace(4.0 * j, 4.0 * (j + 1), size) + noise * rng.standard_normal(size)
        X.append(2.0 * radius[:, None] * np.column_stack([np.sin(angle), np.cos(angle)]))
        y.append(np.full(size, j))
    return _finish(np.concatenate(X), np.concatenate(y), dtype)


def xor(n=200, noise=0.1, rng=None, dtype=np.float64):
    """The XOR problem: class 1 where exactly one coordinate is positive.

    Shapes: X (n, 2), y (n,) in {0, 1}. Points are drawn uniformly from the square [-1.8, 1.8]^2,
    labelled by quadrant (y = 1 when x0 * x1 < 0), then jittered by noise * N(0, 1), so points near
    the axes may land on the wrong side. No straight line separates the classes.
    """
    n = check_int(n, "xor: n", low=2)
    noise = check_real(noise, "xor: noise", low=0)
    dtype = check_float_dtype(dtype, "xor")
    rng = as_rng(rng)
    X = rng.uniform(-1.8, 1.8, size=(n, 2))
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)
    X += noise * rng.standard_normal((n, 2))
    return _finish(X, y, dtype)


def line_with_outliers(n=30, slope=2.0, intercept=1.0, noise=0.3, n_outliers=3, rng=None, dtype=np.float64):
    """Points near the line y = slope * x + intercept, a few of them (outliers) far above it.

    Shapes: X (n, 1) with x drawn uniformly from [-2, 2] and sorted, y (n, 1) (shaped like the
    prediction of nl.Linear(1, 1), ready for a regression loss). Every point gets Gaussian noise
    of standard deviation `noise`; `n_outliers` randomly chosen points are moved 6 to 10 units
    above the line.
    """
    n = check_int(n, "line_with_outliers: n", low=2)
    slope = check_real(slope, "line_with_outliers: slope")
    intercept = check_real(intercept, "line_with_outliers: intercept")
    noise = check_real(noise, "line_with_outliers: noise", low=0)
    n_outliers = check_int(n_outliers, "line_with_outliers: n_outliers", low=0)
    dtype = check_float_dtype(dtype, "line_with_outliers")
    if n_outliers >= n:
        raise ValueError(f"line_with_outliers: n_outliers={n_outliers} must be smaller than n={n}")
    rng = as_rng(rng)
    x = np.sort(rng.uniform(-2.0, 2.0, size=n))
    y = slope * x + intercept + noise * rng.standard_normal(n)
    outliers = rng.choice(n, size=n_outliers, replace=False)
    y[outliers] += rng.uniform(6.0, 10.0, size=n_outliers)
    return (np.ascontiguousarray(x[:, None], dtype=dtype),
            np.ascontiguousarray(y[:, None], dtype=dtype))


def digits(rng=None, dtype=np.float64, shuffle=True):
    """The 1,797 handwritten digits shipped with scikit-learn (8 x 8 pixels, 10 classes).

    Shapes: X (1797, 64) with pixel intensities scaled to [0, 1] (0 is background), y (1797,)
    int64 in 0..9. Image i is X[i].reshape(8, 8). The rows are shuffled by a permutation drawn
    from rng (as everywhere: an int seed repeats, None is fresh entropy); shuffle=False keeps
    scikit-learn's order (and ignores rng).
    """
    dtype = check_float_dtype(dtype, "digits")
    if not isinstance(shuffle, bool):
        raise TypeError(f"digits: shuffle must be True or False, got {describe(shuffle)}")
    rng = as_rng(rng, "digits: rng")
    pixels, target = _load_digits()
    X, y = pixels / 16.0, target
    if shuffle:
        order = rng.permutation(len(X))
        X, y = X[order], y[order]
    return _finish(X, y, dtype)


def _load_digits():
    """(pixels 0..16 as float64 (1797, 64), labels int64 (1797,)), as sklearn's load_digits gives them.

    Read straight from the CSV scikit-learn ships: importing sklearn itself takes seconds, and a
    check cell that loads the digits should not (find_spec locates the package without importing it).
    """
    import importlib.util
    import os

    spec = importlib.util.find_spec("sklearn")
    path = os.path.join(os.path.dirname(spec.origin), "datasets", "data", "digits.csv.gz") if spec else ""
    if not os.path.exists(path):                 # another layout: let scikit-learn find its file
        from sklearn.datasets import load_digits
        data = load_digits()
        return data.data, data.target
    table = np.loadtxt(path, delimiter=",")
    return table[:, :-1], table[:, -1].astype(np.int64)


def minibatches(X, y, batch_size, shuffle=True, rng=None):
    """Yield (X_batch, y_batch) pairs that cover the data once (one epoch).

    Every batch has `batch_size` rows except possibly the last, which holds what is left (a
    smaller batch, never carried over). A batch_size at least len(X) gives one full batch.
    With shuffle=True the order is a fresh permutation drawn from `rng`.
    """
    X, y = _check_pair(X, y, "minibatches")
    batch_size = check_int(batch_size, "minibatches: batch_size", low=1)
    if not isinstance(shuffle, bool):
        raise TypeError(f"minibatches: shuffle must be True or False, got {describe(shuffle)}")
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
