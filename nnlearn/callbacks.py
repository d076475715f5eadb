"""Callbacks for `fit`: called as callback(history) after every epoch; True stops training."""

import numpy as np

from ._checks import check_int, check_real, describe
from .nn import Module

__all__ = ["EarlyStopping"]


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
