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
        ('''
def r_squared(prediction, target):
    """nan only when the sum of squares about the mean is exactly 0: [0.1] * 3 gives about -2e32."""
    p, t = np.ravel(prediction).astype(float), np.ravel(target).astype(float)
    total = np.sum((t - t.mean()) ** 2)
    return float("nan") if total == 0 else float(1 - np.sum((t - p) ** 2) / total)
''', "not whether the sum is 0"),
        ('''
def r_squared(prediction, target):
    """Flattens the prediction only: a (N, 1) target still broadcasts."""
    p, t = np.ravel(prediction).astype(float), np.asarray(target, dtype=float)
    if np.ptp(t) == 0:
        return float("nan")
    return float(1 - np.sum((t - p) ** 2) / np.sum((t - t.mean()) ** 2))
''', "flatten both"),
        ('''
def r_squared(prediction, target):
    """Centres the targets in place: np.ravel of a 1-D float array is the caller's array."""
    p, t = np.ravel(np.asarray(prediction, dtype=float)), np.ravel(np.asarray(target, dtype=float))
    if np.ptp(t) == 0:
        return float("nan")
    mean = t.mean()
    t -= mean
    return float(1 - np.sum((t - (p - mean)) ** 2) / np.sum(t ** 2))
''', "the target after the call"),
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


# The investigation: a measurement that does not follow the spec, or a summary that does not follow it.
_FIT = '''
from nnlearn.playground import Config, Playground


def test_r2(hidden, seed, epochs=30):
    pg = Playground(Config(dataset="multigauss", loss="mse", seed=seed, hidden=hidden))
    for _ in range(epochs):
        pg.step()
    return r_squared(pg.model(pg.inputs_test), pg.y_test)


def fit_investigation():
    return {hidden: float(np.median([test_r2(hidden, seed) for seed in range(5)]))
            for hidden in ((), (8,), (4, 2), (8, 8))}
'''


def _fit(old, new):
    assert old in _FIT, old
    return _FIT.replace(old, new)


WRONG["fit_investigation"] = [
    (_fit("np.median(", "np.mean("), "the MEDIAN (np.median)"),                                       # mean
    (_fit("for seed in range(5)", "for seed in range(1, 6)"), "over seeds 0, 1, 2, 3, 4"),           # seeds 1-5
    (_fit("r_squared(pg.model(pg.inputs_test), pg.y_test)", "r_squared(pg.model(pg.inputs_train), pg.y_train)"),
     "R^2 of pg.model(pg.inputs_test) against pg.y_test"),                                          # training points
    (_fit("    for _ in range(epochs):", "    for _ in range(30):"), "pg.step() once per epoch"),  # epochs ignored
    (_fit('Config(dataset="multigauss", loss="mse", seed=seed, hidden=hidden)',
          'Config(dataset="multigauss", loss="mse", seed=seed, hidden=hidden, optimizer="Adam", learning_rate=0.01)'),
     "nothing else changed"),                                                                        # another optimizer
    (_fit("return {hidden: float(", "return {str(hidden): float("), "returns {hidden: float}"),        # keys as text
    (_fit("def test_r2(hidden, seed, epochs=30):", "def test_r2(hidden, seed, epochs=20):"),           # another default
     "the default is what differs"),
]
