"""The training loop: the four steps that repeat, and a record of what they did.

    1. forward pass      prediction = model(X_batch)
    2. loss              loss = loss_fn(prediction, y_batch)
    3. backpropagation   optimizer.zero_grad(); model.backward(loss_fn.backward())
    4. weight update     optimizer.step()

The first loss that is not finite stops training: History.diverged is set with a message and a
hint, instead of a screen of numpy overflow warnings and NaN weights.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_float_array, as_rng, check_finite, check_int, describe
from .data import minibatches
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, Loss
from .nn import Module
from .optim import Optimizer


@dataclass
class History:
    """What one call of `fit` recorded.

    Per step (one update):   step_loss, examples_seen (cumulative), step_time (seconds since start).
    Per epoch:               epoch_loss (mean training loss over the epoch's batches, weighted by
                             batch size), epoch_accuracy (classification only), val_loss,
                             val_accuracy (with validation data).
    diverged / message:      set when the loss stopped being finite; stopped_early when a callback
                             asked to stop.
    """

    step_loss: list = field(default_factory=list)
    examples_seen: list = field(default_factory=list)
    step_time: list = field(default_factory=list)
    epoch_loss: list = field(default_factory=list)
    epoch_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    diverged: bool = False
    stopped_early: bool = False
    message: str = ""

    @property
    def epochs(self):
        return len(self.epoch_loss)

    @property
    def steps(self):
        return len(self.step_loss)


def accuracy(prediction, target):
    """Fraction of correct predictions: argmax of (N, C) logits against (N,) class labels, or
    logit > 0 against target > 0.5 elementwise for binary (and multi-label) outputs of the target's shape."""
    prediction, target = np.asarray(prediction), np.asarray(target)
    if prediction.ndim == 2 and prediction.shape[1] > 1 and target.shape == prediction.shape[:1]:
        return float(np.mean(prediction.argmax(axis=1) == target))
    if prediction.shape != target.shape:
        raise ValueError(
            f"accuracy: target must be class labels of shape {prediction.shape[:1]} or binary targets of "
            f"shape {prediction.shape}, got shape {target.shape}"
        )
    return float(np.mean((prediction > 0) == (target > 0.5)))


def _is_classification(loss_fn):
    return isinstance(loss_fn, (CrossEntropyLoss, BCEWithLogitsLoss))


def evaluate(model, loss_fn, X, y):
    """Loss (and accuracy for classification) of the model on (X, y), without updating anything."""
    with np.errstate(all="ignore"):
        prediction = model(X)
        loss = loss_fn(prediction, y)
    return loss, (accuracy(prediction, y) if _is_classification(loss_fn) else None)


