"""Playground's datasets (its dataset.ts, in numpy with a seed), the input features, and your own data."""

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
    "blobs": (_blobs, "classification"),
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


def make_features(X, features):
    """The network's inputs: one column per selected feature. Shapes: X (N, 2) -> (N, len(features))."""
    return np.column_stack([FEATURES[name](X) for name in features])


# --- your own data ------------------------------------------------------------------------------

def _read_csv(path):
    """{column: list of strings} of a CSV file with a header row."""
    import csv
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        raise ValueError(f"playground: {path} holds no rows under its header")
    return {name: [row[name] for row in rows] for name in rows[0]}


def _column(values, name):
    """A column as floats; a value that is not a number is named with its row."""
    out = np.empty(len(values))
    for row, value in enumerate(values):
        if isinstance(value, str) and value.strip() == "":
            out[row] = np.nan
            continue
        try:
            out[row] = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"playground: column {name!r} must hold numbers; row {row} holds {value!r}") from None
    return out


def user_data(data, y=None, *, columns=None, label=None, problem="classification", projection=None):
    """Check and shape your own data: (X (N, 2) floats in the plane, y (N,)) for the playground.

    data: an (N, 2) array with y; a pandas DataFrame or a CSV path with columns=(a, b) and label=c.
    More than two feature columns need `columns=(a, b)` or projection="pca" (the first two
    principal components). Classification labels must be integers 0 .. 7, with two classes at least.
    """
    if isinstance(data, str) or hasattr(data, "columns"):                 # a CSV path or a DataFrame
        table = _read_csv(data) if isinstance(data, str) else {name: list(data[name]) for name in data.columns}
        if label is None:
            raise ValueError(f"playground: name the label column with label=..., one of {list(table)}")
        names = [c for c in table if c != label] if columns is None else list(columns)
        for name in names + [label]:
            if name not in table:
                raise ValueError(f"playground: column {name!r} is not in the data; columns: {list(table)}")
        X = np.column_stack([_column(table[name], name) for name in names])
        y = _column(table[label], label)
    else:
        if y is None:
            raise ValueError("playground: give the labels too: playground(X, y)")
        X, y = np.asarray(data), np.asarray(y)
        if X.dtype.kind not in "biuf":
            raise ValueError(f"playground: X must hold numbers, got dtype {X.dtype}")
        if y.dtype.kind not in "biuf":
            raise ValueError(f"playground: y must hold numbers, got dtype {y.dtype}")
        if X.ndim != 2:
            raise ValueError(f"playground: X must have shape (N, 2), got shape {X.shape}")
        X = X.astype(float)
        names = [f"column {i}" for i in range(X.shape[1])]
        if columns is not None:
            X, names = X[:, list(columns)], [f"column {i}" for i in columns]
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"playground: y must have one label per row of X ({len(X)}), got shape {y.shape}")
    missing = np.argwhere(~np.isfinite(X))
    if len(missing):
        row, col = missing[0]
        raise ValueError(f"playground: row {row}, {names[col]!r} is missing or not finite ({X[row, col]})")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"playground: the label of row {int(np.argmax(~np.isfinite(y)))} is missing or not finite")
    if X.shape[1] > 2:
        if projection != "pca":
            raise ValueError(f"playground: the data has {X.shape[1]} feature columns ({', '.join(map(str, names))}); "
                             "choose two with columns=(a, b), or pass projection='pca'")
        from sklearn.decomposition import PCA
        X = PCA(n_components=2).fit_transform(X)
    elif X.shape[1] != 2:
        raise ValueError(f"playground: need two feature columns, got {X.shape[1]}")
    if len(X) < 10:
        raise ValueError(f"playground: need at least 10 rows, got {len(X)}")
    if problem == "classification":
        if y.dtype.kind == "f" and not np.all(y == np.round(y)):
            row = int(np.argmax(y != np.round(y)))
            raise ValueError(f"playground: classification labels must be integers; row {row} has {y[row]} "
                             "(use problem='regression' for real-valued targets)")
        y = y.astype(np.int64)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(f"playground: classification needs two classes at least; every label is {classes[0]}")
        if classes.min() < 0 or classes.max() >= 8:
            raise ValueError(f"playground: class labels must be 0 .. 7, got {classes.min()} .. {classes.max()}")
    else:
        y = y.astype(float)
    # Into Playground's plane, so the heatmaps and the features (sin, squares) behave alike.
    centre = X.mean(axis=0)
    spread = np.abs(X - centre).max(axis=0)
    X = (X - centre) / np.where(spread > 0, spread, 1.0) * (RADIUS - 1)
    return X, y


