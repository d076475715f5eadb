"""Layers: hand-computed forward passes, backward passes against finite differences and PyTorch,
float32 kept end to end."""

import warnings

import numpy as np
import pytest

import nnlearn as nl
from pytorch_reference import import_torch
from nnlearn.gradcheck import relative_error

TOLERANCE = 1e-7          # largest relative error accepted between backprop and finite differences


def away_from_zero(shape, rng, low=0.3, high=2.0):
    """O(1) inputs of both signs that keep clear of the kinks of ReLU and LeakyReLU at 0."""
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def input_gradient_error(layer, x, grad_output):
    """Relative error between layer.backward and finite differences of sum(grad_output * layer(x))."""
    layer(x)
    analytic = layer.backward(grad_output)
    numeric = nl.numerical_gradient(lambda _: float(np.sum(grad_output * layer(x))), x)
    return relative_error(analytic, numeric)


def set_linear(layer, weight, bias=None):
    layer.weight.data[...] = weight
    if bias is not None:
        layer.bias.data[...] = bias


# --- Linear ------------------------------------------------------------------------------------

def test_linear_forward_is_x_times_weight_plus_bias_on_a_hand_set_layer():
    layer = nl.Linear(2, 3)
    set_linear(layer, [[1.0, 0.0, -1.0],
                       [2.0, 1.0, 0.5]], bias=[0.5, -1.0, 0.0])
    x = np.array([[1.0, 1.0],
                  [2.0, -1.0]])
    expected = np.array([[1 + 2 + 0.5, 0 + 1 - 1, -1 + 0.5 + 0],
                         [2 - 2 + 0.5, 0 - 1 - 1, -2 - 0.5 + 0]])
    np.testing.assert_array_equal(layer(x), expected)


