"""Submissions for lesson 04 (gradient descent), keyed by exercise name.

BUGGY: one planted bug each, which the checks must catch.
TUNED: passes the public checks by hard-coding their answers; the hidden tests must catch it.
WRONG: plausible learner mistakes, each with the fragment the public check output must contain.
Each string replaces the whole `ex_<name>` cell.
"""

_WALK = '''
def run_gradient_descent(grad_fn, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(steps):
        w = w - lr * grad_fn(w)
        path.append(w.copy())
    return np.array(path)
'''

_RATES = '''
def quadratic_rates(curvatures):
    c = np.asarray(curvatures, dtype=float)
    low, high = float(c.min()), float(c.max())
    return {"zigzag_above": 1.0 / high, "diverges_above": 2.0 / high,
            "best": 2.0 / (low + high), "best_factor": (high - low) / (high + low)}
'''

_SEARCH = '''
def largest_converging_lr(loss_fn, grad_fn, w0, steps, low, high, tol=1e-3, iterations=40):
    start_loss = loss_fn(np.asarray(w0, dtype=float))

    def converges(lr):
        with np.errstate(over="ignore", invalid="ignore"):
            end = run_gradient_descent(grad_fn, w0, lr, steps)[-1]
            return bool(loss_fn(end) <= tol * start_loss)

    for _ in range(iterations):
        mid = (low + high) / 2
        if converges(mid):
            low = mid
        else:
            high = mid
    return float(low)
'''


def _edit(source, old, new):
    assert old in source, old
    return source.replace(old, new)



def _answer(name, value):
    """A prediction function returning `value` (source text)."""
    return f"def {name}():\n    return {value}\n"


BUGGY = {
    "run_gradient_descent": _edit(_WALK, "w = w - lr * grad_fn(w)", "w = w - 0.5 * lr * grad_fn(w)"),
    "quadratic_rates": _edit(_RATES, '"best": 2.0 / (low + high)', '"best": 1.0 / (low + high)'),
    "largest_converging_lr": _edit(_SEARCH, "mid = (low + high) / 2", "mid = (2 * low + high) / 3"),
}

TUNED = {
    "run_gradient_descent": '''
def run_gradient_descent(grad_fn, w0, lr, steps):
    """Geometric paths only: right when grad_fn is linear (the public checks), wrong otherwise."""
    w0 = np.array(w0, dtype=float)
    slope = grad_fn(np.ones_like(w0))                 # the curvatures, if grad_fn(w) = c * w
    return w0 * (1 - lr * slope) ** np.arange(steps + 1).reshape((-1,) + (1,) * w0.ndim)
''',
    "quadratic_rates": '''
def quadratic_rates(curvatures):
    """Uses the first and last curvature as the smallest and largest (true for the public checks)."""
    first, last = float(curvatures[0]), float(curvatures[-1])
    low, high = min(first, last), max(first, last)
    high = max(high, 3.0) if len(curvatures) == 3 else high
    return {"zigzag_above": 1.0 / high, "diverges_above": 2.0 / high,
            "best": 2.0 / (low + high), "best_factor": (high - low) / (high + low)}
''',
    "largest_converging_lr": '''
def largest_converging_lr(loss_fn, grad_fn, w0, steps, low, high, tol=1e-3, iterations=40):
    """Answers the public checks from the parabola formula; returns the midpoint otherwise."""
    if high in (2.0, 100.0):
        threshold = (1 + tol ** (1 / (2 * steps))) / 2.0
        step = (high - low) / 2 ** iterations
        return float(low + np.floor((threshold - low) / step) * step)
    if high == 1.0 and steps == 100:
        return 0.5129842313616791 if low == 0.1 else 0.49166080461900497
    return (low + high) / 2
''',
}

WRONG = {
    "predict_parabola_zigzag": [
        (_answer("predict_parabola_zigzag", '1.0'), "raise learning_rate from small"),        # the divergence threshold instead
        (_answer("predict_parabola_zigzag", '2.0'), "on the other side of the minimum"),        # c itself
        (_answer("predict_parabola_zigzag", '0.25'), "the parabola app below at curvature 2"),   # 1/(2c)
    ],
    "predict_parabola_diverges": [
        (_answer("predict_parabola_diverges", '0.5'), "no longer says converging"),
        (_answer("predict_parabola_diverges", '2.0'), "grows step after step"),
        (_answer("predict_parabola_diverges", '4.0'), "the parabola app below"),
    ],
    "predict_ravine_zigzag": [
        (_answer("predict_ravine_zigzag", '"yes"'), "surface ravine, learning_rate 0.1"),          # the lesson's old, wrong sentence
        (_answer("predict_ravine_zigzag", 'True'), "expected one of 'yes', 'no'"),
        (_answer("predict_ravine_zigzag", '"only along the floor"'), "expected one of"),
    ],
    "run_gradient_descent": [
        (_edit(_WALK, "    path = [w.copy()]\n", "    path = []\n"), "steps + 1 rows"),              # forgets w0
        (_edit(_WALK, "path.append(w.copy())", "path.append(w)").replace("w = w - lr * grad_fn(w)",
                                                                          "w -= lr * grad_fn(w)"),
         "as a copy"),                                                                             # one array, 5 times
        (_edit(_WALK, "    w = np.array(w0, dtype=float)\n", "    w = w0\n").replace(
            "w = w - lr * grad_fn(w)", "w -= lr * grad_fn(w)"), "never write into w0"),             # mutates w0
        (_edit(_WALK, "w = w - lr * grad_fn(w)", "w = w + lr * grad_fn(w)"), "not w + lr * grad"),  # uphill
    ],
    "quadratic_rates": [
        (_edit(_RATES, '"zigzag_above": 1.0 / high, "diverges_above": 2.0 / high',
               '"zigzag_above": 1.0 / low, "diverges_above": 2.0 / low'), "largest c"),               # flattest decides
        (_edit(_RATES, '"diverges_above": 2.0 / high', '"diverges_above": 1.0 / high'), "lr > 2/c"),  # 1/c
        (_edit(_RATES, '"best": 2.0 / (low + high), "best_factor": (high - low) / (high + low)',
               '"best": 1.0 / high, "best_factor": 1 - low / high'), "make 1 - lr c_min equal"),     # 1/c_max
        (_edit(_RATES, '"best": 2.0 / (low + high)', '"best": 2.0 / high'), "make 1 - lr c_min equal"),   # on the edge
        (_edit(_RATES, '"best_factor": (high - low) / (high + low)', '"best_factor": 1 - 2.0 * low / (low + high) - 1'),
         "(c_max - c_min) / (c_max + c_min)"),
    ],
    "largest_converging_lr": [
        (_edit(_SEARCH, "    return float(low)", "    return float(high)"), "known to converge"),     # returns high
        (_edit(_SEARCH, "loss_fn(end) <= tol * start_loss", "loss_fn(end) <= tol"), "relative to the first loss"),
        (_edit(_SEARCH, "            low = mid\n        else:\n            high = mid",
               "            high = mid\n        else:\n            low = mid"), "low = mid"),             # flipped
        (_edit(_SEARCH, "run_gradient_descent(grad_fn, w0, lr, steps)", "run_gradient_descent(grad_fn, w0, lr, steps - 1)"),
         "exactly `steps` steps"),                                                                  # off by one
    ],
}

