"""Every number lesson 01 states, computed from the package (the neuron explorer's own functions)."""

import numpy as np

import nnlearn as nl
from nnlearn.plots.functions import ACTIVATIONS, LEAKY_SLOPE, activate
from nnlearn.widgets.neuron import line_distance, neuron_explorer


def test_leaky_relu_defaults_to_a_slope_of_001_and_the_app_uses_01():
    assert nl.LeakyReLU().negative_slope == 0.01
    assert LEAKY_SLOPE == 0.1 and ACTIVATIONS["LeakyReLU"]().negative_slope == 0.1


def test_where_z_is_0_sigmoid_says_05_tanh_0_and_relu_has_its_kink():
    assert activate("sigmoid", 0.0) == 0.5 and activate("tanh", 0.0) == 0.0
    assert activate("ReLU", -1e-9) == 0.0 and activate("ReLU", 1e-9) > 0


def test_the_sigmoids_slope_across_the_line_is_the_length_of_w_over_4():
    for w in (np.array([1.0, -0.5]), np.array([2.0, -1.0])):
        unit = w / np.linalg.norm(w)
        eps = 1e-6
        # points on either side of the line w.x + b = 0 (b = 0.5), a distance eps along w
        on_line = -0.5 * w / (w @ w)
        slope = (activate("sigmoid", w @ (on_line + eps * unit) + 0.5)
                 - activate("sigmoid", w @ (on_line - eps * unit) + 0.5)) / (2 * eps)
        assert np.isclose(slope, np.linalg.norm(w) / 4, rtol=1e-6)


def test_doubling_both_weights_halves_the_distance_from_0447_to_0224_and_doubling_b_restores_it():
    assert round(line_distance(1.0, -0.5, 0.5), 3) == 0.447
    assert round(line_distance(2.0, -1.0, 0.5), 3) == 0.224
    assert round(line_distance(2.0, -1.0, 1.0), 3) == 0.447
    app = neuron_explorer()                                      # the app draws the same line
    app.controls["w1"].value, app.controls["w2"].value = 2.0, -1.0
    assert "= 0.224</code>" in app.children[2].value
    app.controls["b"].value = 1.0
    assert "= 0.447</code>" in app.children[2].value


def test_at_the_defaults_the_relu_neuron_outputs_125():
    app = neuron_explorer()
    app.controls["activation"].value = "ReLU"
    z = 1.0 * 1.0 + (-0.5) * 0.5 + 0.5
    assert z == 1.25 and "= 1.250</code>" in app.children[2].value


def test_the_example_network_has_371_parameters():
    model = nl.Sequential(nl.Linear(2, 16, rng=0), nl.Tanh(), nl.Linear(16, 16, rng=1), nl.ReLU(),
                          nl.Linear(16, 3, rng=2))
    assert sum(p.data.size for p in model.parameters()) == 371 == (2 * 16 + 16) + (16 * 16 + 16) + (16 * 3 + 3)


def test_the_784_128_10_classifier_has_101770_parameters():
    model = nl.Sequential(nl.Linear(784, 128, rng=0), nl.ReLU(), nl.Linear(128, 10, rng=1))
    assert sum(p.data.size for p in model.parameters()) == 101770 == 100480 + 1290


def test_scaling_w_and_b_together_never_moves_the_line():
    for scale in (0.5, 2.0, 7.0):
        assert np.isclose(line_distance(scale * 1.0, scale * -0.5, scale * 0.5), line_distance(1.0, -0.5, 0.5))


def test_the_investigations_two_exponents_differ_about_one_half_against_about_zero():
    """"Your two exponents differ": weights of standard deviation 1 give a spread growing like fan_in**0.5,
    nl.Linear's initialisation one that does not grow; the per-seed slopes (seeds 0-9) never overlap."""
    fans = (4, 16, 64, 256, 1024)

    def spread(fan_in, seed, init):
        rng = np.random.default_rng(seed)
        x = rng.normal(size=(500, fan_in))
        z = x @ rng.normal(size=(fan_in, 8)) if init == "normal" else nl.Linear(fan_in, 8, rng=seed)(x)
        return np.std(z)

    slopes = {init: [np.polyfit(np.log(fans), np.log([spread(n, s, init) for n in fans]), 1)[0] for s in range(10)]
              for init in ("normal", "nl.Linear")}
    assert all(0.45 < a < 0.56 for a in slopes["normal"]) and all(-0.05 < a < 0.01 for a in slopes["nl.Linear"])
