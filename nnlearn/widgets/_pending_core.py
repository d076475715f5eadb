"""Stand-ins for three names the `core` branch is adding (nl.train_step, nl.has_diverged,
nl.optim.OPTIMIZERS), used only while they are missing. Delete this file once core is merged.
"""

import math
from collections import OrderedDict
from dataclasses import dataclass

from .. import optim, train

try:
    from ..train import train_step
except ImportError:
    def train_step(model, loss_fn, optimizer, X, y):
        """Forward, loss, zero_grad, backward, step; returns the loss before the update."""
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
        return float(loss)

try:
    from ..train import has_diverged
except ImportError:
    def has_diverged(loss, first_loss):
        """Non-finite, or more than 50 x max(first_loss, 1) (the rule core is adding)."""
        if not (math.isfinite(loss) and math.isfinite(first_loss)):
            return True
        return loss > 50.0 * max(first_loss, 1.0)

try:
    from ..optim import OPTIMIZERS
except ImportError:
    @dataclass(frozen=True)
    class OptimizerInfo:
        name: str
        make: object
        state_keys: tuple
        lr_range: tuple
        default_lr: float

    OPTIMIZERS = OrderedDict([
        ("SGD", OptimizerInfo("SGD", lambda p, lr: optim.SGD(p, lr=lr), (), (1e-3, 10.0), 0.1)),
        ("Momentum", OptimizerInfo("Momentum", lambda p, lr: optim.SGD(p, lr=lr, momentum=0.9),
                                   ("momentum_buffer",), (1e-3, 3.0), 0.03)),
        ("RMSprop", OptimizerInfo("RMSprop", lambda p, lr: optim.RMSprop(p, lr=lr), ("square_avg",),
                                  (1e-4, 0.3), 0.01)),
        ("Adagrad", OptimizerInfo("Adagrad", lambda p, lr: optim.Adagrad(p, lr=lr), ("sum",), (1e-3, 3.0), 0.1)),
        ("Adam", OptimizerInfo("Adam", lambda p, lr: optim.Adam(p, lr=lr), ("exp_avg", "exp_avg_sq"),
                               (1e-4, 1.0), 0.01)),
    ])

__all__ = ["train_step", "has_diverged", "OPTIMIZERS", "train"]