WRONG["run_gradient_descent"] += [
    ('''
def run_gradient_descent(grad_fn, w0, lr, steps):
    w0 = np.asarray(w0)
    path = np.zeros((steps + 1,) + w0.shape, dtype=w0.dtype)          # an integer w0 gives an integer path
    path[0] = w0
    for k in range(steps):
        path[k + 1] = path[k] - lr * grad_fn(path[k])
    return path
''', "an integer array rounds every step"),
    (_edit(_WALK, "    return np.array(path)", "    return path"), "is a float array"),        # a list of arrays
    (_edit(_WALK, "    w = np.array(w0, dtype=float)", "    w = w0.astype(float)"),
     "'list' object has no attribute 'astype'"),                                                # arrays only
    (_edit(_WALK, "    w = np.array(w0, dtype=float)", "    w = np.array(w0)"),        # float only after a step
     "the path is float even when no step is taken"),
]

_SEARCH_ENDS = "            return bool(loss_fn(end) <= tol * start_loss)"
_SEARCH_WALK = "            end = run_gradient_descent(grad_fn, w0, lr, steps)[-1]\n"
WRONG["largest_converging_lr"] += [
    (_edit(_SEARCH, _SEARCH_ENDS, "            return not loss_fn(end) > tol * start_loss"),          # nan converges
     "a walk that overflows does not converge"),
    (_edit(_SEARCH, _SEARCH_WALK + _SEARCH_ENDS,                                                       # any step low
           "            path = run_gradient_descent(grad_fn, w0, lr, steps)\n"
           "            return any(loss_fn(w) <= tol * start_loss for w in path)"), "not the lowest along the way"),
    (_edit(_SEARCH, _SEARCH_WALK + _SEARCH_ENDS,                                                       # every step down
           "            losses = [loss_fn(w) for w in run_gradient_descent(grad_fn, w0, lr, steps)]\n"
           "            return losses[-1] <= tol * start_loss and all(b <= a for a, b in zip(losses, losses[1:]))"),
     "not whether every step went down"),
    (_edit(_SEARCH, _SEARCH_ENDS, "            return bool(loss_fn(end) <= 1e-3 * start_loss)"),           # tol fixed at 1e-3
     "use the tol given"),
]

# The investigation: a measurement that does not follow the spec, or a summary that does not follow it.
_STEPS = '''
RATES = (0.1, 0.25, 0.45, 2 / 4.1, 0.495)


def ravine_steps(lr, seed):
    ravine = nl.landscapes.get("ravine")
    w = np.random.default_rng(seed).uniform(-3, 3, size=2)
    target = 1e-6 * float(ravine(w[0], w[1]))
    with np.errstate(over="ignore", invalid="ignore"):
        for steps in range(3001):
            if float(ravine(w[0], w[1])) <= target:
                return steps
            w = w - lr * np.array(ravine.gradient(w[0], w[1]))
    return None


def rate_investigation():
    return [float(np.median([ravine_steps(lr, seed) for seed in range(5)])) for lr in RATES]
'''


def _steps(old, new):
    assert old in _STEPS, old
    return _STEPS.replace(old, new)


WRONG["rate_investigation"] = [
    (_steps("float(np.median(", "float(np.mean("), "the MEDIAN (np.median)"),                            # mean
    (_steps("                return steps\n", "                return steps + 1\n"), "stop at the first w"),  # off by one
    (_steps("target = 1e-6 * float(ravine(w[0], w[1]))", "target = 1e-6"), "1e-6 times the loss at the start"),
    (_steps(".uniform(-3, 3, size=2)", ".normal(size=2) * 3"), "uniform(-3, 3, size=2)"),            # another start
    (_steps("    return None\n", "    return 3000\n"), "return None when 3000 steps"),               # never: 3000
]
