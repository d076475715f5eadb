"""Memory stays flat: a closed app frees its figure, widgets and state, and building an app again
(a re-run cell) does not pile up the old ones.

For every app exported by nnlearn.widgets: build it once (warm-up: imports, datasets, module
caches), then build and close it twice more: every closed app's figure must be collected (weakref),
no widget may stay open, and the process's RSS may grow only a little. benchmarks/bench_memory.py
measures the same with ten builds, two runs of every lesson and 1,000 moves.
"""

import ctypes
import gc
import inspect
import os
import weakref

import ipywidgets as widgets
import matplotlib
import pytest

matplotlib.use("Agg")

import nnlearn.widgets as apps  # noqa: E402
from nnlearn.widgets import layout, lifecycle  # noqa: E402
from nnlearn.widgets.lru import LRUCache  # noqa: E402

REBUILDS = 2
RSS_GROWTH_MB = 15.0                # for two re-builds (the issue measured 19-136 MB per app before)


def app_functions():
    found = []
    for name in sorted(dir(apps)):
        function = getattr(apps, name)
        if name.startswith("_") or not inspect.isfunction(function) or not function.__module__.startswith("nnlearn.widgets."):
            continue
        if function.__module__ == "nnlearn.widgets.app":
            continue
        required = [p for p in inspect.signature(function).parameters.values()
                    if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if not required:
            found.append(name)
    return found


def open_widgets():
    return len(widgets.widget._instances)


def rss_mb():
    """Resident memory of this process after a collection, with freed memory handed back to the
    system (glibc's malloc_trim), so that it counts what is still held."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


@pytest.mark.parametrize("name", app_functions())
def test_rebuilding_an_app_leaves_nothing_behind(name):
    build = getattr(apps, name)
    build().close()                                      # warm-up: imports, data, module-level caches
    widgets_before, before = open_widgets(), rss_mb()
    figures = []
    for _ in range(REBUILDS):
        app = build()
        figures.append(weakref.ref(app.figure))
        app.close()
        del app
    growth = rss_mb() - before
    assert all(figure() is None for figure in figures), f"{name}: a closed app's figure is still alive"
    assert open_widgets() <= widgets_before, f"{name}: {open_widgets() - widgets_before} widgets left open"
    assert growth < RSS_GROWTH_MB, f"{name}: RSS grew {growth:.1f} MB over {REBUILDS} re-builds"


def test_closing_an_app_releases_its_widgets_observers_and_figure():
    app = apps.parabola_descent()
    control = next(c for c in app.controls.values() if hasattr(c, "value"))
    figure = weakref.ref(app.figure)
    children = [weakref.ref(w) for w in layout.widget_tree([app]) if w is not app]
    app.close()
    assert app.closed and app.figure is None and app.controls == {}
    assert not control._trait_notifiers.get("value", {}).get("change"), "the control still has observers"
    del control
    gc.collect()
    assert figure() is None
    assert all(child() is None for child in children), "a child widget is still alive"
    app.close()                                          # twice is harmless


def test_rerunning_a_cell_closes_the_app_it_built_before():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        lifecycle._hook_installed[0] = False
        shell.run_cell("import nnlearn as nl\napp = nl.widgets.parabola_descent()", cell_id="cell-a", store_history=True)
        first = shell.user_ns["app"]
        shell.run_cell("other = nl.widgets.parabola_descent()", cell_id="cell-b", store_history=True)
        figure = weakref.ref(first.figure)
        shell.run_cell("import nnlearn as nl\napp = nl.widgets.parabola_descent()", cell_id="cell-a", store_history=True)
        assert first.closed, "re-running the cell left its old app open"
        assert not shell.user_ns["other"].closed, "another cell's app was closed"
        assert not shell.user_ns["app"].closed
        del first
        gc.collect()
        assert figure() is None
    finally:
        for app in lifecycle.live_apps():
            app.close()
        shell.events.unregister("pre_run_cell", lifecycle._pre_run_cell)
        lifecycle._hook_installed[0] = False
        InteractiveShell.clear_instance()


def test_lru_cache_stays_within_its_byte_budget():
    import numpy as np

    cache = LRUCache(max_bytes=1_000_000)
    for key in range(100):
        cache[key] = np.zeros(10_000)                    # 80 kB each
    assert cache.bytes <= 1_000_000
    assert 0 < len(cache) <= 12
    assert 99 in cache and 0 not in cache
    cache[95]                                            # a hit makes an entry recent
    cache[100] = np.zeros(10_000)
    assert 95 in cache
