"""Hidden tests of lesson 03, as probes judged by the trusted grader (see coursework/probes.py).

Never released to students: `python coursework/student_copy.py` leaves coursework/ out.
"""

from probes import Probe, prediction

SETUP = "import numpy as np\nimport nnlearn as nl\n"

# The public check cell's network problem, rebuilt (inputs only).
NETWORK = SETUP + """
rng = np.random.default_rng(3)
params = init_two_layer(4, 3, 6, rng=1)
params["b1"], params["b2"] = rng.normal(size=3) * 0.5, rng.normal(size=6) * 0.5
X, y = rng.normal(size=(5, 4)), np.array([0, 5, 2, 2, 4])
"""

# The investigation (eps_investigation): its answers are judged within the spread of the solution's own runs
# over the five seeds the spec names, which the grader computes on its side (Probe.spread).
EPS_PUBLIC = SETUP + """
errors, errors32, found = eps_errors(0, "float64"), eps_errors(0, "float32"), eps_investigation()
own = {}
for dtype in ("float64", "float32"):
    median = np.median([eps_errors(seed, dtype) for seed in range(5)], axis=0)
    own[dtype] = (int(np.argmin(median)) + 1, float(median[np.argmin(median)]))
result = (len(errors), [float(np.log10(e)) for e in errors[:3]], len(errors32), bool(min(errors32[5:]) > 1e-3), sorted(found),
          [type(k).__name__ for k, _ in found.values()], [found[d] == own[d] for d in own], [float(e) for e in errors32])
"""
SPREAD_OF_K = """
ranges = []
for dtype in ("float64", "float32"):
    best = [int(np.argmin(eps_errors(seed, dtype))) + 1 for seed in range(5)]
    ranges.append((max(best) - min(best)) / 2)       # half the range of the seeds' best k
tolerance = max(ranges)
"""
SPREAD_OF_ERROR = """
spreads = []
for dtype in ("float64", "float32"):
    errors = np.log10([eps_errors(seed, dtype) for seed in range(5)])          # (5 seeds, 12 k)
    best = int(np.argmin(np.median(errors, axis=0)))
    spreads.append(2 * np.std(errors[:, best]) / np.sqrt(5))                    # 2 standard errors
tolerance = max(max(spreads), 0.1)
"""

PUBLIC = {
    "predict_grad_v": [prediction("predict_grad_v()", 1)],
    "predict_dead_neuron_zeros": [prediction("predict_dead_neuron_zeros()", 0)],
    "predict_fd_growth": [prediction("predict_fd_growth()", 0)],
    "predict_backprop_passes": [prediction("predict_backprop_passes()", 0)],
    "numerical_gradient": [Probe(SETUP + """
w = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.5]])
g = numerical_gradient(lambda v: np.sum(v ** 3), w, eps=1e-3)
unchanged = w.tobytes() == np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.5]]).tobytes()
g2 = numerical_gradient(lambda v: v[0, 1] * v[1, 0], np.array([[3.0, 4.0], [5.0, 6.0]]))
w_random = np.random.default_rng(35).normal(size=(4, 5))
numerical_gradient(lambda v: float(np.sum(v ** 2)), w_random, eps=1e-2)
unchanged_random = w_random.tobytes() == np.random.default_rng(35).normal(size=(4, 5)).tobytes()
result = (np.asarray(g, dtype=float), unchanged, np.asarray(g2, dtype=float), unchanged_random)
""", rtol=1e-9, atol=1e-8),
        Probe(SETUP + """
g32 = numerical_gradient(lambda v: float(np.sum(v.astype(np.float64) ** 2)), np.array([1.5, -0.5], dtype=np.float32), eps=1e-2)
result = (g32, str(np.asarray(g32).dtype))
""", rtol=1e-5, atol=1e-5)],
    "two_layer_loss": [Probe(NETWORK + """
loss, grads = two_layer_loss(params, X, y)
big = dict(params, W2=params["W2"] * 1e4)
loss_big, grads_big = two_layer_loss(big, X, y)
zeros = dict(params, b1=np.zeros(3))
X_zero = X.copy()
X_zero[1] = 0.0
_, grads_zero = two_layer_loss(zeros, X_zero, y)
keys = ("W1", "b1", "W2", "b2")
result = (float(loss), {k: np.asarray(grads[k], dtype=float) for k in keys}, float(loss_big),
          [params[k] for k in keys], X, {k: np.asarray(grads_big[k], dtype=float) for k in keys},
          {k: np.asarray(grads_zero[k], dtype=float) for k in keys})
""", rtol=1e-6, atol=1e-9),
        Probe(NETWORK + """
loss32, grads32 = two_layer_loss({k: v.astype(np.float32) for k, v in params.items()}, X.astype(np.float32), y)
result = (float(loss32), {k: grads32[k] for k in ("W1", "b1", "W2", "b2")})
""", rtol=1e-4, atol=1e-6)],
    "eps_investigation": [Probe(EPS_PUBLIC, rtol=1e-6, atol=1e-3)],
    "train_two_layer": [Probe(SETUP + """
rng = np.random.default_rng(5)
X, y = rng.normal(size=(6, 4)), np.array([0, 1, 2, 0, 1, 2])
params = init_two_layer(4, 5, 3, rng=2)
arrays = dict(params)
losses = train_two_layer(params, X, y, lr=0.5, steps=3)
result = ([float(v) for v in losses], [params[k] for k in ("W1", "b1", "W2", "b2")],
          all(params[k] is arrays[k] for k in arrays), X)
""", rtol=1e-6, atol=1e-9),
        Probe(SETUP + """
digits_X, digits_y = nl.data.digits(rng=0)
X_train, y_train, X_val, y_val = nl.data.train_val_split(digits_X, digits_y, 0.2, rng=0)
net = init_two_layer(64, 32, 10, rng=0)
train_two_layer(net, X_train, y_train, lr=1.0, steps=100)
result = bool(nl.accuracy(as_nnlearn(net)(X_val), y_val) > 0.94)
""")],
}

