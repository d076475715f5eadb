"""The optimizer-race apps (lesson 06), driven through their controls as a slider would."""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.widgets.optimizers import (NETWORK_SCALES, OPTIMIZERS, SQUARE_KEY, VELOCITY_KEY, diverged_step,
                                        learning_rates, make_optimizer, race, state_series)


@pytest.fixture(scope="module")
def race_app():
    return nl.widgets.optimizer_race()


@pytest.fixture(scope="module")
def network_app():
    return nl.widgets.network_race()


def _paths(app):
    """The five path lines on the contour map, by label."""
    ax = app.figure.axes[0]
    return {line.get_label(): line for line in ax.lines if line.get_label() in OPTIMIZERS}


def test_optimizer_race_has_the_shared_control_names_and_a_first_picture(race_app):
    assert set(race_app.controls) == {"surface", "learning_rate", "steps", "optimizer"}
    assert set(race_app.controls["surface"].options[i][1] for i in range(5)) >= {
        "ravine", "saddle", "several_minima", "rosenbrock"}
    assert race_app.message.value == ""
    assert race_app.image.value[:4] == b"\x89PNG"
    paths = _paths(race_app)
    assert set(paths) == set(OPTIMIZERS)
    # every racer drew its path, each with its own marker and line style as well as colour
    assert all(len(line.get_xdata()) == race_app.controls["steps"].value + 1 for line in paths.values())
    assert len({line.get_marker() for line in paths.values()}) == 5
    assert len({line.get_color() for line in paths.values()}) == 5


def test_every_racer_gets_closer_to_the_ravine_minimum_as_steps_grow(race_app):
    race_app.controls["surface"].value = "ravine"
    race_app.controls["learning_rate"].value = 1.0
    distances = []
    for steps in (1, 10, 50, 150):
        race_app.controls["steps"].value = steps
        ends = np.array([line.get_xydata()[-1] for line in _paths(race_app).values()])
        distances.append(np.hypot(*ends.T))
        assert race_app.message.value == ""
    distances = np.array(distances)
    assert np.all(distances[-1] < distances[0])
    race_app.controls["steps"].value = 150


def test_momentum_and_adam_beat_plain_sgd_along_the_ravine_floor():
    results = race("ravine", 1.0, steps=150)
    final = {name: np.hypot(*trajectory.points[-1]) for name, trajectory in results.items()}
    assert final["momentum"] < final["SGD"] / 10
    assert final["Adam"] < final["SGD"] / 10


def test_a_learning_rate_too_large_is_reported_as_divergence_and_the_app_recovers(race_app):
    race_app.controls["surface"].value = "ravine"
    race_app.controls["steps"].value = 150
    race_app.controls["learning_rate"].value = 10.0           # SGD at lr 1 on curvature 4: diverges
    assert "SGD diverged at step" in race_app.message.value
    ax = race_app.figure.axes[0]
    flags = [line for line in ax.lines if line.get_marker() == "X" and len(line.get_xdata())]
    assert flags, "the diverged racer is flagged with an X on the map"
    notes = [text.get_text() for text in ax.texts if text.get_visible() and "diverged" in text.get_text()]
    step = diverged_step(race("ravine", 10.0)["SGD"])
    assert notes[0] == f"SGD diverged at step {step}"       # the step where it left the plot's box
    assert f"SGD diverged at step {step}" in race_app.message.value
    renders = race_app.renders
    race_app.controls["learning_rate"].value = 1.0
    assert race_app.message.value == "" and race_app.renders == renders + 1
    assert not [text for text in ax.texts if text.get_visible() and "diverged" in text.get_text()]


def test_the_learning_rate_slider_scales_every_racers_rate(race_app):
    race_app.controls["surface"].value = "ravine"
    race_app.controls["learning_rate"].value = 0.1
    assert "Adam <b>0.01</b>" in race_app.children[2].value
    ends_small = {name: line.get_xydata()[-1].copy() for name, line in _paths(race_app).items()}
    race_app.controls["learning_rate"].value = 1.0
    assert "Adam <b>0.1</b>" in race_app.children[2].value
    ends = {name: line.get_xydata()[-1] for name, line in _paths(race_app).items()}
    assert all(np.hypot(*ends[name]) < np.hypot(*ends_small[name]) for name in OPTIMIZERS)


def test_every_surface_and_learning_rate_gives_a_picture_or_a_divergence_note(race_app):
    for surface in ("ravine", "saddle", "several_minima", "rosenbrock", "bowl"):
        race_app.controls["surface"].value = surface
        for exponent in (-2.0, 0.0, 1.0):
            race_app.controls["learning_rate"].value = 10.0 ** exponent
            message = race_app.message.value
            assert message == "" or "diverged at step" in message
            assert "Error" not in message
    race_app.controls["surface"].value = "ravine"
    race_app.controls["learning_rate"].value = 1.0


