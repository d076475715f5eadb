"""Lesson 09: why the first weights are random, and why their scale matters with depth.

- `symmetry_run(init)`: 64 -> 8 tanh -> 10 on digits from all-equal, all-zero or random weights;
  with equal weights every hidden unit gets the same gradient, so they stay copies of one another.
- `depth_signals(depth, width, activation, scale)`: a deep MLP whose weights are `scale` times the
  derived scale (He, N(0, 2/fan_in), for ReLU; Xavier, variance 2/(fan_in + fan_out), for tanh):
  the spread of each layer's activations and each layer's weight-gradient norm at the start, and
  the loss over the first STEPS updates of plain gradient descent.
The variance argument: a unit sums fan_in products w x, so Var(out) = fan_in Var(w) Var(in) (zero
means, independent); ReLU keeps half of it, so a layer keeps the spread when Var(w) = 2/fan_in.
"""

import functools
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from ..losses import CrossEntropyLoss
from ..models import mlp
from ..nn import Linear, Sequential, Tanh
from ..optim import SGD
from .digit_runs import digits_split

STEPS = 25                  # updates shown in the depth app
LR = 0.05                   # plain gradient descent, full batch
EXAMPLES = 128              # digits the depth runs see
DERIVED = {"relu": "he", "tanh": "xavier"}
# The depth app's grid, run once and stored (python -m nnlearn.experiments.initialisation --write):
# tests/claims/test_09_initialisation_depth.py runs settings again and checks the stored numbers.
DEPTHS = (10, 20, 30)
WIDTHS = (32, 64, 128)
SCALE_EXPONENTS = tuple(round(k / 10, 1) for k in range(-10, 11))      # scale = 10**e, 0.1 .. 10
STORE = Path(__file__).with_name("depth_signals_stored.npz")
SYMMETRY_INITS = ("all equal", "all zero", "random")
SYMMETRY_STEPS = 100


@functools.lru_cache(maxsize=1)
def standardised_digits(examples=EXAMPLES):
    """The first `examples` training digits, each pixel standardised (mean 0, variance 1; constant
    pixels left at 0), float64: inputs with Var(in) = 1, as the variance argument assumes."""
    X, y = digits_split()[:2]
    X = X[:examples].astype(np.float64)
    spread = X.std(axis=0)
    X = (X - X.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    X.setflags(write=False)
    return X, y[:examples]


def default_scale(activation):
    """nnlearn's (and PyTorch's) default U(-1/sqrt(fan_in), 1/sqrt(fan_in)) has Var(w) = 1/(3 fan_in):
    this many times the derived standard deviation (He's sqrt(2/fan_in), or Xavier's sqrt(1/fan_in)
    for a square layer)."""
    return float(np.sqrt(1 / 6) if activation == "relu" else np.sqrt(1 / 3))


def deep_model(depth, width, activation, scale, seed=0):
    """64 -> width (x depth hidden layers, `activation`) -> 10; every weight `scale` x the derived init."""
    if activation not in DERIVED:
        raise ValueError(f"activation must be one of {sorted(DERIVED)}, got {activation!r}")
    model = mlp([64] + [width] * depth + [10], activation=activation, rng=seed, init=DERIVED[activation])
    for layer in model:
        if isinstance(layer, Linear):
            layer.weight.data *= scale
    return model


@functools.lru_cache(maxsize=512)
def depth_signals(depth, width, activation, scale, seed=0, steps=STEPS):
    """What a deep MLP does at its start and over its first `steps` updates.

    Returns a dict: activation_std (depth,) the spread of each hidden layer's outputs at the start,
    grad_norm (depth + 1,) each Linear layer's ||dL/dW|| at the start, loss (steps + 1,) the
    cross-entropy before each update (inf once it overflowed).
    """
    X, y = standardised_digits()
    model = deep_model(depth, width, activation, float(scale), seed)
    linears = [layer for layer in model if isinstance(layer, Linear)]
    loss_fn = CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=LR)
    losses = np.full(steps + 1, np.inf)
    with np.errstate(all="ignore"), threadpool_limits(1, user_api="blas"):
        for step in range(steps + 1):
            loss = float(loss_fn(model(X), y))
            if not np.isfinite(loss):
                break
            losses[step] = loss
            optimizer.zero_grad()
            model.backward(loss_fn.backward())
            if step == 0:
                spreads = [float(layer._x.std()) for layer in linears[1:]]   # each hidden layer's output
                norms = [float(np.linalg.norm(layer.weight.grad)) for layer in linears]
            optimizer.step()
    result = dict(activation_std=np.array(spreads), grad_norm=np.array(norms), loss=losses)
    for array in result.values():
        array.setflags(write=False)
    return result


