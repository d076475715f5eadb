"""The apps of lessons 00 and 05, driven through their controls as a learner would."""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.widgets import training
from nnlearn.widgets.training import (BATCH_SIZES, BUDGET, TrainingRun, batch_size_explorer,
                                      loss_while_training, minibatch_gradient_samples,
                                      per_example_gradients, training_explorer)


@pytest.fixture(scope="module")
def explorer():
    return training_explorer()


def regions(app):
    return np.asarray(app.figure.axes[0].images[0].get_array()).copy()


def loss_line(app):
    return app.figure.axes[1].lines[0].get_data()[1]


def restore_defaults(app):
    for name, value in (("dataset", "moons"), ("loss", "cross-entropy"), ("optimizer", "SGD"),
                        ("learning_rate", 1.0), ("batch_size", 200)):
        app.controls[name].value = value


def test_training_explorer_builds_with_no_arguments_and_a_random_net_becomes_a_classifier(explorer):
    app = explorer
    assert {"dataset", "learning_rate", "loss", "batch_size", "optimizer", "step", "train", "reset"} <= set(app.controls)
    assert app.renders >= 1 and app.image.value[:4] == b"\x89PNG"
    run = app.state["run"]
    assert len(run.losses) == BUDGET and run.diverged_at is None
    assert run.losses[-1] < 0.5 * run.losses[0]                              # the loss falls
    assert run.accuracy() > 0.85
    assert "accuracy" in app.status.value and app.message.value == ""
    assert len(loss_line(app)) == BUDGET
    for ax in app.figure.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_the_learning_rate_moves_the_boundary_and_every_value_draws(explorer):
    app = explorer
    restore_defaults(app)
    control = app.controls["learning_rate"]
    pictures, finals = {}, {}
    for exponent in np.arange(control.min, control.max + 1e-9, control.step):
        renders = app.renders
        control.value = 10 ** exponent
        assert app.renders == renders + 1
        run = app.state["run"]
        if run.diverged_at is None:
            assert app.message.value == "" and len(run.losses) == BUDGET
        else:
            assert "diverged" in app.message.value
        pictures[round(exponent, 2)] = regions(app)
        finals[round(exponent, 2)] = run.losses[-1]
    assert not np.array_equal(pictures[-4.0], pictures[0.0])                # the boundary moved
    assert finals[0.0] < finals[-2.0] < finals[-4.0] + 1e-9                  # faster learning, lower loss
    restore_defaults(app)


def test_a_huge_learning_rate_is_reported_as_divergence_and_the_app_recovers(explorer):
    app = explorer
    restore_defaults(app)
    app.controls["learning_rate"].value = 10.0
    run = app.state["run"]
    assert run.diverged_at is not None and run.diverged_at < BUDGET
    assert "diverged at update" in app.message.value
    curve_ax = app.figure.axes[1]
    marker = curve_ax.lines[1]
    assert marker.get_xdata()[0] == run.diverged_at                         # marked on the curve
    assert "diverged" in curve_ax.texts[0].get_text()
    assert np.all(np.isfinite(loss_line(app)))                              # never a broken line
    faded = regions(app)[..., :3].astype(int)
    app.controls["learning_rate"].value = 1.0
    healthy = regions(app)[..., :3].astype(int)
    app.controls["learning_rate"].value = 10.0
    saturation = lambda rgb: (rgb.max(axis=-1) - rgb.min(axis=-1)).mean()   # noqa: E731
    assert saturation(faded) < 0.5 * saturation(healthy)                     # the broken model is greyed out
    app.controls["step"].click()                                             # stepping a diverged run
    assert "diverged" in app.message.value
    app.controls["learning_rate"].value = 1.0
    assert app.message.value == "" and app.state["run"].diverged_at is None
    assert len(marker.get_xdata()) == 0 and curve_ax.texts[0].get_text() == ""


def test_every_batch_size_trains_the_budget_on_batches_of_that_size(explorer):
    app = explorer
    restore_defaults(app)
    assert list(app.controls["batch_size"].options)[0] == 1
    assert list(app.controls["batch_size"].options)[-1] == 200               # 1 .. full batch
    noise = {}
    for size in BATCH_SIZES:
        app.controls["batch_size"].value = size
        run = app.state["run"]
        assert run.examples_seen == BUDGET * size
        assert "examples seen" in app.status.value
        losses = np.array(run.losses)
        noise[size] = np.abs(np.diff(losses)).mean()
    assert noise[1] > 3 * noise[200]                                         # small batches: noisy losses
    restore_defaults(app)