def test_the_state_panels_show_the_chosen_optimizers_moving_averages(race_app):
    race_app.controls["surface"].value = "ravine"
    race_app.controls["learning_rate"].value = 1.0
    race_app.controls["steps"].value = 100
    ax_velocity, ax_square = race_app.figure.axes[2], race_app.figure.axes[3]
    expected = race("ravine", 1.0, steps=100)
    for name in OPTIMIZERS:
        race_app.controls["optimizer"].value = name
        velocity_line, square_line = ax_velocity.lines[0], ax_square.lines[0]
        if name in VELOCITY_KEY:
            np.testing.assert_allclose(velocity_line.get_ydata(),
                                       state_series(expected[name], VELOCITY_KEY[name])[:100, 0])
        else:
            assert len(velocity_line.get_xdata()) == 0
            assert "keeps no velocity" in " ".join(t.get_text() for t in ax_velocity.texts)
        if name in SQUARE_KEY:
            np.testing.assert_allclose(square_line.get_ydata(),
                                       np.maximum(state_series(expected[name], SQUARE_KEY[name])[:100, 0], 1e-300))
        else:
            assert len(square_line.get_xdata()) == 0
        # the chosen racer's path is drawn thicker
        widths = {label: line.get_linewidth() for label, line in _paths(race_app).items()}
        assert widths[name] == max(widths.values())
    race_app.controls["optimizer"].value = "Adam"


def test_diverged_step_reads_the_step_from_the_trajectory():
    results = race("ravine", 10.0, steps=300)
    assert diverged_step(results["Adam"]) is None
    step = diverged_step(results["SGD"])
    assert results["SGD"].diverged and f"at step {step}:" in results["SGD"].message
    assert step == results["SGD"].steps           # the last point kept is the one far outside


def test_adagrads_sum_only_grows_while_rmsprops_average_can_shrink():
    results = race("saddle", 1.0, steps=200)
    adagrad_sum = state_series(results["AdaGrad"], "sum")
    assert np.all(np.diff(adagrad_sum, axis=0) >= 0)
    rms = state_series(results["RMSprop"], "square_avg")
    assert np.any(np.diff(rms, axis=0) < 0)


def test_a_slider_move_repaints_without_a_full_redraw(race_app):
    race_app.controls["learning_rate"].value = 1.0
    race_app.controls["steps"].value = 120
    assert not race_app.figure.stale
    background = race_app._background
    race_app.controls["learning_rate"].value = 10 ** 0.25
    race_app.controls["steps"].value = 80
    assert race_app._background is background      # blitted: the static part was not redrawn
    race_app.controls["learning_rate"].value = 1.0


def test_make_optimizer_and_learning_rates_name_the_five_racers():
    params = [nl.Parameter(np.zeros(2))]
    kinds = [type(make_optimizer(name, params, 0.1)).__name__ for name in OPTIMIZERS]
    assert kinds == ["SGD", "SGD", "RMSprop", "Adagrad", "Adam"]
    assert make_optimizer("momentum", params, 0.1).param_groups[0]["momentum"] == 0.9
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("Nesterov", params, 0.1)
    assert learning_rates("ravine", 2.0)["Adam"] == pytest.approx(0.2)
    assert learning_rates("rosenbrock", 1.0)["SGD"] == pytest.approx(0.001)


def test_network_race_trains_the_same_network_and_shows_loss_curves(network_app):
    assert set(network_app.controls) == {"learning_rate", "optimizer"}
    ax_loss = network_app.figure.axes[0]
    curves = {line.get_label(): line for line in ax_loss.lines if line.get_label() in OPTIMIZERS}
    assert set(curves) == set(OPTIMIZERS)
    starts = [line.get_ydata()[0] for line in curves.values()]
    assert np.ptp(starts) < 1e-9            # same network, same start: the same first loss
    for line in curves.values():
        y = line.get_ydata()
        assert y[-1] < y[0]                # every optimizer lowers the loss at the default rate
    assert network_app.message.value == ""


def test_network_race_learning_rate_moves_change_the_curves_and_the_boundary(network_app):
    ax_loss, ax_boundary = network_app.figure.axes[:2]
    finals, pictures = [], []
    for scale in NETWORK_SCALES:
        network_app.controls["learning_rate"].value = scale
        message = network_app.message.value
        assert message == "" or "diverged" in message
        sgd = [line for line in ax_loss.lines if line.get_label() == "SGD"][0]
        finals.append(sgd.get_ydata()[-1])
        pictures.append(ax_boundary.images[0].get_array().copy())
    assert finals[0] > finals[3]            # a larger learning rate helps plain SGD here
    assert not np.allclose(pictures[0], pictures[3])
    for name in OPTIMIZERS:
        network_app.controls["optimizer"].value = name
        assert "Error" not in network_app.message.value
    network_app.controls["learning_rate"].value = 1.0
    network_app.controls["optimizer"].value = "Adam"
    assert network_app.message.value == ""


def test_the_lessons_story_of_the_several_minima_race_holds():
    """Lesson 06 says: at the default rates SGD stays in the shallow dip it meets first, momentum
    rolls on into another dip and the adaptive optimizers reach the deepest one."""
    surface = nl.landscapes.get("several_minima")
    depth = [float(surface(*minimum)) for minimum in surface.minima]
    reached = {}
    for name, trajectory in race(surface, 1.0, steps=300).items():
        distances = [np.hypot(*(trajectory.points[-1] - np.array(m))) for m in surface.minima]
        assert min(distances) < 0.1, f"{name} ends in a minimum"
        reached[name] = int(np.argmin(distances))
    deepest = int(np.argmin(depth))
    assert reached["SGD"] != deepest and reached["momentum"] not in (reached["SGD"], deepest)
    assert depth[reached["SGD"]] > depth[reached["momentum"]]          # the first dip is the shallowest
    assert all(reached[name] == deepest for name in ("RMSprop", "AdaGrad", "Adam"))
