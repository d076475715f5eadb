"""Learning-rate schedules: the learning rate as a function of the epoch (or step) count.

Names, arguments and values are PyTorch's (`torch.optim.lr_scheduler`), reached the same way:
`nl.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)`. A scheduler sets
`optimizer.param_groups[i]["lr"]` on creation (epoch 0) and again at every `step()`, which you call
once per epoch (or per update) after `optimizer.step()`:

    scheduler = nl.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)
    for epoch in range(100):
        ...                                  # the four steps, for every mini-batch
        scheduler.step()

Each schedule is written in its closed form, lr = f(base_lr, epoch); PyTorch computes the same
values by an equivalent recursion, so they agree to float rounding (tests/unit/test_lr_scheduler.py).
"""

import math
from bisect import bisect_right

__all__ = ["LRScheduler", "LambdaLR", "StepLR", "CosineAnnealingLR", "LinearLR", "SequentialLR"]


class LRScheduler:
    """Base class: holds the optimizer, its starting rates `base_lrs` and the epoch count `last_epoch`."""

    def __init__(self, optimizer):
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])            # the rate before any schedule
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self.step()                                                # epoch 0's rate

    def lr_at(self, base_lr, epoch):
        """The learning rate at `epoch` for a group that started at `base_lr`."""
        raise NotImplementedError

    def get_lr(self):
        return [self.lr_at(base_lr, self.last_epoch) for base_lr in self.base_lrs]

    def step(self):
        """Count one more epoch and set the optimizer's learning rates for it."""
        self.last_epoch += 1
        self._apply()

    def _apply(self):
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self):
        """The learning rates the last `step()` (or the creation) set, one per param group."""
        return list(self._last_lr)


class LambdaLR(LRScheduler):
    """Any schedule: lr = base_lr * lr_lambda(epoch)."""

    def __init__(self, optimizer, lr_lambda):
        self.lr_lambda = lr_lambda
        super().__init__(optimizer)

    def lr_at(self, base_lr, epoch):
        return base_lr * self.lr_lambda(epoch)


class StepLR(LRScheduler):
    """Step decay: multiply the rate by `gamma` every `step_size` epochs.

        lr = base_lr * gamma ** (epoch // step_size)
    """

    def __init__(self, optimizer, step_size, gamma=0.1):
        if int(step_size) != step_size or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive whole number of epochs, got {step_size!r}")
        self.step_size, self.gamma = int(step_size), gamma
        super().__init__(optimizer)

    def lr_at(self, base_lr, epoch):
        return base_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """Cosine decay from base_lr down to eta_min over T_max epochs (and back up after, as PyTorch).

        lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2
    """

    def __init__(self, optimizer, T_max, eta_min=0.0):
        if T_max <= 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be positive, got {T_max!r}")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer)

    def lr_at(self, base_lr, epoch):
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2


class LinearLR(LRScheduler):
    """A linear ramp of the rate's factor from start_factor to end_factor over total_iters epochs, then
    constant: with start_factor small, this is learning-rate warm-up.

        lr = base_lr * (start_factor + (end_factor - start_factor) * min(epoch, total_iters) / total_iters)
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
        if not 0 < start_factor <= 1 or not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1] and end_factor in [0, 1], "
                             f"got {start_factor!r} and {end_factor!r}")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer)

    def lr_at(self, base_lr, epoch):
        fraction = min(self.total_iters, epoch) / self.total_iters
        return base_lr * (self.start_factor + (self.end_factor - self.start_factor) * fraction)


class SequentialLR(LRScheduler):
    """One schedule after another: `schedulers[i]` runs from `milestones[i - 1]` (its epoch 0 there)
    up to `milestones[i]`. Warm-up then cosine decay:

        warmup = LinearLR(optimizer, start_factor=0.1, total_iters=10)
        decay = CosineAnnealingLR(optimizer, T_max=90)
        scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[10])
    """

    def __init__(self, optimizer, schedulers, milestones):
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: {len(schedulers)} schedulers need {len(schedulers) - 1} milestones, "
                             f"got {len(milestones)}")
        if any(scheduler.optimizer is not optimizer for scheduler in schedulers):
            raise ValueError("SequentialLR: every scheduler must belong to the same optimizer")
        self._schedulers, self._milestones = list(schedulers), list(milestones)
        super().__init__(optimizer)

    def _current(self):
        """The scheduler in charge at last_epoch, and its own epoch count."""
        index = bisect_right(self._milestones, self.last_epoch)
        start = self._milestones[index - 1] if index > 0 else 0
        return self._schedulers[index], self.last_epoch - start

    def get_lr(self):
        scheduler, epoch = self._current()
        scheduler.last_epoch = epoch
        return [scheduler.lr_at(base_lr, epoch) for base_lr in scheduler.base_lrs]
