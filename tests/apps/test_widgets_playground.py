"""The playground app, driven through its controls as a learner's clicks would."""

import asyncio
import base64
import io
import re

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.playground import FEATURES, Config


def picture(app):
    return bytes(app.image.value)


@pytest.fixture
def app():
    return nl.widgets.playground()


def test_the_playground_builds_with_no_arguments_and_names_its_controls(app):
    for name in ("problem", "dataset", "noise", "train_percent", "show_test", "discretize", "activation", "regularization",
                 "reg_rate", "learning_rate", "batch_size", "loss", "optimizer", "dropout", "schedule", "play"):
        assert name in app.controls, name
    assert all(f"feature {name}" in app.controls for name in FEATURES)
    assert app.figure is app.view.figure and picture(app)
    assert app.pg.config == Config()


def test_step_trains_one_epoch_and_the_counter_and_picture_follow(app):
    before = picture(app)
    app.buttons["step"].click()
    assert app.pg.epoch == 1 and "epoch 1" in app.epoch_label.value
    assert picture(app) != before
    app.buttons["reset"].click()
    assert app.pg.epoch == 0 and len(app.pg.record.train_loss) == 1


CHANGES = [
    ("dataset", "xor"), ("dataset", "spiral"), ("dataset", "gauss"), ("dataset", "blobs"), ("noise", 30),
    ("train_percent", 80), ("activation", "relu"), ("activation", "sigmoid"), ("activation", "linear"),
    ("regularization", "L1"), ("reg_rate", 0.01), ("learning_rate", 0.3), ("batch_size", 30), ("loss", "mse"),
    ("loss", "huber"), ("optimizer", "Adam"), ("optimizer", "AdamW"), ("dropout", 0.3), ("schedule", "cosine"),
    ("feature x1^2", True), ("feature sin(x2)", True),
]


PRE = {"regularization": ("reg_rate", 0.03), "reg_rate": ("regularization", "L2")}


def test_every_setting_control_restarts_training_with_the_new_config_and_redraws():
    app = nl.widgets.playground()
    for name, value in CHANGES:
        if name in PRE:                                # at rate 0, or with none, a regulariser does nothing
            app.controls[PRE[name][0]].value = PRE[name][1]
        for _ in range(2):
            app.buttons["step"].click()
        before = picture(app)
        app.controls[name].value = value
        if name.startswith("feature"):
            assert name.replace("feature ", "") in app.pg.config.features
        else:
            assert getattr(app.pg.config, name) == value, name
        assert app.pg.epoch == 0, f"{name}: a new setting starts again from the seed"
        for _ in range(2):
            app.buttons["step"].click()
        assert picture(app) != before, f"{name} = {value!r} did not change the picture"
        assert not app.message.value, f"{name} = {value!r}: {app.message.value}"


def test_the_problem_type_switches_the_datasets_and_the_loss():
    app = nl.widgets.playground()
    app.controls["problem"].value = "regression"
    assert app.controls["dataset"].options == ("plane", "multigauss")
    assert app.pg.problem == "regression" and app.pg.config.loss == "mse" and not app.message.value
    app.controls["problem"].value = "classification"
    assert "circle" in app.controls["dataset"].options and app.pg.config.loss == "cross-entropy"
    assert app.pg.problem == "classification" and not app.message.value


def test_regression_datasets_need_a_regression_loss_and_say_so():
    app = nl.widgets.playground(dataset="plane", loss="mse")
    app.controls["loss"].value = "cross-entropy"
    assert "Regression needs mse or huber" in app.message.value
    app.controls["loss"].value = "mse"
    assert app.pg.problem == "regression" and not app.message.value
    app.buttons["step"].click()
    assert "r2" in app.pg.metrics()


def test_view_controls_change_the_picture_but_not_the_training(app):
    for _ in range(3):
        app.buttons["step"].click()
    for name in ("show_test", "discretize"):
        before = picture(app)
        app.controls[name].value = True
        assert app.pg.epoch == 3 and picture(app) != before


def test_layers_and_neurons_are_added_and_removed_with_buttons_within_playgrounds_limits(app):
    for _ in range(10):
        app.buttons["add_layer"].click()
    assert len(app.pg.config.hidden) == 6
    for _ in range(10):
        app.neuron_buttons[0][0].click()
    assert app.pg.config.hidden[0] == 8
    for _ in range(10):
        app.neuron_buttons[1][1].click()
    assert app.pg.config.hidden[1] == 1
    shown = [plus.layout.display != "none" for plus, _ in app.neuron_buttons]
    assert shown == [True] * 6
    for _ in range(10):
        app.buttons["remove_layer"].click()
    assert app.pg.config.hidden == ()
    app.buttons["step"].click()
    assert not app.message.value and app.pg.epoch == 1                   # no hidden layer: a linear model
    assert [plus.layout.display for plus, _ in app.neuron_buttons] == ["none"] * 6


