"""The gradient-descent apps (lesson 04), driven through their controls as a slider would."""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.widgets.descent import descent_path, parabola_path


@pytest.fixture(scope="module")
def explorer():
    return nl.widgets.descent_explorer()


def _path(app):
    ax = app.figure.axes[0]
    line = next(line for line in ax.get_lines() if line.get_label() == "the hiker's path")
    return np.column_stack(line.get_data())


def _curve(app):
    return np.asarray(app.figure.axes[1].get_lines()[0].get_ydata())


def test_descent_explorer_has_the_named_controls_and_draws(explorer):
    assert set(explorer.controls) == {"surface", "learning_rate", "steps"}
    assert type(explorer.controls["learning_rate"]).__name__ == "FloatLogSlider"
    assert explorer.message.value == "" and explorer.image.value
    assert len(_path(explorer)) == explorer.controls["steps"].value + 1


def test_the_steps_slider_lengthens_the_path_and_lowers_the_loss(explorer):
    explorer.controls["surface"].value = "ravine"
    explorer.controls["learning_rate"].value = 0.1
    lengths, finals = [], []
    for steps in (1, 10, 50, 200):
        explorer.controls["steps"].value = steps
        lengths.append(len(_path(explorer)))
        finals.append(_curve(explorer)[-1])
    assert lengths == [2, 11, 51, 201]
    assert finals == sorted(finals, reverse=True) and finals[-1] < finals[0] / 10
    assert explorer.message.value == ""


def test_the_learning_rate_goes_from_crawling_to_zigzag_to_diverging(explorer):
    explorer.controls["surface"].value = "ravine"
    explorer.controls["steps"].value = 40
    explorer.controls["learning_rate"].value = 1e-3             # crawling: barely moved
    path = _path(explorer)
    assert np.linalg.norm(path[-1] - path[0]) < 0.5 and explorer.message.value == ""
    explorer.controls["learning_rate"].value = 10 ** -0.4        # ~0.4: zig-zag across the ravine
    y = _path(explorer)[:, 1]
    assert np.sum(np.sign(y[1:10]) != np.sign(y[:9])) >= 5 and explorer.message.value == ""
    explorer.controls["learning_rate"].value = 10 ** -0.2        # ~0.63 > 2/4: diverges
    points, heights, diverged_at = descent_path(nl.landscapes.get("ravine"), 10 ** -0.2, 200)
    assert diverged_at == len(points) - 1 and nl.has_diverged(heights[-1], heights[0])
    assert not nl.has_diverged(heights[-2], heights[0])
    assert f"diverged at step {diverged_at}: the loss reached {heights[-1]:.3g}" in explorer.message.value
    assert f"its start {heights[0]:.3g}" in explorer.message.value and "lower the learning rate" in explorer.message.value
    ax = explorer.figure.axes[0]
    flags = [line for line in ax.get_lines() if line.get_marker() == "X" and len(line.get_xdata())]
    assert flags, "the divergence is flagged on the map"
    x, y = flags[0].get_xdata()[0], flags[0].get_ydata()[0]
    assert ax.get_xlim()[0] < x < ax.get_xlim()[1] and ax.get_ylim()[0] < y < ax.get_ylim()[1]
    assert any("diverged at step" in t.get_text() for t in ax.texts if t.get_visible())
    explorer.controls["learning_rate"].value = 0.1               # and it works again after
    assert explorer.message.value == "" and not any(t.get_visible() and t.get_text() for t in ax.texts)


def test_every_surface_draws_with_its_own_limits(explorer):
    explorer.controls["learning_rate"].value = 0.01
    for name, surface in nl.landscapes.SURFACES.items():
        renders = explorer.renders
        explorer.controls["surface"].value = name
        ax = explorer.figure.axes[0]
        assert ax.get_xlim() == surface.xlim and ax.get_ylim() == surface.ylim
        assert ax.get_title() == surface.title
        assert explorer.renders > renders and "Error" not in explorer.message.value
    explorer.controls["surface"].value = "ravine"


def test_the_summary_numbers_come_from_the_drawn_record(explorer):
    explorer.controls["surface"].value = "ravine"
    explorer.controls["learning_rate"].value = 0.1
    explorer.controls["steps"].value = 40
    points, heights, _ = descent_path(nl.landscapes.get("ravine"), 0.1, 40)
    summary = next(t for t in explorer.figure.axes[1].texts if t.get_animated())
    assert f"after 40 steps: {heights[-1]:.2g} above the minimum" in summary.get_text()
    assert f"({heights[-1] / heights[0]:.2%} of the height at the start)" in summary.get_text()
    np.testing.assert_allclose(_curve(explorer), heights)
    explorer.controls["surface"].value = "bowl"
    explorer.controls["learning_rate"].value = 1.0                # lands in one step
    assert "at the minimum" in summary.get_text() and len(_path(explorer)) == 41
    explorer.controls["surface"].value = "ravine"


