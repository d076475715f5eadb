"""The app of lesson 05, driven through its controls; its numbers against the records it draws."""

import re

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.experiments import training_runs as training
from nnlearn.experiments.gradient_noise import minibatch_gradient_samples, per_example_gradients
from nnlearn.experiments.training_runs import EPOCHS, LR_GRID, loss_while_training
from nnlearn.widgets.batch_size import batch_size_explorer


@pytest.fixture(scope="module")
def app():
    return batch_size_explorer()


def test_batch_size_explorer_builds_and_follows_its_slider(app):
    assert set(app.controls) == {"batch_size", "x_axis"}
    ax_noise, ax_spread, ax_lr, ax_race = app.figure.axes
    spreads = []
    for size in app.controls["batch_size"].options:
        renders = app.renders
        app.controls["batch_size"].value = size
        assert app.renders == renders + 1 and app.message.value == ""
        assert f"<b>{-(-200 // size)}</b> updates per epoch" in app.info.value
        dots = ax_noise.collections[0].get_offsets()
        assert len(dots) == 100
        spreads.append(np.sqrt(np.mean(np.sum((dots - dots.mean(axis=0)) ** 2, axis=1))))
        run = app.runs[size][app.best[size]]
        assert run["updates"] == EPOCHS * -(-200 // size) and run["examples"][-1] == EPOCHS * 200
        np.testing.assert_allclose(ax_race.lines[-1].get_xdata(), run["examples"])
        finals = [app.runs[size][lr]["loss"][-1] for lr in LR_GRID]
        np.testing.assert_allclose(ax_lr.lines[-2].get_ydata(), np.clip(finals, None, 3.0))
        assert ax_lr.lines[-1].get_xdata()[0] == app.best[size] == LR_GRID[int(np.argmin(finals))]
    assert all(a > b for a, b in zip(spreads, spreads[1:])) and spreads[-1] < 1e-9
    for ax in app.figure.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_the_message_numbers_come_from_the_drawn_records(app):
    app.controls["batch_size"].value = 20
    run = app.runs[20][app.best[20]]
    text = app.info.value
    assert f"Best learning rate on the grid: <b>{app.best[20]:g}</b>" in text
    assert f"{app.best[1]:g} × 20 = {app.best[1] * 20:.3g}" in text
    assert f"took {run['updates']} updates" in text and f"<b>{run['loss'][-1]:.3f}</b>" in text
    assert f"{app.spread[20]:.3g} (rms)" in text
    app.controls["batch_size"].value = 200
    assert "no noise" in app.info.value


def test_the_x_axis_toggle_switches_between_examples_and_time(app):
    ax_race = app.figure.axes[3]
    app.controls["batch_size"].value = 10
    app.controls["x_axis"].value = "time"
    run = app.runs[10][app.best[10]]
    assert ax_race.get_xscale() == "log" and "ms" in ax_race.get_xlabel()
    np.testing.assert_allclose(ax_race.lines[-1].get_xdata(), run["time"][1:] * 1000)
    low, high = ax_race.get_xlim()
    assert low <= run["time"][1] * 1000 and run["time"][-1] * 1000 <= high
    app.controls["x_axis"].value = "examples seen"
    assert ax_race.get_xscale() == "linear" and ax_race.get_xlabel() == "examples seen"


def test_the_learning_rate_search_runs_every_batch_size_on_the_grid_and_cuts_diverged_runs():
    runs, best = training.moons_search()
    assert set(runs) == set(training.BATCH_SIZES) and all(set(r) == set(LR_GRID) for r in runs.values())
    for size, by_rate in runs.items():
        for lr, run in by_rate.items():
            assert run["diverged"] == (run["loss"][-1] == np.inf)
            if run["diverged"]:
                assert run["updates"] <= EPOCHS * -(-200 // size)


def test_per_example_gradients_average_to_the_full_batch_gradient():
    X, y = training.load_dataset("moons")
    X, y = X[:30], y[:30]
    model = training.small_network(2, rng=3)
    rows = per_example_gradients(model, nl.CrossEntropyLoss(), X, y)
    assert rows.shape == (30, 82)
    loss_fn = nl.CrossEntropyLoss()
    loss_fn(model(X), y)
    model.zero_grad()
    model.backward(loss_fn.backward())
    full = np.concatenate([p.grad.ravel() for p in model.parameters()])
    np.testing.assert_allclose(rows.mean(axis=0), full, rtol=1e-10, atol=1e-14)


def test_minibatch_gradient_samples_are_means_of_distinct_rows():
    rows = np.arange(12.0).reshape(6, 2)
    samples = minibatch_gradient_samples(rows, [1, 3, 6], samples=50, rng=1)
    assert set(samples) == {1, 3, 6} and samples[1].shape == (50, 2)
    assert all(any(np.array_equal(s, r) for r in rows) for s in samples[1])
    np.testing.assert_allclose(samples[6], np.tile(rows.mean(axis=0), (50, 1)))
    assert np.all(samples[3][:, 0] >= (0 + 2 + 4) / 3) and np.all(samples[3][:, 0] <= (6 + 8 + 10) / 3)


def test_loss_while_training_is_train_step_and_counts_the_last_partial_batch():
    X, y = training.load_dataset("moons")
    model, reference = training.small_network(2, rng=0), training.small_network(2, rng=0)
    record = loss_while_training(model, nl.CrossEntropyLoss(), nl.optim.SGD(model.parameters(), lr=0.2),
                                 X[:50], y[:50], batch_size=15, epochs=2, rng=3, every=20)
    nl.fit(reference, nl.CrossEntropyLoss(), nl.optim.SGD(reference.parameters(), lr=0.2), X[:50], y[:50],
           epochs=2, batch_size=15, rng=np.random.default_rng(3))
    np.testing.assert_allclose(model[2].weight.data, reference[2].weight.data, rtol=1e-10)
    assert record["updates"] == 2 * 4 and not record["diverged"]
    assert record["examples"][0] == 0 and record["examples"][-1] == 100
    assert np.all(np.diff(record["examples"]) > 0) and np.all(np.diff(record["time"]) >= 0)
    assert record["loss"][-1] < record["loss"][0]


def test_a_run_that_blows_up_stops_and_ends_at_infinity():
    X, y = training.load_dataset("moons")
    model = training.small_network(2, rng=0)
    record = loss_while_training(model, nl.CrossEntropyLoss(), nl.optim.SGD(model.parameters(), lr=1e4),
                                 X, y, batch_size=200, epochs=5)
    assert record["diverged"] and record["loss"][-1] == np.inf and record["updates"] < 5


def test_every_batch_size_has_its_race_line_on_both_x_axes(app):
    ax_race = app.figure.axes[3]
    for key in ("time", "examples seen"):
        app.controls["x_axis"].value = key
        static = [line for line in ax_race.lines if not line.get_animated()]
        assert len(static) == len(app.best) and all(len(line.get_xdata()) > 1 for line in static)


def test_the_dots_under_the_rate_curves_are_the_chosen_batch_sizes_best_rate_at_each_of_10_seeds(app):
    from nnlearn.experiments import batch_rates

    for size in (1, 10, 200):
        app.controls["batch_size"].value = size
        rates = batch_rates.at_equal_epochs(size)
        dots = app.explorer.seed_dots.get_offsets()
        assert len(dots) == 10 and sorted(dots[:, 0]) == sorted(rates)
        assert len({tuple(d) for d in np.asarray(dots)}) == 10               # equal rates are stacked, not hidden
        assert f"Over 10 seeds (dots) its best rate has median <b>{np.median(rates):.3g}</b>" in app.info.value
    assert "b=200 over b=1, seed by seed" in app.info.value and "square-root scaling 14.1x" in app.info.value
