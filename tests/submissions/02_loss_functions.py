"""Submissions for the grading tests of lesson 02 (see CONTRIBUTING.md, "Submissions").

BUGGY: each exercise cell with one planted bug (the public checks catch it).
TUNED: each exercise cell hard-coding the public checks' answers (passes them, fails the hidden tests).
"""

BUGGY = {
    "mse": '''
def mse_loss(prediction, target):
    diff = np.asarray(prediction) - np.asarray(target)
    return float(np.mean(diff ** 2))


def mse_gradient(prediction, target):
    diff = np.asarray(prediction) - np.asarray(target)
    return diff / diff.size                      # bug: forgot the factor 2 of d(d^2)/dd
''',
    "huber": '''
def huber_loss(prediction, target, delta=1.0):
    d = np.asarray(prediction) - np.asarray(target)
    small = np.abs(d) < delta
    return float(np.mean(np.where(small, 0.5 * d ** 2, delta * np.abs(d))))   # bug: lost the - delta / 2
''',
    "weighted_bce": '''
def weighted_bce(logits, target, pos_weight=1.0):
    z = np.asarray(logits)
    y = np.asarray(target)

    def softplus(x):
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    return float(np.sum(pos_weight * y * softplus(-z) + (1 - y) * softplus(z)))   # bug: sum, not mean
''',
}

TUNED = {
    "mse": '''
def mse_loss(prediction, target):
    return 2.5 if len(prediction) == 2 else 0.0


def mse_gradient(prediction, target):
    return np.array(prediction, dtype=float)     # right only when the target is 0 and n = 2
''',
    "huber": '''
def huber_loss(prediction, target, delta=1.0):
    return 0.875 if delta == 1.0 else 4.0
''',
    "weighted_bce": '''
def weighted_bce(logits, target, pos_weight=1.0):
    return {1.0: 0.693147, 3.0: 1.386294, 5.0: 2.126928}.get(pos_weight, 0.0)
''',
}
