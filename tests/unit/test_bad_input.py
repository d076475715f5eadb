"""Misuse fails early, in nnlearn, with a ValueError or TypeError whose message names the argument
and what was given, instead of a broadcast, a NaN or a traceback from deep inside numpy."""

import re

import numpy as np
import pytest

import nnlearn as nl

OPTIMIZERS = [info.cls for info in nl.optim.OPTIMIZERS.values() if not info.options]
# Every loss in the registry, and those whose target has the prediction's shape (not class labels).
LOSSES = [info.make() for info in nl.losses.LOSSES.values()]
SAME_SHAPE_LOSSES = [info.make() for info in nl.losses.LOSSES.values() if info.target != "class labels"]


def optimizers_taking(argument):
    """The registry's optimizer classes that take `argument` (e.g. "eps", "momentum")."""
    import inspect
    return [cls for cls in dict.fromkeys(info.cls for info in nl.optim.OPTIMIZERS.values())
            if argument in inspect.signature(cls).parameters]


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

@pytest.mark.parametrize("loss_fn", SAME_SHAPE_LOSSES, ids=repr)
@pytest.mark.parametrize("prediction_shape, target_shape", [((5, 1), (5,)), ((5,), (5, 1)), ((4, 2), (2, 4)),
                                                            ((3,), (4,))])
def test_prediction_and_target_of_different_shapes_are_refused_not_broadcast(loss_fn, prediction_shape, target_shape):
    with pytest.raises(ValueError, match=rf"{type(loss_fn).__name__}: prediction and target must have the same shape, "
                                         rf"got prediction {re.escape(str(prediction_shape))} "
                                         rf"and target {re.escape(str(target_shape))}"):
        loss_fn(np.zeros(prediction_shape), np.zeros(target_shape))


@pytest.mark.parametrize("loss_fn", LOSSES, ids=repr)
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


@pytest.mark.parametrize("loss_fn", SAME_SHAPE_LOSSES, ids=repr)
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


@pytest.mark.parametrize("optimizer_class", optimizers_taking("eps"))
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


@pytest.mark.parametrize("optimizer_class", optimizers_taking("momentum"))
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


# --- training that would silently do nothing or compute wrong gradients ---------------------------

def small_classifier(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return nl.Sequential(nl.Linear(2, 4, rng=rng, dtype=dtype), nl.Tanh(), nl.Linear(4, 2, rng=rng, dtype=dtype))


def classification_data(n=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("run", ["fit", "train_step"])
def test_an_optimizer_built_on_another_models_parameters_is_refused_before_training(run):
    model, other = small_classifier(0), small_classifier(1)
    X, y = classification_data()
    opt = nl.optim.SGD(other.parameters(), lr=0.1)
    before = [p.data.copy() for p in model.parameters() + other.parameters()]
    with pytest.raises(ValueError, match="another model's parameters.*model.parameters()"):
        if run == "fit":
            nl.fit(model, nl.CrossEntropyLoss(), opt, X, y, epochs=3)
        else:
            nl.train_step(model, nl.CrossEntropyLoss(), opt, X, y)
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters() + other.parameters(), before))


def test_an_optimizer_with_some_foreign_parameters_is_refused_and_a_subset_is_allowed():
    model, other = small_classifier(0), small_classifier(1)
    X, y = classification_data()
    mixed = nl.optim.SGD(model.parameters()[:2] + other.parameters()[:1], lr=0.1)
    with pytest.raises(ValueError, match="1 of the optimizer's 3 parameters are not in this model"):
        nl.train_step(model, nl.CrossEntropyLoss(), mixed, X, y)
    last_layer_only = nl.optim.SGD(model[2].parameters(), lr=0.1)     # fine-tuning part of a model is fine
    nl.train_step(model, nl.CrossEntropyLoss(), last_layer_only, X, y)