def test_switching_off_every_feature_is_a_message_not_a_crash(app):
    app.controls["feature x1"].value = False
    app.controls["feature x2"].value = False
    assert "at least one input feature" in app.message.value
    app.controls["feature x1^2"].value = True
    assert not app.message.value and app.pg.config.features == ("x1^2",)


def test_regenerate_draws_new_data_from_the_next_seed(app):
    before = app.pg.X_train.copy()
    app.buttons["regenerate"].click()
    assert app.pg.config.seed == 1 and not np.array_equal(before, app.pg.X_train)


def test_divergence_is_reported_with_a_hint_and_play_stops():
    app = nl.widgets.playground(dataset="plane", loss="mse", batch_size=1)
    app.controls["learning_rate"].value = 10.0
    for _ in range(20):
        app.buttons["step"].click()
    assert "diverged at epoch" in app.message.value and "Lower the learning rate" in app.message.value


def test_the_state_string_restores_the_app_exactly():
    app = nl.widgets.playground()
    app.controls["dataset"].value = "xor"
    app.controls["activation"].value = "relu"
    app.buttons["add_layer"].click()
    app.controls["feature x1*x2"].value = True
    state = app.state_box.value
    again = nl.widgets.playground(state=state)
    assert again.pg.config == app.pg.config
    assert again.controls["activation"].value == "relu" and again.controls["feature x1*x2"].value
    third = nl.widgets.playground()
    third.load(state)
    assert third.pg.config == app.pg.config and third.controls["dataset"].value == "xor"
    third.load("rubbish")
    assert "not a playground state" in third.message.value


def test_export_gives_four_downloads_and_the_config_loads_back(app):
    for _ in range(2):
        app.buttons["step"].click()
    app.buttons["export"].click()
    names = re.findall(r'download="([^"]+)"', app.downloads.value)
    assert names == ["playground.json", "playground_weights.npz", "playground.py", "playground_torch.py"]
    payloads = dict(zip(names, re.findall(r"base64,([^\"]+)", app.downloads.value)))
    weights = np.load(io.BytesIO(base64.b64decode(payloads["playground_weights.npz"])))
    assert np.array_equal(weights["layer0.weight"], app.pg.weights()["layer0.weight"])
    config_json = base64.b64decode(payloads["playground.json"]).decode()
    other = nl.widgets.playground()
    other.controls["dataset"].value = "spiral"
    other.load(config_json)
    assert other.pg.config == app.pg.config


