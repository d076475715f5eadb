"""Every setting of the playground, checked, and its short shareable string."""

import base64
import dataclasses
import json
import math
import zlib
from dataclasses import dataclass

from .. import optim
from ..losses import LOSSES as LOSS_REGISTRY
from ..models import ACTIVATIONS as MODEL_ACTIVATIONS
from .data import DATASETS, FEATURES, RADIUS
from .own_data import MAX_CLASSES

ACTIVATIONS = {name: MODEL_ACTIVATIONS[name] for name in ("relu", "tanh", "sigmoid", "linear")}   # Playground's four
# The registry's losses under the names state strings use ("cross-entropy", "mse", "huber"): cross-entropy
# on class labels, the regression losses on values (one-hot rows for classes).
LOSSES = {name.lower(): info
          for name, info in sorted(LOSS_REGISTRY.items(), key=lambda item: item[1].target != "class labels")
          if info.target in ("class labels", "values")}
SCHEDULES = ("constant", "step", "cosine")
N_POINTS = (10, 5000)                    # the data sets' sizes a state may ask for
MAX_SEED = 2**32 - 1
DRAWN = "drawn"                          # the data set the learner draws by clicking on the output picture
MAX_DRAWN = 1000                         # drawn points a state may hold (about 6 kB of state string)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_real(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_types(config):
    """Every setting of the type its default has (a state string may hold anything JSON can)."""
    for f in dataclasses.fields(config):
        value, default = getattr(config, f.name), f.default
        if isinstance(default, str):
            ok, kind = isinstance(value, str), "a string"
        elif f.name == "points":
            ok = isinstance(value, (tuple, list)) and all(_is_point(v) for v in value)
            kind = "a list of [x1, x2, class] points"
        elif isinstance(default, tuple):
            item = _is_int if f.name == "hidden" else (lambda v: isinstance(v, str))
            ok = isinstance(value, (tuple, list)) and all(item(v) for v in value)
            kind = "a list of whole numbers" if f.name == "hidden" else "a list of feature names"
        elif isinstance(default, float):
            ok, kind = _is_real(value), "a number"
        else:
            ok, kind = _is_int(value), "a whole number"
        if not ok:
            raise TypeError(f"Config: {f.name} must be {kind}, got {value!r} ({type(value).__name__})")


def _is_point(value):
    return (isinstance(value, (tuple, list)) and len(value) == 3 and all(_is_real(v) for v in value[:2])
            and _is_int(value[2]))


def _check_points(points):
    """Drawn points: in the plane, of a class the pictures colour, not too many for a state string."""
    if len(points) > MAX_DRAWN:
        raise ValueError(f"Config: points: at most {MAX_DRAWN} drawn points, got {len(points)}")
    for row, (x1, x2, klass) in enumerate(points):
        if not (math.isfinite(x1) and math.isfinite(x2) and abs(x1) <= RADIUS and abs(x2) <= RADIUS):
            raise ValueError(f"Config: points: point {row} ({x1!r}, {x2!r}) is outside the plane "
                             f"[-{RADIUS:g}, {RADIUS:g}] x [-{RADIUS:g}, {RADIUS:g}]")
        if not 0 <= klass < MAX_CLASSES:
            raise ValueError(f"Config: points: point {row} has class {klass}, expected 0 .. {MAX_CLASSES - 1}")


