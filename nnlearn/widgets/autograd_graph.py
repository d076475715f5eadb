"""Autograd: the app of lesson 10.

`graph_explorer()` draws a computation graph of `Value`s (a neuron, its loss, a value used twice,
a 2-2-1 network on one example) with every node's value and gradient, and steps its backward pass
one node at a time in reverse topological order: each step shows the node's local derivatives and
the chain-rule products it adds to its operands' gradients. `rule` switches `+=` to `=`, the bug
that loses a gradient wherever a value is used twice.
"""

import html

import ipywidgets as widgets

from ..experiments.autograd_graphs import EXAMPLES, record
from ..plots import new_figure
from ..plots.graph import GraphDiagram, op_symbol
from .app import App

RULES = {"+= (accumulate)": True, "= (overwrite)": False}
_LOCAL = {"+": "1", "-": "+1 and −1", "*": "the other operand's value", "neg": "−1", "tanh": "1 − tanh(x)²",
          "relu": "1 if x > 0 else 0", "exp": "exp(x)", "log": "1 / x"}
MAX_STEPS = max(len(record(name)["steps"]) for name in EXAMPLES)


def _local_rule(op):
    return f"{op[2:]}·x^({op[2:]}−1)" if op.startswith("**") else _LOCAL.get(op, op)


def _name(node, in_derivative=False):
    """A node's name in the text: its label, or its operation for an unnamed intermediate sum;
    in parentheses after ∂ when it is an expression ("∂L/∂(ŷ − y)")."""
    name = node["label"] or f"({op_symbol(node['op'])})"
    if in_derivative and " " in name and not name.startswith("("):
        name = f"({name})"
    return html.escape(name)


def _step_text(walk, step, accumulate):
    """What step `step` (0: the forward pass only) does, with its numbers."""
    nodes, steps = walk["nodes"], walk["steps"]
    if step == 0:
        return ("<b>Forward pass.</b> Every value is computed left to right from its operands, and each "
                "operation keeps its local derivatives. Move <i>step</i> to run the backward pass, one node at a "
                f"time from the result (right) back to the inputs: {len(steps)} steps.")
    done = steps[step - 1]
    node = nodes[done["node"]]
    called = _name(node)
    grad = done["grads"][done["node"]]             # complete before its step: its users are all to its right
    rows = []
    for operand, local, product in done["products"]:
        name = _name(nodes[operand], True)                 # "(ŷ − y).grad", not "ŷ − y.grad"
        rows.append(f"<li>∂{_name(node, True)}/∂{_name(nodes[operand], True)} = {local:+.4g}; chain rule: {local:+.4g} × {grad:+.4g} = "
                    f"{product:+.4g} → {name}.grad {'+=' if accumulate else '='} {product:+.4g}, "
                    f"now {done['grads'][operand]:+.4g}</li>")
    text = (f"<b>Step {step} of {len(steps)}: {called} = {op_symbol(node['op'])}</b>, "
            f"its gradient {grad:+.4g} (complete: every use of it is to its right, already visited). "
            f"Local derivative: {_local_rule(node['op'])}.<ul style='margin:2px 0'>{''.join(rows)}</ul>")
    if step == len(steps):
        checks = [f"{_name(n)}: {done['grads'][i]:+.4f} vs {walk['numeric'][i]:+.4f}"
                  for i, n in enumerate(nodes) if walk["numeric"][i] is not None]
        text += "<b>Inputs, backward pass vs finite differences:</b> " + "; ".join(checks)
    return text


def graph_explorer(example="used twice", step=0):
    """A computation graph and its backward pass, node by node.

    Controls: example (neuron, loss, used twice, two-layer network), step (0 = the forward pass; k =
    after the chain-rule step at the k-th node in reverse topological order), rule (+= or =).
    The picture: inputs on the left, the result on the right; each box holds a node's name, value
    and gradient ("·" until the backward pass reaches it); the node of this step is orange, the
    operands it sends gradient to blue. The text under the controls gives the step's numbers.
    """
    example_control = widgets.Dropdown(options=list(EXAMPLES), value=example, description="example")
    step_control = widgets.IntSlider(value=step, min=0, max=len(record(example)["steps"]), description="step",
                                     continuous_update=True)
    rule_control = widgets.Dropdown(options=list(RULES), value="+= (accumulate)", description="rule")
    # Registered before the App's observer: the slider's range follows the example before the redraw.
    example_control.observe(lambda change: setattr(step_control, "max", len(record(change["new"])["steps"])),
                            names="value")
    controls = {"example": example_control, "step": step_control, "rule": rule_control}
    step_html = widgets.HTML()

    figure, ax = new_figure(8.6, 5.4)
    drawn = {}

    def update(app):
        name, accumulate = example_control.value, RULES[rule_control.value]
        walk = record(name, accumulate)
        if drawn.get("name") != name:                 # a new graph: new boxes and lines (a full redraw)
            ax.clear()
            size = len(walk["nodes"])
            drawn["name"], drawn["diagram"] = name, GraphDiagram(ax, walk["nodes"], fontsize=7 if size > 14 else 9 if size > 6 else 11)
        # the rule in the title: a move of `rule` shows even before the two rules' numbers part
        ax.set_title(f"{name}, rule {rule_control.value.split()[0]}: inputs on the left, the result on the right; "
                     "orange = this step's node", fontsize=10)
        k = min(int(step_control.value), len(walk["steps"]))
        grads = None if k == 0 else [g if _reached(walk, i, k) else None for i, g in enumerate(walk["steps"][k - 1]["grads"])]
        drawn["diagram"].show(grads, current=walk["steps"][k - 1]["node"] if k else None)
        step_html.value = _step_text(walk, k, accumulate)

    return App(controls, figure, update, extra=[step_html], title="Autograd: the backward pass, node by node")


def _reached(walk, index, k):
    """Has the backward pass, after k steps, sent a gradient to the node at `index` (or is it the root)?"""
    if index == len(walk["nodes"]) - 1:
        return True
    return any(index == operand for done in walk["steps"][:k] for operand, _, _ in done["products"])
