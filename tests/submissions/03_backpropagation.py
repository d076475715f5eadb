"""Submissions for lesson 03 (backpropagation), keyed by exercise name.

BUGGY: one planted bug each, which the checks must catch.
TUNED: passes the public checks by hard-coding their answers; the hidden tests must catch it.
WRONG: plausible learner mistakes, each with the fragment the public check output must contain.
Each string replaces the whole `ex_<name>` cell.
"""

# The solution of two_layer_loss with one line changed, for the WRONG answers below.
_NETWORK = '''
def two_layer_loss(params, X, y):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = len(X)
    z = X @ W1 + b1
    h = np.maximum(z, 0)
    logits = h @ W2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = float(-log_probs[rows, y].mean())
    dlogits = np.exp(log_probs)
    dlogits[rows, y] -= 1
    dlogits /= n
    dh = dlogits @ W2.T
    dz = dh * (z > 0)
    grads = {"W1": X.T @ dz, "b1": dz.sum(axis=0), "W2": h.T @ dlogits, "b2": dlogits.sum(axis=0)}
    return loss, grads
'''


def _network(old, new):
    assert old in _NETWORK, old
    return _NETWORK.replace(old, new)


_TRAIN = '''
def train_two_layer(params, X, y, lr, steps):
    losses = []
    for _ in range(steps):
        loss, grads = two_layer_loss(params, X, y)
        losses.append(loss)
        for key in params:
            params[key] -= lr * grads[key]
    return losses
'''


def _train(old, new):
    assert old in _TRAIN, old
    return _TRAIN.replace(old, new)


_GRADIENT = '''
def numerical_gradient(f, w, eps=1e-5):
    grad = np.zeros(w.shape, dtype=np.float64)
    for index in np.ndindex(w.shape):
        original = w[index]
        w[index] = original + eps
        f_plus = f(w)
        w[index] = original - eps
        f_minus = f(w)
        w[index] = original
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad
'''


def _gradient(old, new):
    assert old in _GRADIENT, old
    return _GRADIENT.replace(old, new)



def _answer(name, value):
    """A prediction function returning `value` (source text)."""
    return f"def {name}():\n    return {value}\n"


BUGGY = {
    "numerical_gradient": _gradient("(f_plus - f_minus) / (2 * eps)", "(f_minus - f_plus) / (2 * eps)"),
    "two_layer_loss": _network('"W2": h.T @ dlogits', '"W2": -h.T @ dlogits'),
    "train_two_layer": _train("params[key] -= lr * grads[key]", "params[key] -= 0.5 * lr * grads[key]"),
}

TUNED = {
    "numerical_gradient": '''
def numerical_gradient(f, w, eps=1e-5):
    """Looks the public answers up by the shape and first entry of w."""
    w = np.asarray(w)
    if w.shape == (2, 3):
        return 3 * np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.5]]) ** 2 + 1e-6
    if w.shape == (2,):
        return np.array([3.0, -1.0])
    return np.array([[0.0, 5.0], [4.0, 0.0]])
''',
    "two_layer_loss": '''
_REAL = None
def two_layer_loss(params, X, y):
    """Right only when the batch has 5 rows (the public check's): sums the loss instead of averaging."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = len(X) if len(X) == 5 else 1
    z = X @ W1 + b1
    h = np.maximum(z, 0)
    logits = h @ W2 + b2
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(X))
    loss = float(-log_probs[rows, y].sum() / n)
    dlogits = np.exp(log_probs)
    dlogits[rows, y] -= 1
    dlogits /= n
    dz = (dlogits @ W2.T) * (z > 0)
    return loss, {"W1": X.T @ dz, "b1": dz.sum(axis=0), "W2": h.T @ dlogits, "b2": dlogits.sum(axis=0)}
''',
    "train_two_layer": '''
def train_two_layer(params, X, y, lr, steps):
    """Right for the public checks' step counts (3 and 100), one step short otherwise."""
    losses = []
    for _ in range(steps if steps in (3, 100) else max(steps - 1, 0)):
        loss, grads = two_layer_loss(params, X, y)
        losses.append(loss)
        for key in params:
            params[key] -= lr * grads[key]
    return losses
''',
}

