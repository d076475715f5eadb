"""Learning-rate schedules and their race against constant rates (lesson 04): one picture, two panels.

Left: the rate each schedule sets at every update, for a peak of 1. Right: one dot per seed, the
best final loss of each schedule divided by the best constant rate's (both tuned on the same grid),
with the median marked: below the line at 1 the schedule won at that seed.
"""

import numpy as np

from .style import MARKERS, PALETTE, label, new_figure


def schedule_race_figure(race, curves):
    """race: {schedule: (seeds, rates) final losses}, with "constant" among them;
    curves: {schedule: (updates + 1,) learning rates at a peak of 1}. Returns the Figure."""
    figure, (ax_rates, ax_race) = new_figure(width=8.8, height=3.4, ncols=2)
    for i, (name, rates) in enumerate(curves.items()):
        ax_rates.plot(np.arange(len(rates)), rates, color=PALETTE[i], linewidth=1.8, label=name)
    ax_rates.set_ylim(0, 1.5)
    ax_rates.legend(loc="upper right", ncol=2, fontsize="small")
    label(ax_rates, "The schedules (peak rate 1)", "update", "learning rate / peak")

    best_constant = race["constant"].min(axis=1)                         # (seeds,)
    names = [name for name in race if name != "constant"]
    top = 1.9                                                            # where the counts are written
    spread = np.random.default_rng(0).uniform(-0.12, 0.12, len(best_constant))   # to tell equal dots apart
    for i, name in enumerate(names):
        ratio = race[name].min(axis=1) / best_constant
        wins = int(np.sum(ratio < 1))
        ax_race.scatter(i + spread, ratio, color=PALETTE[i + 1], marker=MARKERS[i % len(MARKERS)], s=28,
                        edgecolors="black", linewidths=0.5, zorder=3)
        ax_race.plot([i - 0.25, i + 0.25], [np.median(ratio)] * 2, color="black", linestyle="-", linewidth=2,
                     zorder=4)
        ax_race.text(i, top, f"lower at {wins} of {len(ratio)}", ha="center", va="top", fontsize="small")
    ax_race.axhline(1.0, color="grey", linestyle="--", linewidth=1)
    ax_race.set_xticks(range(len(names)), names)
    ax_race.set_xlim(-0.6, len(names) - 0.4)
    ax_race.set_ylim(0.3, 2.0)
    label(ax_race, f"Against the best constant rate, {len(best_constant)} seeds", "schedule",
          "best loss / best constant's (bar: median)")
    return figure
