"""nnlearn.autograd: the scalar Value, its backward pass, and the mistakes lesson 10's checks name."""

import math

import numpy as np
import pytest

from nnlearn import autograd_mistakes
from nnlearn.autograd import Value, backward_steps, topological_order, zero_grad
from nnlearn.experiments import autograd_graphs, scalar_costs

EXPRESSIONS = {
    "add and mul": lambda a, b: a * b + a,
    "pow and neg": lambda a, b: -(a ** 3) + b ** -2,
    "sub, rsub, rmul, radd": lambda a, b: 2 * a - b + (1 - a) + (0.5 + b),
    "division": lambda a, b: a / b + 1 / (a * a + 1),
    "tanh, exp, log": lambda a, b: (a * b).tanh() + a.exp() * (b * b).log(),
    "relu": lambda a, b: (a - b).relu() * (b - a).relu() + (a + b).relu(),
    "a value used many times": lambda a, b: ((a * a + a) * a).tanh() * (a + b) * a,
}


def numeric(build, values, eps=1e-6):
    grads = []
    for i in range(len(values)):
        up, down = list(values), list(values)
        up[i] += eps
        down[i] -= eps
        grads.append((build(*map(Value, up)).data - build(*map(Value, down)).data) / (2 * eps))
    return grads


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_backward_matches_central_differences(name):
    build = EXPRESSIONS[name]
    for values in ((0.7, -1.3), (1.9, 0.4), (-0.6, 2.2)):
        a, b = Value(values[0]), Value(values[1])
        build(a, b).backward()
        got, expected = np.array([a.grad, b.grad]), np.array(numeric(build, values))
        assert np.allclose(got, expected, rtol=1e-7, atol=1e-8), (name, values, got, expected)


def test_forward_values_and_local_derivatives_are_the_formulas():
    a = Value(0.5)
    t = a.tanh()
    assert t.data == math.tanh(0.5) and t._local == (1 - math.tanh(0.5) ** 2,)
    assert (a ** 3)._local == (3 * 0.25,) and a.exp()._local == (math.exp(0.5),) and a.log()._local == (2.0,)
    assert Value(0.0).relu()._local == (0.0,) and Value(1e-9).relu()._local == (1.0,)   # relu'(0) = 0, as PyTorch
    product = a * a
    assert product._prev == (a, a) and product._local == (0.5, 0.5)


def test_a_value_used_twice_adds_its_gradients():
    a, b = Value(-2.0), Value(3.0)
    f = (a * b) * (a + b)
    f.backward()
    assert (a.grad, b.grad) == (-3.0, -8.0)          # b*e + d = 3 - 6; a*e + d = -2 - 6


def test_topological_order_lists_each_value_once_after_its_operands():
    root = autograd_graphs.two_layer()
    order = topological_order(root)
    assert len(order) == len({id(v) for v in order}) and order[-1] is root
    place = {id(v): i for i, v in enumerate(order)}
    assert all(place[id(p)] < place[id(v)] for v in order for p in v._prev)


def test_a_deep_graph_does_not_hit_the_recursion_limit():
    a, total = Value(0.001), Value(0.0)
    for _ in range(5000):
        total = total + a
    total.backward()
    assert a.grad == 5000.0


def test_backward_accumulates_and_zero_grad_resets():
    a = Value(2.0)
    (a * a).backward()
    (a * a).backward()
    assert a.grad == 8.0
    zero_grad([a])
    assert a.grad == 0.0


def test_backward_steps_overwriting_loses_a_shared_gradient():
    root = autograd_graphs.shared()
    for _ in backward_steps(root, accumulate=False):
        pass
    a = [v for v in topological_order(root) if v.label == "a"][0]
    assert a.grad != -3.0


@pytest.mark.parametrize("bad", ["1.5", None, True, [1.0], 1 + 2j])
def test_value_rejects_what_is_not_a_real_number(bad):
    with pytest.raises(TypeError, match="Value"):
        Value(bad)


def test_value_takes_numpy_scalars_as_python_floats():
    assert type(Value(np.float32(1.5)).data) is float and Value(np.int64(3)).data == 3.0


def test_each_mistake_is_diagnosed_and_the_right_pass_is_not():
    def build():
        a, b = Value(0.7), Value(-1.3)
        h = (a * b).tanh()
        t = (h * 2.0 + a).tanh()
        return (h + t * b - a) ** 2, [a, b]

    assert autograd_mistakes.diagnose(build, lambda root: root.backward()) == ""
    for name in ("overwrite", "breadth_first", "no_visited_set"):
        message = autograd_mistakes.diagnose(build, getattr(autograd_mistakes, name))
        assert message == autograd_mistakes.MISTAKES[name], name
    assert autograd_mistakes.diagnose(build, autograd_mistakes.forward_order) == autograd_mistakes.ZEROS


def test_the_graph_examples_agree_with_finite_differences():
    for name in autograd_graphs.EXAMPLES:
        walk = autograd_graphs.record(name)
        final = walk["steps"][-1]["grads"]
        for i, numeric_grad in enumerate(walk["numeric"]):
            if numeric_grad is not None:
                assert abs(final[i] - numeric_grad) < 1e-6, (name, walk["nodes"][i]["label"])


def test_the_scalar_network_matches_nnlearns_layers_loss_and_gradients():
    model, X, y = scalar_costs.problem(5, seed=3)
    layers = scalar_costs.as_values(model)
    loss = scalar_costs.value_loss(layers, X, y)
    loss.backward()
    import nnlearn as nl
    mse = nl.MSELoss()
    assert abs(loss.data - mse(model(X), y)) < 1e-14
    model.backward(mse.backward())
    expected = np.concatenate([g.ravel() for layer in model if isinstance(layer, nl.Linear)
                               for g in (layer.weight.grad, layer.bias.grad)])
    assert np.allclose([p.grad for p in scalar_costs.parameters(layers)], expected, rtol=1e-10, atol=1e-14)
