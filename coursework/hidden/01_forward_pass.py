"""Hidden tests of lesson 01, as probes judged by the trusted grader (see coursework/probes.py).

PUBLIC mirrors each public check cell's inputs; HIDDEN tries other shapes, float32, extreme
values and other seeds. Probes hold inputs only: the grader runs the same code on the solutions.
"""

from probes import Probe, prediction

SETUP = "import numpy as np\nimport nnlearn as nl\n"

NETWORKS = SETUP + """
def as_layers(net, names):
    linears = [m for m in net if isinstance(m, nl.Linear)]
    return [(m.weight.data, m.bias.data, name) for m, name in zip(linears, names)]

def error_of(call):
    try:
        call()
    except Exception as error:
        return (type(error).__name__, str(error))
    return None
"""


PUBLIC = {
    "neuron": [Probe(SETUP + """
x = np.array([[1.0, 2.0, 0.0, -1.0], [0.5, -0.5, 1.0, 2.0], [0.0, 0.0, 0.0, 0.0]])
w = np.array([0.5, -0.25, 1.0, 0.75])
a32 = neuron(x.astype(np.float32), w.astype(np.float32), np.float32(0.5))
result = (neuron(x, w, 0.5), neuron(np.array([[1.0, 2.0]]), np.array([0.5, -0.25]), 0.0), a32,
          neuron(np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([400.0, 400.0]), 0.0))
""", rtol=1e-6, atol=1e-9)],
    "forward": [Probe(NETWORKS + """
rng = np.random.default_rng(1)
net = nl.Sequential(nl.Linear(3, 4, rng=rng), nl.ReLU(), nl.Linear(4, 2, rng=rng))
layers = as_layers(net, ["relu", "identity"])
X = rng.normal(size=(5, 3))
kept = X.copy()
output, shapes = forward(X, layers)
tanh_net = nl.Sequential(nl.Linear(3, 2, rng=rng), nl.Tanh(), nl.Linear(2, 6, rng=rng), nl.Sigmoid())
tanh_output = forward(X, as_layers(tanh_net, ["tanh", "sigmoid"]))[0]
net32 = nl.Sequential(nl.Linear(3, 4, rng=rng, dtype=np.float32), nl.ReLU(), nl.Linear(4, 2, rng=rng, dtype=np.float32))
output32 = forward(X.astype(np.float32), as_layers(net32, ["relu", "identity"]))[0]
big = forward(np.array([[2.0], [-2.0]]), [(np.array([[400.0]]), np.zeros(1), "sigmoid")])[0]
error = error_of(lambda: forward(X, [layers[1]]))
big_tanh = [forward(np.array([[2.0], [-2.0]], dtype=dtype), [(np.array([[scale]], dtype=dtype), np.zeros(1, dtype=dtype),
                                                              "tanh")])[0]
            for dtype, scale in ((np.float64, 400.0), (np.float32, 200.0))]
result = (output, [tuple(s) for s in shapes], X.tobytes() == kept.tobytes(), tanh_output, output32, big,
          error[0] if error else None, bool(error) and "layer 1" in error[1], big_tanh)
""", rtol=1e-6, atol=1e-9)],
    "predict_distance": [prediction("predict_distance()", 2)],
    "predict_relu_output": [prediction("predict_relu_output()", 2)],
    "predict_parameters": [prediction("predict_parameters()", 0)],
}

