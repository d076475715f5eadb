"""The frame every interactive app shares: controls, a figure, a message line.

An app is an ipywidgets VBox with `.controls` (name -> control widget), `.figure` (the
matplotlib Figure it draws) and `.message` (an HTML line for notes and problems). Whenever a
control's value changes, `update(app)` recomputes and changes the figure, and the figure is
rendered to PNG into an Image widget, all before the assignment `control.value = ...` returns.
So tests and benchmarks drive an app exactly as a slider does, without a browser.

The jobs around it live in their own modules: layout.py (the CSS rules every app carries),
lifecycle.py (apps filed by cell, closed on re-run, memory released), blit.py (animated artists
painted over a background, PNG), pictures.py (the one cache policy for stored pictures), idle.py
(`when_idle`: work done while the learner looks), timings.py (`last_timings`), controls.py
(`log_slider`, `progress_bar`, `slider_neighbours`), serial.py (one app event at a time, though the
kernel may handle widget messages on two threads). Caches of computed runs go in an
`LRUCache(max_bytes=...)` (lru.py), which forgets the oldest beyond its budget.
benchmarks/bench_browser.py says where a key press's time goes.
"""

import contextlib
import html
import time

import ipywidgets as widgets

from ..experiments import ExperimentMessage
from .blit import Blitter
from .controls import log_slider, progress_bar, slider_neighbours
from .idle import IdleWork
from .layout import APP_CLASS, MIN_TRACK_PX, STYLE, fit_control, widget_tree
from .lifecycle import (close_widgets, install_cell_hook, live_apps, pending_bars, register, release_figure,
                        widget_attribute_names)
from .lru import LRUCache
from .pictures import PictureCache
from .serial import one_at_a_time, serialise_messages
from .timings import PUBLISH_TIMINGS, finish_timings, publish, timings_widget

__all__ = ["App", "AppMessage", "log_slider", "progress_bar", "slider_neighbours", "fit_control", "live_apps",
           "LRUCache", "APP_CLASS", "MIN_TRACK_PX", "STYLE", "PUBLISH_TIMINGS"]


class AppMessage(ExperimentMessage):
    """Raised by an app's update to show a readable note instead of a picture change
    (a learning rate that diverges, a batch larger than the data). An experiment's own
    `ExperimentMessage` is shown the same way."""


