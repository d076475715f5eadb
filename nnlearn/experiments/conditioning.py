"""Lesson 09: conditioning from the data side (lesson 04's ravine, made by the features' scales).

A linear model predicts a wine's alcohol (%) from its 12 other chemical measurements (scikit-learn's
`load_wine`, shipped with the package: nothing is downloaded). The features range from about 0.1
(hue, nonflavanoid phenols) to about 1,700 (proline). With the mean squared error
    L(w) = mean((A w - y)^2) / 2,   A = [X, 1]   (a column of ones for the bias),
the loss is a quadratic bowl with the constant curvature H = A^T A / N: its condition number
lambda_max / lambda_min is how stretched the ravine is (lesson 04), and gradient descent needs a
rate below 2 / lambda_max, at which the flattest direction moves by lr * lambda_min per update.
"""

import functools

import numpy as np
from sklearn.datasets import load_wine

RATES = tuple(float(10.0 ** (k / 4)) for k in range(-36, 1))    # 1e-9 .. 1, four per decade
SEARCH_UPDATES = 500          # the grid's runs: the best rate is the one with the lowest loss after these
START_SPREAD = 0.1            # a start is w ~ N(0, 0.1^2) per weight, drawn from its seed


@functools.lru_cache(maxsize=1)
def wine_alcohol():
    """(X (178, 12), y (178,), feature names): the 12 other measurements and the alcohol, float64."""
    data = load_wine()
    X, y = data.data[:, 1:].copy(), data.data[:, 0].copy()
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y, tuple(data.feature_names[1:])


def standardise(X):
    """Each feature shifted to mean 0 and scaled to standard deviation 1: (X - mean) / std."""
    X = np.asarray(X, dtype=float)
    return (X - X.mean(axis=0)) / X.std(axis=0)


def with_bias(X):
    """A = [X, 1], shape (N, D + 1): the last weight is the bias."""
    return np.c_[X, np.ones(len(X))]


def curvature(X):
    """Eigenvalues of the Hessian H = A^T A / N of the mean squared error, smallest first."""
    A = with_bias(X)
    return np.linalg.eigvalsh(A.T @ A / len(A))


def condition_number(X):
    """lambda_max / lambda_min of the loss's curvature: 1 is a round bowl, large is a long ravine."""
    eigenvalues = curvature(X)
    return float(eigenvalues[-1] / eigenvalues[0])


def lowest_loss(X, y):
    """The least-squares optimum's loss, mean((A w* - y)^2) / 2 (what descent converges to)."""
    A = with_bias(X)
    w = np.linalg.lstsq(A, y, rcond=None)[0]
    return float(np.mean((A @ w - y) ** 2) / 2)


def start(X, seed):
    """A start for X's weights (and bias): w ~ N(0, 0.1^2), drawn from the seed."""
    return np.random.default_rng(seed).normal(0.0, START_SPREAD, size=np.shape(X)[1] + 1)


def descent_losses(X, y, lr, updates, w0):
    """Full-batch gradient descent on the mean squared error from w0; the loss before each update
    and after the last, shape (updates + 1,) (inf from the first overflow on).

    Runs several descents at once when lr is an array (K,) and w0 a matrix (D + 1, K), one
    column each: then the losses have shape (updates + 1, K)."""
    A, y = with_bias(X), np.asarray(y, dtype=float)
    single = np.ndim(w0) == 1
    W = np.array(w0, dtype=float).reshape(len(A[0]), -1)              # (D + 1, K)
    lr = np.broadcast_to(np.asarray(lr, dtype=float), (W.shape[1],))
    losses = np.empty((updates + 1, W.shape[1]))
    Y, n = y[:, None], len(A)
    # In place, and the mean as a sum over N after the loop: the same roundings as
    # mean(residual ** 2) / 2 and W - lr * (A^T residual) / N, in about two thirds of the time.
    with np.errstate(all="ignore"):
        for step in range(updates + 1):
            residual = A @ W                                            # (N, K)
            residual -= Y
            losses[step] = np.add.reduce(residual * residual, axis=0)
            change = A.T @ residual                                     # dL/dw = A^T (A w - y) / N
            change *= lr
            change /= n
            W -= change
    losses /= n
    losses /= 2
    losses[np.logical_or.accumulate(~np.isfinite(losses), axis=0)] = np.inf
    return losses[:, 0] if single else losses


def best_rate(X, y, w0, rates=RATES, updates=SEARCH_UPDATES):
    """The rate of the grid with the lowest loss after `updates` updates from w0 (ties: the smaller).
    w0 may be a matrix (D + 1, K) of starts: then one best rate per start, shape (K,)."""
    W0 = np.array(w0, dtype=float).reshape(np.shape(X)[1] + 1, -1)    # (D + 1, K)
    starts, grid = W0.shape[1], np.asarray(rates, dtype=float)
    finals = descent_losses(X, y, np.tile(grid, starts), updates, np.repeat(W0, len(grid), axis=1))[-1]
    best = grid[np.argmin(finals.reshape(starts, len(grid)), axis=1)]
    return float(best[0]) if np.ndim(w0) == 1 else best


def updates_to_reach(losses, target):
    """The first update count at which the loss is at or below target, or None if it never is."""
    reached = np.flatnonzero(np.asarray(losses) <= target)
    return int(reached[0]) if len(reached) else None


@functools.lru_cache(maxsize=16)
def compare_starts(seeds, target, budget=20_000):
    """For each start (its seed) and for raw and standardised features: the best rate from the
    grid, the updates to reach the loss `target` (None if not within budget) and the loss after
    `budget`. A list of dicts, one per seed; every start runs at once (one descent per column)."""
    X, y, _ = wine_alcohol()
    seeds = tuple(seeds)
    rows = [{} for _ in seeds]
    for name, features in (("raw", X), ("standardised", standardise(X))):
        W0 = np.stack([start(features, seed) for seed in seeds], axis=1)     # (D + 1, starts)
        lrs = best_rate(features, y, W0)
        losses = descent_losses(features, y, lrs, budget, W0)               # (budget + 1, starts)
        for k, row in enumerate(rows):
            row[name] = dict(lr=float(lrs[k]), updates=updates_to_reach(losses[:, k], target),
                             final=float(losses[-1, k]), condition=condition_number(features))
    return rows


def raw_against_standardised(seed, target, budget=20_000):
    """compare_starts for one start."""
    return compare_starts((seed,), target, budget)[0]


def print_comparison(seeds, target, budget=20_000):
    """One line per start: each feature scaling's best rate, updates to reach `target`, final loss."""
    print(f"{'start':>5} | {'raw: best lr':>12} {'updates':>8} {'loss at ' + format(budget, ','):>15} | "
          f"{'standardised: best lr':>21} {'updates':>8} {'loss at ' + format(budget, ','):>15}")
    for seed, row in zip(seeds, compare_starts(tuple(seeds), target, budget)):
        cells = []
        for name in ("raw", "standardised"):
            r = row[name]
            reached = f"{r['updates']:,}" if r["updates"] is not None else f"> {budget:,}"
            cells.append(f"{r['lr']:>{12 if name == 'raw' else 21}.3g} {reached:>8} {r['final']:>15.3f}")
        print(f"{seed:>5} | {cells[0]} | {cells[1]}")
