"""The playground's state strings, your own data and its export: nothing silent, nothing lost.

A state from any source loads completely or is refused with a message naming the setting, and the
app keeps working either way: every control still changes what trains (`assert_connected`).
"""

import base64
import dataclasses
import json
import re
import subprocess
import sys

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.playground import FEATURES, Config, Playground, user_data

VIEW_ONLY = ("show_test", "discretize")


def _other_values(control):
    """Values a control can take other than its current one, nearest first."""
    if hasattr(control, "options"):
        return [option for option in control.options if option != control.value]
    if isinstance(control.value, bool):
        return [not control.value]
    step = control.step
    if hasattr(control, "base"):                                     # a log slider steps its exponent
        here = np.log10(control.value)
        return [control.base ** e for e in (here + step, here - step) if control.min <= e <= control.max]
    return [v for v in (control.value + step, control.value - step) if control.min <= v <= control.max]


def assert_connected(app):
    """Every setting control changes what trains (the config) or says why not, every view control
    changes the picture, and each goes back where it was."""
    for name, control in app.controls.items():
        if name == "play" or getattr(control, "disabled", False):
            continue
        before, config, renders = control.value, app.pg.config, app.renders
        moved = False
        for value in _other_values(control):
            control.value = value
            # a disconnected control does nothing; a connected one trains something else, or says why not
            # (switching off the only feature)
            moved = (app.renders > renders) if name in VIEW_ONLY else (app.pg.config != config or app.message.value)
            if moved:
                break
        assert moved, f"moving {name} changed nothing: the control is disconnected"
        if name == "problem":                                        # its way back selects the first data set
            app.set_config(config)
        else:
            control.value = before
    hint = app.drawing_hint()                                        # a drawing of one class: what to do
    assert app.message.value == "" or "diverged" in app.message.value or (hint and hint in app.message.value)


