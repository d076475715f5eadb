"""Every number lesson 05 states, computed from the package (the app's own functions).

Named after the sentence each protects; if one fails, the lesson's prose is no longer true.
"""

import numpy as np
import pytest

from nnlearn.experiments import gradient_noise, training_runs as training

X, y = training.load_dataset("moons")


@pytest.fixture(scope="module")
def search():
    return training.moons_search()


@pytest.fixture(scope="module")
def noise():
    return gradient_noise.gradient_noise(X, y, training.BATCH_SIZES)


def test_the_network_has_82_weights_sigma_1_is_1_30_and_the_full_gradient_0_49(noise):
    gradients, full, _, spread = noise
    assert gradients.shape == (200, 82)
    assert spread[1] == pytest.approx(1.30, abs=0.005)
    assert np.linalg.norm(full) == pytest.approx(0.49, abs=0.005)


def test_the_measured_spread_follows_the_formula_and_four_times_the_batch_halves_it(noise):
    _, _, _, spread = noise
    for b in (2, 5, 10, 20, 50, 100):
        formula = spread[1] * np.sqrt((200 - b) / (b * 199))
        assert spread[b] == pytest.approx(formula, rel=0.1)
    assert spread[20] / spread[5] == pytest.approx(0.5, abs=0.05)              # question 1: four times the batch
    assert np.sqrt((180 / (20 * 199)) / (195 / (5 * 199))) == pytest.approx(0.48, abs=0.005)
    assert spread[200] < 1e-12                                    # the full batch has none


def test_the_grid_is_15_rates_from_0_01_to_31_6():
    assert len(training.LR_GRID) == 15
    assert training.LR_GRID[0] == 0.01 and training.LR_GRID[-1] == pytest.approx(31.6, abs=0.05)


def test_the_best_rate_grows_linearly_from_1_to_10_then_is_capped(search):
    _, best = search
    assert best[1] == pytest.approx(0.178, abs=0.001) and best[2] == pytest.approx(0.316, abs=0.001)
    assert best[5] == pytest.approx(0.562, abs=0.001) and best[10] == pytest.approx(1.78, abs=0.01)
    assert best[10] / best[1] == pytest.approx(10, rel=0.01)      # ten times the batch, ten times the rate
    assert best[50] == best[100] == pytest.approx(5.62, abs=0.01)
    assert max(best[b] for b in (20, 50, 100, 200)) / best[10] <= 3.2
    assert best[200] == pytest.approx(1.78, abs=0.01)
    assert best[1] * 200 / best[200] == pytest.approx(20, rel=0.01)


def test_per_example_small_batches_win_at_their_own_best_rates_by_less(search):
    runs, best = search
    final = {b: runs[b][best[b]]["loss"][-1] for b in best}
    assert final[1] == pytest.approx(0.095, abs=0.001)
    assert final[10] == pytest.approx(0.12, abs=0.005)
    assert final[50] == pytest.approx(0.19, abs=0.005)
    assert final[200] == pytest.approx(0.26, abs=0.006) and runs[200][best[200]]["updates"] == 5
    assert sorted(final, key=final.get)[0] == 1
    one_rate = runs[200][best[1]]["loss"][-1]
    assert one_rate == pytest.approx(0.49, abs=0.005) and one_rate / final[1] == pytest.approx(5, rel=0.05)


def test_an_update_on_200_examples_costs_far_less_than_200_updates_on_one(search):
    runs, best = search
    per_update = {b: np.median([runs[b][lr]["time_per_update"] for lr in training.LR_GRID]) for b in (1, 200)}
    assert per_update[200] < 20 * per_update[1]


def test_per_update_the_full_batch_wins_on_spirals_with_adam():
    accuracy = {b: training.TrainingRun("spirals", optimizer="Adam", lr=0.03, batch_size=b).train(50).accuracy()
                for b in (1, 200)}
    assert accuracy[1] == pytest.approx(0.575) and accuracy[200] == pytest.approx(0.925)


def test_at_their_best_rates_batches_of_50_and_100_climb_above_5_on_the_way(search):
    runs, best = search
    for b in (50, 100):
        assert max(runs[b][best[b]]["loss"]) > 5
        lower = training.LR_GRID[training.LR_GRID.index(best[b]) - 1]
        smooth = runs[b][lower]["loss"]
        assert lower == pytest.approx(3.16, abs=0.01) and max(smooth) < 0.8
        assert smooth[-1] > runs[b][best[b]]["loss"][-1]
    assert runs[50][3.1623]["loss"][-1] == pytest.approx(0.20, abs=0.005)
    assert runs[50][best[50]]["loss"][-1] == pytest.approx(0.19, abs=0.005)
    assert runs[100][3.1623]["loss"][-1] == pytest.approx(0.22, abs=0.005)
    assert runs[100][best[100]]["loss"][-1] == pytest.approx(0.20, abs=0.005)


def test_a_plateful_of_10_scatters_by_0_38(noise):
    assert noise[3][10] == pytest.approx(0.38, abs=0.005)
