"""Lesson 09: conditioning from the data side, for a small network instead of a linear model.

The same data as `conditioning` (a wine's alcohol from its 12 other measurements), the same
comparison (raw against standardised features: the best rate of one grid, then the updates to
reach a target loss), for `nl.mlp((12, 16, 1))` trained by full-batch gradient descent
(`nl.train_step`, SGD) on nl.MSELoss, mean((prediction - y)^2) (no 1/2, unlike the linear model's
loss). What differs from the linear case: the loss is no longer a quadratic bowl, so its curvature
changes as the weights move and one condition number does not describe it; and a tanh unit fed
raw features (proline about 750) saturates, so the network stops learning for a reason that is not
the step size at all.

The runs take about ten seconds of computing, so the lesson prints the stored results of
`python -m nnlearn.experiments.conditioning_network --write` (conditioning_network_stored.py);
tests/claims/test_09_initialisation_depth.py runs them again and compares.
"""

import sys
from pathlib import Path

import numpy as np

import nnlearn as nl
from nnlearn.experiments import conditioning as cond

SIZES = (12, 16, 1)
ACTIVATIONS = ("relu", "tanh")
RATES = tuple(float(10.0 ** (k / 2)) for k in range(-14, 1))    # 1e-7 .. 1, two per decade
SEARCH_UPDATES = 300          # the grid's runs: the best rate has the lowest loss after these
BUDGET = 2_000                # updates allowed to reach the target at the best rate
SEEDS = tuple(range(5))       # each seed draws the network's initial weights (nnlearn's default init)


def target_loss():
    """Twice the best linear fit's mean squared error: the table's target, in MSELoss's units."""
    X, y, _ = cond.wine_alcohol()
    return 2 * (2 * cond.lowest_loss(X, y))             # lowest_loss carries a 1/2; MSELoss does not


def network_losses(features, lr, updates, seed, activation):
    """Losses of full-batch gradient descent from the seed's network: the loss before each update
    and after the last, shape (updates + 1,); inf from the step at which training diverges."""
    _, y, _ = cond.wine_alcohol()
    model = nl.mlp(SIZES, activation=activation, rng=seed)
    loss_fn, optimizer = nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=lr)
    losses = np.full(updates + 1, np.inf)
    with np.errstate(all="ignore"):
        for step in range(updates):
            losses[step] = nl.train_step(model, loss_fn, optimizer, features, y[:, None])
            if nl.has_diverged(losses[step], losses[0]):
                return losses
        losses[updates] = loss_fn(model(features), y[:, None])
    return np.where(np.isfinite(losses), losses, np.inf)


def run(seed, activation):
    """For raw and standardised features: the best rate of RATES, the updates to reach
    target_loss() at it (None if not within BUDGET) and the loss after BUDGET updates."""
    X, _, _ = cond.wine_alcohol()
    row = {}
    for name, features in (("raw", X), ("standardised", cond.standardise(X))):
        finals = [network_losses(features, lr, SEARCH_UPDATES, seed, activation)[-1] for lr in RATES]
        lr = RATES[int(np.argmin(finals))]                      # ties: the smaller rate
        losses = network_losses(features, lr, BUDGET, seed, activation)
        row[name] = dict(lr=lr, updates=cond.updates_to_reach(losses, target_loss()), final=float(losses[-1]))
    return row


def all_runs(seeds=SEEDS):
    """{activation: [run(seed, activation) for seed in seeds]}."""
    return {activation: [run(seed, activation) for seed in seeds] for activation in ACTIVATIONS}


def print_comparison(runs, seeds=SEEDS):
    """One line per activation and start: each scaling's best rate, updates to the target, final loss."""
    print(f"target: twice the best linear fit's mean squared error, {target_loss():.3f}; "
          f"predicting the mean alcohol scores {cond.wine_alcohol()[1].var():.3f}")
    print(f"{'network':>11} {'start':>5} | {'raw: best lr':>12} {'updates':>8} {'loss':>7} | "
          f"{'standardised: best lr':>21} {'updates':>8} {'loss':>7}")
    for activation, rows in runs.items():
        for seed, row in zip(seeds, rows):
            cells = []
            for name, width in (("raw", 12), ("standardised", 21)):
                r = row[name]
                reached = f"{r['updates']:,}" if r["updates"] is not None else f"> {BUDGET:,}"
                cells.append(f"{r['lr']:>{width}.3g} {reached:>8} {r['final']:>7.3f}")
            print(f"{activation + ' 12-16-1':>11} {seed:>5} | {cells[0]} | {cells[1]}")


def stored_runs():
    """The stored all_runs() (see the module docstring)."""
    from nnlearn.experiments.conditioning_network_stored import RUNS
    return RUNS


def write(path=Path(__file__).with_name("conditioning_network_stored.py")):
    runs = all_runs()
    path.write_text('"""Stored all_runs() of conditioning_network (seeds 0-4), written by\n'
                    '`python -m nnlearn.experiments.conditioning_network --write`; the claims test of lesson 09\n'
                    'runs them again and compares."""\n\n'
                    f"RUNS = {runs!r}\n")


if __name__ == "__main__" and "--write" in sys.argv:
    write()