HIDDEN = {
    "neuron": [
        Probe(SETUP + """
rng = np.random.default_rng(12)
x, w = rng.normal(size=(6, 5)), rng.normal(size=5)
result = (neuron(x, w, -0.7), neuron(x[:1], w, 2.5), neuron(np.array([[3.0]]), np.array([-2.0]), 1.0))
""", rtol=1e-9, label="N=6, D=5; N=1; D=1"),
        Probe(SETUP + """
x = np.array([[1.0, 1.0], [-1.0, -1.0], [0.0, 0.0]])
result = neuron(x, np.array([400.0, 400.0]), 0.0)
""", label="saturated: z = +-800"),
        Probe(SETUP + """
rng = np.random.default_rng(13)
x32, w32 = rng.normal(size=(4, 7)).astype(np.float32), rng.normal(size=7).astype(np.float32)
a = neuron(x32, w32, np.float32(0.25))
result = (a, str(np.asarray(a).dtype), np.asarray(a).shape)
""", rtol=1e-5, label="float32, (4, 7)"),
    ],
    "forward": [
        Probe(NETWORKS + """
rng = np.random.default_rng(7)
net = nl.Sequential(nl.Linear(6, 5, rng=rng), nl.Tanh(), nl.Linear(5, 8, rng=rng), nl.ReLU(),
                    nl.Linear(8, 3, rng=rng))
X = rng.normal(size=(9, 6))
output, shapes = forward(X, as_layers(net, ["tanh", "relu", "identity"]))
result = (output, [tuple(s) for s in shapes], [type(s).__name__ for s in shapes])
""", rtol=1e-9, label="three layers, 9 x 6 input; each shape a tuple, as the check cell asks"),
        Probe(NETWORKS + """
rng = np.random.default_rng(8)
net = nl.Sequential(nl.Linear(4, 2, rng=rng), nl.Sigmoid())
one = forward(rng.normal(size=(1, 4)), as_layers(net, ["sigmoid"]))
net2 = nl.Sequential(nl.Linear(2, 3, rng=rng), nl.LeakyReLU(0.0), nl.Linear(3, 1, rng=rng))
X = rng.normal(size=(11, 2)) * 50
two = forward(X, as_layers(net2, ["relu", "identity"]))
result = (one[0], [tuple(s) for s in one[1]], two[0], [tuple(s) for s in two[1]])
""", rtol=1e-9, label="N = 1; a (N, 1) output; large inputs"),
        Probe(NETWORKS + """
rng = np.random.default_rng(9)
net = nl.Sequential(nl.Linear(5, 4, rng=rng, dtype=np.float32), nl.ReLU(), nl.Linear(4, 3, rng=rng, dtype=np.float32))
X = rng.normal(size=(6, 5)).astype(np.float32)
output, shapes = forward(X, as_layers(net, ["relu", "identity"]))
result = (output, str(np.asarray(output).dtype))
""", rtol=1e-5, label="float32 stays float32"),
        Probe(NETWORKS + """
rng = np.random.default_rng(10)
W1, b1 = rng.normal(size=(3, 4)), rng.normal(size=4)
W2, b2 = rng.normal(size=(5, 2)), rng.normal(size=2)
X = rng.normal(size=(4, 3))
error = error_of(lambda: forward(X, [(W1, b1, "relu"), (W2, b2, "identity")]))
result = (error[0] if error else None, bool(error) and "layer 2" in error[1])
""", label="a W that does not fit the second layer"),
        Probe(NETWORKS + """
rng = np.random.default_rng(11)
layers = [(rng.normal(size=(4, 3)), rng.normal(size=3), "tanh"), (rng.normal(size=(3, 2)), rng.normal(size=2), "relu"),
          (rng.normal(size=(2, 1)), rng.normal(size=1), "identity")]
error = error_of(lambda: forward(rng.normal(size=(6, 5)), layers))
result = (error[0] if error else None, bool(error) and "layer 1" in error[1])
""", label="X that does not fit the first of three layers"),
        Probe(NETWORKS + """
rng = np.random.default_rng(12)
X = rng.normal(size=(7, 3)) * 300
layers = [(rng.normal(size=(3, 4)), rng.normal(size=4), "sigmoid"), (rng.normal(size=(4, 2)) * 500, np.zeros(2), "sigmoid")]
output, shapes = forward(X, layers)
X32 = X.astype(np.float32)
layers32 = [(W.astype(np.float32), b.astype(np.float32), a) for W, b, a in layers]
output32 = forward(X32, layers32)[0]
result = (output, output32, str(np.asarray(output32).dtype))
""", rtol=1e-6, atol=1e-9, label="sigmoids of large z, float64 and float32"),
        Probe(NETWORKS + """
rng = np.random.default_rng(13)
X = rng.normal(size=(6, 3)) * 300
layers = [(rng.normal(size=(3, 4)), rng.normal(size=4), "tanh"), (rng.normal(size=(4, 2)) * 500, np.zeros(2), "tanh")]
output = forward(X, layers)[0]
output32 = forward(X.astype(np.float32), [(W.astype(np.float32), b.astype(np.float32), a) for W, b, a in layers])[0]
result = (output, output32, str(np.asarray(output32).dtype))
""", rtol=1e-6, atol=1e-9, label="tanh of large z (beyond +-400), float64 and float32"),
    ],
    "predict_distance": [prediction("predict_distance()", 2)],
    "predict_relu_output": [prediction("predict_relu_output()", 2)],
    "predict_parameters": [prediction("predict_parameters()", 0)],
}

# The investigation (spread_exponent): each exponent is judged within half the range of the solution's own
# five per-seed slopes (Probe.spread); output_spread itself is a definite measurement, judged closely.
SLOPES = """
fans = (4, 16, 64, 256, 1024)
slopes = [np.polyfit(np.log(fans), np.log([output_spread(n, seed, {init!r}) for n in fans]), 1)[0] for seed in range(5)]
tolerance = (max(slopes) - min(slopes)) / 2
"""
PUBLIC["spread_exponent"] = [Probe(SETUP + """
rng = np.random.default_rng(7)
x = rng.normal(size=(500, 16))
fans = (4, 16, 64, 256, 1024)
own = [float(np.median([np.polyfit(np.log(fans), np.log([output_spread(n, seed, init) for n in fans]), 1)[0]
                        for seed in range(5)])) for init in ("normal", "nl.Linear")]
result = (output_spread(16, 7, "normal"), output_spread(16, 7, "nl.Linear"),
          [bool(abs(spread_exponent(init) - o) < 1e-9) for init, o in zip(("normal", "nl.Linear"), own)])
""", rtol=1e-9, label="the check cell's spreads, and the exponents' consistency")]
HIDDEN["spread_exponent"] = [
    Probe(SETUP + "result = [output_spread(3, 11, 'normal'), output_spread(300, 12, 'nl.Linear'), output_spread(1, 0, 'normal')]",
          rtol=1e-9, label="other fan-ins and seeds"),
    Probe(SETUP + "result = spread_exponent('normal')", rtol=0.0, spread=SLOPES.format(init="normal"),
          label="weights of standard deviation 1: the exponent, within the solution's spread over seeds"),
    Probe(SETUP + "result = spread_exponent('nl.Linear')", rtol=0.0, spread=SLOPES.format(init="nl.Linear"),
          label="nl.Linear's initialisation: the exponent, within the solution's spread over seeds"),
]
# The spread above is what the seeds allow a right method; the method itself (the median of the per-seed
# slopes of the learner's own output_spread) is exact, so it is judged hidden too: a mean of the slopes
# lands inside the spread and must still not earn these points.
HIDDEN["spread_exponent"].append(PUBLIC["spread_exponent"][0])
