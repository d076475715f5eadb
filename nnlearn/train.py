"""The training loop: the four steps that repeat, and a record of what they did.

    1. forward pass      prediction = model(X_batch)
    2. loss              loss = loss_fn(prediction, y_batch)
    3. backpropagation   optimizer.zero_grad(); model.backward(loss_fn.backward())
    4. weight update     optimizer.step()

`train_step` is those four lines, once; `fit` runs it over mini-batches and epochs. The apps and
the lessons call the same function, so the loop a lesson shows is the loop that runs.

`has_diverged(loss, first_loss)` is the one rule for "training blew up", used by `fit`, by
`landscapes.run` and by the apps: the loss is not finite, or it has grown past
DIVERGENCE_FACTOR (50) times max(first_loss, 1). `fit` stops there and says why in
`History.message`, with the step in `History.diverged_at`, instead of a screen of numpy overflow
warnings and NaN weights. Ctrl-C (a kernel interrupt) during `fit` lets the current step finish and
returns the History with `interrupted=True`; a second Ctrl-C stops at once.
"""

import math
import signal
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_float_array, as_rng, check_finite, check_int, check_real, describe
from .data import minibatches
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, Loss
from .nn import Module
from .optim import Optimizer

__all__ = ["train_step", "has_diverged", "DIVERGENCE_FACTOR", "fit", "History", "EarlyStopping",
           "accuracy", "evaluate"]

DIVERGENCE_FACTOR = 50.0         # a loss this many times max(first loss, 1) counts as diverged


def has_diverged(loss, first_loss):
    """True when training has blown up: `loss` is not finite, or it exceeds 50 x max(first_loss, 1).

    first_loss is the loss at the first step of the run (the reference a climb is measured from);
    the floor of 1 keeps the ordinary noise of a loss that is already small (0.001 -> 0.2) from
    counting. The same rule serves fit, landscapes.run (with heights for losses) and the apps.
    """
    try:
        loss, first_loss = float(loss), float(first_loss)
    except (TypeError, ValueError) as error:
        raise TypeError(f"has_diverged: loss and first_loss must be numbers, got {describe(loss)} and "
                        f"{describe(first_loss)}") from error
    if not (math.isfinite(loss) and math.isfinite(first_loss)):
        return True
    return loss > DIVERGENCE_FACTOR * max(first_loss, 1.0)


@dataclass
class History:
    """What one call of `fit` recorded.

    Per step (one update):   step_loss (the loss before the update), examples_seen (cumulative),
                             step_time (seconds since start).
    Per epoch:               epoch_loss (mean training loss over the epoch's batches, weighted by
                             batch size), epoch_accuracy (classification only), val_loss,
                             val_accuracy (with validation data).
    diverged_at:             the 1-based step whose loss tripped `has_diverged` (its loss is the last
                             of step_loss), or None; `diverged` is `diverged_at is not None`.
    interrupted:             Ctrl-C stopped training between two steps.
    stopped_early:           a callback asked to stop.
    message:                 what happened, in words, when any of these is set.
    """

    step_loss: list = field(default_factory=list)
    examples_seen: list = field(default_factory=list)
    step_time: list = field(default_factory=list)
    epoch_loss: list = field(default_factory=list)
    epoch_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    diverged_at: int = None
    interrupted: bool = False
    stopped_early: bool = False
    message: str = ""

    @property
    def diverged(self):
        return self.diverged_at is not None

    @property
    def epochs(self):
        return len(self.epoch_loss)

    @property
    def steps(self):
        return len(self.step_loss)


def train_step(model, loss_fn, optimizer, X, y, *, return_prediction=False):
    """One training step: forward pass, loss, backpropagation, weight update.

    Returns the loss before the update (a float), or (loss, prediction) with return_prediction=True.
    The input gradient dL/dX is not computed: X is data, nothing upstream needs it (as a PyTorch
    input that does not require grad).
    Shapes: X (N, ...) as the model takes it, y as the loss takes it; prediction = model(X).

    A loop of steps that watches for divergence as fit does (numpy warns while numbers overflow;
    the rule, not the warnings, says when to stop):

        with np.errstate(all="ignore"):
            for step in range(1, 101):
                loss = nl.train_step(model, loss_fn, optimizer, X, y)
                first_loss = loss if step == 1 else first_loss
                if nl.has_diverged(loss, first_loss):
                    break
    """
    _check_step_arguments(model, loss_fn, optimizer)
    for array, name in ((X, "X"), (y, "y")):                     # one NaN would turn every weight into NaN
        if np.asarray(array).dtype.kind in "fc":
            check_finite(array, name, where="train_step")
    prediction = model(X)                                        # 1. forward pass
    loss = loss_fn(prediction, y)                                # 2. loss
    optimizer.zero_grad()                                        # 3. backpropagation, into zeroed .grad
    model.backward(loss_fn.backward())
    optimizer.step()                                             # 4. weight update
    return (loss, prediction) if return_prediction else loss