def test_linear_without_bias_has_only_a_weight_and_computes_x_times_weight():
    layer = nl.Linear(2, 2, bias=False)
    assert layer.bias is None
    assert layer.parameters() == [layer.weight]
    set_linear(layer, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(layer([[1.0, -1.0]]), [[-2.0, -2.0]])


def test_linear_backward_gives_hand_computed_gradients():
    layer = nl.Linear(2, 1)
    set_linear(layer, [[2.0], [-1.0]], bias=[0.0])
    x = np.array([[1.0, 3.0], [-2.0, 0.5]])
    layer(x)
    grad_input = layer.backward(np.array([[1.0], [2.0]]))
    np.testing.assert_array_equal(layer.weight.grad, [[1 * 1 + -2 * 2], [3 * 1 + 0.5 * 2]])   # x^T g
    np.testing.assert_array_equal(layer.bias.grad, [3.0])                                   # sum of g
    np.testing.assert_array_equal(grad_input, [[2.0, -1.0], [4.0, -2.0]])                   # g W^T


def test_linear_weight_is_stored_in_by_out_and_initialised_within_pytorch_bounds():
    layer = nl.Linear(16, 5, rng=0)
    assert layer.weight.shape == (16, 5) and layer.bias.shape == (5,)
    bound = 1 / np.sqrt(16)
    assert np.all(np.abs(layer.weight.data) <= bound) and np.all(np.abs(layer.bias.data) <= bound)
    assert layer.weight.data.std() > bound / 4          # not all zeros or a constant


@pytest.mark.parametrize("bias", [True, False])
def test_linear_backward_matches_finite_differences(bias):
    rng = np.random.default_rng(1)
    layer = nl.Linear(3, 2, bias=bias, rng=rng)
    x = rng.normal(size=(4, 3))
    y = rng.normal(size=(4, 2)) + 3.0                      # keeps every residual, hence every gradient, O(1)
    assert nl.gradcheck(layer, nl.MSELoss(), x, y) <= TOLERANCE
    assert input_gradient_error(layer, x, rng.normal(size=(4, 2))) <= TOLERANCE


def test_linear_backward_accumulates_gradients_until_they_are_zeroed():
    rng = np.random.default_rng(2)
    layer = nl.Linear(3, 2, rng=rng)
    x, grad_output = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    layer(x)
    layer.backward(grad_output)
    once = layer.weight.grad.copy()
    layer(x)                                    # each backward needs its own forward pass
    layer.backward(grad_output)
    np.testing.assert_allclose(layer.weight.grad, 2 * once, rtol=1e-15)
    layer.zero_grad()
    assert not layer.weight.grad.any() and not layer.bias.grad.any()


# --- activations -------------------------------------------------------------------------------

def test_relu_and_leaky_relu_by_hand():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_array_equal(nl.ReLU()(x), [[0.0, 0.0, 0.0, 0.5, 3.0]])
    np.testing.assert_array_equal(nl.LeakyReLU(0.1)(x), [[-0.2, -0.05, 0.0, 0.5, 3.0]])
    assert nl.LeakyReLU().negative_slope == 0.01


def test_relu_derivative_is_zero_at_zero_as_in_pytorch():
    relu = nl.ReLU()
    relu(np.array([[-1.0, 0.0, 1.0]]))
    np.testing.assert_array_equal(relu.backward(np.ones((1, 3))), [[0.0, 0.0, 1.0]])


def test_sigmoid_and_tanh_by_hand():
    sigmoid, tanh = nl.Sigmoid(), nl.Tanh()
    x = np.array([[0.0, np.log(3.0), -np.log(3.0)]])
    np.testing.assert_allclose(sigmoid(x), [[0.5, 0.75, 0.25]], rtol=1e-15)
    np.testing.assert_allclose(sigmoid.backward(np.ones((1, 3))), [[0.25, 0.1875, 0.1875]], rtol=1e-15)
    x = np.array([[0.0, np.arctanh(0.5)]])
    np.testing.assert_allclose(tanh(x), [[0.0, 0.5]], atol=1e-16, rtol=1e-15)
    np.testing.assert_allclose(tanh.backward(np.ones((1, 2))), [[1.0, 0.75]], rtol=1e-15)


@pytest.mark.parametrize("activation", [nl.ReLU(), nl.LeakyReLU(0.1), nl.Sigmoid(), nl.Tanh()], ids=repr)
def test_activation_backward_matches_finite_differences(activation):
    rng = np.random.default_rng(3)
    x = away_from_zero((4, 3), rng)
    assert input_gradient_error(activation, x, rng.normal(size=(4, 3))) <= TOLERANCE


def test_sigmoid_of_huge_inputs_saturates_without_overflow_warnings():
    sigmoid = nl.Sigmoid()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = sigmoid(np.array([[-1e4, -800.0, 0.0, 800.0, 1e4]]))
        grad = sigmoid.backward(np.ones((1, 5)))
    np.testing.assert_array_equal(y, [[0.0, 0.0, 0.5, 1.0, 1.0]])
    np.testing.assert_array_equal(grad, [[0.0, 0.0, 0.25, 0.0, 0.0]])


# --- Sequential --------------------------------------------------------------------------------

def test_sequential_applies_layers_in_order_and_is_indexable_and_iterable():
    first, second = nl.Linear(2, 2, bias=False), nl.ReLU()
    set_linear(first, [[1.0, 0.0], [0.0, -1.0]])
    model = nl.Sequential(first, second)
    np.testing.assert_array_equal(model([[3.0, 2.0]]), [[3.0, 0.0]])     # ReLU(x W), not W ReLU(x)
    assert model[0] is first and model[1] is second and len(model) == 2
    assert list(model) == [first, second]
    assert list(model[1:]) == [second]


def test_sequential_parameters_lists_every_weight_and_bias_in_order():
    model = nl.Sequential(nl.Linear(2, 3, rng=0), nl.Tanh(), nl.Linear(3, 1, bias=False, rng=1))
    params = model.parameters()
    assert [p.shape for p in params] == [(2, 3), (3,), (3, 1)]
    assert params[0] is model[0].weight and params[2] is model[2].weight


@pytest.mark.parametrize("activation", [nl.ReLU, nl.LeakyReLU, nl.Sigmoid, nl.Tanh])
def test_sequential_backward_matches_finite_differences(activation):
    # A well-scaled problem: two examples, O(1) inputs and weights, so that every gradient entry is
    # far above the ~1e-10 rounding noise of the finite differences.
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Linear(3, 4), activation(), nl.Linear(4, 2))
    for param in model.parameters():
        param.data[...] = away_from_zero(param.shape, rng, low=0.3, high=1.0)
    x, y = away_from_zero((2, 3), rng), rng.normal(size=(2, 2))
    assert np.abs(model[0](x)).min() > 0.1                  # no pre-activation sits near the ReLU kink
    assert nl.gradcheck(model, nl.MSELoss(), x, y) <= TOLERANCE
    assert input_gradient_error(model, x, rng.normal(size=(2, 2))) <= TOLERANCE


def test_sequential_with_cross_entropy_matches_finite_differences():
    rng = np.random.default_rng(5)
    model = nl.Sequential(nl.Linear(2, 5, rng=rng), nl.Tanh(), nl.Linear(5, 3, rng=rng))
    x, labels = rng.normal(size=(4, 2)), np.array([0, 2, 1, 2])
    assert nl.gradcheck(model, nl.CrossEntropyLoss(), x, labels) <= TOLERANCE


