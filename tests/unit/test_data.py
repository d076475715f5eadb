"""Tests for nnlearn.data: the datasets, the train/validation split and mini-batches."""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn import data

CLASSIFICATION = {
    "moons": (data.moons, 200, 2),
    "circles": (data.circles, 200, 2),
    "blobs": (data.blobs, 200, 3),
    "spirals": (data.spirals, 300, 3),
    "xor": (data.xor, 200, 2),
}


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classification_sets_have_the_documented_shapes_dtypes_and_classes(name):
    loader, n, classes = CLASSIFICATION[name]
    X, y = loader(rng=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(classes))
    assert np.all(np.isfinite(X))
    assert np.all(np.abs(X.mean(axis=0)) < 1.0)          # roughly centred
    assert np.abs(X).max() < 4.0                          # roughly scaled to [-2, 2]


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_same_seed_gives_the_same_data_and_another_seed_other_data(name):
    loader = CLASSIFICATION[name][0]
    X1, y1 = loader(rng=3)
    X2, y2 = loader(rng=3)
    X3, _ = loader(rng=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    X4, _ = loader(rng=np.random.default_rng(3))
    X5, _ = loader(rng=np.random.default_rng(3))
    np.testing.assert_array_equal(X4, X5)


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_loaders_honour_the_dtype_keyword(name):
    X, y = CLASSIFICATION[name][0](rng=0, dtype=np.float32)
    assert X.dtype == np.float32 and y.dtype == np.int64


def test_loaders_take_the_number_of_examples():
    for loader in (data.moons, data.circles, data.blobs, data.spirals, data.xor):
        X, y = loader(n=37, rng=1)
        assert X.shape == (37, 2) and y.shape == (37,)


def test_spirals_share_points_evenly_between_arms():
    _, y = data.spirals(n=100, classes=3, rng=0)
    assert np.bincount(y).tolist() == [34, 33, 33]


def test_xor_labels_are_one_where_exactly_one_coordinate_is_positive_without_noise():
    X, y = data.xor(n=500, noise=0.0, rng=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))


def test_a_small_network_learns_moons_quickly():
    X, y = data.moons(n=200, noise=0.1, rng=0)
    model = nl.Sequential(nl.Linear(2, 16, rng=0), nl.Tanh(), nl.Linear(16, 2, rng=1))
    history = nl.fit(model, nl.CrossEntropyLoss(), nl.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                     X, y, epochs=300, rng=0)
    assert history.epoch_accuracy[-1] > 0.95


def test_line_with_outliers_is_a_column_regression_set_with_points_far_above_the_line():
    X, y = data.line_with_outliers(n=30, slope=2.0, intercept=1.0, noise=0.3, n_outliers=3, rng=0)
    assert X.shape == (30, 1) and y.shape == (30, 1)
    assert X.dtype == np.float64 and y.dtype == np.float64
    residual = (y - (2.0 * X + 1.0)).ravel()
    assert np.sum(residual > 5.0) == 3                     # the outliers, far above
    assert np.all(np.abs(np.sort(residual)[:27]) < 1.5)    # the rest, near the line
    assert np.all(np.diff(X.ravel()) >= 0)                 # sorted, easy to draw as a line
    X32, y32 = data.line_with_outliers(rng=0, dtype=np.float32)
    assert X32.dtype == np.float32 and y32.dtype == np.float32


def test_line_with_outliers_can_have_no_outliers_and_refuses_too_many():
    X, y = data.line_with_outliers(n=10, noise=0.0, n_outliers=0, rng=0)
    np.testing.assert_allclose(y, 2.0 * X + 1.0)
    with pytest.raises(ValueError, match="n_outliers"):
        data.line_with_outliers(n=5, n_outliers=5)


def test_digits_are_1797_images_of_10_classes_in_unit_range():
    X, y = data.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(10))
    assert X.min() == 0.0 and X.max() == 1.0
    assert X[0].reshape(8, 8).shape == (8, 8)


def test_digits_are_shuffled_by_rng_and_keep_images_with_their_labels():
    X, y = data.digits(shuffle=False)                     # scikit-learn's order
    Xs, ys = data.digits(rng=0)
    Xs2, _ = data.digits(rng=0)
    np.testing.assert_array_equal(Xs, Xs2)
    assert not np.array_equal(X, Xs)
    # each shuffled row is an original row with its original label
    lookup = {row.tobytes(): label for row, label in zip(X, y)}
    assert all(lookup[row.tobytes()] == label for row, label in zip(Xs, ys))
    assert data.digits(dtype=np.float32)[0].dtype == np.float32


