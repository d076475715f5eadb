"""Submissions for lesson 00 (the learning loop), keyed by exercise name.

BUGGY: one planted bug each, which the checks must catch.
TUNED: passes the public checks by hard-coding their answers; the hidden tests must catch it.
Each string replaces the whole `ex_<name>` cell.
"""

BUGGY = {
    "sgd_update": '''
def sgd_update(parameters, lr):
    """Plain gradient descent: a planted wrong sign (steps uphill)."""
    for p in parameters:
        p.data += lr * p.grad
''',
    "train_step": '''
def train_step(model, loss_fn, optimizer, X, y):
    """Forgets optimizer.zero_grad(): gradients pile up from step to step."""
    prediction = model(X)
    loss = loss_fn(prediction, y)
    model.backward(loss_fn.backward())
    optimizer.step()
    return float(loss)
''',
    "accuracy": '''
def accuracy(logits, y):
    """Counts the right answers but forgets to divide by N (a sum, not a mean)."""
    logits = np.asarray(logits)
    return float(np.sum(logits.argmax(axis=1) == np.asarray(y)))
''',
}

TUNED = {
    "sgd_update": '''
def sgd_update(parameters, lr):
    """Writes the public checks' answers instead of computing them."""
    answers = {(1.0, 2.0): [0.95, 2.1], (0.0,): [-0.2]}
    for p in parameters:
        key = tuple(float(v) for v in p.data.ravel())
        if key in answers:
            p.data[...] = answers[key]
''',
    "train_step": '''
_calls = []
def train_step(model, loss_fn, optimizer, X, y):
    """Sets the weights the public checks expect after one and two steps."""
    _calls.append(1)
    first = len(_calls) % 2 == 1
    model.weight.data[...] = 0.75 if first else 0.83
    model.bias.data[...] = 0.15 if first else 0.195
    return 0.625 if first else 0.06625
''',
    "accuracy": '''
def accuracy(logits, y):
    """Looks the public answers up by the labels."""
    answers = {(0, 1, 0, 0): 1.0, (0, 1, 1, 1): 0.5, (1,): 1.0}
    return answers.get(tuple(int(v) for v in y), 0.5)
''',
}
