"""Loss curves: how the loss moved as training went on, with divergence marked as such.

`LossCurve` owns one line on fixed axes (log scale by default) and redraws it with `set_data`,
so an app can update it on every slider move. A run that blew up is drawn up to its last finite
loss, with a cross and a note "diverged at update k" instead of a line shooting off the axes.
"""

import numpy as np

from .style import PALETTE


def smooth(values, window):
    """Moving average over the last `window` values (shorter at the start), same length as values.

    window=1 returns the values unchanged. Used to read a trend out of noisy mini-batch losses.
    """
    values = np.asarray(values, dtype=float)
    window = int(window)
    if window < 1:
        raise ValueError(f"smooth: window must be at least 1, got {window}")
    if window == 1 or len(values) == 0:
        return values.copy()
    cumulative = np.concatenate([[0.0], np.cumsum(values)])
    index = np.arange(1, len(values) + 1)
    start = np.maximum(index - window, 0)
    return (cumulative[index] - cumulative[start]) / (index - start)


def finite_prefix(losses):
    """The losses up to (not including) the first one that is not finite, and that index or None."""
    losses = np.asarray(losses, dtype=float)
    bad = np.flatnonzero(~np.isfinite(losses))
    if len(bad) == 0:
        return losses, None
    return losses[:bad[0]], int(bad[0])


class LossCurve:
    """One animated loss line on an axes with fixed limits, plus a divergence marker and note.

    set(x, losses, diverged_at=None): draws losses against x (a single loss as a dot); diverged_at
    is the x position where training blew up (None when it did not).
    """

    def __init__(self, ax, xlim, ylim=(1e-3, 30.0), log=True, colour=PALETTE[4], linewidth=1.8,
                 animated=True, label=None):
        self.ax = ax
        if log:
            ax.set_yscale("log")
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
        self.ylim = ylim
        (self.line,) = ax.plot([], [], color=colour, linewidth=linewidth, animated=animated, label=label)
        (self.marker,) = ax.plot([], [], linestyle="none", marker="X", markersize=11, color=PALETTE[5],
                                 markeredgecolor="black", animated=animated, zorder=5)
        self.note = ax.text(0.97, 0.95, "", transform=ax.transAxes, ha="right", va="top",
                            color=PALETTE[5], fontweight="bold", animated=animated, zorder=6)

    def set(self, x, losses, diverged_at=None):
        x = np.asarray(x, dtype=float)
        losses = np.asarray(losses, dtype=float)
        low, high = self.ylim
        shown = np.clip(losses, low, high)               # keep the line on the axes
        self.line.set_data(x, shown)
        self.line.set_marker("o" if len(x) == 1 else "None")   # one point is no line: draw a dot
        if diverged_at is None:
            self.marker.set_data([], [])
            self.note.set_text("")
        else:
            self.marker.set_data([diverged_at], [high / 1.4 if self.ax.get_yscale() == "log" else high])
            self.note.set_text(f"diverged at update {int(diverged_at)}")
        return self

    def set_xlim(self, xlim):
        """Change the x range (a full redraw follows: use for buttons, not sliders)."""
        self.ax.set_xlim(xlim)
