"""The playground app's state going in and out: a state string or JSON loads completely or is
refused with a message naming the setting, and export offers every file its scripts need.

A load checks the whole config against what the controls can show (a slider's range, a menu's
entries, the data this app trains) before it touches any control; the controls are then set
with the app's own reactions muted (`loading`), so no observer is ever removed or left behind.
"""

import base64
import contextlib
import dataclasses

import ipywidgets as widgets

from ..playground import (DATASETS, FEATURES, Config, Playground, export_config, export_data, export_script,
                          export_torch_script, export_weights, import_config)

# The settings a load puts into a control of the same name.
CONTROLLED = ("noise", "train_percent", "activation", "regularization", "reg_rate", "learning_rate", "loss",
              "optimizer", "dropout", "schedule", "batch_size")


def datasets_of(problem):
    return [name for name, (_generate, kind) in DATASETS.items() if kind == problem]


def _outside(control, value):
    """Why `control` cannot show `value` (a sentence), or None."""
    if hasattr(control, "options"):
        options = list(control.options)
        return None if value in options else f"{value!r} is not on its menu {options}"
    low, high = control.min, control.max
    if isinstance(control, widgets.FloatLogSlider):
        low, high = control.base ** low, control.base ** high
    if low * (1 - 1e-9) <= value <= high * (1 + 1e-9):
        return None
    return f"{value:g} is outside its range {low:g} .. {high:g}"


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
        for name in CONTROLLED:
            if name == "batch_size":
                continue
            why = _outside(self.controls[name], getattr(config, name))
            if why:
                return f"{name}: {why}"
        trained = Playground(config, self._data)
        if config.batch_size > len(trained.X_train):
            return (f"batch_size: {config.batch_size} is more than the {len(trained.X_train)} training points "
                    "of that state's data")
        return None

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
        self._pending = {"seed": config.seed, "n_points": config.n_points}
        values = {name: getattr(config, name) for name in CONTROLLED}
        values.update({f"feature {n}": n in config.features for n in FEATURES})
        with self.loading():
            if self._data is None:
                k["problem"].value = config.problem
                k["dataset"].options = datasets_of(config.problem)
                k["dataset"].value = config.dataset
            # the batch slider reaches the new training set; refusal() checked the value fits in it
            k["batch_size"].max = max(1, len(Playground(config, self._data).X_train))
            for name, value in values.items():
                k[name].value = value

    def export(self):
        """Download links: the config (JSON), the weights (.npz), an nnlearn script and a PyTorch one,
        and with your own data the data file the scripts load."""
        files = [("playground.json", "application/json", export_config(self.pg).encode()),
                 ("playground_weights.npz", "application/octet-stream", export_weights(self.pg)),
                 ("playground.py", "text/x-python", export_script(self.pg).encode()),
                 ("playground_torch.py", "text/x-python", export_torch_script(self.pg).encode())]
        if self.pg.user is not None:
            files.append(("playground_data.npz", "application/octet-stream", export_data(self.pg)))
        links = [f'<a download="{name}" href="data:{mime};base64,{base64.b64encode(body).decode()}">{name}</a>'
                 for name, mime, body in files]
        self.downloads.value = " · ".join(links)
        return files


def own_config(config, problem):
    """The config of a playground on your own data: dataset "yours", and a loss that fits."""
    config = dataclasses.replace(config, dataset="yours")
    if problem == "regression" and config.loss == "cross-entropy":
        config = dataclasses.replace(config, loss="mse")
    return config.validate()
