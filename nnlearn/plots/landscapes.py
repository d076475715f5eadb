"""Loss landscapes seen from above: a contour map of a 2-D surface and the paths optimizers take on it.

    fig, ax = new_figure(5, 4)
    plot_surface(ax, nl.landscapes.get("ravine"))          # contours, minima, fixed axis limits
    path = PathArtists(ax, color=PALETTE[4], marker="o", label="SGD")
    path.update(trajectory.points, diverged_at=None)       # on every slider move: only the path redraws

`plot_surface` draws everything that stays put (and fixes the limits); `PathArtists` holds the
animated artists of one path (line, current position, divergence flag), so an app that blits
repaints only the paths when a control moves.
"""

import numpy as np

from .style import PALETTE, label

DIVERGED_COLOR = PALETTE[5]      # vermillion
LANDSCAPE_CMAP = "Greys_r"       # grey valleys: every colour of the palette stays visible on it


def surface_levels(surface, levels=18, resolution=160):
    """Contour levels spaced geometrically above the surface's lowest point, so that both a
    steep wall and a flat valley floor get contours. Returns (X, Y, Z, levels)."""
    X, Y, Z = surface.grid(resolution)
    low, high = float(Z.min()), float(Z.max())
    span = max(high - low, 1e-12)
    heights = low + np.geomspace(span * 1e-4, span, levels)
    return X, Y, Z, np.unique(np.concatenate([[low], heights]))


def plot_surface(ax, surface, levels=18, resolution=160, show_minima=True, show_start=True,
                 title=None, equal_aspect=True):
    """Contour map of `surface` (a `nnlearn.landscapes.Surface`) on `ax`, with its minima marked.

    Fixes the axis limits to surface.xlim / surface.ylim (paths that fly off are clipped, not
    rescaled), labels the axes and returns a dict of the artists drawn ("filled", "lines",
    "minima", "start").
    """
    X, Y, Z, contour_levels = surface_levels(surface, levels, resolution)
    artists = {}
    artists["filled"] = ax.contourf(X, Y, Z, levels=contour_levels, cmap=LANDSCAPE_CMAP,
                                    alpha=0.5, extend="max")
    artists["lines"] = ax.contour(X, Y, Z, levels=contour_levels, colors="0.25", linewidths=0.5, alpha=0.6)
    if show_minima and surface.minima:
        minima = np.asarray(surface.minima)
        (artists["minima"],) = ax.plot(minima[:, 0], minima[:, 1], linestyle="none", marker="*",
                                       markersize=14, color="white", markeredgecolor="black",
                                       label="minimum", zorder=4)
    if show_start:
        (artists["start"],) = ax.plot(*surface.start, linestyle="none", marker="o", markersize=9,
                                      markerfacecolor="none", markeredgecolor="black",
                                      markeredgewidth=1.5, label="start", zorder=4)
    ax.set_xlim(*surface.xlim)
    ax.set_ylim(*surface.ylim)
    if equal_aspect:
        ax.set_aspect("equal", adjustable="box")
    label(ax, title or surface.title, "weight x", "weight y")
    return artists


def clear_surface(ax, artists):
    """Remove what `plot_surface` drew (before drawing another surface on the same axes)."""
    for artist in artists.values():
        artist.remove()


def _clip_to_view(ax, point, margin=0.04):
    """`point` moved just inside the axes' limits (for a marker that must stay visible)."""
    (xlo, xhi), (ylo, yhi) = ax.get_xlim(), ax.get_ylim()
    dx, dy = margin * (xhi - xlo), margin * (yhi - ylo)
    x = float(np.clip(np.nan_to_num(point[0], nan=0.0, posinf=xhi, neginf=xlo), xlo + dx, xhi - dx))
    y = float(np.clip(np.nan_to_num(point[1], nan=0.0, posinf=yhi, neginf=ylo), ylo + dy, yhi - dy))
    return x, y


class PathArtists:
    """The animated artists of one optimizer path on a landscape: the path (line with a marker
    at every step), its current position, and a divergence flag with a note.

    Created empty; `update(points, diverged_at=None)` moves them. All are `animated=True`, so an
    App repaints only these when a control moves. Shapes: points (k + 1, 2).
    """

    def __init__(self, ax, color=PALETTE[4], marker="o", label=None, linestyle="-", zorder=5):
        self.ax = ax
        (self.line,) = ax.plot([], [], color=color, marker=marker, markersize=3.5, linewidth=1.6,
                               linestyle=linestyle, label=label, animated=True, zorder=zorder)
        (self.head,) = ax.plot([], [], linestyle="none", marker=marker, markersize=10, color=color,
                               markeredgecolor="black", animated=True, zorder=zorder + 1)
        (self.flag,) = ax.plot([], [], linestyle="none", marker="X", markersize=14,
                               color=DIVERGED_COLOR, markeredgecolor="black", animated=True,
                               zorder=zorder + 2)
        self.note = ax.text(0.5, 0.5, "", color=DIVERGED_COLOR, fontsize=10, fontweight="bold",
                            ha="center", va="center", animated=True, zorder=zorder + 3,
                            bbox=dict(boxstyle="round", facecolor="white", edgecolor=DIVERGED_COLOR, alpha=0.9))
        self.artists = (self.line, self.head, self.flag, self.note)

    def update(self, points, diverged_at=None, note=None):
        """Show the path through `points`; with `diverged_at=k`, flag the last point shown (clipped
        to the view so it stays visible) and write "diverged at step k" (or `note`) beside it."""
        points = np.asarray(points, dtype=float).reshape(-1, 2)
        finite = points[np.all(np.isfinite(points), axis=1)]
        self.line.set_data(finite[:, 0], finite[:, 1])
        if len(finite):
            self.head.set_data([finite[-1, 0]], [finite[-1, 1]])
        else:
            self.head.set_data([], [])
        if diverged_at is None:
            self.flag.set_data([], [])
            self.note.set_text("")
            self.note.set_visible(False)        # an empty text still costs a draw
            self.head.set_visible(True)
            return self
        end = finite[-1] if len(finite) else (np.nan, np.nan)
        x, y = _clip_to_view(self.ax, end)
        self.flag.set_data([x], [y])
        self.head.set_visible(False)
        (xlo, xhi), (ylo, yhi) = self.ax.get_xlim(), self.ax.get_ylim()
        # The note goes towards the middle of the plot from the flag, so it is never cut off.
        nx = x + (0.3 if x < (xlo + xhi) / 2 else -0.3) * (xhi - xlo)
        ny = y + (0.12 if y < (ylo + yhi) / 2 else -0.12) * (yhi - ylo)
        self.note.set_position((nx, ny))
        self.note.set_text(note or f"diverged at step {diverged_at}")
        self.note.set_visible(True)
        return self

    def clear(self):
        """Hide the path (no points)."""
        return self.update(np.empty((0, 2)))
