"""nndoctor: a training doctor for PyTorch.

It examines a model, its data, loss and optimizer (``checkup``), watches a live training
loop (``watch`` / ``nndoctor run``), names what is silently wrong with the numbers that
prove it, and prescribes the fix.

``import nndoctor`` stays light (PyTorch and nndoctor's own core): ``nndoctor.fix`` and
``nndoctor.improve``, which need scikit-learn and the trial machinery, are imported on first use (PEP 562), so a
script run under ``nndoctor run`` starts as fast as it would without it.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

from .catalog import RULES, Rule, get_rule
from .errors import NNDoctorError, SetupError
from .findings import Finding, Severity
from .report import Report
from .setup import Inputs, Setup
from .runner import checkup
from .watch import Doctor, watch

__all__ = [
    "RULES",
    "Doctor",
    "Finding",
    "Inputs",
    "NNDoctorError",
    "Report",
    "Rule",
    "Setup",
    "SetupError",
    "Severity",
    "checkup",
    "fix",
    "get_rule",
    "improve",
    "tune",
    "watch",
]


def __getattr__(name: str) -> Any:
    """``nndoctor.fix`` / ``nndoctor.improve`` / ``nndoctor.tune`` on first use: the function (its subpackage, once imported, is callable too)."""
    if name == "fix":
        from .fix import fix

        globals()["fix"] = fix
        return fix
    if name == "improve":
        from .improve import improve

        globals()["improve"] = improve
        return improve
    if name == "tune":  # Optuna loads only when tuning
        from .tune import tune

        globals()["tune"] = tune
        return tune
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
