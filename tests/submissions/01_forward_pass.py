"""Submissions for the grading tests of lesson 01 (see CONTRIBUTING.md, "Submissions").

BUGGY: each exercise cell with one planted bug (the public checks catch it).
TUNED: each exercise cell hard-coding the public checks' answers (passes them, fails the hidden tests).
WRONG: plausible learner mistakes, each with a fragment the public check's output must contain.
"""

FORWARD = '''
def forward(X, layers):
    activations = {{"relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
                   "tanh": np.tanh, "identity": lambda z: z}}
    h = np.asarray(X)
    shapes = []
    for number, (W, b, activation) in enumerate(layers, start=1):
{check}
        h = {step}
        shapes.append(h.shape)
    return h, shapes
'''
SHAPE_CHECK = '''        if h.shape[1] != W.shape[0]:
            raise ValueError(f"layer {number} expects {W.shape[0]} inputs, got {h.shape[1]}")'''


def forward_with(step, check=SHAPE_CHECK):
    return FORWARD.format(step=step, check=check)


BUGGY = {
    "neuron": '''
def neuron(x, w, b):
    z = x @ w + b
    return 1 / (1 + np.exp(z))                   # bug: lost the minus sign
''',
    "forward": forward_with("activations[activation](h @ W)"),          # bug: forgot the bias
    "predict_distance": "def predict_distance():\n    return 1.0",
    "predict_relu_output": "def predict_relu_output():\n    return 0.0",
    "predict_parameters": "def predict_parameters():\n    return 101632",
}

TUNED = {
    "neuron": '''
def neuron(x, w, b):
    if len(x) == 1:
        return np.array([0.5])
    if len(x) == 2:
        return np.array([1.0, 0.0])
    return (1 / (1 + np.exp(-(np.array([[1.0, 2.0, 0.0, -1.0], [0.5, -0.5, 1.0, 2.0], [0.0, 0.0, 0.0, 0.0]])
                             @ np.array([0.5, -0.25, 1.0, 0.75]) + 0.5)))).astype(x.dtype)
''',
    "forward": '''
import nnlearn as _nl
def forward(X, layers):
    """Right for the public networks only: every hidden layer is treated as ReLU or tanh by its size."""
    h = np.asarray(X)
    shapes = []
    for number, (W, b, activation) in enumerate(layers, start=1):
        if h.shape[1] != W.shape[0]:
            raise ValueError(f"layer {number} expects {W.shape[0]} inputs, got {h.shape[1]}")
        z = h @ W + b
        h = {(1, 4): np.maximum(z, 0), (1, 2): np.tanh(z), (2, 6): 1 / (1 + np.exp(-z)),
             (1, 1): np.tanh(z) if activation == "tanh" else 1 / (1 + np.exp(-z))}.get((number, W.shape[1]), z)
        shapes.append(h.shape)
    return h, shapes
''',
}

WRONG = {
    "neuron": [
        ('''
def neuron(x, w, b):
    return 1 / (1 + np.exp(-(w @ x + b)))          # w @ x: shapes (D,) @ (N, D)
''', "z = x @ w + b has shape (N,)"),
        ('''
def neuron(x, w, b):
    return 1 / (1 + np.exp(-(x @ w)))               # forgot the bias
''', "z = x @ w + b"),
        ('''
def neuron(x, w, b):
    return 1 / (1 + np.exp(-(x @ w[:, None] + b)))  # (N, 1), not (N,)
''', "one number per example"),
        ('''
def neuron(x, w, b):
    return 1 / (1 + np.exp(x @ w + b))              # sign of the exponent
''', "1 / (1 + exp(-z))"),
    ],
    "forward": [
        (forward_with("activations[activation](h @ W.T + b)", check=""), "not W @ h or h @ W.T"),
        (forward_with("activations[activation](h @ W + b[:, None])", check=""), "broadcasts over the rows"),
        (forward_with("np.maximum(h @ W + b, 0)"), "'identity' means no activation"),
        (forward_with("activations[activation](h @ W + b)", check=""), "raise ValueError(f'layer {number}"),
        (forward_with("activations[activation](h @ W + b)").replace("1 / (1 + np.exp(-z))", "1 / (1 + np.exp(z))"),
         "sigmoid(z) = 1 / (1 + exp(-z))"),
        (forward_with("activations[activation](h @ W + b)").replace("        shapes.append(h.shape)\n", "")
         .replace("    return h, shapes", "    return h, [h.shape]"), "one entry per layer"),
    ],
    "predict_distance": [("def predict_distance():\n    return 1.0", "read the line's distance from the origin"),
                         ("def predict_distance():\n    return 2.0", "divide the second by the first")],
    "predict_relu_output": [("def predict_relu_output():\n    return 0.0", "set the activation to ReLU"),
                            ("def predict_relu_output():\n    return 0.777", "read a in the readout")],
    "predict_parameters": [("def predict_parameters():\n    return 101632", "sum(p.data.size for p in model.parameters())"),
                           ("def predict_parameters():\n    return 100352", "build the model in a new cell")],
}



