"""The frame every interactive app shares: controls, a figure, a message line.

An app is an ipywidgets VBox with `.controls` (name -> control widget), `.figure` (the
matplotlib Figure it draws) and `.message` (an HTML line for notes and problems). Whenever a
control's value changes, `update()` recomputes and changes the figure, and the figure is
rendered to PNG into an Image widget, all before the assignment `control.value = ...` returns.
So tests and benchmarks drive an app exactly as a slider does, without a browser.

Speed: drawing text (titles, tick labels) is most of a matplotlib redraw. Artists that change on
every slider move are created with `animated=True`; the rest of the figure is drawn once and
kept as a background, and a move only paints the animated artists over it (blitting). Changing
anything that is not animated (a limit, a title, a scatter of new data) marks the figure stale,
and the next render draws it all again. The layout is computed on the first draw, then frozen.
Text is drawn from recorded glyphs (text_cache.py), the PNG is encoded without row filters
(png.py), text outputs are sent after the picture, `when_idle` computes what the next move will
probably need while the learner looks, and `cache_pictures=True` keeps the pictures of a chart
of precomputed results. benchmarks/bench_browser.py says where a key press's time goes.

Layout: every app carries a few CSS rules (STYLE, scoped to the app's class) so that whatever a
module asks for, no label is cut at ipywidgets' 80 px, a slider's track keeps MIN_TRACK_PX to drag
in, a readout shows its whole value and toggle buttons are as wide as their labels.

Memory: `App.close()` releases the widgets, observers, figure and update function (and so whatever
the update closes over, such as a cache). Re-running a notebook cell closes the apps that cell
built before (an IPython pre_run_cell hook; apps are filed by cell id and source, weakly). Caches
of computed runs go in an `LRUCache(max_bytes=...)`, which forgets the oldest beyond its budget.

Timings: `app.last_timings` says where each render's time went (update, draw, png, send, total in
ms); with NNLEARN_APP_TIMINGS=1 in the kernel's environment they are published to the page too.
"""

import asyncio
import contextlib
import html
import json
import os
import time
import weakref

import ipywidgets as widgets
import numpy as np
from ipywidgets.widgets.widget import _instances

from ..experiments import ExperimentMessage
from .lru import LRUCache
from .png import encode_png
from .text_cache import TextCachingCanvas

# Layout every app gets, whatever its module asks for: a label is never cut, a slider's track keeps
# room to drag, a readout shows its whole value, and toggle buttons are as wide as their labels.
# Scoped to the app's own class so nothing else in the notebook changes. In a <style> element of a
# hidden HTML widget, so it travels with the app (JupyterLab, Notebook 7, Voila).
MIN_TRACK_PX = 140
APP_CLASS = "nnlearn-app"
STYLE = f"""<style>
.{APP_CLASS} > .widget-hbox {{ column-gap: 18px; }}
.{APP_CLASS} .widget-inline-hbox > .widget-label {{ min-width: max-content; overflow: visible; text-overflow: clip; flex-shrink: 0; }}
.{APP_CLASS} .widget-hslider {{ min-width: max-content; }}
.{APP_CLASS} .widget-hslider .slider-container {{ min-width: {MIN_TRACK_PX}px; flex: 1 0 {MIN_TRACK_PX}px; }}
.{APP_CLASS} .widget-readout {{ min-width: max-content; overflow: visible; flex-shrink: 0; }}
.{APP_CLASS} .widget-toggle-buttons .widget-toggle-button {{ width: auto !important; min-width: max-content; padding: 0 0.8em; }}
.{APP_CLASS} .widget-toggle-buttons {{ display: flex; align-items: center; width: auto; min-width: max-content; }}
.{APP_CLASS} .widget-toggle-buttons > .widget-label {{ flex-shrink: 0; margin-right: 6px; }}
.{APP_CLASS} .widget-dropdown, .{APP_CLASS} .widget-text {{ min-width: max-content; }}
.{APP_CLASS} .widget-dropdown > select {{ min-width: max-content; }}
.{APP_CLASS} .widget-button {{ width: auto; min-width: max-content; padding: 0 1em; }}
.{APP_CLASS} .widget-image {{ max-width: 100%; height: auto; }}
.{APP_CLASS} .widget-html > .widget-html-content {{ line-height: 1.45; }}
.{APP_CLASS} .widget-html-content table td, .{APP_CLASS} .widget-html-content table th {{ padding: 1px 6px; }}
.{APP_CLASS} .widget-html-content table th {{ white-space: nowrap; }}
</style>"""

# Set NNLEARN_APP_TIMINGS=1 in the kernel's environment to publish every render's timings to the
# page (a hidden element, class "nnlearn-timings"): benchmarks/bench_browser.py reads them there.
PUBLISH_TIMINGS = bool(os.environ.get("NNLEARN_APP_TIMINGS"))


