"""Gradient checking: backpropagation compared with centred finite differences.

    df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)       error O(eps^2)
    relative error = |analytic - numeric| / max(|analytic| + |numeric|, 1e-8)   (CS231n)

In float64 a correct backward pass on a well-scaled problem gives 1e-7 or less (typically 1e-8 to
1e-10). The floor is rounding: f is known to about 1e-16 * |f|, so the difference quotient carries
about 1e-10 of noise at eps=1e-6, which is large next to a tiny gradient entry. An error near
1e-6 on such entries is noise; 1e-3 or more means backprop is wrong.
"""

import warnings

import numpy as np

from ._checks import as_float_array, check_real, describe
from .nn import Dropout, LeakyReLU, Module, ReLU

__all__ = ["gradcheck", "numerical_gradient", "relative_error"]


def numerical_gradient(f, array, eps=1e-6):
    """Estimate df/darray by centred differences, nudging `array` in place one entry at a time.

    `f(array)` must return a number; it may also ignore its argument and read the array through a
    closure (a parameter's `.data`, say). The array is restored exactly after each nudge.
    Shapes: returns an array shaped like `array`.
    """
    if not callable(f):
        raise TypeError(f"numerical_gradient: f must be a function returning a number, got {describe(f)}")
    if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
        raise TypeError(f"numerical_gradient: array must be a float numpy array (it is nudged in place), got {describe(array)}")
    eps = check_real(eps, "numerical_gradient: eps", low=0, low_inclusive=False)
    grad = np.zeros_like(array, dtype=np.float64)
    flat, flat_grad = array.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, array):
        raise ValueError("numerical_gradient: array must be contiguous so it can be nudged in place")
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        f_plus = float(f(array))
        flat[i] = original - eps
        f_minus = float(f(array))
        flat[i] = original
        flat_grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(analytic, numeric):
    """Largest elementwise |a - n| / max(|a| + |n|, 1e-8)."""
    analytic, numeric = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    if analytic.size == 0:
        return 0.0
    return float(np.max(np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)))


def gradcheck(model, loss_fn, x, y, eps=1e-6):
    """Largest relative error between backprop and finite differences over every parameter.

    Runs forward, loss and backward once for the analytic gradients (the parameters' `.grad` are
    left as they were), then two forward passes per weight for the numeric ones. Needs float64
    parameters: float32 rounding alone would swamp the comparison.

    Warns when an input of a ReLU or LeakyReLU sits at (or within a nudge of) its kink at 0: there
    the two sides of the difference quotient see different slopes, and a large error says nothing
    about the backward pass. Refuses a model with Dropout in training mode (a new mask per forward
    pass): call model.eval() first.
    """
    if not isinstance(model, Module):
        raise TypeError(f"gradcheck: model must be an nnlearn Module, got {describe(model)}")
    params = model.parameters()
    if not params:
        raise ValueError("gradcheck: the model has no parameters to check")
    for param in params:
        if param.dtype != np.float64:
            raise TypeError(
                f"gradcheck: parameters must be float64 for a meaningful check, got {param.dtype}; "
                "build the layers with dtype=np.float64"
            )
    x = as_float_array(x, "x", dtype=np.float64, where="gradcheck")
    eps = check_real(eps, "gradcheck: eps", low=0, low_inclusive=False)
    for module in model.modules():
        if isinstance(module, Dropout) and module.training and module.p > 0:
            raise ValueError(
                "gradcheck: the model has Dropout in training mode, which draws a new mask on every forward "
                "pass, so the finite differences would compare different functions; call model.eval() first"
            )
    saved = [param.grad.copy() for param in params]
    for param in params:
        param.zero_grad()
    loss_fn(model(x), y)
    _warn_about_kinks(model, eps * 10 * max(1.0, float(np.max(np.abs(x), initial=0.0))))
    model.backward(loss_fn.backward())
    analytic = [param.grad.copy() for param in params]
    for param, grad in zip(params, saved):
        param.grad[...] = grad

    def loss_at(_):
        return loss_fn(model(x), y)

    return max(relative_error(a, numerical_gradient(loss_at, param.data, eps))
               for param, a in zip(params, analytic))


def _warn_about_kinks(model, margin):
    """Warn when a ReLU/LeakyReLU input lies within `margin` of 0, where f'(x) jumps."""
    for module in model.modules():
        if isinstance(module, (ReLU, LeakyReLU)) and getattr(module, "_cache", None) is not None:
            z = module._cache[0]
            near = int(np.count_nonzero(np.abs(z) <= margin))
            if near:
                warnings.warn(
                    f"gradcheck: {near} input(s) of {module!r} sit at its kink at 0 (within {margin:.1g}), where "
                    "the slope jumps: the finite differences straddle the corner, so a large error there says "
                    "nothing about the backward pass. Move the inputs off the kink (other data or weights) "
                    "or check with a smooth activation such as nl.Tanh()",
                    RuntimeWarning, stacklevel=3,
                )
                return
