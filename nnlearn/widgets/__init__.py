"""The interactive apps the lessons display: one function per app, each callable with no
arguments and returning an `App` (an ipywidgets widget with `.controls` and `.figure`)."""

from .app import App, AppMessage, log_slider
from .losses import diagnosis_explorer, loss_explorer, outlier_explorer
from .neuron import neuron_explorer
from .backprop import backprop_cost, backprop_explorer
from .descent import descent_explorer, parabola_descent
from .training import batch_size_explorer, training_explorer
from .optimizers import network_race, optimizer_race
from .generalisation import generalisation_explorer
