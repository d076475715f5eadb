"""Learning-rate schedules: the formulas by hand, and the same values as torch.optim.lr_scheduler."""

import math

import numpy as np
import pytest

import nnlearn as nl
from pytorch_reference import import_torch

schedulers = nl.optim.lr_scheduler


def sgd(lr=1.0):
    return nl.optim.SGD([nl.Parameter(np.zeros(2))], lr=lr)


def rates(make, epochs, lr=1.0):
    """The learning rate the optimizer holds at epochs 0 .. epochs (after creation, then after each step)."""
    optimizer = sgd(lr)
    scheduler = make(schedulers, optimizer)
    seen = [optimizer.param_groups[0]["lr"]]
    for _ in range(epochs):
        optimizer.step()
        scheduler.step()
        seen.append(optimizer.param_groups[0]["lr"])
    assert scheduler.get_last_lr() == [seen[-1]]
    return seen


def torch_rates(make, epochs, lr=1.0):
    torch = import_torch()
    optimizer = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=lr)
    scheduler = make(torch.optim.lr_scheduler, optimizer)
    seen = [optimizer.param_groups[0]["lr"]]
    for _ in range(epochs):
        optimizer.step()
        scheduler.step()
        seen.append(optimizer.param_groups[0]["lr"])
    return seen


def warmup_then_cosine(module, optimizer):
    warmup = module.LinearLR(optimizer, start_factor=0.1, total_iters=4)
    decay = module.CosineAnnealingLR(optimizer, T_max=8, eta_min=0.01)
    return module.SequentialLR(optimizer, [warmup, decay], milestones=[4])


SCHEDULES = {
    "StepLR": lambda m, opt: m.StepLR(opt, step_size=3, gamma=0.5),
    "StepLR default gamma": lambda m, opt: m.StepLR(opt, step_size=2),
    "CosineAnnealingLR": lambda m, opt: m.CosineAnnealingLR(opt, T_max=10),
    "CosineAnnealingLR with eta_min, past T_max": lambda m, opt: m.CosineAnnealingLR(opt, T_max=6, eta_min=0.05),
    "LinearLR warm-up": lambda m, opt: m.LinearLR(opt, start_factor=0.1, total_iters=5),
    "LinearLR defaults": lambda m, opt: m.LinearLR(opt),
    "LinearLR decay": lambda m, opt: m.LinearLR(opt, start_factor=1.0, end_factor=0.25, total_iters=4),
    "LambdaLR": lambda m, opt: m.LambdaLR(opt, lambda epoch: 0.9 ** epoch),
    "SequentialLR warm-up then cosine": warmup_then_cosine,
}


def test_step_lr_halves_the_rate_every_3_epochs():
    assert rates(SCHEDULES["StepLR"], 7, lr=0.8) == [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2]


def test_cosine_annealing_falls_from_the_rate_to_half_at_t_max_over_2_to_zero_at_t_max():
    seen = rates(SCHEDULES["CosineAnnealingLR"], 10, lr=2.0)
    assert seen[0] == 2.0 and seen[5] == pytest.approx(1.0) and seen[10] == pytest.approx(0.0, abs=1e-15)
    assert seen[1] == pytest.approx(2.0 * (1 + math.cos(math.pi / 10)) / 2)
    assert all(a > b for a, b in zip(seen, seen[1:]))


def test_linear_warm_up_climbs_from_a_tenth_to_the_full_rate_in_5_epochs_then_stays():
    seen = rates(SCHEDULES["LinearLR warm-up"], 8, lr=0.5)
    np.testing.assert_allclose(seen, [0.05, 0.14, 0.23, 0.32, 0.41, 0.5, 0.5, 0.5, 0.5])


def test_sequential_warm_up_then_cosine_restarts_the_cosine_at_the_milestone():
    seen = rates(warmup_then_cosine, 12, lr=1.0)
    np.testing.assert_allclose(seen[:5], [0.1, 0.325, 0.55, 0.775, 1.0])
    np.testing.assert_allclose(seen[4:], [0.01 + 0.99 * (1 + math.cos(math.pi * k / 8)) / 2 for k in range(9)])


def test_a_schedule_changes_the_step_the_optimizer_takes():
    param = nl.Parameter(np.array([1.0]))
    optimizer = nl.optim.SGD([param], lr=1.0)
    scheduler = schedulers.StepLR(optimizer, step_size=1, gamma=0.5)
    for _ in range(3):
        param.grad[...] = 1.0
        optimizer.step()
        scheduler.step()
    assert param.data[0] == pytest.approx(1 - (1 + 0.5 + 0.25))


@pytest.mark.parametrize("name", SCHEDULES)
def test_every_schedule_gives_pytorchs_learning_rates(name):
    make = SCHEDULES[name]
    np.testing.assert_allclose(rates(make, 20, lr=0.3), torch_rates(make, 20, lr=0.3), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("make, message", [
    (lambda m, opt: m.StepLR(opt, step_size=0), "step_size"),
    (lambda m, opt: m.CosineAnnealingLR(opt, T_max=0), "T_max"),
    (lambda m, opt: m.LinearLR(opt, start_factor=0.0), "start_factor"),
])
def test_impossible_settings_are_refused_with_the_argument_named(make, message):
    with pytest.raises(ValueError, match=message):
        make(schedulers, sgd())
