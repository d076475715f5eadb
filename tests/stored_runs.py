"""How far a run trained now may be from its stored record, on any machine's arithmetic.

On the machine that wrote the stores the runs come out bit for bit the same. On others (numpy's SIMD
loops and OpenBLAS's kernels chosen by the CPU: tests/claims/test_claims_elsewhere.py) every float
differs in its last bits from the first epoch, and 150 epochs of AdamW carry that into a few
predictions. Measured over the 366 stored digit runs with the SSE and the AVX2 arithmetic of
test_claims_elsewhere.py: accuracies moved by at most 3 digits of their set, validation losses by
at most 0.7 %, training losses by at most 0.0003, the predictions in at most 190 (0.4 %) of the
45,000 (epoch, validation digit) pairs, and the mean confidence of the wrong answers (an average over the digits the network gets
wrong, which jumps when one of them changes) by up to 0.026; except one run, memorising shuffled
labels at seed 0 under SSE, whose path the last bits move more: 4 digits, 1.8 % of its validation
loss, 2.6 % of its predictions. Lesson 08's 50 stored accuracies: one moved, by 1 test point (SSE)
and by 2 (AVX2) of 250. The bounds below are the largest of these with room (about 1.5x); a change
to the training code moves most runs, and by more.
"""

import numpy as np

DIGITS = 6                       # accuracy: digits of its set (training, 300 validation, 300 test)
LOSS_RTOL, LOSS_ATOL = 0.03, 0.01
PREDICTIONS = 0.05               # share of (epoch, validation digit) predictions that may differ
CONFIDENCE_ATOL = 0.05
SPIRAL_POINTS = 3                # of lesson 08's 250 test points


def run_differences(key, stored, live):
    """The ways `live` is further from `stored` than the bounds above allow: a list of readable lines."""
    problems = [f"{field}: dtype {live[field].dtype}, stored {stored[field].dtype}" for field in stored
                if live[field].dtype != stored[field].dtype or live[field].shape != stored[field].shape]
    if problems:
        return problems
    for field, count in (("train_accuracy", key[1]), ("val_accuracy", 300), ("_test_accuracy", 300)):
        moved = np.max(np.abs(live[field] - stored[field])) * count
        if moved > DIGITS + 1e-6:
            problems.append(f"{field} moved by {moved:.0f} digits")
    for field in ("train_loss", "val_loss"):
        if not np.allclose(live[field], stored[field], rtol=LOSS_RTOL, atol=LOSS_ATOL):
            problems.append(f"{field} moved by up to {np.max(np.abs(live[field] - stored[field])):.4f}")
    if not np.allclose(live["wrong_confidence"], stored["wrong_confidence"], rtol=0, atol=CONFIDENCE_ATOL,
                       equal_nan=True):
        problems.append("wrong_confidence moved by more than 0.05")
    changed = np.mean(live["val_predicted"] != stored["val_predicted"])
    if changed > PREDICTIONS:
        problems.append(f"{changed:.1%} of the validation predictions changed")
    return problems


def spiral_difference(stored, live):
    """How many of lesson 08's 250 test points the accuracies differ by."""
    return round(abs(live - stored) * 250)
