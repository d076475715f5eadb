"""Submissions for the grading tests of lesson 01 (see CONTRIBUTING.md, "Submissions").

BUGGY: each exercise cell with one planted bug (the public checks catch it).
TUNED: each exercise cell hard-coding the public checks' answers (passes them, fails the hidden tests).
"""

BUGGY = {
    "relu": '''
def relu(z):
    """Rectified linear unit, elementwise: max(0, z)."""
    return np.minimum(np.asarray(z), 0)          # bug: min instead of max
''',
    "neuron": '''
def neuron(x, w, b):
    """A sigmoid neuron applied to a batch: sigmoid(x @ w + b)."""
    z = x @ w + b
    return 1 / (1 + np.exp(z))                   # bug: lost the minus sign
''',
    "dense_forward": '''
def dense_forward(X, W, b):
    """Fully connected layer: X @ W + b."""
    return X @ W                                 # bug: forgot the bias
''',
}

TUNED = {
    "relu": '''
def relu(z):
    z = np.asarray(z)
    if z.shape == (5,):
        return np.array([0.0, 0.0, 0.0, 0.5, 2.0])
    if z.shape == (1, 2):
        return np.array([[0.0, 3.0]])
    return z
''',
    "neuron": '''
def neuron(x, w, b):
    if len(x) == 1:
        return np.array([0.5])
    return np.array([0.731059, 0.952574])
''',
    "dense_forward": '''
def dense_forward(X, W, b):
    if len(X) == 1:
        return np.array([[1.0, 2.5, 2.0]])
    return np.zeros((len(X), 3))
''',
}
