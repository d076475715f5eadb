"""Training records for lesson 07: digits split three ways, one run per setting, cached.

The 1,797 digits are shuffled once (seed 0) and cut into three sets that never mix:
    test        300 digits, looked at once, at the very end, for the setting chosen;
    validation  300 digits, for choosing (network size, regularisation, when to stop);
    training    1,197 digits; a run learns from the first `train_size` of them.
A run trains 64 -> hidden_units ReLU (-> dropout) -> 10 with AdamW (lr 0.01, full batch: one
update per epoch) for 150 epochs and records, after every epoch and in evaluation mode, the
training and validation loss and accuracy, how sure the network is of its wrong validation
answers, and its validation predictions.
`labels="shuffled"` trains on the same training digits with their labels shuffled (a permutation
drawn from the seed): nothing is left to learn, only to memorise (Zhang et al., 2017).

Every run the lesson shows at its defaults (its tables, charts and exercises, and the explorer's
whole grid at seed 0) is stored in digit_runs_stored.npz, written by
`python -m nnlearn.experiments.digit_runs --write` (digit_runs_stored.py): `digits_run` returns
the stored record, and trains (then caches the last 160 runs, ~60 KB each) any other setting.
`train_digits_run` always trains; tests/claims/test_stored_runs.py runs every stored run again
and compares.
"""

import functools
import sys

import numpy as np
from threadpoolctl import threadpool_limits

from ..data import digits
from ..losses import CrossEntropyLoss
from ..models import mlp
from ..optim import AdamW
from ..train import train_step
from .digit_runs_stored import stored_run

HIDDEN_UNITS = (8, 32, 128)
TRAIN_SIZES = (50, 100, 200, 400, 800, 1197)
WEIGHT_DECAYS = (0.0, 0.01, 0.1, 1.0)
DROPOUTS = (0.0, 0.2, 0.5)
EPOCHS = 150
LR = 0.01
PATIENCE = 20
STOPPING = {                                   # what early stopping watches: (curve, mode, min_delta)
    "off": None,
    "validation accuracy": ("val_accuracy", "max", 0.0),
    "validation loss": ("val_loss", "min", 0.001),
}
TEST_SIZE = VAL_SIZE = 300


@functools.lru_cache(maxsize=1)
def digits_split():
    """(X_train, y_train, X_val, y_val, X_test, y_test): 1,197 / 300 / 300 digits, float32, seed 0."""
    X, y = digits(rng=0, dtype=np.float32)
    parts = (X[600:], y[600:], X[300:600], y[300:600], X[:300], y[:300])
    for array in parts:
        array.setflags(write=False)
    return parts


def weight_count(hidden_units):
    """Weights and biases of 64 -> h -> 10: 64h + h + 10h + 10."""
    return 75 * hidden_units + 10


def digits_model(hidden_units, dropout=0.0, seed=0):
    """64 pixels -> hidden_units ReLU units (-> Dropout(p)) -> 10 digit scores (logits), float32."""
    return mlp([64, hidden_units, 10], activation="relu", dropout=dropout, rng=seed, dtype=np.float32,
               dropout_rng=seed + 1)                     # masks from their own seed: same weights with or without


def _softmax_loss(logits, y):
    """Per-digit cross-entropy -log p[true] and the probabilities. Shapes: (N, 10), (N,) -> (N,), (N, 10)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y], np.exp(log_p)


def run_key(hidden_units, train_size, weight_decay=0.0, dropout=0.0, seed=0, labels="true"):
    """The setting as one tuple, however it was passed: (h, n, wd, p, seed, labels). Equal numbers
    hash alike (0 and 0.0, 8 and np.int64(8)), so any of them finds the same stored or cached run."""
    if labels not in ("true", "shuffled"):
        raise ValueError(f"labels must be 'true' or 'shuffled', got {labels!r}")
    return hidden_units, train_size, weight_decay, dropout, seed, labels


def digits_run(hidden_units, train_size, weight_decay=0.0, dropout=0.0, seed=0, labels="true"):
    """The per-epoch record of one setting (a dict of read-only arrays): stored if the lesson
    shows it, else trained by `train_digits_run` (the first time; cached after).

    Keys: train_loss, train_accuracy, val_loss, val_accuracy, wrong_confidence (mean probability
    the network gives its own answer on the validation digits it gets wrong), val_predicted
    (EPOCHS, 300), and _test_accuracy (for `test_report` only: the apps never show it).
    `seed` draws the initial weights and the dropout masks (and, for labels="shuffled", the
    permutation of the training labels); the digits and their split stay the same.
    """
    key = run_key(hidden_units, train_size, weight_decay, dropout, seed, labels)
    stored = stored_run(key)
    return stored if stored is not None else _trained_run(*key)


@functools.lru_cache(maxsize=160)
def _trained_run(*key):
    return train_digits_run(*key)


def train_digits_run(hidden_units, train_size, weight_decay=0.0, dropout=0.0, seed=0, labels="true"):
    """Train one setting for EPOCHS epochs, never reading the store: `digits_run`'s record, live."""
    run_key(hidden_units, train_size, weight_decay, dropout, seed, labels)           # checks labels
    X_train, y_train, X_val, y_val, X_test, y_test = digits_split()
    X_train, y_train = X_train[:train_size], y_train[:train_size]
    if labels == "shuffled":                      # every digit keeps a label, but a random one
        y_train = np.random.default_rng([seed, 1]).permutation(y_train)
    model = digits_model(hidden_units, dropout, seed)
    optimizer = AdamW(model.parameters(), lr=LR, weight_decay=weight_decay)
    loss_fn = CrossEntropyLoss()
    record = {key: [] for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy",
                                  "wrong_confidence", "val_predicted", "_test_accuracy")}
    # One BLAS thread: these matrices are small, so threads only add overhead (10-50x on a busy
    # machine), and a run gives the same numbers whatever the machine's number of cores.
    with np.errstate(all="ignore"), threadpool_limits(1, user_api="blas"):
        for _ in range(EPOCHS):
            model.train()
            train_step(model, loss_fn, optimizer, X_train, y_train)     # full batch: one update
            model.eval()                                                 # dropout off to measure
            logits = model(X_train)
            loss, _ = _softmax_loss(logits, y_train)
            record["train_loss"].append(loss.mean())
            record["train_accuracy"].append(np.mean(logits.argmax(axis=1) == y_train))
            logits = model(X_val)
            loss, probability = _softmax_loss(logits, y_val)
            predicted = logits.argmax(axis=1)
            wrong = predicted != y_val
            record["val_loss"].append(loss.mean())
            record["val_accuracy"].append(np.mean(~wrong))
            record["wrong_confidence"].append(probability.max(axis=1)[wrong].mean() if wrong.any()
                                              else np.float32(np.nan))          # float32 either way
            record["val_predicted"].append(predicted.astype(np.int8))
            record["_test_accuracy"].append(np.mean(model(X_test).argmax(axis=1) == y_test))
    run = {key: np.array(values) for key, values in record.items()}
    for array in run.values():
        array.setflags(write=False)                  # cached or stored: shared by every caller
    return run


