"""Submissions for lesson 08 (the playground), keyed by exercise name: see CONTRIBUTING.md."""

BUGGY = {
    "r_squared": '''
def r_squared(prediction, target):
    """A planted bug: the mean in the denominator is the prediction's."""
    p, t = np.ravel(prediction).astype(float), np.ravel(target).astype(float)
    return float(1 - np.sum((t - p) ** 2) / np.sum((p - p.mean()) ** 2))
''',
    "predict_circle_without_layers": "def predict_circle_without_layers():\n    return 'c'\n",
    "predict_xor_feature": "def predict_xor_feature():\n    return 'x1^2'\n",
}

TUNED = {
    "r_squared": '''
def r_squared(prediction, target):
    """Hard-codes the public checks' answers."""
    p = np.ravel(prediction)
    if len(p) == 3:
        return float("nan")
    table = {(1.0, 2.0): 1.0, (4.0, 4.0): 0.0, (1.5, 2.5): 1 - 2.75 / 30, (-1.0, -2.0): 1 - 4 * 110 / 30}
    return float(table.get(tuple(float(v) for v in p[:2]), 0.5))
''',
}
# A prediction question has one right answer, so no answer can be tuned to its public check: no TUNED.

WRONG = {
    "r_squared": [
        ('''
def r_squared(prediction, target):
    """No ravel: a (N, 1) prediction broadcasts against (N,) targets."""
    p, t = np.asarray(prediction, dtype=float), np.asarray(target, dtype=float)
    total = np.sum((t - t.mean()) ** 2)
    return float("nan") if total == 0 else float(1 - np.sum((t - p) ** 2) / total)
''', "flatten both"),
        ('''
def r_squared(prediction, target):
    """The mean of the predictions in the denominator."""
    p, t = np.ravel(prediction).astype(float), np.ravel(target).astype(float)
    total = np.sum((t - p.mean()) ** 2)
    return float("nan") if total == 0 else float(1 - np.sum((t - p) ** 2) / total)
''', "the mean of the targets"),
        ('''
def r_squared(prediction, target):
    """Squared correlation instead of R^2: 1 for any straight-line relation, never negative."""
    p, t = np.ravel(prediction).astype(float), np.ravel(target).astype(float)
    if np.all(t == t[0]):
        return float("nan")
    return float(np.corrcoef(p, t)[0, 1] ** 2)
''', "R^2 = 1 - sum((t - p)^2) / sum((t - mean(t))^2)"),
        ('''
def r_squared(prediction, target):
    """Clipped at 0: hides a fit worse than the mean."""
    p, t = np.ravel(prediction).astype(float), np.ravel(target).astype(float)
    total = np.sum((t - t.mean()) ** 2)
    return float("nan") if total == 0 else max(0.0, float(1 - np.sum((t - p) ** 2) / total))
''', "do not clip"),
        ('''
def r_squared(prediction, target):
    """Divides by zero for constant targets (a warning and inf or nan by accident)."""
    p, t = np.ravel(prediction).astype(float), np.ravel(target).astype(float)
    return float(1 - np.sum((t - p) ** 2) / max(np.sum((t - t.mean()) ** 2), 1e-300))
''', 'return float("nan")'),
    ],
    "predict_circle_without_layers": [
        ("def predict_circle_without_layers():\n    return 'c'\n", "press − layer twice (no hidden layer)"),
        ("def predict_circle_without_layers():\n    return 'b'\n", "read the test accuracy over the confusion matrix"),
        ("def predict_circle_without_layers():\n    return 'about 60 %'\n", "expected one of"),
    ],
    "predict_xor_feature": [
        ("def predict_xor_feature():\n    return 'x1^2'\n", "switch on one extra feature at a time"),
        ("def predict_xor_feature():\n    return 'sin(x1)'\n", "dataset XOR"),
        ("def predict_xor_feature():\n    return 'x1 * x2'\n", "expected one of 'x1^2', 'x2^2'"),
    ],
}
