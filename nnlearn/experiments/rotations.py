"""What turning a surface does to each optimizer (lesson 06): preconditioning per weight is not per direction.

RMSprop, Adagrad and Adam divide each weight's step by that weight's own typical gradient: a diagonal
preconditioner. On a surface whose valleys run along the weight axes (the ravine x^2/20 + 2 y^2, the
saddle) that is exactly the right correction; turn the surface 45 degrees (`landscapes.rotated`) and
each weight's gradient mixes both directions, so the per-weight scaling no longer separates steep
from flat. SGD and momentum do not care: their steps turn with the surface.

    steps_to_bottom(name, rates_from)         from the surface's start
    steps_to_bottom_from_starts(name, ...)    from each of the 225 starts of `start_grid`
    rotation_table(name)                      aligned against turned, at the aligned surface's best rates
"""

import functools
import math

import numpy as np

from .. import landscapes
from ..nn import Parameter
from .surface_races import RACE_STEPS, _grid_index, best_learning_rates, registry, start_grid, surface_sweep

BOTTOM = 1e-3            # "at the bottom": within this height of the lowest point


def _lowest(surface):
    return min(float(surface(*m)) for m in surface.minima)


def steps_to_bottom(surface_name, rates_from=None, tol=BOTTOM, steps=RACE_STEPS):
    """name -> the first step at which the race from the surface's start is within `tol` of the lowest
    height (None: diverged or never), each optimizer at its best rate on `rates_from` (default: the surface)."""
    surface = landscapes.get(surface_name)
    out = {}
    for name, lr in best_learning_rates(rates_from or surface_name).items():
        path = landscapes.run(surface, lambda params, name=name, lr=lr: registry()[name].make(params, lr), steps=steps)
        below = np.flatnonzero(path.values - _lowest(surface) < tol)
        out[name] = None if path.diverged or not below.size else int(below[0])
    return out


@functools.lru_cache(maxsize=8)
def steps_to_bottom_from_starts(surface_name, rates_from=None, tol=BOTTOM, steps=RACE_STEPS):
    """name -> int array (225,): the same from every start of `start_grid` (steps + 1: never)."""
    surface = landscapes.get(surface_name)
    starts, lowest, out = start_grid(surface), _lowest(surface), {}
    for name, lr in best_learning_rates(rates_from or surface_name).items():
        point = Parameter(starts.copy())                       # one row per start: the rules act weight by weight
        optimizer = registry()[name].make([point], lr)
        first = np.full(len(starts), steps + 1)
        with np.errstate(all="ignore"):
            for k in range(1, steps + 1):
                point.grad[:, 0], point.grad[:, 1] = surface._gradient(point.data[:, 0], point.data[:, 1])
                optimizer.step()
                height = surface._function(point.data[:, 0], point.data[:, 1]) - lowest
                first[(first > steps) & (height < tol)] = k
        out[name] = first
    return out


def rotation_table(surface_name="ravine"):
    """name -> dict of the aligned surface against its 45-degree twin, every optimizer at its best rate
    on the aligned one: steps to the bottom from the start ("start", "start_turned"), their medians over
    the 225 starts ("median", "median_turned"), the starts from which it is at the bottom before SGD
    ("before_sgd", "before_sgd_turned") and the tuning score at that rate ("score", "score_turned": the mean
    height over the race and the starts; lower is better)."""
    turned_name = f"{surface_name}_rotated"
    start, start_turned = steps_to_bottom(surface_name), steps_to_bottom(turned_name, surface_name)
    many = steps_to_bottom_from_starts(surface_name)
    many_turned = steps_to_bottom_from_starts(turned_name, surface_name)
    sweep, aligned, rates = surface_sweep(turned_name), surface_sweep(surface_name), best_learning_rates(surface_name)
    table = {}
    for name, lr in rates.items():
        table[name] = dict(
            start=start[name], start_turned=start_turned[name],
            median=float(np.median(many[name])), median_turned=float(np.median(many_turned[name])),
            before_sgd=int((many[name] < many["SGD"]).sum()),
            before_sgd_turned=int((many_turned[name] < many_turned["SGD"]).sum()),
            score=aligned.score[name][aligned.best[name]],
            score_turned=sweep.score[name][_grid_index(round(math.log10(lr), 6))])
    return table