@pytest.mark.parametrize("build", [
    lambda layer: nl.Sequential(layer, nl.Tanh(), layer),
    lambda layer: nl.Sequential(layer, nl.Tanh(), nl.Sequential(layer)),
], ids=["twice", "nested"])
def test_the_same_layer_twice_in_a_sequential_is_refused_at_construction(build):
    with pytest.raises(ValueError, match=r"same Linear\(3, 3\) object appears twice.*nl.Linear"):
        build(nl.Linear(3, 3, rng=0))


def test_the_same_activation_object_twice_is_refused_too():
    act = nl.ReLU()
    with pytest.raises(ValueError, match="same ReLU"):
        nl.Sequential(nl.Linear(2, 2, rng=0), act, nl.Linear(2, 2, rng=1), act)


@pytest.mark.parametrize("layer", [nl.Linear(2, 2, rng=0), nl.Tanh(), nl.Dropout(0.5, rng=0), small_classifier()])
def test_backward_twice_after_one_forward_is_refused_instead_of_doubling_the_gradients(layer):
    x = np.ones((3, 2))
    out = layer(x)
    layer.backward(np.ones_like(out))
    grads = [p.grad.copy() for p in layer.parameters()]
    with pytest.raises(ValueError, match="backward was called twice after one forward pass"):
        layer.backward(np.ones_like(out))
    assert all(np.array_equal(p.grad, g) for p, g in zip(layer.parameters(), grads))
    layer(x)
    layer.backward(np.ones_like(out))                      # a new forward allows a new backward


def test_layers_of_float32_and_float64_in_one_sequential_are_refused_at_construction():
    with pytest.raises(TypeError, match=r"mix parameter dtypes.*float32.*float64.*dtype=np.float32"):
        nl.Sequential(nl.Linear(2, 3, dtype=np.float32), nl.ReLU(), nl.Linear(3, 1))


@pytest.mark.parametrize("make", [
    lambda: nl.Linear(2, 3, dtype=np.float16),
    lambda: nl.Parameter(np.ones(3, dtype=np.float16)),
])
def test_float16_is_refused_with_the_reason_not_a_learning_rate_hint(make):
    with pytest.raises(TypeError, match="float16.*np.float32"):
        make()


# --- inputs the losses and metrics did not check ------------------------------------------------

@pytest.mark.parametrize("loss_fn", [nl.MSELoss(), nl.HuberLoss(), nl.BCEWithLogitsLoss()])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_losses_refuse_nan_or_infinite_targets(loss_fn, bad):
    target = np.array([[0.0], [1.0], [bad]])
    with pytest.raises(ValueError, match=r"target contains 1 NaN or infinite|target values must lie in \[0, 1\]"):
        loss_fn(np.zeros((3, 1)), target)


def test_a_nan_prediction_gives_a_nan_loss_for_the_divergence_check_to_see():
    assert np.isnan(nl.MSELoss()(np.array([np.nan, 1.0]), np.array([0.0, 1.0])))


def test_evaluate_refuses_nan_inputs_instead_of_returning_an_accuracy():
    X, y = classification_data()
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match="evaluate: X contains 1 NaN"):
        nl.evaluate(small_classifier(), nl.CrossEntropyLoss(), X, y)


@pytest.mark.parametrize("call", [
    lambda: nl.CrossEntropyLoss()(np.zeros((0, 3)), np.zeros(0, dtype=int)),
    lambda: nl.MSELoss()(np.zeros((0, 1)), np.zeros((0, 1))),
    lambda: nl.accuracy(np.zeros((0, 3)), np.zeros(0, dtype=int)),
    lambda: nl.evaluate(small_classifier(), nl.CrossEntropyLoss(), np.zeros((0, 2)), np.zeros(0, dtype=int)),
], ids=["cross-entropy", "mse", "accuracy", "evaluate"])
def test_zero_rows_are_refused_alike_without_warnings(call):
    with pytest.raises(ValueError, match="empty|at least one row|0 rows"):
        with np.errstate(all="raise"):
            call()