@pytest.mark.parametrize("name", ["momentum", "RMSprop", "Adagrad", "Adam"])
def test_each_optimizer_trains_differently_from_sgd(explorer, name):
    app = explorer
    restore_defaults(app)
    app.controls["learning_rate"].value = 0.01
    sgd = regions(app)
    sgd_losses = list(app.state["run"].losses)
    app.controls["optimizer"].value = name
    assert app.message.value == ""
    assert app.state["run"].losses != sgd_losses
    assert not np.array_equal(regions(app), sgd)
    restore_defaults(app)


@pytest.mark.parametrize("name", ["MSE on one-hot", "Huber on one-hot"])
def test_losses_on_one_hot_targets_also_train_a_classifier(explorer, name):
    app = explorer
    restore_defaults(app)
    app.controls["loss"].value = name
    run = app.state["run"]
    assert run.target.shape == (200, 2)                                      # one-hot rows
    assert run.losses[-1] < run.losses[0] and app.message.value == ""
    assert run.accuracy() > 0.75
    restore_defaults(app)


def test_each_dataset_shows_its_points_and_classes(explorer):
    app = explorer
    scatters = app.figure.axes[0].collections
    for name in training.DATASETS:
        app.controls["dataset"].value = name
        X, y = training.load_dataset(name)
        shown = sum(len(s.get_offsets()) for s in scatters)
        assert shown == len(X)
        np.testing.assert_allclose(scatters[0].get_offsets(), X[y == 0])
        assert app.state["run"].n_classes == len(np.unique(y))
        assert app.message.value == ""
    restore_defaults(app)


def test_step_runs_one_update_and_lists_the_four_stages(explorer):
    app = explorer
    restore_defaults(app)
    app.controls["reset"].click()
    run = app.state["run"]
    assert run.losses == [] and len(loss_line(app)) == 0
    weights = run.model[0].weight.data.copy()
    before = regions(app)
    app.controls["step"].click()
    assert len(run.losses) == 1 and run.examples_seen == 200
    assert not np.array_equal(run.model[0].weight.data, weights)
    text = app.stages.value
    for stage in ("1. forward pass", "2. loss", "3. backpropagation", "4. weight update"):
        assert stage in text
    assert "(200, 2)" in text and "|dL/dW|" in text and "|ΔW|" in text
    assert f"{run.losses[0]:.4f}" in text
    for _ in range(5):
        app.controls["step"].click()
    assert len(run.losses) == 6 and not np.array_equal(regions(app), before)
    restore_defaults(app)


def test_train_continues_from_the_picture_and_reset_starts_again(explorer):
    app = explorer
    restore_defaults(app)
    app.controls["learning_rate"].value = 0.1
    app.controls["learning_rate"].value = 1.0                              # a fresh copy of the cached run
    first = list(app.state["run"].losses)
    app.controls["train"].click()
    run = app.state["run"]
    assert len(run.losses) == 2 * BUDGET and run.losses[:BUDGET] == first
    assert np.mean(run.losses[-10:]) < np.mean(first[-10:])                  # trained further
    assert app.figure.axes[1].get_xlim()[1] == 2 * BUDGET
    app.controls["train"].click()
    assert len(app.state["run"].losses) == 3 * BUDGET
    assert app.figure.axes[1].get_xlim()[1] == 4 * BUDGET                   # the axis doubles
    renders = app.renders
    app.controls["train"].click()                                            # fits: no rescale
    assert app.renders == renders + 1 and app.figure.axes[1].get_xlim()[1] == 4 * BUDGET
    app.controls["reset"].click()
    assert app.state["run"].losses == [] and app.state["run"].examples_seen == 0
    app.controls["learning_rate"].value = 0.5
    app.controls["learning_rate"].value = 1.0
    assert app.state["run"].losses == first                                  # same seed, same run
    assert app.figure.axes[1].get_xlim()[1] == BUDGET