def fit(model, loss_fn, optimizer, X, y, *, epochs, batch_size=None, shuffle=True, rng=None,
        validation=None, callbacks=()):
    """Train `model` on (X, y) and return a History.

    batch_size=None uses the whole dataset for every step (batch gradient descent), 1 is
    stochastic gradient descent, anything between is mini-batch; the last batch of an epoch holds
    what is left. Each epoch's order is a permutation drawn from `rng` when shuffle=True.
    validation=(X_val, y_val) is evaluated after every epoch. Each callback is called as
    callback(history) after every epoch; one that returns True stops training early.
    """
    if not isinstance(model, Module):
        raise TypeError(f"fit: model must be an nnlearn Module, got {describe(model)}")
    if not isinstance(loss_fn, Loss):
        raise TypeError(f"fit: loss_fn must be an nnlearn loss such as nl.MSELoss(), got {describe(loss_fn)}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an nnlearn optimizer such as nl.optim.SGD, got {describe(optimizer)}")
    X, y = _check_data(X, y, "X", "y", model)
    epochs = check_int(epochs, "fit: epochs", low=1)
    batch_size = len(X) if batch_size is None else check_int(batch_size, "fit: batch_size", low=1)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(f"fit: validation must be a pair (X_val, y_val), got {describe(validation)}")
        validation = _check_data(*validation, "X_val", "y_val", model)
    if callable(callbacks):
        callbacks = (callbacks,)
    rng = as_rng(rng)
    classify = _is_classification(loss_fn)
    history = History()
    start, seen = time.perf_counter(), 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(1, epochs + 1):
            total_loss = total_correct = 0.0
            for step, (X_batch, y_batch) in enumerate(minibatches(X, y, batch_size, shuffle, rng), 1):
                prediction = model(X_batch)                         # 1. forward pass
                loss = loss_fn(prediction, y_batch)                 # 2. loss
                if not math.isfinite(loss):
                    _report_divergence(history, optimizer, loss, epoch, step)
                    return history
                optimizer.zero_grad()
                model._backward_to_parameters(loss_fn.backward())   # 3. backpropagation (no dL/dX: X is data)
                optimizer.step()                                    # 4. weight update
                seen += len(X_batch)
                history.step_loss.append(loss)
                history.examples_seen.append(seen)
                history.step_time.append(time.perf_counter() - start)
                total_loss += loss * len(X_batch)
                if classify:
                    total_correct += accuracy(prediction, y_batch) * len(X_batch)
            history.epoch_loss.append(total_loss / len(X))
            if classify:
                history.epoch_accuracy.append(total_correct / len(X))
            if validation is not None:
                val_loss, val_accuracy = evaluate(model, loss_fn, *validation)
                history.val_loss.append(val_loss)
                if classify:
                    history.val_accuracy.append(val_accuracy)
            if any([callback(history) for callback in callbacks]):
                history.stopped_early = True
                history.message = f"Stopped early after epoch {epoch}."
                break
    return history


def _check_data(X, y, x_name, y_name, model):
    params = model.parameters()
    dtype = params[0].dtype if params else None
    X = as_float_array(X, x_name, dtype=dtype, where="fit")
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"fit: {x_name} and {y_name} must have one row per example, got shapes {X.shape} and {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"fit: {x_name} and {y_name} must have the same number of rows, got {len(X)} and {len(y)}")
    if len(X) == 0:
        raise ValueError(f"fit: {x_name} is empty")
    check_finite(X, x_name, where="fit")
    if y.dtype.kind not in "biuf":
        raise TypeError(f"fit: {y_name} must hold numbers, got {describe(y)}")
    check_finite(y, y_name, where="fit")
    return X, y


def _report_divergence(history, optimizer, loss, epoch, step):
    lr = optimizer.param_groups[0]["lr"]
    history.diverged = True
    history.message = (
        f"Training diverged at epoch {epoch}, step {step}: the loss became {loss}. "
        f"The steps overshot until the numbers overflowed; lower the learning rate "
        f"(it is {lr:g}: try {lr / 10:g})."
    )


class EarlyStopping:
    """Callback that stops training when the validation loss has not improved for `patience` epochs.

    With restore_best=True the model's weights go back to those of the best epoch when it stops;
    call `restore()` to do the same after a run that used all its epochs. `best_epoch` (1-based)
    and `best_loss` are kept for plots.
    """

    def __init__(self, model, patience=5, restore_best=True):
        self.model = model
        self.patience = check_int(patience, "EarlyStopping: patience", low=1)
        self.restore_best = restore_best
        self.best_loss = np.inf
        self.best_epoch = 0
        self._best_weights = None

    def __call__(self, history):
        if not history.val_loss:
            raise ValueError("EarlyStopping needs validation data: pass validation=(X_val, y_val) to fit")
        epoch, loss = len(history.val_loss), history.val_loss[-1]
        if loss < self.best_loss:
            self.best_loss, self.best_epoch = loss, epoch
            self._best_weights = [p.data.copy() for p in self.model.parameters()]
        stop = epoch - self.best_epoch >= self.patience
        if stop and self.restore_best and self._best_weights is not None:
            self.restore()                                   # (no finite validation loss yet: nothing to restore)
        return stop

    def restore(self):
        """Put the best epoch's weights back into the model."""
        if self._best_weights is None:
            raise ValueError("EarlyStopping.restore: no epoch has had a finite validation loss yet, so there are no best weights")
        for param, best in zip(self.model.parameters(), self._best_weights):
            param.data[...] = best
