"""What makes the apps answer quickly must not change what they show.

- the text cache (nnlearn/widgets/text_cache.py) gives every app's full picture bit for bit as
  matplotlib's own Agg canvas does, the first time (recording) and after (replaying);
- a cached picture (App(cache_pictures=True)) is the picture a fresh draw gives, and the figure's
  artists still hold what it shows;
- text outputs are sent after the picture, and still arrive.
The idle-time training of the next settings is tested with the apps that use it
(tests/apps/test_widgets_training.py).
"""

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402

import nnlearn.widgets as apps  # noqa: E402
from nnlearn.plots import new_figure  # noqa: E402
from test_memory import app_functions  # noqa: E402

CHEAP = [name for name in app_functions() if name not in {"overfitting_chart"}]   # 18 trainings


@pytest.mark.parametrize("name", CHEAP)
def test_the_text_cache_draws_every_app_exactly_as_matplotlib(name):
    app = getattr(apps, name)()
    try:
        figure = app.figure
        ours = app._canvas
        ours.draw()                                   # recorded (or replayed: other apps' labels)
        first = np.asarray(ours.buffer_rgba()).copy()
        ours.draw()                                   # replayed
        second = np.asarray(ours.buffer_rgba()).copy()
        plain = FigureCanvasAgg(figure)
        plain.draw()
        reference = np.asarray(plain.buffer_rgba()).copy()
        figure.set_canvas(ours)
        assert np.array_equal(first, reference) and np.array_equal(second, reference)
    finally:
        app.close()


def chart_of_precomputed_results():
    """A small app of the kind cache_pictures is for: a chart of fixed results, one line per option
    (overfitting_chart is one, but it trains 18 networks first)."""
    table = {name: np.arange(6) * slope for slope, name in enumerate(["flat", "rising", "steep"])}
    control = widgets.ToggleButtons(options=list(table), value="flat")
    figure, ax = new_figure(4, 3)
    (line,) = ax.plot([], [], animated=True)
    ax.set_xlim(0, 5)
    ax.set_ylim(0, 10)
    ax.set_title("a precomputed table")

    def update(app):
        line.set_data(np.arange(6), table[control.value])

    return apps.App({"measure": control}, figure, update, cache_pictures=True), table


def test_a_cached_picture_is_the_fresh_one_and_the_figure_holds_its_data():
    app, tables = chart_of_precomputed_results()
    try:
        control = app.controls["measure"]
        first, options = control.value, list(control.options)
        fresh = {first: app.image.value}
        for option in options[1:]:
            control.value = option
            fresh[option] = app.image.value
        renders = app.renders
        control.value = first                         # from the cache: nothing drawn
        assert app.renders == renders + 1 and app.last_timings["draw"] == 0.0
        assert app.image.value == fresh[first]
        control.value = options[1]
        assert app.image.value == fresh[options[1]]
        # the figure follows the controls even when the picture came from the cache
        assert np.array_equal(app.figure.axes[0].lines[0].get_ydata(), tables[options[1]])
        app.render()
        assert app.image.value == fresh[options[1]]
    finally:
        app.close()


def test_text_outputs_are_sent_after_the_picture(monkeypatch):
    app = apps.training_explorer()
    sent = []
    original = widgets.Widget._send

    def record(widget, msg, buffers=None):
        sent.append(widget)
        return original(widget, msg, buffers)

    monkeypatch.setattr(widgets.Widget, "_send", record)
    try:
        app.controls["learning_rate"].value = 0.1
        assert app.image in sent and app.status in sent
        assert sent.index(app.image) < sent.index(app.status), "the status line went before the picture"
        assert "After" in app.status.value
    finally:
        monkeypatch.undo()
        app.close()


def test_idle_work_for_a_place_the_learner_has_left_is_dropped():
    """App.when_idle: a callback scheduled by one move does not run if another move came first
    (a learner holding a key), nor once the app is closed; it runs if the learner stays."""
    import asyncio

    from nnlearn.widgets.app import App
    from nnlearn.plots import new_figure

    async def scenario():
        slider = widgets.IntSlider(value=0, min=0, max=10)
        figure, _ax = new_figure(2, 2)
        app = App({"n": slider}, figure, lambda app: None)
        ran = []
        app.when_idle(ran.append, "stayed")
        await asyncio.sleep(0.2)
        app.when_idle(ran.append, "left")
        slider.value = 1                                  # a move before the callback's time
        await asyncio.sleep(0.2)
        app.when_idle(ran.append, "closed")
        app.close()
        await asyncio.sleep(0.2)
        assert ran == ["stayed"]

    asyncio.run(scenario())


def test_slider_neighbours_are_the_next_values_the_slider_can_take():
    from nnlearn.widgets.app import log_slider, slider_neighbours

    ints = widgets.IntSlider(value=3, min=0, max=10, step=1)
    assert slider_neighbours(ints, 3) == [4, 2] and all(isinstance(v, int) for v in slider_neighbours(ints, 3))
    assert slider_neighbours(ints, 3, first=-1) == [2, 4]
    assert slider_neighbours(ints, 10) == [9] and slider_neighbours(ints, 0) == [1]
    floats = widgets.FloatSlider(value=2.0, min=-1.0, max=3.0, step=0.1)
    assert slider_neighbours(floats, 2.0) == [2.1, 1.9]
    rates = log_slider("lr", 1.0, -5, 1, step=0.25)
    up, down = slider_neighbours(rates, 0.1)
    assert np.isclose(up, 10 ** -0.75) and np.isclose(down, 10 ** -1.25)
    assert slider_neighbours(rates, 10.0) == [10 ** 0.75]
