"""Misuse fails early, in nnlearn, with a ValueError or TypeError whose message names the argument
and what was given, instead of a broadcast, a NaN or a traceback from deep inside numpy."""

import re

import numpy as np
import pytest

import nnlearn as nl

OPTIMIZERS = [nl.optim.SGD, nl.optim.RMSprop, nl.optim.Adagrad, nl.optim.Adam]


def params():
    return nl.Linear(2, 1, rng=0).parameters()


# --- layers ------------------------------------------------------------------------------------

@pytest.mark.parametrize("size, error, shown", [
    (0, ValueError, "0"), (-1, ValueError, "-1"), (2.5, TypeError, "2.5"), ("3", TypeError, "'3'"),
    (True, TypeError, "True"), (None, TypeError, "NoneType"),
])
@pytest.mark.parametrize("argument", ["in_features", "out_features"])
def test_linear_refuses_sizes_that_are_not_positive_integers(argument, size, error, shown):
    sizes = {"in_features": 2, "out_features": 3, argument: size}
    with pytest.raises(error, match=rf"{argument}.*{re.escape(shown)}"):
        nl.Linear(sizes["in_features"], sizes["out_features"])


def test_linear_refuses_a_non_float_dtype():
    with pytest.raises(TypeError, match="dtype.*int64"):
        nl.Linear(2, 3, dtype=np.int64)


@pytest.mark.parametrize("x, shown", [
    (np.ones((4, 3)), r"\(4, 3\)"),                      # wrong number of features
    (np.ones(2), r"\(2,\).*reshape"),                   # a single example without its batch axis
    (np.ones((1, 4, 2)), r"\(1, 4, 2\)"),               # wrong rank
])
def test_linear_names_itself_and_the_expected_shape_for_a_wrong_input(x, shown):
    with pytest.raises(ValueError, match=rf"Linear\(2, 3\).*\(N, 2\).*{shown}"):
        nl.Linear(2, 3, rng=0)(x)


@pytest.mark.parametrize("layer, name", [(nl.Linear(2, 3, rng=0), r"Linear\(2, 3\)"), (nl.ReLU(), r"ReLU\(\)"),
                                         (nl.Sigmoid(), r"Sigmoid\(\)")])
def test_layers_refuse_inputs_that_are_not_numbers(layer, name):
    with pytest.raises(TypeError, match=rf"{name}.*x must hold real numbers.*<U"):
        layer(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match=rf"{name}.*x must be an array of numbers"):
        layer([[1.0, 2.0], [3.0]])


def test_a_float32_layer_refuses_float64_input_instead_of_upcasting():
    layer = nl.Linear(2, 3, rng=0, dtype=np.float32)
    with pytest.raises(TypeError, match=r"Linear\(2, 3, dtype=float32\).*x has dtype float64.*float32.*astype"):
        layer(np.ones((4, 2)))
    model = nl.Sequential(layer, nl.ReLU())
    with pytest.raises(TypeError, match="float64"):
        model(np.ones((4, 2)))


def test_sequential_refuses_a_layer_class_and_names_the_argument():
    with pytest.raises(TypeError, match=r"argument 1.*parentheses"):
        nl.Sequential(nl.Linear(2, 3), nl.ReLU)
    with pytest.raises(TypeError, match=r"argument 0.*an array of shape \(2, 2\)"):
        nl.Sequential(np.ones((2, 2)))


@pytest.mark.parametrize("layer", [nl.Linear(2, 3), nl.ReLU(), nl.LeakyReLU(), nl.Sigmoid(), nl.Tanh(),
                                   nl.Sequential(nl.Linear(2, 3), nl.Tanh())], ids=lambda m: type(m).__name__)
def test_backward_before_forward_is_a_clear_error(layer):
    with pytest.raises(ValueError, match=rf"{type(layer).__name__}\.backward was called before forward"):
        layer.backward(np.ones((1, 3)))


@pytest.mark.parametrize("layer", [nl.Linear(2, 3), nl.ReLU(), nl.Tanh(), nl.Sequential(nl.Linear(2, 3), nl.Tanh())],
                         ids=lambda m: type(m).__name__)
def test_grad_output_must_have_the_shape_of_the_forward_output(layer):
    layer(np.ones((4, 2)) if not isinstance(layer, (nl.ReLU, nl.Tanh)) else np.ones((4, 3)))
    with pytest.raises(ValueError, match=rf"{type(layer).__name__}\.backward: grad_output.*\(4, 3\).*\(4, 2\)"):
        layer.backward(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"grad_output.*\(4, 3\).*\(3, 4\)"):
        layer.backward(np.ones((3, 4)))                  # a transposed gradient must not broadcast


