"""Hidden tests of lesson 09, as probes judged by the trusted grader (see coursework/probes.py).

Never released to students: `python coursework/student_copy.py` leaves coursework/ out.
The initialisations may draw from `rng` in any way, so every probe returns statistics or verdicts
(shape, dtype, spread within a tolerance), never the drawn numbers themselves.
"""

from probes import Probe, prediction

SETUP = ("import numpy as np\nimport nnlearn as nl\n"
         "from nnlearn.experiments import conditioning as cond\n")

STATS = """
def stats(init, fan_in, fan_out, dtype=None):
    before = np.random.get_state()[1].copy()
    kwargs = {} if dtype is None else {"dtype": dtype}
    W = init(fan_in, fan_out, np.random.default_rng(0), **kwargs)
    again = init(fan_in, fan_out, np.random.default_rng(0), **kwargs)
    untouched = bool(np.array_equal(np.random.get_state()[1], before))
    W = np.asarray(W)
    values = W.astype(np.float64)
    return dict(shape=list(W.shape), dtype=W.dtype.name, untouched=untouched,
                repeats=bool(np.array_equal(np.asarray(again), W)), values=values)
"""

HE_PUBLIC = SETUP + STATS + """
s = stats(he_init, 300, 500)
W = s["values"]
expected = np.sqrt(2 / 300)
x = np.random.default_rng(4).normal(size=(512, 256))
h = x
for k in range(10):
    h = np.maximum(h @ np.asarray(he_init(256, 256, np.random.default_rng(10 + k)), dtype=np.float64), 0)
kept = np.mean(h ** 2) / np.mean(x ** 2)
result = [s["shape"], s["dtype"], bool(abs(W.std() / expected - 1) < 0.02),
          bool(abs(W.mean()) < 5 * expected / np.sqrt(W.size)),
          bool(abs(np.mean(np.abs(W) < expected) - 0.683) < 0.01), s["repeats"], s["untouched"],
          np.asarray(he_init(64, 32, np.random.default_rng(1), dtype=np.float32)).dtype.name,
          list(np.shape(he_init(1, 1, np.random.default_rng(2)))), bool(0.5 < kept < 2)]
"""

XAVIER_PUBLIC = SETUP + STATS + """
s = stats(xavier_init, 300, 500)
W = s["values"]
bound = np.sqrt(6 / 800)
result = [s["shape"], s["dtype"], bool(abs(np.abs(W).max() / bound - 1) < 0.01),
          bool(abs(np.mean(np.abs(W) < W.std()) - 0.577) < 0.01), bool(abs(W.std() / np.sqrt(2 / 800) - 1) < 0.02),
          bool(abs(W.mean()) < 5 * W.std() / np.sqrt(W.size)),
          bool(np.array_equal(np.asarray(xavier_init(30, 50, np.random.default_rng(3))),
                              np.asarray(xavier_init(30, 50, np.random.default_rng(3))))), s["untouched"],
          np.asarray(xavier_init(64, 32, np.random.default_rng(1), dtype=np.float32)).dtype.name]
"""

RATIO_PUBLIC = SETUP + """
def reference(target, seeds):
    rows = cond.compare_starts(tuple(seeds), target)
    return np.array([r["raw"]["updates"] / r["standardised"]["updates"] for r in rows])
one = updates_ratio(2.0, seeds=(4,))
other = updates_ratio(3.0, seeds=(4,))
several = updates_ratio(2.0, seeds=(0, 4, 6))
result = [isinstance(one, (float, np.floating)), bool(abs(one / reference(2.0, (4,))[0] - 1) < 0.01), bool(one > 1),
          bool(abs(other / reference(3.0, (4,))[0] - 1) < 0.01),
          bool(abs(several / np.median(reference(2.0, (0, 4, 6))) - 1) < 0.01)]
"""


def he_hidden(fan_in, fan_out, dtype, label):
    return Probe(SETUP + STATS + f"""
s = stats(he_init, {fan_in}, {fan_out}, {dtype})
W = s["values"]
expected = np.sqrt(2 / {fan_in})
result = [s["shape"], s["dtype"], s["untouched"], s["repeats"], bool(abs(W.std() / expected - 1) < 0.03),
          bool(abs(W.mean()) < 5 * expected / np.sqrt(W.size))]
""", label=label)


