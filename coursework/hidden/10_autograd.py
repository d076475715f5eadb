"""Hidden tests of lesson 10, as probes judged by the trusted grader (see coursework/probes.py).

Never released to students: `python coursework/student_copy.py` leaves coursework/ out.
"""

from probes import Probe, prediction

SETUP = "import numpy as np\nimport nnlearn as nl\nfrom nnlearn import autograd\n"

# Runs nnlearn's backward pass over a graph the learner's Value built (it reads only _prev and _local).
VALUE = SETUP + """
def run(build, *inputs):
    leaves = [Value(v) for v in inputs]
    out = build(*leaves)
    for _ in autograd.backward_steps(out):
        pass
    return [out.data] + [leaf.grad for leaf in leaves]
"""

# Graphs of nnlearn's Values for the learner's backward, and their inputs' gradients.
BACKWARD = SETUP + """
from nnlearn.experiments import autograd_graphs

def shared_graph(a=0.7, b=-1.3):
    a, b = autograd.Value(a), autograd.Value(b)
    h = (a * b).tanh()
    t = (h * 2.0 + a).tanh()
    return (h + t * b - a) ** 2, [a, b]

def leaves_of(root):                 # nnlearn's topological_order refuses to run here (FORBIDDEN)
    seen_ids, leaves, pending_values = set(), [], [root]
    while pending_values:
        value = pending_values.pop()
        if id(value) not in seen_ids:
            seen_ids.add(id(value))
            pending_values.extend(value._prev)
            if not value._prev:
                leaves.append(value)
    return leaves

def grads(build):
    root, inputs = build()
    backward(root)
    return [v.grad for v in inputs]
"""

MLP = SETUP + """
def loss_and_grads(sizes, seed, n):
    rng = np.random.default_rng(seed)
    model = nl.mlp(sizes, activation="tanh", rng=seed)
    X, y = rng.normal(size=(n, sizes[0])), rng.normal(size=(n, sizes[-1]))
    layers = as_values(model)
    loss = mlp_loss(layers, X, y)
    backward(loss)
    return [float(loss.data), [p.grad for p in parameters(layers)]]
"""

TRAIN = SETUP + """
def train(sizes, seed, n, lr, steps):
    X, labels = nl.data.moons(n, rng=seed)
    y = np.eye(sizes[-1])[labels] if sizes[-1] > 1 else labels.reshape(-1, 1).astype(float)
    X_before = X.copy()
    layers = as_values(nl.mlp(sizes, activation="tanh", rng=seed))
    losses = train_values(layers, X, y, lr=lr, steps=steps)
    return [[float(v) for v in losses], [p.data for p in parameters(layers)], X.tobytes() == X_before.tobytes()]
"""

COSTS = SETUP + "from nnlearn.experiments import scalar_costs\n"

# The investigation: the call counts repeat exactly (they do not depend on the seed), but two correct
# Value classes make different numbers of calls; the tolerance is 1.5 times the largest difference
# between the solution's measurement and the same one with nnlearn's reference Value
# (scalar_costs.call_counts, which runs scalar_costs.value_step).
WIDTHS = (2, 4, 8, 16)
REFERENCE = COSTS + f"""
widths = {WIDTHS!r}
counts = [scalar_costs.call_counts(width, 0, hidden_layers=2) for width in widths]
reference = [scalar / tensor for scalar, tensor, _, _ in counts]
found = cost_investigation()
"""
SPREAD_OF_RATIOS = REFERENCE + """
tolerance = max(0.1, 1.5 * float(np.max(np.abs(np.log10(reference) - np.log10(found["ratios"])))))
"""
SPREAD_OF_EXPONENT = REFERENCE + """
tolerance = max(0.05, 1.5 * abs(scalar_costs.growth_exponent(widths, reference) - found["exponent"]))
"""

# nnlearn's own backward pass refuses to run while the learner's is graded (the exercise says so),
# and the learner's Value is their own class, not nnlearn's or a subclass of it.
OWN_BACKWARD = ["nnlearn.autograd:Value.backward", "nnlearn.autograd:backward_steps",
                "nnlearn.autograd:topological_order"]
FORBIDDEN = {"backward": OWN_BACKWARD, "mlp_loss": OWN_BACKWARD, "train_values": OWN_BACKWARD}
OWN_VALUE = Probe(SETUP + """
result = [getattr(cls, "__module__", "").split(".")[0] == "nnlearn" for cls in Value.__mro__]
""")