@pytest.mark.parametrize("slope", [float("nan"), "0.1", None])
def test_leaky_relu_refuses_a_slope_that_is_not_a_number(slope):
    with pytest.raises((TypeError, ValueError), match="negative_slope"):
        nl.LeakyReLU(slope)


# --- losses ------------------------------------------------------------------------------------

@pytest.mark.parametrize("loss_fn", [nl.MSELoss(), nl.HuberLoss(), nl.BCEWithLogitsLoss()], ids=repr)
@pytest.mark.parametrize("prediction_shape, target_shape", [((5, 1), (5,)), ((5,), (5, 1)), ((4, 2), (2, 4)),
                                                            ((3,), (4,))])
def test_prediction_and_target_of_different_shapes_are_refused_not_broadcast(loss_fn, prediction_shape, target_shape):
    with pytest.raises(ValueError, match=rf"{type(loss_fn).__name__}: prediction and target must have the same shape, "
                                         rf"got prediction {re.escape(str(prediction_shape))} "
                                         rf"and target {re.escape(str(target_shape))}"):
        loss_fn(np.zeros(prediction_shape), np.zeros(target_shape))


@pytest.mark.parametrize("loss_fn", [nl.MSELoss(), nl.HuberLoss(), nl.CrossEntropyLoss(), nl.BCEWithLogitsLoss()],
                         ids=repr)
def test_loss_backward_before_the_loss_is_computed_is_a_clear_error(loss_fn):
    with pytest.raises(ValueError, match=rf"{type(loss_fn).__name__}\.backward was called before"):
        loss_fn.backward()


@pytest.mark.parametrize("labels, error, match", [
    (np.array([0.0, 1.0, 2.0]), TypeError, r"target must hold integer class labels.*float64.*astype\(int\)"),
    (np.array([0, 1, 3]), ValueError, r"target labels must lie in \[0, 2\].*from 0 to 3"),
    (np.array([0, -1, 2]), ValueError, r"target labels must lie in \[0, 2\].*from -1 to 2"),
    (np.array([0, 1]), ValueError, r"target must have shape \(3,\).*got \(2,\)"),
    (np.array([[0], [1], [2]]), ValueError, r"target must have shape \(3,\).*got \(3, 1\)"),
])
def test_cross_entropy_refuses_labels_that_are_not_class_indices(labels, error, match):
    with pytest.raises(error, match="CrossEntropyLoss: " + match):
        nl.CrossEntropyLoss()(np.zeros((3, 3)), labels)


def test_cross_entropy_refuses_predictions_that_are_not_a_matrix_of_logits():
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: prediction must be logits of shape \(N, C\), got shape \(3,\)"):
        nl.CrossEntropyLoss()(np.zeros(3), np.array([0, 1, 2]))


@pytest.mark.parametrize("weight, match", [
    ([1.0, -1.0, 1.0], r"weight must be finite and non-negative.*-1"),
    ([1.0, np.nan, 1.0], r"weight must be finite and non-negative.*nan"),
    ([[1.0, 1.0, 1.0]], r"weight must be 1-dimensional.*\(1, 3\)"),
])
def test_cross_entropy_refuses_bad_class_weights(weight, match):
    with pytest.raises(ValueError, match="CrossEntropyLoss: " + match):
        nl.CrossEntropyLoss(weight=weight)


def test_cross_entropy_refuses_class_weights_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: weight must have one entry per class, 3, got 2"):
        nl.CrossEntropyLoss(weight=[1.0, 2.0])(np.zeros((2, 3)), np.array([0, 1]))


@pytest.mark.parametrize("pos_weight, match", [
    (-1.0, r"pos_weight must be finite and non-negative.*-1"),
    ([1.0, np.nan], r"pos_weight must be finite and non-negative.*nan"),
])
def test_bce_refuses_bad_pos_weight(pos_weight, match):
    with pytest.raises(ValueError, match="BCEWithLogitsLoss: " + match):
        nl.BCEWithLogitsLoss(pos_weight=pos_weight)


