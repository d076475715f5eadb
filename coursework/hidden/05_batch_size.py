"""Hidden tests of lesson 05, as probes judged by the trusted grader (see coursework/probes.py).

Never released to students: `python coursework/student_copy.py` leaves coursework/ out.
"""

from probes import Probe, prediction

SETUP = "import numpy as np\nimport nnlearn as nl\n"


def batches_probe(data, size, seed, label, calls=1):
    return Probe(SETUP + f"""
X, y = {data}
X_copy, y_copy = X.copy(), y.copy()
rng = np.random.default_rng({seed})
result = []
for _ in range({calls}):
    batches = minibatches(X, y, {size}, rng)
    result.append((type(batches).__name__, len(batches), [xb for xb, yb in batches], [yb for xb, yb in batches]))
result.append(bool(np.array_equal(X, X_copy) and np.array_equal(y, y_copy)))
""", label=label)


GS = ("np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 0.5], [2.0, 2.0], [-1.0, 0.0], "
      "[4.0, 1.0], [0.5, -2.0], [1.5, 3.0], [-2.0, 1.0], [0.0, 0.0]])")

# The investigation (batch_investigation): its rates are judged in log10, within the spread of the solution's
# own runs over the five seeds the spec names (two standard errors, at least one step of the grid, 0.25),
# computed on the grader's side.
BEST_RATES = SETUP + """
best = {b: np.log10([min(LRS, key=lambda lr: final_loss(b, lr, seed)) for seed in range(5)]) for b in (1, 10)}
"""


def rate_probe(expression, spread_of, label):
    return Probe(SETUP + f"found = batch_investigation()\nresult = float(np.log10({expression}))\n", atol=0.0, label=label,
                 spread=BEST_RATES + f"tolerance = max(2 * float(np.std({spread_of})) / np.sqrt(5), 0.25)\n")


PUBLIC = {
    "minibatches": [Probe(SETUP + """
Xm = np.arange(69.0).reshape(23, 3)
ym = np.arange(23) * 10
X_copy, y_copy = Xm.copy(), ym.copy()
batches = minibatches(Xm, ym, 5, np.random.default_rng(2))
result = ([xb for xb, yb in batches], [yb for xb, yb in batches],
          Xm.tobytes() == X_copy.tobytes() and ym.tobytes() == y_copy.tobytes(),
          [len(minibatches(Xm, ym, size, np.random.default_rng(1))) for size in (1, 22, 23, 40)])
""")],
    "noise": [Probe(SETUP + f"""
Gs = {GS}
value = minibatch_noise(np.array([[1.0], [-1.0]]), 1, 50, np.random.default_rng(0))
result = (type(value).__name__, value, minibatch_noise(Gs, 10, 20, np.random.default_rng(0)),
          minibatch_noise(Gs, 3, 500, np.random.default_rng(0)), minibatch_noise(Gs, 8, 500, np.random.default_rng(0)))
""", rtol=1e-8, atol=1e-12)],
    "batch_investigation": [Probe(SETUP + """
value = final_loss(5, 0.3, 3)
found = batch_investigation()
own = [min(LRS, key=lambda lr: final_loss(b, lr, 0)) for b in (1, 10)]
result = (value, type(value).__name__, final_loss(1, 30.0, 0), sorted(found), found["best_1"], found["best_10"], found["ratio"],
          own == [found["best_1"][0], found["best_10"][0]])
""", rtol=1e-9)],
    "predict_noise_ratio": [prediction("predict_noise_ratio()", 1)],
    "predict_full_batch_rate": [prediction("predict_full_batch_rate()")],
    "predict_per_update_winner": [prediction("predict_per_update_winner()", 0)],
}

HIDDEN = {
    "minibatches": [
        batches_probe("np.random.default_rng(3).normal(size=(37, 4)), np.random.default_rng(4).integers(0, 3, 37)", 8, 5,
                      "37 x 4, b=8 (8+8+8+8+5)"),
        batches_probe("np.arange(14.0).reshape(7, 2), np.arange(7)", 7, 1, "b = n: one full batch"),
        batches_probe("np.arange(10.0).reshape(5, 2), np.arange(5)", 9, 2, "b > n"),
        batches_probe("np.arange(6.0).reshape(6, 1), np.eye(6)", 1, 3, "b = 1, one-hot y (2-D)"),
        batches_probe("np.ones((1, 3)), np.zeros(1)", 1, 4, "one example"),
        batches_probe("np.arange(60, dtype=np.float32).reshape(30, 2), np.arange(30)", 4, 8,
                      "float32, two epochs from one generator (new order each)", calls=2),
        batches_probe("np.arange(300.0).reshape(100, 3), np.arange(100)", 32, 6, "100 x 3, b=32 (32+32+32+4)"),
    ],
    "noise": [
        Probe(SETUP + """
G = np.random.default_rng(2).normal(size=(40, 7))
result = [minibatch_noise(G, b, 60, np.random.default_rng(b)) for b in (1, 5, 13, 39, 40)]
""", rtol=1e-8, atol=1e-12, label="40 x 7 random, b = 1, 5, 13, 39, 40"),
        Probe(SETUP + """
G = np.random.default_rng(3).normal(size=(25, 3)) + 5.0
value = minibatch_noise(G, 6, 200, np.random.default_rng(11))
result = (type(value).__name__, value)
""", rtol=1e-8, label="gradients with a large mean"),
        Probe(SETUP + """
G = np.random.default_rng(5).normal(size=(12, 4)).astype(np.float32)
result = minibatch_noise(G, 4, 30, np.random.default_rng(0))
""", rtol=1e-5, label="float32"),
    ],
    "batch_investigation": [
        rate_probe('found["ratio"]', "best[10] - best[1]", "the median ratio best(10) / best(1)"),
        rate_probe('np.median(found["best_1"])', "best[1]", "the median best rate of batch 1"),
        rate_probe('np.median(found["best_10"])', "best[10]", "the median best rate of batch 10"),
        Probe(SETUP + """
found = batch_investigation()
own = [min(LRS, key=lambda lr: final_loss(b, lr, 2)) for b in (1, 10)]
result = (own == [found["best_1"][2], found["best_10"][2]],
          found["ratio"] == float(np.median(np.array(found["best_10"]) / np.array(found["best_1"]))))
""", label="the answers follow your own final_loss (seed 2) and best rates"),
        Probe(SETUP + "result = [final_loss(4, 1.0, 7), final_loss(8, 2.0, 5), final_loss(2, 100.0, 1)]\n", rtol=1e-9,
              label="final_loss at other batch sizes, rates and seeds, a diverging one too"),
    ],
    "predict_noise_ratio": [prediction("predict_noise_ratio()", 1)],
    "predict_full_batch_rate": [prediction("predict_full_batch_rate()")],
    "predict_per_update_winner": [prediction("predict_per_update_winner()", 0)],
}
