"""Take a playground away: its config as JSON, its weights as .npz, and scripts that rebuild it.

`export_script` writes a runnable nnlearn script that builds the same network from the same seed,
trains it with the same mini-batches and prints the same losses as the app (the same numbers);
`export_torch_script` writes the PyTorch version of the same script, for learners moving on. Its
losses match the app's to float rounding for the first tens of epochs; later, on a sensitive run,
they can part as nnlearn parts from itself when one starting weight moves by one bit (numpy and
PyTorch round matrix products differently in the last bit; tests/unit/test_playground_torch.py).
With your own data, `export_data` gives the playground_data.npz both scripts load.
"""

import io
import json

import numpy as np

from .state import LOSSES, Config

_ACTIVATION_CODE = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": None}
_SCHEDULE_CODE = {
    "constant": "{lr!r}",
    "step": "{lr!r} * 0.5 ** (epoch // 50)",
    "cosine": "{lr!r} * 0.5 * (1 + math.cos(math.pi * min(epoch, 200) / 200))",
}


def export_config(playground):
    """The settings as a JSON string (import_config reads it back)."""
    return json.dumps(playground.config.as_dict(), indent=2)


def import_config(text):
    """A Config from export_config's JSON; ValueError naming what is wrong."""
    try:
        values = json.loads(text)
    except ValueError as error:
        raise ValueError(f"import_config: not JSON ({error})") from None
    if not isinstance(values, dict):
        raise ValueError("import_config: expected a JSON object of settings")
    return Config.from_dict(values)


def export_weights(playground):
    """The current weights as the bytes of an .npz file: layer{i}.weight (in, out), layer{i}.bias."""
    buffer = io.BytesIO()
    np.savez(buffer, **playground.weights())
    return buffer.getvalue()


def export_data(playground):
    """Your own data as the bytes of the .npz file the exported scripts load (playground_data.npz):
    X_train, y_train, X_test, y_test, in the playground's plane and split as the app splits them."""
    if playground.own_data is None:
        raise ValueError("export_data: this playground trains one of its own data sets; the scripts make it")
    buffer = io.BytesIO()
    np.savez(buffer, X_train=playground.X_train, y_train=playground.y_train, X_test=playground.X_test,
             y_test=playground.y_test)
    return buffer.getvalue()


def _layers(config, n_inputs, n_outputs, linear, activation_of, dropout):
    lines, width = [], n_inputs
    for units in config.hidden:
        line = f"    {linear(width, units)},"
        if activation_of(config.activation):
            line += f" {activation_of(config.activation)},"
        if config.dropout > 0:
            line += f" {dropout(config.dropout)},"
        lines.append(line)
        width = units
    lines.append(f"    {linear(width, n_outputs)},")
    return "\n".join(lines)


def _data_lines(playground):
    c = playground.config
    if playground.own_data is not None:
        return ('data = np.load("playground_data.npz")        # your data: export offers this file beside the script\n'
                'X_train, y_train, X_test, y_test = data["X_train"], data["y_train"], data["X_test"], data["y_test"]')
    return (f"X_train, y_train, X_test, y_test = make_data({c.dataset!r}, n_points={c.n_points}, noise={c.noise}, "
            f"train_percent={c.train_percent}, seed={c.seed})")


def _target_lines(playground):
    if playground.problem == "regression":
        return "def target(y):\n    return y.reshape(-1, 1)                      # one output per point"
    if playground.config.loss == "cross-entropy":
        return "def target(y):\n    return y                                     # class labels"
    return (f"def target(y):\n    return np.eye({playground.n_classes})[y]"
            "                        # one-hot rows: the loss is a regression on them")


def _regulariser_lines(config, weights_of, sign, no_grad=False):
    """The regulariser's step, as lines inside the mini-batch loop (8 spaces deep)."""
    if config.regularization == "none" or config.reg_rate == 0:
        return ""
    penalty = f"{sign}(w)" if config.regularization == "L1" else "w"
    lines = [f"# {config.regularization} regularisation of the weights (not the biases)"]
    if no_grad:
        lines.append("with torch.no_grad():")
    indent = "    " if no_grad else ""
    lines += [f"{indent}for w in {weights_of}:", f"{indent}    w -= lr * {config.reg_rate!r} * {penalty}"]
    return "".join(f"        {line}\n" for line in lines)


