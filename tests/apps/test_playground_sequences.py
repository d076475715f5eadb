"""Random sequences of loads (valid, tampered, foreign) among moves, play, step and reset: after
each action the controls show what trains, and at the end every control is still connected."""

import asyncio
import dataclasses
import json

import numpy as np
import pytest

import nnlearn as nl
from nnlearn import optim
from nnlearn.playground import ACTIVATIONS, DATASETS, FEATURES, SCHEDULES, Config
from nnlearn.widgets.playground_state import CONTROLLED
from test_playground_state import _encode, _other_values, assert_connected

RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def random_points(rng):
    """A drawing: 0 .. 30 points of up to three classes, in the plane to the drawing's 0.01."""
    n = int(rng.integers(0, 31))
    return tuple((round(float(a), 2), round(float(b), 2), int(k))
                 for a, b, k in zip(rng.uniform(-6, 6, n), rng.uniform(-6, 6, n), rng.integers(0, 3, n)))


def random_config(rng):
    """A config the app can show (some drawn, some with a drawing kept under another data set)."""
    dataset = str(rng.choice(list(DATASETS) + ["drawn"] * 3))
    regression = dataset != "drawn" and DATASETS[dataset][1] == "regression"
    features = tuple(f for f in FEATURES if rng.random() < 0.4) or ("x1",)
    n_points, train_percent = int(rng.integers(50, 400)), int(rng.integers(1, 10)) * 10
    points = random_points(rng) if dataset == "drawn" or rng.random() < 0.2 else ()
    size = len(points) if dataset == "drawn" else n_points
    training = max(1, int(round(size * train_percent / 100)))
    return Config(dataset=dataset, points=points, noise=int(rng.integers(0, 11)) * 5, train_percent=train_percent,
                  n_points=n_points, seed=int(rng.integers(0, 1000)), features=features,
                  hidden=tuple(int(n) for n in rng.integers(1, 9, rng.integers(0, 4))),
                  activation=str(rng.choice(list(ACTIVATIONS))), regularization=str(rng.choice(["none", "L1", "L2"])),
                  reg_rate=float(rng.choice(RATES[:6])), learning_rate=float(10 ** rng.uniform(-4, -1)),
                  batch_size=int(rng.integers(1, min(20, training) + 1)),
                  loss=str(rng.choice(["mse", "huber"] if regression else ["cross-entropy", "mse", "huber"])),
                  optimizer=str(rng.choice(list(optim.OPTIMIZERS))), dropout=float(rng.choice([0.0, 0.1, 0.5])),
                  schedule=str(rng.choice(SCHEDULES)))


TAMPERED = {"reg_rate": 0.5, "learning_rate": 1e9, "dropout": 0.95, "batch_size": 10**6, "n_points": 10**9,
            "seed": -3, "noise": 75, "hidden": [9, 9], "features": [], "activation": "gelu", "loss": "hinge",
            "dataset": "yours", "optimizer": "LBFGS", "schedule": None, "train_percent": "half",
            "points": [[9.0, 0.0, 1]]}
FOREIGN = ["", "hello", "{", "[]", '{"noise": 5, "colour": 1}', _encode([1]), _encode(None), "eJwDAAAAAAE"]


def shows_what_trains(app):
    """The controls show the config that trains (unless a message says why a move was not taken)."""
    if app.message.value and "diverged" not in app.message.value:
        return
    config = app.pg.config
    for name in CONTROLLED:
        shown = app.controls[name].value
        assert shown == pytest.approx(getattr(config, name)), (name, shown, getattr(config, name))
    assert tuple(n for n in FEATURES if app.controls[f"feature {n}"].value) == config.features
    assert app.controls["dataset"].value == config.dataset
    assert app._hidden == list(config.hidden)


KINDS = ["valid", "tampered", "foreign", "move", "move", "move", "step", "reset", "play", "layer", "draw", "draw"]


def act(app, kind, rng):
    if kind == "valid":
        config = random_config(rng)
        text = config.to_string() if rng.random() < 0.5 else json.dumps(dataclasses.asdict(config))
        assert app.load(text), app.message.value
        assert app.pg.config == config
    elif kind == "tampered":
        field = str(rng.choice(list(TAMPERED)))
        values = dataclasses.asdict(random_config(rng))
        values[field] = TAMPERED[field]
        before = app.pg.config
        assert app.load(_encode(values)) is False and field in app.message.value
        assert app.pg.config == before
    elif kind == "foreign":
        before = app.pg.config
        assert app.load(str(rng.choice(FOREIGN))) is False and app.pg.config == before
    elif kind == "move":
        names = [n for n, c in app.controls.items() if n != "play" and not c.disabled and _other_values(c)]
        control = app.controls[str(rng.choice(names))]
        options = _other_values(control)
        control.value = options[int(rng.integers(len(options)))]
    elif kind == "draw":                                # a click somewhere on the picture, or a shift-click
        before = app.pg.config
        figure = app.view.figure.bbox
        app.draw_class.value = int(rng.integers(0, 5))
        changed = app.click(rng.uniform(0, figure.width), rng.uniform(0, figure.height), remove=rng.random() < 0.3)
        assert changed == (app.pg.config != before)
        assert changed or app.pg.config.dataset == "drawn" or app.pg.config == before
    elif kind == "step":
        app.buttons["step"].click()
    elif kind == "reset":
        app.buttons["reset"].click()
    elif kind == "layer":
        app.buttons["add_layer" if rng.random() < 0.5 else "remove_layer"].click()
    else:
        async def play():
            app.controls["play"].value = True
            await asyncio.sleep(0.15)
            app.controls["play"].value = False
            await asyncio.sleep(0.06)
        asyncio.run(play())


@pytest.mark.parametrize("seed", range(3))
def test_any_sequence_of_loads_moves_play_step_and_reset_leaves_every_control_connected(seed):
    rng = np.random.default_rng(seed)
    app = nl.widgets.playground()
    for kind in rng.permutation(KINDS * 3):
        act(app, str(kind), rng)
        shows_what_trains(app)
    assert_connected(app)
    app.close()
