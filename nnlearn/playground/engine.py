"""The playground's network and its training: one step is one epoch, as in TensorFlow Playground.

An epoch is the training data in shuffled mini-batches, each one `nl.train_step` (forward, loss,
backward, update), then the regulariser's step on the weights (not the biases):
L1: w <- w - lr * rate * sign(w);  L2: w <- w - lr * rate * w.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from .. import data as nl_data
from .. import optim
from ..models import mlp
from ..nn import Linear
from .._fit_stops import DATA_SCALE_LIMIT
from ..train import accuracy, has_diverged, train_step
from .data import drawn_data, make_data, make_features
from .state import ACTIVATIONS, DRAWN, LOSSES, Config


def r_squared(prediction, target):
    """Coefficient of determination: 1 - sum((t - p)^2) / sum((t - mean t)^2)."""
    prediction, target = np.ravel(prediction), np.ravel(target)
    with np.errstate(all="ignore"):                       # targets near 1e300: the ratio is nan, not a warning
        total = np.sum((target - target.mean()) ** 2)
        return float(1 - np.sum((target - prediction) ** 2) / total) if total > 0 else float("nan")


def confusion_matrix(logits, y, n_classes):
    """counts[i, j] = how many points of true class i the network puts in class j."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(y), np.asarray(logits).argmax(axis=1)), 1)
    return counts


def build_model(config, n_inputs, n_outputs):
    """The network of a config: Linear, activation (and Dropout) per hidden layer, then a Linear output,
    its weights drawn from the config's seed (nl.mlp)."""
    return mlp([n_inputs, *config.hidden, n_outputs], activation=config.activation, dropout=config.dropout,
               rng=np.random.default_rng(config.seed))


