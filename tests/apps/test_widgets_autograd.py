"""Lesson 10's app: the graph explorer, driven through its controls."""

import pytest

import nnlearn as nl
from nnlearn.experiments.autograd_graphs import EXAMPLES, record


@pytest.fixture
def explorer():
    app = nl.widgets.graph_explorer()
    yield app
    app.close()


def text(app):
    return app.children[2].value


def test_every_example_steps_to_the_end_and_agrees_with_finite_differences(explorer):
    for name in EXAMPLES:
        explorer.controls["example"].value = name
        steps = len(record(name)["steps"])
        assert explorer.controls["step"].max == steps
        explorer.controls["step"].value = steps
        assert not explorer.message.value and f"Step {steps} of {steps}" in text(explorer)
        assert "finite differences" in text(explorer)


def test_each_step_shows_the_local_derivative_and_the_chain_rule_product(explorer):
    explorer.controls["example"].value = "used twice"
    explorer.controls["step"].value = 0
    assert "Forward pass" in text(explorer)
    renders = explorer.renders
    explorer.controls["step"].value = 1
    assert explorer.renders > renders
    assert "chain rule: " in text(explorer) and "+=" in text(explorer)


def test_the_overwrite_rule_loses_a_path_of_the_value_used_twice(explorer):
    explorer.controls["example"].value = "used twice"
    explorer.controls["step"].value = explorer.controls["step"].max
    assert "a: -3.0000 vs -3.0000" in text(explorer)
    explorer.controls["rule"].value = "= (overwrite)"
    assert "a: -3.0000" not in text(explorer) and "vs -3.0000" in text(explorer)
