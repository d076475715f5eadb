"""How fast is the core? nnlearn against the same maths in hand-written numpy and in PyTorch.

    python benchmarks/bench_core.py            (about a minute; --quick for a smoke run)

Data: random MNIST-shaped inputs, 50,000 x 784 float32 in [0, 1], ten classes (one-hot targets for
MSE). Nothing is downloaded.

1. Nielsen's chapter-1 network: [784, 30, 10], sigmoid after both layers, mean MSE loss, plain
   SGD (lr 3.0), mini-batches of 10, float32. Time per 10,000 examples (timed in runs of 2,000) for
     - nnlearn: the four-step loop with nl objects, and nl.fit,
     - a hand-written vectorised numpy loop of exactly the same maths (same init, same batches),
     - PyTorch (same init, same batches, same thread count as numpy's BLAS).
   Goals: nnlearn within 1.3x of the hand-written loop; at least 3x faster than PyTorch. The
   hand-written loop computes the loss every step too, as nnlearn's loss functions do.
2. 784-256-256-10 ReLU network, CrossEntropyLoss, Adam (lr 1e-3), batch 128, float32:
   throughput (examples/s) of nnlearn (nl.fit, and the four-step loop) against PyTorch's.
   Goal: at least PyTorch's.

The goals are judged on nl.fit, the way the package trains a model: it runs nl.train_step, the
four steps, on every batch. Like PyTorch (whose input tensors do not require grad) train_step
asks for `model.backward(..., input_grad=False)`, which skips the first layer's dL/dX that the
data does not need; the four-step loop as the lessons write it, `model.backward(loss_fn.backward())`,
returns dL/dX too, and its figures are printed beside.

Before timing, every implementation runs a few steps from the same weights on the same batches and
the losses are compared, so the race is between equal computations. Each timing is repeated, the
contenders taking turns, and the best run kept (the least disturbed by the rest of the machine).
numpy's BLAS and PyTorch get the same number of threads (--threads, default 1).
"""

import argparse
import os
import platform
import sys
import time

import numpy as np

import nnlearn as nl

try:
    import torch
except ImportError:                                        # the comparison is skipped with a note
    torch = None

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:
    threadpool_info = threadpool_limits = None

N_EXAMPLES, N_INPUTS, N_CLASSES = 50_000, 784, 10
SEED = 0
# With one thread per library the CPU time of this process is the figure to compare: unlike the
# wall clock it does not count the time other programs on the machine hold the CPU.
clock = time.process_time


def blas_threads():
    if threadpool_info is None:
        return None
    counts = [info["num_threads"] for info in threadpool_info() if info.get("user_api") == "blas"]
    return max(counts) if counts else None


def make_data():
    rng = np.random.default_rng(SEED)
    X = rng.random((N_EXAMPLES, N_INPUTS), dtype=np.float32)            # (N, 784) in [0, 1)
    labels = rng.integers(0, N_CLASSES, size=N_EXAMPLES)                # (N,)
    onehot = np.zeros((N_EXAMPLES, N_CLASSES), dtype=np.float32)        # (N, 10)
    onehot[np.arange(N_EXAMPLES), labels] = 1
    return X, labels, onehot


def best_times(runs, repeats):
    """Time every run() (returns seconds) `repeats` times, taking turns; the fastest of each.

    Taking turns means a busy spell on the machine slows all contenders alike, and many short
    runs give each one some undisturbed ones.
    """
    best = {label: np.inf for label in runs}
    for _ in range(repeats):
        for label, run in runs.items():
            best[label] = min(best[label], run())
    return best


# --- 1. Nielsen's network ---------------------------------------------------------------------

def nielsen_model():
    rng = np.random.default_rng(SEED)
    return nl.Sequential(nl.Linear(784, 30, rng=rng, dtype=np.float32), nl.Sigmoid(),
                         nl.Linear(30, 10, rng=rng, dtype=np.float32), nl.Sigmoid())


