"""Submissions for lesson 00 (the learning loop), keyed by exercise name.

BUGGY: one planted bug each, which the checks must catch.
TUNED: passes the public checks by hard-coding their answers; the hidden tests must catch it.
WRONG: plausible learner mistakes, each with a fragment the public check's output must contain.
Each string replaces the whole `ex_<name>` cell.
"""

FIT_LOOP = '''
def my_fit(model, loss_fn, optimizer, X, y, epochs, batch_size, rng):
    size = len(X) if batch_size is None else batch_size
    step_losses, epoch_losses = [], []
    for _ in range(epochs):
        total = 0.0
{batches}
            {body}
        epoch_losses.append({epoch})
    return step_losses, epoch_losses
'''
MINIBATCHES = "        for X_batch, y_batch in nl.data.minibatches(X, y, size, rng=rng):"
STEP = """loss = loss_fn(model(X_batch), y_batch)
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()
            step_losses.append(float(loss))
            total += float(loss) * len(X_batch)"""


def fit_variant(batches=MINIBATCHES, body=STEP, epoch="total / len(X)"):
    return FIT_LOOP.format(batches=batches, body=body, epoch=epoch)


BUGGY = {
    "sgd_update": '''
def sgd_update(parameters, lr):
    """Plain gradient descent: a planted wrong sign (steps uphill)."""
    for p in parameters:
        p.data += lr * p.grad
''',
    "fit": fit_variant(body=STEP.replace("            optimizer.zero_grad()\n", "")),
    "predict_best_sgd_rate": "def predict_best_sgd_rate():\n    return 1.0",
    "predict_circles_accuracy": 'def predict_circles_accuracy():\n    return "a"',
}

TUNED = {
    "sgd_update": '''
def sgd_update(parameters, lr):
    """Writes the public check's answers into the arrays instead of computing them."""
    answers = {(3, 2): [[0.95, 2.1], [2.8, -1.0], [0.3, 0.4]], (3,): [-0.2, 1.2, 1.95],
               (2, 3): [[1.0, 0.5, 0.0], [-0.5, -1.0, -1.5]]}
    for p in parameters:
        if p.data.shape in answers:
            p.data[...] = answers[p.data.shape]
''',
    "fit": '''
def my_fit(model, loss_fn, optimizer, X, y, epochs, batch_size, rng):
    """The loop with the public checks' epochs and seed for each batch size, whatever is asked
    (nl.fit refuses while graded)."""
    seed = {(16, 3): 1, (None, 2): 2, (20, 2): 3, (16, 1): 11}.get((batch_size, epochs), 1)
    size = len(X) if batch_size is None else batch_size
    rng, step_losses, epoch_losses = np.random.default_rng(seed), [], []
    for _ in range(epochs):
        total = 0.0
        for X_batch, y_batch in nl.data.minibatches(X, y, size, rng=rng):
            loss = loss_fn(model(X_batch), y_batch)
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()
            step_losses.append(float(loss))
            total += float(loss) * len(X_batch)
        epoch_losses.append(total / len(X))
    return step_losses, epoch_losses
''',
}

WRONG = {
    "sgd_update": [
        ('''
def sgd_update(parameters, lr):
    for p in parameters:
        p.data = p.data - lr * p.grad          # rebinding: a new array the model never sees
''', "p.data -= lr * p.grad"),
        ('''
def sgd_update(parameters, lr):
    for p in parameters:
        p.data -= lr * p.grad
        p.grad[...] = 0                        # clears the gradient too
''', "do not change or clear p.grad"),
        ('''
def sgd_update(parameters, lr):
    parameters[0].data -= lr * parameters[0].grad     # only the first parameter
''', "every parameter in the list"),
        ('''
def sgd_update(parameters, lr):
    for p in parameters:
        p.data -= lr * p.grad.sum()            # one number for the whole array
''', "every entry"),
    ],
    "fit": [
        (fit_variant(body=STEP.replace("            optimizer.zero_grad()\n", "")), "optimizer.zero_grad()"),
        (fit_variant(epoch="float(np.mean(step_losses[-(-len(X) // size):]))"), "a plain mean of the 4 batch losses"),
        (fit_variant(batches="        for X_batch, y_batch in nl.data.minibatches(X, y, size, shuffle=False):"),
         "SHUFFLED batch"),
        (fit_variant(batches="        for X_batch, y_batch in nl.data.minibatches(X, y, size, rng=1):"),
         "NEW order every epoch"),
        (fit_variant(batches="        for X_batch, y_batch in list(nl.data.minibatches(X, y, size, rng=rng))[:len(X) // size]:"),
         "keep the last, smaller batch"),
        (fit_variant(body="""prediction = model(X_batch)
            loss = loss_fn(prediction, y_batch)
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            optimizer.step()
            loss = loss_fn(model(X_batch), y_batch)
            step_losses.append(float(loss))
            total += float(loss) * len(X_batch)"""), "BEFORE the update"),
        (fit_variant(body=STEP.replace("step_losses.append(float(loss))", "step_losses.append(loss)")
                     .replace("total += float(loss)", "total += loss").replace("model(X_batch), y_batch)",
                                                                              "model(X_batch), y_batch) * np.float64(1)")),
         "convert with float(loss)"),
    ],
    "predict_best_sgd_rate": [("def predict_best_sgd_rate():\n    return 10.0", "read the loss on all the data"),
                              ("def predict_best_sgd_rate():\n    return 0.1", "read the loss on all the data")],
    "predict_circles_accuracy": [('def predict_circles_accuracy():\n    return "a"', "after 50 updates"),
                                 ('def predict_circles_accuracy():\n    return "b"', "press train 50 more"),
                                 ('def predict_circles_accuracy():\n    return "above 90 %"', "expected one of")],
}



