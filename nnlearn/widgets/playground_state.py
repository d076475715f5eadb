"""The playground app's state going in and out: a state string or JSON loads completely or is
refused with a message naming the setting, and export offers every file its scripts need.

A load (and `playground(state=...)` or settings) checks the whole config against what the
controls can show (a slider's range, a menu's entries, the data this app trains) before it touches
or builds any control; the controls are then set
with the app's own reactions muted (`loading`), so no observer is ever removed or left behind.
"""

import base64
import contextlib
import dataclasses

from ..playground.state import DRAWN
from ..playground import (DATASETS, FEATURES, Config, Playground, export_config, export_data, export_script,
                          export_torch_script, export_weights, import_config)

# The menus and ranges of the controls (one place: the app builds its controls from them, and a
# config is checked against them before any control is built or set).
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
DRAWN_BATCH = 10                         # the batch slider reaches this far on a drawing of fewer points
LR_EXPONENTS = (-5, 1)                   # the learning-rate slider: 10**-5 .. 10
RANGES = {"noise": (0, 50), "train_percent": (10, 90), "dropout": (0.0, 0.8),
          "learning_rate": tuple(10.0 ** e for e in LR_EXPONENTS)}
# The settings a load puts into a control of the same name.
CONTROLLED = ("noise", "train_percent", "activation", "regularization", "reg_rate", "learning_rate", "loss",
              "optimizer", "dropout", "schedule", "batch_size")


def datasets_of(problem):
    names = [name for name, (_generate, kind) in DATASETS.items() if kind == problem]
    return names + [DRAWN] if problem == "classification" else names


def batch_max(playground):
    """The batch slider's top: the training points; on a drawing at least DRAWN_BATCH, so its first
    clicks keep the batch size (a batch larger than the data is all of it)."""
    training = len(playground.X_train)
    return max(training, DRAWN_BATCH) if playground.config.dataset == DRAWN else max(1, training)


def outside_the_controls(config, data=None):
    """Why the app's controls cannot show `config` (a menu's entries, a slider's range, a batch
    larger than the training data), or None."""
    if config.reg_rate not in REG_RATES:
        return f"reg_rate: {config.reg_rate!r} is not on its menu {list(REG_RATES)}"
    for name, (low, high) in RANGES.items():
        value = getattr(config, name)
        if not low * (1 - 1e-9) <= value <= high * (1 + 1e-9):
            return f"{name}: {value:g} is outside its range {low:g} .. {high:g}"
    top = batch_max(Playground(config, data))
    if config.batch_size > top:
        return f"batch_size: {config.batch_size} is more than the {top} training points of that data"
    return None


class StateControls:
    """The load and export half of PlaygroundApp (which provides controls, pg, _data, refresh)."""

    _loading = False

    @contextlib.contextmanager
    def loading(self):
        """Set controls without the app reacting to each one (the observers stay connected)."""
        self._loading = True
        try:
            yield
        finally:
            self._loading = False

    def refusal(self, config):
        """Why these controls cannot load `config` (naming the setting), or None."""
        own = self._data is not None
        if own and config.dataset != "yours":
            return (f"dataset: this playground trains your own data, and the state is for the {config.dataset!r} "
                    "data set; open that one with nl.widgets.playground(state=...)")
        if not own and config.dataset == "yours":
            return ("dataset: the state was made on your own data, which a state does not carry; "
                    "open it with nl.widgets.playground(X, y, state=...)")
        if own and self.pg.problem == "regression" and config.loss == "cross-entropy":
            return "loss: your data is a regression, which needs mse or huber, not cross-entropy"
        return outside_the_controls(config, self._data)

    def load(self, text):
        """Restore a state string or an exported JSON config into the controls, or say why not."""
        text = (text or "").strip()
        try:
            config = import_config(text) if text.startswith("{") else Config.from_string(text)
            why = self.refusal(config)
        except (ValueError, TypeError) as error:
            why = str(error)
        if why:
            self.show_message(f"Not loaded (nothing changed): {why}", kind="warning")
            return False
        self.set_config(config)
        return True

    def set_config(self, config):
        """Put a config into the controls (muted), then recompute once. A control that refuses its
        value (refusal() should have caught it) puts the previous config back."""
        old = self.pg.config
        try:
            self._show_config(config)
        except Exception:
            self._show_config(old)
            raise
        self.refresh()

    def _show_config(self, config):
        k = self.controls
        self._hidden = list(config.hidden)
        self._pending = {"seed": config.seed, "n_points": config.n_points, "points": config.points}
        values = {name: getattr(config, name) for name in CONTROLLED}
        values.update({f"feature {n}": n in config.features for n in FEATURES})
        with self.loading():
            if self._data is None:
                k["problem"].value = config.problem
                k["dataset"].options = datasets_of(config.problem)
                k["dataset"].value = config.dataset
            # the batch slider reaches the new training set; refusal() checked the value fits in it
            k["batch_size"].max = batch_max(Playground(config, self._data))
            for name, value in values.items():
                k[name].value = value

    def export(self):
        """Download links: the config (JSON), the weights (.npz), an nnlearn script and a PyTorch one,
        and with your own data the data file the scripts load."""
        files = [("playground.json", "application/json", export_config(self.pg).encode()),
                 ("playground_weights.npz", "application/octet-stream", export_weights(self.pg)),
                 ("playground.py", "text/x-python", export_script(self.pg).encode()),
                 ("playground_torch.py", "text/x-python", export_torch_script(self.pg).encode())]
        if self.pg.own_data is not None:
            files.append(("playground_data.npz", "application/octet-stream", export_data(self.pg)))
        links = [f'<a download="{name}" href="data:{mime};base64,{base64.b64encode(body).decode()}">{name}</a>'
                 for name, mime, body in files]
        self.downloads.value = " · ".join(links)
        return files


def own_config(config, problem, chosen=False):
    """The config of a playground on your own data: dataset "yours", and a loss that fits (the
    default cross-entropy becomes mse for a regression; a `chosen` one is refused)."""
    config = dataclasses.replace(config, dataset="yours")
    if problem == "regression" and config.loss == "cross-entropy":
        if chosen:
            raise ValueError("playground: loss: your data is a regression (problem='regression'), which needs "
                             "mse or huber, not cross-entropy")
        config = dataclasses.replace(config, loss="mse")
    return config.validate()
