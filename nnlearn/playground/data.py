"""Playground's datasets (its dataset.ts, in numpy with a seed) and the input features.
Your own data is checked and shaped in own_data.py."""

import math

import numpy as np

RADIUS = 6.0                       # Playground's plane is [-6, 6] x [-6, 6]



def _circle(n, noise, rng):
    radius = 5.0
    def label(points):
        return (np.hypot(points[:, 0], points[:, 1]) < radius * 0.5).astype(np.int64)
    half = n // 2
    r = np.concatenate([rng.uniform(0, radius * 0.5, half), rng.uniform(radius * 0.7, radius, n - half)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    shift = rng.uniform(-radius, radius, (n, 2)) * noise          # noise moves the label, not the point
    return X, label(X + shift)


def _xor(n, noise, rng):
    X = rng.uniform(-5, 5, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)                               # Playground's padding off the axes
    shift = rng.uniform(-5, 5, (n, 2)) * noise
    moved = X + shift
    return X, (moved[:, 0] * moved[:, 1] >= 0).astype(np.int64)


def _gauss(n, noise, rng):
    variance = 0.5 + 3.5 * (noise / 0.5)                          # noise 0 .. 0.5 -> variance 0.5 .. 4
    half = n // 2
    centres = np.repeat([[2.0, 2.0], [-2.0, -2.0]], [half, n - half], axis=0)
    X = centres + rng.normal(0, math.sqrt(variance), (n, 2))
    return X, np.repeat([1, 0], [half, n - half]).astype(np.int64)


def _spiral(n, noise, rng):
    half = n // 2
    parts, labels = [], []
    for delta, klass, size in ((0.0, 1, half), (np.pi, 0, n - half)):
        i = np.arange(size)
        r = i / size * 5
        t = 1.75 * i / size * 2 * np.pi + delta
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1, 1, (size, 2)) * noise)
        labels.append(np.full(size, klass))
    return np.concatenate(parts), np.concatenate(labels).astype(np.int64)


def _blobs(n, noise, rng):
    """Three classes (beyond Playground): gaussian blobs at the corners of a triangle."""
    centres = np.array([[0.0, 3.5], [-3.0, -2.0], [3.0, -2.0]])
    y = np.arange(n) % 3
    return centres[y] + rng.normal(0, 0.6 + 2 * noise, (n, 2)), y.astype(np.int64)


def _blobs_around(classes):
    """`classes` gaussian blobs on a circle of radius 3.5 (beyond Playground: more than three classes)."""
    angles = np.pi / 2 + 2 * np.pi * np.arange(classes) / classes
    centres = 3.5 * np.column_stack([np.cos(angles), np.sin(angles)])

    def generate(n, noise, rng):
        y = np.arange(n) % classes
        return centres[y] + rng.normal(0, 0.5 + 1.5 * noise, (n, 2)), y.astype(np.int64)
    return generate


# The function-boundary sets (TF Playground's issue #252): the class is the side of a curve x2 = f(x1).
BOUNDARIES = {"sine": lambda x: 3 * np.sin(x), "cubic": lambda x: x ** 3 / 20, "abs": lambda x: np.abs(x) - 2}


def _boundary(curve):
    def generate(n, noise, rng):
        X = rng.uniform(-RADIUS + 0.5, RADIUS - 0.5, (n, 2))
        moved = X + rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise       # noise moves the label, not the point
        return X, (moved[:, 1] > curve(moved[:, 0])).astype(np.int64)
    generate.__doc__ = "Class 1 above the curve, 0 below."
    return generate


def _plane(n, noise, rng):
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    shift = rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise
    return X, np.clip((X + shift).sum(axis=1) / 10, -1, 1)


GAUSSIANS = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]


def _multigauss(n, noise, rng):
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    moved = X + rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise
    labels = np.zeros(n)
    for cx, cy, sign in GAUSSIANS:
        value = sign * np.clip(1 - np.hypot(moved[:, 0] - cx, moved[:, 1] - cy) / 2, 0, 1)
        labels = np.where(np.abs(value) > np.abs(labels), value, labels)
    return X, labels


DATASETS = {                       # name -> (generator, problem)
    "circle": (_circle, "classification"), "xor": (_xor, "classification"),
    "gauss": (_gauss, "classification"), "spiral": (_spiral, "classification"),
    "blobs": (_blobs, "classification"), "blobs4": (_blobs_around(4), "classification"),
    "blobs5": (_blobs_around(5), "classification"),
    **{name: (_boundary(curve), "classification") for name, curve in BOUNDARIES.items()},
    "plane": (_plane, "regression"), "multigauss": (_multigauss, "regression"),
}

FEATURES = {                       # name -> function of the (N, 2) points
    "x1": lambda X: X[:, 0], "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2, "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin(x1)": lambda X: np.sin(X[:, 0]), "sin(x2)": lambda X: np.sin(X[:, 1]),
}



def make_data(dataset, n_points, noise, train_percent, seed):
    """(X_train, y_train, X_test, y_test) of one of DATASETS, split as Playground splits it."""
    generate, _problem = DATASETS[dataset]
    rng = np.random.default_rng(seed)
    X, y = generate(n_points, noise / 100, rng)
    X = np.clip(X, -RADIUS, RADIUS)                              # a point off the picture would be invisible
    order = rng.permutation(len(X))
    cut = int(round(len(X) * train_percent / 100))
    return X[order[:cut]], y[order[:cut]], X[order[cut:]], y[order[cut:]]


def drawn_data(points):
    """Points drawn on the plane, (x1, x2, class) each, as (X (N, 2), y (N,) int64): already in the plane."""
    array = np.asarray(points, dtype=float).reshape(-1, 3)
    return array[:, :2], array[:, 2].astype(np.int64)


def make_features(X, features):
    """The network's inputs: one column per selected feature. Shapes: X (N, 2) -> (N, len(features))."""
    return np.column_stack([FEATURES[name](X) for name in features])
