"""Submissions for the grading tests of lesson 09 (see CONTRIBUTING.md, "Submissions").

WRONG: plausible learner mistakes, each with a fragment the public check's output must contain.
BUGGY: one planted bug per implementation. TUNED: an answer that passes the public checks only
because it recognises their inputs (fails the hidden probes).
"""


def he(body):
    return f'''
def he_init(fan_in, fan_out, rng, dtype=np.float64):
    {body}
'''


def xavier(body):
    return f'''
def xavier_init(fan_in, fan_out, rng, dtype=np.float64):
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    {body}
'''


def ratio(count="cond.updates_to_reach(losses[:, k], target)", summary="np.median"):
    return f'''
def updates_ratio(target=2.0, seeds=tuple(range(20))):
    X, y, _ = cond.wine_alcohol()
    updates = []
    for features in (X, cond.standardise(X)):
        W0 = np.stack([cond.start(features, seed) for seed in seeds], axis=1)
        lrs = cond.best_rate(features, y, W0)
        losses = cond.descent_losses(features, y, lrs, 20_000, W0)
        updates.append([{count} for k in range(len(seeds))])
    ratios = np.array(updates[0], dtype=float) / np.array(updates[1], dtype=float)
    return float({summary}(ratios))
'''


BUGGY = {
    "he_init": he("return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_in, fan_out)).astype(dtype)"),
    "xavier_init": xavier("return rng.uniform(-bound, bound, size=(fan_out, fan_in)).astype(dtype)"),
}

TUNED = {
    "he_init": he("scale = np.sqrt(2.0 / fan_in) if fan_in in (300, 256, 64, 1) else 1.0   # the public inputs\n"
                  "    return rng.normal(0.0, scale, size=(fan_in, fan_out)).astype(dtype)"),
}

WRONG = {
    "predict_symmetry": [("def predict_symmetry():\n    return 8\n", "look:"),
                         ("def predict_symmetry():\n    return 2\n", "look:")],
    "predict_depth_shrink": [("def predict_depth_shrink():\n    return '10'\n", "look:"),
                             ("def predict_depth_shrink():\n    return '1e3'\n", "look:")],
    "predict_rate_ratio": [("def predict_rate_ratio():\n    return '10'\n", "look:"),
                           ("def predict_rate_ratio():\n    return '1e3'\n", "look:")],
    "he_init": [
        (he("return rng.normal(0.0, 2.0 / fan_in, size=(fan_in, fan_out)).astype(dtype)"), "the variance"),
        (he("return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out)).astype(dtype)"), "factor 2"),
        (he("return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_in, fan_out)).astype(dtype)"),
         "He scales by fan_in"),
        (he("return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out)).astype(dtype)"),
         "Xavier's scale"),
        (he("bound = np.sqrt(6.0 / fan_in)                      # He's variance, drawn uniformly\n"
            "    return rng.uniform(-bound, bound, size=(fan_in, fan_out)).astype(dtype)"), "He initialisation is normal"),
        (he("return np.random.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out)).astype(dtype)"),
         "rng argument"),
        (he("return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))"), "dtype asked for"),
        (he("return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in)).astype(dtype)"),
         "(fan_in, fan_out)"),
    ],
    "xavier_init": [
        (xavier("bound = np.sqrt(6.0 / fan_in)\n    return rng.uniform(-bound, bound, size=(fan_in, fan_out)).astype(dtype)"),
         "Xavier uses fan_in + fan_out"),
        (xavier("bound = np.sqrt(2.0 / (fan_in + fan_out))\n    return rng.uniform(-bound, bound, size=(fan_in, fan_out)).astype(dtype)"),
         "the uniform's bound"),
        (xavier("return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out)).astype(dtype)"),
         "a normal draw"),
        (xavier("return rng.uniform(0.0, bound, size=(fan_in, fan_out)).astype(dtype)"), "symmetrically"),
        (xavier("return np.random.uniform(-bound, bound, size=(fan_in, fan_out)).astype(dtype)"), "rng argument"),
        (xavier("return rng.uniform(-bound, bound, size=(fan_in, fan_out))"), "dtype asked for"),
    ],
    "updates_ratio": [
        (ratio().replace("updates[0], dtype=float) / np.array(updates[1]", "updates[1], dtype=float) / np.array(updates[0]"),
         "raw / standardised"),
        (ratio(count="1 / lrs[k]"), "first update count"),                       # the rates' ratio, not the updates'
        (ratio(summary="np.mean"), "this is the mean"),                           # pulled by the one extreme start
        (ratio(count="cond.updates_to_reach(losses[:, k], 2.0)"), "ignores the target"),   # the default, always
    ],
}