class AppMessage(ExperimentMessage):
    """Raised by an app's update to show a readable note instead of a picture change
    (a learning rate that diverges, a batch larger than the data). An experiment's own
    `ExperimentMessage` is shown the same way."""


# ------------------------------------------------------------------------------------ live apps
# A re-run cell builds a new app; the one it displayed before is closed then, so its figure, its
# widgets and whatever its update closes over can be freed. Apps are grouped by the cell that built
# them (IPython's pre_run_cell hook gives the cell's id in JupyterLab and Notebook 7, else its
# source). Only weak references are kept here.
_pending_bars = []                                  # progress bars not yet adopted by an App
_apps_by_cell = {}                                  # cell key -> [weakref to App]
_current_cell = [None]
_hook_installed = [False]


def _cell_keys(info):
    """The keys a cell's apps are filed under: its id (JupyterLab, Notebook 7) and its source."""
    keys = [("source", getattr(info, "raw_cell", None))]
    cell_id = getattr(info, "cell_id", None)
    return ([("id", cell_id)] if cell_id else []) + keys


def _pre_run_cell(info):
    keys = _cell_keys(info)
    _current_cell[0] = keys[0]
    for key in keys:
        for reference in _apps_by_cell.pop(key, []):
            app = reference()
            if app is not None:
                app.close()


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _install_cell_hook():
    """Register the pre_run_cell hook once per IPython shell (no-op outside IPython). Returns
    True when it was installed just now, in the middle of a cell."""
    shell = _shell()
    if _hook_installed[0] or shell is None:
        return False
    shell.events.register("pre_run_cell", _pre_run_cell)
    _hook_installed[0] = True
    return True


def _register(app):
    if _install_cell_hook():
        # The first app of the kernel is built in the cell that imported this module: the hook
        # missed that cell's start, so file the app under the cell's source (stored in history).
        history = getattr(getattr(_shell(), "history_manager", None), "input_hist_raw", None)
        _current_cell[0] = ("source", history[-1]) if history else None
    key = _current_cell[0]
    if key is not None:
        references = [r for r in _apps_by_cell.get(key, []) if r() is not None]
        references.append(weakref.ref(app))
        _apps_by_cell[key] = references


def live_apps():
    """The apps built in this kernel that are still open (for tests and benchmarks)."""
    return [app for references in _apps_by_cell.values() for app in (r() for r in references)
            if app is not None and not app.closed]


