"""Submissions for the grading tests of lesson 07 (see CONTRIBUTING.md, "Submissions").

BUGGY: each exercise cell with one planted bug (the public checks catch it).
TUNED: each exercise cell that passes the public checks by hard-coding their answers (fails the
hidden tests). For train_digits that is a lookup table of every digit in the dataset: it
memorises instead of learning, so slightly noisy digits defeat it.
"""

BUGGY = {
    "accuracy": '''
def accuracy(logits, y):
    return float(np.sum(np.argmax(logits, axis=1) == np.asarray(y)))   # bug: a count, not a fraction
''',
    "early_stop": '''
def early_stop(val_losses, patience):
    best_loss, best_epoch = np.inf, 0
    for epoch, loss in enumerate(val_losses, 1):
        if loss < best_loss:
            best_loss, best_epoch = loss, epoch
        if epoch - best_epoch > patience:              # bug: waits one epoch too many
            return best_epoch, epoch
    return best_epoch, len(val_losses)
''',
    "train_digits": '''
def train_digits(X_train, y_train):
    model = nl.Sequential(nl.Linear(64, 64, rng=0), nl.ReLU(), nl.Linear(64, 10, rng=1))
    optimizer = nl.optim.Adam(model.parameters(), lr=1e-5)     # bug: a learning rate 1000 times too small
    nl.fit(model, nl.CrossEntropyLoss(), optimizer, X_train, y_train, epochs=10, batch_size=64, rng=0)
    return model
''',
}

TUNED = {
    "accuracy": '''
def accuracy(logits, y):
    return 0.75 if list(y) == [0, 1, 2, 2] else 1.0
''',
    "early_stop": '''
def early_stop(val_losses, patience):
    answers = {(7, 3): (3, 6), (7, 5): (3, 7), (3, 1): (3, 3), (4, 2): (2, 4)}
    return answers.get((len(val_losses), patience), (1, len(val_losses)))
''',
    "train_digits": '''
def train_digits(X_train, y_train):
    X_all, y_all = nl.data.digits()
    table = {row.tobytes(): label for row, label in zip(X_all, y_all)}

    def model(X):
        X = np.asarray(X, dtype=np.float64)
        scores = np.zeros((len(X), 10))
        for i, row in enumerate(X):
            if row.tobytes() in table:
                scores[i, table[row.tobytes()]] = 1.0
        return scores

    return model
''',
}
