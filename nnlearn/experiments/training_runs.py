"""The training behind the apps of lessons 00 and 05: datasets, the network, and training runs.

`TrainingRun` trains the explorer's small network with `nl.train_step` on seeded mini-batches and
keeps a record of every update (the loss before it, the batch size), from which the app's plots
and messages are computed. Divergence is `nl.has_diverged`, the library's one rule. The helpers
at the end (`first_diverging_rate`, `best_rate`) scan the explorer's learning-rate slider, for the
lesson's claims and prediction questions. `loss_while_training` and `learning_rate_search` are
lesson 05's runs: the loss on all the data as mini-batch SGD goes, for every batch size and every
learning rate of one grid.
"""

import functools
import time

import numpy as np

from .. import data as nl_data
from ..losses import LOSSES as LOSS_REGISTRY
from ..losses import CrossEntropyLoss, softmax
from ..models import mlp
from ..nn import Linear
from ..optim import OPTIMIZERS, SGD
from ..train import accuracy, has_diverged, train_step
from . import ExperimentMessage

N_POINTS = 200
HIDDEN = 16
BUDGET = 50                        # updates per retrain on a control move
BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200)

DATASETS = {
    "moons": lambda: nl_data.moons(N_POINTS, noise=0.2, rng=0),
    "circles": lambda: nl_data.circles(N_POINTS, noise=0.1, rng=0),
    "xor": lambda: nl_data.xor(N_POINTS, noise=0.1, rng=0),
    "spirals": lambda: nl_data.spirals(N_POINTS, classes=3, noise=0.15, rng=0),
    "blobs": lambda: nl_data.blobs(N_POINTS, centers=3, std=0.5, rng=0),
}
# The registry's losses as the explorer offers them: cross-entropy on the class labels first, then
# the regression losses on one-hot rows (class 1 of 2 becomes the target row (0, 1)).
LOSSES = {(name if info.target == "class labels" else f"{name} on one-hot"): info
          for name, info in sorted(LOSS_REGISTRY.items(), key=lambda item: item[1].target != "class labels")
          if info.target in ("class labels", "values")}

_DATA_CACHE = {}


def load_dataset(name):
    """(X, y) of one of the explorer's datasets (drawn once with a fixed seed, then reused)."""
    if name not in DATASETS:
        raise ExperimentMessage(f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)}.")
    if name not in _DATA_CACHE:
        _DATA_CACHE[name] = DATASETS[name]()
    return _DATA_CACHE[name]


def small_network(n_classes, rng=0, hidden=HIDDEN):
    """2 inputs -> `hidden` ReLU units -> one output per class (logits)."""
    return mlp([2, hidden, n_classes], activation="relu", rng=rng)


def optimizer_key(name):
    """The registry key of an optimizer given by key or by display name ("Adam", "momentum")."""
    for key, info in OPTIMIZERS.items():
        if name == key or str(name).lower() in (str(key).lower(), info.name.lower()):
            return key
    raise ExperimentMessage(f"Unknown optimizer {name!r}; choose one of {', '.join(i.name for i in OPTIMIZERS.values())}.")


def _norm(array):
    return float(np.sqrt(np.vdot(array, array)))


def plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class TrainingRun:
    """A model, its loss and optimizer, the data, and a record of every update so far.

    The record: `losses[k]` is the loss of update k + 1's mini-batch before that update (as
    `nl.train_step` returns it), `batch_sizes[k]` its number of examples. Epochs are reshuffled
    from a seeded generator, so a run always repeats.
    """

    def __init__(self, dataset="moons", loss="cross-entropy", optimizer="SGD", lr=1.0, batch_size=200, seed=0):
        self.X, self.y = load_dataset(dataset)
        self.n_classes = int(self.y.max()) + 1
        self.model = small_network(self.n_classes, rng=seed)
        self.loss_name = loss
        self.loss_fn = LOSSES[loss].make()
        # Cross-entropy takes class labels; MSE and Huber compare the outputs with one-hot rows.
        self.labels = LOSSES[loss].target == "class labels"
        self.target = self.y if self.labels else np.eye(self.n_classes)[self.y]
        self.optimizer = OPTIMIZERS[optimizer_key(optimizer)].make(self.model.parameters(), lr)
        self.batch_size = int(batch_size)
        self.batch_rng = np.random.default_rng(seed + 1)
        self._batches = None
        self.losses = []
        self.batch_sizes = []
        self.diverged_at = None              # 1-based update whose loss counts as diverged

    @property
    def updates(self):
        return len(self.losses)

    @property
    def examples_seen(self):
        return int(sum(self.batch_sizes))

    def _next_batch(self):
        batch = next(self._batches, None) if self._batches is not None else None
        if batch is None:
            self._batches = nl_data.minibatches(self.X, self.target, self.batch_size, shuffle=True,
                                                rng=self.batch_rng)
            batch = next(self._batches)
        return batch

    def new_epoch(self):
        """Drop the rest of the current epoch: the next batch starts a fresh shuffle."""
        self._batches = None

    def step(self, record=False):
        """One `train_step` on the next mini-batch; with record=True, what each stage did."""
        if self.diverged_at is not None:
            raise ExperimentMessage(self.divergence_message() + " Press reset or choose another setting.")
        X_batch, t_batch = self._next_batch()
        layers = [layer for layer in self.model if isinstance(layer, Linear)]
        before = [layer.weight.data.copy() for layer in layers] if record else []
        with np.errstate(all="ignore"):
            loss, output = train_step(self.model, self.loss_fn, self.optimizer, X_batch, t_batch,
                                      return_prediction=True)
        self.losses.append(loss)
        self.batch_sizes.append(len(X_batch))
        if has_diverged(loss, self.losses[0]):
            self.diverged_at = self.updates
        if not record:
            return None
        gradients = [(_norm(layer.weight.grad), _norm(layer.bias.grad)) for layer in layers]
        changes = [(_norm(layer.weight.data - old), _norm(old)) for layer, old in zip(layers, before)]
        return {"update": self.updates, "batch": len(X_batch), "output": output, "loss": loss,
                "gradients": gradients, "changes": changes}

    def train(self, updates):
        for _ in range(updates):
            if self.diverged_at is not None:
                break
            self.step()
        return self

    def divergence_message(self):
        """What happened, from the record: the update, the loss and how many times the first it is."""
        k = self.diverged_at
        loss, first = self.losses[k - 1], self.losses[0]
        if not np.isfinite(loss):
            what = f"became {loss}"
        else:
            what = f"grew to {loss:.3g}, {loss / first:.0f} times its first value {first:.3g}"
        return (f"Training diverged at update {k}: the loss {what}. Each step overshoots further than "
                f"the last; lower the learning rate.")

    def scores(self, points):
        """Class probabilities (M, C) at points (M, 2): softmax of the logits for cross-entropy,
        the outputs clipped to [0, 1] and normalised for the losses on one-hot targets."""
        with np.errstate(all="ignore"):
            output = self.model(points)
            if self.labels:
                return softmax(output)
            clipped = np.clip(output, 0.0, 1.0) + 1e-9
            return clipped / clipped.sum(axis=1, keepdims=True)

    def accuracy(self):
        with np.errstate(all="ignore"):
            return accuracy(self.model(self.X), self.y)

    def full_loss(self):
        """The loss on all the data now (after the last update), not on one mini-batch."""
        with np.errstate(all="ignore"):
            return float(self.loss_fn(self.model(self.X), self.target))


def slider_rates(low=-4, high=1, step=0.25):
    """The learning rates the explorer's slider offers, 10**low .. 10**high."""
    return [float(10 ** e) for e in np.arange(low, high + 1e-9, step)]


SEEDS = tuple(range(10))            # the starting networks a lesson's claim is measured over


@functools.lru_cache(maxsize=16384)  # a float a run: lessons 00's and 05's grids over 10 seeds fit
def final_loss(optimizer="SGD", dataset="moons", lr=1.0, seed=0, budget=BUDGET, batch_size=N_POINTS):
    """The loss on all the data after `budget` updates on mini-batches of `batch_size` (default: the
    full batch) from starting network `seed` (inf when the run diverged)."""
    run = TrainingRun(dataset, optimizer=optimizer, lr=lr, batch_size=batch_size, seed=seed).train(budget)
    return np.inf if run.diverged_at is not None else run.full_loss()


def first_diverging_rate(optimizer="SGD", dataset="moons", budget=BUDGET, seed=0):
    """The smallest slider learning rate at which `budget` full-batch updates diverge (None if none)."""
    for lr in slider_rates():
        if np.isinf(final_loss(optimizer, dataset, lr, seed, budget)):
            return lr
    return None


def best_rate(optimizer="SGD", dataset="moons", budget=BUDGET, seed=0, lrs=None):
    """The learning rate of `lrs` (default: the slider's) with the lowest loss on all the data after
    `budget` updates from starting network `seed`."""
    finals = {lr: final_loss(optimizer, dataset, lr, seed, budget) for lr in (lrs or slider_rates())}
    return min(finals, key=finals.get)


def rates_over_seeds(lrs, optimizer="SGD", dataset="moons", seeds=SEEDS, budget=BUDGET):
    """lr -> the final losses (inf: diverged) of the same training from each starting network."""
    return {lr: np.array([final_loss(optimizer, dataset, lr, seed, budget) for seed in seeds]) for lr in lrs}


# ---------------------------------------------------------------- lesson 05's runs

EPOCHS = 5
LR_GRID = tuple(float(round(10 ** e, 4)) for e in np.arange(-2.0, 1.51, 0.25))   # 0.01 .. 31.6, 15 values


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
