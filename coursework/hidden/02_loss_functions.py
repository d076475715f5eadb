"""Hidden tests of lesson 02, as probes judged by the trusted grader (see coursework/probes.py).

PUBLIC mirrors each public check cell's inputs; HIDDEN tries other shapes, edge values, float32
and other seeds. Probes hold inputs only: the grader runs the same code on the solutions.
"""

from probes import Probe, prediction

SETUP = "import numpy as np\nimport nnlearn as nl\n"


# A prediction has one answer: the public and the hidden probe are the same.
PREDICTIONS = {
    "predict_mse_ratio": [prediction("predict_mse_ratio()", 0)],
    "predict_ce_correction": [prediction("predict_ce_correction()", 2)],
    "predict_saturated": [prediction("predict_saturated()")],
    "predict_huber_pull": [prediction("predict_huber_pull()", 2)],
    "predict_no_outliers": [prediction("predict_no_outliers()")],
    "predict_threshold": [prediction("predict_threshold()", 2)],
}

PUBLIC = {
    "mse": [Probe(SETUP + """
p = np.arange(12.0).reshape(3, 4) / 4
t = np.ones((3, 4))
a, b = np.array([1.0, 2.0, 4.0]), np.array([0.0, 0.0, 1.0])
result = (mse_loss(a, b), mse_loss(p, t), mse_gradient(a, b), mse_gradient(p, t),
          mse_gradient(p.astype(np.float32), t.astype(np.float32)))
""", rtol=1e-6, atol=1e-9)],
    "huber": [Probe(SETUP + """
p = np.array([[-3.0, 0.2, 1.5], [-0.4, 2.0, -1.2]])
t = np.array([[0.0, 0.0, 0.0], [0.0, 0.5, 0.3]])
result = (huber_loss(np.array([0.0, 0.5, 3.0]), np.zeros(3)), huber_loss(np.array([4.0]), np.array([1.0]), delta=2.0),
          huber_loss(p, t, 1.0), huber_loss(np.array([1.5, -0.5]), np.zeros(2), delta=2.0))
""")],
    "weighted_bce": [Probe(SETUP + """
z = np.array([[2.0, -1.0, 0.5], [-3.0, 1.5, 4.0]])
y = np.array([[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]])
result = (weighted_bce(np.array([0.0, 0.0, 0.0]), np.array([1.0, 0.0, 1.0]), 3.0), weighted_bce(z, y, 5.0),
          weighted_bce(np.array([1000.0, -1000.0, 1000.0, -1000.0]), np.array([1.0, 0.0, 0.0, 1.0]), 2.0))
""")],
    "softmax_cross_entropy": [Probe(SETUP + """
rng = np.random.default_rng(2)
z = rng.normal(size=(5, 3)) * 2
y = np.array([0, 2, 1, 2, 2])
kept = z.copy()
plain = softmax_cross_entropy(z, y)
big = np.array([[1e4, -1e4, 0.0, 5.0], [-1e4, 1e4, 0.0, 0.0], [3.0, 3.0, 3.0, 3.0]])
result = (plain, np.array_equal(z, kept), softmax_cross_entropy(big, np.array([1, 1, 2])),
          softmax_cross_entropy(z, y, np.array([1.0, 2.0, 0.5])))
""", rtol=1e-6, atol=1e-9),
        Probe(SETUP + """
rng = np.random.default_rng(2)
z = rng.normal(size=(5, 3)) * 2
result = softmax_cross_entropy(z.astype(np.float32), np.array([0, 2, 1, 2, 2]))
""", rtol=1e-5, atol=1e-7)],
    **PREDICTIONS,
}

