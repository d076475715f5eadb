"""Drawing a figure to PNG fast: a static background drawn once, the animated artists painted over it.

Drawing text (titles, tick labels) is most of a matplotlib redraw. Artists that change on every
slider move are created with `animated=True`; the rest of the figure is drawn once and kept as a
background, and a move only paints the animated artists over it (blitting). Changing anything
that is not animated (a limit, a title, a scatter of new data) marks the figure stale, and the
next picture draws it all again. The layout is computed on the first draw, then frozen. Text is
drawn from recorded glyphs (text_cache.py) and the PNG is encoded without row filters (png.py).
"""

import time

import numpy as np

from .png import encode_png
from .text_cache import TextCachingCanvas


class Blitter:
    """Draws `figure` to PNG bytes, in full only when something static changed.

    `background` is the static part of the last full draw (a new object after every full draw:
    pictures drawn on an older one are out of date); `draw_ms` the time the last draw took.
    """

    def __init__(self, figure):
        self.figure = figure
        self.canvas = TextCachingCanvas(figure)
        self.background = None
        self.draw_ms = 0.0
        self._animated = []

    def needs_full_draw(self):
        return self.background is None or self.figure.stale

    def draw_png(self):
        figure, canvas = self.figure, self.canvas
        start = time.perf_counter()
        if self.needs_full_draw():
            canvas.draw()                    # skips animated artists
            if figure.get_layout_engine() is not None:
                figure.set_layout_engine("none")   # keep the positions the first draw computed
            self.background = canvas.copy_from_bbox(figure.bbox)
            # Adding or removing an artist marks the figure stale, so the list only changes here.
            self._animated = sorted(figure.findobj(lambda artist: artist.get_animated()),
                                    key=lambda artist: artist.get_zorder())
        else:
            canvas.restore_region(self.background)
        for artist in self._animated:
            if artist.get_visible():
                figure.draw_artist(artist)
        figure.stale = False
        self.draw_ms = 1e3 * (time.perf_counter() - start)
        # RGB, not RGBA: the figure is opaque, and three channels encode about a quarter faster.
        return encode_png(np.asarray(canvas.buffer_rgba())[:, :, :3])

    def release(self):
        self._animated = []
