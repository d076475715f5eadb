"""Submissions for lesson 10 (autograd), keyed by exercise name.

BUGGY: one planted bug each, which the checks must catch.
WRONG: plausible learner mistakes, each with the fragment the public check output must contain.
Each string replaces the whole `ex_<name>` cell.
"""

_VALUE = '''
import math


class Value:
    """A scalar in a computation graph: data, grad, the operands (_prev) and local derivatives (_local)."""

    def __init__(self, data, _prev=(), _local=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_prev)
        self._local = tuple(_local)
        self.op = op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, k):
        return Value(self.data ** k, (self,), (k * self.data ** (k - 1),), f"**{k}")

    def __neg__(self):
        return Value(-self.data, (self,), (-1.0,), "neg")

    def __sub__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __radd__(self, other):                 # other + self, when other is a plain number
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return Value(other) - self

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t ** 2,), "tanh")

    def relu(self):
        return Value(max(self.data, 0.0), (self,), (1.0 if self.data > 0 else 0.0,), "relu")

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,), "exp")

    def log(self):
        return Value(math.log(self.data), (self,), (1 / self.data,), "log")
'''


_BACKWARD = '''
def backward(root):
    """Fill .grad of every value root depends on with d root / d value, in reverse topological order."""
    order, visited = [], set()

    def visit(value):
        if id(value) not in visited:
            visited.add(id(value))
            for operand in value._prev:
                visit(operand)
            order.append(value)                 # after all of its operands

    visit(root)
    root.grad = 1.0
    for value in reversed(order):
        for operand, local in zip(value._prev, value._local):
            operand.grad += local * value.grad
'''


_MLP_LOSS = '''
def mlp_loss(layers, X, y):
    """Mean squared error of the network `layers` (tanh between layers) on X (N, D), y (N, outputs), as a Value."""
    total, count = Value(0.0), 0
    for x, target in zip(X.tolist(), y.tolist()):
        out = x
        for index, (W, b) in enumerate(layers):
            out = [sum((out[i] * W[i][j] for i in range(len(W))), b[j]) for j in range(len(b))]
            if index < len(layers) - 1:
                out = [o.tanh() for o in out]
        for o, t in zip(out, target):
            total = total + (o - t) ** 2
            count += 1
    return total * (1.0 / count)
'''


_TRAIN_VALUES = '''
def train_values(layers, X, y, lr, steps):
    """`steps` steps of gradient descent on mlp_loss; updates the Values in layers; returns the losses."""
    losses = []
    params = parameters(layers)
    for _ in range(steps):
        loss = mlp_loss(layers, X, y)            # 1. forward pass, 2. loss
        for p in params:
            p.grad = 0.0                         # gradients add up across backward passes: start from 0
        backward(loss)                           # 3. backpropagation
        for p in params:
            p.data -= lr * p.grad                # 4. weight update
        losses.append(loss.data)
    return losses
'''


_COST_INVESTIGATION = '''
def cost_investigation():
    """{"ratios": [4 floats, widths 2 to 16], "exponent": float}: Python calls of a scalar step over a tensor step,
    two hidden layers."""
    widths = (2, 4, 8, 16)
    ratios = []
    for width in widths:
        model, X, y = scalar_costs.problem(width, seed=0, hidden_layers=2)
        layers = as_values(model)
        _, scalar_calls = scalar_costs.count_calls(train_values, layers, X, y, 0.1, 1)
        optimizer = nl.optim.SGD(model.parameters(), lr=0.1)
        _, tensor_calls = scalar_costs.count_calls(nl.train_step, model, nl.MSELoss(), optimizer, X, y)
        ratios.append(scalar_calls / tensor_calls)
    return {"ratios": ratios, "exponent": scalar_costs.growth_exponent(widths, ratios)}
'''


def _change(source, old, new):
    assert old in source, old
    return source.replace(old, new)


