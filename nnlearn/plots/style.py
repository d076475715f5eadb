"""The look shared by every plot: a colour-blind-safe palette, markers that also tell series
apart, and axes that always carry a title and labelled axes.

Okabe & Ito's palette stays distinguishable under the common forms of colour blindness; each
series also gets its own marker or line style, so nothing depends on colour alone.
"""

import math

from matplotlib.figure import Figure

# Okabe-Ito: orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple, black.
PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), "-", "--"]
# Two-class maps for decision regions: light tints of blue and orange, never red against green.
CLASS_CMAP = "PuOr"

DPI = 80


def new_figure(width=8.0, height=3.6, ncols=1, nrows=1, **subplot_kw):
    """A matplotlib Figure not registered with pyplot (so notebooks do not display it twice),
    with its axes. Returns (figure, axes) like plt.subplots."""
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=True, subplot_kw=subplot_kw or None)
    for ax in figure.axes:
        ax.set_prop_cycle(color=PALETTE, linestyle=LINESTYLES)
    return figure, axes


def label(ax, title, xlabel, ylabel):
    """Every plot says what it shows and in which units."""
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    return ax


NICE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceiling(value):
    """The smallest round number >= value (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten).

    For axis limits that follow the data: they change (and the whole figure is redrawn) only when
    the data crosses a round number, not on every move, and they read well."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(round(step * power, 12) for step in NICE_STEPS if round(step * power, 12) >= value)
