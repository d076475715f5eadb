"""Every number lesson 00 states, computed from the package (the app's own functions).

Named after the sentence each protects; if one fails, the lesson's prose is no longer true.
"""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.experiments import training_runs as training
from nnlearn.experiments.training_runs import TrainingRun

X, y = nl.data.moons(200, rng=0)


def run(dataset="moons", **settings):
    return TrainingRun(dataset, **settings).train(50)


def test_the_random_network_scores_72_percent_and_50_steps_of_sgd_at_1_reach_94():
    assert nl.accuracy(training.small_network(2, rng=0)(X), y) == pytest.approx(0.72)
    assert run().accuracy() == pytest.approx(0.935)               # printed as 94 %


def test_random_networks_average_50_percent_and_a_straight_line_gets_88_5():
    scores = np.array([nl.accuracy(training.small_network(2, rng=s)(X), y) for s in range(200)])
    assert 0.45 < scores.mean() < 0.55
    assert 0.10 < np.mean(scores > 0.7) < 0.20 and 0.10 < np.mean(scores < 0.3) < 0.20
    from sklearn.linear_model import LogisticRegression
    assert LogisticRegression().fit(X, y).score(X, y) == pytest.approx(0.885)


def test_sgd_learning_rates_crawl_then_learn_then_overshoot_then_stop_learning():
    finals = {lr: run(lr=lr) for lr in (1e-4, 1e-2, 0.1, 1.0, 10 ** 0.5, 10 ** 0.75, 10.0)}
    assert finals[1e-4].full_loss() == pytest.approx(0.62, abs=0.01)
    assert min(finals[1e-2].losses) == pytest.approx(0.53, abs=0.01)
    assert finals[0.1].full_loss() == pytest.approx(0.33, abs=0.01)
    assert finals[1.0].full_loss() == pytest.approx(0.18, abs=0.01)
    assert finals[10 ** 0.5].full_loss() == pytest.approx(0.09, abs=0.01)
    assert finals[10 ** 0.5].accuracy() == pytest.approx(0.975)
    assert training.best_rate("SGD") == pytest.approx(10 ** 0.5)
    assert finals[10 ** 0.75].full_loss() == pytest.approx(0.21, abs=0.01)
    assert finals[10 ** 0.75].accuracy() == pytest.approx(0.89, abs=0.005)
    at_10 = finals[10.0]
    assert at_10.diverged_at is None                              # not diverged by the library's rule ...
    assert max(at_10.losses[:5]) == pytest.approx(37, abs=0.5) and np.argmax(at_10.losses) == 3
    assert 0.45 < min(at_10.losses[10:]) and max(at_10.losses[10:]) < 1.7   # ... but it learns nothing
    assert at_10.accuracy() == pytest.approx(0.73)


def test_rmsprop_diverges_from_0_316_and_is_best_near_0_056_adam_and_adagrad_from_3_16():
    assert training.first_diverging_rate("RMSprop") == pytest.approx(10 ** -0.5)
    assert training.best_rate("RMSprop") == pytest.approx(10 ** -1.25)
    assert training.first_diverging_rate("Adam") == pytest.approx(10 ** 0.5)
    assert training.first_diverging_rate("Adagrad") == pytest.approx(10 ** 0.5)
    assert training.first_diverging_rate("SGD") is None            # "earlier than plain SGD"


@pytest.mark.parametrize("name,factor", [("RMSprop", 10.0), ("Adam", 1.0), ("Adagrad", 1.0)])
def test_rmsprops_first_step_is_ten_times_lr_sign_g_adams_and_adagrads_lr_sign_g(name, factor):
    model = training.small_network(2, rng=0)
    before = [p.data.copy() for p in model.parameters()]
    opt = nl.optim.OPTIMIZERS[name].make(model.parameters(), 1e-3)
    loss_fn = nl.CrossEntropyLoss()
    loss_fn(model(X), y)
    opt.zero_grad()
    model.backward(loss_fn.backward())
    opt.step()
    for p, old in zip(model.parameters(), before):
        moved = np.abs(p.data - old)[p.grad != 0]
        np.testing.assert_allclose(moved, factor * 1e-3, rtol=1e-3)


def test_circles_spike_at_update_53_and_end_the_default_50_updates_at_59_percent():
    long = TrainingRun("circles").train(100)
    losses = np.array(long.losses)
    assert losses[:45].argmin() + 1 == 42 and losses[:45].min() == pytest.approx(0.15, abs=0.005)
    assert losses[:60].argmax() + 1 == 53 and losses[:60].max() == pytest.approx(1.18, abs=0.005)
    assert run("circles").accuracy() == pytest.approx(0.59)
    assert losses[-1] == pytest.approx(0.054, abs=0.001) and long.accuracy() == pytest.approx(0.99)
    assert run("circles", lr=0.5).accuracy() == pytest.approx(0.995)


def test_the_three_losses_reach_a_similar_accuracy_on_moons():
    assert run(loss="cross-entropy").accuracy() == pytest.approx(0.935)
    assert run(loss="MSE on one-hot").accuracy() == pytest.approx(0.92)
    assert run(loss="Huber on one-hot").accuracy() == pytest.approx(0.95)


def test_the_other_datasets_at_the_default_learning_rate():
    assert run("xor").accuracy() == pytest.approx(0.95)
    assert run("spirals").accuracy() == pytest.approx(0.815)
    assert run("blobs").accuracy() == pytest.approx(0.885)


def test_with_batch_size_1_the_last_points_loss_is_tiny_while_the_full_loss_is_not():
    one = run(batch_size=1)
    assert one.losses[-1] == pytest.approx(0.055, abs=0.001)
    assert one.full_loss() == pytest.approx(0.49, abs=0.005)
    assert one.accuracy() == pytest.approx(0.865)


def test_every_optimizer_in_the_menu_but_sgd_diverges_somewhere_on_the_slider():
    for name in nl.optim.OPTIMIZERS:
        rate = training.first_diverging_rate(name)
        assert (rate is None) == (name == "SGD"), name
    assert training.first_diverging_rate("Momentum") == pytest.approx(10.0)
