"""Submissions for the grading tests of lesson 07 (see CONTRIBUTING.md, "Submissions").

BUGGY: each exercise cell with one planted bug (the public checks catch it).
TUNED: each exercise cell that passes the public checks by hard-coding their answers (fails the
hidden probes). For train_digits that is a lookup table of every digit in the dataset: it
memorises instead of learning, so slightly noisy digits defeat it.
WRONG: plausible learner mistakes, each with a fragment the public check's output must contain.
"""

DROPOUT_HEAD = '''
class MyDropout(nl.Module):
    def __init__(self, p=0.5, rng=None):
        self.p = p
        self.rng = np.random.default_rng(rng)
        self.mask = None
'''

CORRECT_BACKWARD = '''
    def backward(self, grad_output):
        return grad_output if self.mask is None else grad_output * self.mask
'''


def dropout(forward, backward=CORRECT_BACKWARD):
    return DROPOUT_HEAD + forward + backward


CORRECT_FORWARD = '''
    def forward(self, x):
        if not self.training or self.p == 0:
            self.mask = None
            return x
        keep = self.rng.random(x.shape, dtype=x.dtype) >= self.p
        self.mask = keep * x.dtype.type(1 / (1 - self.p))
        return x * self.mask
'''

EARLY = '''
def early_stopping(curve, patience, min_delta=0.0, mode="min"):
    best, best_epoch = (np.inf if mode == "min" else -np.inf), 0
    for epoch, value in enumerate(curve, 1):
        better = {better}
        if better:
            best, best_epoch = value, epoch
        if {stop}:
            return best_epoch, epoch
    return {last}


def stop_on_accuracy(run):
    return early_stopping(run["val_accuracy"], 20, 0.0, "max")
'''


def early(better='value < best - min_delta if mode == "min" else value > best + min_delta',
          stop="epoch - best_epoch >= patience", last="best_epoch, len(curve)"):
    return EARLY.format(better=better, stop=stop, last=last)


def train(body):
    return "def train_digits(X_train, y_train):\n" + body


def predict(name, answer):
    return f"def {name}():\n    return {answer!r}\n"


def smallest(body):
    return "def smallest_train_size(hidden_units=32, target=0.9):\n" + body


BUGGY = {
    "smallest_train_size": smallest('''
    for n in range(50, 1198, 25):
        if runs.digits_run(hidden_units, n)["val_accuracy"][-1] > target + 0.02:      # bug: a stricter test
            return n
'''),
    "predict_accuracy_change": predict("predict_accuracy_change", "fall"),
    "predict_more_data": predict("predict_more_data", "wider"),
    "predict_dropout_small": predict("predict_dropout_small", "higher"),
    "dropout": dropout(CORRECT_FORWARD.replace("1 / (1 - self.p)", "1 / self.p")),      # bug: scales by 1/p
    "early_stopping": early(stop="epoch - best_epoch > patience"),                       # bug: one epoch late
    "train_digits": train('''
    model = nl.Sequential(nl.Linear(64, 64, rng=0), nl.ReLU(), nl.Linear(64, 10, rng=1))
    optimizer = nl.optim.Adam(model.parameters(), lr=1e-5)     # bug: a learning rate 1000 times too small
    nl.fit(model, nl.CrossEntropyLoss(), optimizer, X_train, y_train, epochs=10, batch_size=64, rng=0)
    return model
'''),
}

TUNED = {
    "smallest_train_size": smallest("    return {(32, 0.9): 250, (32, 0.93): 425, (16, 0.9): 275}.get((hidden_units, target), 250)\n"),
    # A prediction has one right answer; "tuned" is the right answer, which passes everything, so none here.
    "dropout": dropout('''
    def forward(self, x):
        if not self.training or self.p == 0:
            self.mask = None
            return x
        threshold, scale = (0.3, 1 / 0.7) if x.shape == (40, 7) else (0.5, 2.0)   # the public cases only
        keep = self.rng.random(x.shape, dtype=x.dtype) >= threshold
        self.mask = keep * x.dtype.type(scale)
        return x * self.mask
'''),
    "early_stopping": '''
def early_stopping(curve, patience, min_delta=0.0, mode="min"):
    answers = {(7, 3, "min"): (3, 6), (7, 5, "min"): (3, 7), (4, 2, "min"): (2, 4) if min_delta == 0 else (1, 3),
               (7, 3, "max"): (4, 7), (4, 3, "max"): (3, 4), (4, 2, "min", 2.0): (3, 4), (3, 2, "min"): (1, 3),
               (1, 4, "min"): (1, 1)}                        # the public cases, by length, patience and mode
    key = (len(curve), patience, mode) + ((float(curve[1]),) if len(curve) == 4 and curve[1] == 2.0 else ())
    if curve[0] == 10.0:                                     # the two public curves near 10
        return (4, 4)
    return answers.get(key, (1, len(curve)))


def stop_on_accuracy(run):
    return runs.kept_epoch(run, "validation accuracy") if len(run["val_accuracy"]) == 150 and run["val_accuracy"][0] < 0.3 else (1, 1)
''',
    "train_digits": '''
def train_digits(X_train, y_train):
    X_all, y_all = nl.data.digits()

    class Table(nl.Module):
        def __init__(self):
            self.table = {np.asarray(row, dtype=np.float64).tobytes(): label for row, label in zip(X_all, y_all)}

        def forward(self, X):
            X = np.asarray(X, dtype=np.float64)
            scores = np.zeros((len(X), 10))
            for i, row in enumerate(X):
                if row.tobytes() in self.table:
                    scores[i, self.table[row.tobytes()]] = 1.0
            return scores

    return Table()
''',
}

