"""What every optimizer shares: the Optimizer base class (parameters, per-parameter state,
hyperparameters in param_groups, `step()` calling each class's `_update`) and OptimizerInfo, the
type of an entry of the registry `nnlearn.optim.OPTIMIZERS`."""

from dataclasses import dataclass, field

import numpy as np

from ._checks import describe
from .module import Parameter


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
                param.zero_grad()

    def step(self):
        """Update every parameter once from its current gradient."""
        for group in self.param_groups:
            for param in group["params"]:
                self._update(param, param.grad, self.state[param], group)

    def _update(self, param, grad, state, group):
        """The update rule for one parameter, written as the class docstring's formula."""
        raise NotImplementedError

    def __repr__(self):
        settings = ", ".join(f"{key}={value}" for key, value in self.defaults.items())
        return f"{type(self).__name__}({settings})"


@dataclass(frozen=True)
class OptimizerInfo:
    """One optimizer as the apps, lessons and tests see it.

    name          display name ("Momentum" is SGD with momentum=0.9)
    cls, options  the class and the hyperparameters other than lr that `make` passes
    make(params, lr)  builds it
    velocity_key  the state key of the running mean of g (None if it keeps none)
    square_key    the state key of the running mean / sum of g^2 (None if it keeps none)
    state_keys    the state worth plotting: the keys above that exist
    lr_range      (low, high) for a learning-rate slider on a network
    default_lr    a learning rate that trains the lessons' small networks well
    description   one line for a legend or a menu
    rule          the update rule in plain text
    """

    name: str
    cls: type
    options: dict = field(default_factory=dict)
    velocity_key: str = None
    square_key: str = None
    lr_range: tuple = (1e-4, 1.0)
    default_lr: float = 0.01
    description: str = ""
    rule: str = ""

    def make(self, params, lr=None):
        """The optimizer over `params` with learning rate `lr` (default_lr when None)."""
        return self.cls(params, lr=self.default_lr if lr is None else lr, **self.options)

    @property
    def state_keys(self):
        return tuple(key for key in (self.velocity_key, self.square_key) if key is not None)
