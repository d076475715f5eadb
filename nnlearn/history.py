"""What a run of `fit` recorded, step by step and epoch by epoch."""

import time
from dataclasses import dataclass, field


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

    def record_step(self, loss, batch_size, start):
        """One update: its loss (before the update), the examples seen so far, seconds since `start`."""
        seen = (self.examples_seen[-1] if self.examples_seen else 0) + batch_size
        self.step_loss.append(loss)
        self.examples_seen.append(seen)
        self.step_time.append(time.perf_counter() - start)
