"""The app of lesson 00, driven through its controls as a learner would; every message checked
against the record the plots draw."""

import re

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.experiments import ExperimentMessage, training_runs as training
from nnlearn.experiments.training_runs import BATCH_SIZES, BUDGET, TrainingRun
from nnlearn.widgets.training import training_explorer


@pytest.fixture(scope="module")
def app():
    return training_explorer()


def run_of(app):
    return app.explorer.run


def regions(app):
    return np.asarray(app.figure.axes[0].images[0].get_array()).copy()


def loss_line(app):
    return app.figure.axes[1].lines[0]


def restore_defaults(app):
    for name, value in (("dataset", "moons"), ("loss", "cross-entropy"), ("optimizer", "SGD"),
                        ("learning_rate", 1.0), ("batch_size", 200)):
        app.controls[name].value = value


def numbers(text):
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", re.sub("<[^>]+>", "", text))]


def test_training_explorer_builds_with_no_arguments_and_a_random_net_becomes_a_classifier(app):
    assert {"dataset", "learning_rate", "loss", "batch_size", "optimizer", "step", "train", "reset"} <= set(app.controls)
    assert app.renders >= 1 and bytes(app.image.value)[:4] == b"\x89PNG"
    run = run_of(app)
    assert run.updates == BUDGET and run.diverged_at is None
    assert run.losses[-1] < 0.5 * run.losses[0] and run.accuracy() > 0.85
    assert app.message.value == ""
    assert len(loss_line(app).get_xdata()) == BUDGET
    for ax in app.figure.axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_the_optimizer_menu_is_the_library_registry(app):
    options = dict(app.controls["optimizer"].options)
    assert list(options.values()) == list(nl.optim.OPTIMIZERS)
    assert list(options) == [info.name for info in nl.optim.OPTIMIZERS.values()]


def test_the_status_line_counts_updates_and_examples_from_the_record(app):
    restore_defaults(app)
    app.controls["reset"].click()
    assert "before any update" in app.status.value
    for _ in range(4):
        app.controls["step"].click()
    run = run_of(app)
    assert "After <b>4 updates</b> (800 examples seen)" in app.status.value
    assert f"{run.accuracy():.0%}" in app.status.value and f"{run.full_loss():.4g}" in app.status.value
    app.controls["reset"].click()
    app.controls["step"].click()
    assert "1 update</b>" in app.status.value and "1 updates" not in app.status.value
    assert "a batch of 200 points" in app.stages.value
    restore_defaults(app)


def test_after_one_step_the_loss_plot_draws_a_single_point(app):
    restore_defaults(app)
    app.controls["reset"].click()
    assert len(loss_line(app).get_xdata()) == 0
    app.controls["step"].click()
    line = loss_line(app)
    assert list(line.get_xdata()) == [1.0] and line.get_marker() == "o"
    app.controls["step"].click()
    assert len(line.get_xdata()) == 2 and line.get_marker() in ("None", "none", None, "")
    restore_defaults(app)


def test_with_small_batches_the_status_says_the_last_loss_is_one_batchs(app):
    restore_defaults(app)
    app.controls["batch_size"].value = 1
    run = run_of(app)
    text = app.status.value
    assert "(50 examples seen)" in text
    assert "the last mini-batch (1 point) had loss" in text and f"{run.losses[-1]:.4g}" in text
    assert f"loss on all 200 points <b>{run.full_loss():.4g}</b>" in text
    assert run.full_loss() > 5 * run.losses[-1]                          # one point's loss looks far better
    restore_defaults(app)


def test_the_learning_rate_moves_the_boundary_and_every_value_draws(app):
    restore_defaults(app)
    control = app.controls["learning_rate"]
    pictures, finals = {}, {}
    for exponent in np.arange(control.min, control.max + 1e-9, control.step):
        renders = app.renders
        control.value = 10 ** exponent
        assert app.renders == renders + 1
        run = run_of(app)
        assert (app.message.value == "") == (run.diverged_at is None)
        pictures[round(exponent, 2)] = regions(app)
        finals[round(exponent, 2)] = run.full_loss()
    assert not np.array_equal(pictures[-4.0], pictures[0.0])
    assert finals[0.0] < finals[-2.0] < finals[-4.0] + 1e-9
    restore_defaults(app)