def _answer(name, value):
    """A prediction function returning `value` (source text)."""
    return f"def {name}():\n    return {value}\n"


_BFS = '''
from collections import deque


def backward(root):
    root.grad = 1.0
    queue, seen = deque([root]), {id(root)}
    while queue:                                  # breadth-first from the root: no topological order
        value = queue.popleft()
        for operand, local in zip(value._prev, value._local):
            operand.grad += local * value.grad
            if id(operand) not in seen:
                seen.add(id(operand))
                queue.append(operand)
'''

BUGGY = {
    "value": _change(_VALUE, "(other.data, self.data), \"*\"", "(self.data, other.data), \"*\""),
    "backward": _change(_BACKWARD, "operand.grad += local * value.grad", "operand.grad += local"),
    "mlp_loss": _change(_MLP_LOSS, "return total * (1.0 / count)", "return total * (0.5 / count)"),
    "train_values": _change(_TRAIN_VALUES, "p.data -= lr * p.grad", "p.data -= 0.5 * lr * p.grad"),
}


# Passes every public check and fails the hidden ones: the course's own Value under the learner's name
# (a hidden probe reads the class's MRO).
TUNED = {
    "value": """
from nnlearn.autograd import Value as _CourseValue


class Value(_CourseValue):
    \"\"\"The course's own Value under a new name: the public check cannot tell.\"\"\"
""",
}

