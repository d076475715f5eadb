"""Layout rules every app gets: CSS that keeps labels, slider tracks, readouts and toggle buttons
whole, and `fit_control`, which sizes a control's description to its text."""

import ipywidgets as widgets

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


def widget_tree(roots):
    """Every widget reachable from `roots` through `children`."""
    found, stack = set(), list(roots)
    while stack:
        widget = stack.pop()
        if not isinstance(widget, widgets.Widget) or widget in found:
            continue
        found.add(widget)
        stack.extend(getattr(widget, "children", ()) or ())
    return found
