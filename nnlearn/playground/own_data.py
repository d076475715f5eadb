"""Your own data for the playground, checked: an (N, 2) array with labels, a pandas DataFrame or a
CSV file, brought into Playground's plane. Every mistake is a ValueError or TypeError naming the
argument, and a CSV's mistakes name the line of the file (as an editor numbers it, header = line 1).
"""

import csv
import os

import numpy as np

from .._checks import describe
from .data import RADIUS

PROBLEMS = ("classification", "regression")
PROJECTIONS = (None, "pca")
MIN_ROWS = 10
MAX_CLASSES = 5                    # the colours the pictures tell apart (nnlearn.plots.boundaries.CLASS_COLOURS)


def _read_csv(path):
    """({column: list of strings}, {column: ...}, the file's line number of every data row)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:       # -sig: Excel's byte-order mark
            lines = list(csv.reader(handle))
    except UnicodeDecodeError as error:
        raise ValueError(f"playground: {path} is not UTF-8 text (byte {error.object[error.start]:#x} at "
                         f"position {error.start}); save it as UTF-8 (Excel: 'CSV UTF-8'), or read it with "
                         f"pandas.read_csv(path, encoding='latin-1') and pass the DataFrame") from None
    except FileNotFoundError:
        raise ValueError(f"playground: no file {str(path)!r} (the working directory is {os.getcwd()})") from None
    numbered = [(number, row) for number, row in enumerate(lines, start=1) if any(cell.strip() for cell in row)]
    if len(numbered) < 2:
        raise ValueError(f"playground: {path} holds no rows under its header")
    header = [name.strip() for name in numbered[0][1]]
    if len(set(header)) != len(header) or "" in header:
        raise ValueError(f"playground: {path}, line {numbered[0][0]}: the header needs a distinct name for every "
                         f"column, got {header}")
    for number, row in numbered[1:]:
        if len(row) != len(header):
            raise ValueError(f"playground: {path}, line {number}: {len(row)} values under a header of "
                             f"{len(header)} columns {header}")
    table = {name: [row[i] for _number, row in numbered[1:]] for i, name in enumerate(header)}
    return table, [number for number, _row in numbered[1:]]


def _column(values, name, where):
    """A column as floats; a value that is not a number is named with where(row) (its line or row)."""
    out = np.empty(len(values))
    for row, value in enumerate(values):
        if value is None or (isinstance(value, str) and value.strip() == ""):
            raise ValueError(f"playground: {where(row)}: {name!r} is missing")
        try:
            out[row] = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"playground: {where(row)}: column {name!r} must hold numbers, got {value!r}") from None
        if not np.isfinite(out[row]):
            raise ValueError(f"playground: {where(row)}: {name!r} is not finite ({value!r})")
    return out


def _check_options(problem, projection, label, columns):
    if problem not in PROBLEMS:
        raise ValueError(f"playground: problem must be 'classification' or 'regression', got {problem!r}")
    if projection not in PROJECTIONS:
        raise ValueError(f"playground: projection must be None or 'pca', got {projection!r}")
    if label is not None and not isinstance(label, str):
        raise TypeError(f"playground: label must be the name of a column, got {describe(label)}")
    if columns is not None and (isinstance(columns, str) or not isinstance(columns, (tuple, list))):
        raise TypeError(f"playground: columns must be a pair such as ('a', 'b'), got {describe(columns)}")


def _from_table(data, columns, label):
    """(X, y, names) of a CSV path or a DataFrame, by column names."""
    if isinstance(data, (str, os.PathLike)):
        table, lines = _read_csv(data)
        where = lambda row: f"{os.fspath(data)}, line {lines[row]}"                   # noqa: E731
    else:
        table = {str(name): list(data[name]) for name in data.columns}
        where = lambda row: f"row {row}"                                            # noqa: E731
    if label is None:
        raise ValueError(f"playground: name the label column with label=..., one of {list(table)}")
    names = [c for c in table if c != label] if columns is None else list(columns)
    if label in names:
        raise ValueError(f"playground: the label column {label!r} cannot be a feature too (columns={tuple(names)})")
    for name in names + [label]:
        if name not in table:
            raise ValueError(f"playground: column {name!r} is not in the data; columns: {list(table)}")
    X = np.column_stack([_column(table[name], name, where) for name in names])
    return X, _column(table[label], label, where), names


def _from_arrays(data, y, columns):
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
        bad = [c for c in columns if not isinstance(c, (int, np.integer)) or not -X.shape[1] <= c < X.shape[1]]
        if bad:
            raise ValueError(f"playground: columns must be indices of X's {X.shape[1]} columns, got {list(columns)}")
        X, names = X[:, list(columns)], [f"column {i}" for i in columns]
    missing = np.argwhere(~np.isfinite(X))
    if len(missing):
        row, col = missing[0]
        raise ValueError(f"playground: row {row}, {names[col]!r} is missing or not finite ({X[row, col]})")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"playground: the label of row {int(np.argmax(~np.isfinite(y)))} is missing or not finite")
    return X, y, names


def _labels(y, problem):
    if problem == "regression":
        return y.astype(float)
    if y.dtype.kind == "f" and not np.all(y == np.round(y)):
        row = int(np.argmax(y != np.round(y)))
        raise ValueError(f"playground: classification labels must be integers; row {row} has {y[row]} "
                         "(use problem='regression' for real-valued targets)")
    y = y.astype(np.int64)
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError(f"playground: classification needs two classes at least; every label is {classes[0]}")
    if classes.min() < 0 or classes.max() >= MAX_CLASSES:
        raise ValueError(f"playground: class labels must be 0 .. {MAX_CLASSES - 1}, got {classes.min()} .. {classes.max()}")
    return y


def to_plane(X):
    """Points into Playground's plane ([-5, 5] on each axis), without overflow near 1e308:
    divide by the largest size first, then centre and stretch."""
    size = np.abs(X).max(axis=0)
    X = X / np.where(size > 0, size, 1.0)                       # now within [-1, 1]
    centre = X.mean(axis=0)
    spread = np.abs(X - centre).max(axis=0)
    return (X - centre) / np.where(spread > 0, spread, 1.0) * (RADIUS - 1)


def user_data(data, y=None, *, columns=None, label=None, problem="classification", projection=None):
    """Check and shape your own data: (X (N, 2) floats in the plane, y (N,)) for the playground.

    data: an (N, 2) array with y; a pandas DataFrame or a CSV path (str or pathlib.Path) with
    columns=(a, b) and label=c. More than two feature columns need `columns=(a, b)` or
    projection="pca" (the first two principal components). Classification labels must be integers
    0 .. 4, with two classes at least.
    """
    _check_options(problem, projection, label, columns)
    if isinstance(data, (str, os.PathLike)) or hasattr(data, "columns"):
        X, y, names = _from_table(data, columns, label)
    else:
        X, y, names = _from_arrays(data, y, columns)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"playground: y must have one label per row of X ({len(X)}), got shape {y.shape}")
    if len(X) < MIN_ROWS:
        raise ValueError(f"playground: need at least {MIN_ROWS} rows, got {len(X)}")
    if X.shape[1] > 2:
        if projection != "pca":
            raise ValueError(f"playground: the data has {X.shape[1]} feature columns ({', '.join(map(str, names))}); "
                             "choose two with columns=(a, b), or pass projection='pca'")
        from sklearn.decomposition import PCA
        X = PCA(n_components=2).fit_transform(X / max(np.abs(X).max(), 1e-300))   # one scale: the same axes
    elif X.shape[1] != 2:
        raise ValueError(f"playground: need two feature columns, got {X.shape[1]}")
    return to_plane(X), _labels(y, problem)
