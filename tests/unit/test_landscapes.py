"""Tests for nnlearn.landscapes: the surfaces, their gradients, and optimizers running on them."""

import warnings

import numpy as np
import pytest

import nnlearn as nl
from nnlearn import landscapes
from nnlearn.gradcheck import relative_error

NAMES = ["bowl", "ravine", "rosenbrock", "saddle", "several_minima"]


def test_every_documented_surface_is_there_with_its_plot_attributes():
    assert sorted(landscapes.SURFACES) == sorted(NAMES)
    for name in NAMES:
        surface = landscapes.get(name)
        assert surface.name == name and isinstance(surface.title, str) and surface.title
        (xlo, xhi), (ylo, yhi) = surface.xlim, surface.ylim
        assert xlo < xhi and ylo < yhi
        x0, y0 = surface.start
        assert xlo <= x0 <= xhi and ylo <= y0 <= yhi
        assert surface.minima
        for x, y in surface.minima:
            assert xlo <= x <= xhi and ylo <= y <= yhi


def test_get_names_the_surfaces_for_an_unknown_one():
    with pytest.raises(ValueError, match="bowl.*ravine"):
        landscapes.get("volcano")


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_finite_differences(name):
    surface = landscapes.get(name)
    rng = np.random.default_rng(0)
    # at the minima both gradients are ~0 and a relative error means nothing (see the next test)
    points = [surface.start, *[(x + 0.1, y - 0.05) for x, y in surface.minima],
              *zip(rng.uniform(*surface.xlim, 5), rng.uniform(*surface.ylim, 5))]
    for x, y in points:
        point = np.array([x, y], dtype=np.float64)
        numeric = nl.numerical_gradient(lambda p: float(surface(p[0], p[1])), point, eps=1e-5)
        analytic = np.array([float(g) for g in surface.gradient(x, y)])
        assert relative_error(analytic, numeric) <= 1e-7, (name, x, y, analytic, numeric)


@pytest.mark.parametrize("name", NAMES)
def test_minima_are_stationary_points_and_lower_than_their_surroundings(name):
    surface = landscapes.get(name)
    for x, y in surface.minima:
        gx, gy = surface.gradient(x, y)
        assert abs(float(gx)) < 1e-9 and abs(float(gy)) < 1e-9
        around = np.linspace(0, 2 * np.pi, 16, endpoint=False)
        z = surface(x + 1e-3 * np.cos(around), y + 1e-3 * np.sin(around))
        assert np.all(z > surface(x, y))


def test_surfaces_broadcast_over_grids():
    surface = landscapes.get("several_minima")
    X, Y = np.meshgrid(np.linspace(-1, 1, 7), np.linspace(-2, 2, 5))
    Z = surface(X, Y)
    gx, gy = surface.gradient(X, Y)
    assert Z.shape == gx.shape == gy.shape == (5, 7)
    assert surface(np.linspace(-1, 1, 4)[:, None], 0.5).shape == (4, 1)
    np.testing.assert_allclose(Z[2, 3], surface(X[2, 3], Y[2, 3]))
    gx_row, gy_row = landscapes.get("bowl").gradient(np.array([1.0, 2.0]), 3.0)
    np.testing.assert_array_equal(gx_row, [1.0, 2.0])
    np.testing.assert_array_equal(gy_row, [3.0, 3.0])
    with pytest.raises(ValueError, match="broadcast"):
        surface(np.zeros(3), np.zeros(4))


def test_hand_computed_heights_and_gradients():
    assert landscapes.get("bowl")(3.0, 4.0) == 12.5
    assert landscapes.get("ravine")(2.0, 1.0) == pytest.approx(0.2 + 2.0)
    assert landscapes.get("rosenbrock")(1.0, 1.0) == 0.0
    assert landscapes.get("rosenbrock")(0.0, 0.0) == 1.0
    gx, gy = landscapes.get("rosenbrock").gradient(0.0, 0.0)
    assert (float(gx), float(gy)) == (-2.0, 0.0)
    assert landscapes.get("saddle")(0.0, 1.0) == -0.25
    gx, gy = landscapes.get("saddle").gradient(0.0, 0.0)
    assert (float(gx), float(gy)) == (0.0, 0.0)            # the saddle point is flat, but no minimum


def test_run_with_sgd_on_the_bowl_converges_to_the_minimum():
    surface = landscapes.get("bowl")
    path = landscapes.run(surface, lambda params: nl.optim.SGD(params, lr=0.1), steps=200)
    assert path.points.shape == (201, 2) and path.values.shape == (201,)
    np.testing.assert_array_equal(path.points[0], surface.start)
    np.testing.assert_allclose(path.points[-1], [0, 0], atol=1e-6)
    assert not path.diverged and path.message == ""
    # one SGD step on z = (x^2 + y^2)/2 multiplies the point by (1 - lr)
    np.testing.assert_allclose(path.points[1], 0.9 * np.array(surface.start))
    np.testing.assert_allclose(path.values, surface(path.points[:, 0], path.points[:, 1]))


def test_run_accepts_a_name_and_a_start_point():
    path = landscapes.run("ravine", lambda p: nl.optim.SGD(p, lr=0.1), start=(1.0, -1.0), steps=3)
    np.testing.assert_array_equal(path.points[0], [1.0, -1.0])
    assert len(path.states) == 3


def test_run_with_a_huge_learning_rate_reports_divergence_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = landscapes.run("bowl", lambda p: nl.optim.SGD(p, lr=50.0), steps=500)
        nan_path = landscapes.run("rosenbrock", lambda p: nl.optim.SGD(p, lr=10.0), steps=500)
    for result in (path, nan_path):
        assert result.diverged
        assert "learning rate" in result.message
        assert len(result.points) < 501 and len(result.states) == len(result.points) - 1
        assert np.all(np.isfinite(result.points))
    assert "try 5" in path.message


