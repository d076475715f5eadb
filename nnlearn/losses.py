"""Loss functions: how far the prediction is from the target, and which way to move it.

Each loss is called as `loss_fn(prediction, target) -> float` (the mean over the batch, as
PyTorch's default reduction="mean" computes it), then `loss_fn.backward()` returns
dL/d(prediction), with the prediction's shape and dtype. Value and gradient sit side by side.
As in PyTorch, reduction="sum" adds instead of averaging, and reduction="none" returns the loss
of every element (every row for cross-entropy) as an array; `backward()` then gives the
derivative of each element's loss with respect to its prediction (the gradient of their sum).

`LOSSES` is the one list of losses that apps, lessons, the playground and its export read:
display name -> LossInfo (the class, what its targets are, the PyTorch code that builds it).
Adding a loss is a class here plus one entry in LOSSES (at the end of this file). The base
class `Loss` and `LossInfo` are in loss_base.py, softmax and friends in functional.py.

Targets must be finite (a NaN target is a data error, refused with a message); a prediction that
is not finite gives a loss that is not finite, which is how training's divergence check sees it.
At extreme values (logits of 1e308) the results are PyTorch's (inf where it gives inf), without
numpy overflow warnings.
"""

import numpy as np

from ._checks import as_float_array, check_real
from .functional import class_labels, log_softmax, softmax, softplus
from .loss_base import Loss, LossInfo

__all__ = ["Loss", "MSELoss", "HuberLoss", "CrossEntropyLoss", "BCEWithLogitsLoss", "LOSSES", "LossInfo", "softmax"]


class MSELoss(Loss):
    """Mean squared error: L = mean((prediction - target)^2).

    dL/dprediction = 2 (prediction - target) / n, with n the number of elements.
    """

    def __init__(self, reduction="mean"):
        self._set_reduction(reduction)

    def forward(self, prediction, target):
        prediction, target = self._inputs(prediction, target)
        diff = prediction - target
        self._cache = (diff,)
        if self.reduction == "mean":
            return self._result(np.vdot(diff, diff) / diff.size, target)
        return self._reduce(diff * diff, target)

    def _gradient(self, diff):
        return diff * diff.dtype.type(2 / self._count(diff.size))

    def __repr__(self):
        return self._reduction_repr()


class HuberLoss(Loss):
    """Squared for small misses, linear for large ones, so outliers pull less (PyTorch's HuberLoss).

    With d = prediction - target, per element:
        l = d^2 / 2                      if |d| < delta
        l = delta * (|d| - delta / 2)    otherwise
    L = mean(l); dL/dprediction = clip(d, -delta, delta) / n.
    """

    def __init__(self, delta=1.0, reduction="mean"):
        self.delta = check_real(delta, "HuberLoss: delta", low=0, low_inclusive=False)
        self._set_reduction(reduction)

    def forward(self, prediction, target):
        prediction, target = self._inputs(prediction, target)
        # Both branches are computed and one kept, so the unused one may overflow (delta = 1e300:
        # delta^2 / 2); that value is discarded, so its warning is silenced.
        with np.errstate(over="ignore", invalid="ignore"):
            diff = prediction - target
            abs_diff = np.abs(diff)
            small = abs_diff < self.delta
            losses = np.where(small, 0.5 * diff * diff, self.delta * (abs_diff - 0.5 * self.delta))
            loss = self._reduce(losses, target)
        self._cache = (diff,)
        return loss

    def _gradient(self, diff):
        return np.clip(diff, -self.delta, self.delta) / diff.dtype.type(self._count(diff.size))

    def __repr__(self):
        return self._reduction_repr(f"delta={self.delta}")