PUBLIC = {
    "predict_shared_grad": [prediction("predict_shared_grad()", 0)],
    "predict_calls_growth": [prediction("predict_calls_growth()")],
    "value": [Probe(VALUE + """
x = Value(np.float32(1.5))
a, b = Value(2.0), Value(-3.0)
product = a * b
cases = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a ** 3, lambda a, b: a ** -1.5, lambda a, b: -a,
         lambda a, b: a - b, lambda a, b: a.tanh(), lambda a, b: a.relu(), lambda a, b: a.exp(), lambda a, b: a.log(),
         lambda a, b: a * a, lambda a, b: 2 * a + b * 0.5, lambda a, b: 1 - a + (b + 3)]
result = ([type(x.data) is float, x.grad == 0.0, x._prev == (), x._local == ()],
          [product._prev == (a, b), a.data, b.data],
          [run(build, 0.7, -1.3) for build in cases], [run(build, 0.4, 2.0) for build in cases],
          run(lambda a, b: a.relu(), 0.0, 1.0))
""", rtol=1e-12, atol=1e-15)],
    "backward": [Probe(BACKWARD + """
def neuron():
    root = autograd_graphs.neuron()
    return root, leaves_of(root)
a = autograd.Value(3.0)
backward(a * a)
root, inputs = shared_graph()
inputs[0].grad = 0.5
backward(root)
result = (grads(neuron), grads(shared_graph), a.grad, [v.grad for v in inputs], [v.data for v in inputs])
""", rtol=1e-12, atol=1e-15)],
    "mlp_loss": [Probe(SETUP + """
rng = np.random.default_rng(4)
model = nl.mlp([3, 4, 2], activation="tanh", rng=4)
X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
X_before = X.copy()
layers = as_values(model)
loss = mlp_loss(layers, X, y)
backward(loss)
result = (float(loss.data), [p.grad for p in parameters(layers)], X.tobytes() == X_before.tobytes())
""", rtol=1e-9, atol=1e-12)],
    "train_values": [Probe(SETUP + """
X, labels = nl.data.moons(12, rng=2)
y = labels.reshape(-1, 1).astype(float)
X_before = X.copy()
layers = as_values(nl.mlp([2, 4, 1], activation="tanh", rng=1))
losses = train_values(layers, X, y, lr=0.5, steps=4)
stale = as_values(nl.mlp([2, 4, 1], activation="tanh", rng=1))
for p in parameters(stale):
    p.grad = 0.7
result = ([float(v) for v in losses], parameters(layers)[0].data, X.tobytes() == X_before.tobytes(),
          [float(v) for v in train_values(stale, X, y, lr=0.5, steps=4)])
""", rtol=1e-10, atol=1e-13)],
    "cost_investigation": [Probe(COSTS + """
found = cost_investigation()
ratios = found["ratios"]
model, X, y = scalar_costs.problem(4, seed=0, hidden_layers=2)
layers = as_values(model)
_, scalar_calls = scalar_costs.count_calls(train_values, layers, X, y, 0.1, 1)
optimizer = nl.optim.SGD(model.parameters(), lr=0.1)
_, tensor_calls = scalar_costs.count_calls(nl.train_step, model, nl.MSELoss(), optimizer, X, y)
result = (len(ratios), all(isinstance(r, float) for r in ratios), bool(all(np.diff(ratios) > 0) and min(ratios) > 10),
          abs(found["exponent"] - scalar_costs.growth_exponent((2, 4, 8, 16), ratios)) < 1e-9,
          abs(ratios[1] / (scalar_calls / tensor_calls) - 1) < 1e-3)
""")],
}