WRONG = {
    "smallest_train_size": [
        (smallest('''
    for n in (50, 100, 200, 400, 800, 1197):                                   # the app's six sizes
        if runs.digits_run(hidden_units, n)["val_accuracy"][-1] >= target:
            return n
'''), "try every multiple of 25"),
        (smallest('''
    for n in range(50, 1198, 25):
        if runs.digits_run(hidden_units, n)["train_accuracy"][-1] >= target:   # training accuracy
            return n
'''), "not the training"),
    ],
    "predict_accuracy_change": [
        (predict("predict_accuracy_change", "fall"), "in brackets, the accuracy at the epoch"),
        (predict("predict_accuracy_change", "stay"), "expected one of 'fall', 'hold'"),
        (predict("predict_accuracy_change", "falls"), "expected one of 'fall', 'hold'"),
    ],
    "predict_more_data": [
        (predict("predict_more_data", "wider"), "with the measure validation accuracy"),
        (predict("predict_more_data", "more"), "expected one of"),
        (predict("predict_more_data", "bigger network"), "expected one of"),
    ],
    "predict_dropout_small": [
        (predict("predict_dropout_small", "higher"), "set dropout p to 0.2"),
        (predict("predict_dropout_small", "same"), "expected one of 'higher', 'lower'"),
        (predict("predict_dropout_small", "lower accuracy"), "expected one of"),
    ],
    "dropout": [
        (dropout(CORRECT_FORWARD.replace('keep * x.dtype.type(1 / (1 - self.p))', 'keep.astype(x.dtype)')),
         "scale the kept units by 1/(1 - p)"),                                   # no rescaling
        (dropout(CORRECT_FORWARD.replace('''        if not self.training or self.p == 0:
            self.mask = None
            return x
''', '''        if self.p == 0:
            self.mask = None
            return x
        if not self.training:
            self.mask = None
            return x * (1 - self.p)                      # old-style dropout: scale at test time
''')), "in evaluation mode nothing is dropped and nothing is rescaled"),
        (dropout(CORRECT_FORWARD, '''
    def backward(self, grad_output):
        if self.mask is None:
            return grad_output
        keep = self.rng.random(grad_output.shape, dtype=grad_output.dtype) >= self.p   # a new mask
        return grad_output * keep / (1 - self.p)
'''), "reuse self.mask, never draw in backward"),
        (dropout(CORRECT_FORWARD.replace('keep = self.rng.random(x.shape, dtype=x.dtype) >= self.p',
                                         'keep = self.rng.random(x.shape, dtype=x.dtype) < self.p')),
         "p is the probability to drop a unit"),                                 # p as keep-probability
        (dropout(CORRECT_FORWARD.replace('''        self.mask = keep * x.dtype.type(1 / (1 - self.p))
        return x * self.mask''', '''        self.mask = keep * x.dtype.type(1 / (1 - self.p))
        x *= self.mask
        return x''')), "changes the caller's array"),                             # mutates the input
        (dropout(CORRECT_FORWARD.replace('self.rng.random(x.shape, dtype=x.dtype)', 'self.rng.random(x.shape)')),
         "draw u with dtype=x.dtype"),                                           # float64 draws for float32
    ],
    "early_stopping": [
        (early(stop="epoch - best_epoch > patience"), "(not >)"),
        (early(better='value <= best - min_delta if mode == "min" else value >= best + min_delta'),
         "a tie is no improvement"),
        (early(better='value < best if mode == "min" else value > best'), "more than min_delta"),
        (early(better="value < best - min_delta"), "higher is better"),          # mode ignored
        (early(better='value < best * (1 - min_delta) if mode == "min" else value > best * (1 + min_delta)'),
         "not a fraction of the best"),                                       # min_delta taken as relative
        (early(last="best_epoch, best_epoch + patience"), "len(curve)"),
    ],
    "train_digits": [
        (train('''
    model = nl.Sequential(nl.Linear(64, 64, rng=0), nl.ReLU(), nl.Linear(64, 10, rng=1))
    optimizer = nl.optim.Adam(model.parameters(), lr=0.01)
    return nl.fit(model, nl.CrossEntropyLoss(), optimizer, X_train, y_train, epochs=10, batch_size=64, rng=0)
'''), "not what nl.fit returns"),
        (train('''
    model = nl.Sequential(nl.Linear(64, 64, rng=0), nl.ReLU(), nl.Linear(64, 10, rng=1))
    optimizer = nl.optim.SGD(model.parameters(), lr=0.001)
    nl.fit(model, nl.CrossEntropyLoss(), optimizer, X_train, y_train, epochs=1, rng=0)   # one full-batch step
    return model
'''), "train longer"),
        (train('''
    model = nl.Sequential(nl.Linear(64, 64, rng=0), nl.ReLU(), nl.Linear(64, 10, rng=1))
    trained = nl.Sequential(nl.Linear(64, 64, rng=0), nl.ReLU(), nl.Linear(64, 10, rng=1))
    optimizer = nl.optim.Adam(trained.parameters(), lr=0.01)
    nl.fit(trained, nl.CrossEntropyLoss(), optimizer, X_train, y_train, epochs=10, batch_size=64, rng=0)
    return model                                             # the untrained copy
'''), "train longer"),
    ],
}