def xavier_hidden(fan_in, fan_out, dtype, label):
    return Probe(SETUP + STATS + f"""
s = stats(xavier_init, {fan_in}, {fan_out}, {dtype})
W = s["values"]
bound = np.sqrt(6 / ({fan_in} + {fan_out}))
result = [s["shape"], s["dtype"], s["untouched"], s["repeats"], bool(np.abs(W).max() <= bound * (1 + 1e-6)),
          bool(np.abs(W).max() > 0.99 * bound), bool(abs(W.std() / (bound / np.sqrt(3)) - 1) < 0.03)]
""", label=label)


# The investigation is judged within twice the bootstrap standard error of the solution's median
# over its 20 starts (the per-start ratios are heavy-tailed, from below 1 to above 1,000, so the
# normal formula 1.25 std / sqrt(n) would be set by the one extreme start). The per-start ratios
# are the lesson's own runs, all starts at once (cond.compare_starts).
def spread_of_ratio(target):
    return f"""
rows = cond.compare_starts(tuple(range(20)), {target})
ratios = np.array([r["raw"]["updates"] / r["standardised"]["updates"] for r in rows])
resampled = np.random.default_rng(0).choice(ratios, size=(2000, len(ratios)))
tolerance = 2 * float(np.std(np.median(resampled, axis=1)))
"""


def ratio_probe(target):
    return Probe(SETUP + f"result = float(updates_ratio({target}))", rtol=0.0, atol=0.0,
                 spread=spread_of_ratio(target),
                 label=f"target {target}: the median ratio over starts 0-19, within two bootstrap standard errors")


PUBLIC = {
    "predict_symmetry": [prediction("predict_symmetry()", 0)],
    "predict_depth_shrink": [prediction("predict_depth_shrink()")],
    "predict_rate_ratio": [prediction("predict_rate_ratio()")],
    "he_init": [Probe(HE_PUBLIC)],
    "xavier_init": [Probe(XAVIER_PUBLIC)],
    "updates_ratio": [Probe(RATIO_PUBLIC)],
}

HIDDEN = {
    "predict_symmetry": [prediction("predict_symmetry()", 0)],
    "predict_depth_shrink": [prediction("predict_depth_shrink()")],
    "predict_rate_ratio": [prediction("predict_rate_ratio()")],
    "he_init": [
        he_hidden(10, 2000, None, "fan_in 10, fan_out 2000: the scale follows fan_in"),
        he_hidden(2000, 10, "np.float32", "fan_in 2000, float32"),
        he_hidden(1, 7, None, "one input"),
        Probe(SETUP + """
W = np.asarray(he_init(400, 400, np.random.default_rng(5)), dtype=np.float64)
result = bool(abs(np.mean(np.abs(W) < W.std()) - 0.683) < 0.01)
""", label="normal, not uniform"),
    ],
    "xavier_init": [
        xavier_hidden(10, 2000, None, "fan_in 10, fan_out 2000: both fans count"),
        xavier_hidden(2000, 10, "np.float32", "fan_in 2000, fan_out 10, float32"),
        xavier_hidden(1, 7, None, "one input"),
        Probe(SETUP + """
W = np.asarray(xavier_init(400, 400, np.random.default_rng(5)), dtype=np.float64)
result = bool(abs(np.mean(np.abs(W) < W.std()) - 0.577) < 0.01)
""", label="uniform, not normal"),
    ],
    "updates_ratio": [ratio_probe(2.0), ratio_probe(3.0),
                      Probe(SETUP + "result = [float(updates_ratio(3.0, seeds=(s,))) for s in (1, 2)]", rtol=1e-6,
                            label="target 3.0, one seed at a time: the ratio itself"),
                      Probe(SETUP + "result = [float(updates_ratio(2.0, seeds=(s,))) for s in (6, 9)]", rtol=1e-6,
                            label="target 2.0, starts 6 and 9: raw features need 6,475 and 7,400 updates (within the 20,000)"),
                      Probe(SETUP + """
own = float(np.median([float(updates_ratio(3.0, seeds=(s,))) for s in range(5)]))
result = bool(abs(float(updates_ratio(3.0, seeds=tuple(range(5)))) - own) <= 1e-9 * max(1.0, abs(own)))
""", label="target 3.0, seeds 0-4: the median of the answer's own one-seed runs")],
}
