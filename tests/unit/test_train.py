"""fit: batch sizes and step counts, what History records, callbacks and early stopping,
divergence, reproducibility and float32."""

import warnings

import numpy as np
import pytest

import nnlearn as nl


def regression_problem(n=10, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype(dtype)
    y = (X @ np.array([[1.5], [-2.0]]) + 0.5).astype(dtype)
    model = nl.Sequential(nl.Linear(2, 1, rng=rng, dtype=dtype))
    return model, X, y


def classification_problem(n=12, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype(dtype)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = nl.Sequential(nl.Linear(2, 8, rng=rng, dtype=dtype), nl.Tanh(), nl.Linear(8, 2, rng=rng, dtype=dtype))
    return model, X, y


def weights(model):
    return [p.data.copy() for p in model.parameters()]


# --- mini-batches and step counts --------------------------------------------------------------

def test_minibatches_of_four_from_ten_examples_are_four_four_and_two():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    batches = list(nl.data.minibatches(X, y, 4, shuffle=False))
    assert [len(xb) for xb, _ in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([yb for _, yb in batches]), y)
    np.testing.assert_array_equal(batches[2][0], X[8:])


def test_shuffled_minibatches_cover_every_example_once_with_rows_kept_together():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    batches = list(nl.data.minibatches(X, y, 3, shuffle=True, rng=0))
    assert [len(yb) for _, yb in batches] == [3, 3, 3, 1]
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen) == list(range(10)) and not np.array_equal(seen, y)
    for xb, yb in batches:
        np.testing.assert_array_equal(xb[:, 0], 2 * yb)


@pytest.mark.parametrize("batch_size, steps_per_epoch, seen_in_first_epoch", [
    (None, 1, [10]),
    (1, 10, list(range(1, 11))),
    (4, 3, [4, 8, 10]),
    (10, 1, [10]),
    (25, 1, [10]),
])
def test_fit_takes_one_step_per_batch_and_counts_examples_seen(batch_size, steps_per_epoch, seen_in_first_epoch):
    model, X, y = regression_problem(n=10)
    opt = nl.optim.SGD(model.parameters(), lr=0.01)
    history = nl.fit(model, nl.MSELoss(), opt, X, y, epochs=3, batch_size=batch_size, rng=0)
    assert history.steps == 3 * steps_per_epoch == len(history.examples_seen) == len(history.step_time)
    assert history.examples_seen[:steps_per_epoch] == seen_in_first_epoch
    assert history.examples_seen[-1] == 30
    assert history.epochs == 3 and not history.diverged and not history.stopped_early


def test_full_batch_fit_is_the_four_step_loop_written_out():
    model, X, y = regression_problem()
    twin, _, _ = regression_problem()
    loss_fn = nl.MSELoss()
    history = nl.fit(model, loss_fn, nl.optim.SGD(model.parameters(), lr=0.1), X, y, epochs=5, shuffle=False)
    opt, losses = nl.optim.SGD(twin.parameters(), lr=0.1), []
    for _ in range(5):
        losses.append(loss_fn(twin(X), y))
        opt.zero_grad()
        twin.backward(loss_fn.backward())
        opt.step()
    assert history.step_loss == losses
    assert history.epoch_loss == pytest.approx(losses, rel=1e-15)
    for ours, expected in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(ours.data, expected.data)
    assert losses[-1] < losses[0]


def test_sgd_fit_with_unshuffled_batches_of_one_updates_after_every_example():
    model, X, y = regression_problem(n=4)
    twin, _, _ = regression_problem(n=4)
    loss_fn = nl.MSELoss()
    nl.fit(model, loss_fn, nl.optim.SGD(model.parameters(), lr=0.1), X, y, epochs=1, batch_size=1, shuffle=False)
    opt = nl.optim.SGD(twin.parameters(), lr=0.1)
    for i in range(4):
        loss_fn(twin(X[i:i + 1]), y[i:i + 1])
        opt.zero_grad()
        twin.backward(loss_fn.backward())
        opt.step()
    for ours, expected in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(ours.data, expected.data)


# --- History -----------------------------------------------------------------------------------

def test_history_records_epoch_and_validation_figures_of_a_frozen_model():
    # With lr = 0 the weights never change, so every figure can be computed directly.
    model, X, y = classification_problem(n=12)
    X_val, y_val = X[:5] * -1.5, y[:5]
    loss_fn = nl.CrossEntropyLoss()
    history = nl.fit(model, loss_fn, nl.optim.SGD(model.parameters(), lr=0.0), X, y, epochs=2, batch_size=5,
                     rng=0, validation=(X_val, y_val))
    train_loss, val_loss = loss_fn(model(X), y), loss_fn(model(X_val), y_val)
    train_accuracy = np.mean(model(X).argmax(axis=1) == y)
    val_accuracy = np.mean(model(X_val).argmax(axis=1) == y_val)
    assert history.epoch_loss == pytest.approx([train_loss] * 2, rel=1e-14)     # batch-size-weighted mean
    assert history.epoch_accuracy == pytest.approx([train_accuracy] * 2, rel=1e-14)
    assert history.val_loss == pytest.approx([val_loss] * 2, rel=1e-14)
    assert history.val_accuracy == pytest.approx([val_accuracy] * 2, rel=1e-14)
    assert len(history.step_loss) == 2 * 3 and len(set(history.step_loss)) > 1


def test_regression_history_has_losses_but_no_accuracy():
    model, X, y = regression_problem()
    history = nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.05), X, y, epochs=4,
                     validation=(X[:3], y[:3]))
    assert len(history.epoch_loss) == len(history.val_loss) == 4
    assert history.epoch_accuracy == [] and history.val_accuracy == []
    assert history.epoch_loss[-1] < history.epoch_loss[0]


