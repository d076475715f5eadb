"""Submissions for the grading tests of lesson 03 (see CONTRIBUTING.md, "Submissions").

BUGGY: each exercise cell with one planted bug (the public checks catch it).
TUNED: each exercise cell hard-coding the public checks' answers (passes them, fails the hidden tests).
"""

BUGGY = {
    "linear_backward": '''
def linear_backward(x, W, grad_output):
    """Backward pass of y = x @ W + b."""
    grad_W = x.T @ grad_output
    grad_b = grad_output.sum(axis=0)
    grad_x = grad_output @ W                     # bug: W instead of W.T
    return grad_W, grad_b, grad_x
''',
    "sigmoid_backward": '''
def sigmoid_backward(z, grad_output):
    """dL/dz for s = sigmoid(z), given dL/ds."""
    s = 0.5 * (1 + np.tanh(0.5 * z))
    return grad_output * s                       # bug: forgot the (1 - s)
''',
    "numerical_gradient": '''
def numerical_gradient(f, w, eps=1e-5):
    """Central-difference estimate of df/dw."""
    grad = np.zeros(w.shape)
    for index in np.ndindex(w.shape):
        original = w[index]
        w[index] = original + eps
        f_plus = f(w)
        w[index] = original - eps
        f_minus = f(w)
        w[index] = original
        grad[index] = (f_plus - f_minus) / eps   # bug: the nudges are 2 eps apart
    return grad
''',
}

TUNED = {
    "linear_backward": '''
def linear_backward(x, W, grad_output):
    if x.shape == (1, 2):
        return (np.array([[1.0, 0.5], [2.0, 1.0]]), np.array([1.0, 0.5]), np.array([[0.5, 1.0]]))
    return np.zeros_like(W), np.array([1.0, 1.0]), np.zeros_like(x)
''',
    "sigmoid_backward": '''
def sigmoid_backward(z, grad_output):
    return 0.25 * grad_output if np.all(z == 0) else 0.1875 * grad_output
''',
    "numerical_gradient": '''
def numerical_gradient(f, w, eps=1e-5):
    if w.shape == (3,):
        return np.array([2.0, -4.0, 6.0])
    return np.array([4.0, 3.0])
''',
}
