"""The playground's look-ahead: after a slider moves, the fresh starts one step either side are
drawn while the learner looks (App.when_idle), so the next move only sends a stored picture.

A change of a setting starts again from the same seed: a fresh start is determined by its config,
so its picture can be drawn before the learner gets there.
"""

import dataclasses

from ..playground import Playground
from .app import slider_neighbours

# The sliders (and config fields) whose next steps are drawn while the learner looks.
LOOK_AHEAD = ("noise", "train_percent", "learning_rate", "batch_size", "dropout")


def data_changed(old, new):
    return any(getattr(old, f) != getattr(new, f) for f in ("dataset", "noise", "train_percent", "seed", "n_points", "points"))


class LookAhead:
    """The prerendering half of PlaygroundApp (which provides controls, pg, view, _data)."""

    def _fresh_start_key(self):
        """What the picture shows, for a fresh start (epoch 0); None once it has trained."""
        if self.pg.epoch != 0:
            return None
        return self._start_key(self.pg.config)

    def _start_key(self, config):
        # The learning rate to 12 digits: the page computes a log slider's 10**x in JavaScript, which
        # can differ from Python's in the last bit, and a fresh start draws the rate only to 3 digits.
        rate = float(f"{config.learning_rate:.12g}")
        return (dataclasses.replace(config, learning_rate=rate).to_string(),
                bool(self.controls["show_test"].value), bool(self.controls["discretize"].value))

    def _look_ahead(self, old, config):
        """After a move of one slider: draw the fresh starts one step either side while the
        learner looks (App.when_idle), the way they moved first, so the next move only sends one."""
        changed = [f.name for f in dataclasses.fields(config) if getattr(old, f.name) != getattr(config, f.name)]
        if len(changed) != 1 or changed[0] not in LOOK_AHEAD:
            return
        field = changed[0]
        value = getattr(config, field)
        for there in slider_neighbours(self.controls[field], value,
                                       first=1 if value > getattr(old, field) else -1):
            self.when_idle(self._prerender, dataclasses.replace(config, **{field: there}))

    def _prerender(self, config):
        """Draw the picture of a fresh start with `config` (App.prerender), while the playground
        shows a fresh start itself and the neighbour keeps the loss axes (a new limit needs a full draw)."""
        try:
            config = config.validate()
        except ValueError:
            return
        here = self.pg
        if here.epoch != 0 or self.controls["play"].value or self._start_key(config) in self._prerendered:
            return
        there = Playground(config, self._data)
        new_data = data_changed(here.config, config)
        show_test, discretize = self.controls["show_test"].value, self.controls["discretize"].value
        if self.view.rescales(there, new_data):
            return
        kept = self.view.loss_limits

        def show():
            if new_data:
                self.view.set_data(there)
            self.view.draw(there, show_test, discretize)

        def restore():
            if new_data:
                self.view.set_data(here)
            self.view.draw(here, show_test, discretize)
            self.view.loss_limits = kept

        self.prerender(self._start_key(config), show, restore)
