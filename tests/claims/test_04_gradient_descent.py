"""Every number lesson 04 (gradient descent) states, computed from the package.

Each test is named after the sentence it protects; the lesson's cells and apps use the same calls.
"""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.train import DIVERGENCE_FACTOR
from nnlearn.widgets.descent import MAX_STEPS, descent_path, parabola_path


def sgd_run(surface, lr, steps, start=None):
    return nl.landscapes.run(surface, lambda params: nl.optim.SGD(params, lr=lr), start=start, steps=steps)


def crosses(values):
    """How many steps jump across 0 (a sign change)."""
    values = np.asarray(values)
    return int(np.sum(np.sign(values[1:]) * np.sign(values[:-1]) < 0))


@pytest.mark.parametrize("c", [0.5, 2.0, 4.0])
def test_on_a_parabola_the_zigzag_starts_at_1_over_c_and_divergence_at_2_over_c(c):
    below, above = 0.999 / c, 1.001 / c
    assert crosses(parabola_path(2.5, c, below, 20)) == 0 and crosses(parabola_path(2.5, c, above, 20)) == 20
    assert parabola_path(2.5, c, 1 / c, 1)[1] == 0.0                       # lands in one step
    converging, diverging = parabola_path(2.5, c, 1.999 / c, 200), parabola_path(2.5, c, 2.001 / c, 200)
    assert abs(converging[-1]) < 2.5 < abs(diverging[-1])
    np.testing.assert_allclose(np.abs(parabola_path(2.5, c, 2 / c, 7)), 2.5)    # bounces forever at 2/c


def test_with_c_2_the_factors_are_plus_0_8_minus_0_5_minus_1_2_for_lr_0_1_0_75_1_1():
    for lr, factor in ((0.1, 0.8), (0.75, -0.5), (1.1, -1.2)):
        path = parabola_path(2.5, 2.0, lr, 6)
        np.testing.assert_allclose(path[1:] / path[:-1], factor)


def test_the_predictions_zigzag_above_0_5_and_diverge_above_1_for_c_2():
    assert crosses(parabola_path(2.5, 2.0, 0.49, 10)) == 0 < crosses(parabola_path(2.5, 2.0, 0.51, 10))
    assert abs(parabola_path(2.5, 2.0, 0.99, 100)[-1]) < 2.5 < abs(parabola_path(2.5, 2.0, 1.01, 100)[-1])


def test_the_ravine_has_curvature_0_1_along_the_floor_and_4_across():
    ravine = nl.landscapes.get("ravine")
    gx, gy = ravine.gradient(np.array([1.0, 2.0]), np.array([3.0, -1.0]))
    np.testing.assert_allclose(gx, 0.1 * np.array([1.0, 2.0]))
    np.testing.assert_allclose(gy, 4.0 * np.array([3.0, -1.0]))


def factors(lr, steps=5):
    path = sgd_run("ravine", lr, steps).points
    return path[1:, 0] / path[:-1, 0], path[1:, 1] / path[:-1, 1]


def test_at_lr_0_1_the_factors_are_0_99_along_and_plus_0_6_across_no_zigzag():
    along, across = factors(0.1)
    np.testing.assert_allclose(along, 0.99)
    np.testing.assert_allclose(across, 0.6)
    assert crosses(sgd_run("ravine", 0.1, 40).points[:, 1]) == 0


def test_at_lr_0_4_the_factors_are_0_96_along_and_minus_0_6_across_a_zigzag():
    along, across = factors(0.4)
    np.testing.assert_allclose(along, 0.96)
    np.testing.assert_allclose(across, -0.6)


def test_across_the_ravine_the_zigzag_starts_at_0_25_and_divergence_at_0_5_and_along_the_floor_not_below_10():
    assert crosses(sgd_run("ravine", 0.249, 20).points[:, 1]) == 0
    assert crosses(sgd_run("ravine", 0.251, 20).points[:, 1]) == 20
    assert not sgd_run("ravine", 0.499, 200).diverged and sgd_run("ravine", 0.51, 200).diverged
    along, _ = factors(9.99, steps=1)
    assert along[0] > 0 and 1 - 0.1 * 10.01 < 0