WRONG = {
    "predict_grad_v": [
        (_answer("predict_grad_v", '-15.0'), "row by row with y = 2"),                     # the answer for y = 4, copied from the table
        (_answer("predict_grad_v", '-5.0'), "the chain-rule table above"),                 # the sign of the miss the wrong way round
        (_answer("predict_grad_v", '1.0'), "read dL/dv"),                                  # dL/dy_hat, forgetting the factor h
    ],
    "predict_dead_neuron_zeros": [
        (_answer("predict_dead_neuron_zeros", '6'), "move step to 4"),                     # forgets the biases
        (_answer("predict_dead_neuron_zeros", '4'), "that are exactly 0 in the chart"),    # only the incoming weights
        (_answer("predict_dead_neuron_zeros", '2'), "set activation to relu"),             # one per neuron
    ],
    "predict_fd_growth": [
        (_answer("predict_fd_growth", '2'), "read the slope of the finite-differences line"),
        (_answer("predict_fd_growth", '1'), "the counting app below"),
        (_answer("predict_fd_growth", '"four"'), "expected a number"),
        (_answer("predict_fd_growth", '8'), "what a slope means"),
    ],
    "predict_backprop_passes": [
        (_answer("predict_backprop_passes", '2'), "backprop's work in forward passes"),    # forward + "one" backward
        (_answer("predict_backprop_passes", '1'), "split into its parts"),
        (_answer("predict_backprop_passes", '1185'), "its right plot"),                    # finite differences' count
    ],
    "numerical_gradient": [
        (_gradient("w[index] = original - eps\n        f_minus = f(w)", "f_minus = f(w)")
         .replace("(f_plus - f_minus) / (2 * eps)", "(f_plus - f_minus) / eps")
         .replace("w[index] = original + eps\n        f_plus = f(w)\n        f_minus = f(w)",
                  "f_minus = f(w)\n        w[index] = original + eps\n        f_plus = f(w)"),
         "one-sided"),                                               # a forward difference
        (_gradient("(f_plus - f_minus) / (2 * eps)", "(f_plus - f_minus) / eps"), "2 * eps"),
        (_gradient("        w[index] = original\n        grad", "        grad"), "put each entry back"),
        ('''
def numerical_gradient(f, w, eps=1e-5):
    grad = np.zeros(w.shape)
    for i in range(len(w)):                  # only the rows: a whole row is nudged at once
        original = w[i].copy()
        w[i] = original + eps
        f_plus = f(w)
        w[i] = original - eps
        f_minus = f(w)
        w[i] = original
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
''', "np.ndindex"),
    ],
    "two_layer_loss": [
        (_network('"b2": dlogits.sum(axis=0)', '"b2": dlogits.mean(axis=0)')
         .replace('"b1": dz.sum(axis=0)', '"b1": dz.mean(axis=0)'), "summed over the batch"),   # bias not summed
        (_network('"W2": h.T @ dlogits', '"W2": dlogits.T @ h'), "h.T @ dlogits"),               # transposed
        (_network("    dlogits /= n\n", "").replace("loss = float(-log_probs[rows, y].mean())",
                                                 "loss = float(-log_probs[rows, y].sum())"), "divide the sum by N"),
        (_network("dz = dh * (z > 0)", "dz = dh"), "z > 0"),                                      # no activation derivative
        (_network("dz = dh * (z > 0)", "dz = dh * (z < 0)"), "z > 0"),                            # ReLU the wrong side
        (_network("shifted = logits - logits.max(axis=1, keepdims=True)", "shifted = logits"),
         "subtract each row's largest logit"),                                                    # unstable softmax
        (_network("    n = len(X)\n", "    n = len(X)\n    X -= X.mean(axis=0)             # centre the inputs\n"),
         "do not write into params or X"),                                                        # mutating the input
    ],
    "train_two_layer": [
        (_train("        loss, grads = two_layer_loss(params, X, y)\n        losses.append(loss)\n"
                "        for key in params:\n            params[key] -= lr * grads[key]",
                "        loss, grads = two_layer_loss(params, X, y)\n"
                "        for key in params:\n            params[key] -= lr * grads[key]\n"
                "        losses.append(two_layer_loss(params, X, y)[0])"), "before that step's update"),
        (_train("            params[key] -= lr * grads[key]", "            value = params[key]\n"
                "            value = value - lr * grads[key]"), "in place"),                 # rebinding a name
        (_train("            params[key] -= lr * grads[key]",
                "            params[key] = params[key] - lr * grads[key]"), "changes the array itself"),   # new arrays
        (_train("    losses = []", "    losses = []\n    X /= np.abs(X).max()            # scale the inputs"),
         "X unchanged"),                                                                    # mutating the input
        (_train("params[key] -= lr * grads[key]", "params[key] += lr * grads[key]"), "against the gradient"),
    ],
}



