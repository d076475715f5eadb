"""Control factories the apps share: a log-scale learning-rate slider, a progress bar for apps that
precompute, and the values a slider's next move will probably take (for prerendering)."""

import ipywidgets as widgets
import numpy as np

from .lifecycle import pending_bars


def log_slider(description, value, low_exponent, high_exponent, step=0.25, **kwargs):
    """A log-scale slider (10**low .. 10**high), as every learning-rate control is."""
    return widgets.FloatLogSlider(value=value, base=10, min=low_exponent, max=high_exponent, step=step,
                                  description=description, continuous_update=True,
                                  style={"description_width": "initial"}, **kwargs)


def progress_bar(total, description):
    """An IntProgress for an app that precomputes on creation; shown only inside a notebook."""
    bar = widgets.IntProgress(value=0, min=0, max=total, description=description,
                              style={"description_width": "initial"})
    pending_bars.append(bar)                # the next App built adopts it, and closes it with itself
    try:
        from IPython import get_ipython
        from IPython.display import display
        shell = get_ipython()
        if shell is not None and getattr(shell, "kernel", None) is not None:
            display(bar)
    except ImportError:
        pass
    return bar


def slider_neighbours(slider, value, first=1):
    """The values one step of `slider` either side of `value` that it can take, the side `first`
    (+1 or -1: the way the learner last moved) first: where the next move will probably go. A log
    slider steps its exponent; its neighbours are returned as values, like `value`."""
    log = isinstance(slider, widgets.FloatLogSlider)
    here = np.log(value) / np.log(slider.base) if log else value
    values = []
    for side in (first, -first):
        there = round(here + side * slider.step, 9)
        if isinstance(slider.step, int) and isinstance(value, (int, np.integer)):
            there = int(there)
        if slider.min - 1e-9 <= there <= slider.max + 1e-9:
            values.append(float(slider.base ** there) if log else there)
    return values