def test_one_hot_float_targets_to_cross_entropy_get_the_argmax_hint():
    one_hot = np.eye(3)[[0, 2, 1, 2]]
    with pytest.raises(TypeError, match=r"argmax\(axis=1\)"):
        nl.CrossEntropyLoss()(np.zeros((4, 3)), one_hot)
    with pytest.raises(TypeError, match=r"astype\(int\)"):                       # float labels: astype
        nl.CrossEntropyLoss()(np.zeros((4, 3)), np.array([0.0, 2.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"argmax\(axis=1\)"):
        nl.accuracy(np.zeros((4, 3)), one_hot[:, :2])


def test_accuracy_of_a_diverged_model_is_nan_and_nan_targets_are_refused():
    assert np.isnan(nl.accuracy(np.array([[np.nan, 0.0], [1.0, 0.0]]), np.array([0, 1])))
    with pytest.raises(ValueError, match="target contains"):
        nl.accuracy(np.array([0.5, -0.5]), np.array([1.0, np.nan]))


# --- arguments checked before training ----------------------------------------------------------

@pytest.mark.parametrize("callbacks, match", [
    ([1], r"callbacks\[0\] must be a function.*int 1"),
    ([print, "stop"], r"callbacks\[1\] must be a function"),
    (3, "callbacks must be a function or a list of functions"),
])
def test_fit_checks_callbacks_before_training_a_single_step(callbacks, match):
    model = small_classifier()
    X, y = classification_data()
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(TypeError, match=match):
        nl.fit(model, nl.CrossEntropyLoss(), nl.optim.SGD(model.parameters(), lr=0.1), X, y, epochs=2,
               callbacks=callbacks)
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before))


def test_fit_takes_callbacks_none_as_no_callbacks():
    model = small_classifier()
    X, y = classification_data()
    history = nl.fit(model, nl.CrossEntropyLoss(), nl.optim.SGD(model.parameters(), lr=0.1), X, y, epochs=2,
                     callbacks=None)
    assert history.epochs == 2


def fit_with_rng(rng):
    model = small_classifier()
    return nl.fit(model, nl.CrossEntropyLoss(), nl.optim.SGD(model.parameters(), lr=0.1), *classification_data(),
                  epochs=1, rng=rng)


@pytest.mark.parametrize("call", [
    lambda: nl.Linear(2, 2, rng=-1),
    lambda: nl.Dropout(0.5, rng=-1),
    lambda: nl.data.moons(rng=-1),
    lambda: nl.data.digits(rng=-1),
    lambda: fit_with_rng(-1),
], ids=["Linear", "Dropout", "moons", "digits", "fit"])
def test_a_negative_seed_is_refused_by_nnlearn_not_deep_in_numpy(call):
    with pytest.raises(ValueError, match=r"rng must be a seed >= 0.*-1"):
        call()


@pytest.mark.parametrize("alpha", [1.5, -0.1])
def test_rmsprop_refuses_alpha_outside_zero_one(alpha):
    with pytest.raises(ValueError, match=rf"RMSprop: alpha.*\[0, 1\].*{alpha}"):
        nl.optim.RMSprop(params(), alpha=alpha)


@pytest.mark.parametrize("optimizer_class", [nl.optim.RMSprop, nl.optim.Adagrad, nl.optim.Adam, nl.optim.AdamW])
def test_eps_zero_is_refused_because_a_zero_gradient_would_make_nan_weights(optimizer_class):
    with pytest.raises(ValueError, match=rf"{optimizer_class.__name__}: eps.*\(0, inf\].*0.0"):
        optimizer_class(params(), lr=0.1, eps=0)


def test_centered_rmsprop_with_a_constant_gradient_stays_finite():
    # v - a^2 is 0 in exact arithmetic for a constant gradient; rounding takes it below 0 after
    # ~3,000 steps, and sqrt of that was NaN.
    param = nl.Parameter(np.zeros(3))
    opt = nl.optim.RMSprop([param], lr=1e-3, centered=True)
    for _ in range(4000):
        param.grad[...] = [0.1, -1.7, 1e-3]                # 0.1: v - a^2 < 0 from step 3,226 unclamped
        opt.step()
    assert np.all(np.isfinite(param.data))