def test_at_lr_0_001_after_200_steps_2_percent_along_the_floor_and_a_little_over_half_down_the_wall():
    end = sgd_run("ravine", 1e-3, 200).points[-1]
    assert round(end[0], 2) == -3.43 and round((3.5 + end[0]) / 3.5, 2) == 0.02
    assert 0.5 < (1.5 - end[1]) / 1.5 < 0.6


def test_after_40_steps_x_is_minus_2_34_at_lr_0_1_and_minus_0_68_at_lr_0_4():
    assert round(sgd_run("ravine", 0.1, 40).points[-1, 0], 2) == -2.34
    assert round(sgd_run("ravine", 0.4, 40).points[-1, 0], 2) == -0.68


def test_at_lr_0_5_she_bounces_between_the_walls_forever():
    y = sgd_run("ravine", 0.5, 200).points[:, 1]
    np.testing.assert_allclose(np.abs(y), 1.5)
    assert crosses(y) == 200


def test_at_lr_0_6_the_factor_is_minus_1_4_and_divergence_is_flagged_at_step_7_past_50_times_the_start():
    _, across = factors(0.6)
    np.testing.assert_allclose(across, -1.4)
    run = sgd_run("ravine", 0.6, 100)
    assert run.diverged_at == 7 and DIVERGENCE_FACTOR == 50
    assert run.values[-1] > 50 * max(run.values[0], 1) > run.values[-2]
    _, _, diverged_at = descent_path(nl.landscapes.get("ravine"), 0.6, MAX_STEPS)   # what the app shows
    assert diverged_at == 7


def test_the_sliders_0_501_widens_each_bounce_by_0_5_percent_grows_the_loss_6_fold_and_leaves_the_map_at_step_61():
    app = nl.widgets.descent_explorer()
    app.controls["learning_rate"].value = 10 ** -0.3
    lr = app.controls["learning_rate"].value
    assert round(lr, 3) == 0.501 and round(1 - 4 * lr, 3) == -1.005
    run = sgd_run("ravine", lr, 200)
    assert run.diverged_at is None and round(run.values[-1] / run.values[0]) == 6
    outside = np.abs(run.points[:, 1]) > 2
    assert int(np.argmax(outside)) == 61
    app.controls["steps"].value = 200
    assert app.message.value == "" and "off the map" in next(t for t in app.figure.axes[1].texts if t.get_animated()).get_text()


def test_the_sliders_0_63_has_factor_minus_1_52_and_is_flagged_at_step_5():
    app = nl.widgets.descent_explorer()
    app.controls["learning_rate"].value = 10 ** -0.2
    lr = app.controls["learning_rate"].value
    assert round(lr, 2) == 0.63 and round(1 - 4 * lr, 2) == -1.52
    assert sgd_run("ravine", lr, 200).diverged_at == 5 and "diverged at step 5" in app.message.value


def test_on_the_bowl_lr_1_lands_in_one_step():
    np.testing.assert_allclose(sgd_run("bowl", 1.0, 1).points[-1], [0.0, 0.0])


def test_rosenbrock_a_narrow_window_0_002_reaches_the_minimum_0_001_is_far_0_0025_diverges_at_step_2():
    assert np.round(sgd_run("rosenbrock", 0.002, 200).points[-1], 2).tolist() == [0.97, 0.94]
    assert np.round(sgd_run("rosenbrock", 0.001, 200).points[-1], 2).tolist() == [-1.39, 1.93]
    assert sgd_run("rosenbrock", 0.0025, 200).diverged_at == 2


def test_from_the_default_start_every_learning_rate_from_0_1_to_1_ends_in_the_shallow_middle_dip():
    surface = nl.landscapes.get("several_minima")
    depths = [float(surface(*m)) for m in surface.minima]
    shallow = int(np.argmax(depths))
    for lr in (0.1, 0.2, 0.5, 1.0):
        end = sgd_run(surface, lr, 200).points[-1]
        assert np.linalg.norm(end - np.array(surface.minima[shallow])) < 1e-3
    others = [sgd_run(surface, 0.3, 300, start=s).points[-1] for s in ((2.5, 2.5), (-2.5, -2.5))]
    reached = [int(np.argmin([np.linalg.norm(p - np.array(m)) for m in surface.minima])) for p in others]
    right_hand = int(np.argmax([m[0] for m in surface.minima]))
    assert reached == [right_hand, int(np.argmin(depths))] and shallow not in reached


