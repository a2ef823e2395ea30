"""fix: prove the cure. Remedies as Setup transformations, verified by equal-budget seeded A/B trials.

``import nndoctor`` does not import this package (it needs scikit-learn); ``nndoctor.fix``
loads it on first use. Importing a submodule first (``from nndoctor.fix import REMEDIES``)
makes Python bind ``nndoctor.fix`` to this package instead of the function, so the package
is callable: ``nndoctor.fix(setup, ...)`` runs :func:`~nndoctor.fix.api.fix` either way.
"""
import sys
import types
from typing import Any

from .api import fix
from .remedies import FOR_CODE, LOOP_PATTERNS, REMEDIES, Candidate, Remedy, remedies_for

__all__ = ["FOR_CODE", "LOOP_PATTERNS", "REMEDIES", "Candidate", "Remedy", "fix", "remedies_for"]


class _CallablePackage(types.ModuleType):
    """This package, callable as :func:`fix` (see the module docstring)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return fix(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
