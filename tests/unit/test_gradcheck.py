"""The gradient checker itself: exact on functions with known derivatives, silent about correct
layers, loud about a wrong one."""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.gradcheck import relative_error


def test_numerical_gradient_of_a_cubic_is_three_x_squared():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = nl.numerical_gradient(lambda a: float(np.sum(a**3)), x)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8)
    assert grad.shape == x.shape


def test_numerical_gradient_restores_the_array_exactly():
    x = np.random.default_rng(0).normal(size=(3, 4))
    original = x.copy()
    nl.numerical_gradient(lambda a: float(np.sum(np.sin(a))), x)
    np.testing.assert_array_equal(x, original)


def test_numerical_gradient_works_through_a_closure_over_a_parameter():
    layer = nl.Linear(2, 1, bias=False)
    layer.weight.data[...] = [[2.0], [-1.0]]
    x = np.array([[1.0, 3.0]])
    grad = nl.numerical_gradient(lambda _: float(layer(x).sum() ** 2), layer.weight.data)
    # f = (2 - 3)^2 -> df/dW = 2 (x W) x^T = -2 [1, 3]^T
    np.testing.assert_allclose(grad, [[-2.0], [-6.0]], rtol=1e-8)


def test_relative_error_is_the_cs231n_formula():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 4.2)
    assert relative_error([0.0], [1e-12]) == pytest.approx(1e-12 / 1e-8)     # floor of 1e-8 on the scale


def test_gradcheck_of_a_correct_network_is_tiny():
    rng = np.random.default_rng(1)
    model = nl.Sequential(nl.Linear(2, 3, rng=rng), nl.Tanh(), nl.Linear(3, 2, rng=rng))
    x, labels = rng.normal(size=(3, 2)), np.array([0, 1, 1])
    assert nl.gradcheck(model, nl.CrossEntropyLoss(), x, labels) < 1e-7


class LinearWithBiasBug(nl.Linear):
    """A planted bug: dL/db uses the mean over the batch instead of the sum."""

    def backward(self, grad_output):
        grad_input = super().backward(grad_output)
        self.bias.grad -= grad_output.sum(axis=0)
        self.bias.grad += grad_output.mean(axis=0)
        return grad_input


class TanhWithWrongDerivative(nl.Tanh):
    """A planted bug: 1 - y instead of 1 - y^2."""

    def derivative(self, x, y=None):
        return 1 - self._function(x)


@pytest.mark.parametrize("model", [
    nl.Sequential(LinearWithBiasBug(2, 2, rng=2)),
    nl.Sequential(nl.Linear(2, 3, rng=3), TanhWithWrongDerivative(), nl.Linear(3, 2, rng=4)),
], ids=["bias-mean-instead-of-sum", "tanh-derivative"])
def test_gradcheck_catches_a_wrong_backward_pass(model):
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    assert nl.gradcheck(model, nl.MSELoss(), x, y) > 1e-2


def test_gradcheck_leaves_gradients_and_weights_as_they_were():
    rng = np.random.default_rng(6)
    model = nl.Sequential(nl.Linear(2, 2, rng=rng))
    for param in model.parameters():
        param.grad[...] = 7.0
    before = [p.data.copy() for p in model.parameters()]
    nl.gradcheck(model, nl.MSELoss(), rng.normal(size=(3, 2)), rng.normal(size=(3, 2)))
    assert all(np.all(p.grad == 7.0) for p in model.parameters())
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before))


def test_gradcheck_refuses_float32_parameters():
    model = nl.Sequential(nl.Linear(2, 1, dtype=np.float32, rng=0))
    with pytest.raises(TypeError, match="float64"):
        nl.gradcheck(model, nl.MSELoss(), np.ones((2, 2), dtype=np.float32), np.ones((2, 1)))


def test_gradcheck_refuses_a_model_without_parameters():
    with pytest.raises(ValueError, match="no parameters"):
        nl.gradcheck(nl.Sequential(nl.Tanh()), nl.MSELoss(), np.ones((2, 2)), np.ones((2, 2)))


@pytest.mark.parametrize("f, array, eps, error, match", [
    ("not a function", np.ones(2), 1e-6, TypeError, "f must be a function"),
    (np.sum, np.array([1, 2]), 1e-6, TypeError, "array must be a float numpy array"),
    (np.sum, [1.0, 2.0], 1e-6, TypeError, "array must be a float numpy array"),
    (np.sum, np.ones(2), 0.0, ValueError, "eps"),
    (np.sum, np.ones(2), -1e-6, ValueError, "eps"),
])
def test_numerical_gradient_refuses_bad_arguments(f, array, eps, error, match):
    with pytest.raises(error, match=match):
        nl.numerical_gradient(f, array, eps)
