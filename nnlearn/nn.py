"""Layers with an explicit forward and backward pass.

Each layer caches in `forward` what its `backward` needs, and `backward(grad_output)` applies the
chain rule: given dL/d(output) it adds dL/d(parameter) into every parameter's `.grad` and returns
dL/d(input) for the layer before it. Names and shapes follow PyTorch, except that `Linear.weight`
is stored as (in_features, out_features) so that the forward pass reads `x @ W + b`.
"""

import numpy as np

from ._checks import as_float_array, as_rng, check_int, check_real, describe


class Parameter:
    """A trainable array and the gradient of the loss with respect to it (same shape and dtype)."""

    def __init__(self, data, name=None):
        self.data = as_float_array(data, "data", where="Parameter")
        self.grad = np.zeros_like(self.data)
        self.name = name

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    def zero_grad(self):
        self.grad.fill(0)

    def __repr__(self):
        name = f"{self.name}, " if self.name else ""
        return f"Parameter({name}shape={self.data.shape}, dtype={self.data.dtype})"


class Module:
    """Base class: a function with a forward pass, a backward pass and (maybe) parameters.

    `parameters()` finds every Parameter held directly or inside child modules, in the order the
    attributes were set, so an optimizer can be built with `optim.SGD(model.parameters(), lr)`.
    """

    _output_shape = None                                         # set by forward; None: not run yet

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad_output):
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)

    def _backward_to_parameters(self, grad_output):
        """Backward when dL/dx is not wanted (x is the data): fill the parameters' .grad only.

        `fit` calls this instead of `backward`, which skips the first layer's dL/dx product.
        By default it is `backward` with the result dropped.
        """
        self.backward(grad_output)

    def parameters(self):
        found = []
        for value in vars(self).values():
            if isinstance(value, Parameter):
                found.append(value)
            elif isinstance(value, Module):
                found.extend(value.parameters())
            elif isinstance(value, (list, tuple)):
                for item in value:
                    if isinstance(item, Module):
                        found.extend(item.parameters())
        return found

    def zero_grad(self):
        for parameter in self.parameters():
            parameter.zero_grad()

    def _check_backward(self, grad_output):
        """Backward needs the forward's cache, and dL/dy must have the shape of y."""
        if self._output_shape is None:
            raise ValueError(
                f"{type(self).__name__}.backward was called before forward: "
                "run the forward pass (call the layer on an input) first"
            )
        if type(grad_output) is not np.ndarray or grad_output.dtype.kind != "f":
            grad_output = as_float_array(grad_output, "grad_output", where=f"{type(self).__name__}.backward")
        if grad_output.shape != self._output_shape:
            raise ValueError(
                f"{type(self).__name__}.backward: grad_output must have the shape of the forward "
                f"output {self._output_shape}, got {grad_output.shape}"
            )
        return grad_output

    def __repr__(self):
        return f"{type(self).__name__}()"


