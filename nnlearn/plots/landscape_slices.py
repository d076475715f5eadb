"""Lesson 09's pictures of a real loss landscape: the digits network along a line and on a plane
(computed in `nnlearn.experiments.digit_landscape`)."""

import numpy as np

from ..experiments import digit_landscape
from .style import MARKERS, PALETTE, label, new_figure


def line_figure(seed=0):
    """Training and validation loss on the line from the initial (alpha 0) to the trained
    (alpha 1) weights, and the validation accuracy beside it."""
    alphas, train, val, accuracy = digit_landscape.line_losses(seed=seed)
    figure, (ax_loss, ax_accuracy) = new_figure(10, 3.4, ncols=2)
    ax_loss.plot(alphas, train, color=PALETTE[4], marker=MARKERS[0], markersize=3, label="training loss")
    ax_loss.plot(alphas, val, color=PALETTE[5], marker=MARKERS[1], markersize=3, label="validation loss")
    ax_accuracy.plot(alphas, accuracy, color=PALETTE[5], marker=MARKERS[1], markersize=3, label="validation accuracy")
    for ax in (ax_loss, ax_accuracy):
        for alpha, name in ((0, "initial"), (1, "trained")):
            ax.axvline(alpha, color="0.5", linestyle="--", linewidth=1)
            ax.annotate(f" {name}", (alpha, 0.5), xycoords=("data", "axes fraction"), ha="left", va="center",
                        fontsize=8, color="0.3", rotation=90)
        ax.legend(fontsize=8)
    label(ax_loss, "Loss on the line θ₀ → θ_T", "α in (1 − α) θ₀ + α θ_T", "cross-entropy")
    label(ax_accuracy, "Validation accuracy on the same line", "α", "accuracy")
    return figure


def plane_figure(seed=0, span=1.0, points=21):
    """The training loss on a filter-normalised random plane through the trained weights (contours,
    log levels), with the training path projected onto it."""
    coordinates, losses, _, _ = digit_landscape.plane_losses(span, points, seed)
    projection, held = digit_landscape.trajectory_projection(seed)
    figure, ax = new_figure(6.4, 4.8)
    contours = ax.contourf(coordinates, coordinates, np.log10(losses), levels=16, cmap="viridis")
    figure.colorbar(contours, ax=ax, label="log₁₀ training loss")
    ax.plot([0], [0], linestyle="none", marker=MARKERS[7], markersize=12, color=PALETTE[0], label="trained θ_T")
    ax.plot(projection[:, 0], projection[:, 1], color="white", marker=MARKERS[0], markersize=2,
            label=f"training path projected: {np.nanmedian(held):.0%} of its length")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2)
    label(ax, "A random plane through the trained weights", "a (direction d₁)", "b (direction d₂)")
    return figure