def early_stopping(curve, patience=PATIENCE, min_delta=0.0, mode="min"):
    """Replay early stopping on a per-epoch curve. Returns (best_epoch, stop_epoch), 1-based.

    After each epoch: the value counts as an improvement when it beats the best so far by more
    than min_delta (lower for mode="min", higher for "max"); training stops at the first epoch
    `patience` epochs after the best one, or at the last epoch. The weights kept are the best epoch's.
    """
    best, best_epoch = (np.inf if mode == "min" else -np.inf), 0
    for epoch, value in enumerate(curve, 1):
        better = value < best - min_delta if mode == "min" else value > best + min_delta
        if better:
            best, best_epoch = value, epoch
        if epoch - best_epoch >= patience:
            return best_epoch, epoch
    return best_epoch, len(curve)


def kept_epoch(run, stopping="off", patience=PATIENCE):
    """(epoch whose weights are kept, epoch training stopped) for a run and an early-stopping choice."""
    if STOPPING[stopping] is None:
        return EPOCHS, EPOCHS
    key, mode, min_delta = STOPPING[stopping]
    return early_stopping(run[key], patience, min_delta, mode)


def test_report(hidden_units, train_size, weight_decay=0.0, dropout=0.0, stopping="off"):
    """Validation and test accuracy of one chosen setting (at the epoch it keeps): look once."""
    run = digits_run(hidden_units, train_size, weight_decay, dropout)
    best, stop = kept_epoch(run, stopping)
    return dict(epoch=best, stopped=stop, val_accuracy=float(run["val_accuracy"][best - 1]),
                test_accuracy=float(run["_test_accuracy"][best - 1]))


def choose_on_validation(candidates, train_size=1197, stopping="off"):
    """The candidate (hidden_units, weight_decay, dropout) with the highest validation accuracy
    at its kept epoch (ties: the first listed), and every candidate's figure."""
    scores = {}
    for candidate in candidates:
        run = digits_run(candidate[0], train_size, *candidate[1:])
        scores[candidate] = float(run["val_accuracy"][kept_epoch(run, stopping)[0] - 1])
    best = max(scores, key=lambda c: (scores[c], -list(scores).index(c)))
    return best, scores


def compare(settings):
    """Validation figures of several settings, each a dict of digits_run's arguments plus an
    optional "stopping"; returns one dict per setting (for `print_comparison` and the tests)."""
    rows = []
    for setting in settings:
        setting = dict(setting)
        stopping = setting.pop("stopping", "off")
        run = digits_run(setting["hidden_units"], setting["train_size"], setting.get("weight_decay", 0.0),
                         setting.get("dropout", 0.0))
        best, stop = kept_epoch(run, stopping)
        rows.append(dict(setting, stopping=stopping, kept=best, stopped=stop,
                         train_accuracy=float(run["train_accuracy"][best - 1]),
                         val_accuracy=float(run["val_accuracy"][best - 1]),
                         val_loss=float(run["val_loss"][best - 1])))
    return rows


def print_comparison(settings):
    """Print `compare(settings)` as a table, one line per setting."""
    print(f"{'hidden':>6} {'digits':>6} {'decay':>5} {'drop':>4} {'early stopping':>19} {'kept':>4} {'stop':>4}"
          f" {'train acc':>9} {'val acc':>7} {'val loss':>8}")
    for row in compare(settings):
        print(f"{row['hidden_units']:>6} {row['train_size']:>6} {row.get('weight_decay', 0.0):>5g} "
              f"{row.get('dropout', 0.0):>4g} {row['stopping']:>19} {row['kept']:>4} {row['stopped']:>4} "
              f"{row['train_accuracy']:>9.1%} {row['val_accuracy']:>7.1%} {row['val_loss']:>8.2f}")


if __name__ == "__main__" and "--write" in sys.argv:
    from nnlearn.experiments.digit_runs_stored import write_store
    write_store()
