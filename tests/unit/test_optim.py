"""Optimizers: first steps by hand, PyTorch's update rules step for step, state under PyTorch's
names, float32 kept float32."""

import numpy as np
import pytest

import nnlearn as nl
from pytorch_reference import import_torch

OPTIMIZERS = [nl.optim.SGD, nl.optim.RMSprop, nl.optim.Adagrad, nl.optim.Adam, nl.optim.AdamW]


def parameter_with_gradient(data, grad, dtype=np.float64):
    param = nl.Parameter(np.array(data, dtype=dtype))
    param.grad[...] = grad
    return param


def first_step(optimizer_class, data, grad, **hyperparameters):
    """Return the change of a parameter after one step from the given gradient."""
    param = parameter_with_gradient(data, grad)
    before = param.data.copy()
    optimizer_class([param], **hyperparameters).step()
    return param.data - before


DATA = [1.0, -2.0, 0.5, 3.0]
GRAD = np.array([0.5, -4.0, 2.0, 0.0])


# --- first steps a person can work out ---------------------------------------------------------

def test_sgd_step_is_weight_minus_learning_rate_times_gradient():
    np.testing.assert_allclose(first_step(nl.optim.SGD, DATA, GRAD, lr=0.1), -0.1 * GRAD, rtol=1e-15)


