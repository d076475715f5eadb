"""Draw your own points: a click on the output picture adds a point of the chosen class on the data
set "drawn", a shift-click removes the nearest, clear removes all; the points are in the state
string (never lost), checked as a state is, and exported as your own data is.
(The real click in Chromium, in JupyterLab and Voila: tests/browser/test_browser_playground.py.)"""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.playground import Config, Playground
from nnlearn.playground.state import MAX_DRAWN
from test_playground_state import _encode, assert_connected, exported_curve

PICTURE = [(2.0, 3.0, 0), (-2.5, 1.0, 0), (-2.0, -3.0, 1), (1.0, -4.0, 1), (3.5, -1.5, 1), (-4.0, 4.0, 0)]


def pixel(app, x1, x2):
    """The pixel (column, row from the top) of the picture where the plane's point (x1, x2) is drawn."""
    column, up = app.view.ax_out.transData.transform((x1, x2))
    return column, app.view.figure.bbox.height - up


def draw(app, points):
    for x1, x2, klass in points:
        app.draw_class.value = klass
        assert app.click(*pixel(app, x1, x2))


@pytest.fixture
def app():
    app = nl.widgets.playground(batch_size=1)
    app.controls["dataset"].value = "drawn"
    yield app
    app.close()


def test_clicks_add_points_of_the_chosen_class_where_clicked_and_the_drawing_trains(app):
    assert app.pg.config.points == () and len(app.pg.X_train) == 0
    assert "Click on the output picture" in app.message.value             # says what to do
    assert app.draw_class.disabled is False and app.controls["noise"].disabled  # no noise on drawn points
    draw(app, PICTURE)
    assert app.pg.config.points == tuple(PICTURE)                       # where clicked, to 0.01
    assert app.controls["show_test"].value                              # every point drawn is shown
    assert app.message.value == ""
    X, y = np.vstack([app.pg.X_train, app.pg.X_test]), np.concatenate([app.pg.y_train, app.pg.y_test])
    assert sorted(zip(X[:, 0], X[:, 1], y)) == sorted(PICTURE)
    before = app.pg.record.train_loss[0]
    app.step(30)
    assert app.pg.record.train_loss[-1] < before and app.pg.record.diverged_at is None


def test_a_drawing_starts_with_the_default_batch_size_and_keeps_it():
    app = nl.widgets.playground(dataset="drawn")                        # a batch of 10 on no points yet
    draw(app, PICTURE[:3])
    assert app.pg.config.batch_size == 10 and app.controls["batch_size"].max == 10
    app.step(2)
    assert app.pg.epoch == 2 and app.pg.record.train_loss[-1] < app.pg.record.train_loss[0]
    draw(app, PICTURE * 4)                                              # past 10 training points: the slider grows
    assert app.controls["batch_size"].max == len(app.pg.X_train) > 10 and app.pg.config.batch_size == 10
    app.close()


def test_a_shift_click_removes_the_nearest_drawn_point_and_clear_removes_all(app):
    draw(app, PICTURE)
    assert app.click(*pixel(app, 1.2, -3.8), remove=True)
    assert app.pg.config.points == tuple(p for p in PICTURE if p != (1.0, -4.0, 1))
    assert not app.click(*pixel(app, 5.5, 5.5), remove=True)             # nothing drawn near: nothing goes
    assert len(app.pg.config.points) == len(PICTURE) - 1
    app.clear_button.click()
    assert app.pg.config.points == () and len(app.pg.X_train) == 0
    assert "no test data" in app.view.r2_text.get_text()                # not a blank panel
    app.step(3)                                                          # nothing to train: no divergence
    assert app.pg.epoch == 0 and "diverged" not in app.message.value


def test_a_click_off_the_output_or_on_another_data_set_changes_nothing(app):
    assert not app.click(*pixel(app, 7.0, 0.0))                          # right of the plane
    assert not app.click(app.view.figure.bbox.width - 5, 5)              # on the loss curves
    app.controls["dataset"].value = "circle"
    assert app.draw_class.disabled and app.clear_button.disabled and not app.controls["noise"].disabled
    config = app.pg.config
    assert not app.click(*pixel(app, 1.0, 1.0))
    assert app.pg.config == config and '"drawn"' in app.message.value.replace("&quot;", '"')


