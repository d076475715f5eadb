"""Hidden tests of lesson 06, as probes judged by the trusted grader (see coursework/probes.py).

Never released to students: `python coursework/student_copy.py` leaves coursework/ out.
"""

from probes import Probe, prediction

SETUP = "import math\nimport numpy as np\nimport nnlearn as nl\n"


# MyAdam against nothing but itself: the grader compares the student's weights with the solution's.
ADAM_RUN = SETUP + """
def by_hand(model, opt, X, y, loss_fn):
    loss_fn(model(X), y)
    opt.zero_grad()
    model.backward(loss_fn.backward())
    opt.step()
"""

PUBLIC = {
    "predict_rmsprop_first_step": [prediction("predict_rmsprop_first_step", 2)],
    "predict_momentum_speedup": [prediction("predict_momentum_speedup", 0)],
    "predict_saddle_exact": [prediction("predict_saddle_exact", 0)],
    "predict_deepest": [prediction("predict_deepest")],
    "predict_network_last": [prediction("predict_network_last")],
    "my_adam": [Probe(ADAM_RUN + """
X, y = nl.data.spirals(45, classes=3, rng=2)
model = nl.Sequential(nl.Linear(2, 5, rng=3), nl.Tanh(), nl.Linear(5, 3, rng=4))
opt = MyAdam(model.parameters(), lr=0.05)
before = model[0].weight.data
result = []
for step in range(30):
    by_hand(model, opt, X, y, nl.CrossEntropyLoss())
    if step in (0, 29):
        result.append([p.data.copy() for p in model.parameters()])
result.append(model[0].weight.data is before)
tiny = nl.Parameter(np.zeros((2, 3)))
opt = MyAdam([tiny], lr=0.1)
for _ in range(3):
    tiny.grad[...] = 1e-6 * np.arange(1, 7).reshape(2, 3)
    opt.step()
result.append(tiny.data.copy())
a, b = nl.Parameter(np.array([0.5, -1.0])), nl.Parameter(np.zeros(1))
opt = MyAdam(iter([a, b]), lr=0.1)
for step in range(3):
    a.grad[...] = [1.0, -2.0]
    b.grad[...] = 1.0 if step == 0 else 0.0
    opt.step()
result.append((a.data.copy(), b.data.copy()))
p32 = nl.Parameter(np.ones((2, 2), dtype=np.float32))
data32 = p32.data
opt = MyAdam([p32], lr=0.1)
for step in range(2):
    p32.grad[...] = np.array([[1.0, -2.0], [0.5, 0.0]], dtype=np.float32)
    opt.step()
result.append((p32.data, p32.data is data32))
""", rtol=1e-6, atol=1e-9, label="the public check's runs")],
    "lr_search": [Probe(SETUP + """
X, y = nl.data.spirals(40, classes=3, rng=5)
make = lambda: nl.Sequential(nl.Linear(2, 7, rng=8), nl.Tanh(), nl.Linear(7, 3, rng=9))
result = [learning_rate_search(make, nl.CrossEntropyLoss(), X, y, [0.001, 0.03, 1.0, 300.0], steps=12),
          learning_rate_search(make, nl.MSELoss(), X, np.eye(3)[y], [0.5, 0.05], steps=3, names=["AdamW", "SGD"]),
          learning_rate_search(make, nl.CrossEntropyLoss(), X, y, [1e4, 1e3], steps=1, names=["SGD"])]
X_line = np.random.default_rng(21).normal(size=(30, 3))
line = lambda: nl.Sequential(nl.Linear(3, 1, rng=5))
result.append(learning_rate_search(line, nl.MSELoss(), X_line, X_line @ np.array([[1.0], [-2.0], [0.5]]), [12.0, 0.3],
                                   steps=5, names=["Adam"]))
""", rtol=1e-6, atol=1e-9, label="the public check's searches")],
    "turned_ravine": [
        Probe(SETUP + """
result = [median_steps_to_bottom("RMSprop", 0, 0.1), median_steps_to_bottom("RMSprop", 45, 0.1),
          median_steps_to_bottom("SGD", 45, 10 ** -0.5), median_steps_to_bottom("SGD", 0, 10 ** -0.5, steps=50)]
""", rtol=0, atol=0.5, label="the check cell's four settings"),
    ],
}

