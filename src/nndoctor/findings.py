"""Findings: one diagnosed problem, with the numbers that prove it.

A Finding is plain data: checks create them, the diagnosis ranks and links them,
renderers show them. Nothing here measures or prints.
"""
from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any


class Severity(str, enum.Enum):
    """How much a finding matters; ordered error > warning > info."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]

    def at_least(self, other: "Severity") -> bool:
        return self.rank >= other.rank


def jsonable(value: Any) -> Any:
    """Turn evidence values (tensors, numpy scalars, tuples, NaN) into plain JSON values."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return jsonable(value.tolist())
    if hasattr(value, "item"):
        return jsonable(value.item())
    return str(value)


@dataclass
class Finding:
    """One diagnosed problem.

    ``message`` states what was measured in words with the numbers; ``evidence`` holds the
    same numbers as JSON-able values; ``explained_by`` names the code of the root cause
    when this finding is only a symptom of another one.
    """

    code: str
    severity: Severity
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    location: str | None = None
    fix: str | None = None
    explained_by: str | None = None

    def __post_init__(self) -> None:
        self.severity = Severity(self.severity)

    @property
    def rule(self):  # -> Rule
        from .catalog import get_rule

        return get_rule(self.code)

    @property
    def name(self) -> str:
        return self.rule.name

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "evidence": jsonable(self.evidence),
            "location": self.location,
            "fix": self.fix or self.rule.fix,
            "explained_by": self.explained_by,
            "family": self.rule.family,
        }
