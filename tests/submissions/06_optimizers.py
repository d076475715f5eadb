"""Submissions for the grading tests of lesson 06 (see CONTRIBUTING.md, "Submissions").

BUGGY: each exercise cell with one planted bug (the public checks catch it).
TUNED: each exercise cell that passes the public checks by hard-coding their answers or by a
shortcut that only holds for them (fails the hidden tests).
"""

BUGGY = {
    "momentum_step": '''
def momentum_step(w, grad, velocity, lr, momentum):
    velocity = momentum * np.asarray(velocity) + np.asarray(grad)
    w = np.asarray(w) - lr * np.asarray(grad)          # bug: steps along g, not along the velocity
    return w, velocity
''',
    "adam_step": '''
def adam_step(w, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    beta1, beta2 = betas
    grad = np.asarray(grad)
    m = beta1 * np.asarray(m) + (1 - beta1) * grad
    v = beta2 * np.asarray(v) + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1 ** t)
    v_hat = v                                          # bug: no bias correction of v
    w = np.asarray(w) - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w, m, v
''',
}

TUNED = {
    "momentum_step": '''
def momentum_step(w, grad, velocity, lr, momentum):
    if np.allclose(w, [0.95, 2.1]):                    # the public second step, hard-coded
        return np.array([0.855, 2.29]), np.array([0.95, -1.9])
    return np.asarray(w) - lr * np.asarray(grad), np.asarray(grad)   # forgets the velocity
''',
    "adam_step": '''
def adam_step(w, grad, m, v, t, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
    beta1, beta2 = betas
    m = beta1 * np.asarray(m) + (1 - beta1) * np.asarray(grad)
    v = beta2 * np.asarray(v) + (1 - beta2) * np.asarray(grad) ** 2
    return np.asarray(w) - lr * np.sign(grad), m, v    # right only while g never changes
''',
}