def test_accuracy_by_hand():
    assert nl.accuracy([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]], [0, 1, 1]) == pytest.approx(2 / 3)
    assert nl.accuracy([[0.5], [-2.0], [1.0], [-0.1]], [[1.0], [0.0], [0.0], [0.0]]) == 0.75


def test_classifier_learns_a_separable_problem():
    model, X, y = classification_problem(n=40, seed=1)
    history = nl.fit(model, nl.CrossEntropyLoss(), nl.optim.Adam(model.parameters(), lr=0.05), X, y,
                     epochs=60, batch_size=8, rng=0)
    assert history.epoch_accuracy[-1] >= 0.95 and history.epoch_loss[-1] < history.epoch_loss[0] / 3


# --- callbacks and early stopping --------------------------------------------------------------

def test_callbacks_are_called_after_every_epoch_with_the_history_so_far():
    model, X, y = regression_problem()
    calls = []
    history = nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.01), X, y, epochs=4,
                     callbacks=[lambda h: calls.append(len(h.epoch_loss))])
    assert calls == [1, 2, 3, 4] and not history.stopped_early


def test_a_callback_returning_true_stops_training_early():
    model, X, y = regression_problem()
    history = nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.01), X, y, epochs=10,
                     batch_size=4, callbacks=lambda h: h.epochs == 3)
    assert history.stopped_early and history.epochs == 3 and history.steps == 9
    assert "3" in history.message


def test_early_stopping_restores_the_weights_of_the_best_validation_epoch():
    # One weight w, starting at 0, pulled towards y = x by full-batch gradient descent:
    # w_t = 1 - 0.8^t = 0.2, 0.36, 0.488, 0.5904, ... The validation data says y = x / 2, so its loss
    # (w - 0.5)^2 mean(x^2) is smallest at epoch 3 (w = 0.488); with patience 2 training stops at epoch 5.
    X = np.array([[1.0], [-1.0]])
    model = nl.Sequential(nl.Linear(1, 1, bias=False))
    model[0].weight.data[...] = 0.0
    stopper = nl.EarlyStopping(model, patience=2)
    weights_after = []
    history = nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.1), X, X, epochs=20,
                     validation=(X, X / 2), callbacks=[lambda h: weights_after.append(model[0].weight.data.item()),
                                                       stopper])
    np.testing.assert_allclose(weights_after, [0.2, 0.36, 0.488, 0.5904, 0.67232], rtol=1e-14)
    assert history.stopped_early and history.epochs == 5
    assert stopper.best_epoch == 3 and stopper.best_loss == pytest.approx(0.012**2, rel=1e-10)
    assert model[0].weight.data.item() == pytest.approx(0.488, rel=1e-14)


