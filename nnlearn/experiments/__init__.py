"""What the lessons measure and claim: training runs, races, counts, over seeds.

Lessons, claims tests, hidden probes and apps all call these; nothing here imports ipywidgets or
matplotlib, so a claim can be computed (and tested) without a screen.

    training_runs          lessons 00 and 05: the explorer's small network, trained step by step;
                           learning-rate searches per batch size
    batch_rates            lesson 05: each batch size's best rate over seeds, at equal epochs and updates
    schedule_runs          lesson 04: the sharpness while training; schedules against constant rates
    multiplication_counts  lesson 03: the cost of each weight's contribution separately vs backprop
    surface_races          lesson 06: optimizers on 2-D surfaces, each at its best rate, many starts
    rotations              lesson 06: the surfaces turned 45 degrees against aligned (per-weight step sizes)
    network_races          lesson 06: optimizers on a small network, each at its best rate, over seeds
    digit_runs             lesson 07: the digits split three ways, one run per setting (stored or cached)
    digit_runs_stored      lesson 07: the runs the lesson shows, trained once and stored
    digit_seeds            lesson 07: its comparisons over seeds; memorising shuffled labels
    spiral_depth           lesson 08: depth on the spiral, one change at a time, over seeds
    initialisation         lesson 09: symmetry; signals and gradients through 10-30 layers (a stored grid)
    conditioning           lesson 09: raw against standardised features on the wine data
    digit_landscape        lesson 09: lesson 07's digits network on a line and a plane
    autograd_graphs        lesson 10: small graphs of Values, their backward pass recorded step by step
    scalar_costs           lesson 10: one training step with scalar Values against tensor layers (calls, time)
"""

import numpy as np


class ExperimentMessage(Exception):
    """A readable reason why an experiment cannot go on with these settings (an unknown name,
    a run that diverged). Apps show it as a note instead of a picture change."""


def spread(values):
    """(median, lowest, highest, how many above 0, how many) of per-seed values: how a claim over
    seeds is stated ("median +0.7, range -1.0 to +2.0, above 0 in 3 of 5 seeds")."""
    values = np.asarray(values, dtype=float)
    return float(np.median(values)), float(values.min()), float(values.max()), int(np.sum(values > 0)), len(values)