# --- against PyTorch ---------------------------------------------------------------------------

def test_layers_match_pytorch_forward_and_backward():
    torch = import_torch()
    rng = np.random.default_rng(6)
    model = nl.Sequential(nl.Linear(3, 4, rng=rng), nl.LeakyReLU(0.2), nl.Linear(4, 4, rng=rng), nl.Sigmoid(),
                          nl.Linear(4, 3, rng=rng), nl.Tanh(), nl.Linear(3, 2, rng=rng), nl.ReLU())
    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.LeakyReLU(0.2), torch.nn.Linear(4, 4),
                                    torch.nn.Sigmoid(), torch.nn.Linear(4, 3), torch.nn.Tanh(),
                                    torch.nn.Linear(3, 2), torch.nn.ReLU()).double()
    with torch.no_grad():
        for ours, theirs in zip(model, reference):
            if isinstance(ours, nl.Linear):
                theirs.weight.copy_(torch.from_numpy(ours.weight.data.T))      # torch stores (out, in)
                theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    x = rng.normal(size=(5, 3))
    grad_output = rng.normal(size=(5, 2))
    x_torch = torch.tensor(x, requires_grad=True)
    out_torch = reference(x_torch)
    out_torch.backward(torch.from_numpy(grad_output))
    out = model(x)
    grad_input = model.backward(grad_output)
    np.testing.assert_allclose(out, out_torch.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad_input, x_torch.grad.numpy(), rtol=1e-12, atol=1e-15)
    for ours, theirs in zip(model, reference):
        if isinstance(ours, nl.Linear):
            np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy().T, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-12, atol=1e-15)


# --- float32 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", [nl.ReLU, nl.LeakyReLU, nl.Sigmoid, nl.Tanh])
def test_float32_layers_give_float32_outputs_and_gradients(activation):
    rng = np.random.default_rng(7)
    model = nl.Sequential(nl.Linear(3, 4, rng=rng, dtype=np.float32), activation(),
                          nl.Linear(4, 2, rng=rng, dtype=np.float32))
    assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())
    x = rng.normal(size=(5, 3)).astype(np.float32)
    out = model(x)
    grad_input = model.backward(np.ones_like(out))
    assert out.dtype == np.float32 and grad_input.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in model.parameters())
    assert np.abs(model[0].weight.grad).sum() > 0


def test_float32_layer_accepts_lists_and_integer_arrays_as_float32():
    layer = nl.Linear(2, 1, dtype=np.float32, rng=0)
    assert layer([[1, 2]]).dtype == np.float32
    assert layer(np.array([[1, 2]])).dtype == np.float32


# --- Dropout, train() and eval() ---------------------------------------------------------------

def test_dropout_in_training_zeroes_about_p_of_the_inputs_and_scales_the_rest_by_one_over_one_minus_p():
    drop = nl.Dropout(0.25, rng=0)
    x = np.ones((200, 50))
    y = drop(x)
    kept = y != 0
    assert abs(kept.mean() - 0.75) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-15)
    assert abs(y.mean() - 1.0) < 0.03                      # the expected output is unchanged


def test_dropout_in_eval_mode_is_the_identity_and_passes_the_gradient_through():
    drop = nl.Dropout(0.5, rng=0).eval()
    assert drop.training is False
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(drop(x), x)
    g = np.ones((2, 3))
    np.testing.assert_array_equal(drop.backward(g), g)


def test_dropout_backward_uses_the_forward_mask_and_matches_finite_differences_with_a_fixed_mask():
    x = np.random.default_rng(1).normal(size=(4, 5))
    g = np.random.default_rng(2).normal(size=(4, 5))
    drop = nl.Dropout(0.4)

    def with_fixed_mask(_):
        drop.rng = np.random.default_rng(3)                 # the same mask on every forward pass
        return float(np.sum(g * drop(x)))

    with_fixed_mask(None)
    analytic = drop.backward(g)
    numeric = nl.numerical_gradient(with_fixed_mask, x)
    assert relative_error(analytic, numeric) < TOLERANCE
    assert np.any(analytic == 0) and np.any(analytic != 0)


def test_dropout_with_the_same_seed_draws_the_same_mask_and_keeps_float32():
    x = np.ones((3, 4), dtype=np.float32)
    first, second = nl.Dropout(0.5, rng=7)(x), nl.Dropout(0.5, rng=7)(x)
    np.testing.assert_array_equal(first, second)
    assert first.dtype == np.float32


