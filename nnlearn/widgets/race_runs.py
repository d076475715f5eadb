"""Racing optimizers fairly (lesson 06): each at its own best learning rate from one grid, from many starts.

A race from one start, at learning rates picked by hand, can show anything. These functions make
the comparison honest and fast:

    LR_EXPONENTS               the one grid of learning rates every optimizer is tuned on:
                               10^-4, 10^-3.5, ..., 10^2 (half a decade apart)
    start_grid(surface)        15 x 15 = 225 starts spread evenly over the surface's plot
    run_many(...)              one optimizer from all those starts at once (one Parameter of shape
                               (K, 2): every update rule acts weight by weight, so each row moves
                               exactly as it would alone)
    surface_sweep(name)        every optimizer at every learning rate of the grid from the 225
                               starts (cached per surface); its best rate is the one with the lowest
                               height averaged over the race and over the starts (a rate at which
                               any start diverges is out)
    many_starts(name, m)       where the 225 starts end for each optimizer at m times its best rate

The optimizers come from `nnlearn.optim.OPTIMIZERS` (the one registry).
"""

import functools
import math
from dataclasses import dataclass

import numpy as np

from .. import landscapes, optim
from ..nn import Parameter

LR_EXPONENTS = tuple(float(e) for e in np.arange(-4.0, 2.01, 0.5))
RACE_STEPS = 300               # every race on a surface is this long
START_GRID = 15                # starts per side of the grid: 225 starts
REACH = 0.1                    # a start "reaches" a minimum when it ends closer than this to it


def registry():
    """name -> OptimizerInfo, from nnlearn.optim (the one list of optimizers)."""
    found = getattr(optim, "OPTIMIZERS", None)
    return found if found is not None else _interim_registry()


@functools.lru_cache(maxsize=1)
def _interim_registry():                 # TEMPORARY until nl.optim.OPTIMIZERS lands from `core`
    from collections import namedtuple
    Info = namedtuple("OptimizerInfo", "name make state_keys lr_range default_lr")
    return {
        "SGD": Info("SGD", lambda p, lr: optim.SGD(p, lr=lr), (), (1e-3, 1.0), 0.1),
        "Momentum": Info("Momentum", lambda p, lr: optim.SGD(p, lr=lr, momentum=0.9),
                         ("momentum_buffer",), (1e-3, 1.0), 0.1),
        "RMSprop": Info("RMSprop", lambda p, lr: optim.RMSprop(p, lr=lr), ("square_avg",), (1e-4, 0.1), 0.01),
        "Adagrad": Info("Adagrad", lambda p, lr: optim.Adagrad(p, lr=lr), ("sum",), (1e-3, 1.0), 0.1),
        "Adam": Info("Adam", lambda p, lr: optim.Adam(p, lr=lr), ("exp_avg", "exp_avg_sq"), (1e-4, 0.1), 0.01),
    }


def optimizer_names():
    return tuple(registry())


def start_grid(surface, n=START_GRID):
    """n x n starts, evenly spaced inside the plot of `surface` (the border itself left out).

    Shapes: returns (n * n, 2), row by row from the lowest y."""
    xs = np.linspace(*surface.xlim, n + 2)[1:-1]
    ys = np.linspace(*surface.ylim, n + 2)[1:-1]
    grid_x, grid_y = np.meshgrid(xs, ys)
    return np.column_stack([grid_x.ravel(), grid_y.ravel()])


def lowest_minima(surface, tol=1e-9):
    """Indices of the surface's minima that are the deepest (several when they tie, as on the saddle)."""
    depths = np.array([float(surface(*m)) for m in surface.minima])
    return tuple(int(i) for i in np.flatnonzero(depths <= depths.min() + tol))


@dataclass
class ManyStarts:
    """Where one optimizer took each of K starts after `steps` steps.

    ends (K, 2); mean_height (K,): height above the lowest minimum averaged over the steps;
    diverged (K,) bool; minimum (K,) int: index into surface.minima of the minimum each start ended
    within REACH of, -1 for none (still on its way, stuck on a ridge, or diverged)."""

    ends: np.ndarray
    mean_height: np.ndarray
    diverged: np.ndarray
    minimum: np.ndarray

    def count(self, indices):
        """How many starts ended in one of the minima `indices`."""
        return int(np.isin(self.minimum, indices).sum())


