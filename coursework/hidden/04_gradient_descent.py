"""Hidden tests of lesson 04, as probes judged by the trusted grader (see coursework/probes.py).

Never released to students: `python coursework/student_copy.py` leaves coursework/ out.
"""

from probes import Probe, prediction

SETUP = "import numpy as np\nimport nnlearn as nl\n"


RATES = "result = {k: float(v) for k, v in rates.items()} if isinstance(rates, dict) else rates\n"
RAVINE = SETUP + """
ravine = nl.landscapes.get("ravine")
loss_fn, grad_fn = (lambda w: float(ravine(w[0], w[1]))), (lambda w: np.array(ravine.gradient(w[0], w[1])))
"""
PARABOLA = SETUP + """
def parabola(c):
    return (lambda w: 0.5 * c * float(np.sum(w ** 2))), (lambda w: c * w)
"""

PUBLIC = {
    "predict_parabola_zigzag": [prediction("predict_parabola_zigzag()", 2)],
    "predict_parabola_diverges": [prediction("predict_parabola_diverges()", 2)],
    "predict_ravine_zigzag": [prediction("predict_ravine_zigzag()")],
    "run_gradient_descent": [Probe(SETUP + """
w0 = np.array([[2.0, -4.0, 1.0], [0.5, 3.0, -1.0]])
curvatures = np.array([[1.0, 0.5, 2.0], [4.0, 0.1, 1.5]])
before = w0.copy()
path = run_gradient_descent(lambda w: curvatures * w, w0, 0.3, 4)
listed = run_gradient_descent(lambda w: 2.0 * w, [3, -1], 0.1, 2)
result = (np.asarray(run_gradient_descent(lambda w: 2 * w, np.array([1.0]), 0.25, 3), dtype=float),
          np.asarray(path, dtype=float), w0.tobytes() == before.tobytes(),
          np.asarray(run_gradient_descent(lambda w: 3 * w, np.array([1.0]), 0.8, 3), dtype=float),
          np.asarray(listed, dtype=float), isinstance(listed, np.ndarray) and bool(np.issubdtype(listed.dtype, np.floating)),
          np.asarray(run_gradient_descent(lambda w: 2.0 * w, 5, 0.25, 2), dtype=float))
still = run_gradient_descent(lambda w: 2.0 * w, [3, -1], 0.1, 0)                # 0 steps from integers
result += (np.shape(still), np.asarray(still).dtype.kind, np.asarray(still, dtype=float))
""")],
    "quadratic_rates": [Probe(SETUP + "rates = quadratic_rates([0.1, 4.0])\n" + RATES),
                        Probe(SETUP + "rates = quadratic_rates([0.5, 3.0, 1.5])\n" + RATES)],
    "largest_converging_lr": [Probe(PARABOLA + """
loss_fn, grad_fn = parabola(2.0)
result = [float(largest_converging_lr(loss_fn, grad_fn, np.array([3.0]), 50, 0.0, 2.0)),
          float(largest_converging_lr(loss_fn, grad_fn, np.array([3.0]), 50, 0.0, 2.0, iterations=10)),
          float(largest_converging_lr(loss_fn, grad_fn, np.array([3.0]), 50, 0.0, 2.0, tol=1e-2))]
""", rtol=1e-9),
        Probe(PARABOLA + """
loss_fn, grad_fn = parabola(2.0)
result = float(largest_converging_lr(loss_fn, grad_fn, np.array([3.0]), 200, 0.0, 100.0))
""", rtol=1e-9),
        Probe(SETUP + """
c = np.array([1.0, 4.0])
result = float(largest_converging_lr(lambda w: 0.5 * float(np.sum(c * w ** 2)), lambda w: c * w, np.array([1.0, 1e-4]), 100, 0.1, 1.0))
""", rtol=1e-9),
        Probe(RAVINE + """
result = float(largest_converging_lr(loss_fn, grad_fn, np.array(ravine.start), 100, 0.3, 1.0, tol=1e-3))
""", rtol=1e-9)],
    "rate_investigation": [Probe(SETUP + """
medians = rate_investigation()
result = (ravine_steps(0.4, 3), type(ravine_steps(0.4, 3)).__name__, ravine_steps(0.6, 0), medians,
          medians[2] == float(np.median([ravine_steps(0.45, seed) for seed in range(5)])))
""", atol=0)],
}

# The investigation (rate_investigation): each median is judged within the spread of the solution's own runs
# over the five seeds the spec names (two standard errors, at least one step), computed on the grader's side.
def steps_probe(index, lr):
    return Probe(SETUP + f"result = float(rate_investigation()[{index}])\n", atol=0.0,
                 label=f"median steps to 1e-6 at lr {lr}", spread=SETUP + f"""
runs = [ravine_steps(RATES[{index}], seed) for seed in range(5)]
tolerance = max(2 * float(np.std(runs)) / np.sqrt(5), 1.0)
""")


