"""Losses: values by hand, gradients against finite differences, stability at huge logits, and
agreement with PyTorch's definitions (class weights, pos_weight, delta)."""

import warnings

import numpy as np
import pytest

import nnlearn as nl
from pytorch_reference import import_torch
from nnlearn.gradcheck import relative_error

TOLERANCE = 1e-7
LOG2 = np.log(2.0)


def loss_and_gradient(loss_fn, prediction, target):
    value = loss_fn(prediction, target)
    return value, loss_fn.backward()


def finite_difference_error(loss_fn, prediction, target):
    prediction = np.array(prediction, dtype=np.float64)
    _, analytic = loss_and_gradient(loss_fn, prediction, target)
    numeric = nl.numerical_gradient(lambda p: loss_fn(p, target), prediction)
    return relative_error(analytic, numeric)


def away_from_zero(shape, rng, low=0.3, high=2.0):
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


# --- values a person can check -----------------------------------------------------------------

def test_mse_of_one_two_against_zeros_is_two_and_a_half():
    value, grad = loss_and_gradient(nl.MSELoss(), [1.0, 2.0], [0.0, 0.0])
    assert value == 2.5                                    # (1 + 4) / 2
    np.testing.assert_array_equal(grad, [1.0, 2.0])        # 2 d / n


def test_huber_is_half_squared_for_small_misses_and_linear_for_large_ones():
    value, grad = loss_and_gradient(nl.HuberLoss(), [0.5, 3.0], [0.0, 0.0])
    assert value == pytest.approx((0.5 * 0.5**2 + 1.0 * (3.0 - 0.5)) / 2, rel=1e-15)
    np.testing.assert_allclose(grad, [0.5 / 2, 1.0 / 2], rtol=1e-15)           # clip(d, -1, 1) / n
    value, grad = loss_and_gradient(nl.HuberLoss(delta=2.0), [[-5.0], [1.0]], [[0.0], [0.0]])
    assert value == pytest.approx((2.0 * (5.0 - 1.0) + 0.5 * 1.0) / 2, rel=1e-15)
    np.testing.assert_allclose(grad, [[-2.0 / 2], [1.0 / 2]], rtol=1e-15)


def test_huber_with_only_small_misses_is_half_the_mse():
    prediction, target = np.array([0.1, -0.4, 0.3]), np.array([0.0, 0.2, -0.2])
    assert nl.HuberLoss(delta=1.0)(prediction, target) == pytest.approx(0.5 * nl.MSELoss()(prediction, target), rel=1e-14)


def test_cross_entropy_of_equal_logits_is_log_of_the_number_of_classes():
    value, grad = loss_and_gradient(nl.CrossEntropyLoss(), [[0.0, 0.0]], np.array([0]))
    assert value == pytest.approx(LOG2, rel=1e-15)
    np.testing.assert_allclose(grad, [[-0.5, 0.5]], rtol=1e-15)                 # softmax - onehot
    assert nl.CrossEntropyLoss()(np.zeros((3, 4)), np.array([0, 3, 1])) == pytest.approx(np.log(4.0), rel=1e-15)


def test_cross_entropy_with_class_weights_is_the_weighted_mean_pytorch_computes():
    # softmax([log 3, 0]) = [0.75, 0.25]; the second example's class weighs 3 times the first's.
    logits = np.log([[3.0, 1.0], [3.0, 1.0]])
    value, grad = loss_and_gradient(nl.CrossEntropyLoss(weight=[1.0, 3.0]), logits, np.array([0, 1]))
    assert value == pytest.approx((1 * np.log(4 / 3) + 3 * np.log(4.0)) / (1 + 3), rel=1e-14)
    np.testing.assert_allclose(grad, [[-0.25 / 4, 0.25 / 4], [3 * 0.75 / 4, -3 * 0.75 / 4]], rtol=1e-14)
    unweighted = nl.CrossEntropyLoss()(logits, np.array([0, 1]))
    assert unweighted == pytest.approx((np.log(4 / 3) + np.log(4.0)) / 2, rel=1e-14)