def nielsen_nnlearn_loop(X, Y, n, batch_size, lr, losses=None):
    """The four steps with nnlearn objects over nl.data.minibatches; seconds taken."""
    model = nielsen_model()
    loss_fn = nl.MSELoss()
    opt = nl.optim.SGD(model.parameters(), lr=lr)
    X, Y = X[:n], Y[:n]
    start = clock()
    for X_batch, Y_batch in nl.data.minibatches(X, Y, batch_size, rng=SEED):
        loss = loss_fn(model(X_batch), Y_batch)                 # 1. forward, 2. loss
        opt.zero_grad()
        model.backward(loss_fn.backward())                      # 3. backpropagation
        opt.step()                                              # 4. weight update
        if losses is not None:
            losses.append(loss)
    return clock() - start


def fit_epoch(model, loss_fn, opt, X, targets, batch_size, losses=None):
    """nl.fit for one epoch (argument checks, History bookkeeping and all); seconds taken."""
    start = clock()
    history = nl.fit(model, loss_fn, opt, X, targets, epochs=1, batch_size=batch_size, rng=SEED)
    elapsed = clock() - start
    if losses is not None:
        losses.extend(history.step_loss)
    return elapsed


def nielsen_nnlearn_fit(X, Y, n, batch_size, lr, losses=None):
    """nl.fit for one epoch (argument checks, History bookkeeping and all); seconds taken."""
    model = nielsen_model()
    opt = nl.optim.SGD(model.parameters(), lr=lr)
    return fit_epoch(model, nl.MSELoss(), opt, X[:n], Y[:n], batch_size, losses)


def nielsen_numpy(X, Y, n, batch_size, lr, losses=None):
    """The same maths written by hand: sigmoid layers, mean MSE, plain SGD; seconds taken."""
    init = nielsen_model()
    W1, b1 = init[0].weight.data.copy(), init[0].bias.data.copy()      # (784, 30), (30,)
    W2, b2 = init[2].weight.data.copy(), init[2].bias.data.copy()      # (30, 10), (10,)
    lr = np.float32(lr)
    X, Y = X[:n], Y[:n]
    start = clock()
    order = np.random.default_rng(SEED).permutation(n)
    for first in range(0, n, batch_size):
        index = order[first:first + batch_size]
        x, y = X[index], Y[index]                               # (B, 784), (B, 10)
        a1 = 1 / (1 + np.exp(-(x @ W1 + b1)))                   # (B, 30)
        a2 = 1 / (1 + np.exp(-(a1 @ W2 + b2)))                  # (B, 10)
        diff = a2 - y
        loss = float(np.vdot(diff, diff)) / diff.size           # mean MSE, computed every step as nnlearn does
        if losses is not None:
            losses.append(loss)
        delta2 = diff * np.float32(2 / diff.size) * a2 * (1 - a2)   # dL/dz2
        delta1 = (delta2 @ W2.T) * a1 * (1 - a1)                # dL/dz1
        W2 -= lr * (a1.T @ delta2)
        b2 -= lr * delta2.sum(axis=0)
        W1 -= lr * (x.T @ delta1)
        b1 -= lr * delta1.sum(axis=0)
    return clock() - start


def torch_epoch(model, loss_fn, opt, X, targets, batch_size, losses=None):
    """PyTorch's four steps over (X, targets) in the same shuffled batches; seconds taken."""
    import torch
    X_t, targets_t = torch.from_numpy(X), torch.from_numpy(targets)
    n = len(X)
    start = clock()
    order = torch.from_numpy(np.random.default_rng(SEED).permutation(n))
    for first in range(0, n, batch_size):
        index = order[first:first + batch_size]
        loss = loss_fn(model(X_t[index]), targets_t[index])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if losses is not None:
            losses.append(loss.item())
    return clock() - start


def nielsen_torch(X, Y, n, batch_size, lr, losses=None):
    """The same network, loss and optimizer in PyTorch; seconds taken."""
    init = nielsen_model()
    model = torch.nn.Sequential(torch.nn.Linear(784, 30), torch.nn.Sigmoid(),
                                torch.nn.Linear(30, 10), torch.nn.Sigmoid())
    with torch.no_grad():
        for ours, theirs in ((init[0], model[0]), (init[2], model[2])):
            theirs.weight.copy_(torch.from_numpy(ours.weight.data.T.copy()))   # torch stores (out, in)
            theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    loss_fn = torch.nn.MSELoss()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    return torch_epoch(model, loss_fn, opt, X[:n], Y[:n], batch_size, losses)


