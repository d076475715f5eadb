"""Every stored run of lessons 07 and 08 trained again: the stores hold what the code trains.

The lessons read their runs from nnlearn/experiments/digit_runs_stored.npz (written by
`python -m nnlearn.experiments.digit_runs --write`) and spiral_depth_stored.py (`... spiral_depth
--write`); every other claims test reads them too. Here each is trained again and compared within
tests/stored_runs.py's tolerance (bit for bit on the machine that wrote them; other arithmetic
moves a few digits). About a minute of training: out of the fast tier (conftest.py, NOT_FAST);
test_07_generalisation.py and test_08_playground.py train a few of them again in the fast tier.
"""

from stored_runs import SPIRAL_POINTS, run_differences, spiral_difference

from nnlearn.experiments import digit_runs, digit_runs_stored, spiral_depth


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
