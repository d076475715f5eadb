"""Elementwise activation layers: y = f(x) forward, grad_output * f'(x) backward."""

import numpy as np

from ._checks import as_float_array, check_real
from .module import Module


class _Activation(Module):
    """An elementwise function y = f(x); backward multiplies by the local derivative f'(x).

    `derivative(x)` is f'(x), public so a lesson can plot it; `derivative(x, y)` reuses a known
    y = f(x) instead of recomputing it.
    """

    def forward(self, x):
        x = as_float_array(x, "x", where=self)
        y = self._function(x)
        self._cache = (x, y)
        self._forward_done(y.shape)
        return y

    def backward(self, grad_output, input_grad=True):
        grad_output = self._check_backward(grad_output)
        x, y = self._cache
        return grad_output * self.derivative(x, y)               # chain rule: times f'(x), elementwise

    def derivative(self, x, y=None):
        """f'(x), elementwise, of x's shape and dtype. y: f(x) if already known."""
        if y is None:
            x = as_float_array(x, "x", where=f"{type(self).__name__}.derivative")
            y = self._function(x)
        return self._local(x, y)

    def _function(self, x):
        raise NotImplementedError

    def _local(self, x, y):
        raise NotImplementedError


class ReLU(_Activation):
    """y = max(0, x); dy/dx = 1 where x > 0, else 0 (PyTorch's choice at x = 0)."""

    def _function(self, x):
        return np.maximum(x, 0)

    def _local(self, x, y):
        return (x > 0).astype(x.dtype)


class LeakyReLU(_Activation):
    """y = x for x > 0, negative_slope * x otherwise; dy/dx = 1 or negative_slope."""

    def __init__(self, negative_slope=0.01):
        self.negative_slope = check_real(negative_slope, "LeakyReLU: negative_slope")

    def _function(self, x):
        return np.where(x > 0, x, x * x.dtype.type(self.negative_slope))

    def _local(self, x, y):
        return np.where(x > 0, x.dtype.type(1), x.dtype.type(self.negative_slope))

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Sigmoid(_Activation):
    """y = 1 / (1 + exp(-x)); dy/dx = y (1 - y).

    Computed as (1 + tanh(x / 2)) / 2, which is the same function but never overflows.
    """

    def _function(self, x):
        y = np.tanh(x * x.dtype.type(0.5))
        y += 1
        y *= 0.5
        return y

    def _local(self, x, y):
        return y * (1 - y)


class Tanh(_Activation):
    """y = tanh(x); dy/dx = 1 - y^2."""

    def _function(self, x):
        return np.tanh(x)

    def _local(self, x, y):
        return 1 - y * y