def test_bce_refuses_pos_weight_that_does_not_match_the_columns_and_targets_outside_zero_one():
    with pytest.raises(ValueError, match=r"pos_weight has 3 entries.*\(4, 2\)"):
        nl.BCEWithLogitsLoss(pos_weight=[1.0, 2.0, 3.0])(np.zeros((4, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"target values must lie in \[0, 1\]"):
        nl.BCEWithLogitsLoss()(np.zeros(3), np.array([0.0, 1.0, 2.0]))


@pytest.mark.parametrize("delta, error, shown", [(0, ValueError, "0.0"), (-1.0, ValueError, "-1.0"),
                                                 (float("nan"), ValueError, "nan"), ("1", TypeError, "'1'")])
def test_huber_refuses_a_delta_that_is_not_positive(delta, error, shown):
    with pytest.raises(error, match=rf"HuberLoss: delta.*{re.escape(shown)}"):
        nl.HuberLoss(delta)


@pytest.mark.parametrize("loss_fn", [nl.MSELoss(), nl.BCEWithLogitsLoss()], ids=repr)
def test_losses_refuse_targets_that_are_not_numbers(loss_fn):
    with pytest.raises(TypeError, match=rf"{type(loss_fn).__name__}: target must hold real numbers"):
        loss_fn(np.zeros(2), np.array(["a", "b"]))


# --- optimizers --------------------------------------------------------------------------------

@pytest.mark.parametrize("optimizer_class", OPTIMIZERS)
@pytest.mark.parametrize("lr, error, shown", [(-0.1, ValueError, "-0.1"), (float("nan"), ValueError, "nan"),
                                              (float("inf"), ValueError, "inf"), ("0.1", TypeError, "'0.1'")])
def test_optimizers_refuse_a_learning_rate_that_is_negative_or_not_a_number(optimizer_class, lr, error, shown):
    with pytest.raises(error, match=rf"{optimizer_class.__name__}: lr.*{re.escape(shown)}"):
        optimizer_class(params(), lr=lr)


@pytest.mark.parametrize("optimizer_class", [nl.optim.RMSprop, nl.optim.Adagrad, nl.optim.Adam])
def test_optimizers_refuse_a_negative_eps(optimizer_class):
    with pytest.raises(ValueError, match=rf"{optimizer_class.__name__}: eps.*-1e-08"):
        optimizer_class(params(), lr=0.1, eps=-1e-8)


@pytest.mark.parametrize("betas, match", [
    ((0.9, 1.0), r"betas\[1\].*\[0, 1\).*1.0"),
    ((1.0, 0.999), r"betas\[0\].*\[0, 1\).*1.0"),
    ((-0.1, 0.999), r"betas\[0\].*-0.1"),
    ((0.9, 1.5), r"betas\[1\].*1.5"),
])
def test_adam_refuses_betas_outside_zero_one(betas, match):
    with pytest.raises(ValueError, match="Adam: " + match):
        nl.optim.Adam(params(), betas=betas)


def test_adam_refuses_betas_that_are_not_a_pair():
    with pytest.raises(TypeError, match=r"Adam: betas must be a pair"):
        nl.optim.Adam(params(), betas=0.9)


@pytest.mark.parametrize("optimizer_class", [nl.optim.SGD, nl.optim.RMSprop])
def test_optimizers_refuse_a_negative_momentum(optimizer_class):
    with pytest.raises(ValueError, match=rf"{optimizer_class.__name__}: momentum.*-0.5"):
        optimizer_class(params(), lr=0.1, momentum=-0.5)


def test_rmsprop_refuses_a_negative_alpha():
    with pytest.raises(ValueError, match=r"RMSprop: alpha.*-0.9"):
        nl.optim.RMSprop(params(), alpha=-0.9)


@pytest.mark.parametrize("optimizer_class", OPTIMIZERS)
def test_optimizers_refuse_a_negative_weight_decay(optimizer_class):
    with pytest.raises(ValueError, match=rf"{optimizer_class.__name__}: weight_decay.*-0.1"):
        optimizer_class(params(), lr=0.1, weight_decay=-0.1)


def test_sgd_refuses_nesterov_without_momentum():
    with pytest.raises(ValueError, match=r"SGD: nesterov=True needs momentum > 0.*momentum=0"):
        nl.optim.SGD(params(), lr=0.1, nesterov=True)


@pytest.mark.parametrize("optimizer_class", OPTIMIZERS)
def test_optimizers_refuse_an_empty_parameter_list(optimizer_class):
    with pytest.raises(ValueError, match=rf"{optimizer_class.__name__}: got an empty parameter list"):
        optimizer_class([], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optimizer_class(nl.Sequential(nl.ReLU()).parameters(), lr=0.1)


@pytest.mark.parametrize("optimizer_class", OPTIMIZERS)
def test_optimizers_refuse_raw_numpy_arrays(optimizer_class):
    with pytest.raises(TypeError, match=rf"{optimizer_class.__name__}: params\[0\] must be an nl.Parameter.*array of shape \(3,\)"):
        optimizer_class([np.ones(3)], lr=0.1)
    with pytest.raises(TypeError, match=r"params must be an iterable of nl.Parameter.*array of shape \(3,\)"):
        optimizer_class(np.ones(3), lr=0.1)


@pytest.mark.parametrize("optimizer_class", OPTIMIZERS)
def test_optimizers_refuse_a_single_parameter_instead_of_a_list(optimizer_class):
    with pytest.raises(TypeError, match=r"params must be an iterable of nl.Parameter.*model.parameters\(\).*got Parameter"):
        optimizer_class(params()[0], lr=0.1)


def test_optimizers_refuse_a_model_instead_of_its_parameters():
    with pytest.raises(TypeError, match="params"):
        nl.optim.SGD(nl.Linear(2, 1), lr=0.1)


# --- fit ---------------------------------------------------------------------------------------

def fit_call(X=None, y=None, **options):
    model = nl.Sequential(nl.Linear(2, 1, rng=0))
    X = np.ones((4, 2)) if X is None else X
    y = np.ones((4, 1)) if y is None else y
    options.setdefault("epochs", 1)
    return nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.1), X, y, **options)


@pytest.mark.parametrize("call, error, match", [
    (lambda: fit_call(y=np.ones((3, 1))), ValueError, r"fit: X and y must have the same number of rows, got 4 and 3"),
    (lambda: fit_call(batch_size=0), ValueError, r"fit: batch_size must be at least 1, got 0"),
    (lambda: fit_call(batch_size=2.0), TypeError, r"fit: batch_size must be an integer, got float 2.0"),
    (lambda: fit_call(epochs=0), ValueError, r"fit: epochs must be at least 1, got 0"),
    (lambda: fit_call(epochs=1.5), TypeError, r"fit: epochs must be an integer, got float 1.5"),
    (lambda: fit_call(X=np.array([[1.0, np.nan]] * 4)), ValueError, r"fit: X contains 4 NaN or infinite"),
    (lambda: fit_call(X=np.array([[1.0, np.inf]] + [[0.0, 0.0]] * 3)), ValueError, r"fit: X contains 1 NaN or infinite"),
    (lambda: fit_call(y=np.array([[np.nan]] * 4)), ValueError, r"fit: y contains 4 NaN or infinite"),
    (lambda: fit_call(X=np.ones((0, 2)), y=np.ones((0, 1))), ValueError, r"fit: X is empty"),
    (lambda: fit_call(X=np.ones((4, 2), dtype=np.float32)), TypeError, r"X has dtype float32 but the parameters are float64"),
    (lambda: fit_call(validation=np.ones((4, 2))), TypeError, r"fit: validation must be a pair"),
    (lambda: fit_call(validation=(np.ones((3, 2)), np.ones((2, 1)))), ValueError, r"X_val and y_val must have the same number of rows"),
    (lambda: fit_call(validation=(np.full((2, 2), np.nan), np.ones((2, 1)))), ValueError, r"fit: X_val contains"),
])
def test_fit_refuses_bad_data_and_settings(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_fit_refuses_arguments_in_the_wrong_places():
    model = nl.Sequential(nl.Linear(2, 1, rng=0))
    opt, X, y = nl.optim.SGD(model.parameters(), lr=0.1), np.ones((4, 2)), np.ones((4, 1))
    with pytest.raises(TypeError, match="fit: model must be an nnlearn Module"):
        nl.fit(nl.MSELoss(), model, opt, X, y, epochs=1)
    with pytest.raises(TypeError, match="fit: loss_fn must be an nnlearn loss"):
        nl.fit(model, opt, nl.MSELoss(), X, y, epochs=1)
    with pytest.raises(TypeError, match="fit: optimizer must be an nnlearn optimizer"):
        nl.fit(model, nl.MSELoss(), "adam", X, y, epochs=1)


def test_accuracy_refuses_binary_predictions_and_targets_of_different_shapes():
    # (N, 1) logits against (N,) targets would broadcast to (N, N) comparisons
    with pytest.raises(ValueError, match=r"accuracy: target must be.*\(3,\).*\(3, 1\), got shape \(3,\)"):
        nl.accuracy(np.array([[1.0], [-1.0], [1.0]]), np.array([1, 0, 1]))