HIDDEN = {
    "predict_parabola_zigzag": [prediction("predict_parabola_zigzag()", 2)],
    "predict_parabola_diverges": [prediction("predict_parabola_diverges()", 2)],
    "predict_ravine_zigzag": [prediction("predict_ravine_zigzag()")],
    "run_gradient_descent": [
        Probe(SETUP + """
ravine = nl.landscapes.get("ravine")
start = np.array(ravine.start)
ours = run_gradient_descent(lambda w: np.array(ravine.gradient(w[0], w[1])), start, 0.3, 25)
reference = nl.landscapes.run(ravine, lambda params: nl.optim.SGD(params, lr=0.3), steps=25).points
result = (np.asarray(ours, dtype=float), bool(np.allclose(ours, reference)), start)
""", label="the ravine against nl.optim.SGD"),
        Probe(SETUP + """
result = (np.shape(run_gradient_descent(lambda w: w, np.array([1.0, 2.0, 3.0]), 0.1, 0)),
          np.asarray(run_gradient_descent(lambda w: w, np.array([1.0, 2.0, 3.0]), 0.1, 0), dtype=float))
""", label="0 steps: only the start"),
        Probe(SETUP + """
w0 = np.array([[[1.0], [-2.0]]])                        # shape (1, 2, 1)
path = run_gradient_descent(lambda w: np.sin(w), w0, 0.5, 6)
result = (np.asarray(path, dtype=float), [list(np.shape(path))], w0)
""", label="a 3-D w0, a non-linear gradient"),
        Probe(SETUP + """
path = run_gradient_descent(lambda w: 2.0 * w, [3, -1], 0.1, 2)
result = (np.asarray(path), type(path).__name__, np.asarray(run_gradient_descent(lambda w: -w, 2, 0.5, 3)),
          np.asarray(run_gradient_descent(lambda w: -w, 7, 0.5, 0)).dtype.kind,
          np.asarray(run_gradient_descent(lambda w: -w, np.array([[1, 2]]), 0.5, 0)).dtype.kind)
""", label="integer list w0: a float array; an integer w0; integers and 0 steps: still float"),
    ],
    "quadratic_rates": [
        Probe(SETUP + "rates = quadratic_rates(np.array([8.0, 0.25]))\n" + RATES, label="c = (8, 0.25): steepest first"),
        Probe(SETUP + "rates = quadratic_rates([2.0])\n" + RATES, atol=1e-12, label="one parabola: best 1/c, factor 0"),
        Probe(SETUP + "rates = quadratic_rates((1.0, 1.0, 1.0))\n" + RATES, atol=1e-12, label="the bowl"),
        Probe(SETUP + "rates = quadratic_rates(np.array([0.3, 7.0, 2.0, 0.05, 1.0]))\n" + RATES, label="five curvatures"),
    ],
    "largest_converging_lr": [
        Probe(PARABOLA + """
loss_fn, grad_fn = parabola(0.5)
result = [float(largest_converging_lr(loss_fn, grad_fn, np.array([1.0, -2.0]), 20, 0.0, 8.0, tol=1e-2)),
          float(largest_converging_lr(loss_fn, grad_fn, np.array([1.0, -2.0]), 20, 0.0, 8.0, tol=1e-2, iterations=7))]
""", rtol=1e-9, label="c = 0.5, two weights, tol 1e-2, 7 halvings"),
        Probe(RAVINE + """
result = [float(largest_converging_lr(loss_fn, grad_fn, np.array([2.0, -1.0]), 60, 0.35, 3.0, tol=1e-2)),
          float(largest_converging_lr(loss_fn, grad_fn, np.array([2.0, -1.0]), 60, 0.35, 3.0, tol=1e-2, iterations=12))]
""", rtol=1e-9, label="the ravine from another start"),
        Probe(PARABOLA + """
loss_fn, grad_fn = parabola(0.5)
result = [float(largest_converging_lr(loss_fn, grad_fn, np.array([2.0, -1.0]), 150, 0.0, 800.0, tol=1e-2)),
          float(largest_converging_lr(loss_fn, grad_fn, np.array([2.0, -1.0]), 150, 0.0, 800.0, tol=1e-2, iterations=9))]
""", rtol=1e-9, label="a high end that overflows to inf and nan (factor -199 at lr 400, the first midpoint: w itself overflows)"),
        Probe(SETUP + """
c = np.array([0.5, 2.0, 6.0])
loss_fn, grad_fn = (lambda w: 0.5 * float(np.sum(c * w ** 2))), (lambda w: c * w)
result = [float(largest_converging_lr(loss_fn, grad_fn, np.array([3.0, 1.0, 1e-5]), 80, 0.05, 1.0, tol=1e-4)),
          float(largest_converging_lr(loss_fn, grad_fn, np.array([3.0, 1.0, 1e-5]), 80, 0.05, 1.0, tol=1e-4, iterations=15))]
""", rtol=1e-9, label="a walk whose loss falls below tol, then rises: only the end counts (and a loss that rises yet ends low)"),
        Probe(PARABOLA + """
loss_fn, grad_fn = parabola(3.0)
result = float(largest_converging_lr(loss_fn, grad_fn, np.array([5.0]), 1, 0.0, 1.0, tol=0.25, iterations=30))
""", rtol=1e-9, label="one step"),
    ],
    "rate_investigation": [steps_probe(index, lr) for index, lr in enumerate(("0.1", "0.25", "0.45", "2/4.1", "0.495"))] + [
        Probe(SETUP + """
result = [m == float(np.median([ravine_steps(lr, seed) for seed in range(5)])) for m, lr in zip(rate_investigation(), RATES)]
""", label="every median is the median of your own ravine_steps over seeds 0-4"),
        Probe(SETUP + """
result = [ravine_steps(0.3, 7), ravine_steps(0.48, 11), ravine_steps(0.51, 2), ravine_steps(5.0, 1)]
""", atol=0, label="ravine_steps at other rates and seeds, diverging ones too")],
}
