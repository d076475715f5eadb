"""The interactive apps the lessons display: one function per app, each callable with no
arguments and returning an `App` (an ipywidgets widget with `.controls` and `.figure`)."""

from .app import App, AppMessage, log_slider
from .training import training_explorer                               # lesson 00
from .batch_size import batch_size_explorer                           # lesson 05
from .neuron import neuron_explorer                                   # lesson 01
from .losses import loss_explorer, sigmoid_learning                   # lesson 02
from .regression import network_regression, outlier_explorer          # lesson 02
from .diagnosis import diagnosis_explorer                             # lesson 02
from .backprop import backprop_explorer                               # lesson 03
from .backprop_counts import backprop_cost                            # lesson 03
from .descent import descent_explorer, parabola_descent               # lesson 04
from .race_surfaces import optimizer_race                             # lesson 06
from .race_network import network_race                                # lesson 06
from .generalisation import (generalisation_explorer, memorising_chart, overfitting_chart,   # lesson 07
                             seed_spread_chart)
from .playground import playground                                    # lesson 08
from .initialisation import depth_explorer, symmetry_explorer          # lesson 09
from .autograd_graph import graph_explorer                            # lesson 10
