"""Every stored run trained again: the stores hold what the code trains (lessons 05, 07, 08, 09).

The lessons read their runs from nnlearn/experiments/digit_runs_stored.npz (written by
`python -m nnlearn.experiments.digit_runs --write`) and spiral_depth_stored.py (`... spiral_depth
--write`); every other claims test reads them too. Here each is trained again and compared within
tests/stored_runs.py's tolerance (bit for bit on the machine that wrote them; other arithmetic
moves a few digits). About a minute of training: out of the fast tier (conftest.py, NOT_FAST);
test_07_generalisation.py and test_08_playground.py train a few of them again in the fast tier.
"""

import numpy as np
import pytest
from stored_runs import SPIRAL_POINTS, run_differences, spiral_difference

from nnlearn.experiments import batch_rates, digit_runs, digit_runs_stored, spiral_depth, training_runs
from nnlearn.experiments import conditioning_network as cond_net


def test_every_stored_digit_run_is_what_training_gives_now():
    problems = {}
    for key, stored in digit_runs_stored.stored_runs().items():
        found = run_differences(key, stored, digit_runs.train_digits_run(*key))
        if found:
            problems[key] = found
    assert not problems, "\n".join(f"{key}: {'; '.join(lines)}" for key, lines in problems.items())


def test_every_stored_spiral_accuracy_is_what_training_gives_now():
    moved = {}
    for (dataset, epochs, seed, settings), stored in spiral_depth.stored_accuracies().items():
        points = spiral_difference(stored, spiral_depth.trained_test_accuracy(dataset, epochs, seed, **dict(settings)))
        if points > SPIRAL_POINTS:
            moved[dataset, seed, settings] = points
    assert not moved, f"test points moved: {moved}"


def test_the_stored_batch_size_search_over_10_seeds_is_what_the_code_gives():
    """Lesson 05's best rates per batch size and seed (nnlearn/experiments/batch_rates_stored.py)."""
    for b in training_runs.BATCH_SIZES:
        np.testing.assert_array_equal(batch_rates.at_equal_epochs(b, live=True), batch_rates.at_equal_epochs(b))
        np.testing.assert_allclose(batch_rates.tuned_finals(b, live=True), batch_rates.tuned_finals(b), rtol=1e-9)


def test_the_stored_network_runs_of_lesson_09_are_what_the_code_gives():
    """The network table prints stored runs (conditioning_network_stored.py): they are what
    cond_net.all_runs() computes."""
    live, stored = cond_net.all_runs(), cond_net.stored_runs()
    for activation in cond_net.ACTIVATIONS:
        for now, then in zip(live[activation], stored[activation]):
            for name in ("raw", "standardised"):
                assert now[name]["lr"] == then[name]["lr"] and now[name]["updates"] == then[name]["updates"]
                # the loss after 2,000 updates: another machine's rounding moves tanh's by up to about
                # 1% (0.6294 against 0.6328); the rates and the update counts are the same everywhere
                assert now[name]["final"] == pytest.approx(then[name]["final"], rel=0.02)
