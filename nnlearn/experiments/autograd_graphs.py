"""Lesson 10: small computation graphs of `Value`s, and their backward pass recorded step by step.

EXAMPLES names each graph (a function building it, returning its root): a neuron, its loss, a
value used twice, a 2-2-1 network on one example. `record(name)` runs the backward pass one node
at a time (nnlearn.autograd.backward_steps) and keeps every number the lesson's app shows.
"""

import functools
import math

from ..autograd import Value, backward_steps, topological_order


def _leaf(data, label):
    return Value(data, label=label)


def _named(value, label):
    value.label = label
    return value


def neuron():
    """micrograd's neuron: o = tanh(x1 w1 + x2 w2 + b)."""
    x1, x2, w1, w2 = _leaf(2.0, "x1"), _leaf(0.0, "x2"), _leaf(-3.0, "w1"), _leaf(1.0, "w2")
    b = _leaf(6.8814, "b")
    n = _named(_named(x1 * w1, "x1·w1") + _named(x2 * w2, "x2·w2"), "sum") + b
    return _named(_named(n, "n").tanh(), "o")


def neuron_loss():
    """The neuron's squared error against a target y = 1: L = (o - y)^2."""
    o = neuron()
    return _named(_named(o - _leaf(1.0, "y"), "o − y") ** 2, "L")


def shared():
    """A value used twice: a feeds both d = a·b and e = a + b, then f = d·e."""
    a, b = _leaf(-2.0, "a"), _leaf(3.0, "b")
    return _named(_named(a * b, "d") * _named(a + b, "e"), "f")


def two_layer():
    """A 2-2-1 network on one example: h = tanh(x W1 + b1), ŷ = h v + c, L = (ŷ - y)^2."""
    x = [_leaf(1.0, "x1"), _leaf(-2.0, "x2")]
    W1 = [[_leaf(0.5, "W11"), _leaf(-0.3, "W12")], [_leaf(0.2, "W21"), _leaf(0.8, "W22")]]
    b1 = [_leaf(0.1, "b1"), _leaf(-0.2, "b2")]
    v, c = [_leaf(1.2, "v1"), _leaf(-0.7, "v2")], _leaf(0.3, "c")
    h = []
    for j in range(2):
        z = b1[j]
        for i in range(2):
            z = z + _named(x[i] * W1[i][j], f"x{i + 1}·W{i + 1}{j + 1}")
        h.append(_named(_named(z, f"z{j + 1}").tanh(), f"h{j + 1}"))
    y_hat = c
    for j in range(2):
        y_hat = y_hat + _named(h[j] * v[j], f"h{j + 1}·v{j + 1}")
    return _named(_named(_named(y_hat, "ŷ") - _leaf(1.0, "y"), "ŷ − y") ** 2, "L")


EXAMPLES = {"neuron": neuron, "loss": neuron_loss, "used twice": shared, "two-layer network": two_layer}


@functools.lru_cache(maxsize=16)
def record(name, accumulate=True):
    """Everything the app shows about one graph's backward pass.

    Returns a dict: nodes (topological order, root last: each {"label", "op", "data", "operands":
    indices}), steps (one per node with operands, in backward order: {"node", "products": [(operand,
    local, product)], "grads": every node's gradient after this step}) and numeric (each node's
    d root / d node by central differences, for leaves; None for the others).
    """
    root = EXAMPLES[name]()
    order = topological_order(root)
    index = {id(node): i for i, node in enumerate(order)}
    nodes = [{"label": node.label or ("" if node._prev else f"{node.data:g}"), "op": node.op, "data": node.data,
              "operands": [index[id(p)] for p in node._prev]} for node in order]
    steps = []
    for node, products in backward_steps(root, accumulate=accumulate):
        if products:
            steps.append({"node": index[id(node)], "grads": [n.grad for n in order],
                          "products": [(index[id(p)], local, product) for p, local, product in products]})
    numeric = [_numeric(name, i) if not node["operands"] else None for i, node in enumerate(nodes)]
    return {"nodes": nodes, "steps": steps, "numeric": numeric}


def _numeric(name, leaf, eps=1e-6):
    """d root / d (the leaf at position `leaf` of the topological order), by central differences."""
    def root_with(shift):
        root = EXAMPLES[name]()
        node = topological_order(root)[leaf]
        node.data += shift
        return _forward(root)
    return (root_with(eps) - root_with(-eps)) / (2 * eps)


def _forward(root):
    """Recompute every value from the leaves (after a leaf was nudged), from the local rules."""
    rules = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "neg": lambda a: -a,
             "tanh": math.tanh, "relu": lambda a: max(a, 0.0), "exp": math.exp, "log": math.log}
    for node in topological_order(root):
        if node._prev:
            args = [p.data for p in node._prev]
            if node.op.startswith("**"):
                node.data = args[0] ** float(node.op[2:])
            else:
                node.data = rules[node.op](*args)
    return root.data
