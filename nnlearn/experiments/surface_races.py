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
from ..train import has_diverged

LR_EXPONENTS = tuple(float(e) for e in np.arange(-4.0, 2.01, 0.5))
RACE_STEPS = 300               # every race on a surface is this long
START_GRID = 15                # starts per side of the grid: 225 starts
REACH = 0.1                    # a start "reaches" a minimum when it ends closer than this to it


CAST = ("SGD", "Momentum", "RMSprop", "Adagrad", "Adam", "AdamW")   # lesson 06's racers, named by the lesson


def registry():
    """name -> OptimizerInfo of lesson 06's cast, from nnlearn.optim's one list of optimizers (an
    optimizer added there joins the menus; the lesson's races and claims keep their cast)."""
    return {name: optim.OPTIMIZERS[name] for name in CAST}


def optimizer_names():
    return tuple(registry())


def start_grid(surface, n=START_GRID):
    """n x n starts, evenly spaced inside the plot of `surface` (the border itself left out).

    Shapes: returns (n * n, 2), row by row from the lowest y. On a turned surface (landscapes.rotated)
    they are the aligned surface's starts turned with it: the same n * n problems, turned."""
    if surface.base is not None:
        return start_grid(surface.base, n) @ _turning(surface).T
    xs = np.linspace(*surface.xlim, n + 2)[1:-1]
    ys = np.linspace(*surface.ylim, n + 2)[1:-1]
    grid_x, grid_y = np.meshgrid(xs, ys)
    return np.column_stack([grid_x.ravel(), grid_y.ravel()])


def _turning(surface):
    """R, the matrix that turns the aligned surface's points into `surface`'s (the identity if aligned)."""
    c, s = math.cos(math.radians(surface.angle)), math.sin(math.radians(surface.angle))
    return np.array([[c, -s], [s, c]])


def lowest_minima(surface, tol=1e-9):
    """Indices of the surface's minima that are the deepest (several when they tie, as on the saddle)."""
    depths = np.array([float(surface(*m)) for m in surface.minima])
    return tuple(int(i) for i in np.flatnonzero(depths <= depths.min() + tol))


@dataclass
class ManyStarts:
    """Where one optimizer at one learning rate took each of K starts after `steps` steps.

    ends (K, 2); mean_height (K,): height above the lowest minimum averaged over the steps (inf
    for a start that diverged); diverged (K,) bool; minimum (K,) int8: index into surface.minima of
    the minimum each start ended within REACH of, -1 for none (still on its way, stuck on a ridge,
    or diverged)."""

    ends: np.ndarray
    mean_height: np.ndarray
    diverged: np.ndarray
    minimum: np.ndarray

    def count(self, indices):
        """How many starts ended in one of the minima `indices`."""
        return int(np.isin(self.minimum, indices).sum())


def run_many(surface, name, lrs, starts, steps=RACE_STEPS):
    """Optimizer `name` (a key of OPTIMIZERS) at each learning rate of `lrs` from every start (K, 2).

    Returns a list of ManyStarts, one per learning rate. Every row of one Parameter of shape
    (L * K, 2) is one (rate, start) pair: the update rules act weight by weight, and the rate is
    a column in param_groups[0]["lr"], so each row moves exactly as `landscapes.run` moves it
    alone (tested). A row has diverged, as there, when its height at a step trips nl.has_diverged.
    """
    surface = landscapes.get(surface) if isinstance(surface, str) else surface
    lrs = np.atleast_1d(np.asarray(lrs, dtype=np.float64))
    starts = np.asarray(starts, dtype=np.float64).reshape(-1, 2)
    rows = np.tile(starts, (len(lrs), 1))                                   # (L * K, 2)
    point = Parameter(rows.copy(), name="points")
    optimizer = registry()[name].make([point], float(lrs[0]))
    optimizer.param_groups[0]["lr"] = np.repeat(lrs, len(starts))[:, None]  # one rate per row
    data, grad = point.data, point.grad
    function, gradient = surface._function, surface._gradient
    first = function(rows[:, 0], rows[:, 1])
    worst = first.copy()                      # the highest point of each row so far (NaN stays NaN)
    total = np.zeros(len(rows))
    with np.errstate(all="ignore"):
        for _ in range(steps):
            grad[:, 0], grad[:, 1] = gradient(data[:, 0], data[:, 1])
            optimizer.step()
            height = function(data[:, 0], data[:, 1])
            np.maximum(worst, height, out=worst)
            total += height
    # has_diverged only grows with the loss: a row tripped it at some step iff its highest point does
    diverged = np.array([has_diverged(w, f) for w, f in zip(worst.tolist(), first.tolist())], dtype=bool)
    lowest = min(float(surface(*m)) for m in surface.minima)
    mean_height = np.where(diverged, np.inf, total / max(steps, 1) - lowest)
    with np.errstate(all="ignore"):
        distance = np.stack([np.hypot(*(data - np.asarray(m)).T) for m in surface.minima])   # (M, L * K)
        reached = (distance.min(axis=0) < REACH) & ~diverged
    minimum = np.where(reached, np.nan_to_num(distance, nan=np.inf).argmin(axis=0), -1).astype(np.int8)
    ends = np.clip(np.nan_to_num(data), -1e30, 1e30).astype(np.float32)
    K = len(starts)
    return [ManyStarts(ends=ends[i * K:(i + 1) * K], mean_height=mean_height[i * K:(i + 1) * K],
                       diverged=diverged[i * K:(i + 1) * K], minimum=minimum[i * K:(i + 1) * K])
            for i in range(len(lrs))]


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


