"""Hidden tests of lesson 08, as probes judged by the trusted grader (see coursework/probes.py)."""

from probes import Probe, prediction

SETUP = "import numpy as np\n"


PUBLIC = {
    "r_squared": [Probe(SETUP + """
t = np.array([1.0, 2.0, 4.0, 5.0, 8.0])
p = np.array([1.5, 2.5, 3.0, 5.5, 7.0])
result = [r_squared(t, t), r_squared(np.full(5, t.mean()), t), r_squared(p, t), r_squared(p.reshape(-1, 1), t),
          r_squared(-t, t), r_squared([3.0, 3.0, 3.0], [2.0, 2.0, 2.0])]
result.append(type(result[2]).__name__)
""")],
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
    ],
    "predict_circle_without_layers": [prediction("predict_circle_without_layers()")],
    "predict_xor_feature": [prediction("predict_xor_feature()")],
}
