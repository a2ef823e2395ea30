"""Coarse-to-fine: narrow each numeric range of a dict space around the best region of a finished round.

The best region is the span of the top quartile of completed trials (at least ``MIN_TOP`` of
them), widened by ``PAD`` of that span on each side so the fine round can still step past its
edge -- in log10 space for log ranges, where the region's shape lives -- and clipped to the
original range, so the fine range is never wider than the coarse one. Choices are kept as they
are: a quartile of a handful of trials says too little to drop a category.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import NNDoctorError
from .space import _range

TOP_FRACTION = 0.25
# Fewer completed trials than this and the "region" is a point: nothing to narrow around.
MIN_TOP = 2
# The region is widened by this fraction of its own span on each side (of the original span when it is a point).
PAD = 0.25


def top_trials(trials: list[Any]) -> list[Any]:
    """The top quartile (at least MIN_TOP) of completed trials by value, best first."""
    done = sorted((t for t in trials if t.state.name == "COMPLETE" and t.value is not None and math.isfinite(t.value)),
                  key=lambda t: t.value, reverse=True)
    if len(done) < MIN_TOP:
        raise NNDoctorError(f"Coarse-to-fine needs at least {MIN_TOP} completed trials in the coarse round; it has {len(done)}.",
                            "Run more coarse trials (--trials), or fix what pruned or failed them first.")
    return done[:max(MIN_TOP, math.ceil(TOP_FRACTION * len(done)))]


def _narrow(spec: tuple, values: list[float], name: str) -> tuple:
    low, high, log = _range(name, spec)
    f = np.log10 if log else (lambda v: np.asarray(v, dtype=float))
    lo, hi, v = float(f(low)), float(f(high)), f(np.asarray(values, dtype=float))
    a, b = float(v.min()), float(v.max())
    pad = PAD * ((b - a) if b > a else (hi - lo))
    a, b = max(lo, a - pad), min(hi, b + pad)
    new_low, new_high = (10.0 ** a, 10.0 ** b) if log else (a, b)
    # an edge clipped to the original is the original's own number (10 ** log10(x) may miss it by a rounding)
    new_low, new_high = (low if a <= lo else max(low, new_low)), (high if b >= hi else min(high, new_high))
    if all(isinstance(x, int) and not isinstance(x, bool) for x in spec[:2]):
        ilow, ihigh = max(int(spec[0]), math.floor(new_low)), min(int(spec[1]), math.ceil(new_high))
        if ilow == ihigh:
            ilow, ihigh = (ilow, ihigh + 1) if ihigh < int(spec[1]) else (ilow - 1, ihigh)
        return (ilow, ihigh, "log") if log else (ilow, ihigh)
    return (new_low, new_high, "log") if log else (new_low, new_high)


def narrow_space(space: Any, trials: list[Any]) -> dict[str, Any]:
    """The fine round's dict space: each range narrowed around the coarse round's top quartile."""
    if not isinstance(space, Mapping):
        raise NNDoctorError("Coarse-to-fine needs the search space as a dict; space(trial) is a function nndoctor cannot narrow.",
                            "Declare SPACE = {'lr': (1e-4, 1.0, 'log'), ...} beside setup(), or drop --coarse-to-fine.")
    top = top_trials(trials)
    fine: dict[str, Any] = {}
    for name, spec in space.items():
        values = [t.params[name] for t in top if name in t.params]
        fine[name] = _narrow(spec, values, name) if isinstance(spec, tuple) and values else spec
    return fine
