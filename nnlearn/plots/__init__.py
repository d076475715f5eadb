"""Plots for the lessons: one module per kind of picture, one shared style (`style`).

Figures are built with `matplotlib.figure.Figure`, not pyplot, so an app owns its figure and a
notebook never shows a stray copy.
"""

from .style import CLASS_CMAP, LINESTYLES, MARKERS, PALETTE, label, new_figure
from .confusion import ConfusionMatrixPlot
from .functions import activate, loss_curves, pointwise_loss
from .diagrams import NetworkDiagram
from .landscapes import PathArtists, plot_surface
from .boundaries import plot_decision_regions
from .curves import LossCurve, smooth
from .digits import DigitGallery
from .schedules import schedule_race_figure