# Mistakes first written from the spec and check alone (rebuilt here on the template above): the dtype,
# a sigmoid that overflows, a shape test that never looks at X.
WRONG["neuron"] += [
    ('''
def neuron(x, w, b):
    x = np.asarray(x, dtype=float)                 # float64 for float32 inputs
    return 1 / (1 + np.exp(-(x @ w + b)))
''', "float32 in, float32 out"),
    ('''
def neuron(x, w, b):
    z = x @ w + b
    return np.exp(z) / (1 + np.exp(z))             # inf / inf at z = 800
''', "inf / inf is nan"),
]
WRONG["forward"] += [
    (forward_with("activations[activation](h @ W + b)").replace("h = np.asarray(X)", "h = np.array(X, dtype=float)"),
     "float32 in, float32 out"),
    (forward_with("activations[activation](h @ W + b)", check='''        if number > 1 and layers[number - 2][0].shape[1] != W.shape[0]:
            raise ValueError(f"layer {number} expects {W.shape[0]} inputs, got {h.shape[1]}")'''),
     "raise ValueError(f'layer {number}"),                                  # compares W's, never X with W1
    (forward_with("activations[activation](h @ W + b)").replace("1 / (1 + np.exp(-z))", "np.exp(z) / (1 + np.exp(z))"),
     "inf / inf is nan"),
    (forward_with("activations[activation](h @ W + b)").replace(               # tanh by its exp formula
        '"tanh": np.tanh', '"tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))'),
     "np.tanh is right for any z"),
    (forward_with("activations[activation](h @ W + b)").replace(               # (e^2z - 1)/(e^2z + 1): nan in float32
        '"tanh": np.tanh', '"tanh": lambda z: (np.exp(2 * z) - 1) / (np.exp(2 * z) + 1)'),
     "np.tanh is right for any z"),
]


# The investigation (issue 19): each wrong answer with the hint it must get.
SPREAD = '''
FAN_INS = (4, 16, 64, 256, 1024)


def output_spread(fan_in, seed, init):
    rng = np.random.default_rng(seed)
    {draw}
    return float({measure})


def spread_exponent(init):
    slopes = [np.polyfit(np.log(FAN_INS), {log}([output_spread(n, seed, init) for n in FAN_INS]), 1)[0]
              for seed in range(5)]
    return float(np.median(slopes))
'''
RIGHT_DRAW = '''x = rng.normal(size=(500, fan_in))
    z = x @ rng.normal(size=(fan_in, 8)) if init == "normal" else nl.Linear(fan_in, 8, rng=seed)(x)'''
WRONG["spread_exponent"] = [
    (SPREAD.format(draw=RIGHT_DRAW, measure="np.var(z)", log="np.log"), "np.std of all of z"),        # the variance
    (SPREAD.format(draw='''w = rng.normal(size=(fan_in, 8))                 # the weights drawn before the inputs
    x = rng.normal(size=(500, fan_in))
    z = x @ w if init == "normal" else nl.Linear(fan_in, 8, rng=seed)(x)''', measure="np.std(z)", log="np.log"),
     "draw x first, then the weights"),
    (SPREAD.format(draw=RIGHT_DRAW, measure="np.std(z)", log="np.log10"), "np.polyfit(np.log(FAN_INS)"),  # log10 against ln
]

# The investigation's planted bug and tuned answer.
BUGGY["spread_exponent"] = SPREAD.format(draw=RIGHT_DRAW, measure="np.std(z)", log="np.log").replace(
    "for n in FAN_INS]), 1)[0]", "for n in FAN_INS]), 1)[1]")                       # planted: the intercept
TUNED["spread_exponent"] = SPREAD.format(                                          # right only where the check looks
    draw=RIGHT_DRAW.replace("    z = x @", "    if (fan_in, seed) != (16, 7):\n        return 1.0\n    z = x @"),
    measure="np.std(z)", log="np.log")