@dataclass
class Config:
    """Every setting of the playground. `to_string()` is the short shareable form."""

    dataset: str = "circle"
    noise: int = 0                       # percent, 0 .. 50
    train_percent: int = 50              # 10 .. 90
    n_points: int = 500
    seed: int = 0
    features: tuple = ("x1", "x2")
    hidden: tuple = (4, 2)               # neurons per hidden layer, 0 .. 6 layers of 1 .. 8
    activation: str = "tanh"
    regularization: str = "none"         # none, L1, L2
    reg_rate: float = 0.0
    learning_rate: float = 0.03
    batch_size: int = 10
    loss: str = "cross-entropy"          # classification: any of LOSSES; regression: mse or huber
    optimizer: str = "SGD"
    dropout: float = 0.0
    schedule: str = "constant"           # constant, step (x0.5 every 50 epochs), cosine (over 200 epochs)
    points: tuple = ()                   # drawn points (x1, x2, class): the data of dataset "drawn"

    @property
    def problem(self):
        return DATASETS[self.dataset][1] if self.dataset in DATASETS else "classification"

    def validate(self):
        """The config itself, checked: TypeError or ValueError naming the setting that is wrong."""
        _check_types(self)
        if not N_POINTS[0] <= self.n_points <= N_POINTS[1]:
            raise ValueError(f"Config: n_points must be {N_POINTS[0]} .. {N_POINTS[1]}, got {self.n_points}")
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"Config: seed must be 0 .. 2**32 - 1, got {self.seed}")
        if self.dataset not in DATASETS and self.dataset not in ("yours", DRAWN):
            raise ValueError(f"Config: dataset must be one of {list(DATASETS)}, {DRAWN!r} or 'yours', "
                             f"got {self.dataset!r}")
        _check_points(self.points)
        if not 0 <= self.noise <= 50:
            raise ValueError(f"Config: noise must be 0 .. 50 (percent), got {self.noise}")
        if not 10 <= self.train_percent <= 90:
            raise ValueError(f"Config: train_percent must be 10 .. 90, got {self.train_percent}")
        unknown = [f for f in self.features if f not in FEATURES]
        if unknown or not self.features:
            raise ValueError(f"Config: features must be a non-empty choice of {list(FEATURES)}, got {list(self.features)}")
        if len(self.hidden) > 6 or any(not 1 <= n <= 8 for n in self.hidden):
            raise ValueError(f"Config: hidden must be 0 .. 6 layers of 1 .. 8 neurons, got {list(self.hidden)}")
        for name, value, options in (("activation", self.activation, ACTIVATIONS), ("loss", self.loss, LOSSES),
                                     ("optimizer", self.optimizer, optim.OPTIMIZERS),
                                     ("regularization", self.regularization, ("none", "L1", "L2")),
                                     ("schedule", self.schedule, SCHEDULES)):
            if value not in options:
                raise ValueError(f"Config: {name} must be one of {list(options)}, got {value!r}")
        if self.problem == "regression" and LOSSES[self.loss].target != "values":
            raise ValueError("Config: regression needs the mse or huber loss, not cross-entropy")
        if not (self.learning_rate > 0 and math.isfinite(self.learning_rate)):
            raise ValueError(f"Config: learning_rate must be positive, got {self.learning_rate}")
        if self.batch_size < 1:
            raise ValueError(f"Config: batch_size must be at least 1, got {self.batch_size}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"Config: dropout must be in [0, 1), got {self.dropout}")
        if not (0 <= self.reg_rate and math.isfinite(self.reg_rate)):
            raise ValueError(f"Config: reg_rate must be 0 or more, got {self.reg_rate}")
        return self

    def as_dict(self):
        """Every setting by name; no drawn points, no entry (states made before drawing read the same)."""
        values = dataclasses.asdict(self)
        if not values["points"]:
            del values["points"]
        return values

    def to_string(self):
        """A short, URL-safe string holding every setting (Playground keeps it in the URL)."""
        text = json.dumps(self.as_dict(), separators=(",", ":"))
        return base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip("=")

    @classmethod
    def from_string(cls, text):
        try:
            raw = zlib.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            values = json.loads(raw)
        except (ValueError, zlib.error, TypeError) as error:
            raise ValueError(f"playground: state is not a playground state string ({error})") from None
        return cls.from_dict(values)

    @classmethod
    def from_dict(cls, values):
        if not isinstance(values, dict):
            raise ValueError(f"playground: a state holds an object of settings, got {type(values).__name__}")
        values = dict(values)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"playground: unknown settings {sorted(unknown)} in the state")
        for key in ("features", "hidden", "points"):
            if isinstance(values.get(key), list):
                values[key] = tuple(tuple(v) if key == "points" and isinstance(v, list) else v for v in values[key])
        return cls(**values).validate()


