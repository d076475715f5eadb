"""Submissions for the grading tests of lesson 02 (see CONTRIBUTING.md, "Submissions").

BUGGY: each exercise cell with one planted bug (the public checks catch it).
TUNED: each exercise cell hard-coding the public checks' answers (passes them, fails the hidden tests).
WRONG: plausible learner mistakes, each with a fragment the public check's output must contain.
"""

MSE_LOSS = '''
def mse_loss(prediction, target):
    diff = np.asarray(prediction) - np.asarray(target)
    return float(np.mean(diff ** 2))
'''

MSE_GRADIENT = '''
def mse_gradient(prediction, target):
    diff = np.asarray(prediction) - np.asarray(target)
    return 2 * diff / diff.size
'''

SOFTPLUS = '''
def softplus(x):
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
'''

BUGGY = {
    "mse": MSE_LOSS + '''
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
    "weighted_bce": SOFTPLUS + '''
def weighted_bce(logits, target, pos_weight=1.0):
    z, y = np.asarray(logits), np.asarray(target)
    return float(np.sum(pos_weight * y * softplus(-z) + (1 - y) * softplus(z)))   # bug: sum, not mean
''',
    "softmax_cross_entropy": '''
def softmax_cross_entropy(logits, target, weight=None):
    z, y = np.asarray(logits), np.asarray(target)
    rows = np.arange(len(y))
    shifted = z - z.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=1))
    w = np.ones(len(y)) if weight is None else np.asarray(weight)[y]
    loss = float((w * (log_sum - shifted[rows, y])).sum() / w.sum())
    grad = np.exp(shifted - log_sum[:, None])
    grad[rows, y] += 1                           # bug: wrong sign of the one-hot
    return loss, grad * (w / w.sum())[:, None]
''',
    "predict_mse_ratio": "def predict_mse_ratio():\n    return 9",
    "predict_ce_correction": "def predict_ce_correction():\n    return 20",
    "predict_saturated": 'def predict_saturated():\n    return "a"',
    "predict_huber_pull": "def predict_huber_pull():\n    return 33",
    "predict_threshold": "def predict_threshold():\n    return 0.9",
    "predict_no_outliers": 'def predict_no_outliers():\n    return "b"',
}

TUNED = {
    "mse": '''
def mse_loss(prediction, target):
    return 14 / 3 if np.size(prediction) == 3 else 0.8854166666666666


def mse_gradient(prediction, target):
    if np.size(prediction) == 3:
        return np.array([2 / 3, 4 / 3, 2.0])
    return ((np.arange(12.0).reshape(3, 4) / 4 - 1) / 6).astype(np.asarray(prediction).dtype)
''',
    "huber": '''
def huber_loss(prediction, target, delta=1.0):
    if np.shape(prediction) == (2, 3):
        return 0.9333333333333332
    if np.shape(prediction) == (2,):
        return 0.625
    return 0.875 if delta == 1.0 else 4.0
''',
    "weighted_bce": '''
def weighted_bce(logits, target, pos_weight=1.0):
    return {3.0: 7 * np.log(2) / 3, 2.0: 750.0}.get(pos_weight, 2.1507286064466937)
''',
    "softmax_cross_entropy": '''
import nnlearn as _nl
def softmax_cross_entropy(logits, target, weight=None):
    """Looks right on the public inputs: calls the library, but forgets the weights beyond 3 classes."""
    z = np.asarray(logits)
    reference = _nl.CrossEntropyLoss(weight=weight if weight is not None and len(weight) == 3 else None)
    loss = reference(z, np.asarray(target))
    return loss, reference.backward()
''',
}

WRONG = {
    "mse": [
        (MSE_LOSS + '''
def mse_gradient(prediction, target):
    return np.asarray(prediction) - np.asarray(target)          # no 2, no 1/n
''', "2 (prediction - target) / n"),
        (MSE_LOSS + '''
def mse_gradient(prediction, target):
    return 2 * (np.asarray(prediction) - np.asarray(target))    # no 1/n
''', "n = prediction.size"),
        (MSE_LOSS + '''
def mse_gradient(prediction, target):
    diff = np.asarray(prediction) - np.asarray(target)
    return 2 * diff / len(diff)                                  # rows, not elements