# Mistakes written from the exercise's spec and check alone, before reading the solution: the edge
# cases the spec names (batch_size=None, a batch size that divides N), the shuffle, the epoch mean.
_OWN_LOOP = '''
def my_fit(model, loss_fn, optimizer, X, y, epochs, batch_size, rng):
    steps, epoch_losses = [], []
    size = len(X) if batch_size is None else batch_size
    for _ in range(epochs):
        order = rng.permutation(len(X))
        total = 0.0
        for start in range(0, len(X), size):
            idx = order[start:start + size]
            loss = loss_fn(model(X[idx]), y[idx])
            optimizer.zero_grad(); model.backward(loss_fn.backward()); optimizer.step()
            steps.append(float(loss)); total += float(loss) * len(idx)
        epoch_losses.append(total / len(X))
    return steps, epoch_losses
'''


def own_loop(*changes):
    code = _OWN_LOOP
    for old, new in changes:
        assert old in code, old
        code = code.replace(old, new)
    return code


WRONG["sgd_update"].append(('''
def sgd_update(parameters, lr):
    for p in parameters:
        p.data += lr * p.grad                  # uphill
''', "a step AGAINST the gradient"))
WRONG["fit"] += [
    (own_loop(("size = len(X) if batch_size is None else batch_size", "size = batch_size")),   # range(0, N, None)
     "batch_size=None means one batch of all the examples"),
    (own_loop(("for start in range(0, len(X), size):\n            idx = order[start:start + size]",   # N // size + 1
               "for k in range(len(X) // size + 1):\n            idx = order[k * size:(k + 1) * size]")),
     "a batch of 0 rows"),
    (own_loop(("range(0, len(X), size)", "range(0, len(X) - size + 1, size)")), "keep the last, smaller batch"),
    (own_loop(("size = len(X) if batch_size is None else batch_size", "size = batch_size or 32")),
     "batch_size=None is one batch of all 60 examples"),
    (own_loop(("y[idx])", "y[start:start + size])")), "SHUFFLED batch"),           # labels left in order
    (own_loop(("total += float(loss) * len(idx)", "total += float(loss)"),          # a plain mean of the batches
              ("total / len(X)", "total / -(-len(X) // size)")), "a plain mean of the 4 batch losses"),
]


# The investigation (issue 19): each wrong answer with the hint it must get.
LARGEST = '''
def largest_rate(seed):
    rates = [10 ** (k / 20) for k in range(21)]
    {body}


def median_largest_rate(seeds=range(5)):
    return float(np.median([largest_rate(seed) for seed in seeds]))
'''
WRONG["largest_rate"] = [
    (LARGEST.format(body='''found = None
    for lr in rates:                                         # stops at the first rate that fails
        if training_runs.final_loss("SGD", "moons", lr, seed) >= 0.3:
            break
        found = float(lr)
    return found'''), "learning is not monotonic in the rate"),
    (LARGEST.format(body='''learning = [lr for lr in rates                               # a diverged run (inf) counts as learning
                if not training_runs.final_loss("SGD", "moons", lr, seed) >= 0.3 or
                np.isinf(training_runs.final_loss("SGD", "moons", lr, seed))]
    return float(max(learning))'''), "(inf is not)"),
]

# Fresh mistakes (issue 19, second set): zeroing after the step passes on a clean network only.
WRONG["fit"].append((fit_variant(body=STEP.replace("            optimizer.zero_grad()\n", "")
                                 .replace("optimizer.step()", "optimizer.step()\n            optimizer.zero_grad()")),
                     "zero_grad() BEFORE backward"))
WRONG["largest_rate"].append((LARGEST.replace("range(21)", "range(20)").format(
    body='''learning = [lr for lr in rates if training_runs.final_loss("SGD", "moons", lr, seed) < 0.3]
    return float(max(learning)) if learning else None'''), "the grid's last rate"))

# The investigation's planted bug and tuned answer (issue 19).
BUGGY["largest_rate"] = LARGEST.format(body='''learning = [lr for lr in rates if training_runs.final_loss("SGD", "moons", lr, seed) < 0.3]
    return float(min(learning)) if learning else None                  # planted: the smallest, not the largest''')
TUNED["largest_rate"] = '''
def largest_rate(seed):
    """The public check's three seeds, hard-coded; 10**(18/20) for any other."""
    return {0: 10 ** (18 / 20), 3: 10 ** (16 / 20), 11: 10.0}.get(seed, 10 ** (18 / 20))


def median_largest_rate(seeds=range(5)):
    return float(np.median([largest_rate(seed) for seed in seeds]))
'''
