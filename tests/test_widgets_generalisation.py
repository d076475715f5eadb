"""The generalisation app (lesson 07) and the digit gallery, driven as a slider would."""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.plots import new_figure
from nnlearn.plots.digits import DigitGallery, digit_image
from nnlearn.widgets.generalisation import HIDDEN_UNITS, TRAIN_SIZES, digits_split, train_digits_run


@pytest.fixture(scope="module")
def explorer():
    return nl.widgets.generalisation_explorer()


def _curve(app, axis, label):
    return [line for line in app.figure.axes[axis].lines if line.get_label() == label][0]


def test_explorer_has_its_controls_and_a_first_picture(explorer):
    assert set(explorer.controls) == {"hidden_units", "train_size", "early_stopping"}
    assert list(explorer.controls["hidden_units"].options) == list(HIDDEN_UNITS)
    assert list(explorer.controls["train_size"].options) == list(TRAIN_SIZES)
    assert explorer.message.value == ""
    assert explorer.image.value[:4] == b"\x89PNG"
    assert len(explorer.runs) == len(HIDDEN_UNITS) * len(TRAIN_SIZES)


def test_a_big_network_on_few_digits_memorises(explorer):
    explorer.controls["early_stopping"].value = False
    explorer.controls["hidden_units"].value = 256
    explorer.controls["train_size"].value = 50
    train = _curve(explorer, 0, "training").get_ydata()
    val = _curve(explorer, 0, "validation").get_ydata()
    assert train[-1] < 0.01 * train[0]                 # training loss keeps falling
    assert val[-1] > 1.5 * val.min()                   # validation loss turned back up
    assert _curve(explorer, 1, "training").get_ydata()[-1] == 1.0


def test_more_training_digits_close_the_gap(explorer):
    explorer.controls["early_stopping"].value = False
    explorer.controls["hidden_units"].value = 128
    accuracies = []
    for n in TRAIN_SIZES:
        explorer.controls["train_size"].value = n
        assert explorer.message.value == ""
        accuracies.append(_curve(explorer, 1, "validation").get_ydata()[-1])
    assert accuracies[-1] > accuracies[0] + 0.1
    assert accuracies[-1] > 0.95


def test_early_stopping_cuts_the_curves_and_marks_the_best_epoch(explorer):
    explorer.controls["hidden_units"].value = 256
    explorer.controls["train_size"].value = 100
    explorer.controls["early_stopping"].value = False
    full = len(_curve(explorer, 0, "validation").get_xdata())
    explorer.controls["early_stopping"].value = True
    val = _curve(explorer, 0, "validation").get_ydata()
    run = explorer.runs[256, 100]
    assert len(val) == run["stop_epoch"] < full
    assert run["stop_epoch"] == run["best_epoch"] + 5          # patience 5
    star = [line for line in explorer.figure.axes[0].lines if line.get_marker() == "*"][0]
    assert star.get_xdata()[0] == run["best_epoch"]
    assert star.get_ydata()[0] == pytest.approx(val.min())
    assert "kept the weights of epoch" in explorer.children[2].value
    explorer.controls["early_stopping"].value = False


def test_the_gallery_shows_validation_digits_the_network_gets_wrong(explorer):
    explorer.controls["hidden_units"].value = 32
    explorer.controls["train_size"].value = 200
    explorer.controls["early_stopping"].value = False
    X_train, y_train, X_val, y_val = digits_split(0)
    run = explorer.runs[32, 200]
    wrong = np.flatnonzero(run["predicted_final"] != y_val)
    captions = [t.get_text() for t in explorer.figure.axes[2].texts if t.get_visible()]
    assert len(captions) == min(len(wrong), 16)
    assert captions[0] == f"{y_val[wrong[0]]}→{run['predicted_final'][wrong[0]]}"
    mosaic = explorer.figure.axes[2].images[0].get_array()
    np.testing.assert_allclose(mosaic[:8, :8], X_val[wrong[0]].reshape(8, 8))
    assert f"({len(wrong)} of {len(y_val)} wrong)" in explorer.children[2].value


def test_every_control_combination_draws_without_a_full_redraw(explorer):
    explorer.controls["early_stopping"].value = False
    background = explorer._background
    for stopping in (False, True):
        explorer.controls["early_stopping"].value = stopping
        for h in HIDDEN_UNITS:
            explorer.controls["hidden_units"].value = h
            for n in TRAIN_SIZES:
                explorer.controls["train_size"].value = n
                assert "Error" not in explorer.message.value
    assert explorer._background is background
    explorer.controls["early_stopping"].value = False


def test_train_digits_run_reports_where_early_stopping_would_stop():
    data = digits_split(1)
    run = train_digits_run(32, 60, data, epochs=30, patience=3, seed=1)
    assert len(run["train_loss"]) == len(run["val_loss"]) == 30
    assert run["best_epoch"] <= run["stop_epoch"] <= 30
    val = run["val_loss"][:run["stop_epoch"]]
    assert run["best_epoch"] == int(np.argmin(val)) + 1
    assert run["lowest_epoch"] == int(np.argmin(run["val_loss"])) + 1
    assert run["predicted_best"].shape == run["predicted_final"].shape == (len(data[3]),)


def test_digit_gallery_fills_tiles_and_hides_spare_captions():
    figure, ax = new_figure(5, 2)
    gallery = DigitGallery(ax, rows=1, cols=4, title="test")
    images = np.linspace(0, 1, 2 * 64).reshape(2, 64)
    assert gallery.update(images, [3, 5], [8, 6]) == 2
    assert [t.get_text() for t in gallery.captions if t.get_visible()] == ["3→8", "5→6"]
    np.testing.assert_allclose(gallery.mosaic[:8, 9:17], images[1].reshape(8, 8))
    assert gallery.mosaic[:, 18:].max() == 0
    with pytest.raises(ValueError, match="as many labels"):
        gallery.update(images, [3], [8, 6])
    with pytest.raises(ValueError, match="64 pixels"):
        digit_image(np.zeros(10))
