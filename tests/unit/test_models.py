"""nl.mlp: the one multilayer-perceptron builder."""

import numpy as np
import pytest

import nnlearn as nl


def test_mlp_layers_and_shapes():
    model = nl.mlp([2, 16, 8, 3], activation="tanh", dropout=0.2, rng=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"]
    assert model(np.zeros((5, 2))).shape == (5, 3)


def test_mlp_draws_like_linear_layers_from_one_generator():
    rng = np.random.default_rng(3)
    by_hand = nl.Sequential(nl.Linear(2, 4, rng=rng), nl.ReLU(), nl.Linear(4, 1, rng=rng))
    built = nl.mlp([2, 4, 1], rng=3)
    for a, b in zip(by_hand.parameters(), built.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_mlp_linear_activation_and_dtype():
    model = nl.mlp([3, 5, 2], activation="linear", dtype=np.float32, init="he", rng=1)
    assert [type(layer).__name__ for layer in model.layers] == ["Linear", "Linear"]
    assert model(np.ones((2, 3), dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(sizes=[2]), ValueError, "at least two"),
    (dict(sizes="23"), ValueError, "sizes"),
    (dict(sizes=[2, 0, 1]), ValueError, "at least 1"),
    (dict(sizes=[2, 1.5, 1]), TypeError, "integer"),
    (dict(sizes=[2, 1], activation="softplus"), ValueError, "activation"),
    (dict(sizes=[2, 3, 1], dropout=1.0), ValueError, "dropout"),
    (dict(sizes=[2, 3, 1], rng=-1), ValueError, "rng"),
])
def test_mlp_bad_input_names_the_argument(kwargs, error, words):
    with pytest.raises(error, match=words):
        nl.mlp(**kwargs)