class Linear(Module):
    """Fully connected layer: y = x @ W + b.

    Shapes: x (N, in_features), W (in_features, out_features), b (out_features,), y (N, out_features).

    Initialisation, drawn from `rng` (an int seed or a numpy Generator) so that runs repeat:
    - init="uniform" (default, PyTorch's): W and b ~ U(-1/sqrt(in_features), 1/sqrt(in_features)).
    - init="he": W ~ N(0, 2/in_features), b = 0; keeps the signal's variance through ReLU layers.
    - init="xavier": W ~ U(-a, a) with a = sqrt(6/(in_features + out_features)), b = 0; for tanh
      and sigmoid layers.
    """

    INITS = ("uniform", "he", "xavier")

    def __init__(self, in_features, out_features, bias=True, rng=None, dtype=np.float64, init="uniform"):
        self.in_features = check_int(in_features, "Linear: in_features", low=1)
        self.out_features = check_int(out_features, "Linear: out_features", low=1)
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise TypeError(f"Linear: dtype must be a floating dtype such as np.float64, got {self.dtype}")
        if init not in self.INITS:
            raise ValueError(f"Linear: init must be one of {self.INITS}, got {init!r}")
        rng = as_rng(rng)
        shape = (self.in_features, self.out_features)
        if init == "uniform":
            bound = 1 / np.sqrt(self.in_features)
            weight = rng.uniform(-bound, bound, size=shape)
            bias_values = rng.uniform(-bound, bound, size=self.out_features)
        elif init == "he":
            weight = rng.normal(0.0, np.sqrt(2 / self.in_features), size=shape)
            bias_values = np.zeros(self.out_features)
        else:
            bound = np.sqrt(6 / (self.in_features + self.out_features))
            weight = rng.uniform(-bound, bound, size=shape)
            bias_values = np.zeros(self.out_features)
        self.weight = Parameter(weight.astype(self.dtype), name="weight")
        self.bias = Parameter(bias_values.astype(self.dtype), name="bias") if bias else None
        self._x = None
        self._output_shape = None

    def forward(self, x):
        x = as_float_array(x, "x", dtype=self.dtype, where=self)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(
                f"{self!r}: input x must have shape (N, {self.in_features}), got {x.shape}"
                + (" (a single example? use x.reshape(1, -1))" if x.ndim == 1 else "")
            )
        self._x = x                                              # kept for backward
        y = x @ self.weight.data                                 # (N, out_features)
        if self.bias is not None:
            y += self.bias.data                                  # b is broadcast over the batch
        self._output_shape = y.shape
        return y

    def backward(self, grad_output):
        """Given dL/dy (N, out_features), accumulate dL/dW and dL/db; return dL/dx (N, in_features)."""
        grad_output = self._check_backward(grad_output)
        self._accumulate(grad_output)
        return grad_output @ self.weight.data.T                  # dL/dx = dL/dy W^T

    def _accumulate(self, grad_output):
        self.weight.grad += self._x.T @ grad_output              # dL/dW = x^T dL/dy
        if self.bias is not None:
            self.bias.grad += grad_output.sum(axis=0)            # each b_j was added to every row

    def _backward_to_parameters(self, grad_output):
        if type(self).backward is not Linear.backward:           # a subclass's own backward rules
            self.backward(grad_output)
            return
        self._accumulate(self._check_backward(grad_output))      # no dL/dx: saves a matrix product

    def __repr__(self):
        bias = "" if self.bias is not None else ", bias=False"
        dtype = "" if self.dtype == np.float64 else f", dtype={self.dtype}"
        return f"Linear({self.in_features}, {self.out_features}{bias}{dtype})"


class _Activation(Module):
    """An elementwise function y = f(x); backward multiplies by the local derivative f'(x)."""

    def forward(self, x):
        x = as_float_array(x, "x", where=self)
        y = self._function(x)
        self._cache = (x, y)
        self._output_shape = y.shape
        return y

    def backward(self, grad_output):
        grad_output = self._check_backward(grad_output)
        x, y = self._cache
        return grad_output * self._derivative(x, y)              # chain rule, elementwise

    def _function(self, x):
        raise NotImplementedError

    def _derivative(self, x, y):
        raise NotImplementedError


class ReLU(_Activation):
    """y = max(0, x); dy/dx = 1 where x > 0, else 0 (PyTorch's choice at x = 0)."""

    def _function(self, x):
        return np.maximum(x, 0)

    def _derivative(self, x, y):
        return x > 0


class LeakyReLU(_Activation):
    """y = x for x > 0, negative_slope * x otherwise; dy/dx = 1 or negative_slope."""

    def __init__(self, negative_slope=0.01):
        self.negative_slope = check_real(negative_slope, "LeakyReLU: negative_slope")

    def _function(self, x):
        return np.where(x > 0, x, x * x.dtype.type(self.negative_slope))

    def _derivative(self, x, y):
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

    def _derivative(self, x, y):
        return y * (1 - y)


class Tanh(_Activation):
    """y = tanh(x); dy/dx = 1 - y^2."""

    def _function(self, x):
        return np.tanh(x)

    def _derivative(self, x, y):
        return 1 - y * y


class Sequential(Module):
    """Layers applied in order; backward runs them in reverse, passing each one's dL/dx back."""

    def __init__(self, *modules):
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: argument {index} must be an nnlearn Module such as nl.Linear or nl.ReLU(), "
                    f"got {describe(module)}" + (" (did you forget the parentheses?)" if isinstance(module, type) else "")
                )
        self.layers = list(modules)
        self._output_shape = None

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        self._output_shape = x.shape if isinstance(x, np.ndarray) else np.shape(x)   # lets backward check its input
        return x

    def backward(self, grad_output):
        grad_output = self._check_backward(grad_output)
        for layer in reversed(self.layers):
            grad_output = layer.backward(grad_output)
        return grad_output

    def _backward_to_parameters(self, grad_output):
        if type(self).backward is not Sequential.backward:       # a subclass's own backward rules
            self.backward(grad_output)
            return
        grad_output = self._check_backward(grad_output)
        for layer in self.layers[:0:-1]:                         # all but the first, in reverse
            grad_output = layer.backward(grad_output)
        if self.layers:
            self.layers[0]._backward_to_parameters(grad_output)  # the data's dL/dx is not needed

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        return self.layers[index]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self):
        inner = "".join(f"\n  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential({inner}\n)"