''', "not len(prediction)"),
        ('''
def mse_loss(prediction, target):
    return float(np.sum((np.asarray(prediction) - np.asarray(target)) ** 2))   # a sum, not a mean
''' + MSE_GRADIENT, "the mean of the squared misses"),
    ],
    "huber": [
        ('''
def huber_loss(prediction, target, delta=1.0):
    d = np.asarray(prediction) - np.asarray(target)
    return float(np.mean(np.where(np.abs(d) < delta, d ** 2, delta * (np.abs(d) - 0.5 * delta))))   # MSE's d^2
''', "half of MSE"),
        ('''
def huber_loss(prediction, target, delta=1.0):
    d = np.asarray(prediction) - np.asarray(target)
    return float(np.mean(np.where(d < delta, 0.5 * d ** 2, delta * (d - 0.5 * delta))))   # no |d|
''', "use |d| on both sides"),
        ('''
def huber_loss(prediction, target, delta=1.0):
    d = np.asarray(prediction) - np.asarray(target)
    return float(np.sum(np.where(np.abs(d) < delta, 0.5 * d ** 2, delta * (np.abs(d) - 0.5 * delta))))   # sum
''', "0.5 * d**2"),
    ],
    "weighted_bce": [
        ('''
def weighted_bce(logits, target, pos_weight=1.0):
    z, y = np.asarray(logits), np.asarray(target)
    s = 1 / (1 + np.exp(-z))
    return float(np.mean(-(pos_weight * y * np.log(s) + (1 - y) * np.log(1 - s))))   # log(sigmoid): -inf at 1000
''', "stable softplus"),
        ('''
def weighted_bce(logits, target, pos_weight=1.0):
    z, y = np.asarray(logits), np.asarray(target)
    return float(np.mean(pos_weight * y * np.log1p(np.exp(-z)) + (1 - y) * np.log1p(np.exp(z))))   # exp(1000) = inf
''', "never log(sigmoid(z)) or log1p(exp(x)) directly"),
        (SOFTPLUS + '''
def weighted_bce(logits, target, pos_weight=1.0):
    z, y = np.asarray(logits), np.asarray(target)
    return float(np.mean(y * softplus(-z) + pos_weight * (1 - y) * softplus(z)))   # weights the negatives
''', "positive examples (y = 1) only"),
        (SOFTPLUS + '''
def weighted_bce(logits, target, pos_weight=1.0):
    z, y = np.asarray(logits), np.asarray(target)
    return float(np.mean(pos_weight * (y * softplus(-z) + (1 - y) * softplus(z))))   # weights every example
''', "positive examples (y = 1) only"),
    ],
    "softmax_cross_entropy": [
        ('''
def softmax_cross_entropy(logits, target, weight=None):
    z, y = np.asarray(logits), np.asarray(target)
    rows = np.arange(len(y))
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)       # no max subtracted: inf / inf at 1e4
    w = np.ones(len(y)) if weight is None else np.asarray(weight)[y]
    loss = float(-(w * np.log(p[rows, y])).sum() / w.sum())
    grad = p.copy()
    grad[rows, y] -= 1
    return loss, grad * (w / w.sum())[:, None]
''', "subtract each row's max"),
        ('''
def softmax_cross_entropy(logits, target, weight=None):
    z, y = np.asarray(logits), np.asarray(target)
    rows = np.arange(len(y))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    w = np.ones(len(y)) if weight is None else np.asarray(weight)[y]
    loss = float(-(w * np.log(p[rows, y])).sum() / w.sum())    # log of a softmax that rounds to 0
    grad = p.copy()
    grad[rows, y] -= 1
    return loss, grad * (w / w.sum())[:, None]
''', "log-sum-exp"),
        ('''
def softmax_cross_entropy(logits, target, weight=None):
    z, y = np.asarray(logits), np.asarray(target)
    rows = np.arange(len(y))
    shifted = z - z.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=1))
    w = np.ones(len(y)) if weight is None else np.asarray(weight)[y]
    loss = float((w * (log_sum - shifted[rows, y])).sum() / w.sum())
    grad = np.exp(shifted - log_sum[:, None])
    grad[rows, y] -= 1
    return loss, grad * w[:, None]                              # forgot to divide by N (or the weight sum)
