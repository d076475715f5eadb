"""TensorFlow Playground on nnlearn's engine: its datasets, input features, network and state.

Everything the playground app shows comes from a `Playground`: the data (Playground's own six
sets, one of three classes, or yours), the input features, a network built from a `Config`, and the
record of training. The app (`nnlearn.widgets.playground`) only draws it, so tests and exported
scripts train exactly what the app trains.

    data.py     Playground's datasets and the input features
    own_data.py your own data (arrays, a DataFrame, a CSV file), checked and brought into the plane
    state.py    Config: every setting, and its short shareable string
    engine.py   Playground: the network, one epoch of nl.train_step, what the views show
    export.py   JSON config, weights (.npz), a runnable nnlearn script and a PyTorch one
"""

from .data import DATASETS, FEATURES, make_data, make_features
from .engine import Playground, build_model, confusion_matrix, r_squared, scheduled_lr
from .own_data import user_data
from .export import export_config, export_data, export_script, export_torch_script, export_weights, import_config
from .state import ACTIVATIONS, LOSSES, SCHEDULES, Config

__all__ = ["Config", "Playground", "DATASETS", "FEATURES", "ACTIVATIONS", "LOSSES", "SCHEDULES", "make_data",
           "make_features", "user_data", "build_model", "r_squared", "confusion_matrix", "scheduled_lr",
           "export_config", "export_data", "import_config", "export_weights", "export_script", "export_torch_script"]
