"""The playground: everything TensorFlow Playground does, on nnlearn's engine, and more.

`playground()` returns an App whose controls set a `nnlearn.playground.Config`; any change of a
setting starts again from the same seed (so the loss curve is reproducible and exportable), while
`show_test` and `discretize` only change the view. **play** trains an epoch per frame in an asyncio
task of the kernel, so the controls stay live while it runs and pause stops it within a frame;
**step** trains one epoch; **reset** starts again. Your own data: `playground(X, y)`,
`playground(frame, columns=("a", "b"), label="c")` or `playground("file.csv", label="c")`.
`playground(state="...")` restores a state string (the `state` box shows the current one).
"""

import asyncio
import dataclasses
import time

import ipywidgets as widgets

from .. import optim
from ..playground import ACTIVATIONS, FEATURES, LOSSES, SCHEDULES, Config, Playground, user_data
from ..plots.playground import PlaygroundFigure
from .app import App, AppMessage, log_slider
from .playground_drawing import Drawing
from .playground_lookahead import LookAhead, data_changed
from .playground_state import (LR_EXPONENTS, RANGES, REG_RATES, StateControls, batch_max, datasets_of,
                               outside_the_controls, own_config)
from .serial import one_at_a_time

FRAME_SECONDS = 0.05               # play aims at 20 frames a second; each frame is one epoch
MIN_IDLE_SECONDS = 0.01
MAX_LAYERS, MAX_NEURONS = 6, 8
_WIDE = {"description_width": "initial"}


def _dropdown(name, options, value):
    return widgets.Dropdown(options=list(options), value=value, description=name, style=_WIDE,
                            layout=widgets.Layout(width="auto"))


def _slider(kind, name, value, low, high, step):
    return kind(value=value, min=low, max=high, step=step, description=name, style=_WIDE,
                continuous_update=False, layout=widgets.Layout(width="320px"))


def _button(text, tip=""):
    return widgets.Button(description=text, tooltip=tip, layout=widgets.Layout(width="auto"))


