"""Curvature that changes during training, and learning-rate schedules against constant rates (lesson 04).

`sharpness` is the largest curvature of the loss over all the weights: the top eigenvalue of the
Hessian, built column by column from central differences of backprop's gradients (82 weights:
164 gradient evaluations). On a parabola it is the c of lesson 04's rule eta < 2 / c.

`schedule_race` trains lesson 05's moons network with mini-batch SGD for a fixed budget, once per
(schedule, peak rate of one grid, seed), and keeps the final loss on all the data. Runs are cached.

    python -m nnlearn.experiments.schedule_runs      prints the numbers lesson 04 states
"""

import functools
import math

import numpy as np

from .. import lr_scheduler
from .training_runs import TrainingRun

SEEDS = tuple(range(10))
RATES = tuple(float(round(10 ** e, 4)) for e in np.arange(-1.0, 1.01, 0.25))   # 0.1 .. 10, 9 rates
BATCH_SIZE, UPDATES = 10, 200                                                    # 10 epochs of 200 moons
SCHEDULES = ("constant", "step", "cosine", "warm-up + cosine")
WARMUP = UPDATES // 10


def flat_gradient(model, loss_fn, X, target):
    """Backprop's gradient of the loss on (X, target), all parameters in one vector (P,)."""
    loss_fn(model(X), target)
    model.zero_grad()
    model.backward(loss_fn.backward())
    return np.concatenate([p.grad.ravel() for p in model.parameters()])


def sharpness(model, loss_fn, X, target, eps=1e-5):
    """The largest eigenvalue of the Hessian of the loss over all weights (central differences)."""
    columns = []
    for param in model.parameters():
        flat = param.data.reshape(-1)                 # a view: writing it moves the weight
        for i in range(flat.size):
            kept = flat[i]
            flat[i] = kept + eps
            above = flat_gradient(model, loss_fn, X, target)
            flat[i] = kept - eps
            below = flat_gradient(model, loss_fn, X, target)
            flat[i] = kept
            columns.append((above - below) / (2 * eps))
    hessian = np.array(columns)
    return float(np.linalg.eigvalsh((hessian + hessian.T) / 2)[-1])


@functools.lru_cache(maxsize=None)
def sharpness_while_training(seed, lr, checkpoints=(0, 100, 400)):
    """Full-batch gradient descent on the moons network: {update: sharpness} at the checkpoints,
    plus "loss" (the final loss on all the data) and "diverged" (True or False)."""
    run = TrainingRun("moons", optimizer="SGD", lr=lr, batch_size=200, seed=seed)
    found = {}
    for update in checkpoints:
        run.train(update - run.updates)
        if run.diverged_at is not None:
            break
        found[update] = sharpness(run.model, run.loss_fn, run.X, run.target)
    found["loss"], found["diverged"] = run.full_loss(), run.diverged_at is not None
    return found


def make_schedule(name, optimizer, updates=UPDATES):
    """The scheduler of one of SCHEDULES over `updates` updates (None for a constant rate)."""
    if name == "constant":
        return None
    if name == "step":                                # x0.3 at 1/3 and 2/3 of the budget
        return lr_scheduler.StepLR(optimizer, step_size=math.ceil(updates / 3), gamma=0.3)
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=updates)
    if name == "warm-up + cosine":                    # 10 % of the budget rising from a tenth of the peak
        warmup = updates // 10
        return lr_scheduler.SequentialLR(optimizer, [lr_scheduler.LinearLR(optimizer, start_factor=0.1,
                                                                           total_iters=warmup),
                                                     lr_scheduler.CosineAnnealingLR(optimizer, T_max=updates - warmup)],
                                         milestones=[warmup])
    raise ValueError(f"unknown schedule {name!r}; choose one of {', '.join(SCHEDULES)}")


@functools.lru_cache(maxsize=None)
def scheduled_loss(name, lr, seed, updates=UPDATES, batch_size=BATCH_SIZE):
    """The loss on all the data after `updates` SGD updates with peak rate lr under schedule `name`
    (the scheduler steps once per update); inf if training diverged."""
    run = TrainingRun("moons", optimizer="SGD", lr=lr, batch_size=batch_size, seed=seed)
    scheduler = make_schedule(name, run.optimizer, updates)
    for _ in range(updates):
        if run.diverged_at is not None:
            return math.inf
        run.step()
        if scheduler is not None:
            scheduler.step()
    return math.inf if run.diverged_at is not None else run.full_loss()


def schedule_race(seeds=SEEDS, rates=RATES):
    """{schedule: (len(seeds), len(rates)) final losses} for every schedule, seed and peak rate."""
    return {name: np.array([[scheduled_loss(name, lr, seed) for lr in rates] for seed in seeds])
            for name in SCHEDULES}


def schedule_curves(updates=UPDATES):
    """{schedule: (updates + 1,) the learning rate before each update and after the last, peak 1}."""
    from ..optim import SGD                           # a stand-in optimizer: only its rate is read
    from ..nn import Parameter

    curves = {}
    for name in SCHEDULES:
        optimizer = SGD([Parameter(np.zeros(1))], lr=1.0)
        scheduler = make_schedule(name, optimizer, updates)
        rates = [optimizer.param_groups[0]["lr"]]
        for _ in range(updates):
            if scheduler is not None:
                scheduler.step()
            rates.append(optimizer.param_groups[0]["lr"])
        curves[name] = np.array(rates)
    return curves


def summary(seeds=SEEDS, rates=RATES):
    race = schedule_race(seeds, rates)
    best_constant = race["constant"].min(axis=1)                     # (seeds,) the best constant rate's loss
    lines = [f"moons, SGD, batch {BATCH_SIZE}, {UPDATES} updates, seeds {seeds[0]}..{seeds[-1]}, "
             f"rates {rates[0]:g}..{rates[-1]:g} in steps of 10^0.25"]
    for name, losses in race.items():
        best = losses.min(axis=1)
        peaks = np.array(rates)[losses.argmin(axis=1)]
        ratio = best / best_constant
        lines.append(f"  {name:17s} best loss median {np.median(best):.4f} (range {best.min():.4f}-{best.max():.4f}), "
                     f"best rate median {np.median(peaks):.3g}; vs the best constant: median x{np.median(ratio):.3f} "
                     f"(range {ratio.min():.3f}-{ratio.max():.3f}), lower at {int(np.sum(best < best_constant))} "
                     f"of {len(seeds)} seeds")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary())
    for seed in SEEDS[:5]:
        print(seed, {k: (round(v, 3) if isinstance(v, float) else v) for k, v in sharpness_while_training(seed, 4.0).items()})
