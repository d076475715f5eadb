"""Handwritten digits as pictures: a gallery of 8 x 8 images with what the network made of them.

    gallery = DigitGallery(subfigure, rows=2, cols=8)      # empty slots, drawn once
    gallery.update(images, true_labels, predicted_labels)  # on every move: only the slots change

Every image and caption is `animated=True`, so an app that blits repaints only them.
"""

import numpy as np

from .style import PALETTE

DIGIT_CMAP = "gray_r"          # ink dark on a white page, as the digits were written


def digit_image(row):
    """One flattened digit (64,) as its 8 x 8 picture. Shapes: row (64,) -> (8, 8)."""
    row = np.asarray(row, dtype=float)
    if row.size != 64:
        raise ValueError(f"digit_image: a digit has 64 pixels (8 x 8), got {row.size}")
    return row.reshape(8, 8)


class DigitGallery:
    """A grid of digits drawn as one mosaic picture, each with a caption "3→8" (true → predicted).

    The mosaic is a single image on one axes (one artist to repaint, not one per digit), so a
    blitting app redraws it quickly. `update(images, true, predicted)` fills the first
    len(images) tiles and blanks the rest. Shapes: images (k, 64) or (k, 8, 8) with pixel values
    in [0, 1]; true, predicted (k,).
    """

    GAP = 1            # blank pixels between tiles
    CAPTION = 4        # pixel rows under each tile, for its caption

    def __init__(self, ax, rows=2, cols=8, title="Digits", caption_size=10):
        self.ax, self.rows, self.cols = ax, rows, cols
        self.tile_h, self.tile_w = 8 + self.CAPTION, 8 + self.GAP
        self.mosaic = np.zeros((rows * self.tile_h, cols * self.tile_w))
        self.image = ax.imshow(self.mosaic, cmap=DIGIT_CMAP, vmin=0, vmax=1, interpolation="nearest",
                               interpolation_stage="data",
                               extent=(-0.5, cols * self.tile_w - 0.5, rows * self.tile_h - 0.5, -0.5),
                               animated=True)
        self.captions = []
        for index in range(rows * cols):
            row, col = divmod(index, cols)
            self.captions.append(ax.text(col * self.tile_w + 3.5, row * self.tile_h + 8 + self.CAPTION / 2 - 0.5,
                                         "", ha="center", va="center", fontsize=caption_size,
                                         color=PALETTE[5], fontweight="bold", animated=True))
        ax.set_xlim(-0.5, cols * self.tile_w - 0.5)
        ax.set_ylim(rows * self.tile_h - 0.5, -0.5)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(title)

    @property
    def size(self):
        return self.rows * self.cols

    def update(self, images, true, predicted):
        """Show up to `size` digits with captions "true→predicted"; returns how many are shown."""
        images = np.asarray(images, dtype=float).reshape(-1, 8, 8)
        true, predicted = np.asarray(true).ravel(), np.asarray(predicted).ravel()
        if not len(images) == len(true) == len(predicted):
            raise ValueError(
                f"DigitGallery.update: need as many labels as images, got {len(images)} images, "
                f"{len(true)} true and {len(predicted)} predicted labels"
            )
        self.mosaic[:] = 0
        shown = min(len(images), self.size)
        for index, caption in enumerate(self.captions):
            if index < shown:
                row, col = divmod(index, self.cols)
                top, left = row * self.tile_h, col * self.tile_w
                self.mosaic[top:top + 8, left:left + 8] = images[index]
                caption.set_text(f"{true[index]}→{predicted[index]}")
                caption.set_visible(True)
            else:
                caption.set_visible(False)
        self.image.set_data(self.mosaic)
        return shown