def export_script(playground, epochs=None):
    """A runnable nnlearn script that trains this playground's network for `epochs` (default: as many
    as the app has) and prints the training and test loss after every epoch."""
    c, epochs = playground.config, playground.epoch if epochs is None else epochs
    n_out = playground.n_classes if playground.problem == "classification" else 1
    layers = _layers(c, len(c.features), n_out, lambda a, b: f"nl.Linear({a}, {b}, rng=rng)",
                     lambda name: f"nl.{_ACTIVATION_CODE[name]}()" if _ACTIVATION_CODE[name] else "",
                     lambda p: f"nl.Dropout({p!r}, rng=rng)")
    regulariser = _regulariser_lines(c, "[layer.weight.data for layer in model if isinstance(layer, nl.Linear)]",
                                     "np.sign")
    return f'''"""The network of an nnlearn playground, rebuilt and trained: it prints the app's losses.

Settings: {c.to_string()}
"""
import math

import numpy as np
import nnlearn as nl
from nnlearn.playground import make_data, make_features

{_data_lines(playground)}
features = {list(c.features)!r}
inputs_train, inputs_test = make_features(X_train, features), make_features(X_test, features)
{_target_lines(playground)}

rng = np.random.default_rng({c.seed})           # the playground's seed: the same starting weights
model = nl.Sequential(
{layers}
)
loss_fn = {LOSSES[c.loss].pytorch.replace('nn.', 'nl.', 1)}
optimizer = nl.optim.OPTIMIZERS[{c.optimizer!r}].make(model.parameters(), {c.learning_rate!r})
order = np.random.default_rng({c.seed + 1})     # the order of the mini-batches


def evaluate(inputs, y):
    """The loss on some data, with dropout off."""
    model.eval()
    loss = loss_fn(model(inputs), target(y))
    model.train()
    return loss


train_loss, test_loss = [evaluate(inputs_train, y_train)], [evaluate(inputs_test, y_test)]
for epoch in range({epochs}):
    lr = {_SCHEDULE_CODE[c.schedule].format(lr=c.learning_rate)}
    optimizer.param_groups[0]["lr"] = lr
    for X_batch, y_batch in nl.data.minibatches(inputs_train, target(y_train), {c.batch_size}, shuffle=True, rng=order):
        nl.train_step(model, loss_fn, optimizer, X_batch, y_batch)   # forward, loss, backward, update
{regulariser}    train_loss.append(evaluate(inputs_train, y_train))
    test_loss.append(evaluate(inputs_test, y_test))
    print(f"epoch {{epoch + 1}}: training loss {{train_loss[-1]:.6f}}, test loss {{test_loss[-1]:.6f}}")
'''




def export_torch_script(playground, epochs=None):
    """The same network and training in PyTorch (float64, the same starting weights and batches).
    With dropout the masks are PyTorch's own, so that curve differs."""
    c, epochs = playground.config, playground.epoch if epochs is None else epochs
    n_out = playground.n_classes if playground.problem == "classification" else 1
    layers = _layers(c, len(c.features), n_out, lambda a, b: f"torch.nn.Linear({a}, {b})",
                     lambda name: f"torch.nn.{_ACTIVATION_CODE[name]}()" if _ACTIVATION_CODE[name] else "",
                     lambda p: f"torch.nn.Dropout({p!r})")
    settings = dict(playground.optimizer.defaults)
    name = type(playground.optimizer).__name__
    arguments = ", ".join(f"{key}={value!r}" for key, value in settings.items())
    regulariser = _regulariser_lines(c, "[layer.weight for layer in model if isinstance(layer, torch.nn.Linear)]",
                                     "torch.sign", no_grad=True)
    target = _target_lines(playground)
    return f'''"""The network of an nnlearn playground in PyTorch: the same start, batches and updates.

Settings: {c.to_string()}
"""
import math

import numpy as np
import torch
import nnlearn as nl
from nnlearn.playground import Config, build_model, make_data, make_features

torch.set_default_dtype(torch.float64)
{_data_lines(playground)}
features = {list(c.features)!r}
inputs_train, inputs_test = make_features(X_train, features), make_features(X_test, features)
{target}

model = torch.nn.Sequential(
{layers}
)
# The playground's starting weights (nnlearn stores W as (in, out); PyTorch as (out, in)).
start = [layer for layer in build_model(Config.from_string({c.to_string()!r}), {len(c.features)}, {n_out})
         if isinstance(layer, nl.Linear)]
with torch.no_grad():
    for mine, theirs in zip([m for m in model if isinstance(m, torch.nn.Linear)], start):
        mine.weight.copy_(torch.from_numpy(theirs.weight.data.T.copy()))
        mine.bias.copy_(torch.from_numpy(theirs.bias.data.copy()))
loss_fn = torch.{LOSSES[c.loss].pytorch}
optimizer = torch.optim.{name}(model.parameters(), {arguments})
order = np.random.default_rng({c.seed + 1})     # the order of the mini-batches


def as_tensor(array):
    return torch.from_numpy(np.asarray(array))


def evaluate(inputs, y):
    model.eval()
    with torch.no_grad():
        loss = loss_fn(model(as_tensor(inputs)), as_tensor(target(y))).item()
    model.train()
    return loss


train_loss, test_loss = [evaluate(inputs_train, y_train)], [evaluate(inputs_test, y_test)]
for epoch in range({epochs}):
    lr = {_SCHEDULE_CODE[c.schedule].format(lr=c.learning_rate)}
    for group in optimizer.param_groups:
        group["lr"] = lr
    for X_batch, y_batch in nl.data.minibatches(inputs_train, target(y_train), {c.batch_size}, shuffle=True, rng=order):
        loss = loss_fn(model(as_tensor(X_batch)), as_tensor(y_batch))   # forward, loss
        optimizer.zero_grad()
        loss.backward()                                                 # backward
        optimizer.step()                                                # update
{regulariser}    train_loss.append(evaluate(inputs_train, y_train))
    test_loss.append(evaluate(inputs_test, y_test))
    print(f"epoch {{epoch + 1}}: training loss {{train_loss[-1]:.6f}}, test loss {{test_loss[-1]:.6f}}")
'''
