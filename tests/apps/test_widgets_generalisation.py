"""The generalisation apps (lesson 07), their runs and the digit gallery, driven as a slider would."""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.plots import new_figure
from nnlearn.plots.digits import DigitGallery, digit_image
from nnlearn.experiments import digit_runs as runs
from nnlearn.experiments import digit_runs_stored as runs_stored
from nnlearn.widgets.generalisation import MEASURES, explorer_summary, overfitting_table


@pytest.fixture(scope="module")
def explorer():
    return nl.widgets.generalisation_explorer()


def _curve(app, axis, label):
    return [line for line in app.figure.axes[axis].lines if line.get_label() == label][0]


def _defaults(app):
    app.controls["early_stopping"].value = "off"
    app.controls["weight_decay"].value = 0.0
    app.controls["dropout"].value = 0.0
    app.controls["hidden_units"].value = 128
    app.controls["train_size"].value = 50


def test_explorer_has_its_controls_and_a_first_picture(explorer):
    assert set(explorer.controls) == {"hidden_units", "train_size", "weight_decay", "dropout", "early_stopping"}
    assert list(explorer.controls["hidden_units"].options) == list(runs.HIDDEN_UNITS)
    assert list(explorer.controls["train_size"].options) == list(runs.TRAIN_SIZES)
    assert list(explorer.controls["early_stopping"].options) == list(runs.STOPPING)
    assert explorer.message.value == ""
    assert bytes(explorer.image.value)[:4] == b"\x89PNG"


def test_the_curves_are_the_run_record_and_the_message_reads_the_same_record(explorer):
    _defaults(explorer)
    run = runs.digits_run(128, 50)
    np.testing.assert_allclose(_curve(explorer, 0, "validation").get_ydata(), run["val_loss"])
    np.testing.assert_allclose(_curve(explorer, 1, "training").get_ydata(), run["train_accuracy"])
    assert len(_curve(explorer, 0, "training").get_xdata()) == runs.EPOCHS
    text = explorer.explorer.summary.value
    numbers = explorer_summary(run, 128, 50)
    assert "9,610 weights, 50 training digits: trained all 150 epochs." in text
    assert f"Validation accuracy {numbers['val_accuracy']:.1%} ({numbers['wrong']} of 300 wrong)" in text
    assert f"lowest {numbers['lowest_loss']:.2f} at epoch {numbers['lowest']}" in text
    assert numbers["wrong"] == round(300 * (1 - numbers["val_accuracy"]))


def test_early_stopping_cuts_the_curves_and_stars_the_kept_epoch(explorer):
    _defaults(explorer)
    for stopping in ("validation accuracy", "validation loss"):
        explorer.controls["early_stopping"].value = stopping
        run = runs.digits_run(128, 50)
        best, stop = runs.kept_epoch(run, stopping)
        assert len(_curve(explorer, 1, "validation").get_xdata()) == stop
        star = _curve(explorer, 1, "epoch kept")
        assert star.get_xdata()[0] == best and star.get_ydata()[0] == run["val_accuracy"][best - 1]
        assert all(line.get_visible() for line in explorer.explorer.stop_lines)
        assert (f"early stopping on {stopping} (patience 20) stopped at epoch {stop} and kept the weights "
                f"of epoch {best}") in explorer.explorer.summary.value
    explorer.controls["early_stopping"].value = "off"
    assert not any(line.get_visible() for line in explorer.explorer.stop_lines)


def test_the_gallery_shows_validation_digits_wrong_at_the_kept_epoch(explorer):
    _defaults(explorer)
    explorer.controls["early_stopping"].value = "validation loss"
    run = runs.digits_run(128, 50)
    best = runs.kept_epoch(run, "validation loss")[0]
    X_val, y_val = runs.digits_split()[2:4]
    predicted = run["val_predicted"][best - 1]
    wrong = np.flatnonzero(predicted != y_val)
    captions = [t.get_text() for t in explorer.figure.axes[2].texts if t.get_visible()]
    assert len(captions) == min(len(wrong), 20)
    assert captions[0] == f"{y_val[wrong[0]]}→{predicted[wrong[0]]}"
    mosaic = explorer.figure.axes[2].images[0].get_array()
    np.testing.assert_allclose(mosaic[:8, :8], X_val[wrong[0]].reshape(8, 8))
    explorer.controls["early_stopping"].value = "off"


@pytest.mark.parametrize("name", ["hidden_units", "train_size", "weight_decay", "dropout", "early_stopping"])
def test_every_control_works_through_its_range(explorer, name):
    _defaults(explorer)
    for value in explorer.controls[name].options:
        explorer.controls[name].value = value
        assert explorer.message.value == "", (name, value, explorer.message.value)
        loss = _curve(explorer, 0, "validation").get_ydata()
        ylim = explorer.figure.axes[0].get_ylim()
        assert ylim[0] <= loss.min() and loss.max() <= ylim[1]          # the axis holds the curve
    _defaults(explorer)


