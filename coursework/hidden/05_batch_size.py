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

PUBLIC = {
    "minibatches": [Probe(SETUP + """
Xm = np.arange(69.0).reshape(23, 3)
ym = np.arange(23) * 10
X_copy, y_copy = Xm.copy(), ym.copy()
batches = minibatches(Xm, ym, 5, np.random.default_rng(2))
result = ([xb for xb, yb in batches], [yb for xb, yb in batches],
          bool(np.array_equal(Xm, X_copy) and np.array_equal(ym, y_copy)),
          [len(minibatches(Xm, ym, size, np.random.default_rng(1))) for size in (1, 22, 23, 40)])
""")],
    "noise": [Probe(SETUP + f"""
Gs = {GS}
value = minibatch_noise(np.array([[1.0], [-1.0]]), 1, 50, np.random.default_rng(0))
result = (type(value).__name__, value, minibatch_noise(Gs, 10, 20, np.random.default_rng(0)),
          minibatch_noise(Gs, 3, 500, np.random.default_rng(0)), minibatch_noise(Gs, 8, 500, np.random.default_rng(0)))
""", rtol=1e-8, atol=1e-12)],
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
    "predict_noise_ratio": [prediction("predict_noise_ratio()", 1)],
    "predict_full_batch_rate": [prediction("predict_full_batch_rate()")],
    "predict_per_update_winner": [prediction("predict_per_update_winner()", 0)],
}
