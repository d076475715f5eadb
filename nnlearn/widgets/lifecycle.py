"""An app's life in a kernel: filed by the cell that built it, closed when that cell runs again,
and on close releasing every widget, observer and figure it holds, so memory stays flat."""

import weakref

import ipywidgets as widgets
from ipywidgets.widgets.widget import _instances

# ------------------------------------------------------------------------------------ live apps
# A re-run cell builds a new app; the one it displayed before is closed then, so its figure, its
# widgets and whatever its update closes over can be freed. Apps are grouped by the cell that built
# them (IPython's pre_run_cell hook gives the cell's id in JupyterLab and Notebook 7, else its
# source). Only weak references are kept here.
pending_bars = []                                  # progress bars not yet adopted by an App
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


def install_cell_hook():
    """Register the pre_run_cell hook once per IPython shell (no-op outside IPython). Returns
    True when it was installed just now, in the middle of a cell."""
    shell = _shell()
    if _hook_installed[0] or shell is None:
        return False
    shell.events.register("pre_run_cell", _pre_run_cell)
    _hook_installed[0] = True
    return True


def register(app):
    if install_cell_hook():
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


def close_widgets(tree):
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


def release_figure(figure):
    """Close `figure` and empty every artist in it, so no reference cycle through it survives: a
    cycle that passes through a numpy object array (plt.subplots' array of axes, kept by an app)
    is invisible to Python's garbage collector and would keep it all forever."""
    try:
        import matplotlib.pyplot as plt
        plt.close(figure)
    except Exception:
        pass
    artists = figure.findobj()
    canvas = figure.canvas
    for artist in artists:
        vars(artist).clear()
    vars(canvas).clear()


_WIDGET_ATTRIBUTES = []


def widget_attribute_names():
    """The instance attributes every ipywidgets box has (kept when an App is closed)."""
    if not _WIDGET_ATTRIBUTES:
        box = widgets.VBox()
        _WIDGET_ATTRIBUTES.append(set(vars(box)) | {"comm", "_model_id"})
        box.layout.close()
        box.close()
    return _WIDGET_ATTRIBUTES[0]
