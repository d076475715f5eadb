"""An Agg canvas that renders each text once: the apps redraw the same labels on every move.

Matplotlib (3.11) draws a string glyph by glyph from Python (a FreeType render and a numpy
transform per glyph, ~60 us each), so a tick label costs ~0.5 ms and a three-line note ~9 ms, on
every redraw. Here a string's glyph bitmaps are recorded the first time it is drawn and replayed
after: the same `draw_text_image` calls with the same bitmaps at the same pixels, so the picture is
bit for bit matplotlib's own (tests/test_text_cache.py). A glyph's bitmap depends on the font, size,
angle and the fraction of a pixel the text starts at, so those are the key; a whole-pixel shift
moves every glyph by the same whole pixels. Math text ($...$) is drawn by matplotlib as before.

The recording needs matplotlib's glyph-by-glyph Agg text (3.11: `_draw_text_glyphs_and_boxes`,
`Text.get_fontfeatures`). On an older matplotlib (requirements allow 3.8), `fast_path()` is False
and the canvas is matplotlib's own; and a draw that hands the renderer anything but glyph bitmaps
is drawn as usual and never recorded.
"""

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.text import Text

from .lru import LRUCache

# Shared by every app in the kernel; a label's glyphs take a few kB.
GLYPHS = LRUCache(max_bytes=8_000_000)


class _Recorder:
    """Stands in for the C++ renderer while matplotlib draws one string: keeps every glyph bitmap
    and where it went, and passes every call on."""

    def __init__(self, renderer):
        self._renderer, self.glyphs, self.replayable = renderer, [], True

    def draw_text_image(self, image, x, y, angle, gc):
        if isinstance(image, np.ndarray):
            self.glyphs.append((image.copy(), x, y, angle))
        else:                                        # a whole font object (older matplotlib): not replayable
            self.replayable = False
        return self._renderer.draw_text_image(image, x, y, angle, gc)

    def __getattr__(self, name):
        return getattr(self._renderer, name)


class TextCachingRenderer(RendererAgg):
    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        x0, y0 = math.floor(x), math.floor(y)
        key = (s, tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(),
               prop.get_stretch(), prop.get_size_in_points(), prop.get_file(), angle, self.dpi, int(self.height),
               bool(gc.get_antialiased()), x - x0, y - y0,
               mtext.get_fontfeatures() if mtext is not None else None,
               mtext.get_language() if mtext is not None else None)
        glyphs = GLYPHS.get(key)
        if glyphs is None:
            renderer, recorder = self._renderer, _Recorder(self._renderer)
            self._renderer = recorder
            try:
                super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            finally:
                self._renderer = renderer
            if not recorder.replayable:
                return
            glyphs = [(image, gx - x0, gy - y0, a) for image, gx, gy, a in recorder.glyphs]
            GLYPHS.put(key, glyphs, size=sum(image.nbytes + 150 for image, *_ in glyphs) + 200)
            return
        for image, dx, dy, a in glyphs:
            self._renderer.draw_text_image(image, x0 + dx, y0 + dy, a, gc)


def fast_path():
    """Does this matplotlib draw text glyph by glyph, as the recording needs?"""
    return hasattr(Text, "get_fontfeatures") and hasattr(Text, "get_language") and \
        hasattr(RendererAgg, "_draw_text_glyphs_and_boxes")


class TextCachingCanvas(FigureCanvasAgg):
    """FigureCanvasAgg whose renderer draws each distinct text from recorded glyphs (where
    `fast_path()`; elsewhere it is FigureCanvasAgg)."""

    def get_renderer(self):
        renderer = super().get_renderer()
        if type(renderer) is RendererAgg and fast_path():
            renderer.__class__ = TextCachingRenderer
        return renderer