def test_rng_none_means_fresh_entropy_for_digits_as_for_every_other_loader():
    # One meaning everywhere: None draws a new order each call; a seed repeats.
    first, second = data.digits()[1], data.digits()[1]
    assert not np.array_equal(first, second)
    assert not np.array_equal(data.moons(rng=None)[0], data.moons(rng=None)[0])
    np.testing.assert_array_equal(data.digits(shuffle=False)[1], data.digits(shuffle=False)[1])


@pytest.mark.parametrize("call, error, match", [
    (lambda: data.moons(n=1), ValueError, "n"),
    (lambda: data.moons(n=2.5), TypeError, "integer"),
    (lambda: data.moons(noise=-1), ValueError, "noise"),
    (lambda: data.circles(factor=1.5), ValueError, "factor"),
    (lambda: data.blobs(centers=0), ValueError, "centers"),
    (lambda: data.blobs(std="big"), TypeError, "std"),
    (lambda: data.spirals(classes=0), ValueError, "classes"),
    (lambda: data.spirals(n=4, classes=3), ValueError, "too small"),
    (lambda: data.xor(rng="seed"), TypeError, "rng"),
    (lambda: data.moons(dtype=np.int32), TypeError, "dtype"),
    (lambda: data.digits(dtype="not a dtype"), TypeError, "dtype"),
    (lambda: data.line_with_outliers(slope=float("nan")), ValueError, "slope"),
])
def test_bad_arguments_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_minibatches_cover_every_example_exactly_once_with_a_last_partial_batch():
    X = np.arange(23 * 2).reshape(23, 2).astype(float)
    y = np.arange(23)
    batches = list(data.minibatches(X, y, batch_size=5, rng=0))
    assert [len(xb) for xb, _ in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen.tolist()) == list(range(23))
    assert not np.array_equal(seen, y)                     # shuffled
    for xb, yb in batches:                                 # rows stay paired
        np.testing.assert_array_equal(xb[:, 0], 2 * yb)


def test_minibatches_without_shuffle_keep_the_order_and_a_big_batch_is_the_full_set():
    X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    batches = list(data.minibatches(X, y, batch_size=2, shuffle=False))
    assert [yb.tolist() for _, yb in batches] == [[0, 1], [2, 3], [4]]
    (only,) = list(data.minibatches(X, y, batch_size=100, rng=0))
    assert len(only[0]) == 5


def test_minibatches_are_seeded():
    X, y = np.zeros((20, 1)), np.arange(20)
    first = [yb.tolist() for _, yb in data.minibatches(X, y, 4, rng=7)]
    again = [yb.tolist() for _, yb in data.minibatches(X, y, 4, rng=7)]
    other = [yb.tolist() for _, yb in data.minibatches(X, y, 4, rng=8)]
    assert first == again and first != other


def test_minibatches_refuse_bad_input():
    with pytest.raises(ValueError, match="same number of rows"):
        list(data.minibatches(np.zeros((4, 2)), np.zeros(3), 2))
    with pytest.raises(ValueError, match="batch_size"):
        list(data.minibatches(np.zeros((4, 2)), np.zeros(4), 0))
    with pytest.raises(TypeError, match="batch_size"):
        list(data.minibatches(np.zeros((4, 2)), np.zeros(4), 2.0))


def test_train_val_split_sizes_are_right_and_the_parts_disjoint():
    X = np.arange(100 * 3).reshape(100, 3).astype(float)
    y = np.arange(100)
    X_train, y_train, X_val, y_val = data.train_val_split(X, y, val_fraction=0.25, rng=0)
    assert X_train.shape == (75, 3) and y_train.shape == (75,)
    assert X_val.shape == (25, 3) and y_val.shape == (25,)
    assert set(y_train.tolist()).isdisjoint(y_val.tolist())
    assert sorted(y_train.tolist() + y_val.tolist()) == list(range(100))
    np.testing.assert_array_equal(X_train[:, 0], 3 * y_train)   # rows stay paired
    again = data.train_val_split(X, y, val_fraction=0.25, rng=0)
    np.testing.assert_array_equal(again[3], y_val)


@pytest.mark.parametrize("fraction, error", [(0.0, ValueError), (1.0, ValueError), (0.001, ValueError),
                                             ("half", TypeError)])
def test_train_val_split_refuses_fractions_that_leave_a_part_empty(fraction, error):
    with pytest.raises(error, match="val_fraction"):
        data.train_val_split(np.zeros((10, 2)), np.zeros(10), val_fraction=fraction)
