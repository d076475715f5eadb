"""The playground's engine: Playground's datasets, features, state strings, your own data, export."""

import io
import math
import subprocess
import sys

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.playground import (DATASETS, FEATURES, Config, Playground, confusion_matrix, export_config,
                                export_script, export_torch_script, export_weights, import_config, make_data,
                                make_features, r_squared, user_data)


CLASSES = {"blobs": 3, "blobs4": 4, "blobs5": 5}


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_dataset_is_seeded_in_the_plane_and_split_by_the_training_percentage(name):
    X_train, y_train, X_test, y_test = make_data(name, 500, 20, 30, seed=3)
    again = make_data(name, 500, 20, 30, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip((X_train, y_train, X_test, y_test), again))
    assert (len(X_train), len(X_test)) == (150, 350)
    assert np.abs(np.vstack([X_train, X_test])).max() < 7.5
    if DATASETS[name][1] == "classification":
        assert y_train.dtype == np.int64 and set(np.unique(y_train)) == set(range(CLASSES.get(name, 2)))
    else:
        assert y_train.dtype.kind == "f" and np.abs(y_train).max() <= 1


def test_noise_moves_labels_as_playground_does_circle_without_noise_is_separable_by_radius():
    X, y, _, _ = make_data("circle", 400, 0, 90, seed=0)
    assert np.all((np.hypot(*X.T) < 2.5) == (y == 1))
    X, y, _, _ = make_data("circle", 400, 50, 90, seed=0)
    assert 0.05 < np.mean((np.hypot(*X.T) < 2.5) != (y == 1)) < 0.5


def test_features_are_the_seven_of_playground():
    X = np.array([[1.0, 2.0], [-0.5, 0.25]])
    inputs = make_features(X, list(FEATURES))
    assert inputs.shape == (2, 7)
    np.testing.assert_allclose(inputs[0], [1, 2, 1, 4, 2, math.sin(1), math.sin(2)])


def test_state_string_round_trips_every_setting_and_is_short():
    config = Config(dataset="spiral", noise=25, train_percent=70, features=("x1", "x2", "sin(x1)"), hidden=(8, 8, 3),
                    activation="relu", regularization="L2", reg_rate=0.003, learning_rate=0.1, batch_size=7,
                    loss="huber", optimizer="Adam", dropout=0.2, schedule="cosine", seed=5)
    text = config.to_string()
    assert Config.from_string(text) == config
    assert len(text) < 300 and text.replace("-", "").replace("_", "").isalnum()


@pytest.mark.parametrize("bad, message", [
    ({"noise": 60}, "noise"), ({"train_percent": 5}, "train_percent"), ({"features": ()}, "features"),
    ({"hidden": (9,)}, "hidden"), ({"hidden": (1,) * 7}, "hidden"), ({"activation": "swish"}, "activation"),
    ({"optimizer": "adam"}, "optimizer"), ({"dataset": "plane", "loss": "cross-entropy"}, "regression"),
    ({"learning_rate": 0}, "learning_rate"), ({"dropout": 1.0}, "dropout"),
])
def test_a_bad_setting_names_itself(bad, message):
    with pytest.raises(ValueError, match=message):
        Config(**bad).validate()


def test_a_state_string_that_is_not_one_is_refused():
    with pytest.raises(ValueError, match="state"):
        Config.from_string("not-a-state")


def test_one_step_is_one_epoch_of_train_step_and_the_circle_is_learnt():
    pg = Playground(Config())
    assert pg.record.train_loss[0] == pytest.approx(pg.loss(pg.inputs_train, pg.y_train))
    for _ in range(60):
        pg.step()
    assert pg.epoch == 60 and len(pg.record.train_loss) == 61
    assert pg.metrics()["accuracy"] > 0.95
    assert pg.record.train_loss[-1] < 0.3 * pg.record.train_loss[0]


def test_reset_starts_again_from_the_same_weights():
    pg = Playground(Config(optimizer="Momentum", learning_rate=0.01))
    start = pg.weights()
    for _ in range(3):
        pg.step()
    curve = list(pg.record.train_loss)
    pg.reset()
    assert all(np.array_equal(start[k], v) for k, v in pg.weights().items())
    for _ in range(3):
        pg.step()
    assert pg.record.train_loss == curve


