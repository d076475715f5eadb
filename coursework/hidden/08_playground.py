"""Hidden tests of lesson 08, as probes judged by the trusted grader (see coursework/probes.py)."""

from probes import Probe, prediction

SETUP = "import numpy as np\n"


# The investigation (fit_investigation): each median is judged within the spread of the solution's own runs
# over the five seeds the spec names (two standard errors, at least 0.02), computed on the grader's side.
def fit_probe(hidden):
    return Probe(SETUP + f"result = float(fit_investigation()[{hidden!r}])\n", atol=0.0, label=f"median test R^2, hidden {hidden}",
                 spread=SETUP + f"""
runs = [test_r2({hidden!r}, seed) for seed in range(5)]
tolerance = max(2 * float(np.std(runs)) / np.sqrt(5), 0.02)
""")


FIT_PUBLIC = SETUP + """
found = fit_investigation()
own = {hidden: float(np.median([test_r2(hidden, seed) for seed in range(5)])) for hidden in ((), (8,))}
result = (test_r2((8,), 3, epochs=5), sorted(found), [type(v).__name__ for v in found.values()],
          [found[hidden] == own[hidden] for hidden in own], test_r2((), 0))
"""

PUBLIC = {
    "r_squared": [Probe(SETUP + """
t = np.array([1.0, 2.0, 4.0, 5.0, 8.0])
p = np.array([1.5, 2.5, 3.0, 5.5, 7.0])
p_before, t_before = p.copy(), t.copy()
result = [r_squared(t, t), r_squared(np.full(5, t.mean()), t), r_squared(p, t),
          p.tobytes() == p_before.tobytes() and t.tobytes() == t_before.tobytes(),
          r_squared(p.reshape(-1, 1), t), r_squared(p, t.reshape(-1, 1)), r_squared(p.reshape(-1, 1), t.reshape(-1, 1)),
          r_squared(list(p), list(t)), r_squared(-t, t), r_squared([3.0, 3.0, 3.0], [2.0, 2.0, 2.0]),
          r_squared([0.2, 0.1, 0.0], [0.1, 0.1, 0.1])]
result.append(type(result[2]).__name__)
""")],
    "fit_investigation": [Probe(FIT_PUBLIC, rtol=1e-9)],
    "predict_circle_without_layers": [prediction("predict_circle_without_layers()")],
    "predict_xor_feature": [prediction("predict_xor_feature()")],
}

HIDDEN = {
    "r_squared": [
        Probe(SETUP + """
rng = np.random.default_rng(8)
t = rng.normal(size=37)
p = t + 0.3 * rng.normal(size=37)
result = [r_squared(p, t), r_squared(p.reshape(-1, 1), t.reshape(-1, 1)), r_squared(p, t.reshape(-1, 1)),
          r_squared(list(p), list(t)), r_squared(p.astype(np.float32), t)]
""", rtol=1e-6, label="37 random points, every shape combination, lists, float32"),
        Probe(SETUP + """
t = np.array([2.0, 4.0, 6.0])
p_before = np.array([2.0, 5.0, 6.0]); t_before = t.copy()
value = r_squared(p_before, t)
result = (value, np.array_equal(t, t_before), r_squared(np.zeros(3), t), r_squared(t[::-1], t),
          r_squared(np.arange(4.0), np.full(4, 7.0)))
""", label="three points by hand; inputs untouched; worse than the mean"),
        Probe(SETUP + """
import nnlearn as nl
from nnlearn.playground import Playground, Config
pg = Playground(Config(dataset="plane", loss="mse", n_points=200))
for _ in range(3):
    pg.step()
result = r_squared(pg.model(pg.inputs_test), pg.y_test)
""", rtol=1e-9, label="a playground network's test predictions"),
        Probe(SETUP + """
values = [r_squared(np.zeros((7, 1)), np.full((7, 1), 0.7)), r_squared(np.arange(6.0), np.full(6, 1.1)),
          r_squared(np.arange(3.0), np.full(3, 1e8 + 0.1)), r_squared(np.ones(4, dtype=np.float32), np.full(4, 2, dtype=np.int64))]
result = [type(v).__name__ for v in values] + [bool(np.isnan(v)) for v in values]
""", label="constant targets whose squares about the mean do not round to 0: seven 0.7's (N, 1), six 1.1's, 1e8 + 0.1; integers"),
    ],
    "fit_investigation": [fit_probe(hidden) for hidden in ((), (8,), (4, 2), (8, 8))] + [
        Probe(SETUP + "result = test_r2((3,), 7, epochs=4)\n", rtol=1e-9, label="test_r2 at another width, seed and budget"),
        Probe(SETUP + "result = test_r2((4, 2), 2)\n", rtol=1e-9, label="test_r2 with the default epochs (30)"),
        Probe(SETUP + """
found = fit_investigation()
result = [found[hidden] == float(np.median([test_r2(hidden, seed) for seed in range(5)])) for hidden in ((), (4, 2), (8, 8))]
""", label="every median is the median of your own test_r2 over seeds 0-4")],
    "predict_circle_without_layers": [prediction("predict_circle_without_layers()")],
    "predict_xor_feature": [prediction("predict_xor_feature()")],
}
