"""Draw your own points: on the data set "drawn", a click on the output picture adds a point of the
chosen class, a shift-click removes the drawn point nearest to it, "clear drawing" removes them all.

ipyevents reports a click's pixel in the picture's own pixels (whatever size the page shows it at),
in JupyterLab and in Voila alike; the figure turns that pixel into a point of the plane. The points
live in the config, so they are in the state string, checked as a state is, and exported as your
own data is (the data file the scripts load).
"""

import ipywidgets as widgets
import numpy as np
from ipyevents import Event

from ..playground.own_data import MAX_CLASSES
from ..playground.state import DRAWN
from .serial import serialise_messages

REMOVE_RADIUS = 0.5          # a shift-click removes the nearest drawn point this close (plane units)
DECIMALS = 2                 # a drawn point's coordinates, rounded: a short state string


class Drawing:
    """The drawing half of PlaygroundApp (which provides image, view, pg, _change, show_message)."""

    def _drawing_controls(self):
        """The class a click adds, and the clear button (the picture listens once App has made it)."""
        self.draw_class = widgets.ToggleButtons(options=[(f"class {k}", k) for k in range(MAX_CLASSES)], value=0,
                                                description="a click adds", style={"description_width": "initial",
                                                                                   "button_width": "auto"})
        self.clear_button = widgets.Button(description="clear drawing", tooltip="remove every drawn point",
                                           layout=widgets.Layout(width="auto"))
        self.clear_button.on_click(lambda _: self._change(points=()))
        for widget in (self.draw_class, self.clear_button):
            widget.add_class("nnlearn-not-moved")         # they change the picture only on the data set "drawn"
        return [self.draw_class, self.clear_button]

    def _listen_to_clicks(self):
        self.clicks = Event(source=self.image, watched_events=["click"])
        self.clicks.on_dom_event(self._on_click)
        serialise_messages([self.clicks])      # not in the App's tree: its clicks take the app lock here

    def _on_click(self, event):
        if "dataX" in event:
            self.click(event["dataX"], event["dataY"], remove=bool(event.get("shiftKey")))

    def click(self, column, row, remove=False):
        """A click at pixel (column, row) of the picture (row 0 at the top): add a point of the chosen
        class there, or with `remove` take away the drawn point nearest to it. True if the data changed."""
        point = self.view.plane_point(column, row)
        if point is None:
            return False
        if self._data is not None:
            self.show_message(f'This playground trains your own data; to draw points, open nl.widgets.playground() '
                              f'and choose the data "{DRAWN}".')
            return False
        if self.pg.config.dataset != DRAWN:
            self.show_message(f'To draw your own points, choose the data "{DRAWN}" and click on the output.')
            return False
        points = list(self.pg.config.points)
        if remove:
            distances = [np.hypot(x1 - point[0], x2 - point[1]) for x1, x2, _klass in points]
            if not distances or min(distances) > REMOVE_RADIUS:
                return False
            del points[int(np.argmin(distances))]
        else:
            points.append((round(point[0], DECIMALS), round(point[1], DECIMALS), int(self.draw_class.value)))
            with self.loading():              # a point may go to the test data: show it, as every point drawn
                self.controls["show_test"].value = True
        self._change(points=tuple(points))
        return True

    def _show_drawing_controls(self):
        """The drawing controls work on the data set "drawn" only (and noise does not)."""
        drawing = self.pg.config.dataset == DRAWN
        for widget in (self.draw_class, self.clear_button):
            widget.disabled = not drawing
            widget.tooltip = None if drawing else f'choose the data "{DRAWN}" to draw your own points'
        if self._data is None:                            # your own data keeps its noise control disabled
            self.controls["noise"].disabled = drawing
            self.controls["noise"].tooltip = "noise is added to Playground's data sets, not to drawn points" \
                if drawing else None

    def drawing_hint(self):
        """What to do while the drawing has fewer than two classes (None otherwise)."""
        config = self.pg.config
        if config.dataset == DRAWN and len(set(klass for _x1, _x2, klass in config.points)) < 2:
            return ("Click on the output picture to add a point of the class chosen below (shift-click removes "
                    "one); draw two classes at least.")
        return None

    def close(self):
        if getattr(self, "clicks", None) is not None:
            self.clicks.close()
        super().close()