HIDDEN = {
    "predict_rmsprop_first_step": [prediction("predict_rmsprop_first_step", 2)],
    "predict_momentum_speedup": [prediction("predict_momentum_speedup", 0)],
    "predict_saddle_exact": [prediction("predict_saddle_exact", 0)],
    "predict_deepest": [prediction("predict_deepest")],
    "predict_network_last": [prediction("predict_network_last")],
    "my_adam": [
        Probe(ADAM_RUN + """
X, y = nl.data.blobs(60, centers=4, rng=11)
model = nl.Sequential(nl.Linear(2, 6, rng=1), nl.ReLU(), nl.Linear(6, 9, rng=2), nl.Tanh(), nl.Linear(9, 4, rng=3))
opt = MyAdam(model.parameters(), lr=0.003, betas=(0.5, 0.9), eps=1e-3)
result = []
for step in range(100):
    by_hand(model, opt, X, y, nl.CrossEntropyLoss())
    if step in (0, 1, 99):
        result.append([p.data.copy() for p in model.parameters()])
""", rtol=1e-6, atol=1e-9, label="three layers, other betas and eps, 100 steps"),
        Probe(SETUP + """
rng = np.random.default_rng(4)
a, b = nl.Parameter(rng.normal(size=(3, 4))), nl.Parameter(rng.normal(size=(4,)))
opt = MyAdam(iter([a, b]), lr=0.2)
result = []
for t in range(1, 8):
    a.grad[...] = rng.normal(size=(3, 4)) * 10.0 ** rng.uniform(-4, 2)
    b.grad[...] = (-1) ** t * 1e-7
    opt.step()
    result.append((a.data.copy(), b.data.copy()))
""", rtol=1e-6, atol=1e-12, label="two parameters (one t for both), a generator, sign flips, tiny gradients"),
        Probe(SETUP + """
p32 = nl.Parameter(np.ones((2, 2), dtype=np.float32))
opt = MyAdam([p32], lr=0.1)
before = p32.data
p32.grad[...] = np.array([[1.0, -2.0], [0.5, 0.0]], dtype=np.float32)
opt.step()
opt.zero_grad()
result = (p32.data, p32.grad, p32.data is before)
""", rtol=1e-5, atol=1e-7, label="float32, a zero gradient, in place"),
        Probe(SETUP + """
w, b = nl.Parameter(np.array([[0.3, -0.2], [0.1, 0.4]])), nl.Parameter(np.array([0.0, 1.0]))
opt = MyAdam((p for p in [w, b]), lr=0.05, betas=(0.8, 0.99))
result = []
for t in range(8):
    w.grad[...] = 0.0 if t % 3 else np.array([[1.0, -1.0], [2.0, 0.5]])
    b.grad[...] = [0.0, 0.0] if t in (1, 2, 5, 6) else [0.2, -3.0]
    opt.step()
    result.append((w.data.copy(), b.data.copy()))
""", rtol=1e-6, atol=1e-12, label="whole parameters with all-zero gradients at some steps (still moving); a generator expression"),
    ],
    "lr_search": [
        Probe(SETUP + """
rng = np.random.default_rng(21)
X = rng.normal(size=(30, 3))
y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.1 * rng.normal(size=(30, 1))
make = lambda: nl.Sequential(nl.Linear(3, 1, rng=5))
result = learning_rate_search(make, nl.MSELoss(), X, y, [3.0, 0.3, 0.1, 0.01], steps=20)
""", rtol=1e-6, atol=1e-9, label="linear regression, rates in decreasing order, one diverging"),
        Probe(SETUP + """
X, y = nl.data.moons(50, noise=0.1, rng=3)
make = lambda: nl.Sequential(nl.Linear(2, 4, rng=6), nl.ReLU(), nl.Linear(4, 2, rng=7))
result = [learning_rate_search(make, nl.CrossEntropyLoss(), X, y, [0.2, 0.02], steps=1, names=["Momentum"]),
          learning_rate_search(make, nl.CrossEntropyLoss(), X, y, [1e-4, 1e4], steps=6, names=["Adagrad", "RMSprop"])]
""", rtol=1e-6, atol=1e-9, label="one step, huge rates, other names"),
        Probe(SETUP + """
rng = np.random.default_rng(21)
X = rng.normal(size=(30, 3))
y = X @ np.array([[1.0], [-2.0], [0.5]]) + 0.1 * rng.normal(size=(30, 1))
make = lambda: nl.Sequential(nl.Linear(3, 1, rng=5))
Xm, ym = nl.data.moons(50, noise=0.1, rng=3)
make_moons = lambda: nl.Sequential(nl.Linear(2, 4, rng=6), nl.ReLU(), nl.Linear(4, 2, rng=7))
result = [learning_rate_search(make, nl.MSELoss(), X, y, [40.0, 0.1], steps=40, names=["Adam"]),
          learning_rate_search(make_moons, nl.CrossEntropyLoss(), Xm, ym, [3e4, 3e3], steps=1, names=["SGD", "Momentum"])]
""", rtol=1e-6, atol=1e-9, label="a loss that climbs past 50 x and comes back (diverged at that step); "
                                   "one step to inf at both rates (the final loss judged; the first of a tie)"),
    ],
    "turned_ravine": [
        # Medians of 225 whole step counts are whole numbers: the solution's runs give the same integer at
        # every setting, so any real difference is at least 1 and atol 0.5 is the tolerance.
        Probe(SETUP + """
result = [median_steps_to_bottom("RMSprop", 90, 0.1), median_steps_to_bottom("RMSprop", 30, 0.1),
          median_steps_to_bottom("Adagrad", 22.5, 1.0), median_steps_to_bottom("Adam", 30, 10 ** -0.5)]
""", rtol=0, atol=0.5, label="other angles and optimizers (90 degrees: aligned again)"),
        Probe(SETUP + """
result = [median_steps_to_bottom("Momentum", 60, 0.1), median_steps_to_bottom("RMSprop", 15, 0.1, steps=40),
          median_steps_to_bottom("SGD", 45, 3.0)]
""", rtol=0, atol=0.5, label="fewer steps; a rate at which every start diverges"),
    ],
}
