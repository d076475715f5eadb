"""Lesson 09: a real loss landscape, lesson 07's digits network seen along lines and planes.

The network is lesson 07's 64 -> 32 ReLU -> 10, trained on all 1,197 training digits as
`digit_runs.digits_run(32, 1197)` trains it (AdamW, lr 0.01, 150 full-batch epochs); here its
weights are kept after every epoch. Its ~2,400 weights make a loss surface of ~2,400 dimensions;
we can only look at slices of it:
- `line_losses`: the loss on the straight line from the initial to the trained weights,
  theta(alpha) = (1 - alpha) theta_0 + alpha theta_T (Goodfellow, Vinyals & Saxe, 2015);
- `plane_losses`: the loss on the plane theta_T + a d1 + b d2 through the trained weights, d1 and
  d2 random directions, each filter (one unit's incoming weights) scaled to the norm of the same
  filter of theta_T, biases not moved (Li et al., 2018, "filter normalisation"), so that a = 1
  means a change as large as the weights themselves, whatever each layer's scale;
- `trajectory_projection`: the training path projected onto that plane, and how much of its
  length the plane holds (in ~2,400 dimensions, two random directions hold almost none of it).
"""

import functools

import numpy as np
from threadpoolctl import threadpool_limits

from ..losses import CrossEntropyLoss
from ..nn import Linear
from ..optim import AdamW
from ..train import train_step
from . import digit_runs

HIDDEN_UNITS, TRAIN_SIZE = 32, 1197


def flat_parameters(model):
    """All parameters of a model as one vector (layer by layer, weight then bias)."""
    return np.concatenate([parameter.data.ravel() for parameter in model.parameters()]).astype(np.float64)


def set_parameters(model, vector):
    """Load a vector made by flat_parameters back into the model (in place)."""
    at = 0
    for parameter in model.parameters():
        size = parameter.data.size
        parameter.data[...] = vector[at:at + size].reshape(parameter.data.shape)
        at += size


@functools.lru_cache(maxsize=4)
def training_path(seed=0):
    """The parameters before training and after each of digit_runs.EPOCHS epochs, (EPOCHS + 1, P)."""
    X_train, y_train = digit_runs.digits_split()[:2]
    model = digit_runs.digits_model(HIDDEN_UNITS, 0.0, seed)
    optimizer = AdamW(model.parameters(), lr=digit_runs.LR, weight_decay=0.0)
    path = [flat_parameters(model)]
    with np.errstate(all="ignore"), threadpool_limits(1, user_api="blas"):
        for _ in range(digit_runs.EPOCHS):
            train_step(model, CrossEntropyLoss(), optimizer, X_train[:TRAIN_SIZE], y_train[:TRAIN_SIZE])
            path.append(flat_parameters(model))
    path = np.array(path)
    path.setflags(write=False)
    return path


def losses_at(vectors, seed=0):
    """(training loss, validation loss, validation accuracy) at each parameter vector, each (len(vectors),)."""
    X_train, y_train, X_val, y_val = digit_runs.digits_split()[:4]
    model = digit_runs.digits_model(HIDDEN_UNITS, 0.0, seed)
    loss_fn = CrossEntropyLoss()
    train, val, accuracy = [], [], []
    with np.errstate(all="ignore"), threadpool_limits(1, user_api="blas"):
        for vector in vectors:
            set_parameters(model, vector.astype(np.float32))
            train.append(float(loss_fn(model(X_train[:TRAIN_SIZE]), y_train[:TRAIN_SIZE])))
            logits = model(X_val)
            val.append(float(loss_fn(logits, y_val)))
            accuracy.append(float(np.mean(logits.argmax(axis=1) == y_val)))
    return np.array(train), np.array(val), np.array(accuracy)


def line_losses(alphas=np.linspace(-0.5, 1.5, 41), seed=0):
    """Losses on theta(alpha) = (1 - alpha) theta_0 + alpha theta_T: (alphas, train, val, val accuracy)."""
    path = training_path(seed)
    alphas = np.asarray(alphas, dtype=float)
    return (alphas, *losses_at([(1 - a) * path[0] + a * path[-1] for a in alphas], seed))


def filter_normalised_direction(seed, direction_seed):
    """A random direction d ~ N(0, 1) in parameter space with each filter (a column of a Linear
    layer's W: one unit's incoming weights) scaled to that filter's norm in theta_T; biases 0."""
    model = digit_runs.digits_model(HIDDEN_UNITS, 0.0, seed)
    set_parameters(model, training_path(seed)[-1].astype(np.float32))
    rng = np.random.default_rng(direction_seed)
    parts = []
    for layer in model:
        if not isinstance(layer, Linear):
            continue
        weight = layer.weight.data.astype(np.float64)                            # (in, out)
        direction = rng.normal(size=weight.shape)
        direction *= np.linalg.norm(weight, axis=0) / np.linalg.norm(direction, axis=0)   # per filter
        parts += [direction.ravel(), np.zeros(layer.bias.data.size)]
    return np.concatenate(parts)


@functools.lru_cache(maxsize=4)
def plane_losses(span=1.0, points=21, seed=0, direction_seeds=(1, 2)):
    """Training loss on theta_T + a d1 + b d2 for a, b in linspace(-span, span, points).

    Returns (coordinates (points,), losses (points, points) indexed [b, a], d1, d2)."""
    centre = training_path(seed)[-1]
    d1, d2 = (filter_normalised_direction(seed, s) for s in direction_seeds)
    coordinates = np.linspace(-span, span, points)
    vectors = [centre + a * d1 + b * d2 for b in coordinates for a in coordinates]
    train, _, _ = losses_at(vectors, seed)
    return coordinates, train.reshape(points, points), d1, d2


def trajectory_projection(seed=0, direction_seeds=(1, 2)):
    """The training path theta_t - theta_T in the plane's coordinates (least squares on d1, d2),
    shape (EPOCHS + 1, 2), and the fraction of each step's distance to theta_T the plane holds
    (|projection| / |theta_t - theta_T|, epoch 0 first)."""
    path = training_path(seed)
    d1, d2 = (filter_normalised_direction(seed, s) for s in direction_seeds)
    basis = np.stack([d1, d2], axis=1)                                # (P, 2)
    offsets = path - path[-1]                                         # (EPOCHS + 1, P)
    coefficients = np.linalg.lstsq(basis, offsets.T, rcond=None)[0].T
    distance = np.linalg.norm(offsets, axis=1)
    held = np.linalg.norm(coefficients @ basis.T, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(distance > 0, held / distance, np.nan)
    return coefficients, fraction