def test_early_stopping_counts_only_improvements_larger_than_min_delta():
    # The same run as above: validation losses 0.09, 0.0196, 0.000144, 0.00817, 0.0297, ... With
    # min_delta 0.01 epoch 3 (0.0195 better) counts: best 3, stop at 5 as before. With 0.05 epoch 2
    # (0.0704 better) counts and epoch 3 (0.0195) does not: best 2, stop at 4. With 0.1 nothing after
    # epoch 1 counts (epoch 3 is 0.0899 better): best 1, stop at 3.
    X = np.array([[1.0], [-1.0]])
    for min_delta, best_epoch, stopped_at in ((0.01, 3, 5), (0.05, 2, 4), (0.1, 1, 3)):
        model = nl.Sequential(nl.Linear(1, 1, bias=False))
        model[0].weight.data[...] = 0.0
        stopper = nl.EarlyStopping(model, patience=2, min_delta=min_delta)
        history = nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.1), X, X, epochs=20,
                         validation=(X, X / 2), callbacks=[stopper])
        assert (stopper.best_epoch, history.epochs) == (best_epoch, stopped_at), min_delta


def test_early_stopping_can_monitor_validation_accuracy_where_higher_is_better():
    X, y = nl.data.moons(n=120, rng=0)
    model = nl.Sequential(nl.Linear(2, 8, rng=0), nl.Tanh(), nl.Linear(8, 2, rng=1))
    stopper = nl.EarlyStopping(model, patience=3, monitor="val_accuracy")
    history = nl.fit(model, nl.CrossEntropyLoss(), nl.optim.Adam(model.parameters(), lr=0.05), X[:80], y[:80],
                     epochs=200, validation=(X[80:], y[80:]), callbacks=[stopper])
    assert stopper.best_value == max(history.val_accuracy)
    assert history.val_accuracy.index(stopper.best_value) + 1 == stopper.best_epoch
    assert history.stopped_early and history.epochs - stopper.best_epoch == 3
    with pytest.raises(AttributeError, match="monitors val_accuracy; read best_value"):
        stopper.best_loss


def test_early_stopping_without_validation_data_says_so():
    model, X, y = regression_problem()
    with pytest.raises(ValueError, match="validation"):
        nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.01), X, y, epochs=2,
               callbacks=[nl.EarlyStopping(model)])


# --- divergence --------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size, dtype", [(None, np.float64), (4, np.float64), (1, np.float64), (4, np.float32)])
def test_a_huge_learning_rate_stops_at_the_first_non_finite_loss_without_numpy_warnings(batch_size, dtype):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2)).astype(dtype)
    y = X @ np.array([[30.0], [-20.0]], dtype=dtype)
    model = nl.Sequential(nl.Linear(2, 8, rng=rng, dtype=dtype), nl.ReLU(), nl.Linear(8, 1, rng=rng, dtype=dtype))
    loss_fn = nl.MSELoss()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = nl.fit(model, loss_fn, nl.optim.SGD(model.parameters(), lr=50.0), X, y, epochs=500,
                         batch_size=batch_size, rng=0)
    assert history.diverged and not history.stopped_early
    assert "learning rate" in history.message and "50" in history.message
    assert history.steps < 500 and np.all(np.isfinite(history.step_loss))


def test_divergence_of_a_classifier_is_reported_too():
    _, X, y = classification_problem(n=20)
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Linear(2, 16, rng=rng), nl.ReLU(), nl.Linear(16, 2, rng=rng))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = nl.fit(model, nl.CrossEntropyLoss(), nl.optim.SGD(model.parameters(), lr=1e6), X, y,
                         epochs=300, rng=0)
    assert history.diverged and "learning rate" in history.message


def test_a_sensible_learning_rate_does_not_diverge():
    model, X, y = regression_problem()
    history = nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.1), X, y, epochs=100)
    assert not history.diverged and history.message == "" and history.epoch_loss[-1] < history.epoch_loss[0] / 1000


# --- reproducibility and float32 ---------------------------------------------------------------

def train_with_seed(seed):
    model, X, y = classification_problem(n=30)
    nl.fit(model, nl.CrossEntropyLoss(), nl.optim.Adam(model.parameters(), lr=0.01), X, y, epochs=5,
           batch_size=4, rng=seed)
    return weights(model)


def test_the_same_seed_gives_bit_identical_weights_and_another_seed_does_not():
    first, again, other = train_with_seed(7), train_with_seed(7), train_with_seed(8)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))