def test_drawn_points_are_in_the_state_and_never_lost(app):
    draw(app, PICTURE)
    state = app.state_box.value
    app.controls["dataset"].value = "spiral"                             # elsewhere and back: still there
    app.controls["dataset"].value = "drawn"
    assert app.pg.config.points == tuple(PICTURE)
    app.clear_button.click()
    assert app.load(state) and app.pg.config.points == tuple(PICTURE)
    other = nl.widgets.playground(state=state)
    assert other.controls["dataset"].value == "drawn" and other.pg.config == app.pg.config
    other.step(5)
    app.step(5)
    assert other.pg.record.train_loss == app.pg.record.train_loss        # the same run
    other.close()


def test_states_made_before_drawing_read_the_same():
    assert "points" not in json.loads(nl.playground.export_config(Playground(Config())))
    assert Config.from_string(Config().to_string()) == Config()


BAD_POINTS = [                                                           # tampered points: refused, naming them
    [[7.0, 0.0, 0]], [[0.0, -6.5, 1]], [[0.0, 0.0, 5]], [[0.0, 0.0, -1]], [[0.0, 0.0, True]], [[0.0, 0.0, 0.5]],
    [[0.0, 0.0]], [[0.0, 0.0, 0, 1]], ["0,0,0"], "points", [[None, 0.0, 0]], [[float("nan"), 0.0, 0]],
    [[0.0, float("inf"), 1]], [[0.1, 0.1, 0]] * (MAX_DRAWN + 1),
]


@pytest.mark.parametrize("points", BAD_POINTS, ids=range(len(BAD_POINTS)))
def test_a_tampered_drawing_is_refused_naming_the_points_and_the_app_keeps_working(app, points):
    draw(app, PICTURE[:2])
    before = app.pg.config
    values = json.loads(nl.playground.export_config(app.pg))
    values["points"] = points
    assert app.load(_encode(values)) is False
    assert "points" in app.message.value and app.pg.config == before
    with pytest.raises((ValueError, TypeError), match="points"):
        nl.widgets.playground(state=_encode(values))


def test_a_drawing_past_the_limit_is_refused_and_the_drawing_kept(app):
    app.set_config(Config(dataset="drawn", batch_size=1, points=tuple(PICTURE) * (MAX_DRAWN // len(PICTURE))
                          + tuple(PICTURE[:MAX_DRAWN % len(PICTURE)])))
    full = app.pg.config.points
    assert len(full) == MAX_DRAWN
    app.click(*pixel(app, 0.0, 0.0))
    assert app.pg.config.points == full and "at most" in app.message.value
    assert app.clear_button.click() is None and app.pg.config.points == ()


def test_every_control_stays_connected_while_drawing(app):
    draw(app, PICTURE)
    assert_connected(app)


def test_the_scripts_for_a_drawing_run_with_the_data_file_export_offers(app, tmp_path):
    draw(app, PICTURE * 3)
    app.controls["optimizer"].value = "Adam"
    app.step(4)
    files = {name: body for name, _mime, body in app.export()}
    assert "playground_data.npz" in re.findall(r'download="([^"]+)"', app.downloads.value)
    exported = json.loads(files["playground.json"])
    assert exported["dataset"] == "drawn" and [tuple(p) for p in exported["points"]] == list(PICTURE * 3)
    assert nl.playground.import_config(files["playground.json"]) == app.pg.config
    np.testing.assert_allclose(exported_curve(files, tmp_path), app.pg.record.train_loss, rtol=1e-10)


def test_a_drawing_does_not_load_into_a_playground_of_your_own_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    own = nl.widgets.playground(X, (X[:, 0] > 0).astype(int))
    state = Config(dataset="drawn", points=tuple(PICTURE), batch_size=1).to_string()
    assert own.load(state) is False and "dataset" in own.message.value
    assert own.draw_class.disabled and not own.click(*pixel(own, 1.0, 1.0))
    assert "your own data" in own.message.value and own.pg.config.points == ()
    own.close()


def test_the_pytorch_script_for_a_drawing_matches_its_first_epochs_to_float_rounding(app, tmp_path):
    pytest.importorskip("torch")
    draw(app, PICTURE * 3)
    app.step(5)
    files = {name: body for name, _mime, body in app.export()}
    (tmp_path / "playground_data.npz").write_bytes(files["playground_data.npz"])
    script = files["playground_torch.py"].decode() + "\nimport json; print('CURVE', json.dumps(train_loss))\n"
    (tmp_path / "playground_torch.py").write_text(script)
    result = subprocess.run([sys.executable, "playground_torch.py"], capture_output=True, text=True, cwd=tmp_path,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    curve = json.loads(result.stdout.split("CURVE", 1)[1])
    np.testing.assert_allclose(curve[:6], app.pg.record.train_loss, rtol=0, atol=1e-12)   # the README's promise
