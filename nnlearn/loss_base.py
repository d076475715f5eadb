"""What every loss shares: the Loss base class (reductions, input checks, forward/backward
protocol) and LossInfo, the type of an entry of the loss registry `nnlearn.losses.LOSSES`."""

import math
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_float_array, check_finite, check_same_shape

REDUCTIONS = ("mean", "sum", "none")


class Loss:
    """Base class: `forward` returns the loss and caches what `backward` needs."""

    _cache = None                                                # set by forward
    reduction = "mean"

    def _set_reduction(self, reduction):
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction

    def _reduce(self, losses, target):
        """Elementwise losses -> what forward returns: their mean or sum as a float, or the array."""
        if self.reduction == "none":
            return losses
        return self._result(losses.mean() if self.reduction == "mean" else losses.sum(), target)

    def _count(self, size):
        """What the gradient is divided by: the number of elements for the mean, else 1."""
        return size if self.reduction == "mean" else 1

    def _reduction_repr(self, *args):
        parts = list(args) + ([f"reduction={self.reduction!r}"] if self.reduction != "mean" else [])
        return f"{type(self).__name__}({', '.join(parts)})"

    def __call__(self, prediction, target):
        return self.forward(prediction, target)

    def backward(self):
        if self._cache is None:
            raise ValueError(
                f"{type(self).__name__}.backward was called before the loss was computed: "
                "call loss_fn(prediction, target) first"
            )
        return self._gradient(*self._cache)

    def _inputs(self, prediction, target):
        """Both as float arrays of the prediction's dtype, of exactly the same shape."""
        if (type(prediction) is np.ndarray and type(target) is np.ndarray and prediction.dtype.kind == "f"
                and target.dtype == prediction.dtype and target.shape == prediction.shape and prediction.size):
            return prediction, target                         # the usual case, checked cheaply
        where = type(self).__name__
        prediction = as_float_array(prediction, "prediction", where=where)
        target = as_float_array(target, "target", where=where)
        if target.dtype != prediction.dtype:
            target = target.astype(prediction.dtype)          # targets are data, not parameters
        check_same_shape(prediction, target, where)
        if prediction.size == 0:
            raise ValueError(f"{where}: prediction is empty (shape {prediction.shape})")
        return prediction, target

    def _result(self, loss, target):
        """The loss as a float. One that is not finite is the prediction's doing (training diverged),
        unless a target is NaN or infinite: that is a data error, so it is checked then (and only
        then, which costs nothing in the usual case)."""
        loss = float(loss)
        if not math.isfinite(loss):
            check_finite(target, "target", where=type(self).__name__)
        return loss


@dataclass(frozen=True)
class LossInfo:
    """One entry of the loss registry.

    cls, options  the class and its arguments (`make()` builds one)
    target        "values" (the prediction's shape: regression, or one-hot rows), "class labels"
                  ((N,) integers, on (N, C) logits) or "binary" (0/1 values, on logits)
    pytorch       the PyTorch code that builds the same loss (the playground's export writes it)
    """

    cls: type
    target: str
    pytorch: str
    options: dict = field(default_factory=dict)

    def make(self, reduction="mean"):
        return self.cls(**self.options, reduction=reduction)

    def pointwise(self, miss):
        """(loss, dloss/dmiss) of one example against the miss d, any shape, from the class itself
        (reduction="none"): d = prediction - target for "values"; for labels and binary targets,
        d is the logit's distance on the wrong side (a 2-class logit pair (0, d), true class 0)."""
        d = np.asarray(miss, dtype=float)
        loss_fn = self.make(reduction="none")
        if self.target == "values":
            flat = d.reshape(-1, 1)
            return loss_fn(flat, np.zeros_like(flat)).reshape(d.shape), loss_fn.backward().reshape(d.shape)
        if self.target == "class labels":
            logits = np.column_stack([np.zeros(d.size), d.ravel()])                 # (M, 2)
            loss = loss_fn(logits, np.zeros(d.size, dtype=int))
            return loss.reshape(d.shape), loss_fn.backward()[:, 1].reshape(d.shape)
        flat = -d.reshape(-1, 1)                                                   # logit of the true class 1
        loss = loss_fn(flat, np.ones_like(flat))
        return loss.reshape(d.shape), -loss_fn.backward().reshape(d.shape)
