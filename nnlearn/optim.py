"""Optimizers: how a gradient becomes a weight update.

The update rules, argument names and defaults are PyTorch's (torch.optim, single-tensor code path),
so the same network, data and hyperparameters give the same weights after any number of steps.
Per-parameter state lives in `opt.state[p]` under PyTorch's names, readable for plots.
Hyperparameters live in `opt.param_groups[0]` (e.g. `opt.param_groups[0]["lr"] = 0.1`).

Each `_update` is written as its docstring's formula, line for line, and it is what `step()` runs:
the code a lesson prints is the code that trains. (An in-place variant without temporaries bought
at most a fifth of a step on the smallest arrays and nothing measurable in a `fit`, so it went.)

`OPTIMIZERS` is the one list of optimizers the apps, lessons and tests read: display name ->
OptimizerInfo (how to build it, the state worth plotting, a learning-rate range). Adding an
optimizer is a class here plus one entry in OPTIMIZERS (at the end of this file); the base
class and OptimizerInfo are in optimizer.py.
"""

import numpy as np

from . import lr_scheduler  # noqa: F401  (nl.optim.lr_scheduler.StepLR, as torch.optim.lr_scheduler)
from ._checks import check_real, describe
from .optimizer import Optimizer, OptimizerInfo

__all__ = ["Optimizer", "SGD", "RMSprop", "Adagrad", "Adam", "AdamW", "OptimizerInfo", "OPTIMIZERS", "lr_scheduler"]


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    For each parameter p with gradient g (PyTorch's rule):
        g = g + weight_decay * p
        b = g at the first step, then b = momentum * b + (1 - dampening) * g   (if momentum > 0)
        g = g + momentum * b if nesterov else b                                 (if momentum > 0)
        p = p - lr * g
    """

    def __init__(self, params, lr=0.001, momentum=0, dampening=0, weight_decay=0, nesterov=False):
        lr = check_real(lr, "SGD: lr", low=0)
        momentum = check_real(momentum, "SGD: momentum", low=0)
        dampening = check_real(dampening, "SGD: dampening")
        weight_decay = check_real(weight_decay, "SGD: weight_decay", low=0)
        if not isinstance(nesterov, bool):
            raise TypeError(f"SGD: nesterov must be True or False, got {describe(nesterov)}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                f"SGD: nesterov=True needs momentum > 0 and dampening = 0, got momentum={momentum}, dampening={dampening}"
            )
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def _update(self, param, grad, state, group):
        lr, momentum = group["lr"], group["momentum"]
        g = grad + group["weight_decay"] * param.data if group["weight_decay"] else grad
        if momentum:
            b = state.get("momentum_buffer")
            if b is None:
                b = state["momentum_buffer"] = g.copy()           # b = g at the first step
            else:
                b[...] = momentum * b + (1 - group["dampening"]) * g
            g = g + momentum * b if group["nesterov"] else b
        param.data -= lr * g


class RMSprop(Optimizer):
    """Divide each step by a running root-mean-square of recent gradients (Hinton, 2012).

    For each parameter p with gradient g (PyTorch's rule):
        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g^2              state "square_avg"
        if centered: a = alpha * a + (1 - alpha) * g; v~ = max(v - a^2, 0), else v~ = v
        if momentum > 0: b = momentum * b + g / (sqrt(v~) + eps); p = p - lr * b
        else:            p = p - lr * g / (sqrt(v~) + eps)
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False):
        lr = check_real(lr, "RMSprop: lr", low=0)
        alpha = check_real(alpha, "RMSprop: alpha", low=0, high=1)     # alpha > 1 makes v negative
        eps = check_real(eps, "RMSprop: eps", low=0, low_inclusive=False)   # eps = 0: 0 / 0 for a zero gradient
        weight_decay = check_real(weight_decay, "RMSprop: weight_decay", low=0)
        momentum = check_real(momentum, "RMSprop: momentum", low=0)
        if not isinstance(centered, bool):
            raise TypeError(f"RMSprop: centered must be True or False, got {describe(centered)}")
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def _update(self, param, grad, state, group):
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(param.data)
            if group["momentum"] > 0:
                state["momentum_buffer"] = np.zeros_like(param.data)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(param.data)
        state["step"] += 1
        lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
        g = grad + group["weight_decay"] * param.data if group["weight_decay"] else grad
        v = state["square_avg"]
        v[...] = alpha * v + (1 - alpha) * g**2                  # running mean of g^2
        if group["centered"]:
            a = state["grad_avg"]
            a[...] = alpha * a + (1 - alpha) * g                 # running mean of g
            # v - a^2, the variance of g, is >= 0 in exact arithmetic; rounding can take it just
            # below 0 (a constant gradient, after ~3,000 steps), so it is clamped (PyTorch: NaN).
            v = np.maximum(v - a**2, 0)
        step = g / (np.sqrt(v) + eps)
        if momentum > 0:
            b = state["momentum_buffer"]
            b[...] = momentum * b + step
            step = b
        param.data -= lr * step


class Adagrad(Optimizer):
    """Divide each step by the root of the sum of all past squared gradients (Duchi et al., 2011).

    At step t, for each parameter p with gradient g (PyTorch's rule):
        g = g + weight_decay * p
        s = s + g^2                                      state "sum"
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)
    """

    def __init__(self, params, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10):
        lr = check_real(lr, "Adagrad: lr", low=0)
        lr_decay = check_real(lr_decay, "Adagrad: lr_decay", low=0)
        weight_decay = check_real(weight_decay, "Adagrad: weight_decay", low=0)
        initial = check_real(initial_accumulator_value, "Adagrad: initial_accumulator_value", low=0)
        eps = check_real(eps, "Adagrad: eps", low=0, low_inclusive=False)   # eps = 0: 0 / 0 for a zero gradient
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial, eps=eps))

    def _update(self, param, grad, state, group):
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(param.data, group["initial_accumulator_value"])
        state["step"] += 1
        t, lr, eps = state["step"], group["lr"], group["eps"]
        g = grad + group["weight_decay"] * param.data if group["weight_decay"] else grad
        s = state["sum"]
        s += g**2                                                # s = s + g^2
        clr = lr / (1 + (t - 1) * group["lr_decay"])             # the decayed learning rate
        param.data -= clr * g / (np.sqrt(s) + eps)