def scheduled_lr(config, epoch):
    """The learning rate for (0-based) epoch under the config's schedule."""
    if config.schedule == "step":
        return config.learning_rate * 0.5 ** (epoch // 50)
    if config.schedule == "cosine":
        return config.learning_rate * 0.5 * (1 + math.cos(math.pi * min(epoch, 200) / 200))
    return config.learning_rate


@dataclass
class Record:
    """Per epoch: training and test loss; and the epoch at which training diverged (or None)."""

    train_loss: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    diverged_at: object = None


class Playground:
    """Data, features, network, optimizer and the record of training for one Config."""

    def __init__(self, config=None, data=None):
        self.config = (config or Config()).validate()
        self.user = data                                      # (X, y) of your own data, or None
        self.reset_data()

    # data and network
    def reset_data(self):
        c = self.config
        drawn = c.dataset == DRAWN and self.user is None
        # own data: yours, or the points drawn on the picture; split as the app splits them
        self.own_data = drawn_data(c.points) if drawn else self.user
        if self.own_data is not None:
            X, y = self.own_data
            rng = np.random.default_rng(c.seed)
            order = rng.permutation(len(X))
            cut = max(1, int(round(len(X) * c.train_percent / 100)))     # at least one point to train on
            self.X_train, self.y_train = X[order[:cut]], y[order[:cut]]
            self.X_test, self.y_test = X[order[cut:]], y[order[cut:]]
            self.problem = "classification" if y.dtype.kind in "iu" else "regression"
        elif c.dataset == "yours":
            raise ValueError("Playground: dataset 'yours' needs your data: Playground(config, (X, y))")
        else:
            self.X_train, self.y_train, self.X_test, self.y_test = make_data(
                c.dataset, c.n_points, c.noise, c.train_percent, c.seed)
            self.problem = c.problem
        labels = np.concatenate([self.y_train, self.y_test])
        self.n_classes = int(labels.max(initial=0)) + 1 if self.problem == "classification" else 0
        if drawn:                                             # one colour drawn so far: still two classes
            self.n_classes = max(2, self.n_classes)
        self.reset()

    def reset(self):
        """A fresh network (same seed, same start), optimizer and record."""
        c = self.config
        n_out = self.n_classes if self.problem == "classification" else 1
        self.model = build_model(c, len(c.features), n_out)
        self.loss_fn = LOSSES[c.loss].make()
        self.optimizer = optim.OPTIMIZERS[c.optimizer].make(self.model.parameters(), c.learning_rate)
        self.rng = np.random.default_rng(c.seed + 1)
        self.epoch = 0
        self.record = Record()
        self.inputs_train = make_features(self.X_train, c.features)
        self.inputs_test = make_features(self.X_test, c.features)
        self.record.train_loss.append(self.loss(self.inputs_train, self.y_train))
        self.record.test_loss.append(self.loss(self.inputs_test, self.y_test))

    def target(self, y):
        """What the loss compares against: labels for cross-entropy, one-hot or a column otherwise."""
        if self.problem == "regression":
            return y.reshape(-1, 1)
        if self.config.loss == "cross-entropy":
            return y
        return np.eye(self.n_classes)[y]

    def loss(self, inputs, y):
        if len(inputs) == 0:
            return float("nan")
        self.model.eval()
        with np.errstate(all="ignore"):
            value = self.loss_fn(self.model(inputs), self.target(y))
        self.model.train()
        return float(value)

    # training
    def step(self):
        """One epoch: the training data in shuffled mini-batches, one nl.train_step each."""
        if self.record.diverged_at is not None or len(self.inputs_train) == 0:     # nothing drawn yet
            return False
        c = self.config
        lr = scheduled_lr(c, self.epoch)
        self.optimizer.param_groups[0]["lr"] = lr
        self.model.train()
        with np.errstate(all="ignore"):
            for X_batch, y_batch in nl_data.minibatches(self.inputs_train, self.target(self.y_train),
                                                        c.batch_size, shuffle=True, rng=self.rng):
                train_step(self.model, self.loss_fn, self.optimizer, X_batch, y_batch)
                self.regularise(lr)
        self.epoch += 1
        train_loss = self.loss(self.inputs_train, self.y_train)
        self.record.train_loss.append(train_loss)
        self.record.test_loss.append(self.loss(self.inputs_test, self.y_test))
        if has_diverged(train_loss, self.record.train_loss[0]):
            self.record.diverged_at = self.epoch
        return True

    def divergence_message(self):
        """Why training diverged (None while it has not). Targets far from unit scale are the data's
        fault, as fit says; otherwise the steps overshot."""
        epoch = self.record.diverged_at
        if epoch is None:
            return None
        where = f"Training diverged at epoch {epoch}: the loss grew past any use."
        if self.problem == "regression":
            scale = float(np.max(np.abs(np.concatenate([self.y_train, self.y_test]))))
            if scale > DATA_SCALE_LIMIT:
                return (f"{where} The targets are far from unit scale: y reaches {scale:.3g} in absolute value, so "
                        "the first gradients are enormous. Standardise them first, e.g. y = (y - y.mean()) / y.std(); "
                        "no learning rate fixes data at that scale.")
        return f"{where} Lower the learning rate (it is {self.config.learning_rate:g}) and press reset."

    def regularise(self, lr):
        """Playground's penalty on the weights (not the biases), as a step after the update."""
        c = self.config
        if c.regularization == "none" or c.reg_rate == 0:
            return
        for layer in self.model:
            if isinstance(layer, Linear):
                w = layer.weight.data
                w -= lr * c.reg_rate * (np.sign(w) if c.regularization == "L1" else w)

    # what the views show
    def layer_outputs(self, points):
        """What every hidden neuron and the output compute at the points: a list of (N, units) arrays,
        one per hidden layer (after its activation) and the output layer's last."""
        activation = ACTIVATIONS[self.config.activation]
        outputs, x = [], make_features(points, self.config.features)
        last = len(self.model) - 1
        self.model.eval()                                          # dropout off: what the network computes
        with np.errstate(all="ignore"):
            for index, layer in enumerate(self.model):
                x = layer(x)
                ends_a_layer = isinstance(layer, activation) if activation else isinstance(layer, Linear)
                if index == last or ends_a_layer:
                    outputs.append(x)
        self.model.train()
        return outputs

    def layer_inputs(self, points):
        """The input features at the points: (N, len(features))."""
        return make_features(points, self.config.features)

    def linear_layers(self):
        return [layer for layer in self.model if isinstance(layer, Linear)]

    def metrics(self):
        """Classification: accuracy and confusion matrix on the test data; regression: R²."""
        self.model.eval()
        with np.errstate(all="ignore"):
            prediction = self.model(self.inputs_test) if len(self.inputs_test) else None
        self.model.train()
        if prediction is None:
            return {}
        if self.problem == "classification":
            return {"accuracy": accuracy(prediction, self.y_test),
                    "confusion": confusion_matrix(prediction, self.y_test, self.n_classes)}
        return {"r2": r_squared(prediction, self.y_test)}

    def weights(self):
        """{'layer{i}.weight': array, 'layer{i}.bias': array} of every Linear, i counting from 0."""
        arrays, index = {}, 0
        for layer in self.model:
            if isinstance(layer, Linear):
                arrays[f"layer{index}.weight"] = layer.weight.data.copy()
                arrays[f"layer{index}.bias"] = layer.bias.data.copy()
                index += 1
        return arrays

    def load_weights(self, arrays):
        index = 0
        for layer in self.model:
            if isinstance(layer, Linear):
                for name in ("weight", "bias"):
                    value = np.asarray(arrays[f"layer{index}.{name}"])
                    target = getattr(layer, name).data
                    if value.shape != target.shape:
                        raise ValueError(f"load_weights: layer{index}.{name} has shape {value.shape}, "
                                         f"the network needs {target.shape}")
                    target[...] = value
                index += 1
