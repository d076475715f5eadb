"""The classic mistakes of a hand-written backward pass, run on purpose (lesson 10's checks).

A check names a mistake only when it has established it: the learner's gradients equal, to float
rounding, what one of these wrong passes gives on the same graph (and differ from the right ones).
Each function runs one wrong pass from `root` over nnlearn.autograd Values (or any object with
`.grad`, `._prev`, `._local`).
"""

from collections import deque

import numpy as np

from .autograd import topological_order


def _apply(order, accumulate=True):
    for node in order:
        for operand, local in zip(node._prev, node._local):
            if accumulate:
                operand.grad += local * node.grad
            else:
                operand.grad = local * node.grad


def overwrite(root):
    """`=` instead of `+=`: a value used twice keeps only the last use's gradient."""
    root.grad = 1.0
    _apply(reversed(topological_order(root)), accumulate=False)


def forward_order(root):
    """The topological order not reversed: operands visited before the values made from them."""
    root.grad = 1.0
    _apply(topological_order(root))


def breadth_first(root):
    """Nodes in the order a breadth-first walk from the root meets them (each once), not in
    reverse topological order: a node may pass its gradient on before all its uses sent theirs."""
    root.grad = 1.0
    order, seen, queue = [], {id(root)}, deque([root])
    while queue:
        node = queue.popleft()
        order.append(node)
        for operand in node._prev:
            if id(operand) not in seen:
                seen.add(id(operand))
                queue.append(operand)
    _apply(order)


def depth_first(root):
    """Nodes in the order a depth-first walk from the root first meets them (pre-order, each once)."""
    root.grad = 1.0
    order, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(node._prev)
    _apply(order)


def no_visited_set(root):
    """A topological sort without a `visited` set: a node reached by two paths is listed (and
    passes its gradient on) twice."""
    order = []

    def build(node):
        for operand in node._prev:
            build(operand)
        order.append(node)

    build(root)
    root.grad = 1.0
    _apply(reversed(order))


ZEROS = ("every gradient stayed 0: set root.grad = 1 before the pass, and visit the root first "
         "(the topological order, reversed)")

MISTAKES = {
    "overwrite": "the gradients are what `=` instead of `+=` gives: a value used twice must add up "
                 "what each use sends (operand.grad += local * node.grad)",
    "breadth_first": "the gradients are what a breadth-first walk from the root gives: a node passed its gradient "
                     "on before all of its uses had sent theirs; visit the nodes in reverse topological order",
    "depth_first": "the gradients are what a depth-first walk from the root (pre-order) gives: a node passed its "
                   "gradient on before all of its uses had sent theirs; visit the nodes in reverse topological order",
    "no_visited_set": "the gradients are what a topological sort without a visited set gives: a node reached by "
                      "two paths is in your order twice and passes its gradient on twice; keep a set of visited nodes",
}


def diagnose(build, backward):
    """The message of the mistake whose gradients `backward(root)` reproduces on the graph
    `build()` returns as (root, leaves), or "" when it matches none of them."""
    root, leaves = build()
    backward(root)
    theirs = np.array([leaf.grad for leaf in leaves], dtype=float)
    if not theirs.any():                  # no seed, or the operands visited first: both leave zeros
        return ZEROS
    root, leaves = build()
    root.backward()
    right = np.array([leaf.grad for leaf in leaves])
    for name, message in MISTAKES.items():
        root, leaves = build()
        globals()[name](root)
        wrong = np.array([leaf.grad for leaf in leaves])
        if not np.allclose(wrong, right, rtol=1e-9, atol=1e-12) and np.allclose(theirs, wrong, rtol=1e-9, atol=1e-12):
            return message
    return ""