def test_dropout_with_p_zero_or_one():
    x = np.ones((2, 3))
    np.testing.assert_array_equal(nl.Dropout(0.0)(x), x)
    np.testing.assert_array_equal(nl.Dropout(1.0)(x), np.zeros((2, 3)))


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
def test_dropout_refuses_a_probability_outside_zero_one(p):
    with pytest.raises(ValueError, match="Dropout: p"):
        nl.Dropout(p)


def test_train_and_eval_set_training_on_every_module_inside_and_return_the_model():
    model = nl.Sequential(nl.Linear(2, 3, rng=0), nl.Dropout(0.5), nl.Sequential(nl.ReLU(), nl.Dropout(0.2)))
    assert all(m.training for m in model.modules())
    assert model.eval() is model and not any(m.training for m in model.modules())
    assert model.train() is model and all(m.training for m in model.modules())
    with pytest.raises(TypeError, match="mode must be True or False"):
        model.train("no")


def test_evaluate_runs_in_eval_mode_and_restores_training_mode():
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Linear(3, 4, rng=rng), nl.Dropout(0.5, rng=rng), nl.Linear(4, 2, rng=rng))
    X, y = rng.normal(size=(6, 3)), np.array([0, 1, 0, 1, 1, 0])
    loss, _ = nl.evaluate(model, nl.CrossEntropyLoss(), X, y)
    assert model.training and model[1].training
    model.eval()
    assert loss == nl.CrossEntropyLoss()(model(X), y)


# --- activation derivatives are public --------------------------------------------------------

@pytest.mark.parametrize("activation, expected", [
    (nl.ReLU(), [0.0, 0.0, 1.0]),
    (nl.LeakyReLU(0.1), [0.1, 0.1, 1.0]),
    (nl.Sigmoid(), [0.25 * 0 + 1 / (1 + np.e) * (1 - 1 / (1 + np.e)), 0.25, 1 / (1 + np.e) * (1 - 1 / (1 + np.e))]),
    (nl.Tanh(), [1 - np.tanh(1.0) ** 2, 1.0, 1 - np.tanh(1.0) ** 2]),
])
def test_activation_derivative_is_public(activation, expected):
    x = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_allclose(activation.derivative(x), expected, rtol=1e-12)
    np.testing.assert_allclose(activation.derivative(x, activation(x)), expected, rtol=1e-12)
    assert activation.derivative(x).dtype == np.float64


# --- lazy zero_grad ----------------------------------------------------------------------------

def test_zero_grad_reads_as_zeros_and_the_next_backward_sets_rather_than_adds():
    rng = np.random.default_rng(4)
    layer = nl.Linear(3, 2, rng=rng)
    x, g = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    layer(x)
    layer.backward(g)
    layer.zero_grad()
    assert not layer.weight.grad.any() and layer.weight.grad.shape == (3, 2)
    layer(x)
    layer.backward(g)
    np.testing.assert_allclose(layer.weight.grad, x.T @ g, rtol=1e-15)
    np.testing.assert_allclose(layer.bias.grad, g.sum(axis=0), rtol=1e-15)
    layer.zero_grad()                                       # zeroed but never read, then set by backward
    layer(x)
    layer.backward(2 * g)
    np.testing.assert_allclose(layer.weight.grad, 2 * x.T @ g, rtol=1e-15)


def test_accumulate_grad_adds_and_never_keeps_a_view_it_was_given():
    param = nl.Parameter(np.zeros(4))
    param.accumulate_grad(np.ones(4))
    param.accumulate_grad(np.ones(4))
    np.testing.assert_array_equal(param.grad, [2.0, 2.0, 2.0, 2.0])
    param.zero_grad()
    source = np.arange(8.0)
    param.accumulate_grad(source[::2])                      # a view: copied in, not taken over
    source[:] = -1
    np.testing.assert_array_equal(param.grad, [0.0, 2.0, 4.0, 6.0])


def test_grad_can_be_assigned_with_its_shape_and_dtype_checked():
    param = nl.Parameter(np.zeros((2, 2), dtype=np.float32))
    param.grad = np.ones((2, 2), dtype=np.float32)
    assert param.grad.sum() == 4
    with pytest.raises(ValueError, match="shape"):
        param.grad = np.ones(3, dtype=np.float32)
    with pytest.raises(TypeError, match="float64 but the parameters are float32"):
        param.grad = np.ones((2, 2))