''', "divide by N"),
        ('''
def softmax_cross_entropy(logits, target, weight=None):
    z, y = np.asarray(logits), np.asarray(target)
    rows = np.arange(len(y))
    shifted = z - z.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=1))
    w = np.ones(len(y)) if weight is None else np.asarray(weight)[y]
    loss = float((w * (log_sum - shifted[rows, y])).sum() / len(y))     # weighted sum over N, not over sum(w)
    grad = np.exp(shifted - log_sum[:, None])
    grad[rows, y] -= 1
    return loss, grad * (w / len(y))[:, None]
''', "sum of weight[y_i]"),
        ('''
def softmax_cross_entropy(logits, target, weight=None):
    z, y = np.asarray(logits), np.asarray(target)
    rows = np.arange(len(y))
    shifted = z - z.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=1))
    w = np.ones(len(y)) if weight is None else np.asarray(weight)[y]
    loss = float((w * (log_sum - shifted[rows, y])).sum() / w.sum())
    grad = np.exp(shifted - log_sum[:, None])                  # forgot to subtract the one-hot
    return loss, grad * (w / w.sum())[:, None]
''', "onehot"),
        ('''
def softmax_cross_entropy(logits, target, weight=None):
    z, y = logits, np.asarray(target)
    rows = np.arange(len(y))
    z -= z.max(axis=1, keepdims=True)                          # in place: changes the caller's logits
    log_sum = np.log(np.exp(z).sum(axis=1))
    w = np.ones(len(y)) if weight is None else np.asarray(weight)[y]
    loss = float((w * (log_sum - z[rows, y])).sum() / w.sum())
    grad = np.exp(z - log_sum[:, None])
    grad[rows, y] -= 1
    return loss, grad * (w / w.sum())[:, None]
''', "do not modify logits in place"),
    ],
    "predict_mse_ratio": [("def predict_mse_ratio():\n    return 9", "read the gradient (the correction) in the table"), ("def predict_mse_ratio():\n    return 1", "then at miss 3, and divide")],
    "predict_ce_correction": [("def predict_ce_correction():\n    return 20", "read the one at 10, to two decimals"),
                              ("def predict_ce_correction():\n    return 10", "correction at misses 1, 3 and 10")],
    "predict_saturated": [('def predict_saturated():\n    return "a"', "set start w = b to 3"), ('def predict_saturated():\n    return "c"', "the output drops below 0.5")],
    "predict_huber_pull": [("def predict_huber_pull():\n    return 33", "set outlier height to 20 and loss to Huber"), ("def predict_huber_pull():\n    return 20", "the dragged point's pull")],
    "predict_no_outliers": [('def predict_no_outliers():\n    return "b"', "set outliers to 0 and updates to 500"),
                            ('def predict_no_outliers():\n    return "a"', "compare the two fits' distances")],
    "predict_threshold": [("def predict_threshold():\n    return 0.5", "move pos_weight to the stop nearest 9"), ("def predict_threshold():\n    return 0.9", "decides about as the weighted one does")],
}



# Mistakes written from the exercise's spec and check alone, before reading the solution: the dtype,
# a threshold that ignores delta, softplus without |x|, class weights on the wrong axis.
_SOFTMAX_CE = '''
def softmax_cross_entropy(logits, target, weight=None):
    N, C = logits.shape
    s = logits - logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(s).sum(axis=1))
    w = np.ones(N, dtype=logits.dtype) if weight is None else weight[target]
    loss = float(np.sum(w * (lse - s[np.arange(N), target])) / w.sum())
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    onehot = np.zeros_like(p)
    onehot[np.arange(N), target] = 1
    return loss, w[:, None] * (p - onehot) / w.sum()
'''


def softmax_ce(old, new):
    assert old in _SOFTMAX_CE, old
    return _SOFTMAX_CE.replace(old, new)


WRONG["mse"] += [
    (MSE_LOSS + '''
def mse_gradient(prediction, target):
    n = np.prod(prediction.shape)
    return 2 * (prediction - target) / np.float64(n)             # a float64 number: a float64 gradient
''', "float32 in, float32 out"),
    (MSE_LOSS + '''
def mse_gradient(prediction, target):
    return (prediction - target) / prediction.size               # no factor 2