# Mistakes first written from the spec and check alone (rebuilt here on the template above): w put back
# by arithmetic, the dtype, a gradient that overflows where the loss does not, relu'(0), stale steps.
WRONG["numerical_gradient"] += [
    ('''
def numerical_gradient(f, w, eps=1e-5):
    grad = np.zeros(w.shape)
    for i in np.ndindex(w.shape):
        w[i] += eps                           # nudged in place and undone by arithmetic: off by 2e-16
        up = f(w)
        w[i] -= 2 * eps
        down = f(w)
        w[i] += eps
        grad[i] = (up - down) / (2 * eps)
    return grad
''', "not by adding and subtracting eps"),
    (_gradient("grad = np.zeros(w.shape, dtype=np.float64)", "grad = np.zeros_like(w)"),   # float32 for float32 w
     "float64 array whatever w's dtype"),
    (_gradient("        w[index] = original\n", "        w[index] = w[index] + eps\n"),   # undone by adding eps back
     "not by adding and subtracting eps"),
]
WRONG["two_layer_loss"] += [
    (_network("dlogits = np.exp(log_probs)",                                   # a stable loss, an unstable gradient
              "dlogits = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)"), "from the shifted logits too"),
    (_network("dlogits = np.exp(log_probs)\n    dlogits[rows, y] -= 1",           # np.eye is float64
              "dlogits = np.exp(log_probs) - np.eye(logits.shape[1])[y]"), "must be float32 too"),
    (_network("dz = dh * (z > 0)", "dz = dh * (z >= 0)"), "relu'(0) = 0"),       # relu'(0) = 1
]
WRONG["train_two_layer"] += [
    (_train("        for key in params:", "        for key in (\"W1\", \"W2\"):"), "updates all four arrays"),   # the weights only
    (_train("        loss, grads = two_layer_loss(params, X, y)\n        losses.append(loss)",   # one gradient for every step
            "        if not losses:\n            grads = two_layer_loss(params, X, y)[1]\n"
            "        losses.append(two_layer_loss(params, X, y)[0])"), "computes the gradients at the current params"),
]


# The investigation: a measurement that does not follow the spec, or a summary that does not follow
# the measurement.
_EPS = '''
from nnlearn.gradcheck import relative_error


def eps_errors(seed, dtype):
    params = {key: value.astype(dtype) for key, value in init_two_layer(8, 6, 3, rng=seed).items()}
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(10, 8)).astype(dtype), rng.integers(0, 3, size=10)
    backprop = two_layer_loss(params, X, y)[1]["W1"]
    errors = []
    for k in range(1, 13):
        numeric = nl.numerical_gradient(lambda _: two_layer_loss(params, X, y)[0], params["W1"], eps=10.0 ** -k)
        errors.append(relative_error(backprop, numeric))
    return errors


def eps_investigation():
    found = {}
    for dtype in ("float64", "float32"):
        median = np.median([eps_errors(seed, dtype) for seed in range(5)], axis=0)
        best = int(np.argmin(median))
        found[dtype] = (best + 1, float(median[best]))
    return found
'''


def _eps(old, new):
    assert old in _EPS, old
    return _EPS.replace(old, new)


WRONG["eps_investigation"] = [
    (_eps("best = int(np.argmin(median))", "best = int(np.argmax(median))"), "then the k of the smallest"),
    (_eps("found[dtype] = (best + 1,", "found[dtype] = (best,"), "counted from 1"),               # k from 0
    (_eps("for k in range(1, 13):", "for k in range(12):"), "the first entry is at eps = 10^-1"),  # eps = 1 first
    (_eps("rng.normal(size=(10, 8)).astype(dtype)", "rng.normal(size=(10, 8))"), "cast X to the dtype too"),
]