def test_l1_drives_weights_to_zero_and_l2_shrinks_them():
    sizes = {}
    for reg in ("none", "L1", "L2"):
        pg = Playground(Config(regularization=reg, reg_rate=0.1 if reg != "none" else 0.0, learning_rate=0.03))
        for _ in range(30):
            pg.step()
        weights = np.concatenate([w.ravel() for k, w in pg.weights().items() if k.endswith("weight")])
        sizes[reg] = (np.abs(weights).sum(), np.mean(np.abs(weights) < 1e-2))
    assert sizes["L2"][0] < sizes["none"][0] and sizes["L1"][0] < sizes["none"][0]
    assert sizes["L1"][1] > sizes["none"][1]


def test_divergence_is_recorded_by_the_one_rule_and_training_stops():
    pg = Playground(Config(dataset="plane", loss="mse", learning_rate=10.0, optimizer="SGD", batch_size=1))
    for _ in range(20):
        pg.step()
    assert pg.record.diverged_at is not None
    epochs = pg.epoch
    assert pg.step() is False and pg.epoch == epochs


def test_schedules_step_and_cosine():
    from nnlearn.playground import scheduled_lr
    assert scheduled_lr(Config(schedule="step", learning_rate=0.1), 120) == pytest.approx(0.025)
    assert scheduled_lr(Config(schedule="cosine", learning_rate=0.1), 100) == pytest.approx(0.05)
    assert scheduled_lr(Config(schedule="cosine", learning_rate=0.1), 500) == pytest.approx(0.0)


def test_layer_outputs_give_every_neuron_and_the_output():
    pg = Playground(Config(hidden=(3, 5), activation="relu"))
    points = np.zeros((7, 2))
    outputs = pg.layer_outputs(points)
    assert [o.shape for o in outputs] == [(7, 3), (7, 5), (7, 2)]
    assert np.all(outputs[0] >= 0)
    linear = Playground(Config(hidden=(3,), activation="linear"))
    assert [o.shape for o in linear.layer_outputs(points)] == [(7, 3), (7, 2)]


