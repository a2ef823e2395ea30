"""nndoctor: a training doctor for PyTorch.

It examines a model, its data, loss and optimizer (``checkup``), watches a live training
loop (``watch`` / ``nndoctor run``), names what is silently wrong with the numbers that
prove it, and prescribes the fix.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .catalog import RULES, Rule, get_rule
from .errors import NNDoctorError, SetupError
from .findings import Finding, Severity
from .report import Report
from .setup import Setup
from .runner import checkup
from .fix import fix
from .watch import Doctor, watch

__all__ = [
    "RULES",
    "Doctor",
    "Finding",
    "NNDoctorError",
    "Report",
    "Rule",
    "Setup",
    "SetupError",
    "Severity",
    "checkup",
    "fix",
    "get_rule",
    "watch",
]
