"""Hidden tests of lesson 07, as probes judged by the trusted grader (see coursework/probes.py).

Never released to students: `python coursework/student_copy.py` leaves coursework/ out.
"""

from probes import Probe, prediction

from nnlearn.experiments import digit_seeds

SETUP = "import numpy as np\nimport nnlearn as nl\nfrom nnlearn.experiments import digit_runs as runs\n"


DROPOUT_PUBLIC = SETUP + """
x = np.random.default_rng(5).normal(size=(40, 7)) + 2.0
x_before = x.copy()
mine = MyDropout(0.3, rng=11)
y = np.asarray(mine(x), dtype=float)
grad = np.random.default_rng(6).normal(size=(40, 7))
back = np.asarray(mine.backward(grad), dtype=float)
back_again = np.asarray(mine.backward(grad), dtype=float)
y2 = np.asarray(mine(x), dtype=float)
mine.eval()
state = mine.rng.bit_generator.state
y_eval = np.asarray(mine(x), dtype=float)
eval_draws = mine.rng.bit_generator.state != state or mine.mask is not None
back_eval = np.asarray(mine.backward(grad), dtype=float)
mine.train()
zero = MyDropout(0.0, rng=4)
state = zero.rng.bit_generator.state
y_zero = np.asarray(zero(x), dtype=float)
zero_draws = zero.rng.bit_generator.state != state or zero.mask is not None
x32 = np.random.default_rng(7).normal(size=(3, 5)).astype(np.float32)
x32_before = x32.copy()
y32 = np.asarray(MyDropout(0.5, rng=2)(x32))
result = (x.tobytes() == x_before.tobytes(), y, back, back_again, y2, y_eval, bool(eval_draws), back_eval,
          y_zero, bool(zero_draws), y32, y32.dtype.name, x32.tobytes() == x32_before.tobytes())
"""

EARLY_PUBLIC = SETUP + """
losses = [1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.9]
result = [early_stopping(losses, 3), early_stopping(losses, 5), early_stopping([1.0, 0.5, 0.5, 0.5], 2),
          early_stopping([1.0, 0.9995, 0.999, 0.5], 2, min_delta=0.01),
          early_stopping([0.5, 0.6, 0.6, 0.7, 0.65, 0.7, 0.68], 3, mode="max"),
          early_stopping([0.5, 0.505, 0.52, 0.525], 3, min_delta=0.01, mode="max"),
          early_stopping([10.0, 9.95, 9.9, 9.0], 2, min_delta=0.01),
          early_stopping([10.0, 10.05, 10.1, 11.0], 2, min_delta=0.01, mode="max"),
          early_stopping([1.0, 2.0, 0.5, 0.6], 2), early_stopping([1.0, 2.0, 3.0], 2),
          early_stopping(np.array([0.3]), 4),
          stop_on_accuracy(runs.digits_run(128, 50))]
curve = np.array([0.9, 0.8, 0.85, 0.7])
early_stopping(curve, 2)
result = [tuple(int(v) for v in pair) for pair in result] + [curve.tobytes() == np.array([0.9, 0.8, 0.85, 0.7]).tobytes()]
"""

TRAIN_PUBLIC = SETUP + """
X_tr, y_tr, X_va, y_va = runs.digits_split()[:4]
X_train, y_train = X_tr.astype(np.float64), y_tr.copy()
model = train_digits(X_train, y_train)
logits = np.asarray(model(X_va.astype(np.float64)))
again = np.asarray(model(X_va.astype(np.float64)))
result = (isinstance(model, nl.Module), list(logits.shape), bool(nl.accuracy(logits, y_va) > 0.9),
          bool(np.array_equal(logits, again)), X_train.tobytes() == X_tr.astype(np.float64).tobytes(),
          y_train.tobytes() == y_tr.tobytes())
"""

# The investigation is graded within how far the solution's own answer moves with the seed (0-4),
# plus one grid step: digit_seeds.size_tolerance computes it from those runs.
SMALLEST_TARGETS = (0.9, 0.85)


def smallest_probe(target):
    tolerance = float(digit_seeds.size_tolerance(32, target))
    return Probe(SETUP + f"result = float(smallest_train_size(32, {target}))", rtol=0.0, atol=tolerance,
                 label=f"32 units, target {target:.0%}: within {tolerance:g} digits of the solution's answer")


SMALLEST_PUBLIC = SETUP + """
result = []
for units, target in ((32, 0.9), (32, 0.93), (16, 0.9)):
    n = smallest_train_size(units, target)
    ok = isinstance(n, (int, np.integer)) and 50 <= n <= 1197 and n % 25 == 0
    result += [bool(ok), bool(ok and runs.digits_run(units, int(n))["val_accuracy"][-1] >= target),
               bool(ok and all(runs.digits_run(units, m)["val_accuracy"][-1] < target for m in range(50, int(n), 25)))]
"""

# Where a bisection lands past the smallest size (8 units, 94%), and where the best epoch reaches
# the target but the last does not (64 units, 94%): judged by the answer's own runs, not a tolerance.
SMALLEST_CONSISTENT = SETUP + """
result = []
for units, target in ((8, 0.94), (64, 0.94)):
    n = smallest_train_size(units, target)
    ok = isinstance(n, (int, np.integer)) and 50 <= n <= 1197 and n % 25 == 0
    result += [bool(ok and runs.digits_run(units, int(n))["val_accuracy"][-1] >= target),
               bool(ok and all(runs.digits_run(units, m)["val_accuracy"][-1] < target for m in range(50, int(n), 25)))]
"""


