"""Apps see one event at a time, whichever thread the kernel handles a widget message on.

JupyterLab 4.6 sends widget messages over a kernel subshell and ipykernel 7 handles those on a
thread of its own, so a slider's message can arrive while the main thread is still in an app's
update (nnlearn/widgets/serial.py). In lesson 06's browser test the start sliders' echoes of a
surface change came in that way; two draws of the race's figure at once left the Agg renderer's
text recorder in place, and from then on no picture was drawn ("the picture did not change").
Here a second thread plays the subshell.
"""

import asyncio
import sys
import threading
import time

import ipywidgets as widgets
import pytest
from matplotlib.figure import Figure

import nnlearn as nl
from nnlearn.widgets import serial, text_cache
from nnlearn.widgets.app import App


def comm_message(state=None, event=None):
    """What the kernel hands a widget's comm for a page's update (or a button's click)."""
    data = ({"method": "update", "state": state, "buffer_paths": []} if state is not None
            else {"method": "custom", "content": {"event": event}})
    return {"content": {"data": data}, "buffers": [], "header": {"msg_id": "page"}, "parent_header": {}}


class Recorder:
    """Times of entering and leaving each handler, to see whether two ever overlapped."""

    def __init__(self):
        self.spans, self.inside = [], threading.Event()

    def hold(self, name, seconds=0.2):
        start = time.monotonic()
        self.inside.set()
        time.sleep(seconds)                  # long enough for the other thread to come in
        self.spans.append((name, start, time.monotonic()))

    def overlaps(self):
        spans = sorted(self.spans, key=lambda span: span[1])
        return [(a[0], b[0]) for a, b in zip(spans, spans[1:]) if b[1] < a[2]]


def small_app(recorder, button=None):
    figure = Figure(figsize=(2, 2))
    figure.add_subplot().plot([0, 1], [0, 1])
    controls = {"a": widgets.IntSlider(value=0, max=10), "b": widgets.IntSlider(value=0, max=10)}
    app = App(controls, figure, lambda app: recorder.hold("update"), extra=[button] if button else ())
    recorder.spans.clear()
    recorder.inside.clear()
    return app


def in_thread(move):
    thread = threading.Thread(target=move)
    thread.start()
    return thread


def during_an_update(app, recorder, other_move):
    """Move control "a" on this thread (the main shell) and, once its update has begun, run
    `other_move` on another (the subshell); returns the handlers in the order they ran."""
    other = in_thread(lambda: (recorder.inside.wait(5), other_move()))
    try:
        app.controls["a"].value = 1
        other.join(10)
    finally:
        app.close()
    assert recorder.overlaps() == [], "two handlers of one app ran at the same time"
    return [name for name, *_ in recorder.spans]


def test_a_message_from_another_thread_waits_for_the_update_in_progress():
    recorder = Recorder()
    app = small_app(recorder)
    slider = app.controls["b"]
    assert during_an_update(app, recorder, lambda: slider.comm.handle_msg(comm_message(state={"value": 3}))) == \
        ["update", "update"]
    assert slider.value == 3


def test_a_click_from_another_thread_waits_for_the_update_in_progress():
    """A button's handler changes the app's state outside its update (the playground's layers):
    the click's message is held back too, not only the refresh it ends in."""
    recorder = Recorder()
    button = widgets.Button(description="press")
    app = small_app(recorder, button)
    button.on_click(lambda _: recorder.hold("click", 0.0))
    assert during_an_update(app, recorder, lambda: button.comm.handle_msg(comm_message(event="click"))) == \
        ["update", "click"]


def test_idle_work_waits_for_the_update_in_progress():
    """Work scheduled with when_idle runs on the loop of the thread that scheduled it: a subshell's."""
    recorder = Recorder()
    app = small_app(recorder)

    async def schedule_then_wait():
        app.when_idle(recorder.hold, "idle", 0.0, delay=0.01)
        await asyncio.sleep(0.5)

    assert during_an_update(app, recorder, lambda: asyncio.run(schedule_then_wait())) == ["update", "idle"]


@pytest.fixture
def fast_switches():
    """Threads switch every 0.5 ms instead of 5 ms: a draw meets the other thread's draw at once."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(5e-4)
    yield
    sys.setswitchinterval(before)


def test_the_race_survives_a_surface_change_and_slider_echoes_on_two_threads(fast_switches):
    """Lesson 06's sequence: the rotation turned on the main thread, the start sliders' echoes on the
    subshell's. Without one event at a time this failed in 7 of 10 runs on a loaded 2-core machine (TypeError: memoryview: a
    bytes-like object is required, not '_Recorder') and could leave every later picture undrawn."""
    app = nl.widgets.optimizer_race(surface="several_minima", optimizer="Adam")
    controls, errors, done = app.controls, [], threading.Event()

    def echoes():                            # the subshell: start y nudged back and forth
        step = 1
        while not done.is_set():
            with serial.APP_LOCK:            # the test's own meddling, not part of the race
                text_cache.GLYPHS.clear()
            try:
                controls["start_y"].value = controls["start_y"].value + step * 1e-4
            except Exception as error:       # noqa: BLE001 (any error is the failure)
                errors.append(repr(error))
            step = -step

    try:
        controls["surface"].value = "rosenbrock"
        other = in_thread(echoes)
        for _ in range(2):
            text_cache.GLYPHS.clear()        # text to record on every draw: the recorder is swapped in and out
            try:
                controls["rotation"].value = 45 if controls["rotation"].value == 0 else 0
            except Exception as error:       # noqa: BLE001
                errors.append(repr(error))
        done.set()
        other.join(30)
        assert errors == []
        renders = app.renders
        controls["optimizer"].value = "AdamW"
        assert app.renders == renders + 1 and app.image.value[:4] == b"\x89PNG"
    finally:
        done.set()
        app.close()


def test_a_picture_that_cannot_be_drawn_says_so_on_the_message_line():
    """A draw that fails (as a figure drawn from two threads once did) leaves the old picture and a
    message that says why, not silence with the error in the kernel's log only."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import ipywidgets as widgets
    from nnlearn.widgets.app import App

    figure, ax = plt.subplots()
    line, = ax.plot([0, 1], [0, 1])
    slider = widgets.FloatSlider(value=1.0, min=0.0, max=2.0)
    app = App({"a": slider}, figure, lambda app: line.set_ydata([0, app.controls["a"].value]))
    try:
        shown = app.image.value
        app.render = lambda: (_ for _ in ()).throw(TypeError("memoryview: a bytes-like object is required"))
        slider.value = 1.5
        assert "could not be drawn" in app.message.value and "TypeError" in app.message.value
        assert app.image.value == shown
    finally:
        app.close()