# --- Ctrl-C during fit -------------------------------------------------------------------------

class InterruptingAdam(nl.optim.Adam):
    """Sends Ctrl-C (SIGINT) to this process in the middle of step number `at`, between two parameters."""

    def __init__(self, params, at, **kwargs):
        super().__init__(params, **kwargs)
        self.at, self.calls = at, 0

    def _update(self, param, grad, state, group):
        import os
        import signal
        super()._update(param, grad, state, group)
        if param is self.param_groups[0]["params"][0]:
            self.calls += 1
            if self.calls == self.at:
                os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_in_the_middle_of_an_optimizer_step_finishes_that_step_and_returns_the_history():
    model = small_classifier()
    X, y = classification_data(n=16)
    opt = InterruptingAdam(model.parameters(), at=3, lr=0.01)
    history = nl.fit(model, nl.CrossEntropyLoss(), opt, X, y, epochs=10, batch_size=4, shuffle=False)
    assert history.interrupted and history.steps == 3 and not history.diverged
    assert "Interrupted after step 3" in history.message
    assert {opt.state[p]["step"] for p in model.parameters()} == {3}     # every parameter got step 3


def test_after_fit_ctrl_c_behaves_as_before():
    import signal
    before = signal.getsignal(signal.SIGINT)
    model = small_classifier()
    nl.fit(model, nl.CrossEntropyLoss(), nl.optim.SGD(model.parameters(), lr=0.1), *classification_data(), epochs=1)
    assert signal.getsignal(signal.SIGINT) is before


# --- warnings at extremes (these run with warnings as errors) ------------------------------------

@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("loss_fn, prediction, target, expected", [
    (nl.CrossEntropyLoss(), [[1e308, -1e308], [-1e308, 1e308]], [0, 1], 0.0),
    (nl.CrossEntropyLoss(), [[1e308, -1e308], [-1e308, 1e308]], [1, 1], np.inf),
    (nl.BCEWithLogitsLoss(), [1e308, -1e308, 1e308], [0.0, 1.0, 1.0], np.inf),
    (nl.BCEWithLogitsLoss(), [1e308, -1e308], [1.0, 0.0], 0.0),
    (nl.HuberLoss(1e300), [1.0, 2.0, 3.0], [0.0, 0.0, 0.0], 7 / 3),
    (nl.HuberLoss(), [1e308, -1e308], [-1e308, 1e308], np.inf),
], ids=["ce-right", "ce-wrong", "bce-wrong", "bce-right", "huber-huge-delta", "huber-huge-miss"])
def test_losses_at_extreme_values_give_pytorchs_values_without_overflow_warnings(loss_fn, prediction, target, expected):
    value = loss_fn(np.array(prediction), np.array(target))
    assert value == pytest.approx(expected)
    loss_fn.backward()


# --- gradcheck ---------------------------------------------------------------------------------

def test_gradcheck_exactly_at_a_relu_kink_warns_that_the_inputs_sit_on_it():
    model = nl.Sequential(nl.Linear(2, 3, rng=0), nl.ReLU(), nl.Linear(3, 1, rng=1))
    model[0].bias.data[...] = 0                             # x = 0 and b = 0: every ReLU input is exactly 0
    with pytest.warns(RuntimeWarning, match="sit at its kink"):
        nl.gradcheck(model, nl.MSELoss(), np.zeros((2, 2)), np.ones((2, 1)))


def test_gradcheck_refuses_dropout_in_training_mode():
    model = nl.Sequential(nl.Linear(2, 3, rng=0), nl.Dropout(0.5), nl.Linear(3, 1, rng=1))
    with pytest.raises(ValueError, match=r"Dropout in training mode.*model.eval\(\)"):
        nl.gradcheck(model, nl.MSELoss(), np.ones((2, 2)), np.ones((2, 1)))
    assert nl.gradcheck(model.eval(), nl.MSELoss(), np.ones((2, 2)), np.ones((2, 1))) < 1e-7


# --- found by probing beyond the list ---------------------------------------------------

