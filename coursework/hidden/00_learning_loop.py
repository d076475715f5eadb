"""Hidden tests of lesson 00, as probes judged by the trusted grader (see coursework/probes.py).

Never released to students: `python coursework/student_copy.py` leaves coursework/ out.
"""

from probes import Probe, prediction

SETUP = "import numpy as np\nimport nnlearn as nl\n"


FIT_PUBLIC = SETUP + """
Xf, yf = nl.data.moons(60, rng=3)
r = np.random.default_rng(5)
model = nl.Sequential(nl.Linear(2, 8, rng=r), nl.ReLU(), nl.Linear(8, 2, rng=r))
steps, epochs = my_fit(model, nl.CrossEntropyLoss(), nl.optim.SGD(model.parameters(), lr=0.5),
                       Xf, yf, epochs=3, batch_size=16, rng=np.random.default_rng(1))
result = [([type(v).__name__ for v in list(steps) + list(epochs)], list(steps), list(epochs),
           [p.data for p in model.parameters()])]
for batch_size, epochs, seed in ((None, 2, 2), (20, 2, 3)):       # the full batch; 60 = 3 x 20
    r = np.random.default_rng(5)
    model = nl.Sequential(nl.Linear(2, 8, rng=r), nl.ReLU(), nl.Linear(8, 2, rng=r))
    result.append(my_fit(model, nl.CrossEntropyLoss(), nl.optim.SGD(model.parameters(), lr=0.5),
                         Xf, yf, epochs=epochs, batch_size=batch_size, rng=np.random.default_rng(seed)))
r = np.random.default_rng(5)                                       # arrives with gradients left over
model = nl.Sequential(nl.Linear(2, 8, rng=r), nl.ReLU(), nl.Linear(8, 2, rng=r))
for p in model.parameters():
    p.grad.fill(0.5)
result.append(my_fit(model, nl.CrossEntropyLoss(), nl.optim.SGD(model.parameters(), lr=0.5),
                     Xf, yf, epochs=1, batch_size=16, rng=np.random.default_rng(11)))
"""


def fit_probe(data, network, optimizer, loss, epochs, batch_size, seed, dtype="np.float64", label="", rtol=1e-9):
    return Probe(SETUP + f"""
X, y = {data}
X = X.astype({dtype})
r = np.random.default_rng(4)
model = {network}
steps, epochs = my_fit(model, {loss}, {optimizer}, X, y, epochs={epochs}, batch_size={batch_size},
                       rng=np.random.default_rng({seed}))
result = ([type(v).__name__ for v in list(steps) + list(epochs)], list(steps), list(epochs),
          [p.data for p in model.parameters()])
""", rtol=rtol, atol=1e-10, label=label)


SPIRALS = "nl.data.spirals(90, classes=3, rng=2)"
NET3 = "nl.Sequential(nl.Linear(2, 12, rng=r, dtype={dtype}), nl.Tanh(), nl.Linear(12, 3, rng=r, dtype={dtype}))"
ADAM = "nl.optim.Adam(model.parameters(), lr=0.02)"
SGD = "nl.optim.SGD(model.parameters(), lr=0.1)"
CE = "nl.CrossEntropyLoss()"

# The course's own versions of what an exercise asks to write refuse to run while its probes run
# (the exercise says so): sgd_update is not nl.optim.SGD(...).step(), my_fit is not nl.fit.
FORBIDDEN = {
    "sgd_update": ["nnlearn.optim:Optimizer.step", "nnlearn.optim:SGD._update"],
    "fit": ["nnlearn.train:fit", "nnlearn.train:train_step"],
}

PUBLIC = {
    "sgd_update": [Probe(SETUP + """
w = nl.Parameter(np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 0.5]]))
w.grad[...] = [[0.5, -1.0], [2.0, 0.0], [-3.0, 1.0]]
b = nl.Parameter(np.array([0.0, 1.0, 2.0]))
b.grad[...] = [2.0, -2.0, 0.5]
w_array, b_array = w.data, b.data
sgd_update([w, b], lr=0.1)
p32 = nl.Parameter(np.ones((2, 3), dtype=np.float32))
p32.grad[...] = np.arange(6).reshape(2, 3)
array32 = p32.data
sgd_update([p32], lr=0.5)
result = (w_array, b_array, w.grad, w.data is w_array and b.data is b_array, p32.data)
""")],
    "fit": [Probe(FIT_PUBLIC)],
    "predict_best_sgd_rate": [prediction("predict_best_sgd_rate()", 2)],
    "predict_circles_accuracy": [prediction("predict_circles_accuracy()")],
}

