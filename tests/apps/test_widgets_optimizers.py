"""The optimizer-race apps (lesson 06), driven through their controls as a slider would."""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn import landscapes
from nnlearn.experiments import network_races, surface_races
from nnlearn.experiments.surface_races import (best_learning_rates, many_starts, race, reach_summary, run_many,
                                              start_grid)
from nnlearn.widgets import race_surfaces

NAMES = list(surface_races.CAST)          # lesson 06's racers (the registry may hold more)


@pytest.fixture(scope="module")
def race_app():
    return nl.widgets.optimizer_race()


@pytest.fixture(scope="module")
def network_app():
    return nl.widgets.network_race()


def _paths(app):
    return {line.get_label(): line for line in app.figure.axes[0].lines if line.get_label() in NAMES}


def test_optimizer_race_races_every_optimizer_of_the_registry(race_app):
    assert set(race_app.controls) == {"surface", "rotation", "learning_rate", "start_x", "start_y", "steps", "optimizer"}
    assert list(race_app.controls["optimizer"].options) == NAMES
    assert race_app.message.value == "" and race_app.image.value[:4] == b"\x89PNG"
    paths = _paths(race_app)
    assert list(paths) == NAMES
    assert all(len(line.get_xdata()) == race_app.controls["steps"].value + 1 for line in paths.values())
    assert len({line.get_marker() for line in paths.values()}) == len(NAMES)
    assert len({line.get_color() for line in paths.values()}) == len(NAMES)


def test_the_rates_line_gives_each_optimizers_best_rate_times_the_multiplier(race_app):
    race_app.controls["surface"].value = "ravine"
    rates = best_learning_rates("ravine")
    for multiplier in (0.1, 10 ** 0.5, 1.0):
        race_app.controls["learning_rate"].value = multiplier
        text = race_app.explorer.rates_html.value
        assert all(f"{name} <b>{rates[name] * multiplier:.3g}</b>" in text for name in NAMES)
        assert "10^-4, 10^-3.5, ..., 10^2" in text


def test_the_many_starts_line_and_dots_count_the_same_starts(race_app):
    race_app.controls["surface"].value = "several_minima"
    race_app.controls["learning_rate"].value = 1.0
    counts = reach_summary("several_minima")
    text = race_app.explorer.reach_html.value
    assert all(f"{name} <b>{reached}</b> ({100 * reached / 225:.0f} %)" in text for name, (reached, _) in counts.items())
    for name in ("SGD", "Adam"):
        race_app.controls["optimizer"].value = name
        assert len(race_app.explorer.reached.get_offsets()) == counts[name][0]
        assert len(race_app.explorer.reached.get_offsets()) + len(race_app.explorer.missed.get_offsets()) == 225
    race_app.controls["optimizer"].value = "Adam"


def test_the_start_sliders_move_every_path_and_a_surface_switch_resets_them(race_app):
    race_app.controls["surface"].value = "several_minima"
    race_app.controls["start_x"].value = 1.0
    race_app.controls["start_y"].value = -2.0
    assert all(np.allclose(line.get_xydata()[0], (1.0, -2.0)) for line in _paths(race_app).values())
    renders = race_app.renders
    race_app.controls["surface"].value = "ravine"
    surface = landscapes.get("ravine")
    assert (race_app.controls["start_x"].value, race_app.controls["start_y"].value) == surface.start
    assert (race_app.controls["start_x"].min, race_app.controls["start_x"].max) == surface.xlim
    assert all(np.allclose(line.get_xydata()[0], surface.start) for line in _paths(race_app).values())
    assert race_app.renders - renders <= 3           # the slider moves do not each recompute the race


def test_a_divergence_is_reported_at_the_step_the_trajectory_records(race_app):
    race_app.controls["surface"].value = "ravine"
    race_app.controls["steps"].value = 150
    race_app.controls["learning_rate"].value = 10 ** 0.5
    step = race("ravine", landscapes.get("ravine").start, 0.5)["SGD"][2]
    assert step is not None
    assert f"SGD diverged at step {step} (its height passed 50 × max(its height at the start, 1))" in race_app.message.value
    notes = [t.get_text() for t in race_app.figure.axes[0].texts if t.get_visible() and "diverged" in t.get_text()]
    assert notes == [f"SGD diverged at step {step}"]
    race_app.controls["learning_rate"].value = 1.0
    assert race_app.message.value == ""


