"""Optimizers: how a gradient becomes a weight update.

The update rules, argument names and defaults are PyTorch's (torch.optim, single-tensor code path),
so the same network, data and hyperparameters give the same weights after any number of steps.
Per-parameter state lives in `opt.state[p]` under PyTorch's names, readable for plots.
Hyperparameters live in `opt.param_groups[0]` (e.g. `opt.param_groups[0]["lr"] = 0.1`).
"""

import math

import numpy as np

from ._checks import check_real, describe
from .nn import Parameter


class Optimizer:
    """Base class: holds the parameters, their state and the hyperparameters."""

    def __init__(self, params, defaults):
        name = type(self).__name__
        if isinstance(params, (Parameter, np.ndarray)) or not hasattr(params, "__iter__"):
            raise TypeError(
                f"{name}: params must be an iterable of nl.Parameter (e.g. model.parameters()), "
                f"got {describe(params)}"
            )
        params = list(params)
        if not params:
            raise ValueError(f"{name}: got an empty parameter list; pass model.parameters() of a model with layers")
        for index, param in enumerate(params):
            if not isinstance(param, Parameter):
                raise TypeError(
                    f"{name}: params[{index}] must be an nl.Parameter (wrap arrays with nl.Parameter(array)), "
                    f"got {describe(param)}"
                )
        if len(set(map(id, params))) != len(params):
            raise ValueError(f"{name}: some parameters appear more than once in params")
        self.defaults = dict(defaults)
        self.param_groups = [dict(defaults, params=params)]
        self.state = {param: {} for param in params}

    def zero_grad(self):
        """Reset every gradient to zero (gradients accumulate across backward calls)."""
        for group in self.param_groups:
            for param in group["params"]:
                param.grad.fill(0)

    def step(self):
        """Update every parameter once from its current gradient."""
        for group in self.param_groups:
            for param in group["params"]:
                self._update(param, param.grad, self.state[param], group)

    def _update(self, param, grad, state, group):
        raise NotImplementedError

    def __repr__(self):
        settings = ", ".join(f"{key}={value}" for key, value in self.defaults.items())
        return f"{type(self).__name__}({settings})"


def _weight_decay(param, grad, weight_decay):
    """L2 penalty as PyTorch adds it: g = g + weight_decay * p."""
    return grad + weight_decay * param.data if weight_decay else grad


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
        grad = _weight_decay(param, grad, group["weight_decay"])
        momentum = group["momentum"]
        if momentum:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = grad.copy()
            else:
                buffer *= momentum
                buffer += (1 - group["dampening"]) * grad
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        param.data -= group["lr"] * grad


class RMSprop(Optimizer):
    """Divide each step by a running root-mean-square of recent gradients (Hinton, 2012).

    For each parameter p with gradient g (PyTorch's rule):
        g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g^2              state "square_avg"
        if centered: a = alpha * a + (1 - alpha) * g; v~ = v - a^2, else v~ = v
        if momentum > 0: b = momentum * b + g / (sqrt(v~) + eps); p = p - lr * b
        else:            p = p - lr * g / (sqrt(v~) + eps)
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False):
        lr = check_real(lr, "RMSprop: lr", low=0)
        alpha = check_real(alpha, "RMSprop: alpha", low=0)
        eps = check_real(eps, "RMSprop: eps", low=0)
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
        grad = _weight_decay(param, grad, group["weight_decay"])
        alpha = group["alpha"]
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state["grad_avg"]
            grad_avg += (1 - alpha) * (grad - grad_avg)          # PyTorch's lerp
            denominator = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            denominator = np.sqrt(square_avg)
        denominator += group["eps"]
        if group["momentum"] > 0:
            buffer = state["momentum_buffer"]
            buffer *= group["momentum"]
            buffer += grad / denominator
            param.data -= group["lr"] * buffer
        else:
            param.data -= group["lr"] * (grad / denominator)


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
        eps = check_real(eps, "Adagrad: eps", low=0)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial, eps=eps))

    def _update(self, param, grad, state, group):
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(param.data, group["initial_accumulator_value"])
        state["step"] += 1
        grad = _weight_decay(param, grad, group["weight_decay"])
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"] += grad * grad
        denominator = np.sqrt(state["sum"])
        denominator += group["eps"]
        param.data -= clr * (grad / denominator)


class Adam(Optimizer):
    """Momentum plus a per-weight step size (Kingma & Ba, 2015).

    At step t, for each parameter p with gradient g (PyTorch's rule):
        g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g          running mean of g          state "exp_avg"
        v = beta2 * v + (1 - beta2) * g^2       running mean of g^2        state "exp_avg_sq"
        p = p - lr * (m / (1 - beta1^t)) / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0):
        lr = check_real(lr, "Adam: lr", low=0)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam: betas must be a pair (beta1, beta2), got {describe(betas)}")
        betas = tuple(check_real(beta, f"Adam: betas[{i}]", low=0, high=1, high_inclusive=False)
                      for i, beta in enumerate(betas))
        eps = check_real(eps, "Adam: eps", low=0)
        weight_decay = check_real(weight_decay, "Adam: weight_decay", low=0)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def _update(self, param, grad, state, group):
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param.data)
            state["exp_avg_sq"] = np.zeros_like(param.data)
        state["step"] += 1
        step = state["step"]
        beta1, beta2 = group["betas"]
        grad = _weight_decay(param, grad, group["weight_decay"])
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        # The same formulas, computed in place in one scratch array: no temporary per operation.
        scratch = np.subtract(grad, exp_avg)
        scratch *= 1 - beta1
        exp_avg += scratch                                         # m += (1 - beta1)(g - m), PyTorch's lerp
        np.multiply(grad, grad, out=scratch)
        scratch *= 1 - beta2
        exp_avg_sq *= beta2
        exp_avg_sq += scratch                                      # v = beta2 v + (1 - beta2) g^2
        step_size = group["lr"] / (1 - beta1 ** step)
        denominator = np.sqrt(exp_avg_sq, out=scratch)
        denominator /= math.sqrt(1 - beta2 ** step)
        denominator += group["eps"]
        np.divide(exp_avg, denominator, out=scratch)               # scratch = m / denominator
        scratch *= step_size
        param.data -= scratch
