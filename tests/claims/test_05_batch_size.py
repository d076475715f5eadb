"""Every number lesson 05 states, computed from the package (the app's own functions).

Named after the sentence each protects; if one fails, the lesson's prose is no longer true.
"""

import numpy as np
import pytest

from nnlearn.experiments import batch_rates, gradient_noise, training_runs as training

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


def test_an_update_on_200_examples_costs_far_less_than_200_updates_on_one(search):
    runs, best = search
    per_update = {b: np.median([runs[b][lr]["time_per_update"] for lr in training.LR_GRID]) for b in (1, 200)}
    assert per_update[200] < 20 * per_update[1]


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


# ------------------------------------------------------------------ over 10 seeds (batch_rates)

SEEDS = batch_rates.SEEDS
ONE_STEP = 10 ** 0.25 * 1.01                       # one step of the grid, with room for its rounding


def rounded(value, digits=3):
    return float(f"{value:.{digits}g}")


def test_seed_0_of_the_stored_search_is_the_apps(search):
    """The stored search is what the code gives: tests/claims/test_stored_runs.py."""
    _, best = search
    assert SEEDS == tuple(range(10))
    for b in training.BATCH_SIZES:
        assert batch_rates.at_equal_epochs(b)[0] == best[b]                    # the app's curves are seed 0


def test_over_10_seeds_the_best_rates_are_0_178_0_562_1_1_39_and_b_10_over_b_1_is_1_to_31_6_median_5_6():
    rates = {b: batch_rates.at_equal_epochs(b) for b in training.BATCH_SIZES}
    assert [rounded(np.median(rates[b])) for b in (1, 2, 5, 10)] == [0.178, 0.562, 1.0, 1.39]
    assert (rounded(rates[1].min()), rounded(rates[1].max())) == (0.1, 0.316)
    assert (rounded(rates[10].min()), rounded(rates[10].max())) == (0.178, 3.16)
    ratio = rates[10] / rates[1]
    assert (rounded(np.median(ratio), 2), rounded(ratio.min()), rounded(ratio.max())) == (5.6, 1.0, 31.6)
    assert ratio.min() >= 1                                                   # never below b=1's
    assert ratio[0] == pytest.approx(10, rel=0.01)                           # exactly 10 at the app's seed
    assert np.sqrt(10) < np.median(ratio) < 10 and round(np.sqrt(10), 1) == 3.2
    assert ratio.min() <= np.sqrt(10) and ratio.max() >= 10                   # the spread covers both rules


def test_at_equal_epochs_the_full_batch_falls_back_to_1_78_at_every_seed_1_78_or_3_16_20_times_below_36():
    rates = {b: batch_rates.at_equal_epochs(b) for b in (1, 50, 100, 200)}
    assert rounded(np.median(rates[50])) == 5.62 and rounded(np.median(rates[100])) == 3.16
    assert rounded(np.median(rates[200])) == 1.78 and set(map(rounded, rates[200])) == {1.78, 3.16}
    assert round(np.median(rates[1]) * 200) == 36 and round(np.median(rates[1]) * 200 / np.median(rates[200])) == 20
    assert batch_rates.updates_in(5, 200) == 5 and batch_rates.updates_in(5, 100) == 10


def test_at_equal_updates_b_100_and_b_200_agree_within_one_grid_step_at_every_seed():
    same, near, medians = {}, {}, {}
    for updates in (5, 10, 20, 50):
        pair = {b: batch_rates.best_rates(b, updates) for b in (100, 200)}
        same[updates] = int(np.sum(pair[100] == pair[200]))
        near[updates] = int(np.sum(np.maximum(pair[200] / pair[100], pair[100] / pair[200]) < ONE_STEP))
        medians[updates] = (rounded(np.median(pair[100])), rounded(np.median(pair[200])))
    assert same == {5: 9, 10: 7, 20: 5, 50: 5} and set(near.values()) == {10}
    assert medians[10] == (3.16, 3.16)
    assert medians[5][1] == 1.78 and all(3.16 <= medians[u][1] <= 5.62 for u in (10, 20, 50))


def test_per_example_small_batches_win_over_10_seeds_and_one_rate_for_all_costs_the_full_batch_more():
    finals = {b: batch_rates.tuned_finals(b) for b in training.BATCH_SIZES}
    assert [round(float(np.median(finals[b])), 3) for b in (1, 2, 10, 50, 200)] == [0.122, 0.109, 0.131, 0.180, 0.272]
    table = np.array([finals[b] for b in training.BATCH_SIZES])              # (sizes, seeds)
    lowest = np.array(training.BATCH_SIZES)[table.argmin(axis=0)]
    assert int(np.sum(lowest <= 2)) == 9 and set(lowest[lowest > 2]) == {10}
    assert int(np.sum(table.argmax(axis=0) == len(training.BATCH_SIZES) - 1)) == 9
    small = np.min([finals[b] for b in (1, 2, 5, 10)], axis=0)
    large = np.min([finals[b] for b in (50, 100, 200)], axis=0)
    assert np.all(small < large)
    one_rate = np.array([batch_rates.final_loss(200, batch_rates.best_rate(1, seed, 1000), seed, 5) for seed in SEEDS])
    apart, tuned = one_rate / finals[1], finals[200] / finals[1]
    assert (round(apart.min(), 1), round(apart.max(), 1), round(float(np.median(apart)), 1)) == (3.5, 5.4, 4.2)
    assert (round(tuned.min(), 1), round(tuned.max(), 1), round(float(np.median(tuned)), 1)) == (1.8, 2.8, 2.4)


def test_per_update_the_full_batch_wins_on_spirals_with_adam_at_all_10_seeds():
    accuracy = {b: np.array([training.TrainingRun("spirals", optimizer="Adam", lr=0.03, batch_size=b, seed=seed)
                             .train(50).accuracy() for seed in SEEDS]) for b in (1, 200)}
    assert accuracy[1][0] == pytest.approx(0.575) and accuracy[200][0] == pytest.approx(0.925)   # the app's run
    assert (accuracy[1].min(), accuracy[1].max()) == (pytest.approx(0.525), pytest.approx(0.665))
    assert (accuracy[200].min(), accuracy[200].max()) == (pytest.approx(0.79), pytest.approx(0.94))
    assert np.all(accuracy[200] > accuracy[1])


def test_the_full_batch_prediction_is_b_at_every_seed_at_least_one_grid_step_inside_1_to_10():
    rates = batch_rates.at_equal_epochs(200)
    assert 1 <= np.median(rates) <= 10
    assert np.all(rates >= 1 * ONE_STEP / 1.02) and np.all(rates * ONE_STEP / 1.02 <= 10)