@functools.lru_cache(maxsize=10)         # one per surface and its turned twin: about 200 kB each
def surface_sweep(surface_name):
    """The Sweep of `surface_name` (computed once per surface, in a fraction of a second)."""
    surface = landscapes.get(surface_name)
    starts = start_grid(surface)
    lrs = 10.0 ** np.array(LR_EXPONENTS)
    runs, score, best = {}, {}, {}
    for name in optimizer_names():
        runs[name] = run_many(surface, name, lrs, starts)
        score[name] = [float(np.mean(r.mean_height)) for r in runs[name]]
        best[name] = int(np.argmin(score[name]))
    return Sweep(surface=surface_name, starts=starts, runs=runs, score=score, best=best)


def best_learning_rates(surface_name):
    """name -> its best learning rate on the surface (from the grid LR_EXPONENTS)."""
    sweep = surface_sweep(surface_name)
    return {name: sweep.best_lr(name) for name in optimizer_names()}


@functools.lru_cache(maxsize=32)         # a few kB each
def _off_grid(surface_name, name, exponent):
    surface = landscapes.get(surface_name)
    return run_many(surface, name, [10.0 ** exponent], start_grid(surface))[0]


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


def saddle_escape_steps(name, lr, noise=0.0, seeds=50, steps=RACE_STEPS, start=None, leave=0.5, surface="saddle"):
    """Steps optimizer `name` needs to leave the saddle's ridge (|y| > leave) from the saddle's start.

    noise: the standard deviation of Gaussian noise added to each gradient component (a stand-in
    for the noise of mini-batch gradients, lesson 05); `seeds` runs with noise, each its own row.
    surface: "saddle" or "saddle_rotated" (there y is measured across the turned ridge).
    Returns an int array (seeds,), `steps + 1` for a run that never left within `steps`."""
    surface = landscapes.get(surface)
    start = surface.start if start is None else start
    across = _turning(surface)[:, 1]                        # the aligned y of a point p is (R^T p)_y = R[:, 1] . p
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
            newly = (left > steps) & (np.abs(point.data @ across) > leave)
            left[newly] = k
    return np.repeat(left, seeds) if rows == 1 else left


def saddle_escape_table(noise=0.1, seeds=50, surface="saddle", rates_from=None):
    """name -> (its rate, steps to leave the ridge from the surface's start (y = 0.001 on the aligned
    saddle) with exact gradients, the same from the ridge itself (None: never within RACE_STEPS), the
    median over `seeds` runs from the ridge with gradient noise of standard deviation `noise`).
    The rates are each optimizer's best on `rates_from` (default: `surface` itself)."""
    turned = landscapes.get(surface)
    on_ridge = tuple(_turning(turned) @ np.array([turned.base.start[0] if turned.base else turned.start[0], 0.0]))
    table = {}
    for name, lr in best_learning_rates(rates_from or surface).items():
        near = int(saddle_escape_steps(name, lr, surface=surface)[0])
        exact = int(saddle_escape_steps(name, lr, start=on_ridge, surface=surface)[0])
        noisy = float(np.median(saddle_escape_steps(name, lr, noise=noise, seeds=seeds, start=on_ridge,
                                                    surface=surface)))
        table[name] = (lr, near, None if exact > RACE_STEPS else exact, noisy)
    return table


def _state_series(trajectory, key):
    if key is None or not trajectory.states or key not in trajectory.states[0]:
        return None
    return np.array([state[key] for state in trajectory.states], dtype=float).reshape(-1, 2)


@functools.lru_cache(maxsize=24)          # about 100 kB a race: at most ~2.5 MB
def race(surface_name, start, multiplier_exponent=0.0, steps=RACE_STEPS):
    """Every optimizer from `start` (x, y) at 10**multiplier_exponent times its best rate.

    Returns {name: (points (k + 1, 2), values (k + 1,), diverged_at or None, velocity (k, 2) or None,
    square (k, 2) or None)}, from `landscapes.run` (the state series are its states, compacted)."""
    surface = landscapes.get(surface_name)
    rates = best_learning_rates(surface_name)
    results = {}
    for name, info in registry().items():
        lr = rates[name] * 10.0 ** multiplier_exponent
        trajectory = landscapes.run(surface, lambda params, info=info, lr=lr: info.make(params, lr),
                                    start=start, steps=steps)
        results[name] = (trajectory.points, trajectory.values, trajectory.diverged_at,
                         _state_series(trajectory, info.velocity_key), _state_series(trajectory, info.square_key))
    return results