# --- 2. A wider ReLU network with Adam ---------------------------------------------------------

def relu_model():
    rng = np.random.default_rng(SEED)
    return nl.Sequential(nl.Linear(784, 256, rng=rng, dtype=np.float32), nl.ReLU(),
                         nl.Linear(256, 256, rng=rng, dtype=np.float32), nl.ReLU(),
                         nl.Linear(256, 10, rng=rng, dtype=np.float32))


def relu_nnlearn(X, labels, steps, batch_size, losses=None):
    model = relu_model()
    loss_fn = nl.CrossEntropyLoss()
    opt = nl.optim.Adam(model.parameters(), lr=1e-3)
    n = steps * batch_size
    X, labels = X[:n], labels[:n]
    start = clock()
    for X_batch, y_batch in nl.data.minibatches(X, labels, batch_size, rng=SEED):
        loss = loss_fn(model(X_batch), y_batch)
        opt.zero_grad()
        model.backward(loss_fn.backward())
        opt.step()
        if losses is not None:
            losses.append(loss)
    return clock() - start


def relu_nnlearn_fit(X, labels, steps, batch_size, losses=None):
    model = relu_model()
    opt = nl.optim.Adam(model.parameters(), lr=1e-3)
    n = steps * batch_size
    return fit_epoch(model, nl.CrossEntropyLoss(), opt, X[:n], labels[:n], batch_size, losses)


def relu_torch(X, labels, steps, batch_size, losses=None):
    init = relu_model()
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 10))
    with torch.no_grad():
        for ours, theirs in zip(init[::2], model[::2]):
            theirs.weight.copy_(torch.from_numpy(ours.weight.data.T.copy()))
            theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = steps * batch_size
    return torch_epoch(model, loss_fn, opt, X[:n], labels[:n], batch_size, losses)


# --- report ------------------------------------------------------------------------------------

def check_same_losses(name, reference, others, rtol=1e-3):
    """The implementations must agree step by step, or the timing compares different work."""
    ok = True
    for label, losses in others.items():
        agree = np.allclose(losses, reference, rtol=rtol, atol=1e-6)
        ok &= agree
        worst = np.max(np.abs(np.array(losses) - reference) / np.maximum(np.abs(reference), 1e-12))
        print(f"  sanity {name}: {label:<22} losses after {len(losses)} steps "
              f"{'match' if agree else 'DIFFER'} (largest relative difference {worst:.1e})")
    return ok