def _check_step_arguments(model, loss_fn, optimizer, where="train_step"):
    if not isinstance(model, Module):
        raise TypeError(f"{where}: model must be an nnlearn Module, got {describe(model)}")
    if not isinstance(loss_fn, Loss):
        raise TypeError(f"{where}: loss_fn must be an nnlearn loss such as nl.MSELoss(), got {describe(loss_fn)}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{where}: optimizer must be an nnlearn optimizer such as nl.optim.SGD, got {describe(optimizer)}")
    if optimizer.__dict__.get("_checked_model") is not model:   # once per (optimizer, model) pair
        _check_optimizer_belongs_to(model, optimizer, where)
        optimizer._checked_model = model


def _check_optimizer_belongs_to(model, optimizer, where):
    """An optimizer over parameters the model does not have would train nothing, silently."""
    mine = {id(param) for param in model.parameters()}
    theirs = [param for group in optimizer.param_groups for param in group["params"]]
    foreign = sum(id(param) not in mine for param in theirs)
    if foreign == len(theirs):
        raise ValueError(
            f"{where}: the optimizer was built on another model's parameters, so this model's weights would "
            "never change; build it from this model: optimizer = nl.optim.SGD(model.parameters(), lr=...)"
        )
    if foreign:
        raise ValueError(
            f"{where}: {foreign} of the optimizer's {len(theirs)} parameters are not in this model (they would "
            "never get a gradient); build the optimizer from model.parameters()"
        )


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


def _is_classification(loss_fn):
    return isinstance(loss_fn, (CrossEntropyLoss, BCEWithLogitsLoss))


def evaluate(model, loss_fn, X, y):
    """Loss (and accuracy for classification, else None) of the model on (X, y), updating nothing.

    Runs in evaluation mode (Dropout off) and puts each module's training flag back afterwards.
    """
    if not isinstance(model, Module):
        raise TypeError(f"evaluate: model must be an nnlearn Module, got {describe(model)}")
    if not isinstance(loss_fn, Loss):
        raise TypeError(f"evaluate: loss_fn must be an nnlearn loss such as nl.MSELoss(), got {describe(loss_fn)}")
    X, y = _check_data(X, y, "X", "y", model, where="evaluate")
    with _RestoreModes([(module, module.training) for module in model.modules()]), np.errstate(all="ignore"):
        model.eval()
        prediction = model(X)
        loss = loss_fn(prediction, y)
    return loss, (accuracy(prediction, y) if _is_classification(loss_fn) else None)


class _DeferredInterrupt:
    """Within `with`, Ctrl-C (SIGINT) only sets `requested`; a second Ctrl-C interrupts at once.

    So an interrupt never lands inside an optimizer step (half the parameters updated). Only the
    main thread can install signal handlers; elsewhere this does nothing.
    """

    def __init__(self):
        self.requested = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            try:
                self._previous = signal.signal(signal.SIGINT, self._handle)
            except (ValueError, TypeError):                       # e.g. an embedded interpreter
                self._previous = None
        return self

    def _handle(self, signum, frame):
        if self.requested:                                       # pressed twice: stop now
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


