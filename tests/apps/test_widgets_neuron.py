"""The neuron explorer (lesson 01) and the function plots it uses."""

import numpy as np
import pytest

from nnlearn.plots.functions import ACTIVATIONS, activate, decision_line
from nnlearn.widgets.neuron import neuron_explorer


@pytest.fixture(scope="module")
def app():
    return neuron_explorer()


def image_of(app):
    return app.figure.axes[1].images[0]


def boundary_of(app):
    return next(line for line in app.figure.axes[1].lines if line.get_label() == "w·x + b = 0")


def test_activate_matches_the_formulas_and_nnlearn_layers():
    z = np.array([[-3.0, -0.5], [0.0, 2.0]])
    assert np.allclose(activate("sigmoid", z), 1 / (1 + np.exp(-z)))
    assert np.allclose(activate("tanh", z), np.tanh(z))
    assert np.allclose(activate("ReLU", z), np.maximum(z, 0))
    assert np.allclose(activate("LeakyReLU", z), np.where(z > 0, z, 0.1 * z))          # LEAKY_SLOPE
    assert activate("sigmoid", z).shape == z.shape
    with pytest.raises(ValueError, match="activation must be one of"):
        activate("softmax", z)


def test_decision_line_is_where_the_pre_activation_is_zero():
    xs, ys = decision_line(1.0, 0.0, -0.5, (-2, 2), (-2, 2))        # x1 = 0.5, a vertical line
    assert xs == [0.5, 0.5] and sorted(ys) == [-2, 2]
    xs, ys = decision_line(1.0, 1.0, 0.0, (-2, 2), (-2, 2))         # x2 = -x1, corner to corner
    assert np.allclose(np.array(xs) + np.array(ys), 0)
    assert decision_line(0.0, 0.0, 1.0, (-2, 2), (-2, 2)) is None  # no weights, no line
    assert decision_line(1.0, 0.0, -5.0, (-2, 2), (-2, 2)) is None  # x1 = 5 is outside the box


def test_app_builds_with_the_documented_controls(app):
    assert set(app.controls) == {"w1", "w2", "b", "activation", "x1", "x2"}
    assert list(app.controls["activation"].options) == list(ACTIVATIONS)
    for ax in app.figure.axes[:3]:
        assert ax.get_title()
    assert app.figure.axes[1].get_xlabel() and app.figure.axes[2].get_xlabel()
    assert app.message.value == ""


def test_the_output_image_is_the_neuron_applied_to_every_input(app):
    app.controls["activation"].value = "sigmoid"
    app.controls["w1"].value, app.controls["w2"].value, app.controls["b"].value = 1.5, -1.0, 0.5
    data = np.asarray(image_of(app).get_array())
    grid = np.linspace(-2, 2, data.shape[0])
    x1, x2 = np.meshgrid(grid, grid)
    assert np.allclose(data, 1 / (1 + np.exp(-(1.5 * x1 - 1.0 * x2 + 0.5))))
    assert image_of(app).get_clim() == (0.0, 1.0)


def test_moving_a_weight_turns_the_decision_line(app):
    app.controls["w1"].value, app.controls["w2"].value, app.controls["b"].value = 1.0, 1.0, 0.0
    xs, ys = boundary_of(app).get_data()
    assert np.allclose(np.add(xs, ys), 0)                         # x1 + x2 = 0
    renders = app.renders
    app.controls["w2"].value = -1.0
    xs, ys = boundary_of(app).get_data()
    assert np.allclose(np.subtract(xs, ys), 0)                    # x1 - x2 = 0
    assert app.renders == renders + 1
    app.controls["b"].value = 1.0                                 # the bias shifts it: x1 - x2 + 1 = 0
    xs, ys = boundary_of(app).get_data()
    assert np.allclose(np.subtract(xs, ys) + 1, 0)


