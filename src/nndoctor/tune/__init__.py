"""``nndoctor tune``: hyperparameter search on Optuna with a doctor watching every trial.

Optuna does the searching (samplers, pruners, storages); nndoctor trains each trial through
fix's equal-budget trial loop under :func:`nndoctor.watch`, prunes a trial the moment the
doctor names an ERROR root cause in it (a diverging LR is pruned with O401 as the reason),
and stops the whole study on a fault tuning cannot fix (a data fault D1xx, a loop bug T5xx).
Optuna is imported only here, so ``import nndoctor`` stays light. Like ``nndoctor.fix``, the
package is callable as :func:`tune`, so ``nndoctor.tune(...)`` works whether or not a submodule
(which sets the package as the attribute) was imported first.
"""
from __future__ import annotations

import sys
import types
from typing import Any

from .api import TuneResult, tune

__all__ = ["TuneResult", "tune"]


class _CallablePackage(types.ModuleType):
    """This package, callable as :func:`tune`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return tune(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
