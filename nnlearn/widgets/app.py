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
"""

import html
import io

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image


class AppMessage(Exception):
    """Raised by an app's update to show a readable note instead of a picture change
    (a learning rate that diverges, a batch larger than the data)."""


class App(widgets.VBox):
    """Controls on top, the figure below, and a message line under the figure.

    update: a function of no arguments that reads the controls and changes the figure's artists.
    It may raise AppMessage("...") to show a note; any other error is shown as a readable
    message too, and the app keeps working.
    """

    def __init__(self, controls, figure, update, *, extra=(), title=None):
        self.controls = dict(controls)
        self.figure = figure
        self._update = update
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        self.message = widgets.HTML()
        self.renders = 0                     # how many times the figure was drawn (for tests)
        self._canvas = FigureCanvasAgg(figure)
        self._background = None
        self._animated = []
        header = [widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        boxes = [widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))]
        super().__init__(header + boxes + list(extra) + [self.image, self.message])
        for control in self.controls.values():
            if hasattr(control, "value"):
                control.observe(self._on_change, names="value")
        self.refresh()

    def _on_change(self, _change):
        self.refresh()

    def refresh(self):
        """Recompute from the controls, then redraw; problems become a message, never a traceback."""
        try:
            self._update()
        except AppMessage as note:
            self.show_message(str(note), kind="warning")
        except Exception as error:           # an app must survive any control combination
            self.show_message(f"{type(error).__name__}: {error}", kind="error")
        else:
            self.show_message("")
        self.render()

    def show_message(self, text, kind="info"):
        colours = {"info": "#0072B2", "warning": "#D55E00", "error": "#D55E00"}
        icon = {"info": "", "warning": "⚠ ", "error": "⚠ "}[kind]
        self.message.value = (
            f'<span style="color:{colours[kind]}">{icon}{html.escape(text)}</span>' if text else ""
        )

    def render(self):
        """Draw the figure (in full only when something static changed) to PNG in the Image widget."""
        figure, canvas = self.figure, self._canvas
        if self._background is None or figure.stale:
            canvas.draw()                    # skips animated artists
            if figure.get_layout_engine() is not None:
                figure.set_layout_engine("none")   # keep the positions the first draw computed
            self._background = canvas.copy_from_bbox(figure.bbox)
            # Adding or removing an artist marks the figure stale, so the list only changes here.
            self._animated = sorted(figure.findobj(lambda artist: artist.get_animated()),
                                    key=lambda artist: artist.get_zorder())
        else:
            canvas.restore_region(self._background)
        for artist in self._animated:
            if artist.get_visible():
                figure.draw_artist(artist)
        figure.stale = False
        # RGB, not RGBA: the figure is opaque, and three channels encode about a quarter faster.
        picture = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB")
        buffer = io.BytesIO()
        picture.save(buffer, format="png", compress_level=1)
        self.image.value = buffer.getvalue()
        self.renders += 1


def progress_bar(total, description):
    """An IntProgress for an app that precomputes on creation; shown only inside a notebook."""
    bar = widgets.IntProgress(value=0, min=0, max=total, description=description,
                              style={"description_width": "initial"})
    try:
        from IPython import get_ipython
        from IPython.display import display
        shell = get_ipython()
        if shell is not None and getattr(shell, "kernel", None) is not None:
            display(bar)
    except ImportError:
        pass
    return bar


def log_slider(description, value, low_exponent, high_exponent, step=0.25, **kwargs):
    """A log-scale slider (10**low .. 10**high), as every learning-rate control is."""
    return widgets.FloatLogSlider(value=value, base=10, min=low_exponent, max=high_exponent, step=step,
                                  description=description, continuous_update=True,
                                  style={"description_width": "initial"}, **kwargs)