def test_in_code_lr_0_4_converges_in_100_steps_and_lr_0_6_diverges():
    converged, diverged = sgd_run("ravine", 0.4, 100), sgd_run("ravine", 0.6, 100)
    assert converged.diverged_at is None and converged.values[-1] < 1e-3
    assert diverged.diverged_at == 7 and "Diverged at step 7" in diverged.message


def test_the_best_single_rate_on_the_ravine_has_factor_about_0_95_for_condition_number_40():
    c_min, c_max = 0.1, 4.0
    best = 2 / (c_min + c_max)
    assert c_max / c_min == pytest.approx(40)
    assert abs(1 - best * c_min) == pytest.approx(abs(1 - best * c_max))
    assert round(abs(1 - best * c_max), 2) == 0.95
    grid = np.linspace(0.01, 0.5, 4901)
    assert grid[np.argmin(np.max(np.abs(1 - np.outer(grid, [c_min, c_max])), axis=1))] == pytest.approx(best, abs=1e-4)


# ------------------------------------------------------------------ the curvature changes; schedules

from nnlearn.experiments import schedule_runs  # noqa: E402


@pytest.fixture(scope="module")
def sharpening():
    return [schedule_runs.sharpness_while_training(seed, 4.0) for seed in range(5)]


def test_at_lr_4_the_sharpness_falls_from_1_52_1_79_to_0_58_0_83_then_0_40_0_75_and_no_seed_of_5_diverges(sharpening):
    start, at_100, at_400 = ([found[k] for found in sharpening] for k in (0, 100, 400))
    assert round(min(start), 2) == 1.52 and round(max(start), 2) == 1.79 and round(2 / max(start), 2) == 1.12
    assert 4.0 > 3 * 2 / min(start)                                        # "more than three times that"
    assert round(min(at_100), 2) == 0.58 and round(max(at_100), 2) == 0.83
    assert round(min(at_400), 2) == 0.40 and round(max(at_400), 2) == 0.75
    assert min(at_400) < 2 / 4.0 < max(at_400)                            # around 2 / lr
    assert not any(found["diverged"] for found in sharpening)
    assert all(found["loss"] < 0.05 for found in sharpening)             # the loss keeps falling


def test_the_sharpness_of_a_parabola_is_its_curvature():
    model = nl.Sequential(nl.Linear(1, 1, bias=False, rng=0))
    x = np.array([[np.sqrt(2.0)]])                                         # L = (w x - 0)^2 = 2 w^2: curvature 4
    assert schedule_runs.sharpness(model, nl.MSELoss(), x, np.zeros((1, 1))) == pytest.approx(4.0, rel=1e-6)


@pytest.fixture(scope="module")
def race():
    return schedule_runs.schedule_race()


def against_best_constant(race, name):
    best = race[name].min(axis=1)
    return best / race["constant"].min(axis=1), np.array(schedule_runs.RATES)[race[name].argmin(axis=1)]


def test_the_race_is_10_seeds_9_rates_0_1_to_10_batch_10_200_updates_warm_up_20():
    assert schedule_runs.SEEDS == tuple(range(10)) and len(schedule_runs.RATES) == 9
    assert schedule_runs.RATES[0] == 0.1 and schedule_runs.RATES[-1] == 10.0
    assert (schedule_runs.BATCH_SIZE, schedule_runs.UPDATES, schedule_runs.WARMUP) == (10, 200, 20)


def test_warm_up_plus_cosine_beats_every_constant_rate_at_8_of_10_seeds_median_9_percent_range_0_38_1_19(race):
    ratio, peaks = against_best_constant(race, "warm-up + cosine")
    assert int(np.sum(ratio < 1)) == 8
    assert round(1 - float(np.median(ratio)), 2) == 0.09
    assert round(float(ratio.min()), 2) == 0.38 and round(float(ratio.max()), 2) == 1.19
    assert round(1 - float(ratio.min()), 2) == 0.62 and round(float(ratio.max()) - 1, 1) == 0.2
    _, constant_peaks = against_best_constant(race, "constant")
    assert float(np.median(peaks)) == pytest.approx(3.16, abs=0.01) and float(np.median(constant_peaks)) == 1.0