HIDDEN = {
    "mse": [
        Probe(SETUP + """
rng = np.random.default_rng(21)
result = []
for shape in [(4, 3), (7,), (2, 3, 5)]:
    p, t = rng.normal(size=shape), rng.normal(size=shape)
    result.append((mse_loss(p, t), mse_gradient(p, t)))
""", rtol=1e-9, label="other shapes, random targets"),
        Probe(SETUP + """
rng = np.random.default_rng(5)
p32, t32 = rng.normal(size=(5, 2)).astype(np.float32), rng.normal(size=(5, 2)).astype(np.float32)
g = mse_gradient(p32, t32)
result = (mse_loss(p32, t32), g, str(np.asarray(g).dtype))
""", rtol=1e-5, label="float32 stays float32"),
        Probe(SETUP + """
result = (mse_loss(np.array([[2.0]]), np.array([[-1.0]])), mse_gradient(np.array([[2.0]]), np.array([[-1.0]])),
          mse_gradient(np.zeros((1, 6)), np.arange(6.0)[None]))
""", label="one element; a (1, 6) row"),
    ],
    "huber": [
        Probe(SETUP + """
rng = np.random.default_rng(22)
result = []
for delta, shape in [(0.5, (4, 3)), (2.0, (9,)), (1.0, (3, 2, 2))]:
    p, t = 3 * rng.normal(size=shape), rng.normal(size=shape)
    result.append(huber_loss(p, t, delta))
""", rtol=1e-9, label="deltas and shapes"),
        Probe(SETUP + """
edge = np.array([1.0, -1.0, 1.0 - 1e-9, 1.0 + 1e-9])
result = (huber_loss(edge, np.zeros(4), 1.0), huber_loss(np.array([-5.0]), np.array([0.0]), 1.0),
          huber_loss(np.array([-0.5, -7.0]), np.zeros(2), 3.0))
""", rtol=1e-9, label="|d| = delta; negative misses"),
        Probe(SETUP + """
rng = np.random.default_rng(8)
p32, t32 = rng.normal(size=(6,)).astype(np.float32), rng.normal(size=(6,)).astype(np.float32)
result = huber_loss(p32, t32, 0.3)
""", rtol=1e-5, label="float32"),
    ],
    "weighted_bce": [
        Probe(SETUP + """
rng = np.random.default_rng(23)
result = []
for pos_weight, shape in [(1.0, (8, 1)), (7.5, (5, 3)), (40.0, (12,))]:
    z = 3 * rng.normal(size=shape)
    y = (rng.random(shape) < 0.3).astype(float)
    result.append(weighted_bce(z, y, pos_weight))
""", rtol=1e-9, label="pos_weights and shapes"),
        Probe(SETUP + """
z = np.array([[800.0, -800.0], [-1e4, 1e4], [50.0, -50.0]])
y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
result = (weighted_bce(z, y, 3.0), weighted_bce(z, y, 1.0))
""", rtol=1e-9, label="logits of +-800 and +-1e4, confidently wrong"),
        Probe(SETUP + """
rng = np.random.default_rng(4)
z32 = (5 * rng.normal(size=(6, 1))).astype(np.float32)
y32 = (rng.random((6, 1)) < 0.5).astype(np.float32)
result = weighted_bce(z32, y32, 3.0)
""", rtol=1e-5, label="float32"),
    ],
    "softmax_cross_entropy": [
        Probe(SETUP + """
rng = np.random.default_rng(31)
result = []
for n, c in [(7, 10), (1, 4), (12, 2)]:
    z = rng.normal(size=(n, c)) * 3
    y = rng.integers(0, c, size=n)
    result.append(softmax_cross_entropy(z, y))
""", rtol=1e-7, atol=1e-10, label="other N and C, N = 1"),
        Probe(SETUP + """
z = np.array([[-1e4, 1e4, -1e4], [1e4, 1e4, -1e4], [0.0, 0.0, 0.0], [-5e3, -1e4, -2e4]])
y = np.array([0, 1, 2, 2])
result = softmax_cross_entropy(z, y)
""", rtol=1e-9, atol=1e-12, label="logits of +-1e4 in every position"),
        Probe(SETUP + """
rng = np.random.default_rng(32)
z = rng.normal(size=(9, 4)) * 2
y = np.array([0, 1, 2, 3, 3, 3, 1, 0, 2])
kept = z.copy()
result = (softmax_cross_entropy(z, y, np.array([0.2, 1.0, 3.0, 0.0])), softmax_cross_entropy(z, y, np.ones(4)),
          np.array_equal(z, kept))
""", rtol=1e-7, atol=1e-10, label="class weights, one weight 0"),
        Probe(SETUP + """
rng = np.random.default_rng(33)
z32 = (rng.normal(size=(6, 5)) * 4).astype(np.float32)
y = rng.integers(0, 5, size=6)
loss, grad = softmax_cross_entropy(z32, y)
result = (loss, grad, str(np.asarray(grad).dtype), np.asarray(grad).shape)
""", rtol=2e-5, atol=1e-6, label="float32 logits give a float32 gradient"),
    ],
    **PREDICTIONS,
}