def test_landscapes_run_refuses_an_optimizer_over_other_parameters():
    stray = nl.Parameter(np.zeros(2))
    with pytest.raises(ValueError, match="make_optimizer must build the optimizer on the parameters it is given"):
        nl.landscapes.run("bowl", lambda params: nl.optim.SGD([stray], lr=0.1), steps=3)


def test_landscapes_run_refuses_a_start_whose_height_is_not_finite():
    with pytest.raises(ValueError, match="height at the start.*not a finite number"):
        nl.landscapes.run("bowl", lambda params: nl.optim.SGD(params, lr=0.1), start=(1e300, 0.0), steps=3)


@pytest.mark.parametrize("loss, first_loss", [(None, 1.0), ("a", 1.0), (1.0, [1, 2])])
def test_has_diverged_refuses_things_that_are_not_numbers(loss, first_loss):
    with pytest.raises(TypeError, match="has_diverged: loss and first_loss must be numbers"):
        nl.has_diverged(loss, first_loss)


def test_numerical_gradient_says_f_must_return_a_number_and_restores_the_array():
    array = np.ones(3)
    with pytest.raises(TypeError, match="f must return a number"):
        nl.numerical_gradient(lambda a: a * 2, array)
    np.testing.assert_array_equal(array, np.ones(3))


def test_gradcheck_refuses_nan_inputs_instead_of_returning_nan():
    with pytest.raises(ValueError, match="gradcheck: x contains 1 NaN"):
        nl.gradcheck(nl.Sequential(nl.Linear(2, 1, rng=0)), nl.MSELoss(), np.array([[np.nan, 1.0]]), np.ones((1, 1)))


@pytest.mark.parametrize("call, match", [
    (lambda: list(nl.data.minibatches(np.ones((3, 1)), np.ones(3), 2, shuffle="yes")), "minibatches: shuffle"),
    (lambda: nl.data.digits(shuffle=0), "digits: shuffle"),
    (lambda: nl.EarlyStopping(nl.Linear(1, 1), restore_best="no"), "restore_best must be True or False"),
    (lambda: nl.EarlyStopping([1, 2]), "EarlyStopping: model must be the nnlearn Module"),
], ids=["minibatches-shuffle", "digits-shuffle", "early-stopping-restore", "early-stopping-model"])
def test_flags_and_models_of_the_wrong_type_are_refused(call, match):
    with pytest.raises(TypeError, match=match):
        call()


@pytest.mark.parametrize("kwargs, error, match", [
    ({"monitor": "loss"}, ValueError, "monitor must be one of 'val_loss', 'val_accuracy', got 'loss'"),
    ({"min_delta": -0.1}, ValueError, r"min_delta must be a finite number in \[0.0, inf\], got -0.1"),
    ({"min_delta": float("nan")}, ValueError, "min_delta must be a finite number"),
    ({"min_delta": "0.1"}, TypeError, "min_delta must be a real number, got str"),
])
def test_early_stopping_refuses_an_unknown_monitor_and_a_negative_min_delta(kwargs, error, match):
    with pytest.raises(error, match=match):
        nl.EarlyStopping(nl.Linear(1, 1), **kwargs)


def test_fit_trains_in_training_mode_and_puts_the_models_mode_back():
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Linear(2, 8, rng=rng), nl.Dropout(0.5, rng=rng), nl.Linear(8, 2, rng=rng)).eval()
    seen = []

    class Spy(nl.Module):
        def forward(self, x):
            seen.append(model[1].training)
            self._forward_done(x.shape)
            return x

        def backward(self, grad_output, input_grad=True):
            self._check_backward(grad_output)
            return grad_output

    spied = nl.Sequential(*model.layers, Spy())
    spied.eval()
    X, y = classification_data(n=8)
    nl.fit(spied, nl.CrossEntropyLoss(), nl.optim.SGD(spied.parameters(), lr=0.1), X, y, epochs=2, validation=(X, y))
    assert seen[0] is True and False in seen                 # training steps, then validation in eval mode
    assert not any(m.training for m in spied.modules())       # back in eval mode, as it was