def test_cosine_alone_wins_at_7_seeds_median_9_percent_and_step_decay_at_5_median_3_percent(race):
    cosine, _ = against_best_constant(race, "cosine")
    step, _ = against_best_constant(race, "step")
    assert int(np.sum(cosine < 1)) == 7 and round(1 - float(np.median(cosine)), 2) == 0.09
    assert int(np.sum(step < 1)) == 5 and round(1 - float(np.median(step)), 2) == 0.03


def test_the_schedules_printed_in_the_lesson_follow_their_formulas():
    S = nl.optim.lr_scheduler
    optimizer = nl.optim.SGD([nl.Parameter(np.zeros(1))], lr=1.0)
    scheduler = S.SequentialLR(optimizer, [S.LinearLR(optimizer, start_factor=0.1, total_iters=4),
                                           S.CosineAnnealingLR(optimizer, T_max=8)], milestones=[4])
    seen = [optimizer.param_groups[0]["lr"]]
    for _ in range(12):
        scheduler.step()
        seen.append(optimizer.param_groups[0]["lr"])
    np.testing.assert_allclose(seen[:5], [0.1, 0.325, 0.55, 0.775, 1.0])
    assert seen[-1] == pytest.approx(0.0, abs=1e-15)


def test_the_ravine_starts_at_loss_5_1_so_the_divergence_line_is_50_times_its_start():
    start = nl.landscapes.get("ravine").start
    first = float(nl.landscapes.get("ravine")(*start))
    assert round(first, 1) == 5.1 and max(first, 1.0) == first
    assert nl.has_diverged(50 * first * 1.001, first) and not nl.has_diverged(50 * first * 0.999, first)
    assert not nl.has_diverged(49.0, 0.001)          # the floor of 1: a tiny start is not flagged at 50 x 0.001


def test_the_race_picture_counts_the_same_wins_as_the_prose(race):
    figure = nl.plots.schedule_race_figure(race, schedule_runs.schedule_curves())
    texts = [t.get_text() for t in figure.axes[1].texts]
    assert texts == ["lower at 5 of 10", "lower at 7 of 10", "lower at 8 of 10"]
    curves = schedule_runs.schedule_curves()
    assert curves["warm-up + cosine"][0] == pytest.approx(0.1) and curves["warm-up + cosine"][20] == pytest.approx(1.0)
    assert curves["step"][66] == 1.0 and curves["step"][67] == pytest.approx(0.3) and curves["cosine"][-1] < 1e-12


def test_the_investigations_rates_the_middle_one_is_the_best_its_counts_agree_and_the_check_walks_diverge():
    """The investigation: 2 / 4.1 is the ravine's "best" rate, and from starts uniform in [-3, 3]^2 its step counts
    to 1e-6 of the start agree (seeds 0-9); lr 0.6 diverges (factor -1.4), so 3000 steps never get there; in the
    check of largest_converging_lr the walk at lr 50 (factor -99, 200 steps) overflows to nan."""
    ravine = nl.landscapes.get("ravine")

    def steps(lr, seed):
        w = np.random.default_rng(seed).uniform(-3, 3, size=2)
        target = 1e-6 * float(ravine(w[0], w[1]))
        with np.errstate(over="ignore", invalid="ignore"):
            for k in range(3001):
                if float(ravine(w[0], w[1])) <= target:
                    return k
                w = w - lr * np.array(ravine.gradient(w[0], w[1]))
        return None

    assert 2 / 4.1 == pytest.approx(2 / (0.1 + 4.0))
    counts = [steps(2 / 4.1, seed) for seed in range(10)]
    assert max(counts) - min(counts) <= 1
    assert steps(0.6, 0) is None
    w = np.array([3.0])
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(200):
            w = w - 50.0 * 2.0 * w
    assert np.isnan(w).all()