HIDDEN = {
    "sgd_update": [
        Probe(SETUP + """
rng = np.random.default_rng(7)
model = nl.Sequential(nl.Linear(3, 4, rng=1), nl.Tanh(), nl.Linear(4, 2, rng=2))
for p in model.parameters():
    p.grad[...] = rng.normal(size=p.shape)
arrays = [p.data for p in model.parameters()]
sgd_update(model.parameters(), 0.03)
result = [(a, p.grad, p.data is a) for p, a in zip(model.parameters(), arrays)]
""", rtol=1e-12, label="a network's parameters, in place"),
        Probe(SETUP + """
p32 = nl.Parameter(np.ones((2, 5), dtype=np.float32)); p32.grad[...] = np.arange(10).reshape(2, 5)
array = p32.data
sgd_update([p32], 0.5)
q = nl.Parameter(np.array([3.0])); q.grad[...] = 5.0
sgd_update([q], 0.0)
sgd_update([], 0.1)
result = (array, p32.data is array, q.data)
""", rtol=1e-6, label="float32 (2, 5), lr 0, no parameters"),
        Probe(SETUP + """
model = nl.Sequential(nl.Linear(2, 3, rng=0))
opt = nl.optim.SGD(model.parameters(), lr=0.2)
X = np.array([[1.0, -2.0], [0.5, 0.0], [3.0, 1.0], [-1.0, -1.0]]); y = np.array([0, 2, 1, 1])
loss_fn = nl.CrossEntropyLoss()
for _ in range(3):
    loss_fn(model(X), y); opt.zero_grad(); model.backward(loss_fn.backward())
    sgd_update(model.parameters(), 0.2)
result = [p.data for p in model.parameters()]
""", rtol=1e-10, label="three updates through a model (the model sees the new weights)"),
    ],
    "fit": [
        fit_probe(SPIRALS, NET3.format(dtype="np.float64"), ADAM, CE, 3, 32, 5, label="spirals, Adam, b=32 (32+32+26)"),
        fit_probe(SPIRALS, NET3.format(dtype="np.float64"), SGD, CE, 1, 1, 6, label="b=1, one epoch"),
        fit_probe(SPIRALS, NET3.format(dtype="np.float64"), ADAM, CE, 4, None, 7, label="full batch (None)"),
        fit_probe(SPIRALS, NET3.format(dtype="np.float64"), SGD, CE, 2, 500, 8, label="batch larger than the data"),
        fit_probe(SPIRALS, NET3.format(dtype="np.float64"), SGD, CE, 2, 45, 10,
                  label="a batch size that divides N (45 + 45): no smaller, no empty last batch"),
        fit_probe("nl.data.line_with_outliers(25, rng=1)", "nl.Sequential(nl.Linear(1, 1, rng=r))",
                  "nl.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)", "nl.MSELoss()", 5, 7, 9,
                  label="regression, MSE, momentum, b=7 (7+7+7+4)"),
        fit_probe(SPIRALS, NET3.format(dtype="np.float32"), SGD, CE, 2, 16, 0, dtype="np.float32", rtol=1e-4,
                  label="float32"),
        fit_probe(SPIRALS, "(lambda m: [p.grad.fill(0.5) for p in m.parameters()] and m)(" + NET3.format(dtype="np.float64") + ")",
                  SGD, CE, 1, 30, 11, label="a model that arrives with gradients left over: zeroed before each backward"),
    ],
    "predict_best_sgd_rate": [prediction("predict_best_sgd_rate()", 2)],
    "predict_circles_accuracy": [prediction("predict_circles_accuracy()")],
}

# The investigation (largest_rate): the median is judged within half the range of the solution's own
# per-seed answers over the same seeds (Probe.spread); a single seed's answer is a point of the grid,
# judged exactly (seeds 3 and 9 fail at a rate below the largest that learns: not monotonic).
RATE_SPREAD = """
answers = [largest_rate(seed) for seed in {seeds}]
tolerance = (max(answers) - min(answers)) / 2
"""
PUBLIC["largest_rate"] = [Probe(SETUP + """
from nnlearn.experiments import training_runs
rates = [10 ** (k / 20) for k in range(21)]
result = []
for seed in (0, 3, 11):
    found = largest_rate(seed)
    ok = isinstance(found, float) and any(abs(found - lr) <= 1e-9 * lr for lr in rates)
    result += [bool(ok), bool(ok and training_runs.final_loss("SGD", "moons", found, seed) < 0.3),
               bool(ok and not any(lr > found * (1 + 1e-9) and training_runs.final_loss("SGD", "moons", lr, seed) < 0.3
                                   for lr in rates))]
median = median_largest_rate()
result.append(bool(isinstance(median, float) and abs(median - float(np.median([largest_rate(s) for s in range(5)]))) < 1e-9))
""", label="the check cell's seeds 0, 3 and 11, and the median's consistency")]
HIDDEN["largest_rate"] = [
    Probe(SETUP + "result = [largest_rate(3), largest_rate(9), largest_rate(6), largest_rate(11)]", rtol=1e-9, atol=1e-9,
          label="seeds 3, 9 (a failure below the largest learning rate), 6 and 11 (rate 10 learns): the grid point itself"),
    Probe(SETUP + """
median = median_largest_rate(range(5, 10))
result = bool(isinstance(median, float) and abs(median - float(np.median([largest_rate(s) for s in range(5, 10)]))) < 1e-9)
""", label="the median over seeds 5-9 is the median of the answer's own runs"),
    Probe(SETUP + "result = median_largest_rate()", rtol=0.0, spread=RATE_SPREAD.format(seeds="range(5)"),
          label="the median over seeds 0-4, within half the range of the solution's seeds"),
    Probe(SETUP + "result = median_largest_rate(range(5, 10))", rtol=0.0, spread=RATE_SPREAD.format(seeds="range(5, 10)"),
          label="the median over seeds 5-9, within half the range of the solution's seeds"),
]
