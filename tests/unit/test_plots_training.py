"""Plot helpers of lessons 00 and 05: decision regions and loss curves."""

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from nnlearn.plots import boundaries, new_figure
from nnlearn.plots.curves import LossCurve, finite_prefix, smooth


def test_grid_points_cover_the_box_row_by_row_with_y_increasing():
    points = boundaries.grid_points((-1, 1), (0, 2), resolution=3)
    assert points.shape == (9, 2)
    np.testing.assert_allclose(points[:3], [[-1, 0], [0, 0], [1, 0]])      # first image row: y = 0
    np.testing.assert_allclose(points[-1], [1, 2])
    image = points[:, 1].reshape(3, 3)
    np.testing.assert_allclose(image[:, 0], [0, 1, 2])                      # row index follows y


def test_softmax_rows_sum_to_one_and_survive_huge_scores():
    scores = np.array([[0.0, 0.0], [1000.0, 0.0], [-5.0, 5.0]])
    p = boundaries.softmax(scores)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[0], [0.5, 0.5])
    np.testing.assert_allclose(p[1], [1.0, 0.0])
    assert p[2, 1] > 0.99


def test_region_colours_take_the_winning_class_colour_stronger_when_sure():
    probabilities = np.array([[0.99, 0.01], [0.6, 0.4], [0.01, 0.99], [np.nan, np.nan]])
    image = boundaries.region_colours(probabilities, resolution=2)
    assert image.shape == (2, 2, 4) and image.dtype == np.uint8
    pixels = image.reshape(4, 4).astype(float)
    assert np.all(pixels[:, 3] == 255)
    orange, blue = (np.array(to_rgb(c)) for c in boundaries.CLASS_COLOURS[:2])
    # A pixel's tint points from white towards its class colour.
    for row, colour in ((0, orange), (2, blue)):
        towards = 255 - pixels[row, :3]
        np.testing.assert_allclose(towards / towards.sum(), (1 - colour) / (1 - colour).sum(), atol=0.02)
    assert pixels[0, :3].sum() < pixels[1, :3].sum()                        # sure is darker than unsure
    np.testing.assert_allclose(pixels[3, :3], round(0.85 * 255), atol=1)    # not finite: light grey


def test_class_colours_are_the_palette_and_refuse_too_many_classes():
    assert boundaries.class_colours(3).shape == (3, 3)
    with pytest.raises(ValueError, match="at most"):
        boundaries.class_colours(len(boundaries.CLASS_COLOURS) + 1)


def test_class_scatters_show_each_class_with_its_own_marker():
    figure, ax = new_figure()
    scatters = boundaries.class_scatters(ax, 3)
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    boundaries.set_class_points(scatters, X, np.array([0, 1, 1]))
    assert len(scatters[0].get_offsets()) == 1
    np.testing.assert_allclose(scatters[1].get_offsets(), X[1:])
    assert len(scatters[2].get_offsets()) == 0
    paths = {tuple(map(tuple, s.get_paths()[0].vertices.round(3))) for s in scatters}
    assert len(paths) == 3                                                   # three different markers


def test_plot_decision_regions_draws_a_static_picture_with_a_legend():
    figure, ax = new_figure()
    X = np.array([[-1.0, 0.0], [1.0, 0.0]])
    y = np.array([0, 1])
    image, scatters = boundaries.plot_decision_regions(
        ax, lambda points: np.column_stack([-points[:, 0], points[:, 0]]), X, y, resolution=10,
        probabilities=False)
    data = np.asarray(image.get_array())
    assert data.shape == (10, 10, 4)
    assert not np.array_equal(data[:, 0], data[:, -1])                      # left and right differ
    assert ax.get_legend() is not None
    figure.canvas.draw()


def test_smooth_is_a_running_mean_over_the_last_values():
    np.testing.assert_allclose(smooth([1, 2, 3, 4], 2), [1, 1.5, 2.5, 3.5])
    np.testing.assert_allclose(smooth([1, 2, 3, 4], 10), [1, 1.5, 2, 2.5])
    np.testing.assert_allclose(smooth([5, 1], 1), [5, 1])
    assert smooth([], 3).shape == (0,)
    with pytest.raises(ValueError, match="at least 1"):
        smooth([1, 2], 0)


def test_finite_prefix_stops_at_the_first_non_finite_loss():
    values, index = finite_prefix([1.0, 0.5, np.inf, 0.1])
    np.testing.assert_allclose(values, [1.0, 0.5])
    assert index == 2
    values, index = finite_prefix([1.0, 0.5])
    assert index is None and len(values) == 2


def test_loss_curve_draws_losses_and_marks_divergence():
    figure, ax = new_figure()
    curve = LossCurve(ax, (0, 10), ylim=(1e-2, 10))
    curve.set([1, 2, 3], [1.0, 0.5, 0.25])
    x, y = curve.line.get_data()
    np.testing.assert_allclose(y, [1.0, 0.5, 0.25])
    assert curve.note.get_text() == "" and len(curve.marker.get_xdata()) == 0
    curve.set([1, 2, 3], [1.0, 1e6, np.inf], diverged_at=3)
    _, y = curve.line.get_data()
    assert y[1] == 10                                                         # clipped onto the axes
    assert curve.marker.get_xdata()[0] == 3
    assert "diverged at update 3" in curve.note.get_text()
    assert ax.get_ylim() == (1e-2, 10) and ax.get_yscale() == "log"
    curve.set([1], [0.5])
    assert curve.note.get_text() == ""


def test_loss_curve_draws_a_single_loss_as_a_dot_and_a_longer_record_as_a_line():
    figure, ax = new_figure()
    curve = LossCurve(ax, (0, 10), ylim=(1e-2, 10))
    curve.set([1], [0.5])
    assert curve.line.get_marker() == "o" and list(curve.line.get_xdata()) == [1.0]
    curve.set([1, 2], [0.5, 0.4])
    assert curve.line.get_marker() == "None"
    curve.set([], [])
    assert curve.line.get_marker() == "None"
