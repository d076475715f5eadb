"""Every number lesson 08 (the playground) states, computed from the package it describes."""

import numpy as np
import pytest
from stored_runs import SPIRAL_POINTS, spiral_difference

from nnlearn.experiments import spiral_depth
from nnlearn.playground import Config, Playground

ALL_FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")




def accuracy_after(epochs=100, **settings):
    pg = Playground(Config(**settings))
    for _ in range(epochs):
        pg.step()
    return pg.metrics()["accuracy"]


def test_the_default_network_learns_the_circle():
    assert accuracy_after() > 0.95


def test_without_hidden_layers_the_circle_reaches_60_percent_against_52_4_for_the_larger_class():
    """Prediction 1, option (a): 65 % or less, little better than the larger class (52.4 % of the test points)."""
    value = accuracy_after(hidden=())
    assert value == pytest.approx(0.60) and spiral_depth.larger_class_share("circle") == pytest.approx(0.524)


def test_over_seeds_a_line_gets_33_to_66_percent_of_the_circle_median_51_around_the_larger_class():
    """The sealed explanation: 33 % to 66 % over seeds 0-9 (median 51 %), larger class 50-54 %."""
    seeds = range(10)
    values = np.array([spiral_depth.test_accuracy("circle", seed=s, hidden=()) for s in seeds])
    shares = np.array([spiral_depth.larger_class_share("circle", s) for s in seeds])
    assert [round(100 * values.min()), round(100 * values.max()), round(100 * np.median(values))] == [33, 66, 51]
    assert [round(100 * shares.min()), round(100 * shares.max())] == [50, 54]
    assert np.all(values < 0.8)                                         # never near option (b)


def test_with_x1_squared_and_x2_squared_no_hidden_layer_separates_the_circle_perfectly():
    assert accuracy_after(hidden=(), features=("x1", "x2", "x1^2", "x2^2")) == 1.0


def test_xor_without_hidden_layers_fails_and_x1_times_x2_alone_solves_it():
    assert accuracy_after(dataset="xor", hidden=()) < 0.6
    assert accuracy_after(dataset="xor", hidden=(), features=("x1", "x2", "x1*x2")) == 1.0
    for feature in ("x1^2", "x2^2", "sin(x1)", "sin(x2)"):                   # the other choices do not
        assert accuracy_after(dataset="xor", hidden=(), features=("x1", "x2", feature)) < 0.8, feature


def test_the_spiral_stays_near_62_percent_with_the_default_network_and_99_with_depth_features_and_adam():
    assert 0.55 <= accuracy_after(dataset="spiral") <= 0.7
    assert accuracy_after(dataset="spiral", hidden=(8, 8, 8), features=ALL_FEATURES, optimizer="Adam",
                          learning_rate=0.01) >= 0.98


def test_the_depth_table_is_stored_and_two_of_its_runs_train_the_same_now():
    """The lesson prints the stored table (test_stored_runs.py trains every stored run again)."""
    stored = spiral_depth.stored_accuracies()
    assert {spiral_depth.run_key(dataset, seed=seed, **settings)
            for dataset, seed, settings in spiral_depth.stored_settings()} == set(stored)
    for seed, settings in ((0, {}), (2, spiral_depth.STEPS[5][1])):          # the default; three layers of 8
        key = spiral_depth.run_key(seed=seed, **settings)
        assert spiral_difference(stored[key], spiral_depth.trained_test_accuracy(seed=seed, **settings)) <= SPIRAL_POINTS


@pytest.fixture(scope="module")
def depth():
    """The controlled comparison over seeds 0-4, in percent: {row of STEPS: per-seed test accuracy}."""
    return {name: 100 * values for name, values in spiral_depth.depth_table().items()}


def summary(values):
    return round(float(np.median(values)), 1), round(float(values.min()), 1), round(float(values.max()), 1)


def test_one_change_at_a_time_every_feature_61_6_to_73_2_then_adam_86_8_median(depth):
    names = [name for name, _ in spiral_depth.STEPS]
    assert [summary(depth[name])[0] for name in names[:3]] == [61.6, 73.2, 86.8]


def test_with_features_and_adam_one_layer_of_8_reaches_92_4_to_98_and_three_about_97_to_99(depth):
    # "about": the lowest seed of three layers ends at 96.8 to 97.6 % with the rounding of the
    # three processors tests/claims/test_claims_elsewhere.py tries; everything else stays put
    one, two, three = (depth[name] for name, _ in spiral_depth.STEPS[3:6])
    assert summary(one) == (96.0, 92.4, 98.0)
    assert summary(two) == (98.0, 96.4, 98.4)
    median, low, high = summary(three)
    assert median == 98.0 and 96.5 <= low <= 97.7 and high == 99.2
    gain = three - one
    assert int(np.sum(gain > 0)) == 4 and summary(gain)[1:] == (-0.4, 6.0) and 1.0 <= summary(gain)[0] <= 2.0


def test_from_x1_x2_alone_three_layers_beat_one_at_every_seed_by_10_8_to_31_2_points(depth):
    one, three = (depth[name] for name, _ in spiral_depth.STEPS[6:8])
    gain = three - one
    assert np.all(gain > 0) and (round(gain.min(), 1), round(gain.max(), 1)) == (10.8, 31.2)
    assert summary(one)[0] == 63.6 and summary(three)[0] == 79.6


def test_the_mean_of_three_0_1s_is_not_exactly_0_1_so_their_squares_about_it_do_not_sum_to_0():
    """r_squared's spec, hint and check: constant targets [0.1] * 3 are tested with np.ptp, not a zero sum."""
    t = np.full(3, 0.1)
    assert t.mean() != 0.1 and np.sum((t - t.mean()) ** 2) > 0 and np.ptp(t) == 0
    assert np.max(np.abs(t - t.mean())) == pytest.approx(1.4e-17, rel=0.05)     # "rounds to about 1e-17"
