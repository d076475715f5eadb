"""Initialisation and depth: the apps for lesson 09.

`symmetry_explorer()`: a 64 -> 8 tanh -> 10 network on digits, started from all-equal, all-zero
or random weights; the 8 hidden units' incoming weights as 8 rows of pixels at the step chosen,
and the loss. Equal starts stay equal: every unit gets the same gradient.
`depth_explorer()`: a deep MLP (10-30 layers) whose weights are a multiple of the derived scale
(He for ReLU, Xavier for tanh): the spread of each layer's activations and each layer's gradient
norm at the start (log scales), and the loss over the first updates. Its grid is stored
(`experiments.initialisation.stored_signals`), so a move only redraws.
"""

import html

import ipywidgets as widgets
import numpy as np

from ..experiments import initialisation as init
from ..plots import MARKERS, PALETTE, label, new_figure
from .app import App, log_slider, slider_neighbours

STD_LIMITS = (1e-12, 1e12)
GRAD_LIMITS = (1e-14, 1e12)
LOSS_CEILING = 4.0                  # losses above are drawn at the top (the readout gives them)


def _toggle(options, value, description):
    return widgets.ToggleButtons(options=list(options), value=value, description=description,
                                 style={"description_width": "initial", "button_width": "64px"})


def symmetry_explorer(start="all equal", step=0):
    """The hidden units of a small network from an equal, a zero or a random start.

    Controls: start ("all equal": every weight and bias 0.1; "all zero"; "random": Xavier), step
    (0-100 updates of gradient descent, lr 0.5). Left: each hidden unit's 64 incoming weights as a
    row (colour: the weight); right: the training loss, a dot at the step shown.
    """
    controls = {"start": _toggle(init.SYMMETRY_INITS, start, "start"),
                "step": widgets.IntSlider(value=step, min=0, max=init.SYMMETRY_STEPS, description="step",
                                          continuous_update=True)}
    figure, (ax_units, ax_loss) = new_figure(10, 3.4, ncols=2)
    image = ax_units.imshow(np.zeros((8, 64)), cmap="PuOr", vmin=-0.5, vmax=0.5, aspect="auto", animated=True,
                            interpolation="nearest")
    figure.colorbar(image, ax=ax_units, label="weight")
    ax_units.set_yticks(range(8), [f"unit {k + 1}" for k in range(8)])
    label(ax_units, "Each hidden unit's 64 incoming weights", "pixel (input) 1-64", "")
    (curve,) = ax_loss.plot([], [], color=PALETTE[4], animated=True, label="training loss")
    (dot,) = ax_loss.plot([], [], linestyle="none", marker=MARKERS[0], color=PALETTE[5], animated=True)
    ax_loss.set_xlim(0, init.SYMMETRY_STEPS)
    ax_loss.set_ylim(0, 2.6)
    label(ax_loss, "Training loss", "update", "cross-entropy")
    readout = widgets.HTML()

    def update(app):
        run = init.symmetry_run(controls["start"].value)
        k = int(controls["step"].value)
        image.set_data(run["weights"][k])
        curve.set_data(np.arange(len(run["loss"])), run["loss"])
        dot.set_data([k], [run["loss"][k]])
        spread = float(np.ptp(run["weights"][k], axis=0).max())
        readout.value = html.escape(
            f"step {k}: {run['distinct'][k]} different hidden unit(s) of 8; the largest difference between "
            f"two units' weights from one pixel is {spread:.3g}; loss {run['loss'][k]:.3f}.")

    return App(controls, figure, update, extra=(readout,), title="Symmetry: why the first weights are random")


PRESETS = {"derived (1×)": lambda activation: 0.0,
           "nnlearn default's weights": lambda activation: round(float(np.log10(init.default_scale(activation))), 1),
           "too small (0.5×)": lambda activation: -0.3,
           "too large (2×)": lambda activation: 0.3}