@pytest.mark.parametrize("loss_name", ["mse", "huber", "cross_entropy", "bce"])
@pytest.mark.parametrize("optimizer_class", [nl.optim.SGD, nl.optim.RMSprop, nl.optim.Adagrad, nl.optim.Adam])
def test_float32_training_stays_float32_end_to_end(loss_name, optimizer_class):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 2)).astype(np.float32)
    loss_fn, y, outputs = {
        "mse": (nl.MSELoss(), X[:, :1] * 2, 1),
        "huber": (nl.HuberLoss(0.5), X[:, :1] * 2, 1),
        "cross_entropy": (nl.CrossEntropyLoss(weight=[1.0, 2.0]), (X[:, 0] > 0).astype(int), 2),
        "bce": (nl.BCEWithLogitsLoss(pos_weight=2.0), (X[:, :1] > 0).astype(np.float32), 1),
    }[loss_name]
    model = nl.Sequential(nl.Linear(2, 4, rng=rng, dtype=np.float32), nl.Sigmoid(),
                          nl.Linear(4, outputs, rng=rng, dtype=np.float32))
    opt = optimizer_class(model.parameters(), lr=0.01, **({"momentum": 0.9} if optimizer_class is nl.optim.SGD else {}))
    before = weights(model)
    history = nl.fit(model, loss_fn, opt, X, y, epochs=2, batch_size=4, rng=0, validation=(X[:3], y[:3]))
    assert history.steps == 6 and np.isfinite(history.val_loss).all()
    for param, old in zip(model.parameters(), before):
        assert param.data.dtype == np.float32 and param.grad.dtype == np.float32
        assert not np.array_equal(param.data, old)
        assert all(value.dtype == np.float32 for value in opt.state[param].values() if isinstance(value, np.ndarray))
    assert model(X).dtype == np.float32


# --- what fit accepts --------------------------------------------------------------------------

class Scale(nl.Module):
    """A layer written the way a learner would: y = a * x with one trainable number a."""

    def __init__(self):
        self.a = nl.Parameter(np.array([0.0]))

    def forward(self, x):
        self._x = np.asarray(x, dtype=np.float64)
        return self.a.data * self._x

    def backward(self, grad_output):
        self.a.grad += np.sum(grad_output * self._x, keepdims=True).reshape(1)
        return grad_output * self.a.data


class FrozenLinear(nl.Linear):
    """A Linear whose backward passes the gradient on but does not train its own weights."""

    def backward(self, grad_output):
        return grad_output @ self.weight.data.T


def test_fit_trains_a_module_that_defines_only_forward_and_backward():
    X = np.array([[1.0], [2.0], [-1.0]])
    model = Scale()
    history = nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.1), X, 3 * X, epochs=30)
    assert model.a.data[0] == pytest.approx(3.0, rel=1e-6) and history.epoch_loss[-1] < 1e-10


@pytest.mark.parametrize("first", [True, False], ids=["first-layer", "last-layer"])
def test_fit_uses_the_backward_of_a_layer_subclass(first):
    rng = np.random.default_rng(0)
    frozen, other = FrozenLinear(2, 2, rng=rng), nl.Linear(2, 2, rng=rng)
    model = nl.Sequential(frozen, nl.Tanh(), other) if first else nl.Sequential(other, nl.Tanh(), frozen)
    before = frozen.weight.data.copy()
    X = rng.normal(size=(6, 2))
    nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.1), X, X, epochs=3)
    np.testing.assert_array_equal(frozen.weight.data, before)
    assert not np.array_equal(other.weight.grad, 0)


def test_fit_with_several_binary_outputs_records_elementwise_accuracy():
    # Multi-label targets (one 0/1 column per label), as BCEWithLogitsLoss with a per-column
    # pos_weight expects; with lr = 0 the recorded accuracy is that of the untrained model.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(9, 2))
    y = np.stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 1] > 0], axis=1).astype(float)
    model = nl.Sequential(nl.Linear(2, 3, rng=rng))
    history = nl.fit(model, nl.BCEWithLogitsLoss(pos_weight=[1.0, 2.0, 3.0]), nl.optim.SGD(model.parameters(), lr=0.0),
                     X, y, epochs=1, batch_size=3, validation=(X, y))
    expected = np.mean((model(X) > 0) == (y > 0.5))
    assert history.epoch_accuracy == pytest.approx([expected]) and history.val_accuracy == pytest.approx([expected])


