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
import time

import numpy as np

from ._checks import as_rng, check_finite, check_int, describe
from ._fit_checks import check_callbacks, check_data, check_step_arguments
from ._fit_stops import DIVERGENCE_FACTOR, DeferredInterrupt, RestoreModes, divergence_message
from .callbacks import EarlyStopping
from .data import minibatches
from .history import History
from .metrics import accuracy, evaluate, is_classification

__all__ = ["train_step", "has_diverged", "DIVERGENCE_FACTOR", "fit", "History", "EarlyStopping",
           "accuracy", "evaluate"]


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
    check_step_arguments(model, loss_fn, optimizer)
    for array, name in ((X, "X"), (y, "y")):                     # one NaN would turn every weight into NaN
        if np.asarray(array).dtype.kind in "fc":
            check_finite(array, name, where="train_step")
    prediction = model(X)                                        # 1. forward pass
    loss = loss_fn(prediction, y)                                # 2. loss
    optimizer.zero_grad()                                        # 3. backpropagation, into zeroed .grad
    model.backward(loss_fn.backward())
    optimizer.step()                                             # 4. weight update
    return (loss, prediction) if return_prediction else loss


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
    X, y, epochs, batch_size, validation, callbacks, rng = _fit_arguments(
        model, loss_fn, optimizer, X, y, epochs, batch_size, shuffle, rng, validation, callbacks)
    classify = is_classification(loss_fn)
    history, start = History(), time.perf_counter()
    with RestoreModes(model), DeferredInterrupt() as interrupt, np.errstate(all="ignore"):
        model.train()                                            # Dropout on while training
        for epoch in range(1, epochs + 1):
            total_loss = total_correct = 0.0
            for X_batch, y_batch in minibatches(X, y, batch_size, shuffle, rng):
                try:
                    loss, prediction = train_step(model, loss_fn, optimizer, X_batch, y_batch,
                                                  return_prediction=True)
                except KeyboardInterrupt:                      # a second Ctrl-C, or no handler here
                    return _stopped(history, "interrupted", f"Interrupted during step {history.steps + 1} "
                                    f"(epoch {epoch}); that step may be half done.")
                history.record_step(loss, len(X_batch), start)
                if has_diverged(loss, history.step_loss[0]):
                    history.diverged_at = history.steps
                    return _stopped(history, None, divergence_message(history, optimizer, loss, epoch, X, y,
                                                                      regression=not classify))
                if interrupt.requested:
                    return _stopped(history, "interrupted", f"Interrupted after step {history.steps} (epoch "
                                    f"{epoch}); the model holds the weights of that step.")
                total_loss += loss * len(X_batch)
                if classify:
                    total_correct += accuracy(prediction, y_batch) * len(X_batch)
            _end_epoch(history, model, loss_fn, validation, total_loss / len(X), total_correct / len(X), classify)
            if any([callback(history) for callback in callbacks]):
                return _stopped(history, "stopped_early", f"Stopped early after epoch {epoch}.")
    return history


def _fit_arguments(model, loss_fn, optimizer, X, y, epochs, batch_size, shuffle, rng, validation, callbacks):
    """fit's arguments checked (a clear error naming the one that is wrong) and put in working form."""
    check_step_arguments(model, loss_fn, optimizer, where="fit")
    X, y = check_data(X, y, "X", "y", model)
    epochs = check_int(epochs, "fit: epochs", low=1)
    batch_size = len(X) if batch_size is None else check_int(batch_size, "fit: batch_size", low=1)
    if not isinstance(shuffle, bool):
        raise TypeError(f"fit: shuffle must be True or False, got {describe(shuffle)}")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(f"fit: validation must be a pair (X_val, y_val), got {describe(validation)}")
        validation = check_data(*validation, "X_val", "y_val", model)
    return X, y, epochs, batch_size, validation, check_callbacks(callbacks), as_rng(rng, "fit: rng")


def _end_epoch(history, model, loss_fn, validation, mean_loss, mean_accuracy, classify):
    """Record the epoch's mean training loss (and accuracy), then the validation numbers."""
    history.epoch_loss.append(mean_loss)
    if classify:
        history.epoch_accuracy.append(mean_accuracy)
    if validation is not None:
        val_loss, val_accuracy = evaluate(model, loss_fn, *validation)
        history.val_loss.append(val_loss)
        if classify:
            history.val_accuracy.append(val_accuracy)


def _stopped(history, flag, message):
    """The History of a run that stopped before its last epoch, saying why."""
    if flag is not None:
        setattr(history, flag, True)
    history.message = message
    return history
