"""nnlearn: how a neural network learns, one training step at a time.

A small numpy library whose names and semantics follow PyTorch's:

    model = nl.Sequential(nl.Linear(2, 16, rng=0), nl.Tanh(), nl.Linear(16, 3, rng=1))
    loss_fn = nl.CrossEntropyLoss()
    opt = nl.optim.Adam(model.parameters(), lr=1e-2)
    loss = loss_fn(model(x), y)                 # forward pass, loss
    opt.zero_grad()
    model.backward(loss_fn.backward())          # backpropagation
    opt.step()                                  # weight update
    loss = nl.train_step(model, loss_fn, opt, x, y)   # the same four steps in one call

The interactive apps (`nl.widgets`) and plots (`nl.plots`) load on first use, so the core needs
only numpy.
"""

import importlib

from . import data, landscapes, optim
from .gradcheck import gradcheck, numerical_gradient
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, MSELoss
from .models import mlp
from .nn import Dropout, LeakyReLU, Linear, Module, Parameter, ReLU, Sequential, Sigmoid, Tanh
from .train import EarlyStopping, History, accuracy, evaluate, fit, has_diverged, train_step

__version__ = "0.1.0"

__all__ = [
    "Parameter", "Module", "Linear", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Dropout", "Sequential", "mlp",
    "MSELoss", "HuberLoss", "CrossEntropyLoss", "BCEWithLogitsLoss",
    "optim", "train_step", "fit", "has_diverged", "History", "EarlyStopping", "accuracy", "evaluate",
    "gradcheck", "numerical_gradient", "data", "landscapes", "plots", "widgets",
]


def __getattr__(name):
    if name in ("plots", "widgets"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'nnlearn' has no attribute {name!r}")