def test_a_training_run_is_the_four_step_loop_of_fit():
    run = TrainingRun("xor", "cross-entropy", "momentum", 0.1, 200).train(20)
    model = training.small_network(2, rng=0)
    opt = nl.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    X, y = training.load_dataset("xor")
    history = nl.fit(model, nl.CrossEntropyLoss(), opt, X, y, epochs=20, shuffle=False)
    np.testing.assert_allclose(run.losses, history.step_loss, rtol=1e-10)
    np.testing.assert_allclose(run.model[2].weight.data, model[2].weight.data, rtol=1e-8, atol=1e-12)


def test_batch_size_explorer_builds_and_follows_its_slider():
    app = batch_size_explorer()
    assert set(app.controls) == {"batch_size"}
    ax_noise, ax_spread, ax_examples, ax_time = app.figure.axes
    spreads = []
    for size in app.controls["batch_size"].options:
        app.controls["batch_size"].value = size
        assert app.message.value == ""
        assert f"<b>{-(-200 // size)}</b> updates per epoch" in app.info.value
        dots = ax_noise.collections[0].get_offsets()
        assert len(dots) == 100
        spreads.append(np.sqrt(np.mean(np.sum((dots - dots.mean(axis=0)) ** 2, axis=1))))
        bold = ax_examples.lines[-1].get_data()
        np.testing.assert_allclose(bold[0], app.runs[size]["examples"])
        assert app.runs[size]["updates"] == 5 * -(-200 // size)
        assert app.runs[size]["examples"][-1] == 5 * 200
    assert all(a > b for a, b in zip(spreads, spreads[1:]))                   # bigger batches, less noise
    assert spreads[-1] < 1e-9                                                  # the full batch has none
    runs = app.runs
    assert runs[1]["loss"][-1] < runs[200]["loss"][-1]                        # per example, small batches win
    assert runs[1]["time_per_update"] > 0
    for ax in app.figure.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_per_example_gradients_average_to_the_full_batch_gradient():
    X, y = training.load_dataset("moons")
    X, y = X[:30], y[:30]
    model = training.small_network(2, rng=3)
    rows = per_example_gradients(model, nl.CrossEntropyLoss(), X, y)
    assert rows.shape == (30, 2 * 16 + 16 + 16 * 2 + 2)
    loss_fn = nl.CrossEntropyLoss()
    loss_fn(model(X), y)
    model.zero_grad()
    model.backward(loss_fn.backward())
    full = np.concatenate([p.grad.ravel() for p in model.parameters()])
    np.testing.assert_allclose(rows.mean(axis=0), full, rtol=1e-10, atol=1e-14)


def test_minibatch_gradient_samples_are_means_of_distinct_rows():
    rows = np.arange(12.0).reshape(6, 2)
    samples = minibatch_gradient_samples(rows, [1, 3, 6], samples=50, rng=1)
    assert set(samples) == {1, 3, 6}
    assert samples[1].shape == (50, 2)
    assert all(any(np.array_equal(s, r) for r in rows) for s in samples[1])  # b = 1: single rows
    np.testing.assert_allclose(samples[6], np.tile(rows.mean(axis=0), (50, 1)))  # full batch: exact
    # b = 3 of [0, 2, 4, ..., 10] in column 0: a mean of three distinct even numbers.
    assert np.all(samples[3][:, 0] >= (0 + 2 + 4) / 3) and np.all(samples[3][:, 0] <= (6 + 8 + 10) / 3)


def test_loss_while_training_counts_examples_updates_and_the_last_partial_batch():
    X, y = training.load_dataset("moons")
    model = training.small_network(2, rng=0)
    opt = nl.optim.SGD(model.parameters(), lr=0.2)
    record = loss_while_training(model, nl.CrossEntropyLoss(), opt, X[:50], y[:50], batch_size=15,
                                 epochs=2, every=20)
    assert record["updates"] == 2 * 4                                         # 15 + 15 + 15 + 5
    assert record["examples"][0] == 0 and record["examples"][-1] == 100
    assert np.all(np.diff(record["examples"]) > 0) and np.all(np.diff(record["time"]) >= 0)
    assert record["loss"][-1] < record["loss"][0]