class App(widgets.VBox):
    """Controls on top, the figure below, and a message line under the figure.

    update: a function `update(app)` that reads `app.controls` and changes the figure's artists
    It may raise AppMessage("...") to show a note; any
    other error is shown as a readable message too, and the app keeps working.

    After every render `last_timings` holds where the time went, in ms: `update` (the app's
    recompute), `draw` (matplotlib), `png` (RGB conversion and PNG encoding), `send` (handing the
    picture to the widget, which queues it for the browser) and `total`.

    `close()` releases everything the app holds (widgets, observers, figure, the update function
    and what it closes over); re-running the cell that built an app closes the old one.
    """

    def __init__(self, controls, figure, update, *, extra=(), title=None, cache_pictures=False):
        """cache_pictures: keep each picture by the controls' values and show it again without
        recomputing, for an app whose update changes only the figure and depends on nothing but
        its controls (a chart of precomputed results)."""
        extra = list(extra)
        self._pictures = PictureCache(max_bytes=4_000_000) if cache_pictures else None
        self.controls = dict(controls)
        self.figure = figure
        self._update = update
        self.closed = False
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self.message = widgets.HTML()
        self.renders = 0                     # how many times the figure was drawn (for tests)
        self.last_timings = {}
        self._blitter = Blitter(figure)
        self._prerendered = PictureCache(max_bytes=2_000_000)
        self.picture_key = None              # an app that prerenders sets it: the key of what it shows now
        for widget in widget_tree([*self.controls.values(), *extra]):
            fit_control(widget)
        # Text outputs (readouts, tables) are sent after the picture: the page shows the picture sooner.
        self._texts = [w for w in widget_tree(extra) if isinstance(w, (widgets.HTML, widgets.HTMLMath, widgets.Label))
                       and w not in self.controls.values()]
        header = [widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        # Hidden helpers go last, so children keep their places (title, controls, extra, image, message).
        hidden = [widgets.HTML(STYLE, layout=widgets.Layout(display="none"))]
        self._timings_html = timings_widget()
        if self._timings_html is not None:
            hidden.append(self._timings_html)
        boxes = [widgets.HBox(list(self.controls.values()),
                              layout=widgets.Layout(flex_flow="row wrap", align_items="center"))]
        super().__init__(header + boxes + extra + [self.image, self.message] + hidden)
        self.add_class(APP_CLASS)
        self._bars = list(pending_bars)
        pending_bars.clear()
        self._observed = []
        self._idle = IdleWork()              # callbacks waiting on the kernel's event loop
        for control in self.controls.values():
            if hasattr(control, "value"):
                control.observe(self._on_change, names="value")
                self._observed.append(control)
        # Every message to the app's widgets, on whatever thread the kernel handles it (serial.py).
        serialise_messages(widget_tree([self, *self.controls.values(), *extra]))
        register(self)
        self.refresh()

    # The blitter's canvas and background, by the names apps and tests use.
    @property
    def _canvas(self):
        return self._blitter.canvas

    @property
    def _background(self):
        return self._blitter.background

    @_background.setter
    def _background(self, background):
        self._blitter.background = background

    def _on_change(self, _change):
        self.refresh()

    @one_at_a_time
    def refresh(self):
        """Recompute from the controls, then redraw; problems become a message, never a traceback."""
        if self.closed:
            return
        self._idle.moved()
        start, start_epoch, start_cpu = time.perf_counter(), time.time(), time.process_time()
        key = self._controls_key()
        with contextlib.ExitStack() as held:
            for text in [self.message, *self._texts]:
                held.enter_context(text.hold_sync())
            try:
                self._update(self)
            except ExperimentMessage as note:
                self.show_message(str(note), kind="warning")
            except Exception as error:           # an app must survive any control combination
                self.show_message(f"{type(error).__name__}: {error}", kind="error")
            else:
                self.show_message("")
            update_ms = 1e3 * (time.perf_counter() - start)
            stored = self._pictures.get(key) if key is not None and not self.message.value else None
            if stored is not None:
                # the figure's artists are up to date (and stale): the next other picture is drawn in full
                self._show_stored(stored, time.perf_counter())
            else:
                try:
                    self.render()
                except Exception as error:       # a picture that cannot be drawn says so, under the old one
                    self.show_message(f"the picture could not be drawn: {type(error).__name__}: {error}",
                                      kind="error")
                if key is not None and not self.closed and not self.message.value:
                    self._pictures.put(key, self.image.value)
        if self.closed:                      # the update closed the app (or a re-run did)
            return
        finish_timings(self.last_timings, update_ms, start_cpu)
        if self._timings_html is not None:
            publish(self._timings_html, self.renders, start_epoch, self.last_timings)

    def _controls_key(self):
        """With cache_pictures: the controls' values, the key of a stored picture (None: no caching)."""
        if self._pictures is None:
            return None
        try:
            key = tuple((name, control.value) for name, control in self.controls.items() if hasattr(control, "value"))
            hash(key)
        except TypeError:                    # a value that is not hashable: no caching
            return None
        return key

    def when_idle(self, callback, *args, delay=0.1):
        """Call `callback(*args)` on the kernel's event loop `delay` seconds after the current
        message is handled (its picture sent): for work the learner's next move will probably need,
        done while they look at this one. Not sooner: the page needs ~50 ms to receive, decode and
        paint the picture, and on a small machine work done then slows exactly that. Dropped if the
        app refreshed again in the meantime (a learner holding a key: the work was for a place they
        have left, and it would hold up the move they are making). An error is dropped too (the
        move will do the work itself); nothing runs outside a running loop (a script, a test) or
        once the app is closed."""
        if not self.closed:
            self._idle.schedule(callback, *args, delay=delay)

    def show_message(self, text, kind="info"):
        colours = {"info": "#0072B2", "warning": "#D55E00", "error": "#D55E00"}
        icon = {"info": "", "warning": "⚠ ", "error": "⚠ "}[kind]
        self.message.value = (
            f'<span style="color:{colours[kind]}">{icon}{html.escape(text)}</span>' if text else ""
        )

    def render(self):
        """Draw the figure (in full only when something static changed) to PNG in the Image widget."""
        if self.closed:
            return
        start = time.perf_counter()
        key = self.picture_key() if self.picture_key is not None else None
        kept = self._prerendered.get(key, self._background) if key is not None else None
        if kept is not None and not self.figure.stale:
            self._show_stored(kept, start)   # drawn while the learner looked at the last picture
            return
        picture = self._draw_png()
        encoded = time.perf_counter()
        self.image.value = picture
        sent = time.perf_counter()
        self.renders += 1
        draw_ms = self._blitter.draw_ms
        self.last_timings = {"draw": draw_ms, "png": 1e3 * (encoded - start) - draw_ms,
                             "send": 1e3 * (sent - encoded)}

    def _show_stored(self, picture, start):
        """Send a picture drawn before (cache_pictures, prerender) instead of drawing one."""
        self.image.value = picture
        self.renders += 1
        self.last_timings = {"draw": 0.0, "png": 0.0, "send": 1e3 * (time.perf_counter() - start)}

    @one_at_a_time
    def prerender(self, key, show, restore):
        """Draw, while the learner looks, the picture the app will show for another state: `show()`
        puts the figure's animated artists in that state, `restore()` puts them back. Kept under
        `key` (what `picture_key()` returns in that state) as long as the background stays; nothing
        is kept if that state changes something static (it would need a full redraw)."""
        if self.closed or self._background is None or self.figure.stale or key in self._prerendered:
            return
        try:
            show()
            if not self.figure.stale:
                picture = self._draw_png()
                self._prerendered.put(key, picture, self._background)    # valid on this background only
        finally:
            restore()

    def _draw_png(self):
        if self._blitter.needs_full_draw():
            self._prerendered.clear()        # drawn on the background about to be replaced
        return self._blitter.draw_png()

    @one_at_a_time
    def close(self):
        """Release the app: unobserve and close every widget in it (with their layouts and styles),
        close the figure, and drop the update function and everything it closes over."""
        if self.closed:
            return
        self.closed = True
        self._idle.cancel()
        for control in self._observed:
            try:
                control.unobserve(self._on_change, names="value")
            except ValueError:
                pass
        tree = widget_tree([self, *self.controls.values(), *(self._bars or ())])
        tree.discard(self)
        close_widgets(tree)
        if self.figure is not None:
            release_figure(self.figure)
        self._blitter.release()
        # Whatever an app function or subclass put on the instance goes too: IPython's output
        # history (Out[n], _) keeps the closed App itself alive, so it must hold nothing big.
        keep = widget_attribute_names()
        for name in list(vars(self)):
            if name not in keep and name != "closed":
                setattr(self, name, None)
        self.controls, self._observed, self.last_timings = {}, [], {}
        super().close()
        self.children = ()
        super().unobserve_all()
        for layout_or_style in (self.layout, getattr(self, "style", None)):
            if isinstance(layout_or_style, widgets.Widget):
                layout_or_style.close()


install_cell_hook()                  # when imported inside a kernel, before the first app's cell
