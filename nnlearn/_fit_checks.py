"""The argument checks of `train_step`, `fit` and `evaluate`: a clear error naming the argument."""

import numpy as np

from ._checks import as_float_array, check_finite, describe
from .losses import Loss
from .nn import Module
from .optim import Optimizer


def check_step_arguments(model, loss_fn, optimizer, where="train_step"):
    if not isinstance(model, Module):
        raise TypeError(f"{where}: model must be an nnlearn Module, got {describe(model)}")
    if not isinstance(loss_fn, Loss):
        raise TypeError(f"{where}: loss_fn must be an nnlearn loss such as nl.MSELoss(), got {describe(loss_fn)}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{where}: optimizer must be an nnlearn optimizer such as nl.optim.SGD, got {describe(optimizer)}")
    if optimizer.__dict__.get("_checked_model") is not model:   # once per (optimizer, model) pair
        _check_optimizer_belongs_to(model, optimizer, where)
        optimizer._checked_model = model


def _check_optimizer_belongs_to(model, optimizer, where):
    """An optimizer over parameters the model does not have would train nothing, silently."""
    mine = {id(param) for param in model.parameters()}
    theirs = [param for group in optimizer.param_groups for param in group["params"]]
    foreign = sum(id(param) not in mine for param in theirs)
    if foreign == len(theirs):
        raise ValueError(
            f"{where}: the optimizer was built on another model's parameters, so this model's weights would "
            "never change; build it from this model: optimizer = nl.optim.SGD(model.parameters(), lr=...)"
        )
    if foreign:
        raise ValueError(
            f"{where}: {foreign} of the optimizer's {len(theirs)} parameters are not in this model (they would "
            "never get a gradient); build the optimizer from model.parameters()"
        )


def check_callbacks(callbacks):
    """None or () for none, one function, or a list of functions each called as callback(history)."""
    if callbacks is None:
        return ()
    if callable(callbacks):
        return (callbacks,)
    if isinstance(callbacks, (str, bytes)) or not hasattr(callbacks, "__iter__"):
        raise TypeError(f"fit: callbacks must be a function or a list of functions, got {describe(callbacks)}")
    callbacks = tuple(callbacks)
    for index, callback in enumerate(callbacks):
        if not callable(callback):
            raise TypeError(
                f"fit: callbacks[{index}] must be a function called as callback(history) after each epoch "
                f"(e.g. nl.EarlyStopping(model)), got {describe(callback)}"
            )
    return callbacks


def check_data(X, y, x_name, y_name, model, where="fit"):
    params = model.parameters()
    dtype = params[0].dtype if params else None
    X = as_float_array(X, x_name, dtype=dtype, where=where)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{where}: {x_name} and {y_name} must have one row per example, got shapes {X.shape} and {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"{where}: {x_name} and {y_name} must have the same number of rows, got {len(X)} and {len(y)}")
    if len(X) == 0:
        raise ValueError(f"{where}: {x_name} is empty (0 rows)")
    check_finite(X, x_name, where=where)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {y_name} must hold numbers, got {describe(y)}")
    check_finite(y, y_name, where=where)
    return X, y