HIDDEN = {
    "predict_shared_grad": [prediction("predict_shared_grad()", 0)],
    "predict_calls_growth": [prediction("predict_calls_growth()")],
    "value": [OWN_VALUE,
        Probe(VALUE + """
cases = [lambda a, b: a ** 2, lambda a, b: a ** 0.5, lambda a, b: a - 2, lambda a, b: 3 - a, lambda a, b: a + a,
         lambda a, b: -(a * b), lambda a, b: 2.5 * a, lambda a, b: 1 + a]
result = [run(build, 1.7, -0.2) for build in cases]
""", rtol=1e-12, atol=1e-15, label="other exponents, numbers on the left and right, a value used twice"),
        Probe(VALUE + """
result = [run(lambda a: a.tanh(), v) for v in (-3.0, 0.0, 20.0)] + [run(lambda a: a.relu(), v) for v in (-2.0, 0.0, 1e-300)] \\
       + [run(lambda a: a.exp(), v) for v in (-5.0, 0.0, 2.0)] + [run(lambda a: a.log(), v) for v in (1e-3, 1.0, 50.0)]
""", rtol=1e-12, atol=1e-15, label="tanh, relu, exp, log over their ranges; relu at 0 and just above"),
        Probe(VALUE + """
result = run(lambda a, b: ((a * b).tanh() + a.exp() - b.log()) ** 2 * a.relu() + (a - b) * (b - a), 0.3, 1.7)
""", rtol=1e-12, atol=1e-15, label="a composite expression"),
        Probe(SETUP + """
x, y = Value(3), Value(np.float32(0.25))
z = x * y
w = x + 1
result = [type(x.data) is float, type(y.data) is float, x.data, y.data, z._prev[0] is x, z._prev[1] is y,
          type(w._prev[1]).__name__, w._prev[1].data, x.grad, z.grad, list(z._local), list((x + x)._local)]
""", rtol=1e-12, label="ints and float32 stored as float; numbers wrapped as Values; operands unchanged"),
    ],
    "backward": [
        Probe(BACKWARD + """
def network():
    root = autograd_graphs.two_layer()
    return root, leaves_of(root)
result = [grads(network), grads(lambda: shared_graph(-0.4, 2.1)), grads(lambda: shared_graph(1.1, 0.6))]
""", rtol=1e-12, atol=1e-15, label="a 2-2-1 network on one example; values used twice, other inputs"),
        Probe(BACKWARD + """
def diamond():
    a = autograd.Value(0.5)
    b = a.exp()
    c = b * b + b.tanh()
    d = (c * a + b) * c
    return d, [a]
def chain():
    a, total = autograd.Value(0.01), autograd.Value(0.0)
    for k in range(300):
        total = total + a * float(k % 7)
    return total.tanh(), [a]
result = [grads(diamond), grads(chain)]
""", rtol=1e-12, atol=1e-15, label="a diamond (b used three times, c twice); a chain of 600 operations"),
        Probe(BACKWARD + """
root, inputs = shared_graph(0.2, 0.9)
inputs[0].grad, inputs[1].grad = -1.0, 2.0
backward(root)
leaf = autograd.Value(4.0)
backward(leaf)
result = [[v.grad for v in inputs], [v.data for v in inputs], leaf.grad, root.grad]
""", rtol=1e-12, atol=1e-15, label="adds to gradients already there; a lone leaf; data unchanged"),
    ],
    "mlp_loss": [
        Probe(MLP + "result = loss_and_grads([2, 3, 3, 1], 7, 6)\n", rtol=1e-9, atol=1e-12,
              label="two hidden layers (tanh between every pair), N = 6"),
        Probe(MLP + "result = loss_and_grads([4, 2, 3], 8, 1)\n", rtol=1e-9, atol=1e-12,
              label="one example, 3 outputs"),
    ],
    "train_values": [
        Probe(TRAIN + "result = train([2, 3, 2], 5, 10, 0.2, 3)\n", rtol=1e-10, atol=1e-13,
              label="2 outputs, 3 steps, another seed"),
        Probe(TRAIN + "result = train([2, 5, 1], 6, 9, 1.0, 6)\n", rtol=1e-9, atol=1e-12,
              label="6 steps at lr 1"),
        Probe(TRAIN + "result = train([2, 2, 1], 3, 5, 0.1, 0)\n", label="0 steps: no losses, nothing changes"),
        Probe(SETUP + """
X, labels = nl.data.moons(8, rng=4)
y = labels.reshape(-1, 1).astype(float)
layers = as_values(nl.mlp([2, 3, 1], activation="tanh", rng=4))
for p in parameters(layers):
    p.grad = -1.3                                    # left over from an earlier backward pass
result = [float(v) for v in train_values(layers, X, y, lr=0.3, steps=3)]
""", rtol=1e-10, atol=1e-13, label="layers arriving with gradients left from an earlier backward pass"),
    ],
    "cost_investigation": [
        Probe(COSTS + "result = [float(v) for v in np.log10(cost_investigation()['ratios'])]\n", atol=0.0,
              spread=SPREAD_OF_RATIOS, label="log10 of the four call ratios, scalar over tensor, two hidden layers"),
        Probe(COSTS + "result = float(cost_investigation()['exponent'])\n", atol=0.0,
              spread=SPREAD_OF_EXPONENT, label="the exponent of the ratio's growth with the width"),
        Probe(COSTS + """
ratios = cost_investigation()["ratios"]
result = []
for index, width in ((2, 8), (3, 16)):       # the counts repeat exactly: the answer's own classes, counted as the spec says
    model, X, y = scalar_costs.problem(width, seed=0, hidden_layers=2)
    layers = as_values(model)
    _, scalar_calls = scalar_costs.count_calls(train_values, layers, X, y, 0.1, 1)
    optimizer = nl.optim.SGD(model.parameters(), lr=0.1)
    _, tensor_calls = scalar_costs.count_calls(nl.train_step, model, nl.MSELoss(), optimizer, X, y)
    result.append(bool(abs(ratios[index] / (scalar_calls / tensor_calls) - 1) < 1e-3))
""", label="widths 8 and 16: each ratio is the answer's own one-step counts, layers and optimizer built before counting"),
        Probe(COSTS + """
found = cost_investigation()
result = bool(abs(found["exponent"] - scalar_costs.growth_exponent((2, 4, 8, 16), found["ratios"])) < 1e-9)
""", label="the exponent is the least-squares slope of the answer's own ratios (an exponent from two ratios "
           "lands inside the spread above)"),
    ],
}
