"""The playground's picture: the output over the plane with the data, the network with a small
heatmap for every neuron and its weights as edges, the loss curves, and a confusion matrix or R².

Heatmaps are uint8 RGBA images coloured here with a lookup table (no matplotlib norm on every
frame), and every artist that changes while training is animated, so a frame repaints only them.
"""

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, to_rgb

from .boundaries import class_colours, grid_points, region_colours, softmax
from matplotlib.figure import Figure

from .style import DPI, PALETTE, label, nice_ceiling

EXTENT = (-6.0, 6.0, -6.0, 6.0)
OUTPUT_RESOLUTION = 64
NET_WIDTH = 1.5                    # the network panel is NET_WIDTH x 1 in data units, drawn to equal scale
TILE_RESOLUTION = 20
EDGE_FULL = 2.0                    # an edge is drawn thickest at |w| >= 2, thinner in proportion below:
EDGE_WIDTHS = (0.3, 3.3)           # one scale for every layer and frame, so small weights look small
DEAD = np.array([200, 200, 200, 255], np.uint8)    # a neuron that computes one value everywhere: grey
# Playground's orange (negative) .. white .. blue (positive), colour-blind safe.
DIVERGING = LinearSegmentedColormap.from_list("playground", [PALETTE[0], "#ffffff", PALETTE[4]])
LUT = np.round(DIVERGING(np.linspace(0, 1, 256)) * 255).astype(np.uint8)        # (256, 4)
TILE_POINTS = grid_points(EXTENT[:2], EXTENT[2:], TILE_RESOLUTION)
OUTPUT_POINTS = grid_points(EXTENT[:2], EXTENT[2:], OUTPUT_RESOLUTION)


def diverging_rgba(values, scale, resolution, discretize=False):
    """values (resolution**2,) in [-scale, scale] -> an RGBA uint8 image (orange < 0 < blue)."""
    values = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0, posinf=scale, neginf=-scale)
    if discretize:
        values = np.sign(values) * scale
    index = np.clip((values / scale + 1) * 127.5, 0, 255).astype(np.uint8)
    return LUT[index].reshape(resolution, resolution, 4)


