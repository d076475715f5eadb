"""Work done while the learner looks: callbacks run on the kernel's event loop after a picture is sent."""

import asyncio

from .serial import APP_LOCK


class IdleWork:
    """Callbacks scheduled for after the current message, dropped once the app has moved on.

    `moved()` is called on every refresh: work scheduled before it is for a place the learner has
    left. `cancel()` drops everything (the app closed).
    """

    def __init__(self):
        self._handles = []
        self._moves = 0
        self.cancelled = False

    def moved(self):
        self._moves += 1

    def schedule(self, callback, *args, delay=0.1):
        """Call `callback(*args)` on the running event loop `delay` seconds from now, unless the app
        moved or closed in between; an error is dropped (the move will do the work itself). Nothing
        runs outside a running loop (a script, a test)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        moves = self._moves

        def run():
            with APP_LOCK:                   # on a subshell's loop, the main thread may be in a refresh
                if handle in self._handles:
                    self._handles.remove(handle)
                if self.cancelled or self._moves != moves:
                    return
                try:
                    callback(*args)
                except Exception:
                    pass

        handle = loop.call_later(delay, run)
        self._handles.append(handle)

    def cancel(self):
        self.cancelled = True
        for handle in self._handles:
            handle.cancel()
        self._handles = []