def depth_explorer(depth=20, width=64, activation="relu", init_scale=1.0):
    """Signals through a deep network at its start, and its first updates.

    Controls: depth (hidden layers), width (units per layer), activation, init_scale (log slider:
    every weight is this many times the derived scale, N(0, 2/fan_in) for ReLU, Xavier's
    2/(fan_in + fan_out) for tanh); the preset buttons set init_scale. Left: the standard deviation
    of each hidden layer's outputs; middle: ||dL/dW|| of each layer; right: the loss over the first
    25 updates of gradient descent (lr 0.05, 128 standardised digits).
    """
    controls = {"depth": _toggle(init.DEPTHS, depth, "hidden layers"),
                "width": _toggle(init.WIDTHS, width, "width"),
                "activation": _toggle(init.DERIVED, activation, "activation"),
                "init_scale": log_slider("init scale (× He/Xavier)", init_scale, -1, 1, step=0.1)}
    buttons = [widgets.Button(description=name, layout=widgets.Layout(width="auto")) for name in PRESETS]
    for button in buttons:
        button.on_click(lambda b: setattr(controls["init_scale"], "value",
                                          10 ** PRESETS[b.description](controls["activation"].value)))
    readout = widgets.HTML()
    init.stored_signals(depth, width, activation, 0.0)         # load the stored grid before the first move
    figure, (ax_std, ax_grad, ax_loss) = new_figure(11, 3.5, ncols=3)
    last = max(init.DEPTHS) + 1
    (spread_line,) = ax_std.semilogy([], [], color=PALETTE[4], marker=MARKERS[0], markersize=3, animated=True)
    (grad_line,) = ax_grad.semilogy([], [], color=PALETTE[5], marker=MARKERS[1], markersize=3, animated=True)
    (loss_line,) = ax_loss.plot([], [], color=PALETTE[2], marker=MARKERS[2], markersize=3, animated=True)
    (off_scale,) = ax_loss.plot([], [], linestyle="none", marker="X", color=PALETTE[5], markersize=7, animated=True,
                                label=f"above {LOSS_CEILING:g} (or overflowed)")
    ax_loss.axhline(np.log(10), color="0.5", linestyle="--", linewidth=1, label="ln 10: guessing")
    for ax, limits in ((ax_std, STD_LIMITS), (ax_grad, GRAD_LIMITS)):
        ax.set_xlim(0, last + 0.5)
        ax.set_ylim(*limits)
    ax_std.axhline(1.0, color="0.5", linestyle="--", linewidth=1, label="input spread 1")
    ax_loss.set_xlim(0, init.STEPS)
    ax_loss.set_ylim(0, LOSS_CEILING * 1.05)
    ax_std.legend(loc="lower left", fontsize=8)
    ax_loss.legend(loc="lower left", fontsize=8)
    label(ax_std, "Activation spread at the start", "hidden layer", "std of its outputs")
    label(ax_grad, "Gradient norm at the start", "layer (last = output)", "||dL/dW||")
    label(ax_loss, "Loss over the first updates", "update", "cross-entropy")

    def settings(exponent=None):
        """What the picture shows: (depth, width, activation, init-scale exponent). The exponent to 9
        digits: the page computes a log slider's 10**x in JavaScript, which can differ in the last bit."""
        if exponent is None:
            exponent = float(np.log10(controls["init_scale"].value))
        return (int(controls["depth"].value), int(controls["width"].value), controls["activation"].value,
                round(exponent, 9))

    def draw_artists(key):
        """Put the stored signals of `key` in the animated artists (the picture only); the readout's text."""
        depth_value, width_value, activation_name, exponent = key
        signals = init.stored_signals(depth_value, width_value, activation_name, exponent)
        spreads, norms, losses = signals["activation_std"], signals["grad_norm"], signals["loss"]
        spread_line.set_data(np.arange(1, depth_value + 1), np.clip(spreads, 1e-300, None))
        grad_line.set_data(np.arange(1, depth_value + 2), np.clip(norms, 1e-300, None))
        finite = np.isfinite(losses)
        steps = np.arange(len(losses))
        shown = np.minimum(losses, LOSS_CEILING)            # inf (overflowed) stays off the line
        loss_line.set_data(steps[finite], shown[finite])
        high = losses > LOSS_CEILING
        first_overflow = [] if finite.all() else [int(np.argmin(finite))]
        marked = np.union1d(steps[high & finite], first_overflow).astype(int)
        off_scale.set_data(marked, np.full(len(marked), LOSS_CEILING))
        ratio = spreads[-1] / spreads[0]
        ending = (f"loss {losses[0]:.3g} at the start, overflowed at update {int(np.argmin(finite))}"
                  if not finite.all() else f"loss {losses[0]:.3g} → {losses[-1]:.3g} after {init.STEPS} updates")
        return (f"{10 ** exponent:.2f} × the derived scale (nnlearn default's weights: {init.default_scale(activation_name):.2f} ×). "
                f"Spread: layer 1 {spreads[0]:.2g}, layer {depth_value} {spreads[-1]:.2g} ({ratio:.2g} ×); "
                f"gradient norm: first layer {norms[0]:.2g}, last {norms[-1]:.2g}; {ending}.")

    def prerender(app, key):
        """Draw the picture of `key` while the learner looks, so that a move there only sends it."""
        app.prerender(key, show=lambda: draw_artists(key), restore=lambda: draw_artists(settings()))

    def update(app):
        readout.value = html.escape(draw_artists(settings()))
        # the grid is stored, so a move costs only its drawing and PNG encoding: draw the init
        # scale's next steps either side now (App.when_idle), and the next move just sends one
        exponent = settings()[3]
        for neighbour in slider_neighbours(controls["init_scale"], 10 ** exponent):
            app.when_idle(prerender, app, settings(float(np.log10(neighbour))))

    app = App(controls, figure, update, extra=(widgets.HBox(buttons, layout=widgets.Layout(flex_flow="row wrap")), readout),
              title="Depth: signals forward, gradients backward")
    app.picture_key = settings
    app.presets = dict(zip(PRESETS, buttons))
    return app