WRONG = {
    "predict_shared_grad": [
        (_answer("predict_shared_grad", "3.0"), "read a's grad"),          # only the path through d = a b
        (_answer("predict_shared_grad", "-6.0"), "switch rule to '='"),    # only the path through e = a + b
        (_answer("predict_shared_grad", "1.0"), "example 'used twice'"),   # d(a + b)/da alone
    ],
    "predict_calls_growth": [
        (_answer("predict_calls_growth", '"stays"'), "compare the call ratios"),
        (_answer("predict_calls_growth", '"quadruples"'), "widths 4, 16 and 64"),
    ],
    "value": [
        (_change(_VALUE, "(1 - t ** 2,)", "(1 - t,)"), "(1 - t**2,)"),                              # tanh' wrong
        (_change(_VALUE, "(k * self.data ** (k - 1),)", "(k * self.data ** k,)"), "(3 a**2,)"),     # power rule
        (_change(_VALUE, "1.0 if self.data > 0 else 0.0", "1.0 if self.data >= 0 else 0.0"),
         "relu's local derivative at 0 is 0"),
        (_change(_VALUE, "(other.data, self.data), \"*\"", "(self.data, other.data), \"*\""), "(b, a)"),   # own value
        (_change(_VALUE, "(1.0, -1.0), \"-\"", "(1.0, 1.0), \"-\""), "(1, -1)"),
        (_change(_VALUE, "        return Value(other) - self", "        return self - other"), "__rsub__"),
        (_change(_VALUE, "        self.data = float(data)", "        self.data = data"), "store float(data)"),
        (_change(_VALUE, "        return Value(math.log(self.data), (self,), (1 / self.data,), \"log\")",
                 "        return Value(math.log(self.data), (self,), (math.log(self.data),), \"log\")"), "(1 / a,)"),
        (_change(_VALUE, "        other = other if isinstance(other, Value) else Value(other)\n"
                         "        return Value(self.data * other.data, (self, other), (other.data, self.data), \"*\")",
                 "        other = other if isinstance(other, Value) else Value(other)\n"
                 "        self._prev, self._local = (self, other), (other.data, self.data)\n"
                 "        self.data = self.data * other.data              # in place: reuses the node\n"
                 "        return self"), "is a new Value and leaves a and b unchanged"),
    ],
    "backward": [
        (_change(_BACKWARD, "operand.grad += local * value.grad", "operand.grad = local * value.grad"),
         "`=` instead of `+=`"),
        (_BFS, "breadth-first walk"),                                                   # no topological order
        (_change(_BACKWARD, "for value in reversed(order):", "for value in order:"), "visit the root first"),
        (_change(_BACKWARD, "        if id(value) not in visited:\n            visited.add(id(value))\n"
                            "            for operand in value._prev:\n                visit(operand)\n"
                            "            order.append(value)",
                 "        for operand in value._prev:                 # no visited set: reuses a node\n"
                 "            visit(operand)\n        order.append(value)"), "without a visited set"),
        (_change(_BACKWARD, "    root.grad = 1.0\n", "    for value in order:\n        value.grad = 0.0\n    root.grad = 1.0\n"),
         "do not reset it inside"),                                                     # zeroes inside backward
        (_change(_BACKWARD, "    root.grad = 1.0\n", ""), "set root.grad = 1"),          # forgets the seed
    ],
    "mlp_loss": [
        (_change(_MLP_LOSS, "            if index < len(layers) - 1:\n                out = [o.tanh() for o in out]",
                 "            out = [o.tanh() for o in out]"), "tanh after the last layer"),
        (_change(_MLP_LOSS, "return total * (1.0 / count)", "return total"), "sum of the squared errors"),
        (_change(_MLP_LOSS, "return total * (1.0 / count)", "return total * (1.0 / len(X))"),
         "mean over examples of the sum over outputs"),
        (_change(_MLP_LOSS, "range(len(W))), b[j])", "range(len(W))), Value(0.0))"), "+ b_j"),   # forgets the bias
    ],
    "train_values": [
        (_change(_TRAIN_VALUES, "        for p in params:\n            p.grad = 0.0", "        pass"), "never zeroed"),
        (_change(_TRAIN_VALUES, "        losses.append(loss.data)", "        losses.append(mlp_loss(layers, X, y).data)"),
         "one step late"),
        (_change(_TRAIN_VALUES, "            p.data -= lr * p.grad", "            p = p - lr * p.grad"),   # rebinds a name
         "the loss never changes"),
        (_change(_TRAIN_VALUES, "            p.data -= lr * p.grad", "            p.data += lr * p.grad"),
         "p.data -= lr * p.grad"),
        (_change(_change(_TRAIN_VALUES, "        for p in params:\n            p.grad = 0.0                         # gradients add up across backward passes: start from 0\n", ""),
                 "        losses.append(loss.data)", "        for p in params:\n            p.grad = 0.0      # zeroed after the update\n        losses.append(loss.data)"),
         "not after the update"),
    ],
    "cost_investigation": [
        (_change(_COST_INVESTIGATION, "ratios.append(scalar_calls / tensor_calls)", "ratios.append(tensor_calls / scalar_calls)"),
         "scalar calls over tensor calls"),
        (_change(_COST_INVESTIGATION, "(train_values, layers, X, y, 0.1, 1)", "(train_values, layers, X, y, 0.1, 5)"),
         "count one step of train_values"),                                             # five steps counted
        (_change(_COST_INVESTIGATION, "hidden_layers=2)", "hidden_layers=1)"), "hidden_layers=2"),   # one hidden layer
        (_change(_COST_INVESTIGATION,                                                    # as_values counted too
                 "        layers = as_values(model)\n        _, scalar_calls = scalar_costs.count_calls(train_values, layers, X, y, 0.1, 1)",
                 "        _, scalar_calls = scalar_costs.count_calls(lambda: train_values(as_values(model), X, y, 0.1, 1))"),
         "yours counts as_values(model) too"),
        (_change(_COST_INVESTIGATION,                                                    # the optimizer built in the count
                 "        optimizer = nl.optim.SGD(model.parameters(), lr=0.1)\n        _, tensor_calls = scalar_costs.count_calls(nl.train_step, model, nl.MSELoss(), optimizer, X, y)",
                 "        _, tensor_calls = scalar_costs.count_calls(lambda: nl.train_step(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.1), X, y))"),
         "with the optimizer made before"),
    ],
}