def _arrays(n=60, seed=0, regression=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = X.sum(axis=1) if regression else (X[:, 0] * X[:, 1] > 0).astype(int)
    return X, y


REFUSED = [                                                          # (settings, the field the message names)
    (dict(reg_rate=0.5), "reg_rate"),
    (dict(learning_rate=1e9), "learning_rate"),
    (dict(dropout=0.95), "dropout"),
    (dict(batch_size=400), "batch_size"),
    (dict(n_points=10**9), "n_points"),
    (dict(n_points=0), "n_points"),
    (dict(n_points=1), "n_points"),
    (dict(n_points="500"), "n_points"),
    (dict(seed=-1), "seed"),
    (dict(seed=True), "seed"),
    (dict(noise=12.5), "noise"),
    (dict(hidden="44"), "hidden"),
    (dict(features="x1"), "features"),
    (dict(learning_rate=float("nan")), "learning_rate"),
    (dict(dataset="yours"), "dataset"),
    (dict(dataset="moons"), "dataset"),
    (dict(colour="red"), "colour"),
]


def _state(settings):
    """A state string with any values at all (as a tampered or foreign string may hold)."""
    values = dataclasses.asdict(Config())
    values.update(settings)
    return _encode(values)


def _encode(values):
    import zlib
    text = json.dumps(values, separators=(",", ":"))
    return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")


@pytest.mark.parametrize("settings, field", REFUSED, ids=[f"{f}={s[f]!r}"[:30] for s, f in REFUSED])
def test_a_state_the_app_cannot_show_is_refused_naming_the_setting_and_nothing_changes(settings, field):
    app = nl.widgets.playground()
    app.controls["noise"].value = 10
    config = app.pg.config
    assert app.load(_state(settings)) is False
    assert "Not loaded" in app.message.value and field in app.message.value
    assert app.pg.config == config and app.controls["noise"].value == 10
    assert app.load(Config(dataset="xor", noise=20).to_string()) is True          # a later load works
    assert app.pg.config == Config(dataset="xor", noise=20) and app.message.value == ""


def test_a_regression_state_loads_completely_into_a_classification_app_and_back():
    app = nl.widgets.playground()
    plane = Config(dataset="plane", loss="huber", hidden=(3,), learning_rate=0.01)
    assert app.load(plane.to_string())
    assert app.pg.config == plane and app.controls["problem"].value == "regression"
    assert app.controls["dataset"].value == "plane" and app.controls["loss"].value == "huber"
    assert_connected(app)
    assert app.load(Config().to_string()) and app.pg.config == Config()
    assert app.controls["problem"].value == "classification"
    assert_connected(app)


def test_foreign_text_is_refused_and_the_app_keeps_working():
    app = nl.widgets.playground()
    for text in ("rubbish", "", "[1, 2]", '{"noise": "loud"}', "{not json", _encode([1, 2]), _encode("x")):
        assert app.load(text) is False and "Not loaded" in app.message.value, text
    assert app.pg.config == Config()
    assert_connected(app)


def test_a_state_of_your_own_data_needs_the_data_and_names_the_dataset():
    X, y = _arrays()
    own = nl.widgets.playground(X, y)
    assert own.pg.config.dataset == "yours"
    state = own.state_box.value
    with pytest.raises(ValueError, match="your own data.*playground\\(X, y, state=...\\)"):
        nl.widgets.playground(state=state)
    again = nl.widgets.playground(X, y, state=state)
    assert again.pg.config == own.pg.config
    assert not own.load(Config(dataset="circle").to_string()) and "dataset" in own.message.value
    assert own.load(dataclasses.replace(own.pg.config, hidden=(3,)).to_string())
    assert own.pg.config.hidden == (3,)
    assert_connected(own)


def test_settings_of_the_wrong_type_name_the_setting():
    with pytest.raises(TypeError, match="learning_rate must be a number"):
        nl.widgets.playground(learning_rate="fast")
    with pytest.raises(ValueError, match="unknown settings \\['colour'\\]"):
        nl.widgets.playground(colour="red")
    with pytest.raises(ValueError, match="n_points must be 10 .. 5000"):
        Config(n_points=10**9).validate()


def test_data_near_the_largest_float_trains_and_huge_targets_blame_the_data():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1.7, 1.7, (50, 2)) * 1e308
    y = (X[:, 0] > 0).astype(int)
    app = nl.widgets.playground(X, y)
    app.step(3)
    assert np.isfinite(app.pg.X_train).all() and np.isfinite(app.pg.record.train_loss).all()
    assert np.abs(app.pg.X_train).max() <= 5 + 1e-9 and app.message.value == ""
    X, _ = _arrays()
    app = nl.widgets.playground(X, rng.normal(size=60) * 1e300, problem="regression")
    app.step(2)
    assert "y reaches" in app.message.value and "Standardise" in app.message.value
    assert "Lower the learning rate" not in app.message.value


def test_the_scripts_for_your_own_data_run_with_the_data_file_export_offers(tmp_path):
    X, y = _arrays(regression=True)
    app = nl.widgets.playground(X, y, problem="regression", optimizer="Adam", learning_rate=0.01)
    app.step(3)
    files = {name: body for name, _mime, body in app.export()}
    assert "playground_data.npz" in re.findall(r'download="([^"]+)"', app.downloads.value)
    assert json.loads(files["playground.json"])["dataset"] == "yours"
    np.testing.assert_allclose(exported_curve(files, tmp_path), app.pg.record.train_loss, rtol=1e-10)


def exported_curve(files, folder):
    """The training losses the exported nnlearn script prints, run in `folder` beside the data file."""
    for name in ("playground.py", "playground_data.npz"):
        (folder / name).write_bytes(files[name])
    script = files["playground.py"].decode() + "\nimport json; print('CURVE', json.dumps(train_loss))\n"
    (folder / "playground.py").write_text(script)
    result = subprocess.run([sys.executable, "playground.py"], capture_output=True, text=True, cwd=folder, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.split("CURVE", 1)[1])


