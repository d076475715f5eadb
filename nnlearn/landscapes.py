"""2-D loss surfaces with their gradients, for watching optimizers move.

A real network's loss depends on thousands of weights; these surfaces depend on two, (x, y), so the
whole landscape fits in one picture and an optimizer's path can be drawn on it. Each surface has
an exact gradient, and `run` drives any `nnlearn.optim` optimizer over it exactly as training
drives it over a network's weights:

    surface = landscapes.get("ravine")
    path = landscapes.run(surface, lambda params: nl.optim.SGD(params, lr=0.4), steps=100)
    path.points     # (101, 2): the start, then the point after each step

The surfaces (`SURFACES`, by name):
    bowl            z = (x^2 + y^2) / 2                       one round minimum; the easy case
    ravine          z = x^2 / 20 + 2 y^2                      steep walls, gentle floor (condition 40)
    rosenbrock      z = (1 - x)^2 + 100 (y - x^2)^2           a curved, flat-bottomed valley
    saddle          z = x^2 / 2 + y^4 / 4 - y^2 / 2           a saddle at (0, 0), minima at (0, +-1)
    several_minima  a gentle bowl with three Gaussian dips    a shallow and two deeper minima

Each has a twin turned 45 degrees, `get(name + "_rotated")` (`ROTATED`): its valleys no longer run along
the weight axes, so RMSprop, Adagrad and Adam, which scale each weight's step, face a different problem.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_float_array, check_int, describe
from .nn import Parameter
from .optim import Optimizer
from .train import has_diverged

__all__ = ["Surface", "SURFACES", "ROTATED", "rotated", "get", "Trajectory", "run"]


class Surface:
    """A height z = f(x, y) with its gradient, and what a plot of it needs.

    Attributes: name, title, xlim (lo, hi), ylim (lo, hi), start (x0, y0) (a telling start), minima [(x, y), ...]
    (every local minimum in the plot range), angle (degrees turned from `base`, the aligned surface, or 0 and None).
    Calling the surface and `gradient` broadcast: x and y may be numbers or arrays (a meshgrid).
    """

    def __init__(self, name, title, function, gradient, xlim, ylim, start, minima, description="",
                 angle=0.0, base=None):
        self.name, self.title, self.description, self.angle, self.base = name, title, description, float(angle), base
        self._function, self._gradient = function, gradient
        self.xlim, self.ylim, self.start = (tuple(float(v) for v in pair) for pair in (xlim, ylim, start))
        self.minima = [tuple(float(v) for v in point) for point in minima]

    def _inputs(self, x, y, where):
        x, y = as_float_array(x, "x", where=where), as_float_array(y, "y", where=where)
        try:
            return np.broadcast_arrays(x, y)
        except ValueError as error:
            raise ValueError(f"{where}: x and y must broadcast together, got shapes {x.shape} and {y.shape}") from error

    def __call__(self, x, y):
        """Height z at (x, y). Shapes: x and y broadcast together; z has their broadcast shape."""
        x, y = self._inputs(x, y, f"Surface {self.name!r}")
        return self._function(x, y)

    def gradient(self, x, y):
        """(dz/dx, dz/dy) at (x, y), each of the broadcast shape of x and y."""
        x, y = self._inputs(x, y, f"Surface {self.name!r}.gradient")
        gx, gy = self._gradient(x, y)
        return np.broadcast_to(gx, x.shape).copy(), np.broadcast_to(gy, x.shape).copy()

    def grid(self, resolution=200):
        """(X, Y, Z) meshgrid over xlim x ylim, for contour plots. Shapes: each (resolution, resolution)."""
        resolution = check_int(resolution, "Surface.grid: resolution", low=2)
        X, Y = np.meshgrid(np.linspace(*self.xlim, resolution), np.linspace(*self.ylim, resolution))
        return X, Y, self._function(X, Y)

    def __repr__(self):
        return f"Surface({self.name!r})"


# bowl: z = (x^2 + y^2) / 2, gradient (x, y). SGD with lr < 2 converges; lr = 1 lands in one step.
def _bowl(x, y):
    return 0.5 * (x * x + y * y)


def _bowl_gradient(x, y):
    return x, y


# ravine: z = x^2 / 20 + 2 y^2. Curvatures 0.1 along x and 4 across: SGD is stable only for
# lr < 2 / 4 = 0.5, and with such a step it crawls along the floor while bouncing between the walls.
def _ravine(x, y):
    return 0.05 * x * x + 2.0 * y * y


def _ravine_gradient(x, y):
    return 0.1 * x, 4.0 * y


# rosenbrock: z = (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1) at the end of a curved valley.
def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100.0 * (y - x * x) ** 2


def _rosenbrock_gradient(x, y):
    wall = 200.0 * (y - x * x)
    return -2.0 * (1 - x) - 2.0 * x * wall, wall


# saddle: z = x^2 / 2 + y^4 / 4 - y^2 / 2. At (0, 0) it curves up along x and down along y;
# the minima (0, -1) and (0, 1) have z = -1/4. Near y = 0 the slope across is almost zero,
# so plain gradient descent lingers there.
def _saddle(x, y):
    y2 = y * y
    return 0.5 * x * x + 0.25 * y2 * y2 - 0.5 * y2


def _saddle_gradient(x, y):
    return x, y * (y * y - 1.0)


# several_minima: z = (x^2 + y^2) / 20 - sum_i depth_i exp(-|p - c_i|^2 / (2 width_i^2)).
# From the start on the left, plain SGD settles in the shallow middle dip, momentum tends to roll
# through it to the right, and Adam's sign-like first steps head for the deepest one (lower left).
_DIPS = (  # (cx, cy, depth, width)
    (-0.2, 0.3, 1.0, 0.88),     # shallow, in the middle, on the way from the start
    (-1.3, -1.7, 2.0, 0.7),     # deepest, lower left
    (1.4, -0.1, 1.4, 0.53),     # medium, on the right
)


def _several_minima(x, y):
    z = 0.05 * (x * x + y * y)
    for cx, cy, depth, width in _DIPS:
        dx, dy = x - cx, y - cy
        z = z - depth * np.exp(-(dx * dx + dy * dy) / (2 * width * width))
    return z


def _several_minima_gradient(x, y):
    gx, gy = 0.1 * x, 0.1 * y
    for cx, cy, depth, width in _DIPS:
        dx, dy = x - cx, y - cy
        # d/dx of -depth exp(-r^2 / (2 w^2)) = depth exp(...) * dx / w^2
        pull = depth / (width * width) * np.exp(-(dx * dx + dy * dy) / (2 * width * width))
        gx = gx + pull * dx
        gy = gy + pull * dy
    return gx, gy


def _polish(gradient, point, iterations=50):
    """Newton's method on the gradient from `point`, with a finite-difference Hessian; for minima."""
    p, h = np.array(point, dtype=np.float64), 1e-6
    for _ in range(iterations):
        g = np.array(gradient(p[0], p[1]), dtype=np.float64)
        H = np.empty((2, 2))
        for j, e in enumerate(np.eye(2) * h):
            H[:, j] = (np.array(gradient(*(p + e))) - np.array(gradient(*(p - e)))) / (2 * h)
        p = p - np.linalg.solve(H, g)
    return tuple(p)