def test_binary_cross_entropy_by_hand_with_and_without_pos_weight():
    # sigmoid(0) = 1/2 and sigmoid(log 3) = 3/4
    value, grad = loss_and_gradient(nl.BCEWithLogitsLoss(), [0.0, np.log(3.0)], [1.0, 0.0])
    assert value == pytest.approx((LOG2 + np.log(4.0)) / 2, rel=1e-14)
    np.testing.assert_allclose(grad, [(0.5 - 1) / 2, 0.75 / 2], rtol=1e-14)     # (s - y) / n
    value, grad = loss_and_gradient(nl.BCEWithLogitsLoss(pos_weight=3.0), [0.0, 0.0], [1.0, 0.0])
    assert value == pytest.approx((3 * LOG2 + LOG2) / 2, rel=1e-14)             # only positives weigh more
    np.testing.assert_allclose(grad, [3 * (0.5 - 1) / 2, 0.5 / 2], rtol=1e-14)


def test_losses_are_means_so_repeating_the_batch_changes_nothing():
    rng = np.random.default_rng(0)
    cases = [
        (nl.MSELoss(), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))),
        (nl.HuberLoss(0.5), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))),
        (nl.CrossEntropyLoss(weight=[1.0, 2.0, 0.5]), rng.normal(size=(3, 3)), np.array([0, 1, 2])),
        (nl.BCEWithLogitsLoss(pos_weight=[2.0, 0.5]), rng.normal(size=(3, 2)), rng.uniform(size=(3, 2))),
    ]
    for loss_fn, prediction, target in cases:
        twice = loss_fn(np.concatenate([prediction] * 2), np.concatenate([target] * 2))
        assert twice == pytest.approx(loss_fn(prediction, target), rel=1e-14), repr(loss_fn)


def test_losses_return_python_floats():
    assert type(nl.MSELoss()([1.0], [0.0])) is float
    assert type(nl.CrossEntropyLoss()([[1.0, 0.0]], [0])) is float


# --- gradients against finite differences ------------------------------------------------------

def test_mse_backward_matches_finite_differences():
    rng = np.random.default_rng(1)
    assert finite_difference_error(nl.MSELoss(), rng.normal(size=(3, 2)), rng.normal(size=(3, 2)) + 1.0) <= TOLERANCE


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_huber_backward_matches_finite_differences_in_both_regimes(delta):
    miss = np.array([[-2.6], [-0.3], [0.2], [1.4], [3.1]])   # no |miss| within 0.1 of any delta
    target = np.linspace(-1.0, 1.0, 5)[:, None]
    assert np.any(np.abs(miss) < delta) and np.any(np.abs(miss) > delta)
    assert finite_difference_error(nl.HuberLoss(delta), target + miss, target) <= TOLERANCE


@pytest.mark.parametrize("weight", [None, [0.5, 2.0, 1.0]])
def test_cross_entropy_backward_matches_finite_differences(weight):
    rng = np.random.default_rng(2)
    logits, labels = rng.normal(size=(4, 3)), np.array([0, 2, 1, 1])
    assert finite_difference_error(nl.CrossEntropyLoss(weight=weight), logits, labels) <= TOLERANCE


@pytest.mark.parametrize("pos_weight", [None, 3.0, [0.5, 4.0]], ids=["none", "scalar", "per-column"])
def test_bce_with_logits_backward_matches_finite_differences(pos_weight):
    rng = np.random.default_rng(3)
    logits = away_from_zero((4, 2), rng)
    target = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.3, 0.8]])       # soft labels too
    assert finite_difference_error(nl.BCEWithLogitsLoss(pos_weight=pos_weight), logits, target) <= TOLERANCE


# --- numerical stability -----------------------------------------------------------------------

