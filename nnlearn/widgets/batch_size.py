"""The app of lesson 05 (batch, stochastic, mini-batch): what the batch size changes.

`batch_size_explorer()`: how noisy a mini-batch gradient is; the learning rate each batch size
tolerates (every batch size trained on one stated grid of learning rates); and the loss against
examples seen and against time, each batch size at its own best learning rate from that grid.
Training uses `nl.train_step`; a run that blows up is cut by `has_diverged`, the library's rule.
"""

import functools
import time

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import NullLocator

from .. import data as nl_data
from ..losses import CrossEntropyLoss
from ..optim import SGD
from ..plots import label, new_figure
from ..plots.style import MARKERS, PALETTE
from ..train import has_diverged, train_step
from .app import App, AppMessage
from .training_run import BATCH_SIZES, load_dataset, small_network

EPOCHS = 5
LR_GRID = tuple(float(round(10 ** e, 4)) for e in np.arange(-2.0, 1.51, 0.25))   # 0.01 .. 31.6, 15 values


def _norm(array):
    return float(np.sqrt(np.vdot(array, array)))


def per_example_gradients(model, loss_fn, X, target):
    """The gradient of the loss on each example alone, flattened: (N, P) for P parameters.

    A mini-batch gradient (mean loss over the batch) is the mean of its examples' rows.
    """
    rows = []
    for i in range(len(X)):
        loss_fn(model(X[i:i + 1]), target[i:i + 1])
        model.zero_grad()
        model.backward(loss_fn.backward())
        rows.append(np.concatenate([p.grad.ravel() for p in model.parameters()]))
    return np.array(rows)


def minibatch_gradient_samples(gradients, batch_sizes, samples=100, rng=0):
    """Mini-batch gradients drawn without replacement, for every batch size at once.

    gradients: (N, P) per-example gradients. Returns a dict batch_size -> (samples, P): row k is
    the mean of the first b rows of the k-th random order (a cumulative sum makes this cheap).
    """
    rng = np.random.default_rng(rng)
    n = len(gradients)
    result = {}
    totals = np.zeros((samples, gradients.shape[1]))
    orders = np.argsort(rng.random((samples, n)), axis=1)            # (samples, N) permutations
    counted = 0
    for b in sorted(batch_sizes):
        b = min(int(b), n)
        totals += gradients[orders[:, counted:b]].sum(axis=1)
        counted = b
        result[b] = totals / b
    return result


def loss_while_training(model, loss_fn, optimizer, X, y, batch_size, epochs, rng=0, every=20):
    """Train with mini-batches of `batch_size` (`train_step` on each) and record the loss on ALL
    of (X, y): before training, whenever about `every` more examples have been used, and at the end.

    Returns a dict: examples (examples seen), time (updates so far x the median time of one update,
    seconds), loss (full-data), updates, time_per_update, diverged (has_diverged on a batch loss:
    training stops there, and the final loss counts as inf).
    """
    rng = np.random.default_rng(rng)
    with np.errstate(all="ignore"):
        examples, losses, at_update = [0], [loss_fn(model(X), y)], [0]
        durations, first = [], None
        seen = updates = last_recorded = 0
        diverged = False
        for _ in range(epochs):
            for X_batch, y_batch in nl_data.minibatches(X, y, batch_size, shuffle=True, rng=rng):
                started = time.perf_counter()
                loss = train_step(model, loss_fn, optimizer, X_batch, y_batch)
                durations.append(time.perf_counter() - started)
                seen += len(X_batch)
                updates += 1
                first = loss if first is None else first
                if has_diverged(loss, first):
                    diverged = True
                    break
                if seen - last_recorded >= every:
                    examples.append(seen)
                    at_update.append(updates)
                    losses.append(loss_fn(model(X), y))
                    last_recorded = seen
            if diverged:
                break
        if examples[-1] != seen:
            examples.append(seen)
            at_update.append(updates)
            losses.append(np.inf if diverged else loss_fn(model(X), y))
    # Time = updates x the median time of one update: the typical cost, without the pauses a busy
    # machine adds now and then.
    per_update = float(np.median(durations))
    return {"examples": np.array(examples), "time": np.array(at_update) * per_update,
            "loss": np.array(losses, dtype=float), "updates": updates, "time_per_update": per_update,
            "diverged": diverged}


def learning_rate_search(X, y, batch_sizes, lrs=LR_GRID, epochs=EPOCHS, seed=0):
    """SGD on the same starting network for every batch size and every learning rate of one grid.

    Returns (runs, best): runs[b][lr] is loss_while_training's record; best[b] is the learning
    rate whose final full-data loss after `epochs` epochs is lowest (diverged runs count as inf).
    """
    runs, best = {}, {}
    for b in batch_sizes:
        runs[b] = {}
        for lr in lrs:
            model = small_network(int(y.max()) + 1, rng=seed)
            runs[b][lr] = loss_while_training(model, CrossEntropyLoss(), SGD(model.parameters(), lr=lr),
                                              X, y, b, epochs, rng=seed + 1)
        best[b] = min(lrs, key=lambda lr: runs[b][lr]["loss"][-1])
    return runs, best