def test_the_state_panels_show_the_registrys_state_keys(race_app):
    race_app.controls["surface"].value = "ravine"
    race_app.controls["steps"].value = 100
    ax_velocity, ax_square = race_app.figure.axes[2], race_app.figure.axes[3]
    results = race("ravine", landscapes.get("ravine").start, 0.0)
    for name, info in surface_races.registry().items():
        race_app.controls["optimizer"].value = name
        velocity, square = results[name][3], results[name][4]
        if info.velocity_key:
            np.testing.assert_allclose(ax_velocity.lines[0].get_ydata(), velocity[:100, 0])
        else:
            assert len(ax_velocity.lines[0].get_xdata()) == 0
            assert "keeps no velocity" in " ".join(t.get_text() for t in ax_velocity.texts)
        if info.square_key:
            np.testing.assert_allclose(ax_square.lines[0].get_ydata(), np.maximum(square[:100, 0], 1e-300))
        else:
            assert len(ax_square.lines[0].get_xdata()) == 0
        widths = {label: line.get_linewidth() for label, line in _paths(race_app).items()}
        assert widths[name] == max(widths.values())
    race_app.controls["optimizer"].value = "Adam"


def test_every_control_through_its_range_gives_a_picture_or_a_divergence_note(race_app):
    for surface in race_surfaces.RACE_SURFACES:
        race_app.controls["surface"].value = surface
        for exponent in (-1.0, -0.5, 0.0, 0.5, 1.0):
            race_app.controls["learning_rate"].value = 10.0 ** exponent
            message = race_app.message.value
            assert message == "" or "diverged at step" in message, message
        for key in ("start_x", "start_y"):
            slider = race_app.controls[key]
            for value in (slider.min, slider.max):
                slider.value = value
                assert "Error" not in race_app.message.value
        for steps in (1, surface_races.RACE_STEPS):
            race_app.controls["steps"].value = steps
            assert "Error" not in race_app.message.value
    race_app.controls["surface"].value = "ravine"
    race_app.controls["learning_rate"].value = 1.0
    race_app.controls["steps"].value = 150


def test_one_step_draws_the_start_and_one_point(race_app):
    race_app.controls["steps"].value = 1
    assert all(len(line.get_xdata()) == 2 for line in _paths(race_app).values())
    heights = [line for line in race_app.figure.axes[1].lines if line.get_label() in NAMES]
    assert all(len(line.get_xdata()) == 1 and line.get_marker() not in ("", "None") for line in heights)
    race_app.controls["steps"].value = 150


def test_a_slider_move_repaints_without_a_full_redraw(race_app):
    race_app.controls["learning_rate"].value = 1.0
    x = race_app.controls["start_x"].value
    race_app.controls["start_x"].value = x + 0.5        # the state panels' limits may grow once
    race_app.controls["start_x"].value = x
    race_app.controls["steps"].value = 120
    background = race_app._background
    race_app.controls["steps"].value = 80
    race_app.controls["start_x"].value = x + 0.5
    race_app.controls["learning_rate"].value = 10 ** -0.5
    race_app.controls["learning_rate"].value = 1.0
    assert race_app._background is background           # blitted: the static part was not redrawn


@pytest.mark.parametrize("optimizer", NAMES)
def test_every_multiplier_repaints_without_a_full_redraw(optimizer):
    """The state panels are sized for every multiplier up front: a move of the multiplier, ×10
    included, never grows their limits (a full redraw: ~210 ms in the browser benchmark)."""
    app = nl.widgets.optimizer_race(optimizer=optimizer)
    slider = app.controls["learning_rate"]
    slider.value = 10.0 ** slider.min
    background = app._background
    for exponent in np.arange(slider.min, slider.max + slider.step / 2, slider.step)[::-1]:
        slider.value = 10.0 ** exponent
        assert app._background is background, (optimizer, exponent)
    app.close()


def test_caches_are_bounded():
    assert race.cache_info().maxsize <= 24
    assert surface_races.surface_sweep.cache_info().maxsize <= 10
    assert network_races.optimizer_sweep.cache_info().maxsize <= 32


@pytest.mark.parametrize("name", NAMES)
def test_all_starts_and_rates_at_once_move_as_landscapes_run_moves_each(name):
    surface = landscapes.get("several_minima")
    starts = start_grid(surface)[::37]
    lrs = [0.01, 0.3, 30.0]
    results = run_many(surface, name, lrs, starts)
    for lr, result in zip(lrs, results):
        for start, end, diverged in zip(starts, result.ends, result.diverged):
            trajectory = landscapes.run(surface, lambda p: nl.optim.OPTIMIZERS[name].make(p, lr), start=start, steps=300)
            assert trajectory.diverged == diverged
            if not diverged:
                np.testing.assert_allclose(end, trajectory.points[-1], rtol=1e-5, atol=1e-6)