def test_sgd_weight_decay_adds_weight_decay_times_weight_to_the_gradient():
    step = first_step(nl.optim.SGD, DATA, GRAD, lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(step, -0.1 * (GRAD + 0.5 * np.array(DATA)), rtol=1e-14)


def test_sgd_momentum_starts_from_the_gradient_then_accumulates_velocity():
    param = parameter_with_gradient(DATA, GRAD)
    opt = nl.optim.SGD([param], lr=0.1, momentum=0.9)
    opt.step()                                             # b = g
    np.testing.assert_allclose(param.data, np.array(DATA) - 0.1 * GRAD, rtol=1e-15)
    np.testing.assert_array_equal(opt.state[param]["momentum_buffer"], GRAD)
    second = np.array([1.0, 1.0, -1.0, 2.0])
    param.grad[...] = second
    opt.step()                                             # b = 0.9 g + g2
    np.testing.assert_allclose(opt.state[param]["momentum_buffer"], 0.9 * GRAD + second, rtol=1e-15)
    np.testing.assert_allclose(param.data, np.array(DATA) - 0.1 * GRAD - 0.1 * (0.9 * GRAD + second), rtol=1e-14)


def test_sgd_nesterov_first_step_looks_ahead_by_momentum_times_gradient():
    step = first_step(nl.optim.SGD, DATA, GRAD, lr=0.1, momentum=0.9, nesterov=True)
    np.testing.assert_allclose(step, -0.1 * (GRAD + 0.9 * GRAD), rtol=1e-14)


def test_adam_first_step_is_about_learning_rate_times_sign_of_gradient():
    # After bias correction m_hat = g and v_hat = g^2, so the step is lr * g / (|g| + eps).
    step = first_step(nl.optim.Adam, DATA, GRAD, lr=0.01)
    np.testing.assert_allclose(step, -0.01 * GRAD / (np.abs(GRAD) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(step, -0.01 * np.sign(GRAD), atol=1e-9)


def test_rmsprop_first_step_is_learning_rate_over_root_of_one_minus_alpha():
    # v = (1 - alpha) g^2, so the step is lr * g / (sqrt(1 - alpha) |g| + eps): 10 lr for alpha = 0.99.
    step = first_step(nl.optim.RMSprop, DATA, GRAD, lr=0.01, alpha=0.99)
    np.testing.assert_allclose(step, -0.01 * GRAD / (np.sqrt(0.01) * np.abs(GRAD) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(step, -0.1 * np.sign(GRAD), atol=1e-8)


def test_adagrad_first_step_is_about_learning_rate_times_sign_of_gradient():
    step = first_step(nl.optim.Adagrad, DATA, GRAD, lr=0.1)
    np.testing.assert_allclose(step, -0.1 * GRAD / (np.abs(GRAD) + 1e-10), rtol=1e-12)
    step = first_step(nl.optim.Adagrad, DATA, GRAD, lr=0.1, initial_accumulator_value=1.0)
    np.testing.assert_allclose(step, -0.1 * GRAD / (np.sqrt(1.0 + GRAD**2) + 1e-10), rtol=1e-12)


def test_adagrad_second_step_divides_by_root_of_summed_squares():
    param = parameter_with_gradient([0.0, 0.0], [3.0, -1.0])
    opt = nl.optim.Adagrad([param], lr=1.0, eps=1e-300, lr_decay=0.5)   # eps must be > 0; this one is lost in rounding
    opt.step()
    param.grad[...] = [4.0, 1.0]
    opt.step()
    np.testing.assert_array_equal(opt.state[param]["sum"], [9.0 + 16.0, 1.0 + 1.0])
    expected = -np.array([1.0, -1.0]) - (1.0 / 1.5) * np.array([4.0 / 5.0, 1.0 / np.sqrt(2.0)])
    np.testing.assert_allclose(param.data, expected, rtol=1e-15)


@pytest.mark.parametrize("optimizer_class", OPTIMIZERS)
def test_zero_grad_resets_every_gradient(optimizer_class):
    params = [parameter_with_gradient([1.0, 2.0], [3.0, 4.0]), parameter_with_gradient([[1.0]], [[5.0]])]
    optimizer_class(params, lr=0.1).zero_grad()
    assert all(not p.grad.any() for p in params)


def test_learning_rate_can_be_changed_through_param_groups():
    param = parameter_with_gradient([0.0], [1.0])
    opt = nl.optim.SGD([param], lr=0.1)
    opt.param_groups[0]["lr"] = 0.5
    opt.step()
    assert param.data[0] == -0.5


# --- same weights as PyTorch -------------------------------------------------------------------

CONFIGS = [
    (nl.optim.SGD, dict(lr=0.1)),
    (nl.optim.SGD, dict(lr=0.05, momentum=0.9)),
    (nl.optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0.3)),
    (nl.optim.SGD, dict(lr=0.05, momentum=0.8, nesterov=True)),
    (nl.optim.SGD, dict(lr=0.1, weight_decay=0.1)),
    (nl.optim.SGD, dict(lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.01)),
    (nl.optim.RMSprop, dict(lr=0.01)),
    (nl.optim.RMSprop, dict(lr=0.01, alpha=0.9, eps=1e-3)),
    (nl.optim.RMSprop, dict(lr=0.005, momentum=0.9)),
    (nl.optim.RMSprop, dict(lr=0.01, centered=True)),
    (nl.optim.RMSprop, dict(lr=0.01, weight_decay=0.1)),
    (nl.optim.RMSprop, dict(lr=0.005, alpha=0.95, momentum=0.5, centered=True, weight_decay=0.05)),
    (nl.optim.Adagrad, dict(lr=0.1)),
    (nl.optim.Adagrad, dict(lr=0.1, lr_decay=0.05)),
    (nl.optim.Adagrad, dict(lr=0.1, weight_decay=0.1)),
    (nl.optim.Adagrad, dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-3)),
    (nl.optim.Adam, dict(lr=0.01)),
    (nl.optim.Adam, dict(lr=0.01, betas=(0.5, 0.9))),
    (nl.optim.Adam, dict(lr=0.01, eps=1e-3)),
    (nl.optim.Adam, dict(lr=0.01, weight_decay=0.1)),
    (nl.optim.Adam, dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
    (nl.optim.AdamW, dict(lr=0.01)),
    (nl.optim.AdamW, dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.3)),
]


def config_id(config):
    optimizer_class, hyperparameters = config
    return optimizer_class.__name__ + "(" + ", ".join(f"{k}={v}" for k, v in hyperparameters.items()) + ")"


def twin_networks(torch, seed=0):
    """The same small network in nnlearn and in PyTorch (float64), with a regression problem."""
    rng = np.random.default_rng(seed)
    ours = nl.Sequential(nl.Linear(3, 5, rng=rng), nl.Tanh(), nl.Linear(5, 2, rng=rng))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)).double()
    with torch.no_grad():
        for index in (0, 2):
            theirs[index].weight.copy_(torch.from_numpy(ours[index].weight.data.T))   # torch: (out, in)
            theirs[index].bias.copy_(torch.from_numpy(ours[index].bias.data))
    X, Y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    return ours, theirs, X, Y


def torch_view(ours, theirs):
    """Pairs (nnlearn parameter, matching torch tensor), with weights transposed to (in, out)."""
    pairs = []
    for index in (0, 2):
        pairs.append((ours[index].weight, theirs[index].weight, True))
        pairs.append((ours[index].bias, theirs[index].bias, False))
    return pairs


@pytest.mark.parametrize("config", CONFIGS, ids=config_id)
def test_optimizer_matches_pytorch_after_25_steps(config):
    torch = import_torch()
    optimizer_class, hyperparameters = config
    ours, theirs, X, Y = twin_networks(torch)
    opt = optimizer_class(ours.parameters(), **hyperparameters)
    reference = getattr(torch.optim, optimizer_class.__name__)(theirs.parameters(), foreach=False, **hyperparameters)
    loss_fn, X_torch, Y_torch = nl.MSELoss(), torch.from_numpy(X), torch.from_numpy(Y)
    for _ in range(25):
        loss_fn(ours(X), Y)
        opt.zero_grad()
        ours.backward(loss_fn.backward())
        opt.step()
        reference.zero_grad()
        torch.nn.functional.mse_loss(theirs(X_torch), Y_torch).backward()
        reference.step()
    for param, tensor, transposed in torch_view(ours, theirs):
        expected = tensor.detach().numpy()
        expected = expected.T if transposed else expected
        np.testing.assert_allclose(param.data, expected, rtol=1e-10, atol=1e-13)
        state, torch_state = opt.state[param], reference.state[tensor]
        if "step" in torch_state and optimizer_class is not nl.optim.SGD:
            assert state["step"] == int(torch_state["step"]) == 25
        # the same state under PyTorch's names: whatever PyTorch keeps (its own list, not ours)
        names = {name for name, value in torch_state.items() if value is not None and name != "step"}
        assert names == set(state) - {"step"}
        for name in names:
            expected = torch_state[name].numpy()
            np.testing.assert_allclose(state[name], expected.T if transposed else expected,
                                       rtol=1e-10, atol=1e-13, err_msg=name)


def test_training_moves_the_weights_far_enough_for_the_pytorch_comparison_to_mean_something():
    torch = import_torch()
    ours, _, X, Y = twin_networks(torch)
    start = [p.data.copy() for p in ours.parameters()]
    opt, loss_fn = nl.optim.Adam(ours.parameters(), lr=0.01), nl.MSELoss()
    first = loss_fn(ours(X), Y)
    for _ in range(25):
        loss_fn(ours(X), Y)
        opt.zero_grad()
        ours.backward(loss_fn.backward())
        opt.step()
    assert loss_fn(ours(X), Y) < first
    assert all(np.abs(p.data - s).max() > 0.05 for p, s in zip(ours.parameters(), start))


# --- state and dtype ---------------------------------------------------------------------------

@pytest.mark.parametrize("optimizer_class, names", [
    (nl.optim.SGD, {"momentum_buffer"}),
    (nl.optim.RMSprop, {"step", "square_avg", "momentum_buffer", "grad_avg"}),
    (nl.optim.Adagrad, {"step", "sum"}),
    (nl.optim.Adam, {"step", "exp_avg", "exp_avg_sq"}),
])
def test_per_parameter_state_uses_pytorch_names(optimizer_class, names):
    extra = {nl.optim.SGD: dict(momentum=0.9), nl.optim.RMSprop: dict(momentum=0.9, centered=True)}
    param = parameter_with_gradient(DATA, GRAD)
    opt = optimizer_class([param], lr=0.1, **extra.get(optimizer_class, {}))
    opt.step()
    assert set(opt.state[param]) == names
    for name in names - {"step"}:
        assert opt.state[param][name].shape == param.shape


@pytest.mark.parametrize("config", [
    (nl.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    (nl.optim.RMSprop, dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    (nl.optim.Adagrad, dict(lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.1)),
    (nl.optim.Adam, dict(lr=0.01, weight_decay=0.1)),
], ids=config_id)
def test_float32_parameters_and_state_stay_float32(config):
    optimizer_class, hyperparameters = config
    params = [parameter_with_gradient(DATA, GRAD, dtype=np.float32),
              parameter_with_gradient([[1.0, 2.0]], [[0.5, -0.5]], dtype=np.float32)]
    opt = optimizer_class(params, **hyperparameters)
    before = [p.data.copy() for p in params]
    for _ in range(3):
        opt.step()
    for param, old in zip(params, before):
        assert param.data.dtype == np.float32 and param.grad.dtype == np.float32
        assert not np.array_equal(param.data, old)
        for name, value in opt.state[param].items():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32, name


# --- the registry ------------------------------------------------------------------------------

def test_the_registry_lists_each_optimizer_once_in_lesson_order():
    lessons = ["SGD", "Momentum", "RMSprop", "Adagrad", "Adam", "AdamW"]     # the lessons' six, in order
    assert [name for name in nl.optim.OPTIMIZERS if name in lessons] == lessons
    for name, info in nl.optim.OPTIMIZERS.items():
        assert info.name == name and info.description and info.rule
        low, high = info.lr_range
        assert 0 < low < info.default_lr < high


@pytest.mark.parametrize("name", list(nl.optim.OPTIMIZERS))
def test_each_registry_entry_builds_its_optimizer_and_its_state_keys_exist_after_a_step(name):
    info = nl.optim.OPTIMIZERS[name]
    param = parameter_with_gradient(DATA, GRAD)
    opt = info.make([param], 0.01)
    assert isinstance(opt, info.cls) and opt.param_groups[0]["lr"] == 0.01
    assert info.make([parameter_with_gradient(DATA, GRAD)]).param_groups[0]["lr"] == info.default_lr
    opt.step()
    for key in info.state_keys:
        assert opt.state[param][key].shape == param.shape


def test_momentum_in_the_registry_is_sgd_with_momentum_nine_tenths():
    opt = nl.optim.OPTIMIZERS["Momentum"].make([parameter_with_gradient(DATA, GRAD)], 0.1)
    assert type(opt) is nl.optim.SGD and opt.param_groups[0]["momentum"] == 0.9


@pytest.mark.parametrize("name", list(nl.optim.OPTIMIZERS))
def test_every_registry_entry_matches_pytorch_after_25_steps(name):
    torch = import_torch()
    info = nl.optim.OPTIMIZERS[name]
    test_optimizer_matches_pytorch_after_25_steps((info.cls, dict(lr=info.default_lr, **info.options)))


@pytest.mark.parametrize("name", list(nl.optim.OPTIMIZERS))
def test_step_runs_the_update_the_lesson_prints_so_a_subclass_that_overrides_it_is_called(name):
    class Refusing(nl.optim.OPTIMIZERS[name].cls):
        def _update(self, param, grad, state, group):
            raise RuntimeError("the printed update ran")

    param = nl.Parameter(np.ones(3))
    with pytest.raises(RuntimeError, match="the printed update ran"):
        Refusing([param], lr=0.1).step()


def test_the_printed_adam_update_reads_like_its_formula():
    import inspect
    source = inspect.getsource(nl.optim.Adam._update)
    assert "m[...] = beta1 * m + (1 - beta1) * g" in source
    assert "v[...] = beta2 * v + (1 - beta2) * g**2" in source


def test_adamw_shrinks_the_weights_apart_from_the_gradient():
    # With a zero gradient Adam's step is 0, so only the decay acts: p = p * (1 - lr * weight_decay).
    param = parameter_with_gradient(DATA, np.zeros(4))
    nl.optim.AdamW([param], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(param.data, np.array(DATA) * 0.95, rtol=1e-15)