PUBLIC = {
    "predict_accuracy_change": [prediction("predict_accuracy_change()")],
    "predict_more_data": [prediction("predict_more_data()")],
    "predict_dropout_small": [prediction("predict_dropout_small()")],
    "dropout": [Probe(DROPOUT_PUBLIC, rtol=1e-6, atol=1e-7)],
    "early_stopping": [Probe(EARLY_PUBLIC)],
    "train_digits": [Probe(TRAIN_PUBLIC)],
    "smallest_train_size": [Probe(SMALLEST_PUBLIC)],
}

HIDDEN = {
    "predict_accuracy_change": [prediction("predict_accuracy_change()")],
    "predict_more_data": [prediction("predict_more_data()")],
    "predict_dropout_small": [prediction("predict_dropout_small()")],
    "dropout": [
        Probe(SETUP + """
rng = np.random.default_rng(21)
result = []
for shape, p, seed in [((17, 3), 0.5, 1), ((4, 3, 5), 0.25, 2), ((1, 64), 0.9, 3), ((6,), 0.1, 4)]:
    x = rng.normal(size=shape)
    x_before = x.copy()
    layer = MyDropout(p, rng=seed)
    first = np.asarray(layer(x), dtype=float)
    grad = rng.normal(size=shape)
    first_back = np.asarray(layer.backward(grad), dtype=float)
    second = np.asarray(layer(x), dtype=float)               # a new mask for a new forward pass
    result.append((first, first_back, second, np.array_equal(x, x_before)))
""", rtol=1e-6, atol=1e-7, label="other shapes (3-D, 1-D), p 0.1 to 0.9, two forward passes"),
        Probe(SETUP + """
x = np.random.default_rng(8).normal(size=(5, 4)).astype(np.float32)
layer = MyDropout(0.0, rng=9)
y = np.asarray(layer(x))
after_p0 = float(layer.rng.random())                         # p = 0 draws nothing
layer = MyDropout(0.4, rng=10)
layer.eval()
y_eval = np.asarray(layer(x))
after_eval = float(layer.rng.random())                       # evaluation draws nothing
back_eval = np.asarray(layer.backward(np.ones_like(x)))
layer.train()
y_train = np.asarray(layer(x))
layer.eval()
layer(x)                                                     # after a training pass: the old mask is dropped
result = (y, y.dtype.name, after_p0, y_eval, after_eval, back_eval, y_train, y_train.dtype.name, layer.mask is None)
""", rtol=1e-6, atol=1e-7, label="p = 0 and evaluation mode: identity, no draw; float32; back to training"),
        Probe(SETUP + """
model = nl.Sequential(nl.Linear(6, 8, rng=1), nl.ReLU(), MyDropout(0.5, rng=3), nl.Linear(8, 3, rng=2))
X = np.random.default_rng(4).normal(size=(10, 6))
y = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
loss_fn = nl.CrossEntropyLoss()
loss = loss_fn(model(X), y)
model.zero_grad()
model.backward(loss_fn.backward())
result = (loss, [p.grad for p in model.parameters()])
""", rtol=1e-6, atol=1e-9, label="inside a network: the gradients backpropagated through it"),
    ],
    "early_stopping": [
        Probe(SETUP + """
rng = np.random.default_rng(77)
result = []
for trial in range(40):
    epochs = int(rng.integers(1, 60))
    curve = np.exp(np.cumsum(rng.normal(-0.02, 0.1, size=epochs)))
    if trial % 3 == 0:
        curve = np.round(curve, 1)                           # many ties
    mode = "max" if trial % 2 else "min"
    min_delta = [0.0, 0.01, 0.05][trial % 3]
    patience = int(rng.integers(1, 8))
    result.append(tuple(int(v) for v in early_stopping(list(curve), patience, min_delta, mode)))
""", label="40 random curves, ties, min_delta, both modes"),
        Probe(SETUP + """
rng = np.random.default_rng(78)
result = []
for trial in range(20):                                      # curves far from 1: min_delta is an amount, not a fraction
    curve = 50 * np.exp(np.cumsum(rng.normal(-0.001, 0.002, size=int(rng.integers(5, 40)))))
    mode = "max" if trial % 2 else "min"
    result.append(tuple(int(v) for v in early_stopping(list(curve), int(rng.integers(1, 6)), 0.05, mode)))
""", label="curves near 50 with min_delta 0.05, both modes"),
        Probe(SETUP + """
result = [tuple(int(v) for v in early_stopping(np.array([0.5]), 3)),
          tuple(int(v) for v in early_stopping([2.0, 1.0, 1.5, 1.6], 2)),
          tuple(int(v) for v in early_stopping([0.2, 0.2, 0.2], 1, mode="max")),
          tuple(int(v) for v in stop_on_accuracy(runs.digits_run(8, 50))),
          tuple(int(v) for v in stop_on_accuracy(runs.digits_run(32, 200)))]
""", label="one epoch, exactly best + patience, flat, other runs"),
    ],
    "train_digits": [
        Probe(SETUP + """
X, y = nl.data.digits(rng=3)
X_train, y_train, X_val, y_val = nl.data.train_val_split(X, y, val_fraction=0.3, rng=3)
model = train_digits(X_train[:800], y_train[:800])
logits = np.asarray(model(X_val))
noisy = np.clip(X_val + np.random.default_rng(3).normal(0, 0.05, size=X_val.shape), 0, 1)
result = (list(logits.shape), bool(nl.accuracy(logits, y_val) > 0.9), bool(nl.accuracy(np.asarray(model(noisy)), y_val) > 0.85),
          bool(np.array_equal(logits, np.asarray(model(X_val)))))
""", label="another split, 800 training digits, noisy digits; the same scores twice (dropout off)"),
    ],
    "smallest_train_size": [smallest_probe(target) for target in SMALLEST_TARGETS]
                           + [Probe(SMALLEST_CONSISTENT, label="8 and 64 units, 94%: the answer's own runs reach it, no smaller size does")],
}
