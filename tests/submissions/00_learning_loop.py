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
    "predict_first_to_diverge": 'def predict_first_to_diverge():\n    return "Adam"',
    "predict_circles_accuracy": 'def predict_circles_accuracy():\n    return "a"',
}

TUNED = {
    "sgd_update": '''
def sgd_update(parameters, lr):
    """Writes the public check's answers into the arrays instead of computing them."""
    answers = {(3, 2): [[0.95, 2.1], [2.8, -1.0], [0.3, 0.4]], (3,): [-0.2, 1.2, 1.95]}
    for p in parameters:
        if p.data.shape in answers:
            p.data[...] = answers[p.data.shape]
''',
    "fit": '''
def my_fit(model, loss_fn, optimizer, X, y, epochs, batch_size, rng):
    """The loop with the public check's settings, whatever is asked (nl.fit refuses while graded)."""
    rng, step_losses, epoch_losses = np.random.default_rng(1), [], []
    for _ in range(3):
        total = 0.0
        for X_batch, y_batch in nl.data.minibatches(X, y, 16, rng=rng):
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
    "predict_first_to_diverge": [('def predict_first_to_diverge():\n    return "SGD"', "the first rate at which the app marks divergence"),
                                 ('def predict_first_to_diverge():\n    return "Adam"', "the first rate at which the app marks divergence")],
    "predict_circles_accuracy": [('def predict_circles_accuracy():\n    return "a"', "after 50 updates"),
                                 ('def predict_circles_accuracy():\n    return "b"', "press train 50 more"),
                                 ('def predict_circles_accuracy():\n    return "above 90 %"', "expected one of")],
}
