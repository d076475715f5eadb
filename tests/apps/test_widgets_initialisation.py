"""Lesson 09's apps, driven through their controls."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import nnlearn as nl  # noqa: E402
from nnlearn.experiments import initialisation as init  # noqa: E402


def readout(app):
    """The app's text line (its HTML readout under the controls)."""
    return " ".join(getattr(child, "value", "") for child in app.children if isinstance(getattr(child, "value", None), str))


def test_symmetry_explorer_shows_identical_rows_from_an_equal_start_and_different_ones_from_random():
    app = nl.widgets.symmetry_explorer()
    try:
        app.controls["step"].value = 100
        assert "step 100: 1 different hidden unit(s) of 8" in readout(app)
        first = bytes(app.image.value)
        app.controls["start"].value = "random"
        assert bytes(app.image.value) != first
        assert "step 100: 8 different hidden unit(s) of 8" in readout(app)
        assert app.message.value == ""
    finally:
        app.close()


def test_depth_explorer_reads_the_stored_grid_and_its_presets_move_the_scale():
    app = nl.widgets.depth_explorer()
    try:
        pictures = {bytes(app.image.value)}
        for name, button in app.presets.items():
            button.click()
            pictures.add(bytes(app.image.value))
            assert app.message.value == "", (name, app.message.value)
        assert len(pictures) == 4
        app.presets["derived (1×)"].click()
        for control, value in (("depth", 30), ("width", 128), ("activation", "tanh")):
            app.controls[control].value = value
            assert app.message.value == ""
        assert app.controls["init_scale"].value == 1.0
        assert app.last_timings["update"] < 50             # a stored setting: no training on a move
    finally:
        app.close()


def test_the_default_preset_is_the_default_weights_spread_on_the_grid():
    assert round(np.log10(init.default_scale("relu")), 1) == -0.4
    assert round(np.log10(init.default_scale("tanh")), 1) == -0.2


def test_depth_explorer_draws_the_next_init_scales_while_the_learner_looks_and_shows_exactly_them():
    """A move of init_scale only sends a picture drawn in idle time (App.prerender), and it is the
    very picture a full draw of that setting gives; the readout follows the move."""
    import asyncio

    async def scenario():
        app = nl.widgets.depth_explorer()
        try:
            slider = app.controls["init_scale"]
            slider.value = 10 ** 0.1
            await asyncio.sleep(0.4)                           # idle: the neighbours 10**0.0 and 10**0.2 are drawn
            slider.value = 10 ** 0.2
            assert app.last_timings["draw"] == 0.0 and app.last_timings["png"] == 0.0
            assert "1.58 × the derived scale" in readout(app)
            shown = bytes(app.image.value)
            app.figure.stale = True                            # a full draw of the same state
            app.render()
            assert bytes(app.image.value) == shown
            app.controls["activation"].value = "tanh"          # another setting: drawn, not a stale picture
            assert app.last_timings["draw"] > 0.0 and bytes(app.image.value) != shown
        finally:
            app.close()

    asyncio.run(scenario())