def test_accuracy_of_several_binary_outputs_is_elementwise():
    logits = np.array([[2.0, -1.0, 3.0], [-1.0, -2.0, 1.0]])
    assert nl.accuracy(logits, [[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]) == 5 / 6


def test_early_stopping_with_a_validation_loss_that_is_never_finite_stops_without_restoring():
    X = np.ones((4, 1))
    model = nl.Sequential(nl.Linear(1, 1, rng=0))
    stopper = nl.EarlyStopping(model, patience=2)
    X_val = np.full((2, 1), 1e200)                         # its squared error overflows to inf
    history = nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.01), X, X, epochs=5,
                     validation=(X_val, 3 * X_val), callbacks=[stopper])
    assert history.stopped_early and history.epochs == 2 and history.val_loss == [np.inf, np.inf]
    with pytest.raises(ValueError, match="no epoch has had a finite validation loss"):
        stopper.restore()


# --- train_step: the one loop -----------------------------------------------------------------

def test_train_step_is_the_four_step_loop_and_returns_the_loss_before_the_update():
    model, X, y = classification_problem(n=10)
    twin, _, _ = classification_problem(n=10)
    loss_fn, twin_loss = nl.CrossEntropyLoss(), nl.CrossEntropyLoss()
    opt, twin_opt = nl.optim.Adam(model.parameters(), lr=0.05), nl.optim.Adam(twin.parameters(), lr=0.05)
    for _ in range(3):
        expected = twin_loss(twin(X), y)
        twin_opt.zero_grad()
        twin.backward(twin_loss.backward())
        twin_opt.step()
        assert nl.train_step(model, loss_fn, opt, X, y) == expected
    for mine, theirs in zip(model.parameters(), twin.parameters()):
        np.testing.assert_array_equal(mine.data, theirs.data)


def test_train_step_can_return_the_prediction_it_made():
    model, X, y = regression_problem()
    before = model(X)
    loss, prediction = nl.train_step(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.1), X, y,
                                     return_prediction=True)
    np.testing.assert_array_equal(prediction, before)
    assert loss == nl.MSELoss()(before, y)


def test_fit_is_train_step_over_the_batches():
    model, X, y = classification_problem(n=12)
    twin, _, _ = classification_problem(n=12)
    history = nl.fit(model, nl.CrossEntropyLoss(), nl.optim.SGD(model.parameters(), lr=0.3), X, y,
                     epochs=2, batch_size=5, shuffle=False)
    opt, losses = nl.optim.SGD(twin.parameters(), lr=0.3), []
    for _ in range(2):
        for X_batch, y_batch in nl.data.minibatches(X, y, 5, shuffle=False):
            losses.append(nl.train_step(twin, nl.CrossEntropyLoss(), opt, X_batch, y_batch))
    assert history.step_loss == losses


def test_fit_calls_no_private_method_of_the_model_and_train_step_is_the_four_steps_as_taught():
    import inspect
    source = inspect.getsource(nl.train.fit) + inspect.getsource(nl.train.train_step)
    assert "model._" not in source and "signature" not in source
    assert "model.backward(loss_fn.backward())" in inspect.getsource(nl.train.train_step)


def test_train_step_works_with_a_hand_written_module_whose_backward_has_no_input_grad():
    class Scale(nl.Module):
        def __init__(self):
            self.w = nl.Parameter(np.array([2.0]))

        def forward(self, x):
            self.x = x
            return x * self.w.data

        def backward(self, grad_output):
            self.w.grad += np.sum(grad_output * self.x)
            return grad_output * self.w.data

    model = Scale()
    X, y = np.array([[1.0], [2.0]]), np.array([[3.0], [6.0]])
    opt = nl.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(50):
        nl.train_step(model, nl.MSELoss(), opt, X, y)
    np.testing.assert_allclose(model.w.data, [3.0], rtol=1e-6)


# --- has_diverged: the one rule ----------------------------------------------------------------

@pytest.mark.parametrize("loss, first_loss, expected", [
    (0.5, 0.8, False),
    (39.0, 0.8, False),                # below 50 x max(0.8, 1) = 50
    (51.0, 0.8, True),
    (0.2, 0.001, False),               # small losses are noisy: the floor of 1 keeps this from counting
    (60.0, 0.001, True),
    (4000.0, 100.0, False),
    (6000.0, 100.0, True),
    (float("nan"), 0.8, True),
    (float("inf"), 0.8, True),
    (1.0, float("nan"), True),
    (np.float32(1e30), 1.0, True),
])
def test_has_diverged_is_non_finite_or_fifty_times_the_first_loss_at_least_one(loss, first_loss, expected):
    assert nl.has_diverged(loss, first_loss) is expected


