"""improve: ensembles, distillation, pruning and quantisation, each proven by an equal-budget A/B trial.

Like :mod:`nndoctor.fix`, the package is callable (``nndoctor.improve(setup, ...)``) even
after a submodule import binds ``nndoctor.improve`` to it.
"""
import sys
import types
from typing import Any

from .api import TECHNIQUES, improve

__all__ = ["TECHNIQUES", "improve"]


class _CallablePackage(types.ModuleType):
    """This package, callable as :func:`improve`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return improve(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
