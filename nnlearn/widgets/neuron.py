"""Lesson 01: one neuron, a = f(w1 x1 + w2 x2 + b), with every number on a slider.

`neuron_explorer()` shows the neuron as a diagram with its numbers, its output over the whole
input plane with the line where w . x + b = 0, and its activation curve with the current
pre-activation z marked.
"""

import ipywidgets as widgets
import numpy as np

from ..plots import MARKERS, PALETTE, label, new_figure
from ..plots.functions import ACTIVATION_RANGE, ACTIVATIONS, LEAKY_SLOPE, activate, decision_line
from .app import App

PLANE = (-2.0, 2.0)          # the input plane shown, x1 and x2 in [-2, 2]
Z_LIMITS = (-8.0, 8.0)       # the pre-activation axis of the activation curve
GRID = 120                   # pixels per side of the output image


def _slider(name, value, low, high, step=0.05):
    return widgets.FloatSlider(value=value, min=low, max=high, step=step, description=name,
                               continuous_update=True, readout_format=".2f",
                               style={"description_width": "initial"},
                               layout=widgets.Layout(width="400px"))


NODE_SIZES = {"input": 22, "neuron": 34}     # marker diameters in points


def _diagram(ax):
    """The neuron drawn as inputs -> weighted sum -> activation -> output.

    Returns the artists whose look follows the numbers: edges (trimmed to the node circles in
    `_place_edges`, so the static nodes stay visible under them), edge labels and node values."""
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    label(ax, "The neuron", "", "")
    ax.set_axis_off()
    inputs = {"x1": (0.1, 0.82), "x2": (0.1, 0.5), "1": (0.1, 0.18)}
    neuron, output = (0.6, 0.5), (0.95, 0.5)
    edges, edge_labels, values = {}, {}, {}
    for name, (x, y) in inputs.items():
        edges[name] = ax.plot([], [], animated=True, zorder=1, solid_capstyle="butt")[0]
        edges[name].ends = ((x, y), neuron)
        midpoint = (0.5 * x + 0.5 * neuron[0], 0.5 * y + 0.5 * neuron[1] + 0.06)
        edge_labels[name] = ax.text(*midpoint, "", ha="center", va="bottom", fontsize=9, animated=True, zorder=4)
        ax.plot([x], [y], marker="o", markersize=NODE_SIZES["input"], markerfacecolor="white",
                markeredgecolor="black", zorder=2)
        ax.text(x, y, name, ha="center", va="center", fontsize=10, zorder=3)
        if name != "1":
            values[name] = ax.text(x, y - 0.1, "", ha="center", va="top", fontsize=9, animated=True)
    ax.plot([neuron[0]], [neuron[1]], marker="o", markersize=NODE_SIZES["neuron"], markerfacecolor="#F0F0F0",
            markeredgecolor="black", zorder=2)
    ax.text(*neuron, "Σ, f", ha="center", va="center", fontsize=10, zorder=3)
    ax.annotate("", xy=(output[0] - 0.02, output[1]), xytext=(neuron[0] + 0.12, neuron[1]),
                arrowprops={"arrowstyle": "->"})
    values["z"] = ax.text(neuron[0], neuron[1] - 0.14, "", ha="center", va="top", fontsize=9, animated=True)
    values["a"] = ax.text(0.5 * (neuron[0] + output[0]) + 0.04, output[1] + 0.04, "", ha="center",
                          fontsize=9, animated=True)
    return edges, edge_labels, values


def _place_edges(ax, edges):
    """Put each edge between the rims of its two node circles (computed in pixels, where the
    markers are round). Needs the final layout, so it runs after the figure's first layout."""
    to_pixels, to_data = ax.transData, ax.transData.inverted()
    scale = ax.figure.dpi / 72 / 2                          # points of diameter -> pixels of radius
    for edge in edges.values():
        start, end = to_pixels.transform(edge.ends)
        direction = (end - start) / np.hypot(*(end - start))
        start = start + direction * NODE_SIZES["input"] * scale
        end = end - direction * NODE_SIZES["neuron"] * scale
        (x0, y0), (x1, y1) = to_data.transform([start, end])
        edge.set_data([x0, x1], [y0, y1])