# The investigation (overflow_scale): each median is judged within half the range of the solution's own
# per-seed answers over the same seeds (Probe.spread); a single seed's scale is a grid point, judged exactly.
OVERFLOW_SPREAD = """
s32 = [overflow_scale(np.float32, seed) for seed in {seeds}]
s64 = [overflow_scale(np.float64, seed) for seed in {seeds}]
answers = {{"float32": s32, "float64": s64, "ratio": list(np.divide(s64, s32))}}[{key!r}]
tolerance = (max(answers) - min(answers)) / 2
"""
PUBLIC["overflow_scale"] = [Probe(SETUP + """
scales = [10 ** (k / 10) for k in range(41)]
def naive_finite(dtype, seed, scale):
    z = np.random.default_rng(seed).normal(size=(100, 10)).astype(dtype)
    with np.errstate(all="ignore"):
        e = np.exp(z * dtype(scale))
        return bool(np.all(np.isfinite(e / e.sum(axis=1, keepdims=True))))
result = []
for dtype in (np.float32, np.float64):
    found = overflow_scale(dtype, 0)
    ok = isinstance(found, float) and any(abs(found - s) <= 1e-9 * s for s in scales)
    result += [bool(ok), bool(ok and not naive_finite(dtype, 0, found)),
               bool(ok and all(naive_finite(dtype, 0, s) for s in scales if s < found * (1 - 1e-9)))]
summary = overflow_summary()
s32 = [overflow_scale(np.float32, seed) for seed in range(5)]
s64 = [overflow_scale(np.float64, seed) for seed in range(5)]
own = {"float32": np.median(s32), "float64": np.median(s64), "ratio": np.median(np.divide(s64, s32))}
result.append(bool(isinstance(summary, dict) and set(summary) == set(own)
                   and all(abs(float(summary[k]) - own[k]) < 1e-9 * own[k] for k in own)))
""", label="the check cell's seed 0, and the summary's consistency")]
HIDDEN["overflow_scale"] = [
    Probe(SETUP + "result = [overflow_scale(np.float32, 6), overflow_scale(np.float64, 7), overflow_scale(np.float32, 1)]",
          rtol=1e-9, atol=1e-9, label="other seeds: the grid point itself"),
    *[Probe(SETUP + f"result = float(overflow_summary({seeds})[{key!r}])", rtol=0.0,
            spread=OVERFLOW_SPREAD.format(seeds=seeds, key=key),
            label=f"overflow_summary({seeds})[{key!r}], within half the range of the solution's per-seed answers")
      for seeds in ("range(5)", "range(5, 10)") for key in ("float32", "float64", "ratio")],
]
# The summary's method (medians over seeds of the learner's own overflow_scale) is exact: judged hidden too,
# since a mean over seeds lands inside the spread above.
HIDDEN["overflow_scale"].append(PUBLIC["overflow_scale"][0])