def test_r_squared_and_confusion_matrix_by_hand():
    assert r_squared([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == 1.0
    assert r_squared([2.0, 2.0, 2.0], [1.0, 2.0, 3.0]) == 0.0
    logits = np.array([[2.0, 0, 0], [0, 1, 0], [0, 0, 3], [1, 0, 0]])
    np.testing.assert_array_equal(confusion_matrix(logits, [0, 1, 2, 2], 3), [[1, 0, 0], [0, 1, 0], [1, 0, 1]])


def test_regression_reports_r_squared_and_three_classes_a_confusion_matrix():
    pg = Playground(Config(dataset="plane", loss="mse", learning_rate=0.03))
    for _ in range(20):
        pg.step()
    assert pg.metrics()["r2"] > 0.9
    pg = Playground(Config(dataset="blobs", optimizer="Adam", learning_rate=0.01))
    for _ in range(10):
        pg.step()
    metrics = pg.metrics()
    assert metrics["confusion"].shape == (3, 3) and metrics["accuracy"] > 0.9


# --- your own data --------------------------------------------------------------------------------

def test_your_own_arrays_are_scaled_into_the_plane():
    rng = np.random.default_rng(0)
    X = rng.normal(100, 30, size=(60, 2))
    y = (X[:, 0] > 100).astype(int)
    X2, y2 = user_data(X, y)
    assert np.abs(X2).max() <= 5.0 + 1e-9 and np.array_equal(y2, y)
    pg = Playground(Config(dataset="yours"), data=(X2, y2))
    for _ in range(30):
        pg.step()
    assert pg.metrics()["accuracy"] > 0.8


def _csv(tmp_path, edit=None):
    rng = np.random.default_rng(1)
    rows = [["height", "weight", "age", "sick"]]
    rows += [[f"{rng.normal(170, 10):.1f}", f"{rng.normal(70, 8):.1f}", str(rng.integers(20, 60)), str(i % 2)]
             for i in range(40)]
    if edit:
        edit(rows)
    path = tmp_path / "data.csv"
    path.write_text("\n".join(",".join(row) for row in rows) + "\n")
    return str(path)


def test_a_csv_needs_its_label_and_two_feature_columns_or_a_projection(tmp_path):
    path = _csv(tmp_path)
    with pytest.raises(ValueError, match="label"):
        user_data(path)
    with pytest.raises(ValueError, match="3 feature columns.*columns=\\(a, b\\)"):
        user_data(path, label="sick")
    X, y = user_data(path, columns=("height", "weight"), label="sick")
    assert X.shape == (40, 2) and list(y[:4]) == [0, 1, 0, 1]
    X, y = user_data(path, label="sick", projection="pca")
    assert X.shape == (40, 2)
    with pytest.raises(ValueError, match="'size' is not in the data"):
        user_data(path, columns=("height", "size"), label="sick")


def test_bad_csv_values_name_the_column_and_the_files_line(tmp_path):
    def blank(rows):
        rows[6][1] = ""                                   # data row 5
    with pytest.raises(ValueError, match="data.csv, line 7: 'weight' is missing"):
        user_data(_csv(tmp_path, blank), columns=("height", "weight"), label="sick")
    def word(rows):
        rows[4][0] = "tall"                               # data row 3
    with pytest.raises(ValueError, match="data.csv, line 5: column 'height' must hold numbers, got 'tall'"):
        user_data(_csv(tmp_path, word), columns=("height", "weight"), label="sick")


def test_a_pandas_dataframe_works_like_a_csv(tmp_path):
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(_csv(tmp_path))
    X, y = user_data(frame, columns=("height", "age"), label="sick")
    assert X.shape == (40, 2)


@pytest.mark.parametrize("X, y, message", [
    (np.zeros((5, 2)), np.arange(5) % 2, "at least 10 rows"),
    (np.random.default_rng(0).normal(size=(20, 2)), np.zeros(20, int), "two classes"),
    (np.random.default_rng(0).normal(size=(20, 2)), np.linspace(0, 1, 20), "integers; row 1"),
    (np.array([["a", "b"]] * 20), np.arange(20) % 2, "must hold numbers"),
    (np.random.default_rng(0).normal(size=(20, 2)), np.arange(19) % 2, "one label per row"),
])
def test_bad_data_gets_a_clear_error(X, y, message):
    with pytest.raises(ValueError, match=message):
        user_data(X, y)


# --- export -----------------------------------------------------------------------------------------

def run_script(source, path):
    """Run an exported script with a line that prints its loss curves; return (train, test)."""
    import json
    path.write_text(source + "\nimport json; print('CURVE', json.dumps([train_loss, test_loss]))\n")
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.split("CURVE", 1)[1])


def _trained(config, epochs=5):
    pg = Playground(config)
    for _ in range(epochs):
        pg.step()
    return pg


def test_export_then_import_gives_the_same_config_and_weights():
    pg = _trained(Config(hidden=(5, 3), activation="relu", optimizer="Adam", learning_rate=0.01))
    config = import_config(export_config(pg))
    assert config == pg.config
    again = Playground(config)
    weights = dict(np.load(io.BytesIO(export_weights(pg))))
    again.load_weights(weights)
    assert all(np.array_equal(again.weights()[k], v) for k, v in pg.weights().items())
    with pytest.raises(ValueError, match="layer0.weight has shape"):
        Playground(Config(hidden=(2,))).load_weights(weights)


@pytest.mark.parametrize("config", [
    Config(),
    Config(dataset="spiral", noise=10, features=("x1", "x2", "x1^2", "sin(x2)"), hidden=(6, 4), activation="relu",
           regularization="L1", reg_rate=0.001, optimizer="Adam", learning_rate=0.01, schedule="cosine"),
    Config(dataset="multigauss", loss="huber", hidden=(8,), regularization="L2", reg_rate=0.01, optimizer="RMSprop",
           learning_rate=0.003, batch_size=25, schedule="step"),
    Config(dataset="blobs", loss="mse", hidden=(4,), activation="sigmoid", optimizer="Momentum", dropout=0.2),
], ids=["default", "spiral-L1-adam-cosine", "multigauss-huber-L2-rmsprop", "blobs-mse-dropout"])
def test_the_exported_script_reproduces_the_apps_loss_curve(config, tmp_path):
    pg = _trained(config, epochs=6)
    train, test = run_script(export_script(pg), tmp_path / "playground.py")
    np.testing.assert_allclose(train, pg.record.train_loss, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(test, pg.record.test_loss, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("config", [
    Config(),
    Config(dataset="spiral", hidden=(6, 4), activation="relu", regularization="L1", reg_rate=0.001,
           optimizer="Adam", learning_rate=0.01, schedule="cosine"),
    Config(dataset="plane", loss="mse", hidden=(3,), optimizer="RMSprop", learning_rate=0.003),
], ids=["default", "spiral-adam", "plane-rmsprop"])
def test_the_pytorch_script_trains_the_same_network_to_the_same_losses(config, tmp_path):
    pytest.importorskip("torch")
    pg = _trained(config, epochs=4)
    train, test = run_script(export_torch_script(pg), tmp_path / "playground_torch.py")
    np.testing.assert_allclose(train, pg.record.train_loss, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(test, pg.record.test_loss, rtol=1e-8, atol=1e-10)