def line_distance(w1, w2, b):
    """Distance from the origin to the line w1 x1 + w2 x2 + b = 0: |b| / ||w|| (None when w = 0)."""
    norm = float(np.hypot(w1, w2))
    return abs(b) / norm if norm > 1e-12 else None


def neuron_explorer():
    """One neuron with two inputs: weights w1, w2, bias b and activation on controls, and an
    input point (x1, x2) whose pre-activation z is marked on the activation curve."""
    controls = {
        "w1": _slider("w1", 1.0, -3.0, 3.0),
        "w2": _slider("w2", -0.5, -3.0, 3.0),
        "b": _slider("b", 0.5, -3.0, 3.0),
        "activation": widgets.ToggleButtons(options=list(ACTIVATIONS), value="sigmoid", description="activation",
                                            style={"button_width": "100px", "description_width": "initial"}),
        "x1": _slider("input x1", 1.0, PLANE[0], PLANE[1]),
        "x2": _slider("input x2", 0.5, PLANE[0], PLANE[1]),
    }
    figure, (ax_diagram, ax_plane, ax_curve) = new_figure(11.0, 3.4, ncols=3)

    edges, edge_labels, values = _diagram(ax_diagram)

    # The output a over the input plane; the colour scale follows the activation's range.
    grid = np.linspace(*PLANE, GRID)
    grid_x1, grid_x2 = np.meshgrid(grid, grid)                       # (GRID, GRID) each
    image = ax_plane.imshow(np.zeros((GRID, GRID)), origin="lower", extent=(*PLANE, *PLANE),
                            cmap="cividis", vmin=0, vmax=1, interpolation="nearest", interpolation_stage="data",
                            animated=True)
    boundary, = ax_plane.plot([], [], color="white", linewidth=2.5, linestyle="--", animated=True,
                              label="w·x + b = 0")
    arrow, = ax_plane.plot([], [], color="white", linewidth=1.5, animated=True)
    arrow_head, = ax_plane.plot([], [], color="white", marker=">", markersize=7, linestyle="none",
                                animated=True)
    point, = ax_plane.plot([], [], marker=MARKERS[0], markersize=9, color=PALETTE[0],
                           markeredgecolor="black", linestyle="none", animated=True)
    plane_note = ax_plane.text(0.02, 0.97, "", transform=ax_plane.transAxes, va="top", fontsize=8,
                               color="white")          # static: changes (a full redraw) only at w = 0
    ax_plane.set_xlim(*PLANE)
    ax_plane.set_ylim(*PLANE)
    label(ax_plane, "Output a over the input plane", "input x1", "input x2")
    ax_plane.grid(False)
    # A colour bar whose numbers change with the activation (texts, so no full redraw).
    ax_bar = ax_plane.inset_axes([1.04, 0.0, 0.06, 1.0])
    ax_bar.imshow(np.linspace(0, 1, 64)[:, None], origin="lower", aspect="auto", cmap="cividis",
                  extent=(0, 1, 0, 1))
    ax_bar.set_xticks([])
    ax_bar.set_yticks([0, 0.5, 1], ["", "", ""])
    bar_texts = [ax_bar.text(1.4, y, "", transform=ax_bar.transAxes, va="center", fontsize=8,
                             animated=True) for y in (0.0, 0.5, 1.0)]
    ax_bar.set_title("a", fontsize=9)

    # The activation curve a = f(z) with the current z.
    z_axis = np.linspace(*Z_LIMITS, 400)
    curve, = ax_curve.plot(z_axis, np.zeros_like(z_axis), color=PALETTE[4], linewidth=2, animated=True)
    marker, = ax_curve.plot([], [], marker=MARKERS[0], markersize=9, color=PALETTE[0],
                            markeredgecolor="black", linestyle="none", animated=True)
    guide, = ax_curve.plot([], [], color=PALETTE[0], linestyle=":", animated=True)
    ax_curve.axhline(0, color="black", linewidth=0.8)
    ax_curve.axvline(0, color="black", linewidth=0.8)
    ax_curve.set_xlim(*Z_LIMITS)
    ax_curve.set_ylim(-1.3, 3.0)
    label(ax_curve, "Activation a = f(z)", "pre-activation z = w·x + b", "output a")

    def update(app):
        w1, w2, b = (controls[name].value for name in ("w1", "w2", "b"))
        x1, x2 = controls["x1"].value, controls["x2"].value
        name = controls["activation"].value
        z = w1 * x1 + w2 * x2 + b
        a = float(activate(name, z))
        low, high = ACTIVATION_RANGE[name]

        # Diagram: edge thickness is |weight|, colour and line style its sign.
        for key, weight, text in (("x1", w1, "w1"), ("x2", w2, "w2"), ("1", b, "b")):
            edges[key].set_linewidth(0.8 + 1.6 * abs(weight))
            edges[key].set_color(PALETTE[4] if weight >= 0 else PALETTE[5])
            edges[key].set_linestyle("-" if weight >= 0 else "--")
            edge_labels[key].set_text(f"{text}={weight:+.2f}")   # few glyphs: text is slow to draw
        values["x1"].set_text(f"{x1:+.1f}")
        values["x2"].set_text(f"{x2:+.1f}")
        values["z"].set_text(f"z={z:+.2f}")
        values["a"].set_text(f"a={a:.2f}")

        # Plane: a at every point of the grid, the line z = 0 and the direction of w.
        image.set_data(activate(name, w1 * grid_x1 + w2 * grid_x2 + b))   # (GRID, GRID)
        image.set_clim(low, high)
        ends = decision_line(w1, w2, b, PLANE, PLANE)
        boundary.set_data(*(ends if ends is not None else ([], [])))
        norm = np.hypot(w1, w2)
        if ends is not None and norm > 1e-9:
            middle = np.mean(ends, axis=1)
            tip = middle + 0.5 * np.array([w1, w2]) / norm
            arrow.set_data([middle[0], tip[0]], [middle[1], tip[1]])
            arrow_head.set_data([tip[0]], [tip[1]])
            arrow_head.set_marker((3, 0, np.degrees(np.arctan2(w2, w1)) - 90))
            note = "dashed: z = 0;  arrow: w, where z grows"
        else:
            arrow.set_data([], [])
            arrow_head.set_data([], [])
            note = "z = 0 nowhere in this square" if norm > 1e-9 else "w = 0: the output ignores the input"
        if plane_note.get_text() != note:
            plane_note.set_text(note)
        point.set_data([x1], [x2])
        top = "≥ " if name in ("ReLU", "LeakyReLU") else ""          # colours saturate beyond the range
        bottom = "≤ " if name == "LeakyReLU" else ""
        for text, value, prefix in zip(bar_texts, (low, (low + high) / 2, high), (bottom, "", top)):
            text.set_text(f"{prefix}{value:g}")

        # Activation curve with the current point (clamped to the axis, with its true value in text).
        curve.set_ydata(activate(name, z_axis))
        shown_z = float(np.clip(z, *Z_LIMITS))
        shown_a = float(np.clip(activate(name, shown_z), -1.3, 3.0))
        marker.set_data([shown_z], [shown_a])
        guide.set_data([shown_z, shown_z], [0, shown_a])
        shown_name = f"LeakyReLU(negative_slope={LEAKY_SLOPE:g})" if name == "LeakyReLU" else name
        distance = line_distance(w1, w2, b)
        readout.value = (
            f"<code>z = w1·x1 + w2·x2 + b = ({w1:+.2f})·({x1:+.2f}) + ({w2:+.2f})·({x2:+.2f}) + ({b:+.2f}) "
            f"= {z:+.3f}</code><br><code>a = {shown_name}(z) = {a:.3f}</code>"
            + ("  (the point is off the curve's axes)" if shown_z != z or shown_a != a else "")
            + "<br>" + (f"<code>line z = 0: distance from the origin |b| / ‖w‖ = {abs(b):.2f} / {norm:.3f} = "
                        f"{distance:.3f}</code>" if distance is not None else "<code>w = 0: no line</code>")
        )

    # The exact numbers go into an HTML line under the controls: text in the figure is slow to draw.
    readout = widgets.HTML()
    figure.draw_without_rendering()                         # the layout, so the edges can meet the nodes
    _place_edges(ax_diagram, edges)
    return App(controls, figure, update, extra=[readout], title="A single neuron: a = f(w1·x1 + w2·x2 + b)")