def symmetry_model(init, seed=0):
    """64 -> 8 tanh -> 10 with every weight and bias 0.1 ("all equal"), 0 ("all zero") or Xavier ("random")."""
    if init not in SYMMETRY_INITS:
        raise ValueError(f"init must be one of {SYMMETRY_INITS}, got {init!r}")
    rng = np.random.default_rng(seed)
    model = Sequential(Linear(64, 8, rng=rng, init="xavier"), Tanh(), Linear(8, 10, rng=rng, init="xavier"))
    if init != "random":
        for parameter in model.parameters():
            parameter.data[...] = 0.1 if init == "all equal" else 0.0
    return model


@functools.lru_cache(maxsize=8)
def symmetry_run(init, steps=SYMMETRY_STEPS, lr=0.5, seed=0):
    """Train the symmetry model on the standardised digits with plain gradient descent.

    Returns a dict: weights (steps + 1, 8, 64) each hidden unit's incoming weights before each
    update, loss (steps + 1,), and distinct (steps + 1,) how many different hidden units there are
    (units whose incoming weights and bias agree to 1e-9 count as one).
    """
    X, y = standardised_digits()
    model = symmetry_model(init, seed)
    hidden = model[0]
    loss_fn = CrossEntropyLoss()
    optimizer = SGD(model.parameters(), lr=lr)
    weights, losses, distinct = [], [], []
    with threadpool_limits(1, user_api="blas"):
        for step in range(steps + 1):
            units = np.c_[hidden.weight.data.T, hidden.bias.data]              # (8, 65): one row per unit
            weights.append(hidden.weight.data.T.copy())
            distinct.append(len(np.unique(np.round(units, 9), axis=0)))
            loss = loss_fn(model(X), y)
            losses.append(float(loss))
            if step < steps:
                optimizer.zero_grad()
                model.backward(loss_fn.backward())
                optimizer.step()
    return dict(weights=np.array(weights), loss=np.array(losses), distinct=np.array(distinct))


def _key(activation, depth, width):
    return f"{activation}_{depth}_{width}"


@functools.lru_cache(maxsize=1)
def _store():
    with np.load(STORE) as stored:
        return {name: stored[name] for name in stored.files}


def stored_signals(depth, width, activation, scale_exponent):
    """depth_signals(depth, width, activation, 10**scale_exponent) for a setting of the app's grid,
    read from the store (a few microseconds); any other setting is run live."""
    exponent = round(float(scale_exponent), 1)
    if depth not in DEPTHS or width not in WIDTHS or exponent not in SCALE_EXPONENTS \
            or abs(exponent - float(scale_exponent)) > 1e-9:
        return depth_signals(depth, width, activation, 10 ** float(scale_exponent))
    row = SCALE_EXPONENTS.index(exponent)
    store, key = _store(), _key(activation, depth, width)
    return {name: store[f"{key}_{name}"][row] for name in ("activation_std", "grad_norm", "loss")}


def write_store(path=STORE):
    """Run every setting of the app's grid and store the results (about two minutes)."""
    arrays = {}
    for activation in DERIVED:
        for depth in DEPTHS:
            for width in WIDTHS:
                runs = [depth_signals(depth, width, activation, 10 ** e) for e in SCALE_EXPONENTS]
                for name in ("activation_std", "grad_norm", "loss"):
                    arrays[f"{_key(activation, depth, width)}_{name}"] = np.array([run[name] for run in runs])
                depth_signals.cache_clear()
    np.savez_compressed(path, **arrays)


if __name__ == "__main__":
    import sys
    if "--write" in sys.argv:
        write_store()


def default_spread_ratio(depth, width, activation, seed=0):
    """With nnlearn's default init (weights AND biases ~ U(+-1/sqrt(fan_in))): the spread of the
    last hidden layer's outputs over the first's, at the start, on the standardised digits."""
    X, _ = standardised_digits()
    model = mlp([64] + [width] * depth + [10], activation=activation, rng=seed)
    linears = [layer for layer in model if isinstance(layer, Linear)]
    with threadpool_limits(1, user_api="blas"):
        model(X)
    return float(linears[-1]._x.std() / linears[1]._x.std())
