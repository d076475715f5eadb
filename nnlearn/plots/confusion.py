"""A confusion matrix drawn so that it can change on every slider move.

Rows are the true classes, columns the predicted ones (scikit-learn's `confusion_matrix` layout).
Each cell shows its count and what it means; its shade is the count as a fraction of its row
(the recall of that class), so a rare class is as visible as a common one.
"""

import matplotlib
import numpy as np
from matplotlib.patches import Rectangle

from .style import label

CELL_NAMES_BINARY = [["true negatives", "false positives"], ["false negatives", "true positives"]]


class ConfusionMatrixPlot:
    """Confusion matrix on `ax`; call `update(matrix)` with a (C, C) array of counts.

    Each cell is a shaded square with its count; for two classes a static caption under it says
    what the cell means. The squares and counts are created `animated` (default True) so an App
    only repaints them (a few glyphs: text is the slow part of a redraw); the axes, ticks and
    captions stay in the static background.
    """

    def __init__(self, ax, class_names, title="Confusion matrix", animated=True, cmap="Blues"):
        self.ax = ax
        self.class_names = list(class_names)
        self.cmap = matplotlib.colormaps[cmap]
        size = len(self.class_names)
        captions = size == 2
        top = 0.18 if captions else 0.48                 # room for the caption under each square
        self.cells = [[ax.add_patch(Rectangle((j - 0.48, i - 0.48), 0.96, 0.48 + top, facecolor="white",
                                              edgecolor="black", linewidth=0.5, animated=animated))
                       for j in range(size)] for i in range(size)]
        self.texts = [[ax.text(j, i - 0.15 if captions else i, "", ha="center", va="center", fontsize=12,
                               animated=animated, zorder=3)
                       for j in range(size)] for i in range(size)]
        if captions:
            for i in range(2):
                for j in range(2):
                    ax.text(j, i + 0.34, CELL_NAMES_BINARY[i][j], ha="center", va="center", fontsize=8)
        ax.set_xticks(range(size), [f"says {name}" for name in self.class_names])
        ax.set_yticks(range(size), [f"is {name}" for name in self.class_names])
        ax.set_xlim(-0.5, size - 0.5)
        ax.set_ylim(size - 0.5, -0.5)
        label(ax, title, "predicted class", "true class")
        ax.grid(False)
        self.matrix = None

    def update(self, matrix):
        """Show a new (C, C) count matrix; shade = count / row total."""
        matrix = np.asarray(matrix)
        size = len(self.class_names)
        if matrix.shape != (size, size):
            raise ValueError(f"ConfusionMatrixPlot: matrix must have shape ({size}, {size}), got {matrix.shape}")
        rows = matrix.sum(axis=1, keepdims=True)
        fraction = np.divide(matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)
        for i in range(size):
            for j in range(size):
                self.cells[i][j].set_facecolor(self.cmap(0.85 * fraction[i, j]))
                self.texts[i][j].set_text(f"{int(matrix[i, j])}")
                self.texts[i][j].set_color("white" if fraction[i, j] > 0.6 else "black")
        self.matrix = matrix
        return self