class CrossEntropyLoss(Loss):
    """Softmax cross-entropy on raw logits, with optional class weights (PyTorch's CrossEntropyLoss).

    Shapes: logits (N, C), target (N,) integer class labels in [0, C), weight (C,).
    With p = softmax(logits) and w_i = weight[target_i] (1 without weights):
        L = sum_i w_i * (-log p[i, target_i]) / sum_i w_i
        dL/dlogits[i] = w_i * (p[i] - onehot(target_i)) / sum_i w_i
    (reduction="sum": no division; "none": the (N,) row losses w_i * (-log p[i, target_i]).)
    """

    def __init__(self, weight=None, reduction="mean"):
        self._set_reduction(reduction)
        if weight is not None:
            weight = as_float_array(weight, "weight", where="CrossEntropyLoss")
            if weight.ndim != 1:
                raise ValueError(f"CrossEntropyLoss: weight must be 1-dimensional (one per class), got shape {weight.shape}")
            if not np.all(np.isfinite(weight)) or np.any(weight < 0):
                raise ValueError(f"CrossEntropyLoss: weight must be finite and non-negative, got {weight}")
        self.weight = weight

    def forward(self, prediction, target):
        where = "CrossEntropyLoss"
        logits = as_float_array(prediction, "prediction", where=where)
        if logits.ndim != 2:
            raise ValueError(
                f"{where}: prediction must be logits of shape (N, C), got shape {logits.shape}"
            )
        n, classes = logits.shape
        if n == 0:
            raise ValueError(f"{where}: prediction is empty (shape {logits.shape}): the mean over 0 rows is undefined")
        labels = class_labels(target, n, classes, where)
        log_p = log_softmax(logits)                                 # (N, C)
        if self.reduction != "mean":
            sample_weight = None if self.weight is None else self._class_weights(logits)[labels]
            rows = -log_p[np.arange(n), labels] * (1 if sample_weight is None else sample_weight)    # (N,)
            self._cache = (log_p, labels, sample_weight, 1)
            return rows + 0.0 if self.reduction == "none" else float(rows.sum()) + 0.0
        if self.weight is None:
            sample_weight = None
            total = n
            loss = -log_p[np.arange(n), labels].sum() / total
        else:
            sample_weight = self._class_weights(logits)[labels]      # (N,)
            total = sample_weight.sum()
            if total == 0:
                raise ValueError(f"{where}: the classes in this batch all have weight 0, so the weighted mean is undefined")
            loss = -(sample_weight * log_p[np.arange(n), labels]).sum() / total
        self._cache = (log_p, labels, sample_weight, total)
        return float(loss) + 0.0                                     # + 0.0: a perfect fit is 0.0, not -0.0

    def _class_weights(self, logits):
        if self.weight.shape != (logits.shape[1],):
            raise ValueError(f"CrossEntropyLoss: weight must have one entry per class, {logits.shape[1]}, "
                             f"got {self.weight.shape[0]}")
        return self.weight.astype(logits.dtype)

    def _gradient(self, log_p, labels, sample_weight, total):
        grad = np.exp(log_p)                                         # softmax p, (N, C)
        grad[np.arange(len(labels)), labels] -= 1                    # p - onehot(target)
        if sample_weight is not None:
            grad *= sample_weight[:, None]
        grad /= grad.dtype.type(total)
        return grad

    def __repr__(self):
        return self._reduction_repr(*([] if self.weight is None else [f"weight={self.weight}"]))


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy on raw logits, with a false-negative penalty (PyTorch's BCEWithLogitsLoss).

    With s = sigmoid(logit), target y in [0, 1] and pos_weight p (1 by default), per element:
        l = -(p * y * log(s) + (1 - y) * log(1 - s))
          = p * y * softplus(-logit) + (1 - y) * softplus(logit)      (stable form)
    L = mean(l); dL/dlogit = (p * y * (s - 1) + (1 - y) * s) / n.
    pos_weight > 1 makes missing a positive (a false negative) cost more. It is a number or one
    value per output column (broadcast over the last axis, as in PyTorch).
    """

    def __init__(self, pos_weight=None, reduction="mean"):
        self._set_reduction(reduction)
        if pos_weight is not None:
            pos_weight = as_float_array(pos_weight, "pos_weight", where="BCEWithLogitsLoss")
            if pos_weight.ndim > 1:
                raise ValueError(f"BCEWithLogitsLoss: pos_weight must be a number or 1-dimensional, got shape {pos_weight.shape}")
            if not np.all(np.isfinite(pos_weight)) or np.any(pos_weight < 0):
                raise ValueError(f"BCEWithLogitsLoss: pos_weight must be finite and non-negative, got {pos_weight}")
        self.pos_weight = pos_weight

    def forward(self, prediction, target):
        logits, target = self._inputs(prediction, target)            # (NaN targets are refused there)
        inside = (target >= 0) & (target <= 1)                     # False for NaN as well
        if not inside.all():
            nan = int(np.count_nonzero(np.isnan(target)))
            raise ValueError("BCEWithLogitsLoss: target values must lie in [0, 1]"
                             + (f", got {nan} NaN" if nan else ""))
        pos_weight = 1
        if self.pos_weight is not None:
            if self.pos_weight.ndim == 1 and (logits.ndim == 0 or logits.shape[-1] != self.pos_weight.shape[0]):
                raise ValueError(
                    f"BCEWithLogitsLoss: pos_weight has {self.pos_weight.shape[0]} entries but prediction's "
                    f"last axis has shape {logits.shape}"
                )
            pos_weight = self.pos_weight.astype(logits.dtype)
        with np.errstate(over="ignore", invalid="ignore"):        # logits near 1e308: the mean is inf, as PyTorch's
            losses = pos_weight * target * softplus(-logits) + (1 - target) * softplus(logits)
            loss = self._reduce(losses, target)
        self._cache = (logits, target, pos_weight)
        return loss

    def _gradient(self, logits, target, pos_weight):
        s = 0.5 * (1 + np.tanh(0.5 * logits))                      # sigmoid, overflow-free
        grad = pos_weight * target * (s - 1) + (1 - target) * s
        return (grad / logits.dtype.type(self._count(logits.size))).astype(logits.dtype, copy=False)

    def __repr__(self):
        return self._reduction_repr(*([] if self.pos_weight is None else [f"pos_weight={self.pos_weight}"]))


LOSSES = {
    "MSE": LossInfo(MSELoss, "values", "nn.MSELoss()"),
    "cross-entropy": LossInfo(CrossEntropyLoss, "class labels", "nn.CrossEntropyLoss()"),
    "Huber": LossInfo(HuberLoss, "values", "nn.HuberLoss(delta=1.0)", {"delta": 1.0}),
    "binary cross-entropy": LossInfo(BCEWithLogitsLoss, "binary", "nn.BCEWithLogitsLoss()"),
}