def fit(model, loss_fn, optimizer, X, y, *, epochs, batch_size=None, shuffle=True, rng=None,
        validation=None, callbacks=()):
    """Train `model` on (X, y) with `train_step` and return a History.

    batch_size=None uses the whole dataset for every step (batch gradient descent), 1 is
    stochastic gradient descent, anything between is mini-batch; the last batch of an epoch holds
    what is left. Each epoch's order is a permutation drawn from `rng` when shuffle=True
    (rng=None: fresh entropy, a different order every run; an int or a Generator: repeatable).
    The model trains in training mode (model.train(): Dropout on) and is put back in the mode it
    was in afterwards. validation=(X_val, y_val) is evaluated after every epoch (in evaluation mode). Each callback
    is called as callback(history) after every epoch; one that returns True stops training early.
    Training stops when `has_diverged` says so (History.diverged_at) and, after the step under way,
    on Ctrl-C (History.interrupted).
    """
    _check_step_arguments(model, loss_fn, optimizer, where="fit")
    X, y = _check_data(X, y, "X", "y", model)
    epochs = check_int(epochs, "fit: epochs", low=1)
    batch_size = len(X) if batch_size is None else check_int(batch_size, "fit: batch_size", low=1)
    if not isinstance(shuffle, bool):
        raise TypeError(f"fit: shuffle must be True or False, got {describe(shuffle)}")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(f"fit: validation must be a pair (X_val, y_val), got {describe(validation)}")
        validation = _check_data(*validation, "X_val", "y_val", model)
    callbacks = _check_callbacks(callbacks)
    rng = as_rng(rng, "fit: rng")
    classify = _is_classification(loss_fn)
    history = History()
    start, seen, first_loss = time.perf_counter(), 0, None
    modes = [(module, module.training) for module in model.modules()]
    model.train()                                                # Dropout on while training
    with _RestoreModes(modes), _DeferredInterrupt() as interrupt, np.errstate(all="ignore"):
        for epoch in range(1, epochs + 1):
            total_loss = total_correct = 0.0
            for X_batch, y_batch in minibatches(X, y, batch_size, shuffle, rng):
                try:
                    loss, prediction = train_step(model, loss_fn, optimizer, X_batch, y_batch,
                                                  return_prediction=True)
                except KeyboardInterrupt:                      # a second Ctrl-C, or no handler here
                    history.interrupted = True
                    history.message = (f"Interrupted during step {history.steps + 1} (epoch {epoch}); "
                                       "that step may be half done.")
                    return history
                seen += len(X_batch)
                history.step_loss.append(loss)
                history.examples_seen.append(seen)
                history.step_time.append(time.perf_counter() - start)
                first_loss = loss if first_loss is None else first_loss
                if has_diverged(loss, first_loss):
                    history.diverged_at = history.steps
                    history.message = _divergence_message(history, optimizer, loss, first_loss, epoch, X, y,
                                                          regression=not classify)
                    return history
                if interrupt.requested:
                    history.interrupted = True
                    history.message = (f"Interrupted after step {history.steps} (epoch {epoch}); the model "
                                       "holds the weights of that step.")
                    return history
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


class _RestoreModes:
    """Within `with`, nothing; on leaving, every module's training flag goes back to what it was."""

    def __init__(self, modes):
        self.modes = modes

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for module, mode in self.modes:
            module.training = mode
        return False


def _check_callbacks(callbacks):
    """None or () for none, one function, or a list of functions each called as callback(history)."""
    if callbacks is None:
        return ()
    if callable(callbacks):
        return (callbacks,)
    if isinstance(callbacks, (str, bytes)) or not hasattr(callbacks, "__iter__"):
        raise TypeError(f"fit: callbacks must be a function or a list of functions, got {describe(callbacks)}")
    callbacks = tuple(callbacks)
    for index, callback in enumerate(callbacks):
        if not callable(callback):
            raise TypeError(
                f"fit: callbacks[{index}] must be a function called as callback(history) after each epoch "
                f"(e.g. nl.EarlyStopping(model)), got {describe(callback)}"
            )
    return callbacks


def _check_data(X, y, x_name, y_name, model, where="fit"):
    params = model.parameters()
    dtype = params[0].dtype if params else None
    X = as_float_array(X, x_name, dtype=dtype, where=where)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{where}: {x_name} and {y_name} must have one row per example, got shapes {X.shape} and {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"{where}: {x_name} and {y_name} must have the same number of rows, got {len(X)} and {len(y)}")
    if len(X) == 0:
        raise ValueError(f"{where}: {x_name} is empty (0 rows)")
    check_finite(X, x_name, where=where)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {y_name} must hold numbers, got {describe(y)}")
    check_finite(y, y_name, where=where)
    return X, y


DATA_SCALE_LIMIT = 1e3           # data beyond this (in absolute value) is worth naming when training blows up


