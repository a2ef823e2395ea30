"""The search space: ``def space(trial)`` with Optuna's suggest calls, or a plain dict of ranges.

A dict maps each parameter of ``setup(**params)`` to a range or to choices:

* ``(low, high)`` -- a uniform float (an int range when both ends are ints);
* ``(low, high, "log")`` -- log-uniform (learning rates, weight decay);
* ``[a, b, c]`` -- one of these values (batch size, activation, schedule name).

Tuples are ranges and lists are choices, so nothing needs guessing.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..errors import NNDoctorError

Space = Callable[[Any], Mapping[str, Any]] | Mapping[str, Any]
# Points per continuous range when a dict space is searched on a grid (log-spaced for log ranges).
GRID_POINTS = 4


def _range(name: str, spec: tuple) -> tuple[float, float, bool]:
    log = len(spec) == 3 and spec[2] == "log"
    if len(spec) not in (2, 3) or (len(spec) == 3 and not log) or not all(isinstance(v, (int, float)) for v in spec[:2]):
        raise NNDoctorError(
            f"The search space entry {name}={spec!r} is not a range.",
            "Write (low, high) for a uniform range, (low, high, 'log') for a log-uniform one, or a list of choices.",
        )
    low, high = float(spec[0]), float(spec[1])
    if not low < high or (log and low <= 0):
        raise NNDoctorError(f"The range {name}={spec!r} is empty or, for 'log', not positive.",
                            "Give low < high (and low > 0 for a log range).")
    return low, high, log


def check_space(space: Any) -> Space:
    """``space`` as given when it is a callable or a well-formed dict; a one-paragraph error otherwise."""
    if callable(space):
        return space
    if not isinstance(space, Mapping) or not space:
        raise NNDoctorError(
            "The spec file defines no search space.",
            "Add `def space(trial): return {'lr': trial.suggest_float('lr', 1e-4, 1, log=True)}` "
            "or `SPACE = {'lr': (1e-4, 1.0, 'log'), 'batch_size': [16, 32, 64]}` beside setup().",
        )
    for name, spec in space.items():
        if isinstance(spec, tuple):
            _range(name, spec)
        elif not isinstance(spec, list) or not spec:
            raise NNDoctorError(f"The search space entry {name}={spec!r} is neither a range tuple nor a list of choices.",
                                "Write (low, high), (low, high, 'log') or [choice, ...].")
    return space


def suggest(trial: Any, space: Space) -> dict[str, Any]:
    """This trial's parameters: the space function's result, or one Optuna suggest call per dict entry."""
    if callable(space):
        params = space(trial)
        if not isinstance(params, Mapping):
            raise NNDoctorError(f"space(trial) returned {type(params).__name__}, not a dict of parameters.",
                                "Return a dict such as {'lr': trial.suggest_float('lr', 1e-4, 1, log=True)}.")
        return dict(params)
    params: dict[str, Any] = {}
    for name, spec in space.items():
        if isinstance(spec, list):
            params[name] = trial.suggest_categorical(name, spec)
            continue
        low, high, log = _range(name, spec)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in spec[:2]):
            params[name] = trial.suggest_int(name, int(low), int(high), log=log)
        else:
            params[name] = trial.suggest_float(name, low, high, log=log)
    return params


def grid_of(space: Space) -> dict[str, list[Any]]:
    """The grid GridSampler walks: choices as given, each range cut into ``GRID_POINTS`` points."""
    if callable(space):
        raise NNDoctorError("--sampler grid needs the space as a dict; space(trial) is a function.",
                            "Declare SPACE = {...} with ranges and choices, or use --sampler tpe / random.")
    grid: dict[str, list[Any]] = {}
    for name, spec in space.items():
        if isinstance(spec, list):
            grid[name] = list(spec)
            continue
        low, high, log = _range(name, spec)
        points = np.geomspace(low, high, GRID_POINTS) if log else np.linspace(low, high, GRID_POINTS)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in spec[:2]):
            grid[name] = sorted({round(float(p)) for p in points})
        else:
            grid[name] = [float(f"{p:.4g}") for p in points]
    return grid


def grid_size(grid: Mapping[str, list[Any]]) -> int:
    return math.prod(len(v) for v in grid.values())