''', "the factor 2 of d(d^2)/dd is missing"),
]
WRONG["huber"] += [
    ('''
def huber_loss(prediction, target, delta=1.0):
    d = np.abs(prediction - target)
    return float(np.mean(np.where(d < 1.0, 0.5 * d ** 2, delta * (d - 0.5 * delta))))   # 1.0, not delta
''', "compare |d| with the delta given"),
    ('''
def huber_loss(prediction, target, delta=1.0):
    d = np.abs(prediction - target)
    return float(np.sum(np.where(d < delta, 0.5 * d ** 2, delta * (d - 0.5 * delta))) / len(prediction))   # rows
''', "not by len(prediction)"),
]
WRONG["weighted_bce"] += [
    ('''
def weighted_bce(logits, target, pos_weight=1.0):
    sp = lambda x: np.maximum(x, 0) + np.log1p(np.exp(-x))      # -x, not -|x|
    return float(np.mean(pos_weight * target * sp(-logits) + (1 - target) * sp(logits)))
''', "log1p(exp(-|x|))"),
    ('''
def weighted_bce(logits, target, pos_weight=1.0):
    sp = lambda x: np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
    return float(np.mean(pos_weight * target * sp(logits) + (1 - target) * sp(-logits)))   # the terms swapped
''', "softplus(-z) for y = 1"),
]
WRONG["softmax_cross_entropy"] += [
    (softmax_ce("onehot = np.zeros_like(p)\n    onehot[np.arange(N), target] = 1",        # np.eye is float64
                "onehot = np.eye(C)[target]"), "grad in the logits' dtype"),
    (softmax_ce("return loss, w[:, None] * (p - onehot) / w.sum()",                     # weights the columns
                "return loss, (p - onehot) * (1 if weight is None else weight) / w.sum()"), "weight[y_i]"),
]


# The investigation (issue 19): each wrong answer with the hint it must get.
OVERFLOW = '''
def overflow_scale(dtype, seed):
    dtype = np.dtype(dtype).type
    z = np.random.default_rng(seed).normal(size=(100, 10)).astype(dtype)
    last = None
    for k in range(41):
        scale = 10 ** (k / 10)
        with np.errstate(all="ignore"):
            e = np.exp({scaled})
            p = e / e.sum(axis=1, keepdims=True)
        if not np.all(np.isfinite(p)):
            return float({answer})
        last = scale
    return None


def overflow_summary(seeds=range(5)):
    s32 = [overflow_scale(np.float32, seed) for seed in seeds]
    s64 = [overflow_scale(np.float64, seed) for seed in seeds]
    return {{"float32": float(np.median(s32)), "float64": float(np.median(s64)),
            "ratio": float(np.median(np.divide({ratio})))}}
'''
WRONG["overflow_scale"] = [
    (OVERFLOW.format(scaled="z.astype(np.float64) * scale", answer="scale", ratio="s64, s32"),   # float64 whatever the dtype
     "compute in the dtype asked for"),
    (OVERFLOW.format(scaled="z * dtype(scale)", answer="last", ratio="s64, s32"),                 # the last finite scale
     "still finite: return the first scale"),
    (OVERFLOW.format(scaled="z * dtype(scale)", answer="scale", ratio="s32, s64"),                # the ratio upside down
     "float64 / float32"),
]

# The investigation's planted bug and tuned answer.
BUGGY["overflow_scale"] = OVERFLOW.format(scaled="z * dtype(scale)", answer="10 ** ((k + 1) / 10)",   # planted: one
                                          ratio="s64, s32")                                      # grid point late
TUNED["overflow_scale"] = '''
def overflow_scale(dtype, seed):
    """Seed 0's answers (the public check's), hard-coded for every seed."""
    return {"float32": 10 ** 1.5, "float64": 10 ** 2.4}[np.dtype(dtype).name]


def overflow_summary(seeds=range(5)):
    s32 = [overflow_scale(np.float32, seed) for seed in seeds]
    s64 = [overflow_scale(np.float64, seed) for seed in seeds]
    return {"float32": float(np.median(s32)), "float64": float(np.median(s64)),
            "ratio": float(np.median(np.divide(s64, s32)))}
'''