def test_your_own_data_in_the_app(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    app = nl.widgets.playground(X, y)
    assert app.controls["dataset"].options == ("yours",)
    for _ in range(5):
        app.buttons["step"].click()
    assert app.pg.epoch == 5 and not app.message.value
    with pytest.raises(ValueError, match="two classes"):
        nl.widgets.playground(X, np.zeros(80, int))


def test_play_animates_in_the_event_loop_and_pause_stops_within_a_frame():
    app = nl.widgets.playground()

    async def scenario():
        app.controls["play"].value = True
        await asyncio.sleep(0.6)
        # the loop is free between frames: a control change is handled while playing
        app.controls["noise"].value = 10
        await asyncio.sleep(0.3)
        frames_at_pause = app.frames
        app.controls["play"].value = False
        await asyncio.sleep(0.3)
        return frames_at_pause

    frames_at_pause = asyncio.run(scenario())
    assert frames_at_pause >= 3, "play advanced frames"
    assert app.frames <= frames_at_pause + 1, "pause took effect within one frame"
    assert app.pg.config.noise == 10 and app.pg.epoch >= 1
    assert app.controls["play"].description == "play"


def test_closing_the_app_while_it_plays_stops_the_frames():
    app = nl.widgets.playground()

    async def scenario():
        app.controls["play"].value = True
        await asyncio.sleep(0.4)
        task = app._task
        app.close()                            # what a re-run cell does to the old app
        await asyncio.sleep(0.4)
        return task

    task = asyncio.run(scenario())
    assert task.done() and task.exception() is None


def test_the_loss_title_fits_inside_the_figure_with_every_setting_named():
    """At 1024 px the one-line settings title ran past the figure's right edge (seen in the layout
    screenshots); it is three lines now, within the figure for the longest settings."""
    app = nl.widgets.playground()
    try:
        k = app.controls
        k["optimizer"].value, k["regularization"].value = "Momentum", "L1"
        k["dropout"].value, k["schedule"].value = 0.35, "cosine"
        renderer = app._canvas.get_renderer()
        title = app.view.ax_loss.title.get_window_extent(renderer)
        figure = app.figure.bbox
        assert title.x0 >= 0 and title.x1 <= figure.x1 and title.y1 <= figure.y1, (title, figure)
        assert app.view.ax_loss.title.get_text().count("\n") == 2
    finally:
        app.close()


def test_play_without_an_event_loop_turns_itself_off_and_says_why():
    """In a script there is no running loop to animate in (asyncio.get_event_loop() would warn, and
    fail from Python 3.14): play springs back and the message says to call step()."""
    import warnings

    app = nl.widgets.playground()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            app.controls["play"].value = True
        assert app.controls["play"].value is False and app.controls["play"].description == "play"
        assert "step()" in app.message.value
        assert app._task is None
    finally:
        app.close()


def test_the_next_steps_of_a_moved_slider_are_drawn_while_the_learner_looks_and_shown_exactly():
    """After a move of noise, the fresh starts one step either side are drawn in idle time
    (App.prerender): the move there sends that picture without drawing, and it is the very bytes
    a full draw of that state gives. Once the playground has trained, nothing stale is shown."""

    async def scenario():
        app = nl.widgets.playground()
        try:
            noise = app.controls["noise"]
            noise.value = 5
            await asyncio.sleep(0.5)
            noise.value = 10                                   # drawn while the learner looked
            assert app.last_timings["draw"] == 0.0 and app.last_timings["png"] == 0.0
            shown = picture(app)
            app.figure.stale = True                            # a full draw of the same state
            app.render()
            assert picture(app) == shown
            await asyncio.sleep(0.5)
            app.step(3)                                        # trained: epoch 3 is drawn afresh
            assert app.last_timings["draw"] > 0.0 and picture(app) != shown
            noise.value = 15                                   # a new start: its own picture
            fresh = picture(app)
            app.figure.stale = True
            app.render()
            assert picture(app) == fresh
            await asyncio.sleep(0.5)
            app.controls["learning_rate"].value = 0.1          # the other slider: its neighbours too
            await asyncio.sleep(0.5)
            app.controls["learning_rate"].value = 10 ** -0.75
            assert app.last_timings["draw"] == 0.0
            shown = picture(app)
            app.figure.stale = True
            app.render()
            assert picture(app) == shown
        finally:
            app.close()

    asyncio.run(scenario())


def test_loading_a_state_with_another_number_of_points_redraws_the_data():
    app = nl.widgets.playground()
    before = picture(app)
    app.set_config(Config(n_points=200))
    assert len(app.pg.X_train) + len(app.pg.X_test) == 200
    assert len(app.view.train_points.get_offsets()) == len(app.pg.X_train)
    assert picture(app) != before


def test_any_sequence_of_moves_shows_the_same_pictures_with_and_without_looking_ahead():
    """Attack on the look-ahead: a random sequence of slider moves, toggles and steps, with pauses
    in which neighbours are drawn; every picture equals that of a twin app that never looks ahead."""
    rng = np.random.default_rng(7)

    def apply(app, move, side):
        k = app.controls
        if move == "step":
            app.step()
        elif move == "reset":
            app.reset()
        elif move == "show_test":
            k["show_test"].value = not k["show_test"].value
        elif move == "learning_rate":                   # a log slider: quarter decades
            exponent = int(np.clip(round(np.log10(k[move].value) / 0.25) + side, -20, 4))
            k[move].value = 10 ** (0.25 * exponent)
        else:
            slider = k[move]
            slider.value = type(slider.value)(round(min(slider.max, max(slider.min, slider.value + side * slider.step)), 6))

    async def scenario():
        looking, plain = nl.widgets.playground(), nl.widgets.playground()
        plain.when_idle = lambda *args, **kwargs: None
        shown = 0
        try:
            for _ in range(20):
                move = str(rng.choice(["noise", "noise", "train_percent", "learning_rate", "dropout", "show_test",
                                       "step", "reset"]))
                side = int(rng.choice([-1, 1]))
                for _ in range(int(rng.integers(1, 4))):        # a learner sweeps a slider a few steps
                    for app in (looking, plain):
                        apply(app, move, side)
                    assert picture(looking) == picture(plain), move
                    shown += looking.last_timings["draw"] == 0.0
                    await asyncio.sleep(float(rng.choice([0.0, 0.3, 0.3])))
        finally:
            looking.close()
            plain.close()
        assert shown >= 5                                 # the look-ahead was used, not bypassed

    asyncio.run(scenario())
