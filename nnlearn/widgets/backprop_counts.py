"""The cost of every weight's gradient, finite differences against backprop: an app for lesson 03.

`backprop_cost()` counts the multiplications each method needs for one full gradient of a tanh
network with two hidden layers of growing `width` (exact counts from `nnlearn.experiments.multiplication_counts`, the
same on every machine), and shows where backprop's work goes: one forward pass that keeps each
layer's input and output, then a backward pass that reuses them.
"""

import numpy as np
import ipywidgets as widgets

from ..experiments.multiplication_counts import count_multiplications
from ..plots import MARKERS, PALETTE, label, new_figure
from .app import App

# The parts of backprop's work, in the order they are stacked, with what each one reuses.
PARTS = (
    ("forward", "forward pass: x @ W per layer\n(keeps every layer's x and h)", PALETTE[0]),
    ("grad_weights", "∂L/∂W = xᵀ g\n(reuses the kept x; g shared by the layer)", PALETTE[4]),
    ("grad_inputs", "∂L/∂x = g Wᵀ\n(reuses g: passed to the layer below)", PALETTE[2]),
    ("grad_activations", "g ⊙ f′(z), f′ = 1 − h²\n(reuses the kept h)", PALETTE[6]),
)


def slope(x, y):
    """The slope of log y against log x between the last two points (the growth exponent)."""
    return float(np.log(y[-1] / y[-2]) / np.log(x[-1] / x[-2]))


def backprop_cost(widths=(1, 2, 4, 8, 16, 32, 64, 128, 256), n_examples=32):
    """Multiplications for every gradient, by finite differences and by backprop, as the network grows.

    Control: width (neurons in each of the two hidden layers of a 2-width-width-1 tanh network, on a
    batch of n_examples). Left: multiplications against the number of weights, log-log (slope 2
    for finite differences, 1 for backprop). Right: backprop's multiplications for the chosen width,
    in forward passes, split into the forward pass and the backward products that reuse its results.
    """
    widths = tuple(int(w) for w in widths)
    counts = count_multiplications(widths, n_examples=n_examples)
    width_control = widgets.SelectionSlider(options=list(widths), value=widths[len(widths) // 2],
                                            description="width", continuous_update=True)
    controls = {"width": width_control}

    figure, (ax_count, ax_parts) = new_figure(11.5, 4.3, ncols=2)
    ax_count.get_subplotspec().get_gridspec().set_width_ratios([1.2, 1])
    n = counts.n_weights
    ax_count.loglog(n, counts.finite_differences, color=PALETTE[5], marker=MARKERS[1],
                    label=f"finite differences: 2 forward passes per weight (slope {slope(n, counts.finite_differences):.2f})")
    ax_count.loglog(n, counts.backprop, color=PALETTE[4], marker=MARKERS[0], linestyle="--",
                    label=f"backprop: 1 forward + 1 backward pass (slope {slope(n, counts.backprop):.2f})")
    (chosen_fd,) = ax_count.loglog([], [], linestyle="none", marker="o", markersize=14, markerfacecolor="none",
                                   markeredgecolor="black", markeredgewidth=2, animated=True)
    (chosen_bp,) = ax_count.loglog([], [], linestyle="none", marker="o", markersize=14, markerfacecolor="none",
                                   markeredgecolor="black", markeredgewidth=2, animated=True)
    note = ax_count.text(0.03, 0.97, "", transform=ax_count.transAxes, ha="left", va="top", fontsize=9,
                         animated=True, bbox=dict(boxstyle="round", facecolor="white", edgecolor="0.5"))
    ax_count.set_xlim(n.min() / 1.6, n.max() * 1.6)
    ax_count.set_ylim(counts.backprop.min() / 30, counts.finite_differences.max() * 300)
    ax_count.legend(loc="lower right", fontsize=8)
    label(ax_count, "Multiplications for every gradient (exact count)", "number of weights n (log scale)",
          "multiplications (log scale)")

    segments = []
    for i, (key, text, colour) in enumerate(PARTS):
        (bar,) = ax_parts.barh([0], [0.0], left=[0.0], height=0.55, color=colour, edgecolor="black",
                               animated=True, label=text)
        segments.append(bar)
    value_labels = [ax_parts.text(0, -0.4, "", ha="center", va="top", fontsize=8, animated=True) for _ in PARTS]
    fd_text = ax_parts.text(0.02, 0.97, "", transform=ax_parts.transAxes, ha="left", va="top", fontsize=9,
                            animated=True, bbox=dict(boxstyle="round", facecolor="white", edgecolor=PALETTE[5]))
    ax_parts.set_xlim(0, 3.6)
    ax_parts.set_ylim(-0.8, 2.6)
    ax_parts.set_yticks([])
    ax_parts.legend(loc="upper right", fontsize=7, bbox_to_anchor=(1.0, 0.8))
    label(ax_parts, "Where backprop's work goes", "multiplications, in forward passes", "")

    def update(app):
        i = widths.index(int(width_control.value))
        fd, bp, weights = int(counts.finite_differences[i]), int(counts.backprop[i]), int(n[i])
        chosen_fd.set_data([weights], [fd])
        chosen_bp.set_data([weights], [bp])
        note.set_text(f"width {widths[i]}: n = {weights:,} weights\n"
                      f"finite differences: {fd:,} multiplications\n"
                      f"backprop: {bp:,}  ({fd / bp:,.0f}× fewer)")
        forward = float(counts.forward[i])
        left = 0.0
        for bar, text, (key, _, _) in zip(segments, value_labels, PARTS):
            width = float(getattr(counts, key)[i]) / forward
            rectangle = bar.patches[0] if hasattr(bar, "patches") else bar
            rectangle.set_x(left)
            rectangle.set_width(width)
            text.set_position((left + width / 2, -0.32))
            text.set_text(f"{width:.2f}" if width >= 0.08 else "")
            left += width
        fd_text.set_text(f"backprop: {left:.2f} forward passes in all\n"
                         f"finite differences: 2n = {2 * weights:,} forward passes")

    return App(controls, figure, update,
               title="The cost of every weight's gradient: finite differences against backprop")
