"""Submissions for lesson 05 (batch, stochastic, mini-batch), keyed by exercise name.

BUGGY: one planted bug each, which the checks must catch.
TUNED: passes the public checks by hard-coding their answers; the hidden tests must catch it.
Each string replaces the whole `ex_<name>` cell.
"""

BUGGY = {
    "updates_per_epoch": '''
def updates_per_epoch(n, batch_size):
    """Floor instead of ceiling: drops the last, partial batch."""
    return n // batch_size
''',
    "minibatch_indices": '''
def minibatch_indices(n, batch_size, rng):
    """Drops the last partial batch."""
    order = rng.permutation(n)
    return [order[start:start + batch_size] for start in range(0, n - batch_size + 1, batch_size)]
''',
    "train_minibatches": '''
def train_minibatches(model, loss_fn, optimizer, X, y, batch_size, epochs, rng):
    """Updates before backpropagating: every step uses the gradients of nothing (zero)."""
    losses = []
    for _ in range(epochs):
        for X_batch, y_batch in nl.data.minibatches(X, y, batch_size, rng=rng):
            loss = loss_fn(model(X_batch), y_batch)
            optimizer.zero_grad()
            optimizer.step()
            model.backward(loss_fn.backward())
            losses.append(float(loss))
    return losses
''',
}

TUNED = {
    "updates_per_epoch": '''
def updates_per_epoch(n, batch_size):
    """The public answers, looked up."""
    return {(200, 1): 200, (200, 200): 1, (200, 64): 4}.get((n, batch_size), 1)
''',
    "minibatch_indices": '''
def minibatch_indices(n, batch_size, rng):
    """Always the seed-0 order of the public check, whatever rng is given."""
    order = np.random.default_rng(0).permutation(n)
    return [order[0:4], order[4:8], order[8:10]]
''',
    "train_minibatches": '''
def train_minibatches(model, loss_fn, optimizer, X, y, batch_size, epochs, rng):
    """Full-batch steps instead of mini-batches, with the public check's shuffle order."""
    losses = []
    reference = nl.fit(model, loss_fn, optimizer, X, y, epochs=epochs, batch_size=20,
                       rng=np.random.default_rng(1))
    return list(reference.step_loss)
''',
}
