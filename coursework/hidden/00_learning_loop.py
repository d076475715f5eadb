"""Hidden tests of lesson 00, as probes judged by the trusted grader (see coursework/probes.py).

Never released to students: `python coursework/student_copy.py` leaves coursework/ out.
"""

from probes import Probe

SETUP = "import numpy as np\nimport nnlearn as nl\n"

PUBLIC = {
    "sgd_update": [Probe(SETUP + """
w = nl.Parameter(np.array([1.0, 2.0])); w.grad[...] = [0.5, -1.0]
b = nl.Parameter(np.array([0.0])); b.grad[...] = [2.0]
data_before = w.data
sgd_update([w, b], lr=0.1)
result = (w.data, b.data, w.grad, w.data is data_before)
""")],
    "train_step": [Probe(SETUP + """
line = nl.Linear(1, 1)
line.weight.data[...] = 0.5
line.bias.data[...] = 0.0
opt = nl.optim.SGD(line.parameters(), lr=0.1)
X1, y1 = np.array([[1.0], [2.0]]), np.array([[1.0], [2.0]])
result = []
for _ in range(2):
    result.append((train_step(line, nl.MSELoss(), opt, X1, y1), line.weight.data.copy(), line.bias.data.copy()))
""")],
    "accuracy": [Probe(SETUP + """
logits = np.array([[2.0, 1.0], [0.0, 3.0], [5.0, -1.0], [0.2, 0.1]])
result = [accuracy(logits, np.array([0, 1, 0, 0])), accuracy(logits, np.array([0, 1, 1, 1])),
          accuracy(np.array([[0.1, 0.5, 0.2]]), np.array([1]))]
""")],
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
result = [(p.data, p.grad, p.data is a) for p, a in zip(model.parameters(), arrays)]
""", rtol=1e-12, label="a network's parameters, in place"),
        Probe(SETUP + """
p32 = nl.Parameter(np.ones((2, 2), dtype=np.float32)); p32.grad[...] = 1.0
sgd_update([p32], 0.5)
q = nl.Parameter(np.array([3.0])); q.grad[...] = 5.0
sgd_update([q], 0.0)
sgd_update([], 0.1)
result = (p32.data, q.data)
""", label="float32, lr 0, no parameters"),
    ],
    "train_step": [
        Probe(SETUP + """
Xh, yh = nl.data.spirals(60, classes=3, rng=4)
r = np.random.default_rng(9)
model = nl.Sequential(nl.Linear(2, 8, rng=r), nl.Tanh(), nl.Linear(8, 3, rng=r))
opt = nl.optim.Adam(model.parameters(), lr=0.05)
losses = [train_step(model, nl.CrossEntropyLoss(), opt, Xh, yh) for _ in range(4)]
result = ([type(v).__name__ for v in losses], losses, [p.data for p in model.parameters()])
""", rtol=1e-9, atol=1e-12, label="4 Adam steps on spirals"),
        Probe(SETUP + """
Xh, yh = nl.data.spirals(60, classes=3, rng=4)
model32 = nl.Sequential(nl.Linear(2, 3, rng=0, dtype=np.float32))
value = train_step(model32, nl.CrossEntropyLoss(), nl.optim.SGD(model32.parameters(), lr=0.1), Xh.astype(np.float32), yh)
result = (type(value).__name__, value, model32[0].weight.data)
""", rtol=1e-5, label="float32 model"),
    ],
    "accuracy": [
        Probe(SETUP + """
rng = np.random.default_rng(3)
logits = rng.normal(size=(37, 5))
labels = rng.integers(0, 5, size=37)
value = accuracy(logits, labels)
result = (type(value).__name__, value, accuracy(logits.astype(np.float32), labels))
""", label="37 x 5 random, float32"),
        Probe(SETUP + """
result = [accuracy(np.array([[1.0, 2.0], [3.0, 0.0], [0.0, 1.0]]), np.array([0, 1, 0])),
          accuracy(np.array([[0.0, 1.0, 9.0]] * 3), np.array([2, 2, 1]))]
Xa, ya = nl.data.moons(50, rng=1)
net = nl.Sequential(nl.Linear(2, 2, rng=5))
result.append(accuracy(net(Xa), ya))
""", label="all wrong, third class, a network on moons"),
    ],
}
