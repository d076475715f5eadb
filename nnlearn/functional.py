"""Numerically stable pieces the losses are built from (as torch.nn.functional): softmax,
log-softmax, softplus, and the check of class labels."""

import numpy as np

from ._checks import describe


def softmax(logits):
    """Row-wise softmax of (N, C) scores: p_ic = exp(z_ic) / sum_k exp(z_ik), the row maximum
    subtracted first so that exp() cannot overflow."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def log_softmax(logits):
    """log softmax along the last axis, via log-sum-exp: subtracting the max keeps exp() <= 1.

    Logits 1e308 apart make the shift -inf for the small ones (exp gives 0, log p = -inf, as
    PyTorch gives); numpy's overflow warning for that subtraction is silenced.
    """
    with np.errstate(over="ignore"):
        shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def class_labels(target, n, classes, where):
    """Integer labels of shape (N,) in [0, C); a clear error for anything else."""
    labels = target if isinstance(target, np.ndarray) else np.asarray(target)
    if labels.dtype.kind not in "iu":
        hint = ""
        if labels.dtype.kind in "fb" and labels.shape == (n, classes) and classes > 1:
            hint = (" (this looks like one-hot or probability targets of shape (N, C); "
                    "give the class labels: target.argmax(axis=1))")
        elif labels.dtype.kind == "f":
            hint = " (use target.astype(int))"
        raise TypeError(f"{where}: target must hold integer class labels, got {describe(labels)}{hint}")
    if labels.shape != (n,):
        raise ValueError(f"{where}: target must have shape ({n},), one label per row of prediction, got {labels.shape}")
    if n and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(
            f"{where}: target labels must lie in [0, {classes - 1}] for {classes} classes, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return labels


def softplus(x):
    """log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|))."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