@functools.lru_cache(maxsize=1)
def moons_search():
    """learning_rate_search on the explorer's 200 moons for every batch size (computed once per kernel)."""
    X, y = load_dataset("moons")
    return learning_rate_search(X, y, [b for b in BATCH_SIZES if b <= len(X)])


def main_direction(rows, iterations=60):
    """The unit vector along which the rows (M, P) spread most (power iteration on rows^T rows)."""
    covariance = rows.T @ rows
    vector = np.ones(rows.shape[1]) / np.sqrt(rows.shape[1])
    for _ in range(iterations):
        vector = covariance @ vector
        vector /= _norm(vector)
    return vector


def cividis_shades(count):
    """`count` colours along cividis (readable with every common colour-vision deficiency)."""
    from matplotlib import colormaps

    return [colormaps["cividis"](value) for value in np.linspace(0.0, 0.85, count)]


def gradient_noise(X, y, sizes, samples=100, seed=0):
    """Per-example gradients of the random starting network, mini-batch samples, their rms spread."""
    model = small_network(int(y.max()) + 1, rng=seed)
    gradients = per_example_gradients(model, CrossEntropyLoss(), X, y)   # (N, P)
    full = gradients.mean(axis=0)
    by_size = minibatch_gradient_samples(gradients, sizes, samples=samples, rng=seed)
    spread = {b: float(np.sqrt(np.mean(np.sum((g - full) ** 2, axis=1)))) for b, g in by_size.items()}
    return gradients, full, by_size, spread


