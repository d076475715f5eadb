"""Where each render's time went, in ms (update, draw, png, send, cpu, total), and, with
NNLEARN_APP_TIMINGS=1 in the kernel's environment, published to the page for
benchmarks/bench_browser.py (a hidden element, class "nnlearn-timings")."""

import json
import os
import time

import ipywidgets as widgets

PUBLISH_TIMINGS = bool(os.environ.get("NNLEARN_APP_TIMINGS"))


def timings_widget():
    """The hidden element the timings are published in (None when they are not published)."""
    if not PUBLISH_TIMINGS:
        return None
    element = widgets.HTML(layout=widgets.Layout(display="none"))
    element.add_class("nnlearn-timings")
    return element


def finish_timings(timings, update_ms, start_cpu):
    """Add the update's time, this process's CPU time (all threads) and the total to `timings`."""
    timings["update"] = update_ms
    timings["cpu"] = 1e3 * (time.process_time() - start_cpu)
    timings["total"] = update_ms + sum(timings.get(k, 0.0) for k in ("draw", "png", "send"))


def publish(element, renders, start_epoch, timings):
    """Write the timings with wall-clock stamps (ms since the epoch) of the render's start and of
    the picture's send, so a benchmark on the same machine can split the path through the server."""
    element.value = json.dumps({"renders": renders, "start_epoch_ms": 1e3 * start_epoch,
                                "sent_epoch_ms": 1e3 * time.time(),
                                **{name: round(ms, 2) for name, ms in timings.items()}})