def test_the_readout_and_the_curve_marker_show_z_and_a(app):
    app.controls["activation"].value = "tanh"
    for name, value in {"w1": 0.5, "w2": 2.0, "b": -0.25, "x1": 1.0, "x2": 0.5}.items():
        app.controls[name].value = value
    z = 0.5 * 1.0 + 2.0 * 0.5 - 0.25
    readout = app.children[2].value
    assert f"{z:+.3f}" in readout and f"{np.tanh(z):.3f}" in readout
    marker = app.figure.axes[2].lines[1]
    assert np.allclose(marker.get_data(), ([z], [np.tanh(z)]))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_activation_redraws_the_curve_and_the_colour_scale(app, name):
    app.controls["activation"].value = name
    curve = app.figure.axes[2].lines[0]
    z, a = curve.get_data()
    assert np.allclose(a, activate(name, z))
    low, high = image_of(app).get_clim()
    assert low < high
    assert app.message.value == ""


def test_zero_weights_say_so_and_the_app_recovers(app):
    app.controls["w1"].value = 0.0
    app.controls["w2"].value = 0.0
    assert len(boundary_of(app).get_xdata()) == 0
    notes = [text.get_text() for text in app.figure.axes[1].texts]
    assert any("w = 0" in note for note in notes)
    assert app.message.value == ""
    app.controls["w1"].value = 2.0
    assert len(boundary_of(app).get_xdata()) == 2
    assert not any("w = 0" in text.get_text() for text in app.figure.axes[1].texts)


def test_every_control_runs_through_its_range_without_a_message(app):
    for name, control in app.controls.items():
        if name == "activation":
            values = list(control.options)
        else:
            values = np.linspace(control.min, control.max, 4)
        for value in values:
            renders = app.renders
            control.value = value
            assert app.renders == renders + 1
            assert app.message.value == "", (name, value, app.message.value)


def test_the_readout_gives_the_lines_distance_from_the_origin(app):
    from nnlearn.widgets.neuron import line_distance
    app.controls["w1"].value, app.controls["w2"].value, app.controls["b"].value = 1.0, -0.5, 0.5
    assert f"= {0.5 / np.hypot(1.0, -0.5):.3f}</code>" in app.children[2].value
    app.controls["w1"].value, app.controls["w2"].value = 2.0, -1.0
    assert "= 0.224</code>" in app.children[2].value                 # doubling w halves the distance
    xs, ys = boundary_of(app).get_data()                             # and the drawn line agrees
    assert np.isclose(2.0 * xs[0] - 1.0 * ys[0] + 0.5, 0)
    distance = abs(xs[0] * ys[1] - xs[1] * ys[0]) / np.hypot(xs[1] - xs[0], ys[1] - ys[0])
    assert np.isclose(distance, 0.5 / np.hypot(2.0, 1.0))
    app.controls["w1"].value = app.controls["w2"].value = 0.0
    assert "w = 0: no line" in app.children[2].value
    assert line_distance(0.0, 0.0, 1.0) is None and np.isclose(line_distance(3.0, 4.0, -2.0), 0.4)


def test_the_leaky_relu_shown_says_its_slope(app):
    from nnlearn.plots.functions import LEAKY_SLOPE
    app.controls["activation"].value = "LeakyReLU"
    assert f"LeakyReLU(negative_slope={LEAKY_SLOPE:g})" in app.children[2].value
    assert np.isclose(activate("LeakyReLU", -1.0), -LEAKY_SLOPE)
    assert nl_default_slope() == 0.01                                  # the library's default differs, and the text says so


def nl_default_slope():
    import nnlearn as nl
    return nl.LeakyReLU().negative_slope


def test_neuron_controls_have_room():
    import ipywidgets as widgets
    app = neuron_explorer()
    for control in app.controls.values():
        if isinstance(control, widgets.ToggleButtons):
            if control.style.button_width != "auto":           # auto: the frame sizes buttons to their labels
                assert int(control.style.button_width.rstrip("px")) >= 8 * max(map(len, control.options)) + 16
        else:
            assert int(control.layout.width.rstrip("px")) - 8 * len(control.description) - 70 >= 250
