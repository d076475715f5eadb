"""The landscape plot helpers: contour maps with fixed limits, and animated optimizer paths."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import nnlearn as nl
from nnlearn.plots import new_figure
from nnlearn.plots.diagrams import NetworkDiagram, layer_positions
from nnlearn.plots.landscapes import PathArtists, clear_surface, plot_surface, surface_levels


@pytest.mark.parametrize("name", list(nl.landscapes.SURFACES))
def test_plot_surface_fixes_the_limits_and_marks_every_minimum(name):
    surface = nl.landscapes.get(name)
    figure, ax = new_figure(5, 4)
    artists = plot_surface(ax, surface)
    assert ax.get_xlim() == surface.xlim and ax.get_ylim() == surface.ylim
    assert ax.get_title() == surface.title and ax.get_xlabel() and ax.get_ylabel()
    np.testing.assert_allclose(np.column_stack(artists["minima"].get_data()), np.array(surface.minima))
    FigureCanvasAgg(figure).draw()                         # and it renders


def test_surface_levels_are_increasing_and_span_the_surface():
    surface = nl.landscapes.get("rosenbrock")
    X, Y, Z, levels = surface_levels(surface, levels=10, resolution=50)
    assert X.shape == Y.shape == Z.shape == (50, 50)
    assert np.all(np.diff(levels) > 0)
    assert levels[0] == pytest.approx(Z.min()) and levels[-1] == pytest.approx(Z.max())


def test_clear_surface_removes_what_plot_surface_drew():
    figure, ax = new_figure(5, 4)
    before = len(ax.get_children())
    artists = plot_surface(ax, nl.landscapes.get("bowl"))
    clear_surface(ax, artists)
    assert len(ax.get_children()) == before


def test_path_artists_follow_the_points_and_are_animated():
    figure, ax = new_figure(5, 4)
    plot_surface(ax, nl.landscapes.get("bowl"))
    path = PathArtists(ax, label="SGD")
    assert all(artist.get_animated() for artist in path.artists)
    points = np.array([[-2.5, 2.0], [-1.0, 1.0], [0.0, 0.1]])
    path.update(points)
    np.testing.assert_array_equal(np.column_stack(path.line.get_data()), points)
    assert path.head.get_data()[0][0] == 0.0
    assert not path.note.get_visible() and len(path.flag.get_xdata()) == 0


def test_a_diverged_path_is_flagged_inside_the_view():
    figure, ax = new_figure(5, 4)
    surface = nl.landscapes.get("bowl")
    plot_surface(ax, surface)
    path = PathArtists(ax)
    points = np.array([[-2.5, 2.0], [5.0, -4.0], [-1e6, 8e5], [np.nan, np.nan]])
    path.update(points, diverged_at=3)
    x, y = path.flag.get_xdata()[0], path.flag.get_ydata()[0]
    assert surface.xlim[0] < x < surface.xlim[1] and surface.ylim[0] < y < surface.ylim[1]
    assert path.note.get_visible() and path.note.get_text() == "diverged at step 3"
    assert len(path.line.get_xdata()) == 3                 # the NaN point is dropped
    path.update(points[:2])                                # and a good path clears the flag
    assert not path.note.get_visible() and len(path.flag.get_xdata()) == 0


def test_network_diagram_has_one_edge_per_weight_in_ravel_order():
    figure, ax = new_figure(5, 4)
    diagram = NetworkDiagram(ax, (2, 3, 1), names=("x", "h", "y"))
    assert [len(edges.get_segments()) for edges in diagram.edges] == [6, 3]
    first = diagram.edges[0].get_segments()[1]            # W[0, 1]: input 0 -> hidden 1
    np.testing.assert_allclose(first[0], diagram.positions[0][0])
    np.testing.assert_allclose(first[1], diagram.positions[1][1])
    grads = np.array([[1.0, -2.0, 0.0], [0.5, 0.0, -0.5]])
    diagram.set_edge_values(0, grads)
    widths = diagram.edges[0].get_linewidths()
    assert widths[1] == max(widths)                        # the largest |gradient| is the widest
    diagram.set_node_text(1, ["a", "", "c"], below=True)
    assert [t.get_visible() for t in diagram.below_texts[1]] == [True, False, True]


def test_layer_positions_centre_each_layer():
    positions = layer_positions((2, 3, 1))
    assert [p.shape for p in positions] == [(2, 2), (3, 2), (1, 2)]
    for i, p in enumerate(positions):
        assert np.all(p[:, 0] == i) and p[:, 1].mean() == pytest.approx(0)