def run_many(surface, name, lr, starts, steps=RACE_STEPS):
    """Optimizer `name` (a key of OPTIMIZERS) at learning rate `lr` from every row of `starts` (K, 2).

    The same updates as `landscapes.run` from each start on its own, for all K at once. A row
    diverges as there: when it stops being finite or leaves a box 1000 times the plot."""
    surface = landscapes.get(surface) if isinstance(surface, str) else surface
    starts = np.asarray(starts, dtype=np.float64).reshape(-1, 2)
    point = Parameter(starts.copy(), name="points")
    optimizer = registry()[name].make([point], lr)
    data, grad = point.data, point.grad
    lowest = min(float(surface(*m)) for m in surface.minima)
    (xlo, xhi), (ylo, yhi) = surface.xlim, surface.ylim
    centre = np.array([(xlo + xhi) / 2, (ylo + yhi) / 2])
    box = 1e3 * np.array([xhi - xlo, yhi - ylo])
    total = np.zeros(len(starts))
    diverged = np.zeros(len(starts), dtype=bool)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            gx, gy = surface._gradient(data[:, 0], data[:, 1])
            grad[:, 0], grad[:, 1] = gx, gy
            optimizer.step()
            diverged |= ~np.all(np.abs(data - centre) <= box, axis=1)      # also catches NaN
            total += surface._function(data[:, 0], data[:, 1]) - lowest
    ends = data.copy()
    distance = np.stack([np.hypot(*(ends - np.asarray(m)).T) for m in surface.minima])   # (M, K)
    minimum = np.where((distance.min(axis=0) < REACH) & ~diverged, distance.argmin(axis=0), -1)
    mean_height = np.where(diverged, np.inf, total / max(steps, 1))
    return ManyStarts(ends=ends, mean_height=mean_height, diverged=diverged, minimum=minimum.astype(np.int8))


@dataclass
class Sweep:
    """Every optimizer at every learning rate of LR_EXPONENTS from the start grid of one surface.

    runs[name][i]: ManyStarts at 10**LR_EXPONENTS[i]; score[name][i]: the mean height over the race
    and the starts (inf when any start diverged); best[name]: the index of the best rate."""

    surface: str
    starts: np.ndarray
    runs: dict
    score: dict
    best: dict

    def best_lr(self, name):
        return 10.0 ** LR_EXPONENTS[self.best[name]]

    def best_exponent(self, name):
        return LR_EXPONENTS[self.best[name]]


@functools.lru_cache(maxsize=8)          # one per surface: about 30 kB each
def surface_sweep(surface_name):
    """The Sweep of `surface_name` (computed once, in about half a second)."""
    surface = landscapes.get(surface_name)
    starts = start_grid(surface)
    runs, score, best = {}, {}, {}
    for name in optimizer_names():
        runs[name] = [_compact(run_many(surface, name, 10.0 ** e, starts)) for e in LR_EXPONENTS]
        score[name] = [float(np.mean(r.mean_height)) for r in runs[name]]
        best[name] = int(np.argmin(score[name]))
    return Sweep(surface=surface_name, starts=starts, runs=runs, score=score, best=best)


def _compact(result):
    """Keep what the statistics need (the ends as float32, the minimum reached as int8)."""
    return ManyStarts(ends=result.ends.astype(np.float32), mean_height=result.mean_height,
                      diverged=result.diverged, minimum=result.minimum)


def best_learning_rates(surface_name):
    """name -> its best learning rate on the surface (from the grid LR_EXPONENTS)."""
    sweep = surface_sweep(surface_name)
    return {name: sweep.best_lr(name) for name in optimizer_names()}


@functools.lru_cache(maxsize=32)         # a few kB each
def _off_grid(surface_name, name, exponent):
    surface = landscapes.get(surface_name)
    return _compact(run_many(surface, name, 10.0 ** exponent, start_grid(surface)))


def many_starts(surface_name, multiplier_exponent=0.0):
    """name -> ManyStarts from the 225 starts at 10**multiplier_exponent times each one's best rate."""
    sweep = surface_sweep(surface_name)
    results = {}
    for name in optimizer_names():
        exponent = round(sweep.best_exponent(name) + multiplier_exponent, 6)
        index = _grid_index(exponent)
        results[name] = sweep.runs[name][index] if index is not None else _off_grid(surface_name, name, exponent)
    return results


def _grid_index(exponent):
    for index, e in enumerate(LR_EXPONENTS):
        if math.isclose(e, exponent, abs_tol=1e-6):
            return index
    return None


def reach_summary(surface_name, multiplier_exponent=0.0):
    """name -> (starts ending in a deepest minimum, number of starts) at the given multiplier."""
    surface = landscapes.get(surface_name)
    deepest = lowest_minima(surface)
    return {name: (result.count(deepest), len(result.minimum))
            for name, result in many_starts(surface_name, multiplier_exponent).items()}


def saddle_escape_steps(name, lr, noise=0.0, seeds=50, steps=RACE_STEPS, start=None, leave=0.5):
    """Steps optimizer `name` needs to leave the saddle's ridge (|y| > leave) from the saddle's start.

    noise: the standard deviation of Gaussian noise added to each gradient component (a stand-in
    for the noise of mini-batch gradients, lesson 05); `seeds` runs with noise, each its own row.
    Returns an int array (seeds,), `steps + 1` for a run that never left within `steps`."""
    surface = landscapes.get("saddle")
    start = surface.start if start is None else start
    rows = 1 if noise == 0 else seeds
    point = Parameter(np.tile(np.asarray(start, dtype=np.float64), (rows, 1)))
    optimizer = registry()[name].make([point], lr)
    rng = np.random.default_rng(0)
    left = np.full(rows, steps + 1)
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            gx, gy = surface._gradient(point.data[:, 0], point.data[:, 1])
            point.grad[:, 0], point.grad[:, 1] = gx, gy
            if noise:
                point.grad += noise * rng.standard_normal(point.grad.shape)
            optimizer.step()
            newly = (left > steps) & (np.abs(point.data[:, 1]) > leave)
            left[newly] = k
    return np.repeat(left, seeds) if rows == 1 else left