class PlaygroundFigure:
    """The figure and its artists; `draw(playground, show_test, discretize)` updates them."""

    def __init__(self):
        self.figure = Figure(figsize=(12.0, 4.4), dpi=DPI, layout="constrained")
        self.ax_out, self.ax_net, self.ax_side = self.figure.subplots(1, 3, gridspec_kw={"width_ratios": [1.0, 1.5, 1.0]})
        self.structure = None                       # (features, hidden, n_outputs) drawn in ax_net
        self.ax_out.set_aspect("equal")
        self.output = self.ax_out.imshow(np.zeros((2, 2, 4), np.uint8), origin="lower", extent=EXTENT,
                                         interpolation="bilinear", interpolation_stage="data", animated=True,
                                         zorder=0)
        self.ax_out.set_xlim(EXTENT[:2])
        self.ax_out.set_ylim(EXTENT[2:])
        label(self.ax_out, "Output, with the data", "x1", "x2")
        self.ax_out.grid(False)
        # animated like the heatmap under them, so a frame paints them back over it
        self.train_points = self.ax_out.scatter([], [], s=14, edgecolors="white", linewidths=0.6, zorder=3,
                                                animated=True)
        self.test_points = self.ax_out.scatter([], [], s=16, facecolors="none", linewidths=1.2, zorder=3,
                                               marker="s", animated=True)
        self.ax_net.set_axis_off()
        self.ax_loss = self.ax_side.inset_axes([0.0, 0.62, 1.0, 0.38])
        self.ax_metric = self.ax_side.inset_axes([0.2, 0.0, 0.6, 0.40])
        self.ax_side.set_axis_off()
        label(self.ax_loss, "", "epoch", "loss")
        self.train_line, = self.ax_loss.plot([], [], color=PALETTE[4], label="training", animated=True)
        self.test_line, = self.ax_loss.plot([], [], color=PALETTE[5], linestyle="--", label="test", animated=True)
        self.ax_loss.legend(loc="upper right", fontsize="small")
        self.ax_loss.title.set_animated(True)              # the epoch counter changes every frame
        self.ax_loss.title.set_fontsize(9)
        self.loss_limits = None
        self.metric_kind = None

    def plane_point(self, column, row):
        """The point (x1, x2) of the plane under pixel (column, row) of the picture, row 0 at the
        top (as the browser counts), or None off the output panel."""
        x1, x2 = self.ax_out.transData.inverted().transform((column, self.figure.bbox.height - row))
        inside = EXTENT[0] <= x1 <= EXTENT[1] and EXTENT[2] <= x2 <= EXTENT[3]
        return (float(x1), float(x2)) if inside else None

    # the data layer (static until the data changes)
    def set_data(self, playground):
        X, y = playground.X_train, playground.y_train
        self.train_points.set_offsets(X)
        self.train_points.set_facecolors(self._point_colours(playground, y))
        self.test_points.set_offsets(playground.X_test)
        self.test_points.set_edgecolors(self._point_colours(playground, playground.y_test))
        self.loss_limits = None

    def _point_colours(self, playground, y):
        if playground.problem == "classification":
            if playground.n_classes == 2:
                return np.array([to_rgb(PALETTE[0]), to_rgb(PALETTE[4])])[y]
            return class_colours(playground.n_classes)[y]
        return LUT[np.clip((np.asarray(y) + 1) * 127.5, 0, 255).astype(np.uint8), :3] / 255 * 0.8

    # the network layer (rebuilt when the architecture changes)
    def set_structure(self, playground):
        c = playground.config
        widths = [len(c.features), *c.hidden, self._output_tiles(playground)]
        structure = (tuple(c.features), tuple(c.hidden), widths[-1])
        if structure == self.structure:
            return
        self.structure = structure
        ax = self.ax_net
        for artist in list(ax.images) + list(ax.collections) + list(ax.texts):
            artist.remove()
        columns = len(widths)
        self.positions = []
        height = min(0.12, 0.9 / (1.3 * max(widths)))           # tiles and gaps fit the column
        size = min(height, 0.45 * NET_WIDTH * 0.9 / columns)     # square, and at most half a column's width
        for j, width in enumerate(widths):
            x = NET_WIDTH * (0.08 + 0.9 * (j + 0.5) / columns)
            ys = [0.5 + (width / 2 - i - 0.5) * height * 1.3 for i in range(width)]
            self.positions.append([(x, yy) for yy in ys])
        self.tile_size = size
        self.edges = LineCollection([], animated=True, zorder=1)
        ax.add_collection(self.edges)
        self.tiles = []
        for j, column in enumerate(self.positions):
            tiles = []
            for i, (x, yy) in enumerate(column):
                half, vertical = size / 2, size / 2
                tiles.append(ax.imshow(np.zeros((2, 2, 4), np.uint8), origin="lower", interpolation="nearest",
                                       interpolation_stage="data",
                                       extent=(x - half, x + half, yy - vertical, yy + vertical), aspect="auto",
                                       animated=j > 0, zorder=2))
                if j == 0:
                    ax.text(x - half - 0.01, yy, c.features[i], ha="right", va="center", fontsize=8)
            self.tiles.append(tiles)
        for i, image in enumerate(self.tiles[0]):                     # the inputs never change
            feature = playground.layer_inputs(TILE_POINTS)[:, i]
            image.set_data(diverging_rgba(feature, max(np.abs(feature).max(), 1e-9), TILE_RESOLUTION))
        ax.set_xlim(0, NET_WIDTH)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        layers = f"{len(c.hidden)} hidden layer{'s' if len(c.hidden) != 1 else ''}" + (
            f" of {', '.join(map(str, c.hidden))}" if c.hidden else "")
        ax.set_title(f"Network, {layers}: each square is what a neuron computes over\n"
                     "the plane (grey: one value everywhere, a dead neuron); edges are weights", fontsize=9)
        self._edge_legend(ax)

    @staticmethod
    def _edge_legend(ax):
        """What an edge's colour and width mean, under the network: the same scale for every weight."""
        for k, (size, colour) in enumerate(((0.1, PALETTE[4]), (1.0, PALETTE[4]), (EDGE_FULL, PALETTE[0]))):
            x = NET_WIDTH * (0.12 + 0.3 * k)
            ax.plot([x, x + 0.08], [0.02, 0.02], color=colour, solid_capstyle="butt",
                    linewidth=EDGE_WIDTHS[0] + (EDGE_WIDTHS[1] - EDGE_WIDTHS[0]) * min(size, EDGE_FULL) / EDGE_FULL)
            sign = "−" if colour == PALETTE[0] else "+"
            ax.text(x + 0.1, 0.02, f"w = {sign}{size:g}" + (" or beyond" if size >= EDGE_FULL else ""),
                    va="center", fontsize=7)

    @staticmethod
    def _output_tiles(playground):
        """One output square (a regression, or two classes: the evidence for class 1), else one per class."""
        return playground.n_classes if playground.n_classes > 2 else 1

    def _edges(self, playground):
        segments, colours, widths = [], [], []
        weights = [layer.weight.data for layer in playground.linear_layers()]
        if playground.n_classes == 2:                     # two logits: what moves the margin z1 - z0
            weights[-1] = weights[-1][:, 1:] - weights[-1][:, :1]
        half = self.tile_size / 2
        low, high = EDGE_WIDTHS
        for j, W in enumerate(weights):
            for a, (x0, y0) in enumerate(self.positions[j]):
                for b, (x1, y1) in enumerate(self.positions[j + 1]):
                    w = W[a, b]
                    segments.append([(x0 + half, y0), (x1 - half, y1)])
                    colours.append(PALETTE[4] if w > 0 else PALETTE[0])
                    widths.append(low + (high - low) * min(abs(w), EDGE_FULL) / EDGE_FULL if np.isfinite(w) else low)
        self.edges.set_segments(segments)
        self.edges.set_colors(colours)
        self.edges.set_linewidths(widths)

    # every frame
    def draw(self, playground, show_test=False, discretize=False):
        self.set_structure(playground)
        outputs = playground.layer_outputs(np.vstack([TILE_POINTS, OUTPUT_POINTS]))
        n_tile = len(TILE_POINTS)
        for j, values in enumerate(outputs[:-1], start=1):
            values = values[:n_tile]
            scale = max(np.nanmax(np.abs(values)) if np.isfinite(values).any() else 1.0, 1e-9)
            dead = np.ptp(values, axis=0) == 0                  # one value over the whole plane
            for i, image in enumerate(self.tiles[j]):
                image.set_data(np.broadcast_to(DEAD, (TILE_RESOLUTION, TILE_RESOLUTION, 4)) if dead[i] else
                               diverging_rgba(values[:, i], scale, TILE_RESOLUTION))
        final = outputs[-1]
        if playground.n_classes > 2:                      # one square per class: its probability
            probabilities = softmax(final[:n_tile]) if playground.config.loss == "cross-entropy" else final[:n_tile]
            for i, image in enumerate(self.tiles[-1]):
                image.set_data(diverging_rgba(2 * probabilities[:, i] - 1, 1.0, TILE_RESOLUTION, discretize))
        else:
            self.tiles[-1][0].set_data(self._output_image(playground, final[:n_tile], TILE_RESOLUTION, discretize))
        self.output.set_data(self._output_image(playground, final[n_tile:], OUTPUT_RESOLUTION, discretize))
        self.test_points.set_visible(bool(show_test))
        self._edges(playground)
        self._curves(playground)
        self._metric(playground)

    def _output_image(self, playground, scores, resolution, discretize):
        if playground.problem == "regression":
            return diverging_rgba(scores[:, 0], 1.0, resolution, discretize)
        if playground.n_classes == 2:
            margin = scores[:, 1] - scores[:, 0]                  # > 0: class 1 (blue)
            if playground.config.loss == "cross-entropy":
                return diverging_rgba(2 * softmax(scores)[:, 1] - 1, 1.0, resolution, discretize)
            return diverging_rgba(np.clip(margin, -1, 1), 1.0, resolution, discretize)
        probabilities = softmax(scores) if playground.config.loss == "cross-entropy" else \
            np.eye(scores.shape[1])[scores.argmax(axis=1)]
        return region_colours(probabilities, resolution)

    def _loss_limits(self, record, kept):
        """The loss axes' (epochs, loss) limits for `record`: `kept` (the last ones, None after new
        data) until the curves outgrow them, then round ones with room to grow."""
        finite = [v for v in record.train_loss + record.test_loss if np.isfinite(v)]
        top = nice_ceiling(max(finite) * 1.1) if finite else 1.0
        right = max(10, len(record.train_loss))
        if kept is None or top > kept[1] or right > kept[0]:
            return (max(right * 2, 20), top)
        return kept

    def rescales(self, playground, new_data=False):
        """Would drawing `playground` (after set_data, if `new_data`) change the loss axes' limits?
        A new limit redraws the whole figure."""
        return not self._shows(self._loss_limits(playground.record, None if new_data else self.loss_limits))

    def _shows(self, limits):
        """Are the loss axes at these (epochs, loss) limits?"""
        return (self.ax_loss.get_xlim(), self.ax_loss.get_ylim()) == ((0, limits[0]), (0, limits[1]))

    def _curves(self, playground):
        record = playground.record
        epochs = np.arange(len(record.train_loss))
        limits = self._loss_limits(record, self.loss_limits)
        # round limits, set only when they change: a new limit redraws the whole figure
        if not self._shows(limits):
            self.ax_loss.set_xlim(0, limits[0])
            self.ax_loss.set_ylim(0, limits[1])
        self.loss_limits = limits
        self.train_line.set_data(epochs, record.train_loss)
        self.test_line.set_data(epochs, record.test_loss)
        c = playground.config
        regulariser = "" if c.regularization == "none" else f", {c.regularization} {c.reg_rate:g}"
        dropout = f", dropout {c.dropout:g}" if c.dropout else ""
        # set_text: set_title would redraw everything. The settings line tells two runs apart at epoch 0.
        # Three lines, always: the layout was computed for three, and one line of every setting ran
        # past the figure's edge at 1024 px.
        self.ax_loss.title.set_text(f"epoch {playground.epoch}: training loss {record.train_loss[-1]:.3f}, "
                                    f"test {record.test_loss[-1]:.3f}\n{c.optimizer}, lr {c.learning_rate:.3g}, "
                                    f"batch {c.batch_size}\n{c.schedule} schedule{regulariser}{dropout}")

    def _metric(self, playground):
        ax, metrics = self.ax_metric, playground.metrics()
        kind = ("confusion", playground.n_classes) if "confusion" in metrics else ("r2",)
        if kind != self.metric_kind:
            ax.clear()
            ax.title.set_animated(True)
            ax.title.set_fontsize(9)
            self.metric_kind = kind
            if "confusion" in metrics:
                n = playground.n_classes
                self.matrix = ax.imshow(np.zeros((n, n)), cmap="Blues", vmin=0, vmax=1, animated=True)
                self.counts = [[ax.text(j, i, "", ha="center", va="center", fontsize=8, animated=True)
                                for j in range(n)] for i in range(n)]
                ax.set_xticks(range(n))
                ax.set_yticks(range(n))
                label(ax, "", "predicted class", "true class")
                ax.grid(False)
            else:
                ax.set_axis_off()
                self.r2_text = ax.text(0.5, 0.5, "", ha="center", va="center", fontsize=12, animated=True)
        if "confusion" in metrics:
            counts = metrics["confusion"]
            rows = np.maximum(counts.sum(axis=1, keepdims=True), 1)
            self.matrix.set_data(counts / rows)
            for i, row in enumerate(self.counts):
                for j, text in enumerate(row):
                    text.set_text(str(counts[i, j]))
                    text.set_color("white" if counts[i, j] / rows[i, 0] > 0.5 else "black")   # readable on dark
            ax.title.set_text(f"test accuracy {metrics['accuracy']:.1%}")
        else:                                  # a drawing of a few points may leave no test data
            self.r2_text.set_text(f"test R² = {metrics['r2']:.3f}\n(1 is a perfect fit, 0 is the mean)" if metrics
                                  else "no test data yet:\ndraw more points")
