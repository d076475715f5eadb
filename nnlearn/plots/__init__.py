"""Plots for the lessons: one module per kind of picture, one shared style (`style`).

Figures are built with `matplotlib.figure.Figure`, not pyplot, so an app owns its figure and a
notebook never shows a stray copy.
"""

from .style import CLASS_CMAP, LINESTYLES, MARKERS, PALETTE, label, new_figure