class App(widgets.VBox):
    """Controls on top, the figure below, and a message line under the figure.

    update: a function of no arguments that reads the controls and changes the figure's artists.
    It may raise AppMessage("...") to show a note; any other error is shown as a readable
    message too, and the app keeps working.

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
        self._pictures = LRUCache(max_bytes=4_000_000) if cache_pictures else None
        self.controls = dict(controls)
        self.figure = figure
        self._update = update
        self.closed = False
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self.message = widgets.HTML()
        self.renders = 0                     # how many times the figure was drawn (for tests)
        self.last_timings = {}
        self._canvas = TextCachingCanvas(figure)
        self._background = None
        self._prerendered = LRUCache(max_bytes=2_000_000)
        self.picture_key = None              # an app that prerenders sets it: the key of what it shows now
        self._animated = []
        for widget in _widget_tree([*self.controls.values(), *extra]):
            fit_control(widget)
        # Text outputs (readouts, tables) are sent after the picture: the page shows the picture sooner.
        self._texts = [w for w in _widget_tree(extra) if isinstance(w, (widgets.HTML, widgets.HTMLMath, widgets.Label))
                       and w not in self.controls.values()]
        header = [widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        # Hidden helpers go last, so children keep their places (title, controls, extra, image, message).
        hidden = [widgets.HTML(STYLE, layout=widgets.Layout(display="none"))]
        self._timings_html = None
        if PUBLISH_TIMINGS:
            self._timings_html = widgets.HTML(layout=widgets.Layout(display="none"))
            self._timings_html.add_class("nnlearn-timings")
            hidden.append(self._timings_html)
        boxes = [widgets.HBox(list(self.controls.values()),
                              layout=widgets.Layout(flex_flow="row wrap", align_items="center"))]
        super().__init__(header + boxes + extra + [self.image, self.message] + hidden)
        self.add_class(APP_CLASS)
        self._bars = list(_pending_bars)
        _pending_bars.clear()
        self._observed = []
        self._idle = []                      # callbacks waiting on the kernel's event loop
        self._moves = 0                      # refreshes so far: idle work for an older one is dropped
        for control in self.controls.values():
            if hasattr(control, "value"):
                control.observe(self._on_change, names="value")
                self._observed.append(control)
        _register(self)
        self.refresh()

    def _on_change(self, _change):
        self.refresh()

    def refresh(self):
        """Recompute from the controls, then redraw; problems become a message, never a traceback."""
        if self.closed:
            return
        self._moves += 1
        start, start_epoch, start_cpu = time.perf_counter(), time.time(), time.process_time()
        key = self._controls_key()
        with contextlib.ExitStack() as held:
            for text in [self.message, *self._texts]:
                held.enter_context(text.hold_sync())
            try:
                self._update()
            except ExperimentMessage as note:
                self.show_message(str(note), kind="warning")
            except Exception as error:           # an app must survive any control combination
                self.show_message(f"{type(error).__name__}: {error}", kind="error")
            else:
                self.show_message("")
            update_ms = 1e3 * (time.perf_counter() - start)
            if key is not None and key in self._pictures and not self.message.value:
                # the figure's artists are up to date (and stale): the next other picture is drawn in full
                self._show_stored(self._pictures[key], time.perf_counter())
            else:
                self.render()
                if key is not None and not self.closed and not self.message.value:
                    self._pictures[key] = self.image.value
        if self.closed:                      # the update closed the app (or a re-run did)
            return
        self.last_timings["update"] = update_ms
        self.last_timings["cpu"] = 1e3 * (time.process_time() - start_cpu)    # this process's CPU time, all threads
        self.last_timings["total"] = self.last_timings["update"] + sum(self.last_timings.get(k, 0.0) for k in ("draw", "png", "send"))
        if self._timings_html is not None:
            # wall-clock stamps (ms since the epoch) of the render's start and of the picture's
            # send, so a benchmark on the same machine can split the path through the server
            self._timings_html.value = json.dumps({
                "renders": self.renders, "start_epoch_ms": 1e3 * start_epoch, "sent_epoch_ms": 1e3 * time.time(),
                **{name: round(ms, 2) for name, ms in self.last_timings.items()}})

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
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        moves = self._moves

        def run():
            if handle in self._idle:
                self._idle.remove(handle)
            if self.closed or self._moves != moves:
                return
            try:
                callback(*args)
            except Exception:
                pass

        handle = loop.call_later(delay, run)
        self._idle.append(handle)

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
        figure = self.figure
        start = time.perf_counter()
        key = self.picture_key() if self.picture_key is not None else None
        kept = self._prerendered.get(key) if key is not None else None
        if kept is not None and kept[1] is self._background and not figure.stale:
            self._show_stored(kept[0], start)     # drawn while the learner looked at the last picture
            return
        picture = self._draw_png()
        encoded = time.perf_counter()
        self.image.value = picture
        sent = time.perf_counter()
        self.renders += 1
        self.last_timings = {"draw": self._draw_ms, "png": 1e3 * (encoded - start) - self._draw_ms,
                             "send": 1e3 * (sent - encoded)}

    def _show_stored(self, picture, start):
        """Send a picture drawn before (cache_pictures, prerender) instead of drawing one."""
        self.image.value = picture
        self.renders += 1
        self.last_timings = {"draw": 0.0, "png": 0.0, "send": 1e3 * (time.perf_counter() - start)}

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
                self._prerendered[key] = (picture, self._background)    # valid on this background only
        finally:
            restore()

    def _draw_png(self):
        figure, canvas = self.figure, self._canvas
        start = time.perf_counter()
        if self._background is None or figure.stale:
            canvas.draw()                    # skips animated artists
            if figure.get_layout_engine() is not None:
                figure.set_layout_engine("none")   # keep the positions the first draw computed
            self._background = canvas.copy_from_bbox(figure.bbox)
            self._prerendered.clear()        # drawn on the old background
            # Adding or removing an artist marks the figure stale, so the list only changes here.
            self._animated = sorted(figure.findobj(lambda artist: artist.get_animated()),
                                    key=lambda artist: artist.get_zorder())
        else:
            canvas.restore_region(self._background)
        for artist in self._animated:
            if artist.get_visible():
                figure.draw_artist(artist)
        figure.stale = False
        self._draw_ms = 1e3 * (time.perf_counter() - start)
        # RGB, not RGBA: the figure is opaque, and three channels encode about a quarter faster.
        return encode_png(np.asarray(canvas.buffer_rgba())[:, :, :3])

    def close(self):
        """Release the app: unobserve and close every widget in it (with their layouts and styles),
        close the figure, and drop the update function and everything it closes over."""
        if self.closed:
            return
        self.closed = True
        for handle in self._idle:
            handle.cancel()
        for control in self._observed:
            try:
                control.unobserve(self._on_change, names="value")
            except ValueError:
                pass
        tree = _widget_tree([self, *self.controls.values(), *(self._bars or ())])
        tree.discard(self)
        _close_widgets(tree)
        figure = self.figure
        if figure is not None:
            try:
                import matplotlib.pyplot as plt
                plt.close(figure)
            except Exception:
                pass
            # Empty every artist, so no reference cycle through the figure survives: a cycle
            # that passes through a numpy object array (plt.subplots' array of axes, kept by an
            # app) is invisible to Python's garbage collector and would keep it all forever.
            artists = figure.findobj()
            canvas = figure.canvas
            for artist in artists:
                vars(artist).clear()
            vars(canvas).clear()
        # Whatever an app function or subclass put on the instance goes too: IPython's output
        # history (Out[n], _) keeps the closed App itself alive, so it must hold nothing big.
        keep = _widget_attribute_names()
        for name in list(vars(self)):
            if name not in keep and name != "closed":
                setattr(self, name, None)
        self.controls, self._observed, self._animated, self._idle, self.last_timings = {}, [], [], [], {}
        super().close()
        self.children = ()
        super().unobserve_all()
        for layout_or_style in (self.layout, getattr(self, "style", None)):
            if isinstance(layout_or_style, widgets.Widget):
                layout_or_style.close()


def _widget_tree(roots):
    """Every widget reachable from `roots` through `children`."""
    found, stack = set(), list(roots)
    while stack:
        widget = stack.pop()
        if not isinstance(widget, widgets.Widget) or widget in found:
            continue
        found.add(widget)
        stack.extend(getattr(widget, "children", ()) or ())
    return found


def _close_widgets(tree):
    """Close the widgets of `tree`, their observers and click handlers, and the layouts and styles
    that no widget outside the tree shares."""
    parts = {}
    for widget in tree:
        for name in ("layout", "style"):
            part = getattr(widget, name, None)
            if isinstance(part, widgets.Widget):
                parts[id(part)] = part
    shared = set()
    for other in list(_instances.values()):
        if other in tree:
            continue
        for name in ("layout", "style"):
            part = getattr(other, name, None)
            if part is not None and id(part) in parts:
                shared.add(id(part))
    for widget in tree:
        handlers = getattr(widget, "_click_handlers", None)
        if handlers is not None:
            handlers.callbacks = []
        widget.close()
        widget.unobserve_all()
    for key, part in parts.items():
        if key not in shared:
            part.close()


_WIDGET_ATTRIBUTES = []


def _widget_attribute_names():
    """The instance attributes every ipywidgets box has (kept when an App is closed)."""
    if not _WIDGET_ATTRIBUTES:
        box = widgets.VBox()
        _WIDGET_ATTRIBUTES.append(set(vars(box)) | {"comm", "_model_id"})
        box.layout.close()
        box.close()
    return _WIDGET_ATTRIBUTES[0]


def fit_control(control):
    """Let a control's description take the room it needs (never cut at ipywidgets' 80 px), and
    size toggle buttons to their labels. The page-side rules are in STYLE."""
    style = getattr(control, "style", None)
    if style is None:
        return
    if hasattr(style, "description_width") and style.description_width in ("", None):
        style.description_width = "initial"
    if hasattr(style, "button_width"):
        style.button_width = "auto"


def progress_bar(total, description):
    """An IntProgress for an app that precomputes on creation; shown only inside a notebook."""
    bar = widgets.IntProgress(value=0, min=0, max=total, description=description,
                              style={"description_width": "initial"})
    _pending_bars.append(bar)                # the next App built adopts it, and closes it with itself
    try:
        from IPython import get_ipython
        from IPython.display import display
        shell = get_ipython()
        if shell is not None and getattr(shell, "kernel", None) is not None:
            display(bar)
    except ImportError:
        pass
    return bar


def slider_neighbours(slider, value, first=1):
    """The values one step of `slider` either side of `value` that it can take, the side `first`
    (+1 or -1: the way the learner last moved) first: where the next move will probably go. A log
    slider steps its exponent; its neighbours are returned as values, like `value`."""
    log = isinstance(slider, widgets.FloatLogSlider)
    here = np.log(value) / np.log(slider.base) if log else value
    values = []
    for side in (first, -first):
        there = round(here + side * slider.step, 9)
        if isinstance(slider.step, int) and isinstance(value, (int, np.integer)):
            there = int(there)
        if slider.min - 1e-9 <= there <= slider.max + 1e-9:
            values.append(float(slider.base ** there) if log else there)
    return values


def log_slider(description, value, low_exponent, high_exponent, step=0.25, **kwargs):
    """A log-scale slider (10**low .. 10**high), as every learning-rate control is."""
    return widgets.FloatLogSlider(value=value, base=10, min=low_exponent, max=high_exponent, step=step,
                                  description=description, continuous_update=True,
                                  style={"description_width": "initial"}, **kwargs)


_install_cell_hook()                 # when imported inside a kernel, before the first app's cell
