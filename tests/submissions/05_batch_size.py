"""Submissions for lesson 05 (batch, stochastic, mini-batch), keyed by exercise name.

BUGGY: one planted bug each, which the checks must catch.
TUNED: passes the public checks by hard-coding their answers; the hidden tests must catch it.
WRONG: plausible learner mistakes, each with a fragment the public check's output must contain.
Each string replaces the whole `ex_<name>` cell.
"""

BUGGY = {
    "minibatches": '''
def minibatches(X, y, batch_size, rng):
    """Drops the last partial batch."""
    order = rng.permutation(len(X))
    return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]])
            for s in range(0, len(X) - batch_size + 1, batch_size)]
''',
    "noise": '''
def minibatch_noise(G, batch_size, draws, rng):
    """Sums the batch's rows instead of averaging them."""
    full = G.mean(axis=0)
    squared = [np.sum((G[rng.permutation(len(G))[:batch_size]].sum(axis=0) - full) ** 2) for _ in range(draws)]
    return float(np.sqrt(np.mean(squared)))
''',
    "predict_noise_ratio": "def predict_noise_ratio():\n    return 0.25",
    "predict_full_batch_rate": 'def predict_full_batch_rate():\n    return "a"',
    "predict_per_update_winner": "def predict_per_update_winner():\n    return 1",
}

TUNED = {
    "minibatches": '''
def minibatches(X, y, batch_size, rng):
    """Always the public check's seed-2 order, whatever rng is given."""
    order = np.random.default_rng(2).permutation(len(X)) if len(X) == 23 else np.arange(len(X))
    return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, len(X), batch_size)]
''',
    "noise": '''
def minibatch_noise(G, batch_size, draws, rng):
    """The public answers, looked up by batch size; the formula otherwise."""
    known = {(2, 1): 1.0, (10, 10): 0.0, (10, 3): 1.1305799888, (10, 8): 0.3693871613}
    if (len(G), batch_size) in known:
        return known[(len(G), batch_size)]
    full = G.mean(axis=0)
    sigma_1 = np.sqrt(np.mean(np.sum((G - full) ** 2, axis=1)))
    n = len(G)
    return float(sigma_1 * np.sqrt((n - batch_size) / (batch_size * (n - 1)))) if n > 1 else 0.0
''',
}

SOLUTION_NOISE = '''
def minibatch_noise(G, batch_size, draws, rng):
    full = G.mean(axis=0)
    squared = []
    for _ in range(draws):
        index = {index}
        squared.append({squared})
    return float({result})
'''


def noise_variant(index="rng.permutation(len(G))[:batch_size]",
                  squared="np.sum((G[index].mean(axis=0) - full) ** 2)", result="np.sqrt(np.mean(squared))"):
    return SOLUTION_NOISE.format(index=index, squared=squared, result=result)


