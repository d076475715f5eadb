"""How good a model is on some data: accuracy, and loss with accuracy in evaluation mode."""

import math

import numpy as np

from ._checks import check_finite, describe
from ._fit_checks import check_data
from ._fit_stops import RestoreModes
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, Loss
from .nn import Module

__all__ = ["accuracy", "evaluate", "is_classification"]


def accuracy(prediction, target):
    """Fraction of correct predictions: argmax of (N, C) logits against (N,) class labels, or
    logit > 0 against target > 0.5 elementwise for binary (and multi-label) outputs of the target's shape.
    NaN when some prediction is not finite (a diverged model has no accuracy)."""
    prediction, target = np.asarray(prediction), np.asarray(target)
    if prediction.ndim == 0 or prediction.size == 0:
        raise ValueError(f"accuracy: prediction must hold at least one row, got shape {prediction.shape}")
    if target.dtype.kind not in "biuf":
        raise TypeError(f"accuracy: target must hold numbers, got {describe(target)}")
    check_finite(target, "target", where="accuracy")
    if prediction.dtype.kind == "f" and not np.isfinite(prediction).all():
        return math.nan
    if prediction.ndim == 2 and prediction.shape[1] > 1 and target.shape == prediction.shape[:1]:
        return float(np.mean(prediction.argmax(axis=1) == target))
    if prediction.shape != target.shape:
        hint = " (one-hot targets? use target.argmax(axis=1))" if target.ndim == 2 and prediction.ndim == 2 else ""
        raise ValueError(
            f"accuracy: target must be class labels of shape {prediction.shape[:1]} or binary targets of "
            f"shape {prediction.shape}, got shape {target.shape}{hint}"
        )
    return float(np.mean((prediction > 0) == (target > 0.5)))


def is_classification(loss_fn):
    return isinstance(loss_fn, (CrossEntropyLoss, BCEWithLogitsLoss))


def evaluate(model, loss_fn, X, y):
    """Loss (and accuracy for classification, else None) of the model on (X, y), updating nothing.

    Runs in evaluation mode (Dropout off) and puts each module's training flag back afterwards.
    """
    if not isinstance(model, Module):
        raise TypeError(f"evaluate: model must be an nnlearn Module, got {describe(model)}")
    if not isinstance(loss_fn, Loss):
        raise TypeError(f"evaluate: loss_fn must be an nnlearn loss such as nl.MSELoss(), got {describe(loss_fn)}")
    X, y = check_data(X, y, "X", "y", model, where="evaluate")
    with RestoreModes(model), np.errstate(all="ignore"):
        model.eval()
        prediction = model(X)
        loss = loss_fn(prediction, y)
    return loss, (accuracy(prediction, y) if is_classification(loss_fn) else None)