HIDDEN = {
    "predict_grad_v": [prediction("predict_grad_v()", 1)],
    "predict_dead_neuron_zeros": [prediction("predict_dead_neuron_zeros()", 0)],
    "predict_fd_growth": [prediction("predict_fd_growth()", 0)],
    "predict_backprop_passes": [prediction("predict_backprop_passes()", 0)],
    "numerical_gradient": [
        Probe(SETUP + """
rng = np.random.default_rng(33)
w = rng.normal(size=(3, 2, 2))
before = w.copy()
g = numerical_gradient(lambda v: float(np.sum(np.sin(v) * v)), w)
result = (np.asarray(g), w.tobytes() == before.tobytes())
""", rtol=1e-7, atol=1e-9, label="a 3-D w, sum(sin(w) w), default eps; w unchanged bit for bit"),
        Probe(SETUP + """
model = nl.Sequential(nl.Linear(3, 2, rng=4), nl.Tanh(), nl.Linear(2, 1, rng=5))
rng = np.random.default_rng(34)
x, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 1))
loss_fn = nl.MSELoss()
W = model[0].weight.data
start = W.copy()
def loss_of(v):
    W[...] = v
    return loss_fn(model(x), y)
g = numerical_gradient(loss_of, start.copy(), eps=1e-6)
result = np.asarray(g)
""", rtol=1e-6, atol=1e-9, label="a network's loss, W (3, 2)"),
        Probe(SETUP + """
g = numerical_gradient(lambda v: float(v[0] ** 3), np.array([2.0]), eps=1e-2)
g32 = numerical_gradient(lambda v: float(np.sum(v.astype(np.float64) ** 2)), np.array([1.5, -0.5], dtype=np.float32), eps=1e-2)
result = (np.asarray(g), np.asarray(g32).dtype.name, np.asarray(g32, dtype=float))
""", rtol=1e-6, atol=1e-6, label="eps used, central; float32 w gives a float64 gradient"),
        Probe(SETUP + """
w = np.random.default_rng(35).normal(size=(20, 15))
before = w.copy()
numerical_gradient(lambda v: float(np.sum(v ** 2)), w, eps=1e-2)
result = w.tobytes() == before.tobytes()
""", label="eps 1e-2 on 300 entries: each entry restored to its saved value, bit for bit (not w - eps + eps)"),
    ],
    "two_layer_loss": [
        Probe(SETUP + """
digits_X, digits_y = nl.data.digits(rng=1)
X, y = digits_X[:37], digits_y[:37]
params = init_two_layer(64, 16, 10, rng=7)
params["b1"] = np.linspace(-0.3, 0.3, 16)
params["b2"] = np.linspace(0.2, -0.2, 10)
loss, grads = two_layer_loss(params, X, y)
result = (float(loss), {k: np.asarray(grads[k], dtype=float) for k in ("W1", "b1", "W2", "b2")})
""", rtol=1e-6, atol=1e-10, label="37 digits, H=16, C=10"),
        Probe(SETUP + """
params = {"W1": np.array([[1.0, -1.0, 0.5]]), "b1": np.array([0.0, 0.0, -1.0]),
          "W2": np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, 0.3]]), "b2": np.array([0.1, -0.1])}
X, y = np.array([[0.0], [2.0], [-1.0], [0.0]]), np.array([1, 0, 1, 0])
loss, grads = two_layer_loss(params, X, y)
result = (float(loss), {k: np.asarray(grads[k], dtype=float) for k in ("W1", "b1", "W2", "b2")})
""", rtol=1e-9, atol=1e-12, label="ReLU inputs exactly 0 (relu'(0) = 0), D=1"),
        Probe(SETUP + """
rng = np.random.default_rng(8)
params = init_two_layer(3, 4, 2, rng=3)
X, y = rng.normal(size=(1, 3)), np.array([1])
loss, grads = two_layer_loss(params, X, y)
big = dict(params, W2=params["W2"] * 3e4, b2=np.array([-2e4, 2e4]))
loss_big, grads_big = two_layer_loss(big, X, np.array([0]))
result = (float(loss), {k: np.asarray(grads[k], dtype=float) for k in params}, float(loss_big),
          {k: np.asarray(grads_big[k], dtype=float) for k in params})
""", rtol=1e-6, atol=1e-9, label="a batch of 1, logits of about 1e4 against the true class"),
        Probe(SETUP + """
rng = np.random.default_rng(9)
params = {k: v.astype(np.float32) for k, v in init_two_layer(5, 6, 4, rng=4).items()}
X, y = rng.normal(size=(8, 5)).astype(np.float32), rng.integers(0, 4, size=8)
before = {k: v.copy() for k, v in params.items()}
loss, grads = two_layer_loss(params, X, y)
result = (float(loss), {k: np.asarray(grads[k]) for k in params}, [bool(np.array_equal(params[k], before[k])) for k in params])
""", rtol=1e-4, atol=1e-6, label="float32 stays float32; params unchanged"),
    ],
    "train_two_layer": [
        Probe(SETUP + """
rng = np.random.default_rng(12)
X, y = rng.normal(size=(9, 3)), rng.integers(0, 4, size=9)
params = init_two_layer(3, 7, 4, rng=6)
X_before = X.copy()
losses = train_two_layer(params, X, y, lr=0.3, steps=5)
result = ([float(v) for v in losses], [params[k] for k in ("W1", "b1", "W2", "b2")], bool(np.array_equal(X, X_before)))
""", rtol=1e-6, atol=1e-9, label="5 steps, another problem"),
        Probe(SETUP + """
params = init_two_layer(3, 2, 2, rng=1)
before = {k: v.copy() for k, v in params.items()}
losses = train_two_layer(params, np.ones((4, 3)), np.array([0, 1, 0, 1]), lr=0.1, steps=0)
result = (list(losses), [bool(np.array_equal(params[k], before[k])) for k in params])
""", label="0 steps: no losses, nothing changes"),
        Probe(SETUP + """
digits_X, digits_y = nl.data.digits(rng=3)
X_train, y_train, X_val, y_val = nl.data.train_val_split(digits_X, digits_y, 0.25, rng=3)
net = init_two_layer(64, 24, 10, rng=11)
arrays = dict(net)
losses = train_two_layer(net, X_train, y_train, lr=0.8, steps=60)
result = (bool(nl.accuracy(as_nnlearn(net)(X_val), y_val) > 0.9), all(net[k] is arrays[k] for k in net),
          float(losses[0]), float(losses[-1]))
""", rtol=1e-6, atol=1e-9, label="digits, another split and size"),
    ],
    "eps_investigation": [
        Probe(SETUP + """
found = eps_investigation()
result = [float(found["float64"][0]), float(found["float32"][0])]
""", atol=0.0, spread=SPREAD_OF_K, label="the best eps = 10^-k in float64 and float32"),
        Probe(SETUP + """
found = eps_investigation()
result = [float(np.log10(found["float64"][1])), float(np.log10(found["float32"][1]))]
""", atol=0.0, spread=SPREAD_OF_ERROR, label="log10 of the smallest median error in float64 and float32"),
        Probe(SETUP + """
result = [float(np.log10(e)) for e in eps_errors(7, "float64")[:3]]
""", atol=0.01, label="another seed, float64, eps = 10^-1 to 10^-3"),
    ],
}