def test_dropout_and_weight_decay_change_the_run(explorer):
    plain = runs.digits_run(128, 50)
    assert not np.array_equal(runs.digits_run(128, 50, 1.0)["val_loss"], plain["val_loss"])
    assert not np.array_equal(runs.digits_run(128, 50, 0.0, 0.5)["val_loss"], plain["val_loss"])


def test_overfitting_chart_draws_the_table_and_its_axis_follows_the_measure():
    app = nl.widgets.overfitting_chart()
    for measure in MEASURES:
        app.controls["measure"].value = measure
        assert app.message.value == ""
        table = overfitting_table(measure)
        ax = app.figure.axes[0]
        for line, row in zip(ax.lines, table):
            np.testing.assert_allclose(line.get_ydata(), row)
            assert list(line.get_xdata()) == list(runs.TRAIN_SIZES)
        low, high = ax.get_ylim()
        assert low < table.min() and table.max() < high
        assert ax.get_ylabel() == measure


def test_early_stopping_replays_patience_min_delta_and_mode():
    assert runs.early_stopping([1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.9], 3) == (3, 6)
    assert runs.early_stopping([1.0, 0.5, 0.5, 0.5], 2) == (2, 4)                 # a tie is no improvement
    assert runs.early_stopping([1.0, 0.9995, 0.5], 5, min_delta=0.01) == (3, 3)
    assert runs.early_stopping([0.5, 0.6, 0.6, 0.6], 2, mode="max") == (2, 4)
    assert runs.early_stopping([0.5], 3) == (1, 1)
    run = runs.digits_run(8, 50)
    assert runs.kept_epoch(run, "off") == (runs.EPOCHS, runs.EPOCHS)


def test_runs_are_stored_or_cached_bounded_and_read_only():
    assert runs._trained_run.cache_info().maxsize == 160              # the runs that are not stored
    for setting in ((8, 50), (8, 60)):                                # stored; not stored: trained, then cached
        run = runs.digits_run(*setting)
        assert runs.digits_run(*setting) is run is runs.digits_run(*setting, 0.0, dropout=0, seed=0)
        with pytest.raises(ValueError):
            run["val_loss"][0] = 0.0
        assert run["val_predicted"].shape == (runs.EPOCHS, runs.VAL_SIZE) and run["val_predicted"].dtype == np.int8
        assert sum(array.nbytes for array in run.values()) < 100_000
    assert runs.run_key(8, 60) not in runs_stored.stored_runs()


def test_test_report_reads_the_kept_epoch():
    report = runs.test_report(8, 50, stopping="validation accuracy")
    run = runs.digits_run(8, 50)
    best, stop = runs.kept_epoch(run, "validation accuracy")
    assert (report["epoch"], report["stopped"]) == (best, stop)
    assert report["test_accuracy"] == run["_test_accuracy"][best - 1]


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


def test_memorising_chart_draws_each_seed_and_the_median_of_true_and_shuffled_labels():
    from nnlearn.experiments import digit_seeds
    app = nl.widgets.memorising_chart()
    try:
        runs_by_labels = digit_seeds.memorising_runs()
        ax = app.figure.axes[0]
        median = [line for line in ax.lines if line.get_label() == "training, shuffled labels (median)"][0]
        curves = np.array([run["train_accuracy"] for run in runs_by_labels["shuffled"]])
        np.testing.assert_allclose(median.get_ydata(), np.median(curves, axis=0))
        assert len(ax.lines) == 4 * (len(digit_seeds.SEEDS) + 1) + 1          # 4 curves x (seeds + median), guessing
        app.controls["measure"].value = "loss"
        np.testing.assert_allclose(median.get_ydata(), np.median([run["train_loss"] for run in runs_by_labels["shuffled"]], axis=0))
        assert ax.get_ylim()[1] > max(run["val_loss"].max() for run in runs_by_labels["shuffled"])
        assert app.message.value == ""
    finally:
        app.close()


def test_seed_spread_chart_shows_one_dot_per_seed_for_every_comparison_and_its_median():
    from nnlearn.experiments import digit_seeds
    app = nl.widgets.seed_spread_chart()
    try:
        dots, medians = app.figure.axes[0].lines[:2]
        count = len(digit_seeds.COMPARISONS) * len(digit_seeds.SEEDS)
        assert len(dots.get_xdata()) == count
        table = digit_seeds.comparison_table()
        first = list(table.values())[0]
        np.testing.assert_allclose(np.asarray(dots.get_xdata())[:len(first)], 100 * first)
        np.testing.assert_allclose(medians.get_xdata()[0], 100 * np.median(first))
        app.controls["measure"].value = "validation loss"
        assert len(dots.get_xdata()) == count and app.message.value == ""
    finally:
        app.close()
