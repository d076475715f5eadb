"""A small fully connected network drawn as circles (neurons) and lines (weights).

    diagram = NetworkDiagram(ax, sizes=(2, 3, 1), names=("input x", "hidden h", "output ŷ"))
    diagram.set_node_text(1, ["0.73", "0.41", "0.52"])         # values shown under the neurons
    diagram.set_edge_values(0, grad_W1)                          # colour by sign, width by size
    diagram.highlight(1)                                         # the layer being worked on

Edges, the texts under the nodes and the highlight are animated artists, so an App repaints only
them when a control moves; the texts in the nodes too unless `animated_values=False` (for values
that rarely change: then they are part of the background). The nodes and layer names are drawn once.
"""

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

from .style import PALETTE

NEGATIVE, POSITIVE, NEUTRAL = PALETTE[4], PALETTE[0], "0.75"   # blue, orange, grey


def layer_positions(sizes, height=1.0):
    """Node centres per layer: layer i at x = i, its nodes spread evenly in y, centred on 0.

    Returns a list of (n_i, 2) arrays."""
    span = max(sizes) - 1 if max(sizes) > 1 else 1
    positions = []
    for i, n in enumerate(sizes):
        y = (np.arange(n)[::-1] - (n - 1) / 2) * height * 2 / max(span, 1)
        positions.append(np.column_stack([np.full(n, float(i)), y]))
    return positions


class NetworkDiagram:
    """A layered network on `ax`: sizes (n_0, n_1, ...) neurons per layer, names under the layers.

    `edges[i]` is the LineCollection of the weights from layer i to layer i + 1, in the order of
    W.ravel() for a weight matrix W of shape (n_i, n_{i+1}).
    """

    def __init__(self, ax, sizes, names=None, node_size=700, fontsize=9, animated_values=True):
        self.ax = ax
        self.sizes = tuple(int(n) for n in sizes)
        self.positions = layer_positions(self.sizes)
        self.fontsize = fontsize
        self.edges, self.node_texts = [], []
        for i in range(len(self.sizes) - 1):
            a, b = self.positions[i], self.positions[i + 1]
            segments = [(a[p], b[q]) for p in range(len(a)) for q in range(len(b))]
            collection = LineCollection(segments, colors=NEUTRAL, linewidths=1.0, zorder=1, animated=True)
            ax.add_collection(collection)
            self.edges.append(collection)
        for i, points in enumerate(self.positions):
            # animated like the edges, so the circles are painted over them (blitting ignores zorder
            # between the background and the animated artists)
            ax.scatter(points[:, 0], points[:, 1], s=node_size, facecolor="white", edgecolor="black",
                       linewidth=1.2, zorder=3, animated=True)
            self.node_texts.append([
                ax.text(x, y, "", ha="center", va="center", fontsize=fontsize, zorder=4, animated=animated_values)
                for x, y in points
            ])
        self.below_texts = [
            [ax.text(x, y - 0.2, "", ha="center", va="top", fontsize=fontsize - 1, zorder=4,
                     animated=True, visible=False, linespacing=1.1)
             for x, y in points]
            for points in self.positions
        ]
        bottom = min(points[:, 1].min() for points in self.positions)
        top = max(points[:, 1].max() for points in self.positions)
        if names:
            for i, name in enumerate(names):
                ax.text(i, bottom - 0.62, name, ha="center", va="top", fontsize=fontsize)
        self.band = Rectangle((-0.32, bottom - 0.55), 0.64, top - bottom + 0.85, facecolor=PALETTE[3],
                              alpha=0.35, edgecolor="none", zorder=0, animated=True, visible=False)
        ax.add_patch(self.band)
        ax.set_xlim(-0.6, len(self.sizes) - 0.4)
        ax.set_ylim(bottom - 0.95, top + 0.45)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)

    def set_node_text(self, layer, texts, below=False, color="black"):
        """Write texts[j] on (or, with below=True, under) neuron j of `layer`; None or "" hides it."""
        artists = (self.below_texts if below else self.node_texts)[layer]
        for artist, text in zip(artists, texts):
            # Change only what differs: touching a non-animated text forces a full redraw.
            if artist.get_text() != (text or ""):
                artist.set_text(text or "")
            if artist.get_color() != color:
                artist.set_color(color)
            if artist.get_visible() != bool(text):
                artist.set_visible(bool(text))

    def set_edge_values(self, layer, values, scale=None):
        """Colour the weights from `layer` to `layer + 1` by sign (orange +, blue -) and set their
        width by size, relative to `scale` (the largest |value| by default). None: plain grey."""
        collection = self.edges[layer]
        if values is None:
            collection.set_color(NEUTRAL)
            collection.set_linewidth(1.0)
            return
        values = np.asarray(values, dtype=float).ravel()
        scale = float(np.max(np.abs(values))) if scale is None else float(scale)
        widths = 0.6 + 5.5 * np.abs(values) / max(scale, 1e-300)
        collection.set_color([POSITIVE if v > 0 else NEGATIVE for v in values])
        collection.set_linewidth(widths)

    def highlight(self, layer):
        """Shade the band behind `layer` (a float between layers shades the weights); None: no band."""
        if layer is None:
            self.band.set_visible(False)
            return
        self.band.set_x(layer - 0.32)
        self.band.set_visible(True)