def test_divergence_is_the_library_rule_and_its_message_adds_up(app):
    restore_defaults(app)
    app.controls["optimizer"].value = "RMSprop"
    app.controls["learning_rate"].value = 1.0
    run = run_of(app)
    k = run.diverged_at
    assert k is not None and k == next(i + 1 for i, loss in enumerate(run.losses)
                                       if nl.has_diverged(loss, run.losses[0]))
    assert run.updates == k                                             # training stopped there
    loss, first = run.losses[k - 1], run.losses[0]
    assert f"diverged at update {k}:" in app.message.value
    if np.isfinite(loss):
        assert f"grew to {loss:.3g}, {loss / first:.0f} times its first value {first:.3g}" in app.message.value
    assert "diverged" in app.status.value and f"({k * 200} examples seen)" in app.status.value
    curve_ax = app.figure.axes[1]
    assert curve_ax.lines[1].get_xdata()[0] == k and "diverged" in curve_ax.texts[0].get_text()
    assert np.all(np.isfinite(loss_line(app).get_ydata()))
    faded = regions(app)[..., :3].astype(int)
    app.controls["optimizer"].value = "SGD"
    healthy = regions(app)[..., :3].astype(int)
    saturation = lambda rgb: (rgb.max(axis=-1) - rgb.min(axis=-1)).mean()   # noqa: E731
    app.controls["optimizer"].value = "RMSprop"
    assert saturation(faded) < 0.5 * saturation(healthy)
    app.controls["step"].click()                                         # stepping a diverged run
    assert "diverged" in app.message.value and run_of(app).updates == k
    restore_defaults(app)
    assert app.message.value == "" and run_of(app).diverged_at is None
    assert len(curve_ax.lines[1].get_xdata()) == 0 and curve_ax.texts[0].get_text() == ""


def test_sgd_at_10_jumps_but_is_not_called_diverged(app):
    restore_defaults(app)
    app.controls["learning_rate"].value = 10.0
    run = run_of(app)
    assert run.diverged_at is None and app.message.value == "" and max(run.losses) > 30
    restore_defaults(app)


def test_every_batch_size_trains_the_budget_on_batches_of_that_size(app):
    restore_defaults(app)
    assert list(app.controls["batch_size"].options) == list(BATCH_SIZES)
    noise = {}
    for size in BATCH_SIZES:
        app.controls["batch_size"].value = size
        run = run_of(app)
        assert run.examples_seen == BUDGET * size == sum(run.batch_sizes)
        assert f"({BUDGET * size} examples seen)" in app.status.value
        noise[size] = np.abs(np.diff(run.losses)).mean()
    assert noise[1] > 3 * noise[200]
    restore_defaults(app)


@pytest.mark.parametrize("name", [n for n in nl.optim.OPTIMIZERS if n != "SGD"])
def test_each_optimizer_trains_differently_from_sgd(app, name):
    restore_defaults(app)
    app.controls["learning_rate"].value = 0.01
    sgd, sgd_losses = regions(app), list(run_of(app).losses)
    app.controls["optimizer"].value = name
    assert app.message.value == ""
    assert run_of(app).losses != sgd_losses and not np.array_equal(regions(app), sgd)
    restore_defaults(app)


@pytest.mark.parametrize("name", ["MSE on one-hot", "Huber on one-hot"])
def test_losses_on_one_hot_targets_also_train_a_classifier(app, name):
    restore_defaults(app)
    app.controls["loss"].value = name
    run = run_of(app)
    assert run.target.shape == (200, 2)
    assert run.losses[-1] < run.losses[0] and app.message.value == "" and run.accuracy() > 0.75
    restore_defaults(app)


def test_each_dataset_shows_its_points_and_classes(app):
    scatters = app.figure.axes[0].collections
    for name in training.DATASETS:
        app.controls["dataset"].value = name
        X, y = training.load_dataset(name)
        assert sum(len(s.get_offsets()) for s in scatters) == len(X)
        np.testing.assert_allclose(scatters[0].get_offsets(), X[y == 0])
        assert run_of(app).n_classes == len(np.unique(y)) and app.message.value == ""
    restore_defaults(app)


def test_step_runs_one_update_and_lists_the_four_stages(app):
    restore_defaults(app)
    app.controls["reset"].click()
    run = run_of(app)
    weights = run.model[0].weight.data.copy()
    before = regions(app)
    app.controls["step"].click()
    assert run.updates == 1 and run.examples_seen == 200
    assert not np.array_equal(run.model[0].weight.data, weights)
    text = app.stages.value
    for stage in ("1. forward pass", "2. loss", "3. backpropagation", "4. weight update"):
        assert stage in text
    assert "(200, 2)" in text and "|dL/dW|" in text and "|ΔW|" in text and f"{run.losses[0]:.4f}" in text
    for _ in range(5):
        app.controls["step"].click()
    assert run.updates == 6 and not np.array_equal(regions(app), before)
    restore_defaults(app)