def test_states_are_per_step_copies_under_pytorch_names():
    momentum = landscapes.run("ravine", lambda p: nl.optim.SGD(p, lr=0.1, momentum=0.9), steps=5)
    assert all("momentum_buffer" in state for state in momentum.states)
    assert not np.array_equal(momentum.states[0]["momentum_buffer"], momentum.states[-1]["momentum_buffer"])
    adam = landscapes.run("ravine", lambda p: nl.optim.Adam(p, lr=0.1), steps=5)
    assert [state["step"] for state in adam.states] == [1, 2, 3, 4, 5]
    assert adam.states[0]["exp_avg"].shape == (2,) and "exp_avg_sq" in adam.states[0]
    # first Adam step: m = (1 - beta1) g with g the gradient at the start
    g = np.array([float(v) for v in landscapes.get("ravine").gradient(*landscapes.get("ravine").start)])
    np.testing.assert_allclose(adam.states[0]["exp_avg"], 0.1 * g)
    assert "square_avg" in landscapes.run("saddle", lambda p: nl.optim.RMSprop(p), steps=2).states[1]
    assert "sum" in landscapes.run("saddle", lambda p: nl.optim.Adagrad(p), steps=2).states[1]


def test_ravine_makes_sgd_zigzag_while_momentum_gets_further():
    sgd = landscapes.run("ravine", lambda p: nl.optim.SGD(p, lr=0.4), steps=60)
    signs = np.sign(sgd.points[1:10, 1])
    assert np.all(signs[1:] != signs[:-1])                 # y flips sign every step
    momentum = landscapes.run("ravine", lambda p: nl.optim.SGD(p, lr=0.1, momentum=0.8), steps=60)
    assert momentum.values[-1] < sgd.values[-1]


def test_several_minima_send_optimizers_to_different_minima():
    surface = landscapes.get("several_minima")
    minima = np.array(surface.minima)

    def which(make):
        end = landscapes.run(surface, make, steps=300).points[-1]
        return int(np.argmin(np.linalg.norm(minima - end, axis=1)))

    ends = {which(lambda p: nl.optim.SGD(p, lr=0.1)),
            which(lambda p: nl.optim.SGD(p, lr=0.1, momentum=0.9)),
            which(lambda p: nl.optim.Adam(p, lr=0.1))}
    assert len(ends) == 3


def test_run_refuses_bad_arguments():
    with pytest.raises(TypeError, match="make_optimizer"):
        landscapes.run("bowl", nl.optim.SGD(nl.nn.Linear(1, 1).parameters(), lr=0.1))
    with pytest.raises(TypeError, match="optimizer"):
        landscapes.run("bowl", lambda p: None)
    with pytest.raises(ValueError, match="start"):
        landscapes.run("bowl", lambda p: nl.optim.SGD(p, lr=0.1), start=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="steps"):
        landscapes.run("bowl", lambda p: nl.optim.SGD(p, lr=0.1), steps=-1)
    with pytest.raises(TypeError, match="surface"):
        landscapes.run(42, lambda p: nl.optim.SGD(p, lr=0.1))


def test_run_is_fast():
    import time
    best = np.inf
    for _ in range(5):
        start = time.perf_counter()
        landscapes.run("ravine", lambda p: nl.optim.Adam(p, lr=0.1), steps=200)
        best = min(best, time.perf_counter() - start)
    assert best < 0.05


def test_a_rotated_surface_is_the_aligned_one_turned_45_degrees():
    aligned, turned = landscapes.get("ravine"), landscapes.get("ravine_rotated")
    c = s = np.sqrt(0.5)
    p = np.array([0.3, -1.2])
    back = np.array([c * p[0] + s * p[1], -s * p[0] + c * p[1]])          # R^T p
    assert turned(*p) == pytest.approx(aligned(*back))
    assert turned.start == pytest.approx((c * -3.5 - s * 1.5, s * -3.5 + c * 1.5), abs=1e-4)
    assert turned.angle == 45 and turned.base is aligned and "ravine_rotated" not in landscapes.SURFACES


@pytest.mark.parametrize("name", list(landscapes.ROTATED))
def test_rotated_gradients_match_finite_differences_and_the_minima_are_flat(name):
    surface = landscapes.get(name)
    x, y, h = 0.37, -0.81, 1e-6
    gx, gy = surface.gradient(x, y)
    assert gx == pytest.approx((surface(x + h, y) - surface(x - h, y)) / (2 * h), rel=1e-6, abs=1e-8)
    assert gy == pytest.approx((surface(x, y + h) - surface(x, y - h)) / (2 * h), rel=1e-6, abs=1e-8)
    for m in surface.minima:
        assert np.hypot(*surface.gradient(*m)) < 1e-6


def test_sgd_on_the_turned_ravine_follows_the_turned_path_rmsprop_does_not():
    c = s = np.sqrt(0.5)
    R = np.array([[c, -s], [s, c]])
    aligned, turned = landscapes.get("ravine"), landscapes.get("ravine_rotated")
    start = R @ np.array(aligned.start)
    for make, same in ((lambda p: nl.optim.SGD(p, lr=0.3), True), (lambda p: nl.optim.RMSprop(p, lr=0.1), False)):
        path = landscapes.run(aligned, make, steps=30).points
        path_turned = landscapes.run(turned, make, start=start, steps=30).points
        assert np.allclose(path @ R.T, path_turned, atol=1e-9) == same