def test_each_best_rate_is_the_grid_rate_with_the_lowest_mean_height():
    sweep = surface_races.surface_sweep("ravine")
    for name in NAMES:
        assert sweep.score[name][sweep.best[name]] == min(sweep.score[name])
        assert np.isinf(sweep.score[name][-1])          # 10^2 diverges somewhere for everyone on the ravine
    assert many_starts("ravine", 0.0)["SGD"] is sweep.runs["SGD"][sweep.best["SGD"]]


def test_network_race_trains_every_optimizer_from_the_same_start(network_app):
    assert set(network_app.controls) == {"learning_rate", "optimizer", "race_over"}
    curves = {line.get_label(): line for line in network_app.figure.axes[0].lines if line.get_label() in NAMES}
    assert list(curves) == NAMES
    assert np.ptp([line.get_ydata()[0] for line in curves.values()]) < 1e-9
    assert all(line.get_ydata()[-1] < line.get_ydata()[0] for line in curves.values())
    assert network_app.message.value == ""


def test_network_race_summary_gives_each_best_rate_and_final_loss(network_app):
    network_app.controls["learning_rate"].value = 1.0
    text = network_app.explorer.summary.value
    for name, (_, run) in network_races.best_runs().items():
        assert f"{name} <b>{run.lr:.3g}</b>: {run.final_loss:.3f}" in text
    assert "after 50 steps" in text


def test_network_race_controls_through_their_range(network_app):
    pictures = {}
    for exponent in (-1.0, -0.5, 0.0, 0.5, 1.0):
        network_app.controls["learning_rate"].value = 10.0 ** exponent
        for name in NAMES:
            network_app.controls["optimizer"].value = name
            message = network_app.message.value
            assert message == "" or "diverged at step" in message, message
            pictures[exponent, name] = np.asarray(network_app.explorer.image.get_array()).copy()
    assert not np.array_equal(pictures[0.0, "SGD"], pictures[0.0, "Adam"])
    runs = network_races.runs_at(1.0)
    assert all(run.diverged_at for run in runs.values())
    assert np.all(pictures[1.0, "Adam"][..., :3] == round(0.85 * 255))          # no regions: grey
    network_app.controls["learning_rate"].value = 10.0
    assert all(f"{name} diverged at step {run.diverged_at}" in network_app.message.value for name, run in runs.items())
    network_app.controls["learning_rate"].value = 1.0
    network_app.controls["optimizer"].value = "Adam"
    assert network_app.message.value == ""


def test_a_start_a_hair_off_zero_is_zero_as_the_text_asks(race_app):
    race_app.controls["surface"].value = "saddle"
    race_app.controls["start_y"].value = -2 + 20000 * 1e-4 + 3e-16      # what a browser slider may send
    assert all(line.get_xydata()[0][1] == 0.0 for line in _paths(race_app).values())
    race_app.controls["start_y"].value = 0.001
    assert all(line.get_xydata()[0][1] == 0.001 for line in _paths(race_app).values())
    race_app.controls["surface"].value = "ravine"


def test_the_rotation_control_shows_the_turned_twin_with_its_turned_start_and_starts(race_app):
    race_app.controls["surface"].value = "saddle"
    race_app.controls["rotation"].value = 45
    turned = landscapes.get("saddle_rotated")
    assert race_app.figure.axes[0].get_title() == turned.title
    assert (race_app.controls["start_x"].value, race_app.controls["start_y"].value) == turned.start
    assert all(np.allclose(line.get_xydata()[0], turned.start) for line in _paths(race_app).values())
    dots = np.concatenate([race_app.explorer.reached.get_offsets(), race_app.explorer.missed.get_offsets()])
    assert len(dots) == 225 and np.allclose(np.sort(dots, axis=0), np.sort(start_grid(turned), axis=0))
    assert race_app.message.value == ""
    race_app.controls["rotation"].value = 0
    assert (race_app.controls["start_x"].value, race_app.controls["start_y"].value) == landscapes.get("saddle").start
    race_app.controls["surface"].value = "ravine"


def test_the_stated_starts_are_on_the_start_sliders_grid():
    for name in list(landscapes.SURFACES) + list(landscapes.ROTATED):
        for value in landscapes.get(name).start:
            assert abs(value / race_surfaces.START_STEP - round(value / race_surfaces.START_STEP)) < 1e-6, (name, value)