def test_switching_back_to_a_surface_repaints_without_a_full_redraw(explorer):
    draws = []
    original = explorer._canvas.draw
    explorer._canvas.draw = lambda *a, **k: (draws.append(1), original(*a, **k))
    try:
        for name in list(nl.landscapes.SURFACES) + ["ravine"]:
            explorer.controls["surface"].value = name
    finally:
        explorer._canvas.draw = original
    assert draws == []                                      # every map was drawn when the app was built
    ax = explorer.figure.axes[0]
    assert ax.get_xlim() == nl.landscapes.get("ravine").xlim and ax.get_title() == nl.landscapes.get("ravine").title


def test_descent_path_matches_the_closed_form_on_the_bowl():
    bowl = nl.landscapes.get("bowl")
    points, heights, diverged_at = descent_path(bowl, lr=0.5, steps=5)
    expected = np.array(bowl.start) * 0.5 ** np.arange(6)[:, None]      # w_k = (1 - lr)^k w_0
    np.testing.assert_allclose(points, expected)
    assert diverged_at is None and heights[-1] < heights[0]
    _, _, diverged_at = descent_path(bowl, lr=2.5, steps=100)
    assert diverged_at is not None and diverged_at < 100


def test_parabola_path_is_geometric():
    np.testing.assert_allclose(parabola_path(2.0, curvature=2.0, lr=0.25, steps=3), [2.0, 1.0, 0.5, 0.25])
    np.testing.assert_allclose(parabola_path(1.0, curvature=1.0, lr=1.5, steps=2), [1.0, -0.5, 0.25])


def test_parabola_descent_reports_the_critical_learning_rate():
    app = nl.widgets.parabola_descent()
    assert set(app.controls) == {"learning_rate", "curvature"}
    regime = app.figure.axes[0].texts[0]
    app.controls["curvature"].value = 2.0
    app.controls["learning_rate"].value = 0.02
    assert "crawling" in regime.get_text() and app.message.value == ""
    app.controls["learning_rate"].value = 10 ** -0.15           # lr c ~ 1.4: zig-zag, still converging
    assert "zig-zag" in regime.get_text() and app.message.value == ""
    distances = app.figure.axes[1].get_lines()[0].get_ydata()
    assert distances[-1] < distances[0]
    app.controls["learning_rate"].value = 10 ** 0.1             # lr c ~ 2.5 > 2
    assert "diverged" in app.message.value and "2/c = 1" in app.message.value
    assert "diverging" in regime.get_text()
    for value in np.arange(0.5, 4.01, 0.5):                     # the whole curvature range
        app.controls["curvature"].value = float(value)
    app.controls["learning_rate"].value = 0.1
    assert app.message.value == ""


def test_a_walk_that_diverges_after_the_steps_shown_says_at_which_step():
    app = nl.widgets.descent_explorer(steps=3)
    app.controls["learning_rate"].value = 10 ** -0.2            # diverges on the ravine at step 5
    _, _, diverged_at = descent_path(nl.landscapes.get("ravine"), 10 ** -0.2, 200)
    assert diverged_at == 5
    assert f"diverges at step {diverged_at}; move steps to {diverged_at} or more" in app.message.value
    app.controls["steps"].value = 60
    assert f"diverged at step {diverged_at}" in app.message.value
    app.controls["learning_rate"].value = 0.1
    assert app.message.value == ""


def test_every_control_goes_through_its_range():
    app = nl.widgets.descent_explorer()
    for name in nl.landscapes.SURFACES:
        app.controls["surface"].value = name
        for exponent in (-4, -2, -0.4, 0, 1):
            app.controls["learning_rate"].value = 10 ** exponent
            for steps in (1, 200):
                app.controls["steps"].value = steps
                assert "Error" not in app.message.value


def test_the_parabola_messages_numbers_come_from_the_drawn_path():
    app = nl.widgets.parabola_descent()
    regime = app.figure.axes[0].texts[0]
    distance = app.figure.axes[1].get_lines()[0]
    for exponent in (-2, -1, -0.5, -0.3, 0, 0.1, 0.5):
        app.controls["learning_rate"].value = 10 ** exponent
        lr, c = app.controls["learning_rate"].value, app.controls["curvature"].value
        drawn = np.asarray(distance.get_ydata())
        factor = 1 - lr * c
        np.testing.assert_allclose(drawn, np.maximum(np.abs(parabola_path(2.5, c, lr, 12)), 1e-300))
        assert f"lr·c = {lr * c:.2f}" in regime.get_text() and f"(1 − lr·c = {factor:+.2f})" in regime.get_text()
        if abs(factor) > 1:
            assert f"lands {abs(factor):.2f} times farther" in app.message.value
            np.testing.assert_allclose(drawn[1:] / drawn[:-1], abs(factor))
        else:
            assert app.message.value == ""