def strict(function, *args):
    """Run with numpy's overflow, invalid-value and divide-by-zero warnings turned into errors.

    Underflow (exp(-1e4) rounding to 0) is harmless and numpy ignores it by default.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            return function(*args)


@pytest.mark.parametrize("weight", [None, [1.0, 2.0]])
def test_cross_entropy_with_logits_of_ten_thousand_is_finite_and_exact(weight):
    loss_fn = nl.CrossEntropyLoss(weight=weight)
    logits = np.array([[1e4, -1e4], [-1e4, 1e4]])
    value, grad = strict(loss_and_gradient, loss_fn, logits, np.array([0, 1]))
    assert value == 0.0                                    # both confidently right
    np.testing.assert_array_equal(grad, np.zeros((2, 2)))
    value, grad = strict(loss_and_gradient, loss_fn, logits, np.array([1, 1]))
    w = [1.0, 1.0] if weight is None else [weight[1], weight[1]]
    assert value == pytest.approx(w[0] * 2e4 / sum(w), rel=1e-15)                # first one wrong by 2e4
    np.testing.assert_allclose(grad, [[w[0] / sum(w), -w[0] / sum(w)], [0.0, 0.0]], rtol=1e-15)


@pytest.mark.parametrize("pos_weight", [None, 2.0])
def test_bce_with_logits_of_ten_thousand_is_finite_and_exact(pos_weight):
    p = 1.0 if pos_weight is None else pos_weight
    logits, target = np.array([1e4, 1e4, -1e4, -1e4]), np.array([1.0, 0.0, 1.0, 0.0])
    value, grad = strict(loss_and_gradient, nl.BCEWithLogitsLoss(pos_weight=pos_weight), logits, target)
    assert value == pytest.approx((0 + 1e4 + p * 1e4 + 0) / 4, rel=1e-15)
    np.testing.assert_allclose(grad, [0.0, 1 / 4, -p / 4, 0.0], rtol=1e-15)


# --- float32 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("loss_fn, target", [
    (nl.MSELoss(), np.ones((3, 2))),
    (nl.HuberLoss(0.5), np.ones((3, 2))),
    (nl.CrossEntropyLoss(weight=[1.0, 3.0]), np.array([0, 1, 1])),
    (nl.BCEWithLogitsLoss(pos_weight=[2.0, 1.0]), np.ones((3, 2))),
], ids=lambda value: type(value).__name__ if isinstance(value, nl.losses.Loss) else "")
def test_float32_prediction_gives_a_float32_gradient(loss_fn, target):
    prediction = np.array([[0.5, -1.0], [2.0, 0.0], [-3.0, 1.5]], dtype=np.float32)
    value, grad = loss_and_gradient(loss_fn, prediction, target)
    assert np.isfinite(value) and grad.dtype == np.float32 and grad.shape == prediction.shape


# --- against PyTorch ---------------------------------------------------------------------------

def torch_loss_and_gradient(torch, criterion, prediction, target):
    prediction = torch.tensor(prediction, requires_grad=True)
    value = criterion(prediction, torch.as_tensor(target))
    value.backward()
    return value.item(), prediction.grad.numpy()


def test_losses_match_pytorch_values_and_gradients():
    torch = import_torch()
    rng = np.random.default_rng(4)
    regression, goal = rng.normal(size=(5, 3)) * 2, rng.normal(size=(5, 3))
    logits, labels = rng.normal(size=(6, 4)) * 3, np.array([0, 3, 1, 1, 2, 3])
    binary, soft = rng.normal(size=(5, 3)) * 3, rng.uniform(size=(5, 3))
    class_weight, column_weight = np.array([0.2, 1.0, 3.0, 0.7]), np.array([0.5, 2.0, 4.0])
    cases = [
        (nl.MSELoss(), torch.nn.MSELoss(), regression, goal),
        (nl.HuberLoss(), torch.nn.HuberLoss(), regression, goal),
        (nl.HuberLoss(0.3), torch.nn.HuberLoss(delta=0.3), regression, goal),
        (nl.HuberLoss(2.5), torch.nn.HuberLoss(delta=2.5), regression, goal),
        (nl.CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), logits, labels),
        (nl.CrossEntropyLoss(weight=class_weight),
         torch.nn.CrossEntropyLoss(weight=torch.tensor(class_weight)), logits, labels),
        (nl.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss(), binary, soft),
        (nl.BCEWithLogitsLoss(pos_weight=3.0),
         torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(3.0, dtype=torch.float64)), binary, soft),
        (nl.BCEWithLogitsLoss(pos_weight=column_weight),
         torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(column_weight)), binary, soft),
    ]
    for ours, theirs, prediction, target in cases:
        value, grad = loss_and_gradient(ours, prediction, target)
        expected_value, expected_grad = torch_loss_and_gradient(torch, theirs, prediction, target)
        assert value == pytest.approx(expected_value, rel=1e-13), repr(ours)
        np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-16, err_msg=repr(ours))


def test_every_loss_prints_as_pytorch_prints_it():
    assert repr(nl.MSELoss()) == "MSELoss()"
    assert repr(nl.HuberLoss()) == "HuberLoss(delta=1.0)"
    assert repr(nl.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nl.BCEWithLogitsLoss()) == "BCEWithLogitsLoss()"


# --- reductions and the registry ---------------------------------------------------------------

@pytest.mark.parametrize("reduction", ["sum", "none"])
@pytest.mark.parametrize("name", list(nl.losses.LOSSES))
def test_every_registry_loss_matches_pytorch_with_reduction_sum_and_none(name, reduction):
    torch = import_torch()
    info = nl.losses.LOSSES[name]
    rng = np.random.default_rng(7)
    prediction = rng.normal(size=(6, 3)) * 2
    target = {"values": rng.normal(size=(6, 3)), "class labels": np.array([0, 2, 1, 1, 0, 2]),
              "binary": rng.uniform(size=(6, 3))}[info.target]
    theirs = eval(info.pytorch.replace("nn.", "torch.nn.").replace(")", f", reduction={reduction!r})")
                  .replace("(, ", "("))
    ours = info.make(reduction=reduction)
    value = ours(prediction, target)
    grad = ours.backward()
    tensor = torch.tensor(prediction, requires_grad=True)
    expected = theirs(tensor, torch.as_tensor(target))
    expected.sum().backward()
    np.testing.assert_allclose(value, expected.detach().numpy(), rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(grad, tensor.grad.numpy(), rtol=1e-12, atol=1e-16, err_msg=name)
    assert (np.ndim(value) == 0) == (reduction == "sum")


def test_a_reduction_pytorch_does_not_have_is_refused_by_name():
    with pytest.raises(ValueError, match="reduction must be one of"):
        nl.MSELoss(reduction="average")


def test_the_loss_explorer_plots_the_registry_classes_themselves():
    from nnlearn.plots.functions import LOSSES, pointwise_loss
    d = np.linspace(-4, 4, 17)
    np.testing.assert_allclose(pointwise_loss("MSE", d), (d * d, 2 * d))
    np.testing.assert_allclose(pointwise_loss("Huber", d, 1.5)[1], np.clip(d, -1.5, 1.5))
    np.testing.assert_allclose(pointwise_loss("cross-entropy", d), (np.log1p(np.exp(d)), 1 / (1 + np.exp(-d))))
    assert LOSSES[:3] == ("MSE", "cross-entropy", "Huber")                 # and any loss added after them
    assert set(LOSSES) == {name for name, info in nl.losses.LOSSES.items() if info.target != "binary"}
    for name, info in nl.losses.LOSSES.items():                         # every entry: PyTorch's own name
        assert info.pytorch.startswith(f"nn.{info.cls.__name__}(")