SURFACES = {
    surface.name: surface for surface in (
        Surface("bowl", "Bowl: one round minimum", _bowl, _bowl_gradient,
                xlim=(-3, 3), ylim=(-3, 3), start=(-2.5, 2.0), minima=[(0, 0)],
                description="z = (x^2 + y^2) / 2; the same curvature in every direction."),
        Surface("ravine", "Ravine: steep walls, a gentle floor", _ravine, _ravine_gradient,
                xlim=(-4, 4), ylim=(-2, 2), start=(-3.5, 1.5), minima=[(0, 0)],
                description="z = x^2 / 20 + 2 y^2; 40 times steeper across than along the floor."),
        Surface("rosenbrock", "Rosenbrock: a curved valley", _rosenbrock, _rosenbrock_gradient,
                xlim=(-2, 2), ylim=(-1, 3), start=(-1.5, 2.5), minima=[(1, 1)],
                description="z = (1 - x)^2 + 100 (y - x^2)^2; easy to reach the valley, slow to follow it."),
        Surface("saddle", "Saddle: downhill only one way", _saddle, _saddle_gradient,
                xlim=(-3, 3), ylim=(-2, 2), start=(-2.5, 0.001), minima=[(0, -1), (0, 1)],
                description="z = x^2 / 2 + y^4 / 4 - y^2 / 2; a saddle point at (0, 0)."),
        Surface("several_minima", "Several minima: which one do you reach?", _several_minima,
                _several_minima_gradient, xlim=(-3.5, 3.5), ylim=(-3.5, 3.5), start=(-2.0, 0.1),
                minima=[_polish(_several_minima_gradient, dip[:2]) for dip in _DIPS],
                description="a gentle bowl with three Gaussian dips of different depths."),
    )
}