def test_network_race_over_seeds_shows_each_seeds_final_loss_as_a_dot(network_app):
    network_app.controls["learning_rate"].value = 1.0
    network_app.controls["race_over"].value = len(network_races.SEEDS)
    best = network_races.best_over_seeds()
    dots = network_app.explorer.seed_dots.get_offsets()
    assert len(dots) == 6 * len(network_races.SEEDS) and len(network_app.explorer.seed_flags.get_offsets()) == 0
    for name, column in network_app.explorer.columns.items():
        ys = sorted(dots[np.isclose(dots[:, 0], column), 1])
        assert np.allclose(ys, sorted(np.clip([runs[name].final_loss for runs in best.values()], 0.011, 9.0)))
    assert "over seeds 0 to 4" in network_app.explorer.spread.value and network_app.message.value == ""
    network_app.controls["learning_rate"].value = 10.0
    flags = network_app.explorer.seed_flags.get_offsets()
    assert len(flags) + len(network_app.explorer.seed_dots.get_offsets()) == 6 * len(network_races.SEEDS)
    assert len(flags) >= 5 * len(network_races.SEEDS) and "diverged at" in network_app.explorer.spread.value
    network_app.controls["learning_rate"].value = 1.0
    network_app.controls["race_over"].value = 1
    assert len(network_app.explorer.seed_dots.get_offsets()) == 0 and network_app.explorer.spread.value == ""


def test_every_turned_surface_gives_a_picture_or_a_divergence_note(race_app):
    race_app.controls["rotation"].value = 45
    for surface in race_surfaces.RACE_SURFACES:
        race_app.controls["surface"].value = surface
        turned = landscapes.get(f"{surface}_rotated")
        assert (race_app.controls["start_x"].min, race_app.controls["start_x"].max) == turned.xlim
        for exponent in (-1.0, 0.0, 1.0):
            race_app.controls["learning_rate"].value = 10.0 ** exponent
            message = race_app.message.value
            assert message == "" or "diverged at step" in message, message
    race_app.controls["rotation"].value = 0
    race_app.controls["surface"].value = "ravine"
    race_app.controls["learning_rate"].value = 1.0


def test_an_optimizer_added_to_the_registry_joins_the_menus_but_not_lesson_06s_cast(monkeypatch):
    info = nl.optim.OPTIMIZERS["Adam"]
    monkeypatch.setitem(nl.optim.OPTIMIZERS, "NAdam", info)
    assert "NAdam" not in surface_races.registry() and list(surface_races.registry()) == list(surface_races.CAST)


def test_no_two_racers_look_alike_even_with_twice_the_cast(monkeypatch):
    names = [f"racer {i}" for i in range(12)]
    monkeypatch.setattr(race_surfaces, "registry", lambda: dict.fromkeys(names))
    styles = [race_surfaces.racer_style(name) for name in names]
    assert len({(colour, style) for colour, _, style in styles}) == len(names)


def page_slider_problems(sent, low, high):
    """What a page's slider does with the messages `sent` ({key: value} each), starting from the range
    (low, high): it applies a message's keys in the order they come, which is a Python set's, so in
    some kernel the value comes first and meets the range the page had before the message."""
    problems = []
    for state in sent:
        if "value" in state and not low <= state["value"] <= high:
            problems.append(f"value {state['value']} sent while the page's range is ({low}, {high}): clamped, sent back")
        low, high = state.get("min", low), state.get("max", high)
        if "value" not in state:
            continue
        if not low <= state["value"] <= high:
            problems.append(f"value {state['value']} outside the range ({low}, {high}) sent with it")
    return problems


def test_a_surface_switch_never_sends_a_start_outside_the_range_the_page_has(race_app, monkeypatch):
    """Sent one by one, the page's slider met the new range with the old value; sent in one message,
    it applied the value first in some kernels (a set's order) and met the old range: either way it
    clamped or snapped the value and sent it back, and the race ran from a start the lesson does not
    state (seen in JupyterLab: x = -2 on the turned Rosenbrock, not -2.83; ravine after rosenbrock
    from x = -1.5, not -3.5). Every surface and its turned twin, from every other one."""
    controls = race_app.controls
    sent = {name: [] for name in ("start_x", "start_y")}
    for name, states in sent.items():
        slider = controls[name]
        monkeypatch.setattr(slider, "send_state", lambda key=None, slider=slider, states=states: states.append(
            {k: getattr(slider, k) for k in ([key] if isinstance(key, str) else list(key or ()))}))
    tour = [(surface, rotation) for surface in race_surfaces.RACE_SURFACES for rotation in (0, 45)]
    for surface, rotation in tour + tour[:1]:
        before = {name: (controls[name].min, controls[name].max) for name in sent}
        for states in sent.values():
            states.clear()
        controls["surface"].value, controls["rotation"].value = surface, rotation
        shown = landscapes.get(surface + ("_rotated" if rotation else ""))
        for name, start in (("start_x", shown.start[0]), ("start_y", shown.start[1])):
            assert page_slider_problems(sent[name], *before[name]) == [], f"{name} on {shown.name}"
            assert controls[name].value == start