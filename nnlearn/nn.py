"""Layers with an explicit forward and backward pass.

Each layer caches in `forward` what its `backward` needs, and `backward(grad_output)` applies the
chain rule: given dL/d(output) it adds dL/d(parameter) into every parameter's `.grad` and returns
dL/d(input) for the layer before it. Names and shapes follow PyTorch, except that `Linear.weight`
is stored as (in_features, out_features) so that the forward pass reads `x @ W + b`.

nnlearn's layers also take `backward(grad_output, input_grad=False)`, for a caller that does not
need dL/dx (the input is data, as PyTorch's inputs that do not require grad): every `.grad` is
filled, the input's gradient is skipped and None returned. A hand-written layer may leave it out.

`model.train()` / `model.eval()` switch layers such as Dropout between training and evaluation
behaviour, as in PyTorch; `module.training` says which one is on.
"""

import numpy as np

from ._checks import as_float_array, as_rng, check_float_dtype, check_int, check_real, describe
from .activations import LeakyReLU, ReLU, Sigmoid, Tanh
from .module import Module, Parameter

__all__ = ["Parameter", "Module", "Linear", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Dropout", "Sequential"]


class Linear(Module):
    """Fully connected layer: y = x @ W + b.

    Shapes: x (N, in_features), W (in_features, out_features), b (out_features,), y (N, out_features).

    Initialisation, drawn from `rng` so that runs repeat (rng=None: fresh entropy, a different
    draw every time; an int seed or a numpy Generator: the same draw every time):
    - init="uniform" (default, PyTorch's): W and b ~ U(-1/sqrt(in_features), 1/sqrt(in_features)).
    - init="he": W ~ N(0, 2/in_features), b = 0; keeps the signal's variance through ReLU layers.
    - init="xavier": W ~ U(-a, a) with a = sqrt(6/(in_features + out_features)), b = 0; for tanh
      and sigmoid layers.
    """

    INITS = ("uniform", "he", "xavier")

    def __init__(self, in_features, out_features, bias=True, rng=None, dtype=np.float64, init="uniform"):
        self.in_features = check_int(in_features, "Linear: in_features", low=1)
        self.out_features = check_int(out_features, "Linear: out_features", low=1)
        self.dtype = check_float_dtype(dtype, "Linear")
        if init not in self.INITS:
            raise ValueError(f"Linear: init must be one of {self.INITS}, got {init!r}")
        rng = as_rng(rng, "Linear: rng")
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
        self._forward_done(y.shape)
        return y

    def backward(self, grad_output, input_grad=True):
        """Given dL/dy (N, out_features), accumulate dL/dW and dL/db; return dL/dx (N, in_features).

        With input_grad=False the dL/dx product is skipped and None is returned.
        """
        grad_output = self._check_backward(grad_output)
        self.weight.accumulate_grad(self._x.T @ grad_output)     # dL/dW += x^T dL/dy
        if self.bias is not None:
            self.bias.accumulate_grad(grad_output.sum(axis=0))   # each b_j was added to every row
        if not input_grad:
            return None
        return grad_output @ self.weight.data.T                  # dL/dx = dL/dy W^T

    def __repr__(self):
        bias = "" if self.bias is not None else ", bias=False"
        dtype = "" if self.dtype == np.float64 else f", dtype={self.dtype}"
        return f"Linear({self.in_features}, {self.out_features}{bias}{dtype})"


class Dropout(Module):
    """Inverted dropout (PyTorch's Dropout): in training, zero each input with probability p.

    In training mode (`model.train()`, the default) each forward pass draws a new mask from `rng`:
        keep ~ Bernoulli(1 - p) per element,  y = x * keep / (1 - p)
    so every unit's expected output is unchanged; dy/dx = keep / (1 - p). In evaluation mode
    (`model.eval()`) y = x: nothing is dropped and nothing rescaled. p = 1 drops everything (y = 0).
    rng: None (fresh entropy), an int seed or a numpy Generator, for masks that repeat.
    Shapes: x any shape; y and dL/dx the shape of x.
    """

    def __init__(self, p=0.5, rng=None):
        self.p = check_real(p, "Dropout: p", low=0, high=1)
        self.rng = as_rng(rng, "Dropout: rng")
        self._mask = None

    def forward(self, x):
        x = as_float_array(x, "x", where=self)
        if not self.training or self.p == 0:
            self._mask = None                                    # identity: dL/dx = dL/dy
            self._forward_done(x.shape)
            return x
        if self.p == 1:
            self._mask = np.zeros_like(x)
        else:
            keep = self.rng.random(x.shape, dtype=x.dtype) >= self.p        # True with probability 1 - p
            self._mask = keep * x.dtype.type(1 / (1 - self.p))             # keep / (1 - p)
        self._forward_done(x.shape)
        return x * self._mask

    def backward(self, grad_output, input_grad=True):
        grad_output = self._check_backward(grad_output)
        if self._mask is None:
            return grad_output
        return grad_output * self._mask                          # the dropped units pass no gradient

    def __repr__(self):
        return f"Dropout(p={self.p})"


class Sequential(Module):
    """Layers applied in order; backward runs them in reverse, passing each one's dL/dx back.

    Each layer object may appear only once (a layer caches its input for backward, so a second
    use would overwrite the first's cache), and all parameters must share one dtype.
    """

    def __init__(self, *modules):
        for index, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: argument {index} must be an nnlearn Module such as nl.Linear or nl.ReLU(), "
                    f"got {describe(module)}" + (" (did you forget the parentheses?)" if isinstance(module, type) else "")
                )
        self.layers = list(modules)
        _check_each_module_once(self)
        _check_one_dtype(self)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        self._forward_done(x.shape if isinstance(x, np.ndarray) else np.shape(x))   # lets backward check its input
        return x

    def backward(self, grad_output, input_grad=True):
        """dL/dy through every layer in reverse; with input_grad=False the first layer skips dL/dx."""
        grad_output = self._check_backward(grad_output)
        if not self.layers:
            return grad_output if input_grad else None
        for layer in self.layers[:0:-1]:                         # all but the first, in reverse
            grad_output = layer.backward(grad_output)
        if input_grad:
            return self.layers[0].backward(grad_output)
        self.layers[0].backward(grad_output, input_grad=False)   # asked for: the data's dL/dx is not needed
        return None

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


def _check_each_module_once(model):
    seen = {}
    for position, module in enumerate(model.modules()):
        if id(module) in seen and module is not model:
            raise ValueError(
                f"Sequential: the same {module!r} object appears twice. A layer caches its input for "
                "backward, so a second use overwrites the first one's cache and the gradients come out "
                f"wrong; create a separate layer for each place (e.g. two nl.{type(module).__name__}(...) calls)"
            )
        seen[id(module)] = position


def _check_one_dtype(model):
    dtypes = {}
    for module in model.modules():
        for param in vars(module).values():
            if isinstance(param, Parameter):
                dtypes.setdefault(param.dtype, module)
    if len(dtypes) > 1:
        listing = ", ".join(f"{dtype} in {module!r}" for dtype, module in dtypes.items())
        raise TypeError(
            f"Sequential: the layers mix parameter dtypes ({listing}); data of one dtype cannot pass "
            "through all of them. Build every layer with the same dtype, e.g. "
            "nl.Linear(..., dtype=np.float32) for all of them"
        )