def rotated(surface, degrees=45.0):
    """`surface` turned anticlockwise by `degrees`: f_R(p) = f(R^T p), gradient R grad f(R^T p), R = [[c, -s], [s, c]].
    The minima and the start turn too (the start rounded to 0.0001, the sliders' step); the plot is a square."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    R = np.array([[c, -s], [s, c]])
    function = lambda x, y: surface._function(c * x + s * y, -s * x + c * y)           # f(R^T p)

    def gradient(x, y):                                                                  # R grad f(R^T p)
        gu, gv = surface._gradient(c * x + s * y, -s * x + c * y)
        return c * gu - s * gv, s * gu + c * gv

    half = math.ceil(2 * np.abs([(x, y) for x in surface.xlim for y in surface.ylim] @ R.T).max()) / 2
    return Surface(f"{surface.name}_rotated", surface.title.replace(":", f", turned {degrees:g}°:", 1),
                   function, gradient, xlim=(-half, half), ylim=(-half, half), start=np.round(R @ surface.start, 4),
                   minima=np.asarray(surface.minima) @ R.T, angle=degrees, base=surface,
                   description=f"{surface.description} Turned {degrees:g} degrees about the origin.")


ROTATED = {f"{name}_rotated": rotated(surface) for name, surface in SURFACES.items()}


def get(name):
    """The surface called `name` (one of SURFACES, or a name of SURFACES + "_rotated")."""
    if not isinstance(name, str) or name not in SURFACES and name not in ROTATED:
        raise ValueError(f"landscapes.get: unknown surface {name!r}; choose one of {', '.join(SURFACES)} "
                         "(or one of them + '_rotated')")
    return SURFACES.get(name) or ROTATED[name]


@dataclass
class Trajectory:
    """An optimizer's path over a surface.

    points (k + 1, 2): the start, then the point after each of the k steps taken; values (k + 1,):
    the height at each point; states: after each step, a copy of the optimizer's state for the
    point (PyTorch's names: "momentum_buffer", "exp_avg", "exp_avg_sq", "square_avg", "sum",
    "step"); diverged_at: the 1-based step after which the height tripped `nl.has_diverged`
    (then k = diverged_at when that point is finite, diverged_at - 1 when it is not), or None;
    `diverged` is `diverged_at is not None`; message says what happened.
    """

    points: np.ndarray
    values: np.ndarray
    states: list = field(default_factory=list)
    diverged_at: int = None
    message: str = ""

    diverged = property(lambda self: self.diverged_at is not None)
    steps = property(lambda self: len(self.points) - 1)


def run(surface, make_optimizer, start=None, steps=100):
    """Let an optimizer walk downhill on `surface` for `steps` steps from `start` (surface.start by default).

    make_optimizer(params) must return an nnlearn optimizer for the list of parameters it is given,
    e.g. `lambda params: nl.optim.Adam(params, lr=0.1)`. The point (x, y) is one nl.Parameter of
    shape (2,); each step sets its gradient from surface.gradient (all of it, so there is nothing
    to zero) and calls optimizer.step().
    Stops early with diverged_at set when the height after a step trips `nl.has_diverged` (the one
    rule training uses, with the height for the loss): it is not finite, or more than 50 times
    max(height at the start, 1).
    """
    surface = get(surface) if isinstance(surface, str) else surface
    if not isinstance(surface, Surface):
        raise TypeError(f"run: surface must be a landscapes.Surface or its name, got {describe(surface)}")
    if not callable(make_optimizer):
        raise TypeError("run: make_optimizer must be a function of the parameters, e.g. "
                        f"lambda params: nl.optim.SGD(params, lr=0.1), got {describe(make_optimizer)}")
    steps = check_int(steps, "run: steps", low=0)
    start = surface.start if start is None else start
    point = as_float_array(start, "start", where="run").astype(np.float64)
    if point.shape != (2,) or not np.all(np.isfinite(point)):
        raise ValueError(f"run: start must be a finite point (x, y), got {start!r}")
    param = Parameter(point.copy(), name="point")
    optimizer = make_optimizer([param])
    if not isinstance(optimizer, Optimizer):
        raise TypeError("run: make_optimizer must return an nnlearn optimizer such as nl.optim.SGD(params, lr=0.1), "
                        f"got {describe(optimizer)}")
    if param not in optimizer.state:
        raise ValueError("run: make_optimizer must build the optimizer on the parameters it is given "
                         "(lambda params: nl.optim.SGD(params, lr=0.1)), not on others: the point would never move")
    state = optimizer.state[param]
    gradient, function, data, grad = surface._gradient, surface._function, param.data, param.grad
    points, states = np.empty((steps + 1, 2)), []
    points[0] = data
    taken, diverged_at, message = steps, None, ""
    x, y = data.tolist()
    with np.errstate(all="ignore"):
        first = float(function(x, y))
    if not math.isfinite(first):
        raise ValueError(f"run: the height at the start {tuple(point.tolist())} is not a finite number; start closer in")
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            grad[:] = gradient(x, y)                             # the whole gradient: no zero_grad needed
            optimizer.step()
            x, y = data.tolist()
            states.append({key: value.copy() if type(value) is np.ndarray else value
                           for key, value in state.items()})
            height = float(function(x, y))
            if has_diverged(height, first):
                finite = math.isfinite(x) and math.isfinite(y) and math.isfinite(height)
                taken, diverged_at = (k if finite else k - 1), k
                if finite:
                    points[k] = data
                else:
                    states.pop()
                lr = optimizer.param_groups[0].get("lr")
                hint = f" (it is {lr:g}: try {lr / 10:g})" if isinstance(lr, float) and lr > 0 else ""
                where = (f"climbed to ({x:.3g}, {y:.3g}), height {height:.3g} against {first:.3g} at the start"
                         if finite else "stopped being a finite number")
                message = (f"Diverged at step {k}: the point {where}. Each step overshot the minimum by more "
                           f"than the last; lower the learning rate{hint}.")
                break
            points[k] = data
        points = points[:taken + 1]
        values = function(points[:, 0], points[:, 1])
    return Trajectory(points=points, values=values, states=states, diverged_at=diverged_at, message=message)
