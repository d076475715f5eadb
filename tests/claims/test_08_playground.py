"""Every number lesson 08 (the playground) states, computed from the package it describes."""

import pytest

from nnlearn.playground import Config, Playground

ALL_FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")




def accuracy_after(epochs=100, **settings):
    pg = Playground(Config(**settings))
    for _ in range(epochs):
        pg.step()
    return pg.metrics()["accuracy"]


def test_the_default_network_learns_the_circle():
    assert accuracy_after() > 0.95


def test_without_hidden_layers_the_circle_stays_near_60_percent_no_better_than_the_larger_class():
    value = accuracy_after(hidden=())
    pg = Playground(Config(hidden=()))
    larger_class = max((pg.y_test == 1).mean(), (pg.y_test == 0).mean())
    assert 0.5 <= value <= 0.65 and value <= larger_class + 0.1


def test_with_x1_squared_and_x2_squared_no_hidden_layer_separates_the_circle_perfectly():
    assert accuracy_after(hidden=(), features=("x1", "x2", "x1^2", "x2^2")) == 1.0


def test_xor_without_hidden_layers_fails_and_x1_times_x2_alone_solves_it():
    assert accuracy_after(dataset="xor", hidden=()) < 0.6
    assert accuracy_after(dataset="xor", hidden=(), features=("x1", "x2", "x1*x2")) == 1.0
    for feature in ("x1^2", "x2^2", "sin(x1)", "sin(x2)"):                   # the other choices do not
        assert accuracy_after(dataset="xor", hidden=(), features=("x1", "x2", feature)) < 0.8, feature


def test_the_spiral_stays_near_62_percent_with_the_default_network_and_99_with_depth_features_and_adam():
    assert 0.55 <= accuracy_after(dataset="spiral") <= 0.7
    assert accuracy_after(dataset="spiral", hidden=(8, 8, 8), features=ALL_FEATURES, optimizer="Adam",
                          learning_rate=0.01) >= 0.98
