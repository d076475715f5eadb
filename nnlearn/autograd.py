"""Reverse-mode automatic differentiation on scalars: a graph of operations, then backward().

After micrograd (Karpathy). Every operation makes a new `Value` that remembers its operands
(`_prev`) and its local derivatives (`_local`, d out / d operand, computed beside the forward
value). `backward()` visits the graph in reverse topological order and applies the chain rule:

    operand.grad += local * out.grad         (+=: a value used twice receives from both uses)

    a, b = Value(2.0), Value(-3.0)
    loss = (a * b + a).tanh()
    loss.backward()                           # a.grad, b.grad hold d loss / d a, d loss / d b
"""

import math


class Value:
    """A scalar in a computation graph: `.data`, `.grad` (d root / d this after backward()), the
    operation `.op` that made it and its operands `._prev` with the local derivatives `._local`."""

    def __init__(self, data, _prev=(), _local=(), op="", label=""):
        try:
            if isinstance(data, (Value, bool, str, bytes)):
                raise TypeError
            self.data = float(data)
        except (TypeError, ValueError):
            raise TypeError(f"Value: data must be a real number (int or float), got {type(data).__name__} {data!r}") from None
        self.grad = 0.0
        self._prev = tuple(_prev)
        self._local = tuple(_local)
        self.op = op
        self.label = label

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # ---- operations: the forward value and the local derivatives, side by side
    def __add__(self, other):
        other = as_value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        other = as_value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, exponent):
        if isinstance(exponent, (Value, bool, str, bytes, complex)) or not hasattr(exponent, "__float__"):
            raise TypeError(f"Value ** exponent: the exponent must be an int or float, got {type(exponent).__name__}")
        return Value(self.data ** exponent, (self,), (exponent * self.data ** (exponent - 1),), f"**{exponent:g}")

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t ** 2,), "tanh")             # tanh'(x) = 1 - tanh(x)^2

    def relu(self):
        return Value(max(self.data, 0.0), (self,), (float(self.data > 0),), "relu")    # relu'(0) = 0, as PyTorch

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,), "exp")                       # exp' = exp

    def log(self):
        if self.data <= 0:
            raise ValueError(f"Value.log: needs a positive value, got {self.data!r}")
        return Value(math.log(self.data), (self,), (1 / self.data,), "log")

    def __neg__(self):
        return Value(-self.data, (self,), (-1.0,), "neg")

    def __sub__(self, other):
        other = as_value(other)
        return Value(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __truediv__(self, other):
        return self * as_value(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return as_value(other) - self

    def __rtruediv__(self, other):
        return as_value(other) / self

    # ---- the backward pass
    def backward(self):
        """Fill `.grad` of every value this one depends on with d self / d value (accumulating into
        what is there: zero the gradients between steps)."""
        for _ in backward_steps(self):                              # every step applies the chain rule at one node
            pass


def backward_steps(root, accumulate=True):
    """The backward pass from `root`, one node at a time in reverse topological order: applies the
    chain rule at each node, then yields (node, [(operand, local derivative, product), ...]).

    accumulate=False overwrites (operand.grad = ...) instead of adding: the classic bug, for the
    lesson's app to show what it breaks when a value is used twice."""
    root.grad = 1.0                                                 # d root / d root
    for node in reversed(topological_order(root)):
        products = []
        for operand, local in zip(node._prev, node._local):
            product = local * node.grad                             # the chain rule
            if accumulate:
                operand.grad += product                             # += : a shared operand sums its uses
            else:
                operand.grad = product
            products.append((operand, local, product))
        yield node, products


def as_value(x):
    """x itself if it is a Value, else a constant Value (a leaf whose gradient nobody reads)."""
    return x if isinstance(x, Value) else Value(x)


def topological_order(root):
    """Every value `root` depends on, each once, operands before the values made from them
    (root last). Iterative depth-first search, so deep graphs do not hit Python's recursion limit."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, operands_done = stack.pop()
        if operands_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((operand, False) for operand in reversed(node._prev) if id(operand) not in seen)
    return order


def zero_grad(values):
    """Set the gradient of each value to 0 (a training loop does this before every backward())."""
    for value in values:
        value.grad = 0.0
