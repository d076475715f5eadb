"""The two base classes every layer builds on: Parameter (an array and its gradient) and Module
(a function with a forward pass, a backward pass and maybe parameters)."""

import numpy as np

from ._checks import as_float_array, check_float_dtype, describe


class Parameter:
    """A trainable array and the gradient of the loss with respect to it (same shape and dtype).

    Gradients accumulate: each backward pass adds its share with `accumulate_grad(value)`
    (grad += value), until `zero_grad()` starts a fresh sum. zero_grad is lazy, as PyTorch's
    set_to_none is: it only marks the gradient as zero, and the next `accumulate_grad` then
    takes its value as the gradient instead of adding it to an array of zeros (reading `.grad`
    in between gives zeros). So a training step does not pay for zeroing and adding.
    """

    def __init__(self, data, name=None):
        data = as_float_array(data, "data", where="Parameter")
        check_float_dtype(data.dtype, "Parameter")
        self.data = data
        self._grad = np.zeros_like(self.data)
        self._grad_is_zero = False                               # True after zero_grad(), until the next write
        self.name = name

    @property
    def grad(self):
        """dL/d(this parameter), an array of the shape and dtype of `data`."""
        if self._grad_is_zero:
            self._grad.fill(0)
            self._grad_is_zero = False
        return self._grad

    @grad.setter
    def grad(self, value):
        value = as_float_array(value, "grad", dtype=self.data.dtype, where="Parameter")
        if value.shape != self.data.shape:
            raise ValueError(f"Parameter: grad must have the shape of data {self.data.shape}, got {value.shape}")
        self._grad = value
        self._grad_is_zero = False

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    def zero_grad(self):
        """Start a fresh gradient: it reads as zeros, and the next accumulate_grad sets it."""
        self._grad_is_zero = True

    def accumulate_grad(self, value):
        """grad += value (value: this backward pass's dL/d(parameter), of the parameter's shape).

        Right after zero_grad the value becomes the gradient as it is (no copy): pass a new array
        that nothing else will modify, as the result of `x.T @ grad_output` is.
        """
        if (self._grad_is_zero and type(value) is np.ndarray and value.flags.owndata
                and value.dtype == self.data.dtype and value.shape == self.data.shape):
            self._grad = value                                   # 0 + value: nothing to add
            self._grad_is_zero = False
        else:
            self.grad += value                                   # (zeroes a lazily zeroed grad first)

    def __repr__(self):
        name = f"{self.name}, " if self.name else ""
        return f"Parameter({name}shape={self.data.shape}, dtype={self.data.dtype})"


class Module:
    """Base class: a function with a forward pass, a backward pass and (maybe) parameters.

    `parameters()` finds every Parameter held directly or inside child modules, in the order the
    attributes were set, so an optimizer can be built with `optim.SGD(model.parameters(), lr)`.
    `train()` / `eval()` set `training` on the module and every module inside it (as PyTorch).
    """

    training = True                                              # PyTorch's default: training mode
    _output_shape = None                                         # set by forward; None: not run yet
    _backward_done = False                                       # set by backward, cleared by forward

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad_output, input_grad=True):
        raise NotImplementedError

    def __call__(self, x):
        return self.forward(x)

    def children(self):
        """The modules held directly by this one (attributes, and lists or tuples of modules), in order."""
        for value in vars(self).values():
            if isinstance(value, Module):
                yield value
            elif isinstance(value, (list, tuple)):
                for item in value:
                    if isinstance(item, Module):
                        yield item

    def modules(self):
        """This module and every module inside it, depth first (a module used twice appears twice)."""
        yield self
        for child in self.children():
            yield from child.modules()

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

    def train(self, mode=True):
        """Training mode (mode=True) or evaluation mode (False) for this module and all inside it; returns self."""
        if not isinstance(mode, bool):
            raise TypeError(f"{type(self).__name__}.train: mode must be True or False, got {describe(mode)}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self):
        """Evaluation mode: the same as train(False). Dropout then passes its input through unchanged."""
        return self.train(False)

    def _forward_done(self, output_shape):
        """Record what backward checks: the output's shape, and that no backward has used this forward yet."""
        self._output_shape = output_shape
        self._backward_done = False

    def _check_backward(self, grad_output):
        """Backward needs the forward's cache, once, and dL/dy must have the shape of y."""
        if self._output_shape is None:
            raise ValueError(
                f"{type(self).__name__}.backward was called before forward: "
                "run the forward pass (call the layer on an input) first"
            )
        if self._backward_done:
            raise ValueError(
                f"{type(self).__name__}.backward was called twice after one forward pass: the gradients "
                "would be added into .grad twice. Run the forward pass again before each backward "
                "(PyTorch raises here too)"
            )
        if type(grad_output) is not np.ndarray or grad_output.dtype.kind != "f":
            grad_output = as_float_array(grad_output, "grad_output", where=f"{type(self).__name__}.backward")
        if grad_output.shape != self._output_shape:
            raise ValueError(
                f"{type(self).__name__}.backward: grad_output must have the shape of the forward "
                f"output {self._output_shape}, got {grad_output.shape}"
            )
        self._backward_done = True
        return grad_output

    def __repr__(self):
        return f"{type(self).__name__}()"
