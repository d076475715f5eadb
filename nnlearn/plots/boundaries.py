"""Decision regions of a 2-D classifier: which class it predicts at every point of the plane.

The regions are an image on a fixed grid (an `imshow` whose pixels are recoloured by `set_data`),
which redraws far faster than a filled contour: an app can show the boundary move on every
slider step. Each class has a colour from the colour-blind-safe palette and a marker, so the
data points stay readable without colour.
"""

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D

from ..losses import softmax
from .style import MARKERS, PALETTE

# Class colours: orange, blue, bluish green, reddish purple, sky blue (Okabe-Ito).
CLASS_COLOURS = [PALETTE[0], PALETTE[4], PALETTE[2], PALETTE[6], PALETTE[1]]


def class_colours(n_classes):
    """RGB rows (n_classes, 3) of the class colours."""
    if n_classes > len(CLASS_COLOURS):
        raise ValueError(f"class_colours: at most {len(CLASS_COLOURS)} classes, got {n_classes}")
    return np.array([to_rgb(colour) for colour in CLASS_COLOURS[:n_classes]])


def grid_points(xlim, ylim, resolution=60):
    """The centres of a resolution x resolution grid over xlim x ylim.

    Shapes: returns points (resolution**2, 2), row-major with y increasing down the rows, so
    `values.reshape(resolution, resolution)` is an image for imshow(origin="lower").
    """
    xs = np.linspace(xlim[0], xlim[1], resolution)
    ys = np.linspace(ylim[0], ylim[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return np.column_stack([grid_x.ravel(), grid_y.ravel()])


def region_colours(probabilities, resolution):
    """An RGBA image (resolution, resolution, 4) of uint8 of the predicted class at every grid point.

    probabilities: (resolution**2, C), rows summing to 1. Each pixel takes the colour of its most
    likely class, pale where the model is unsure and stronger where it is confident; rows that are
    not finite (a diverged model) come out light grey. (uint8 RGBA is what matplotlib resamples
    fastest: about ten times faster than float RGB.)
    """
    probabilities = np.asarray(probabilities, dtype=float)
    n_classes = probabilities.shape[1]
    colours = class_colours(n_classes)
    finite = np.all(np.isfinite(probabilities), axis=1)
    safe = np.where(finite[:, None], probabilities, 1.0 / n_classes)
    winner = safe.argmax(axis=1)
    confidence = (safe.max(axis=1) - 1.0 / n_classes) / (1.0 - 1.0 / n_classes)   # 0 unsure .. 1 sure
    strength = 0.25 + 0.35 * np.clip(confidence, 0.0, 1.0)                         # tint, never full colour
    image = 1.0 - strength[:, None] * (1.0 - colours[winner])                      # blend with white
    image[~finite] = 0.85
    rgba = np.empty((len(image), 4), dtype=np.uint8)
    rgba[:, :3] = np.round(image * 255)
    rgba[:, 3] = 255
    return rgba.reshape(resolution, resolution, 4)


def regions_image(ax, xlim, ylim, resolution=60, animated=True):
    """An empty (white) image covering xlim x ylim, to be filled with `region_colours`."""
    blank = np.full((resolution, resolution, 4), 255, dtype=np.uint8)
    # nearest-neighbour in data space: the same pixels as in RGBA space, drawn in two thirds the time
    image = ax.imshow(blank, origin="lower", extent=(*xlim, *ylim), interpolation="nearest",
                      interpolation_stage="data", aspect="auto", animated=animated, zorder=0)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return image


def class_scatters(ax, n_classes, animated=True, size=22):
    """One scatter per class (its colour, its marker, a black edge), initially empty.

    Fill them with `set_class_points`. Returns the list of scatters.
    """
    scatters = []
    for c, colour in enumerate(class_colours(n_classes)):
        scatters.append(ax.scatter(np.empty(0), np.empty(0), s=size, c=[colour], marker=MARKERS[c],
                                   edgecolors="black", linewidths=0.5, animated=animated, zorder=3))
    return scatters


def set_class_points(scatters, X, y):
    """Show the points of class c in scatters[c] (classes beyond the data are emptied)."""
    for c, scatter in enumerate(scatters):
        scatter.set_offsets(X[y == c] if len(X) else np.empty((0, 2)))


def class_legend(ax, n_classes, loc="lower right"):
    """A legend with one entry per class (marker and colour), independent of the data shown."""
    handles = [Line2D([], [], linestyle="none", marker=MARKERS[c], markerfacecolor=colour,
                      markeredgecolor="black", markersize=6, label=f"class {c}")
               for c, colour in enumerate(class_colours(n_classes))]
    return ax.legend(handles=handles, loc=loc, fontsize="small", framealpha=0.8)


def plot_decision_regions(ax, predict, X, y, xlim=(-2.5, 2.5), ylim=(-2.5, 2.5), resolution=60,
                          probabilities=True):
    """A static picture: the regions of `predict` (points (M, 2) -> scores (M, C)) and the data.

    probabilities=False treats the scores as logits and applies softmax first.
    """
    points = grid_points(xlim, ylim, resolution)
    scores = np.asarray(predict(points), dtype=float)
    if not probabilities:
        scores = softmax(scores)
    n_classes = max(scores.shape[1], int(np.max(y)) + 1)
    image = regions_image(ax, xlim, ylim, resolution, animated=False)
    image.set_data(region_colours(scores, resolution))
    scatters = class_scatters(ax, n_classes, animated=False)
    set_class_points(scatters, np.asarray(X), np.asarray(y))
    class_legend(ax, n_classes)
    return image, scatters