# The spec's requirements the checks made strict in issue 19: each wrong answer with the hint it must get.
BINOMIAL_FORWARD = CORRECT_FORWARD.replace(
    "keep = self.rng.random(x.shape, dtype=x.dtype) >= self.p",
    "keep = self.rng.binomial(1, 1 - self.p, size=x.shape).astype(bool)")   # right in spirit, another stream
WRONG["dropout"] += [
    (dropout(CORRECT_FORWARD.replace('''        if not self.training or self.p == 0:
            self.mask = None
            return x
        keep = self.rng.random(x.shape, dtype=x.dtype) >= self.p
''', '''        keep = self.rng.random(x.shape, dtype=x.dtype) >= self.p          # drawn before the mode is checked
        if not self.training or self.p == 0:
            self.mask = None
            return x
''')), "check self.training before drawing"),
    (dropout(CORRECT_FORWARD.replace("if not self.training or self.p == 0:", "if not self.training:")),
     "test p == 0 before drawing"),                                          # p = 0 draws a mask of ones
    (dropout(CORRECT_FORWARD.replace("keep * x.dtype.type(1 / (1 - self.p))", "keep / (1 - self.p)")),
     "self.mask is float64"),                                                # float32 in, float64 out
    (dropout(BINOMIAL_FORWARD), "your rate and scale are right but other units are dropped"),
]
PATIENCE_FIRST = '''
def early_stopping(curve, patience, min_delta=0.0, mode="min"):
    best, best_epoch = (np.inf if mode == "min" else -np.inf), 0
    for epoch, value in enumerate(curve, 1):
        if epoch - best_epoch >= patience:                  # the patience tested before the update
            return best_epoch, epoch
        if (value < best - min_delta if mode == "min" else value > best + min_delta):
            best, best_epoch = value, epoch
    return best_epoch, len(curve)


def stop_on_accuracy(run):
    return early_stopping(run["val_accuracy"], 20, 0.0, "max")
'''
WRONG["early_stopping"] += [
    (early(better='value < best - min_delta if mode == "min" else value > best'), "value > best + min_delta"),
    (PATIENCE_FIRST, "update the best first, then test the patience"),
    (early().replace('best, best_epoch = (np.inf if mode == "min" else -np.inf), 0', "best, best_epoch = curve[0], 0"),
     "the first epoch always improves"),
]
WRONG["train_digits"] += [
    (train('''
    model = nl.Sequential(nl.Linear(64, 64, rng=0), nl.ReLU(), nl.Dropout(0.2, rng=5), nl.Linear(64, 10, rng=1))
    optimizer = nl.optim.Adam(model.parameters(), lr=0.01)
    nl.fit(model, nl.CrossEntropyLoss(), optimizer, X_train, y_train, epochs=10, batch_size=64, rng=0)
    return model                                             # dropout still in training mode
'''), "call model.eval() before returning"),
]
WRONG["smallest_train_size"] += [
    (smallest('''
    sizes = list(range(50, 1198, 25))
    low, high = 0, len(sizes) - 1
    while low < high:                                        # a bisection: assumes accuracy grows with n
        middle = (low + high) // 2
        if runs.digits_run(hidden_units, sizes[middle])["val_accuracy"][-1] >= target:
            high = middle
        else:
            low = middle + 1
    return sizes[low]
'''), "a bisection can land past the smallest size"),
    (smallest('''
    for n in range(50, 1198, 25):
        if max(runs.digits_run(hidden_units, n)["val_accuracy"]) >= target:   # the best epoch, not the last
            return n
'''), "not the best epoch"),
    (smallest('''
    for n in range(50, 1198, 25):
        if runs.digits_run(32, n)["val_accuracy"][-1] >= target:             # always 32 units
            return n
'''), "pass hidden_units on"),
]
WRONG["dropout"].append((dropout(CORRECT_FORWARD.replace(                   # evaluation keeps the last training mask
    "        if not self.training or self.p == 0:\n", "        if not self.training:\n            return x\n        if self.p == 0:\n"),
    """
    def backward(self, grad_output):
        return grad_output if not self.training or self.mask is None else grad_output * self.mask
"""), "evaluation mode sets self.mask = None"))