def test_train_continues_from_the_picture_and_reset_starts_again(app):
    restore_defaults(app)
    app.controls["learning_rate"].value = 0.1
    app.controls["learning_rate"].value = 1.0
    first = list(run_of(app).losses)
    app.controls["train"].click()
    run = run_of(app)
    assert run.updates == 2 * BUDGET and run.losses[:BUDGET] == first
    assert np.mean(run.losses[-10:]) < np.mean(first[-10:])
    assert app.figure.axes[1].get_xlim()[1] == 2 * BUDGET
    app.controls["train"].click()
    assert app.figure.axes[1].get_xlim()[1] == 4 * BUDGET
    renders = app.renders
    app.controls["train"].click()
    assert app.renders == renders + 1 and app.figure.axes[1].get_xlim()[1] == 4 * BUDGET
    app.controls["reset"].click()
    assert run_of(app).losses == [] and run_of(app).examples_seen == 0
    app.controls["learning_rate"].value = 0.5
    app.controls["learning_rate"].value = 1.0
    assert run_of(app).losses == first
    assert app.figure.axes[1].get_xlim()[1] == BUDGET


def test_a_training_run_is_the_four_step_loop_of_fit():
    run = TrainingRun("xor", "cross-entropy", "Momentum", 0.1, 200).train(20)
    model = training.small_network(2, rng=0)
    opt = nl.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    X, y = training.load_dataset("xor")
    history = nl.fit(model, nl.CrossEntropyLoss(), opt, X, y, epochs=20, shuffle=False)
    np.testing.assert_allclose(run.losses, history.step_loss, rtol=1e-10)
    np.testing.assert_allclose(run.model[2].weight.data, model[2].weight.data, rtol=1e-8, atol=1e-12)


def test_optimizer_key_accepts_names_in_any_case_and_refuses_unknown_ones():
    assert training.optimizer_key("momentum") == "Momentum" and training.optimizer_key("Adam") == "Adam"
    with pytest.raises(ExperimentMessage, match="Unknown optimizer"):
        training.optimizer_key("Nadam")


def test_in_the_kernels_event_loop_the_next_learning_rates_are_trained_before_the_learner_moves():
    """After a move, the runs one slider step either side are trained while the loop is idle (as in
    a kernel), and are the very runs a move there would train; a closed app trains nothing more."""
    import asyncio

    async def scenario():
        app = training_explorer()
        explorer, slider = app.explorer, app.controls["learning_rate"]
        slider.value = 10 ** -1.0
        here = explorer.key
        assert len(explorer.cache) == 2                      # the start and lr = 0.1; nothing idle yet
        await asyncio.sleep(0.3)
        up, down = explorer.settings(10 ** -0.75), explorer.settings(10 ** -1.25)
        assert {here, up, down} <= set(explorer.cache)
        fresh = TrainingRun(*[here[0], here[1], here[2], up[3], here[4]]).train(BUDGET)
        assert explorer.cache[up].losses == fresh.losses
        slider.value = 10 ** -0.75                            # a cache hit: the picture is that run
        assert explorer.run.losses == fresh.losses
        slider.value = 10 ** -0.5                             # schedules lr = 10**-0.25
        app.close()
        cached = len(explorer.cache)
        await asyncio.sleep(0.3)                              # cancelled: no callback runs on a closed app
        assert len(explorer.cache) == cached

    asyncio.run(scenario())


def test_a_picture_drawn_while_the_learner_looks_is_the_picture_a_move_draws():
    """The next learning rates' pictures are drawn in idle time (App.prerender); the move there shows
    the very bytes a fresh full draw gives, without drawing. After `step` (a run of its own) and
    after a full redraw nothing stale is shown."""
    import asyncio

    async def scenario():
        app = training_explorer()
        try:
            slider = app.controls["learning_rate"]
            slider.value = 10 ** -1.0
            await asyncio.sleep(0.4)
            slider.value = 10 ** -0.75
            assert app.last_timings["draw"] == 0.0 and app.last_timings["png"] == 0.0
            shown = app.image.value
            app.figure.stale = True                            # a full draw of the same state
            app.render()
            assert app.image.value == shown
            app.controls["step"].click()                       # the run is its own now: drawn afresh
            assert app.last_timings["draw"] > 0.0 and app.image.value != shown
            await asyncio.sleep(0.4)
            slider.value = 10 ** -1.0
            fresh = app.image.value
            app.figure.stale = True
            app.render()
            assert app.image.value == fresh
        finally:
            app.close()

    asyncio.run(scenario())


def test_the_start_control_trains_another_starting_network_and_the_text_s_seed_0_is_the_default():
    app = training_explorer()
    assert app.controls["start"].value == 0
    first = app.explorer.run.losses[:]
    app.controls["start"].value = 1
    assert app.explorer.key[-1] == 1 and app.explorer.run.losses != first
    assert app.explorer.run.losses == TrainingRun("moons", seed=1).train(BUDGET).losses
    app.controls["start"].value = 0
    assert app.explorer.run.losses == first
    app.close()
