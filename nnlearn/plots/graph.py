"""A computation graph drawn with matplotlib: inputs on the left, the result on the right, every
node a box with its name, value and gradient (no graph-drawing tool needed).

Columns: an operation sits one column right of its deepest operand; an input (a leaf) one column
left of the first operation that uses it. Rows: the order the nodes were made in, within a column.
"""

import numpy as np

from .style import PALETTE

_OP_SYMBOL = {"+": "+", "-": "−", "*": "×", "neg": "−(·)", "tanh": "tanh(·)", "relu": "relu(·)", "exp": "exp(·)",
              "log": "log(·)"}


def graph_layout(nodes):
    """(x, y) per node of `nodes` (topological order, as nnlearn.experiments.autograd_graphs.record gives)."""
    column = [0] * len(nodes)
    for i, node in enumerate(nodes):
        if node["operands"]:
            column[i] = 1 + max(column[j] for j in node["operands"])
    for i, node in reversed(list(enumerate(nodes))):                 # leaves next to their first use
        users = [column[k] for k, other in enumerate(nodes) if i in other["operands"]]
        if not node["operands"] and users:
            column[i] = max(min(users) - 1, 0)
    rows = {}
    y = [0.0] * len(nodes)
    for i, c in enumerate(column):
        y[i] = -rows.get(c, 0)
        rows[c] = rows.get(c, 0) + 1
    tallest = max(rows.values())
    for i, c in enumerate(column):                                   # centre each column vertically
        y[i] -= (tallest - rows[c]) / 2 - 0.0
    return np.array(column, dtype=float), np.array(y)


def op_symbol(op):
    return _OP_SYMBOL.get(op, f"(·)^{op[2:]}" if op.startswith("**") else op)


class GraphDiagram:
    """The graph on `ax`: boxes for nodes, arrows from operands to results; `show` writes the
    gradients known after a step and highlights the node whose step it is."""

    def __init__(self, ax, nodes, fontsize=8):
        self.nodes = nodes
        self.x, self.y = graph_layout(nodes)
        self.edges, self.edge_of = [], {}
        for i, node in enumerate(nodes):
            for j in node["operands"]:
                if (j, i) in self.edge_of:                           # x·x: one line, used twice
                    continue
                (line,) = ax.plot([self.x[j], self.x[i]], [self.y[j], self.y[i]], color="0.6", lw=1.0, zorder=1,
                                  animated=True)
                self.edge_of[(j, i)] = line
                self.edges.append(line)
        self.boxes = [ax.text(self.x[i], self.y[i], "", ha="center", va="center", fontsize=fontsize, zorder=3,
                              animated=True, bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="0.4", lw=0.8))
                      for i in range(len(nodes))]
        ax.set_xlim(self.x.min() - 0.6, self.x.max() + 0.6)
        ax.set_ylim(self.y.min() - 0.7, self.y.max() + 0.7)
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(False)

    def title_of(self, i):
        node = self.nodes[i]
        if not node["operands"]:
            return node["label"]
        return f"{node['label']} = {op_symbol(node['op'])}" if node["label"] else op_symbol(node["op"])

    def show(self, grads, current=None):
        """grads: every node's gradient (None: the backward pass has not reached it); current: the
        node whose chain-rule step this is (orange), its operands light blue, their edges orange."""
        operands = set(self.nodes[current]["operands"]) if current is not None else set()
        for i, box in enumerate(self.boxes):
            grad = "grad ·" if grads is None or grads[i] is None else f"grad {grads[i]:+.4g}"
            box.set_text(f"{self.title_of(i)}\n{self.nodes[i]['data']:.4g}\n{grad}")
            colour = PALETTE[0] if i == current else PALETTE[1] if i in operands else "white"
            box.get_bbox_patch().set_facecolor(colour)
        for (j, i), line in self.edge_of.items():
            on = i == current
            line.set_color(PALETTE[5] if on else "0.6")
            line.set_linewidth(2.4 if on else 1.0)
        return [*self.edges, *self.boxes]