def batch_size_explorer(batch_size=10, x_axis="examples seen", samples=100):
    """What the batch size changes, for one dataset (200 moons) and one network (2-16-2 ReLU).

    Top: mini-batch gradients (dots) around the full-batch gradient (star) of the random starting
    network, and their spread against batch size. Bottom left: the loss after EPOCHS epochs of SGD
    against the learning rate (grid LR_GRID), one curve per batch size; the dot is each one's best.
    Bottom right: each batch size at its own best learning rate, the full-data loss against
    examples seen or training time. Everything is computed on creation; a move only redraws.
    """
    X, y = load_dataset("moons")
    n = len(X)
    sizes = [b for b in BATCH_SIZES if b <= n]
    controls = {"batch_size": widgets.SelectionSlider(options=sizes, value=batch_size, description="batch size",
                                                      continuous_update=True),
                "x_axis": widgets.ToggleButtons(options=["examples seen", "time"], value=x_axis,
                                                description="x axis")}
    gradients, full, by_size, spread = gradient_noise(X, y, sizes, samples)
    along = full / _norm(full)                                             # unit vector of the full gradient
    noise = gradients - full
    noise -= np.outer(noise @ along, along)                                # the part across it
    across = main_direction(noise)
    project = lambda g: np.column_stack([g @ along, g @ across])          # noqa: E731
    runs, best = moons_search()
    chosen = {b: runs[b][best[b]] for b in sizes}

    figure, ((ax_noise, ax_spread), (ax_lr, ax_race)) = new_figure(width=8.8, height=6.2, ncols=2, nrows=2)
    one = project(by_size[1])
    reach = 1.1 * np.abs(np.vstack([one, project(full[None])])).max()
    ax_noise.set_xlim(-reach, reach)
    ax_noise.set_ylim(-reach, reach)
    ax_noise.axhline(0, color="grey", linewidth=0.8)
    ax_noise.axvline(0, color="grey", linewidth=0.8)
    ax_noise.plot(*project(full[None]).T, linestyle="none", marker="*", markersize=16, color=PALETTE[5],
                  markeredgecolor="black", zorder=5, label="full-batch gradient")
    dots = ax_noise.scatter(*one.T, s=14, color=PALETTE[4], marker=MARKERS[0], alpha=0.6, animated=True,
                            label=f"{samples} mini-batch gradients")
    ax_noise.legend(loc="lower left", fontsize="small")
    label(ax_noise, "Mini-batch gradients of one network", "along the full gradient", "across it")

    partial = [b for b in sizes if b < n]                                  # the full batch has no spread
    measured = [spread[b] for b in partial]
    theory = spread[1] * np.sqrt((n - np.array(partial)) / (n - 1) / np.array(partial))
    ax_spread.plot(partial, measured, marker=MARKERS[1], color=PALETTE[4], label=f"measured ({samples} draws)")
    ax_spread.plot(partial, theory, linestyle="--", color=PALETTE[0], label="σ₁·√((N−b)/(b(N−1)))")
    for ax in (ax_spread, ax_lr):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_minor_locator(NullLocator())
    ax_spread.set_xlim(0.8, n * 0.8)
    ax_spread.set_ylim(min(measured) / 2, max(measured) * 1.6)
    (spread_marker,) = ax_spread.plot([], [], linestyle="none", marker="o", markersize=12, markerfacecolor="none",
                                      markeredgecolor=PALETTE[5], markeredgewidth=2, animated=True)
    ax_spread.legend(loc="lower left", fontsize="small")
    label(ax_spread, "Noise of the gradient", "batch size b (log scale)", "rms distance to full gradient")

    shades = cividis_shades(len(sizes))
    lrs = np.array(LR_GRID)
    final = {b: np.array([runs[b][lr]["loss"][-1] for lr in LR_GRID]) for b in sizes}
    top = 3.0
    for index, b in enumerate(sizes):
        ax_lr.plot(lrs, np.clip(final[b], None, top), color=shades[index], linewidth=1.0, label=f"b={b}")
        ax_lr.plot([best[b]], [final[b][LR_GRID.index(best[b])]], linestyle="none", marker="o", markersize=5,
                   color=shades[index])
    (lr_bold,) = ax_lr.plot([], [], color="black", linewidth=2.4, animated=True)
    (lr_best,) = ax_lr.plot([], [], linestyle="none", marker="o", markersize=11, markerfacecolor="none",
                            markeredgecolor=PALETTE[5], markeredgewidth=2, animated=True)
    low = min(f.min() for f in final.values())
    ax_lr.set_xlim(lrs[0] / 1.3, lrs[-1] * 1.3)
    ax_lr.set_ylim(low * 0.7, top * 1.2)
    ax_lr.legend(loc="upper left", fontsize="x-small", ncol=2, title="batch size", title_fontsize="x-small")
    label(ax_lr, f"SGD, {EPOCHS} epochs: final loss vs learning rate",
          "learning rate (log; diverged or above 3: drawn at 3)",
          f"loss on all {n} points (log)")

    race_lines = [ax_race.plot([], [], color=shades[i], linewidth=1.0)[0] for i in range(len(sizes))]
    (race_bold,) = ax_race.plot([], [], color="black", linewidth=2.6, animated=True)
    race_losses = np.concatenate([run["loss"] for run in chosen.values()])
    ax_race.set_ylim(race_losses.min() * 0.85, top * 1.2)             # spikes above 3 run off the top
    ax_race.set_yscale("log")
    ax_race.yaxis.set_minor_locator(NullLocator())
    label(ax_race, "Each at its own best learning rate", "examples seen", f"loss on all {n} points (log)")
    info = widgets.HTML()
    shown = {"x_axis": None}

    def race_x(run, key):
        return (run["examples"], run["loss"]) if key == "examples seen" else (run["time"][1:] * 1000, run["loss"][1:])

    def draw_race(key):                                                    # static lines: only when the axis changes
        for line, b in zip(race_lines, sizes):
            x, loss = race_x(chosen[b], key)
            line.set_data(x, np.clip(loss, None, top))
        if key == "examples seen":
            ax_race.set_xscale("linear")
            ax_race.set_xlim(0, EPOCHS * n * 1.02)
            ax_race.set_xlabel("examples seen")
        else:
            ax_race.set_xscale("log")
            ax_race.xaxis.set_minor_locator(NullLocator())
            times = [chosen[b]["time"][1:] * 1000 for b in sizes]
            ax_race.set_xlim(min(t[0] for t in times) / 2, max(t[-1] for t in times) * 1.5)
            ax_race.set_xlabel("updates × time per update (ms, log)")
        shown["x_axis"] = key

    def update():
        b = int(controls["batch_size"].value)
        if b not in by_size:
            raise AppMessage(f"The batch size {b} is larger than the data ({n} points).")
        if controls["x_axis"].value != shown["x_axis"]:
            draw_race(controls["x_axis"].value)
        dots.set_offsets(project(by_size[b]))
        spread_marker.set_data([b], [spread[b]] if b < n else [np.nan])
        lr_bold.set_data(lrs, np.clip(final[b], None, top))
        lr_best.set_data([best[b]], [final[b][LR_GRID.index(best[b])]])
        run = chosen[b]
        x, loss = race_x(run, shown["x_axis"])
        race_bold.set_data(x, np.clip(loss, None, top))
        info.value = explorer_text(b, n, spread, full, best, run)

    app = App(controls, figure, update, extra=[info], title="Batch size explorer")
    app.info, app.runs, app.best, app.spread = info, runs, best, spread
    return app


def explorer_text(b, n, spread, full, best, run):
    """The message under the explorer, computed from the records the plots draw."""
    per_epoch = -(-n // b)
    noise = (f"its mini-batch gradients lie {spread[b]:.3g} (rms) from the full-batch gradient, whose "
             f"length is {_norm(full):.3g}" if b < n else "its gradient is the full-batch gradient (no noise)")
    scaled = best[1] * b
    return (f"Batch size <b>{b}</b>: <b>{per_epoch}</b> updates per epoch of {n} examples; {noise}. "
            f"Best learning rate on the grid: <b>{best[b]:g}</b> (linear scaling from b=1 would say "
            f"{best[1]:g} × {b} = {scaled:.3g}). At it, {EPOCHS} epochs took {run['updates']} updates and "
            f"{run['time'][-1] * 1000:.0f} ms and brought the loss from {run['loss'][0]:.3f} to "
            f"<b>{run['loss'][-1]:.3f}</b>.")
