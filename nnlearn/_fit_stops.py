"""How `fit` stops cleanly: Ctrl-C between two steps, the modules' training flags put back, and
a divergence explained in words (what blew up, and what to change)."""

import math
import signal
import threading

import numpy as np

DIVERGENCE_FACTOR = 50.0         # a loss this many times max(first loss, 1) counts as diverged


class DeferredInterrupt:
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


class RestoreModes:
    """Within `with`, nothing; on leaving, every module's training flag goes back to what it was
    when this was made."""

    def __init__(self, model):
        self.modes = [(module, module.training) for module in model.modules()]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for module, mode in self.modes:
            module.training = mode
        return False


DATA_SCALE_LIMIT = 1e3           # data beyond this (in absolute value) is worth naming when training blows up


def divergence_message(history, optimizer, loss, epoch, X, y, regression):
    step, first_loss = history.diverged_at, history.step_loss[0]
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
