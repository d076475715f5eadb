"""Submissions for the grading tests of lesson 04 (see CONTRIBUTING.md, "Submissions").

BUGGY: each exercise cell with one planted bug (the public checks catch it).
TUNED: each exercise cell hard-coding the public checks' answers (passes them, fails the hidden tests).
"""

BUGGY = {
    "gradient_descent_step": '''
def gradient_descent_step(w, grad, lr):
    """One step of gradient descent: w - lr * grad."""
    return w + lr * grad                         # bug: steps uphill
''',
    "run_gradient_descent": '''
def run_gradient_descent(grad_fn, w0, lr, steps):
    """The path of gradient descent from w0."""
    w = np.array(w0, dtype=float)
    path = []                                    # bug: the start is missing from the path
    for _ in range(steps):
        w = w - lr * grad_fn(w)
        path.append(w.copy())
    return np.array(path)
''',
    "largest_stable_learning_rate": '''
def largest_stable_learning_rate(curvatures):
    """The critical learning rate of gradient descent on sum_i c_i w_i^2 / 2."""
    return 2.0 / float(np.min(curvatures))       # bug: the flattest direction instead of the steepest
''',
}

TUNED = {
    "gradient_descent_step": '''
def gradient_descent_step(w, grad, lr):
    if len(w) == 2:
        return np.array([0.95, 2.1])
    return np.array([0.0])
''',
    "run_gradient_descent": '''
def run_gradient_descent(grad_fn, w0, lr, steps):
    if len(w0) == 1:
        return np.array([[1.0], [0.5], [0.25], [0.125]])
    return np.array([[2.0, -4.0], [1.0, -2.0], [0.5, -1.0]])
''',
    "largest_stable_learning_rate": '''
def largest_stable_learning_rate(curvatures):
    return 1.0 if len(curvatures) == 1 else 0.5
''',
}