class Adam(Optimizer):
    """Momentum plus a per-weight step size (Kingma & Ba, 2015).

    At step t, for each parameter p with gradient g (PyTorch's rule):
        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g          running mean of g          state "exp_avg"
        v = beta2 * v + (1 - beta2) * g^2       running mean of g^2        state "exp_avg_sq"
        m_hat = m / (1 - beta1^t)                bias corrections: m and v start at 0
        v_hat = v / (1 - beta2^t)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0):
        name = type(self).__name__
        lr = check_real(lr, f"{name}: lr", low=0)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{name}: betas must be a pair (beta1, beta2), got {describe(betas)}")
        betas = tuple(check_real(beta, f"{name}: betas[{i}]", low=0, high=1, high_inclusive=False)
                      for i, beta in enumerate(betas))
        eps = check_real(eps, f"{name}: eps", low=0, low_inclusive=False)   # eps = 0: 0 / 0 for a zero gradient
        weight_decay = check_real(weight_decay, f"{name}: weight_decay", low=0)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def _update(self, param, grad, state, group):
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param.data)
            state["exp_avg_sq"] = np.zeros_like(param.data)
        state["step"] += 1
        t, lr, eps = state["step"], group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        g = grad + group["weight_decay"] * param.data if group["weight_decay"] else grad
        m[...] = beta1 * m + (1 - beta1) * g                       # running mean of g
        v[...] = beta2 * v + (1 - beta2) * g**2                    # running mean of g^2
        m_hat = m / (1 - beta1**t)                                 # bias corrections: m and v
        v_hat = v / (1 - beta2**t)                                 # start at 0
        param.data -= lr * m_hat / (np.sqrt(v_hat) + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019; PyTorch's AdamW).

    At step t, for each parameter p with gradient g (PyTorch's rule):
        p = p * (1 - lr * weight_decay)          shrink the weight, apart from the gradient
        then Adam's step with g as it is (no weight_decay * p added to g):
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
        p = p - lr * (m / (1 - beta1^t)) / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def _update(self, param, grad, state, group):
        param.data *= 1 - group["lr"] * group["weight_decay"]      # decoupled weight decay
        super()._update(param, grad, state, dict(group, weight_decay=0))   # then Adam, no L2 term


OPTIMIZERS = {info.name: info for info in (
    OptimizerInfo("SGD", SGD, lr_range=(1e-3, 3.0), default_lr=0.1,
                  description="plain gradient descent: a step against the gradient",
                  rule="p = p - lr * g"),
    OptimizerInfo("Momentum", SGD, dict(momentum=0.9), velocity_key="momentum_buffer",
                  lr_range=(1e-4, 1.0), default_lr=0.1,
                  description="SGD with momentum 0.9: a ball that gathers speed downhill",
                  rule="b = 0.9 * b + g;  p = p - lr * b"),
    OptimizerInfo("RMSprop", RMSprop, square_key="square_avg", lr_range=(1e-4, 0.3), default_lr=0.01,
                  description="each weight's step divided by its recent gradient size",
                  rule="v = 0.99 * v + 0.01 * g^2;  p = p - lr * g / (sqrt(v) + eps)"),
    OptimizerInfo("Adagrad", Adagrad, square_key="sum", lr_range=(1e-3, 3.0), default_lr=0.1,
                  description="each weight's rate divided by all its past gradients: the rate only shrinks",
                  rule="s = s + g^2;  p = p - lr * g / (sqrt(s) + eps)"),
    OptimizerInfo("Adam", Adam, velocity_key="exp_avg", square_key="exp_avg_sq",
                  lr_range=(1e-4, 0.3), default_lr=0.01,
                  description="momentum and a per-weight step size, bias-corrected",
                  rule="m = 0.9 * m + 0.1 * g;  v = 0.999 * v + 0.001 * g^2;  "
                       "p = p - lr * m_hat / (sqrt(v_hat) + eps)"),
    OptimizerInfo("AdamW", AdamW, velocity_key="exp_avg", square_key="exp_avg_sq",
                  lr_range=(1e-4, 0.3), default_lr=0.01,
                  description="Adam with weight decay applied to the weights, not the gradient",
                  rule="p = p * (1 - lr * 0.01);  then Adam's step"),
)}