WRONG = {
    "minibatches": [
        ('''
def minibatches(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]])
            for s in range(0, len(X) - batch_size + 1, batch_size)]     # drops the last partial batch
''', "what is left"),
        ('''
def minibatches(X, y, batch_size, rng):
    rng.shuffle(X)                                    # in place, and X and y no longer match
    rng.shuffle(y)
    return [(X[s:s + batch_size], y[s:s + batch_size]) for s in range(0, len(X), batch_size)]
''', "in place"),
        ('''
def minibatches(X, y, batch_size, rng):
    order = np.random.permutation(len(X))             # numpy's global generator, not the given one
    return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, len(X), batch_size)]
''', "from the given rng"),
        ('''
def minibatches(X, y, batch_size, rng):
    order_X, order_y = rng.permutation(len(X)), rng.permutation(len(y))     # two different orders
    return [(X[order_X[s:s + batch_size]], y[order_y[s:s + batch_size]]) for s in range(0, len(X), batch_size)]
''', "SAME piece"),
        ('''
def minibatches(X, y, batch_size, rng):
    order = rng.permutation(len(X))
    return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, len(X) - 1, batch_size)]
''', "23 batches of one"),
        ('''
def minibatches(X, y, batch_size, rng):
    order = np.random.default_rng(0).permutation(len(X))     # a new generator: the same order every epoch
    return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]]) for s in range(0, len(X), batch_size)]
''', "not a new generator"),
    ],
    "noise": [
        (noise_variant(index="rng.integers(0, len(G), batch_size)"), "WITHOUT replacement"),
        (noise_variant(squared="np.sum((G[index].sum(axis=0) - full) ** 2)"), "the MEAN, not the sum"),
        (noise_variant(squared="np.mean((G[index].mean(axis=0) - full) ** 2)"), "not per entry"),
        (noise_variant(squared="np.sqrt(np.sum((G[index].mean(axis=0) - full) ** 2))", result="np.mean(squared)"),
         "root of the mean SQUARED distance"),
        (noise_variant(result="np.sqrt(np.mean(squared)) * 1 if False else np.mean(squared)"),
         "root of the mean SQUARED distance"),
    ],
    "predict_noise_ratio": [("def predict_noise_ratio():\n    return 0.25", "read it with the slider at 5, then at 20"),
                            ("def predict_noise_ratio():\n    return 1.0", "read it with the slider at 5, then at 20")],
    "predict_full_batch_rate": [('def predict_full_batch_rate():\n    return "a"', "read the median best learning rate over 10 seeds"),
                                ('def predict_full_batch_rate():\n    return "c"', "or where the dots sit bottom left")],
    "predict_per_update_winner": [("def predict_per_update_winner():\n    return 1", "after 50 updates with batch size 1, then with batch size 200"),
                                  ("def predict_per_update_winner():\n    return 2", "expected one of 1, 200")],
}

# The investigation: a measurement that does not follow the spec, or a summary that does not follow it.
_BATCH = '''
LRS = tuple(float(10 ** e) for e in np.arange(-1.5, 0.51, 0.25))


def final_loss(batch_size, lr, seed):
    X, y = training_runs.load_dataset("moons")
    model = training_runs.small_network(2, rng=seed)
    loss_fn = nl.CrossEntropyLoss()
    history = nl.fit(model, loss_fn, nl.optim.SGD(model.parameters(), lr=lr), X, y,
                     epochs=batch_size, batch_size=batch_size, rng=seed + 1)
    if history.diverged_at is not None:
        return float("inf")
    return float(loss_fn(model(X), y))


def batch_investigation():
    best = {b: [min(LRS, key=lambda lr: final_loss(b, lr, seed)) for seed in range(5)] for b in (1, 10)}
    return {"best_1": best[1], "best_10": best[10],
            "ratio": float(np.median(np.array(best[10]) / np.array(best[1])))}
'''


def _batch(old, new):
    assert old in _BATCH, old
    return _BATCH.replace(old, new)


WRONG["batch_investigation"] = [
    (_batch("float(np.median(np.array(best[10]) / np.array(best[1])))",                  # the mean
            "float(np.mean(np.array(best[10]) / np.array(best[1])))"), "the MEDIAN over the five seeds"),
    (_batch("float(np.median(np.array(best[10]) / np.array(best[1])))",                  # upside down
            "float(np.median(np.array(best[1]) / np.array(best[10])))"), "of best_10 / best_1"),
    (_batch("min(LRS, key=", "max(LRS, key="), "the LOWEST final loss"),                 # the worst rate
    (_batch("epochs=batch_size, batch_size", "epochs=1, batch_size"), "epochs=batch_size"),    # equal epochs
    (_batch("rng=seed + 1)", "rng=seed)"), "rng=seed + 1"),                                   # another order
    (_batch('''    if history.diverged_at is not None:
        return float("inf")
''', ""), 'return float("inf") when history.diverged_at'),                                    # a diverged run's loss
]
