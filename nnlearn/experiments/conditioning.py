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
    and after the last, shape (updates + 1,) (inf from the first overflow on)."""
    A, y = with_bias(X), np.asarray(y, dtype=float)
    w = np.array(w0, dtype=float)
    losses = np.full(updates + 1, np.inf)
    with np.errstate(all="ignore"):
        for step in range(updates + 1):
            residual = A @ w - y                                   # (N,)
            loss = float(np.mean(residual ** 2) / 2)
            if not np.isfinite(loss):
                break
            losses[step] = loss
            w = w - lr * (A.T @ residual) / len(A)                 # dL/dw = A^T (A w - y) / N
    return losses


def best_rate(X, y, w0, rates=RATES, updates=SEARCH_UPDATES):
    """The rate of the grid with the lowest loss after `updates` updates from w0 (ties: the smaller)."""
    finals = [descent_losses(X, y, lr, updates, w0)[-1] for lr in rates]
    return float(rates[int(np.argmin(finals))])


def updates_to_reach(losses, target):
    """The first update count at which the loss is at or below target, or None if it never is."""
    reached = np.flatnonzero(np.asarray(losses) <= target)
    return int(reached[0]) if len(reached) else None


@functools.lru_cache(maxsize=64)
def raw_against_standardised(seed, target, budget=20_000):
    """One start (its seed): for raw and standardised features, the best rate from the grid, the
    updates to reach the loss `target` (None if not within budget) and the loss after `budget`."""
    X, y, _ = wine_alcohol()
    result = {}
    for name, features in (("raw", X), ("standardised", standardise(X))):
        w0 = start(features, seed)
        lr = best_rate(features, y, w0)
        losses = descent_losses(features, y, lr, budget, w0)
        result[name] = dict(lr=lr, updates=updates_to_reach(losses, target), final=float(losses[-1]),
                            condition=condition_number(features))
    return result


def print_comparison(seeds, target, budget=20_000):
    """One line per start: each feature scaling's best rate, updates to reach `target`, final loss."""
    print(f"{'start':>5} | {'raw: best lr':>12} {'updates':>8} {'loss at ' + format(budget, ','):>15} | "
          f"{'standardised: best lr':>21} {'updates':>8} {'loss at ' + format(budget, ','):>15}")
    for seed in seeds:
        row = raw_against_standardised(seed, target, budget)
        cells = []
        for name in ("raw", "standardised"):
            r = row[name]
            reached = f"{r['updates']:,}" if r["updates"] is not None else f"> {budget:,}"
            cells.append(f"{r['lr']:>{12 if name == 'raw' else 21}.3g} {reached:>8} {r['final']:>15.3f}")
        print(f"{seed:>5} | {cells[0]} | {cells[1]}")
