"""One app event at a time, whichever thread the kernel handles it on.

JupyterLab 4.6 sends widget messages over a kernel subshell (its setting `commsOverSubshells`,
default "perCommTarget"), and ipykernel 7 handles a subshell's messages on a thread of its own. A
slider's message can then run an app's update while the main thread is still in the last one (seen
in lesson 06's race: the start sliders' echoes of a surface change came in on the subshell while the
main thread drew the new surface). Two draws of one figure at once break it: both swap the Agg
renderer's text recorder in and out (text_cache.py), the last swap can leave the recorder in place,
and every later picture then fails to draw. Nor are the apps' caches and state built for two
threads. So every app's work (a message to one of its widgets, a refresh, idle work, close) takes
one lock for the whole kernel: apps see one event at a time, as they did before subshells; code
that holds no app (a cell training a network) is not held up.
"""

import functools
import threading

APP_LOCK = threading.RLock()        # re-entrant: an update that moves a control refreshes inside itself


def one_at_a_time(function):
    """`function` run while holding APP_LOCK."""
    @functools.wraps(function)
    def locked(*args, **kwargs):
        with APP_LOCK:
            return function(*args, **kwargs)
    return locked


def serialise_messages(widgets):
    """Handle every comm message to `widgets` (a value, a click, a custom message) under APP_LOCK,
    so that the state an app's handlers change is never changed from two threads at once."""
    for widget in widgets:
        comm = getattr(widget, "comm", None)
        if comm is not None:
            comm.on_msg(one_at_a_time(widget._handle_msg))