def _write(tmp_path, text, encoding="utf-8", name="data.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _table(n=12):
    rng = np.random.default_rng(1)
    return "".join(f"{rng.normal():.3f},{rng.normal():.3f},{i % 2}\n" for i in range(n))


def test_common_file_mistakes_name_the_argument_or_the_line(tmp_path):
    body = _table()
    X, y = user_data(_write(tmp_path, "höhe,weight,sick\n" + body), label="sick")          # a pathlib.Path
    assert X.shape == (12, 2)
    X, y = user_data(_write(tmp_path, "\ufeffheight,weight,sick\n" + body, "utf-8"), label="sick")   # Excel's BOM
    assert y.shape == (12,)
    with pytest.raises(ValueError, match="not UTF-8.*latin-1"):
        user_data(_write(tmp_path, "höhe,weight,sick\n" + body, "latin-1"), label="sick")
    with pytest.raises(ValueError, match="line 2: 4 values under a header of 3 columns"):
        user_data(_write(tmp_path, "a,b,sick\n1,2,0,9\n" + body), label="sick")
    lines = ("a,b,sick\n" + body).splitlines()
    lines[9] = "1.0,oops,1"                                                   # the file's line 10
    with pytest.raises(ValueError, match="line 10: column 'b' must hold numbers, got 'oops'"):
        user_data(_write(tmp_path, "\n".join(lines) + "\n"), label="sick")
    with pytest.raises(ValueError, match="label column 'sick' cannot be a feature"):
        user_data(_write(tmp_path, "a,b,sick\n" + body), columns=("a", "sick"), label="sick")
    with pytest.raises(ValueError, match="problem must be 'classification' or 'regression'"):
        user_data(_write(tmp_path, "a,b,sick\n" + body), label="sick", problem="clasification")
    with pytest.raises(ValueError, match="no file"):
        user_data(tmp_path / "missing.csv", label="sick")


def test_array_mistakes_name_the_argument():
    X, y = _arrays()
    with pytest.raises(ValueError, match="columns must be indices of X's 2 columns, got \\[0, 5\\]"):
        user_data(X, y, columns=(0, 5))
    with pytest.raises(TypeError, match="columns must be a pair"):
        user_data(X, y, columns="ab")
    with pytest.raises(TypeError, match="label must be the name of a column"):
        user_data(X, y, label=3)
    with pytest.raises(ValueError, match="at least 10 rows"):                  # before PCA, whatever the columns
        user_data(np.ones((4, 5)), np.arange(4) % 2, projection="pca")
    with pytest.raises(ValueError, match="projection must be None or 'pca'"):
        user_data(X, y, projection="PCA2")


def test_playground_checks_the_points_and_seed_of_a_config():
    for bad in (dict(n_points=4), dict(seed=2**40), dict(n_points=2.5)):
        with pytest.raises((ValueError, TypeError), match=next(iter(bad))):
            Playground(Config(**bad))
    assert FEATURES


def test_controls_that_would_do_nothing_are_disabled_with_a_reason():
    X, y = _arrays()
    own = nl.widgets.playground(X, y)
    for name in ("noise", "dataset"):
        assert own.controls[name].disabled and own.controls[name].tooltip, name
    app = nl.widgets.playground()
    assert not app.controls["discretize"].disabled and not app.controls["noise"].disabled
    app.controls["discretize"].value = True
    app.controls["dataset"].value = "blobs"
    assert not app.controls["discretize"].value
    assert app.controls["discretize"].disabled and "3 or more classes" in app.controls["discretize"].tooltip
    app.controls["dataset"].value = "xor"
    assert not app.controls["discretize"].disabled


@pytest.mark.parametrize("kwargs, field", [
    (dict(state=Config(reg_rate=0.5).to_string()), "reg_rate"),
    (dict(learning_rate=100.0), "learning_rate"),
    (dict(dropout=0.9), "dropout"),
    (dict(batch_size=1000), "batch_size"),
])
def test_a_state_or_setting_the_controls_cannot_show_is_refused_when_the_app_is_built(kwargs, field):
    with pytest.raises(ValueError, match=f"playground: {field}:"):
        nl.widgets.playground(**kwargs)


def test_a_classification_loss_asked_for_on_regression_data_is_refused_and_the_default_follows_the_data():
    X, y = _arrays(regression=True)
    assert nl.widgets.playground(X, y, problem="regression").pg.config.loss == "mse"
    with pytest.raises(ValueError, match="loss: your data is a regression"):
        nl.widgets.playground(X, y, problem="regression", loss="cross-entropy")
    with pytest.raises(ValueError, match="loss: your data is a regression"):
        nl.widgets.playground(X, y, problem="regression", state=Config(dataset="yours").to_string())
