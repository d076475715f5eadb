"""The playground's picture says what the network is: edge widths on one honest scale with a legend,
dead neurons grey, no overlap at six layers; and the data sets beyond Playground's."""

import numpy as np
import pytest

import nnlearn as nl
from nnlearn.playground import Config, Playground, make_data, user_data
from nnlearn.playground.data import BOUNDARIES
from nnlearn.playground.own_data import MAX_CLASSES
from nnlearn.plots.boundaries import CLASS_COLOURS
from nnlearn.plots.playground import DEAD, EDGE_FULL, EDGE_WIDTHS, PlaygroundFigure


def _view(config, epochs=0):
    pg = Playground(config)
    for _ in range(epochs):
        pg.step()
    view = PlaygroundFigure()
    view.set_data(pg)
    view.draw(pg)
    return pg, view


def test_edge_widths_follow_the_weights_size_on_one_scale_not_each_layers_largest():
    pg, view = _view(Config(hidden=(3,)))
    for layer in pg.linear_layers():
        layer.weight.data *= 0.001 / np.abs(layer.weight.data).max()        # every weight <= 0.001, as under L1
    view.draw(pg)
    widths = view.edges.get_linewidths()
    assert max(widths) < EDGE_WIDTHS[0] + 0.01 * (EDGE_WIDTHS[1] - EDGE_WIDTHS[0])
    pg.linear_layers()[0].weight.data[0, 0] = -5.0                          # beyond the scale: thickest
    view.draw(pg)
    assert view.edges.get_linewidths()[0] == pytest.approx(EDGE_WIDTHS[1])
    legend = " ".join(text.get_text() for text in view.ax_net.texts)
    assert "w = +0.1" in legend and f"−{EDGE_FULL:g} or beyond" in legend


def test_a_dead_neuron_is_drawn_grey():
    pg, view = _view(Config(hidden=(3,), activation="relu"))
    first = pg.linear_layers()[0]
    first.weight.data[:, 1] = 0.0
    first.bias.data[1] = -1.0                                               # relu(-1) = 0 everywhere
    view.draw(pg)
    tiles = view.tiles[1]
    assert np.array_equal(tiles[1].get_array()[0, 0], DEAD) and not np.array_equal(tiles[0].get_array()[0, 0], DEAD)


def test_six_layers_of_eight_do_not_overlap():
    _pg, view = _view(Config(hidden=(8,) * 6, features=("x1", "x2", "x1^2")))
    boxes = [image.get_extent() for column in view.tiles for image in column]          # (left, right, bottom, top)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2], (a, b)


@pytest.mark.parametrize("name", list(BOUNDARIES))
def test_a_function_boundary_set_puts_the_class_on_the_side_of_its_curve(name):
    X, y, X_test, y_test = make_data(name, 400, 0, 50, 0)
    assert np.array_equal(y, (X[:, 1] > BOUNDARIES[name](X[:, 0])).astype(int))
    assert 0.25 < y.mean() < 0.75
    app = nl.widgets.playground(dataset=name, hidden=(6, 4), optimizer="Adam", learning_rate=0.03)
    app.step(30)
    assert app.pg.metrics()["accuracy"] > 0.85 and not app.message.value         # learnable (0.9 .. 0.99 seen)


@pytest.mark.parametrize("name, classes", [("blobs", 3), ("blobs4", 4), ("blobs5", 5)])
def test_blobs_come_with_three_to_five_classes_and_the_app_draws_one_square_each(name, classes):
    app = nl.widgets.playground(dataset=name)
    assert app.pg.n_classes == classes and len(app.view.tiles[-1]) == classes
    assert app.pg.metrics()["confusion"].shape == (classes, classes)


def test_your_own_classes_are_as_many_as_the_pictures_tell_apart():
    assert MAX_CLASSES == len(CLASS_COLOURS)
    X = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(ValueError, match=f"class labels must be 0 .. {MAX_CLASSES - 1}"):
        user_data(X, np.arange(30) % (MAX_CLASSES + 1))
    app = nl.widgets.playground(X, np.arange(30) % MAX_CLASSES)
    assert app.pg.n_classes == MAX_CLASSES and not app.message.value