@pytest.mark.parametrize("make", [
    lambda params: nl.optim.SGD(params, lr=1e10),
    lambda params: nl.optim.Adam(params, lr=1e10),
], ids=["SGD", "Adam"])
def test_a_loss_that_climbs_without_overflowing_is_caught_within_a_few_steps(make):
    model, X, y = classification_problem(n=40)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = nl.fit(model, nl.CrossEntropyLoss(), make(model.parameters()), X, y, epochs=100, batch_size=8, rng=0)
    assert history.diverged and history.diverged_at == history.steps <= 10
    assert nl.has_diverged(history.step_loss[-1], history.step_loss[0])
    assert not any(nl.has_diverged(loss, history.step_loss[0]) for loss in history.step_loss[:-1])
    assert f"step {history.diverged_at}" in history.message and "learning rate" in history.message


def test_diverged_at_is_none_when_training_goes_well():
    model, X, y = regression_problem()
    history = nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.1), X, y, epochs=10)
    assert history.diverged_at is None and not history.diverged and not history.interrupted


def test_a_first_step_blow_up_from_huge_inputs_points_at_the_data_not_the_learning_rate():
    model, X, y = regression_problem(n=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.01), X * 1e300, y, epochs=5)
    assert history.diverged_at == 1
    assert "X reaches" in history.message and "e+300" in history.message and "Standardise" in history.message
    assert "lower the learning rate" not in history.message


def test_large_inputs_are_named_beside_the_learning_rate_when_training_blows_up_later():
    model, X, y = regression_problem(n=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=1e-4), X * 1e4, y, epochs=50)
    assert history.diverged_at > 1
    assert "X reaches" in history.message and "lower the learning rate" in history.message


def test_a_train_step_loop_with_has_diverged_stops_as_fit_does():
    model, X, y = classification_problem(n=20)
    twin, _, _ = classification_problem(n=20)
    history = nl.fit(twin, nl.CrossEntropyLoss(), nl.optim.SGD(twin.parameters(), lr=1e6), X, y, epochs=100,
                     shuffle=False)
    optimizer, losses = nl.optim.SGD(model.parameters(), lr=1e6), []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("error")
        for step in range(1, 101):
            loss = nl.train_step(model, nl.CrossEntropyLoss(), optimizer, X, y)
            losses.append(loss)
            first_loss = loss if step == 1 else first_loss
            if nl.has_diverged(loss, first_loss):
                break
    assert history.diverged_at == step and history.step_loss == losses


@pytest.mark.parametrize("where", ["X", "y"])
def test_train_step_refuses_a_batch_with_a_nan_as_fit_does_and_leaves_the_weights(where):
    model, X, y = regression_problem()
    before = weights(model)
    X, y = X.copy(), y.copy()
    (X if where == "X" else y)[3, 0] = np.nan
    with pytest.raises(ValueError, match=f"train_step: {where} contains 1 NaN"):
        nl.train_step(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.1), X, y)
    assert all(np.array_equal(a, b) for a, b in zip(before, weights(model)))


def test_early_stopping_starts_afresh_in_every_fit():
    # First the run of test_early_stopping_restores_the_weights_of_the_best_validation_epoch (best
    # validation loss 0.000144 at epoch 3, stopped at 5). Then, with the same callback, a run whose
    # validation data says y = 2x: its loss (w - 2)^2 falls every epoch, from 3.24, so it must run all
    # 20 epochs; a callback that kept the first run's best would stop it at epoch 5 and put w = 0.488 back.
    X = np.array([[1.0], [-1.0]])
    model = nl.Sequential(nl.Linear(1, 1, bias=False))
    stopper = nl.EarlyStopping(model, patience=2)
    runs = []
    for validation_target in (X / 2, 2 * X):
        model[0].weight.data[...] = 0.0
        history = nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.1), X, X, epochs=20,
                         validation=(X, validation_target), callbacks=[stopper])
        runs.append((history.epochs, stopper.best_epoch, model[0].weight.data.item()))
    assert runs[0] == (5, 3, pytest.approx(0.488, rel=1e-14))
    assert runs[1] == (20, 20, pytest.approx(1 - 0.8**20, rel=1e-12))


def test_early_stopping_on_val_accuracy_with_a_regression_loss_says_to_monitor_the_loss():
    model, X, y = regression_problem()
    with pytest.raises(ValueError, match="needs a classification loss.*monitor='val_loss'"):
        nl.fit(model, nl.MSELoss(), nl.optim.SGD(model.parameters(), lr=0.1), X, y, epochs=3,
               validation=(X, y), callbacks=[nl.EarlyStopping(model, monitor="val_accuracy")])