def verdict(passed):
    return "PASS" if passed else "MISS"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer examples and repeats (smoke run)")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per implementation")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for numpy's BLAS and for PyTorch alike (default 1: on a shared or "
                             "small machine more threads mostly measure contention; 0 keeps each library's default)")
    args = parser.parse_args(argv)
    repeats = args.repeats or (2 if args.quick else 30)
    n_nielsen = 2_000                                           # examples per timed run (200 steps)
    relu_steps = 5 if args.quick else 20                        # steps per timed run

    if args.threads > 0:
        if threadpool_limits is None:
            print("  (threadpoolctl is missing: numpy's BLAS keeps its default thread count)")
        else:
            threadpool_limits(limits=args.threads, user_api="blas")
        if torch is not None:
            torch.set_num_threads(args.threads)
    global clock
    clock = time.process_time if args.threads == 1 else time.perf_counter
    threads = blas_threads()
    print("nnlearn core benchmark")
    print(f"  python {platform.python_version()}, numpy {np.__version__} (BLAS threads: {threads}), "
          + (f"torch {torch.__version__} (threads: {torch.get_num_threads()})" if torch else "torch not installed"))
    if hasattr(os, "getloadavg"):
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"  machine: {os.cpu_count()} CPUs, load average {load} (1, 5, 15 min) at the start")
    print(f"  data: {N_EXAMPLES} x {N_INPUTS} float32, random, {N_CLASSES} classes; "
          f"best of {repeats} interleaved runs per implementation, "
          + ("CPU time (one thread)" if clock is time.process_time else "wall-clock time"))

    X, labels, onehot = make_data()
    results = []

    # 1. Nielsen ------------------------------------------------------------------------------
    print("\n1. Nielsen [784, 30, 10], sigmoid, MSELoss, SGD lr 3.0, batch 10, float32")
    implementations = {"nnlearn (four steps)": nielsen_nnlearn_loop, "nnlearn (nl.fit)": nielsen_nnlearn_fit,
                       "numpy by hand": nielsen_numpy}
    if torch is not None:
        implementations["pytorch"] = nielsen_torch
    sanity = {}
    for label, run in implementations.items():
        losses = []
        run(X, onehot, 50, 10, 3.0, losses)                     # 5 steps of 10 examples
        sanity[label] = losses
    reference = sanity.pop("numpy by hand")
    fair = check_same_losses("nielsen", reference, sanity)
    best = best_times({label: (lambda run=run: run(X, onehot, n_nielsen, 10, 3.0))
                       for label, run in implementations.items()}, repeats)
    times = {}
    for label, seconds in best.items():
        times[label] = seconds * 10_000 / n_nielsen
        print(f"  {label:<22} {1e3 * times[label]:8.1f} ms per 10,000 examples")
    fit, by_hand = times["nnlearn (nl.fit)"], times["numpy by hand"]
    ratio = fit / by_hand
    results.append(("nnlearn (nl.fit) within 1.3x of hand-written numpy", ratio <= 1.3,
                    f"{ratio:.2f}x the hand-written time"))
    loop_ratio = times["nnlearn (four steps)"] / by_hand
    print(f"  (the four-step loop as lessons write it: {loop_ratio:.2f}x the hand-written time; it also "
          "computes dL/dX of the data, which fit skips)")
    if torch is not None:
        speedup = times["pytorch"] / fit
        results.append(("nnlearn at least 3x faster than PyTorch on Nielsen's network", speedup >= 3,
                        f"{speedup:.2f}x faster"))
    else:
        print("  PyTorch comparison skipped: torch is not installed")

    # 2. ReLU + Adam --------------------------------------------------------------------------
    print("\n2. 784-256-256-10 ReLU, CrossEntropyLoss, Adam lr 1e-3, batch 128, float32")
    relu_impls = {"nnlearn (four steps)": relu_nnlearn, "nnlearn (nl.fit)": relu_nnlearn_fit}
    if torch is not None:
        relu_impls["pytorch"] = relu_torch
        sanity = {label: [] for label in relu_impls}
        for label, run in relu_impls.items():
            run(X, labels, 5, 128, sanity[label])
        reference = sanity.pop("pytorch")
        fair &= check_same_losses("relu/adam", reference, sanity)
    best = best_times({label: (lambda run=run: run(X, labels, relu_steps, 128))
                       for label, run in relu_impls.items()}, max(3, repeats // 3))
    throughput = {}
    for label, seconds in best.items():
        throughput[label] = relu_steps * 128 / seconds
        print(f"  {label:<22} {throughput[label]:10,.0f} examples/s")
    if torch is not None:
        ratio = throughput["nnlearn (nl.fit)"] / throughput["pytorch"]
        results.append(("nnlearn (nl.fit) throughput at least PyTorch's (ReLU/Adam)", ratio >= 1.0,
                        f"{ratio:.2f}x PyTorch's throughput"))
        loop_ratio = throughput["nnlearn (four steps)"] / throughput["pytorch"]
        print(f"  (the four-step loop: {loop_ratio:.2f}x PyTorch's throughput; its first layer also "
              "computes dL/dX of the data, which fit and PyTorch skip)")
    else:
        print("  PyTorch comparison skipped: torch is not installed")

    print("\nGoals")
    for goal, passed, detail in results:
        print(f"  {verdict(passed)}  {goal}: {detail}")
    print(f"  {'PASS' if fair else 'MISS'}  same losses step by step (a fair comparison)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