def _divergence_message(history, optimizer, loss, first_loss, epoch, X, y, regression):
    step = history.diverged_at
    lr = optimizer.param_groups[0]["lr"]
    if not math.isfinite(loss):
        what = f"became {loss}"
    else:
        what = (f"grew from {first_loss:.3g} to {loss:.3g}, more than {DIVERGENCE_FACTOR:g} times "
                f"max(first loss, 1)")
    where = f"Training diverged at step {step} (epoch {epoch}): the loss {what}."
    scale = float(np.max(np.abs(X)))
    target_scale = float(np.max(np.abs(y))) if regression and np.asarray(y).dtype.kind == "f" else 0.0
    lr_hint = f"lower the learning rate (it is {lr:g}: try {lr / 10:g})"
    if max(scale, target_scale) > DATA_SCALE_LIMIT:
        name, value = ("X", scale) if scale >= target_scale else ("y", target_scale)
        data_hint = (f"The data is far from unit scale: {name} reaches {value:.3g} in absolute value, so the "
                     f"first gradients are enormous. Standardise it first, e.g. "
                     f"{name} = ({name} - {name}.mean(axis=0)) / {name}.std(axis=0)")
        if step == 1:
            return f"{where} {data_hint}; no learning rate fixes data at that scale."
        return f"{where} {data_hint}, or {lr_hint}."
    return f"{where} The steps overshot until the loss exploded; {lr_hint}."


class EarlyStopping:
    """Callback that stops training when the monitored validation number has not improved for
    `patience` epochs (as PyTorch Lightning's EarlyStopping and Keras's do).

    monitor: "val_loss" (lower is better) or "val_accuracy" (higher is better). min_delta: an epoch
    counts as an improvement only when it beats the best by more than this (0: any improvement).
    With restore_best=True the model's weights go back to those of the best epoch when it stops;
    call `restore()` to do the same after a run that used all its epochs. `best_epoch` (1-based)
    and `best_value` (also `best_loss` when monitoring the loss) are kept for plots. Each `fit`
    starts afresh: the callback forgets the last run at a fit's first epoch.
    """

    MONITORS = {"val_loss": -1.0, "val_accuracy": +1.0}      # the sign of an improvement

    def __init__(self, model, patience=5, restore_best=True, monitor="val_loss", min_delta=0.0):
        if not isinstance(model, Module):
            raise TypeError(f"EarlyStopping: model must be the nnlearn Module being trained, got {describe(model)}")
        if not isinstance(restore_best, bool):
            raise TypeError(f"EarlyStopping: restore_best must be True or False, got {describe(restore_best)}")
        if monitor not in self.MONITORS:
            raise ValueError(f"EarlyStopping: monitor must be one of {', '.join(map(repr, self.MONITORS))}, "
                             f"got {monitor!r}")
        self.model = model
        self.patience = check_int(patience, "EarlyStopping: patience", low=1)
        self.restore_best = restore_best
        self.monitor = monitor
        self.min_delta = check_real(min_delta, "EarlyStopping: min_delta", low=0.0)
        self._sign = self.MONITORS[monitor]
        self.reset()

    @property
    def best_loss(self):
        """The best validation loss (monitor="val_loss")."""
        if self.monitor != "val_loss":
            raise AttributeError(f"EarlyStopping.best_loss: this callback monitors {self.monitor}; read best_value")
        return self.best_value

    def reset(self):
        """Forget the best epoch and its weights: a new run starts from nothing."""
        self.best_value = -self._sign * np.inf
        self.best_epoch = 0
        self._best_weights = None

    def __call__(self, history):
        values = getattr(history, self.monitor)
        if not values:
            if self.monitor == "val_accuracy" and history.val_loss:
                raise ValueError("EarlyStopping(monitor='val_accuracy') needs a classification loss (accuracy is "
                                 "the share of right classes); this loss is a regression: monitor='val_loss'")
            raise ValueError(f"EarlyStopping needs validation data to monitor {self.monitor}: "
                             "pass validation=(X_val, y_val) to fit")
        epoch, value = len(values), values[-1]
        if epoch == 1:                                       # the first epoch of a fit: a new run
            self.reset()
        if np.isfinite(value) and self._sign * (value - self.best_value) > self.min_delta:
            self.best_value, self.best_epoch = value, epoch
            self._best_weights = [p.data.copy() for p in self.model.parameters()]
        stop = epoch - self.best_epoch >= self.patience
        if stop and self.restore_best and self._best_weights is not None:
            self.restore()                                   # (no finite validation value yet: nothing to restore)
        return stop

    def restore(self):
        """Put the best epoch's weights back into the model."""
        if self._best_weights is None:
            raise ValueError("EarlyStopping.restore: no epoch has had a finite validation loss yet, so there are no best weights")
        for param, best in zip(self.model.parameters(), self._best_weights):
            param.data[...] = best