class PlaygroundApp(StateControls, LookAhead, Drawing, App):
    """The playground's controls and picture over one `Playground`."""

    def __init__(self, config, data=None):
        self._data = data
        self._hidden = list(config.hidden)
        self.pg = Playground(config, data)
        self.view = PlaygroundFigure()
        self.view.set_data(self.pg)
        c = config
        problem = self.pg.problem
        datasets = ["yours"] if data is not None else datasets_of(problem)
        controls = {
            "problem": widgets.ToggleButtons(options=["classification", "regression"], value=problem,
                                             description="problem", style=_WIDE, disabled=data is not None),
            "dataset": _dropdown("data", datasets, "yours" if data is not None else c.dataset),
            "noise": _slider(widgets.IntSlider, "noise %", c.noise, *RANGES["noise"], 5),
            "train_percent": _slider(widgets.IntSlider, "training data %", c.train_percent, *RANGES["train_percent"], 10),
            "show_test": widgets.Checkbox(value=False, description="show test data", indent=False),
            "discretize": widgets.Checkbox(value=False, description="discretise output", indent=False),
            "activation": _dropdown("activation", ACTIVATIONS, c.activation),
            "regularization": _dropdown("regularisation", ("none", "L1", "L2"), c.regularization),
            "reg_rate": _dropdown("rate", REG_RATES, c.reg_rate),
            "learning_rate": log_slider("learning rate", c.learning_rate, *LR_EXPONENTS, step=0.25,
                                        layout=widgets.Layout(width="320px")),
            "batch_size": _slider(widgets.IntSlider, "batch size", c.batch_size, 1, batch_max(self.pg), 1),
            "loss": _dropdown("loss", LOSSES, c.loss),
            "optimizer": _dropdown("optimizer", optim.OPTIMIZERS, c.optimizer),
            "dropout": _slider(widgets.FloatSlider, "dropout", c.dropout, *RANGES["dropout"], 0.1),
            "schedule": _dropdown("schedule", SCHEDULES, c.schedule),
            "play": widgets.ToggleButton(value=False, description="play", icon="play",
                                         layout=widgets.Layout(width="auto")),
        }
        for name in FEATURES:
            controls[f"feature {name}"] = widgets.ToggleButton(value=name in c.features, description=name,
                                                               layout=widgets.Layout(width="auto"))
        self.buttons = {"step": _button("step", "train one epoch"), "reset": _button("reset", "start again"),
                        "regenerate": _button("regenerate data"), "add_layer": _button("+ layer"),
                        "remove_layer": _button("- layer"), "export": _button("export"),
                        "load": _button("load state")}
        self.neuron_buttons = [(_button("+"), _button("-")) for _ in range(MAX_LAYERS)]
        self.epoch_label = widgets.HTML()
        self.downloads = widgets.HTML()
        self.state_box = widgets.Text(description="state", style=_WIDE, layout=widgets.Layout(width="420px"))
        for widget in (self.buttons["export"], self.buttons["load"], self.state_box, self.buttons["reset"]):
            # no picture change by design (reset right after a change: training restarted anyway);
            # tests/apps/test_widgets_playground.py covers them, tests/browser_helpers.py leaves them out
            widget.add_class("nnlearn-not-moved")
        if data is not None:                 # your data: no data set to choose, no noise to add
            _disable(controls["dataset"], "your own data is the data set")
            _disable(controls["noise"], "noise is added to Playground's data sets, not to yours")
        self.frames = 0
        self._task = None
        self.drawing = self._drawing_controls()
        super().__init__(controls, self.view.figure, self._refresh_from_controls, title="Playground")
        self._listen_to_clicks()
        self.picture_key = self._fresh_start_key
        self._wire()
        # The frame lays all controls out in one row; the playground groups them as Playground does.
        # Keep the frame's title and its hidden helpers (the layout rules), and close its row.
        header, row = self.children[0], self.children[1]
        hidden = [child for child in self.children if child.layout.display == "none"]
        self.children = [header, *self._layout(), *hidden]
        row.children = ()
        row.layout.close()
        row.close()

    # layout and events
    def _layout(self):
        k = self.controls
        row = lambda *items, **kw: widgets.HBox(list(items), layout=widgets.Layout(flex_flow="row wrap", **kw))
        features = row(widgets.Label("features:"), *[k[f"feature {n}"] for n in FEATURES])
        self.layer_boxes = [row(widgets.Label(f"layer {i + 1}"), plus, minus, margin="0 12px 0 0")
                            for i, (plus, minus) in enumerate(self.neuron_buttons)]
        neurons = row(widgets.Label("neurons per layer:"), *self.layer_boxes)
        b = self.buttons
        return [row(k["play"], b["step"], b["reset"], self.epoch_label),
                row(k["problem"], k["dataset"], k["noise"], k["train_percent"], b["regenerate"], k["show_test"], k["discretize"]),
                features,
                row(b["add_layer"], b["remove_layer"], k["activation"], k["dropout"], k["regularization"], k["reg_rate"]),
                neurons,
                row(k["learning_rate"], k["batch_size"], k["loss"], k["optimizer"], k["schedule"]),
                self.image, self.message, row(*self.drawing),
                row(b["export"], self.downloads, self.state_box, b["load"])]

    def _wire(self):
        b = self.buttons
        b["step"].on_click(lambda _: self.step())
        b["reset"].on_click(lambda _: self.reset())
        b["regenerate"].on_click(lambda _: self._change(seed=self.pg.config.seed + 1))
        b["add_layer"].on_click(lambda _: self._layers(+1))
        b["remove_layer"].on_click(lambda _: self._layers(-1))
        b["export"].on_click(lambda _: self.export())
        b["load"].on_click(lambda _: self.load(self.state_box.value))
        for i, (plus, minus) in enumerate(self.neuron_buttons):
            plus.on_click(lambda _, i=i: self._neurons(i, +1))
            minus.on_click(lambda _, i=i: self._neurons(i, -1))
        self.controls["play"].unobserve(self._on_change, names="value")
        self.controls["play"].observe(self._on_play, names="value")
        self.controls["problem"].unobserve(self._on_change, names="value")
        self.controls["problem"].observe(self._on_problem, names="value")

    def _on_change(self, change):
        if not self._loading:
            super()._on_change(change)

    def _on_problem(self, change):
        """Playground's problem type: its datasets, and a loss that fits (mse for regression)."""
        if self._loading:
            return
        with self.loading():
            self.controls["loss"].value = "mse" if change.new == "regression" else "cross-entropy"
        self.controls["dataset"].options = datasets_of(change.new)      # selects the first, which recomputes

    def _layers(self, delta):
        if delta > 0 and len(self._hidden) < MAX_LAYERS:
            self._hidden.append(4)
        elif delta < 0 and self._hidden:
            self._hidden.pop()
        self.refresh()

    def _neurons(self, layer, delta):
        if layer < len(self._hidden):
            self._hidden[layer] = min(MAX_NEURONS, max(1, self._hidden[layer] + delta))
        self.refresh()

    def _change(self, **settings):
        self._pending = settings
        self.refresh()

    # state
    def config_from_controls(self):
        k, old = self.controls, self.pg.config
        features = tuple(n for n in FEATURES if k[f"feature {n}"].value)
        if not features:
            raise AppMessage("Switch on at least one input feature.")
        dataset = old.dataset if k["dataset"].value == "yours" else k["dataset"].value
        problem = dataclasses.replace(old, dataset=dataset).problem if self._data is None else self.pg.problem
        regression = problem == "regression"
        if regression and k["loss"].value == "cross-entropy":
            raise AppMessage("Regression needs mse or huber: cross-entropy is for classes. Choose another loss.")
        settings = dict(dataset=dataset, noise=k["noise"].value, train_percent=k["train_percent"].value,
                        features=features, hidden=tuple(self._hidden), activation=k["activation"].value,
                        regularization=k["regularization"].value, reg_rate=float(k["reg_rate"].value),
                        learning_rate=float(k["learning_rate"].value), batch_size=int(k["batch_size"].value),
                        loss=k["loss"].value, optimizer=k["optimizer"].value, dropout=round(float(k["dropout"].value), 2),
                        schedule=k["schedule"].value)
        settings.update(getattr(self, "_pending", {}))
        self._pending = {}
        return dataclasses.replace(old, **settings).validate()

    def _refresh_from_controls(self, _app):            # the app is self
        config = self.config_from_controls()
        if config != self.pg.config:
            old = self.pg.config
            self.pg = Playground(config, self._data)
            if data_changed(old, config):
                self.view.set_data(self.pg)
                self.controls["batch_size"].max = batch_max(self.pg)
            self._look_ahead(old, config)
        self.draw()

    def draw(self):
        many = self.pg.n_classes > 2                 # each region already shows one class: nothing to round
        discretize = self.controls["discretize"]
        if discretize.disabled != many:
            with self.loading():                     # unchecked while it cannot mean anything
                discretize.value = discretize.value and not many
            discretize.disabled = many
            discretize.tooltip = "with 3 or more classes each region already shows one class" if many else None
        self.view.draw(self.pg, self.controls["show_test"].value, self.controls["discretize"].value)
        for i, (plus, minus) in enumerate(self.neuron_buttons):
            shown = i < len(self._hidden)
            plus.layout.display = minus.layout.display = None if shown else "none"
            if hasattr(self, "layer_boxes"):
                self.layer_boxes[i].layout.display = None if shown else "none"
        self.epoch_label.value = f"<b>epoch {self.pg.epoch}</b>"
        self.state_box.value = self.pg.config.to_string()
        if self.pg.record.diverged_at is not None:
            raise AppMessage(self.pg.divergence_message())
        self._show_drawing_controls()
        if self.drawing_hint():
            raise AppMessage(self.drawing_hint())

    # actions
    @one_at_a_time                             # play calls it from the loop, outside any widget message
    def step(self, epochs=1):
        """Train `epochs` epochs and redraw once."""
        for _ in range(epochs):
            self.pg.step()
        self.frames += 1
        self.refresh()                         # the settings are unchanged: this only draws

    def reset(self):
        self.pg.reset()
        self.refresh()

    def _on_play(self, change):
        self.controls["play"].description = "pause" if change.new else "play"
        self.controls["play"].icon = "pause" if change.new else "play"
        if change.new and (self._task is None or self._task.done()):
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:                 # a script or a test without an event loop: nothing animates
                self.controls["play"].value = False
                self.show_message("play animates in a running kernel (Jupyter, Voila); here, call step()",
                                  kind="warning")
                return
            self._task = loop.create_task(self._play())

    async def _play(self):
        """Train and draw one epoch a frame until pause; each await lets the kernel handle the controls."""
        while self.comm is not None and getattr(self.controls.get("play"), "value", False):   # closed: stop
            start = time.perf_counter()
            self.step()
            if self.pg.record.diverged_at is not None:
                self.controls["play"].value = False
            # at least a little idle time each frame, so the kernel reads the controls' messages (pause)
            await asyncio.sleep(max(MIN_IDLE_SECONDS, FRAME_SECONDS - (time.perf_counter() - start)))


def _disable(control, reason):
    control.disabled = True
    control.tooltip = reason


def playground(data=None, y=None, *, state=None, columns=None, label=None, problem="classification",
               projection=None, **settings):
    """TensorFlow Playground on nnlearn: `playground()`, `playground(X, y)`, `playground(state=...)`."""
    if state is not None and settings:
        raise ValueError(f"playground: give either state= or settings ({', '.join(settings)}), not both")
    config = Config.from_string(state) if state is not None else Config.from_dict(settings)
    own = None
    if data is not None:
        own = user_data(data, y, columns=columns, label=label, problem=problem, projection=projection)
        # the default loss follows the data; a loss asked for (in the state or by name) is kept or refused
        config = own_config(config, problem, chosen=state is not None or "loss" in settings)
    elif config.dataset == "yours":
        raise ValueError("playground: the state was made on your own data, which a state does not carry; "
                         "pass the data too: playground(X, y, state=...)")
    why = outside_the_controls(config, own)
    if why:
        raise ValueError(f"playground: {why}")
    return PlaygroundApp(config, own)
