"""Live alerts: each new problem printed once, to stderr, as the loop runs."""
from __future__ import annotations

import sys
from typing import Any, TextIO

from ..findings import Finding, Severity


class AlertPrinter:
    """Prints a finding the first time its code reaches warning or worse; never twice per code."""

    def __init__(self, stream: TextIO | None = None, minimum: Severity = Severity.WARNING) -> None:
        self.stream = stream
        self.minimum = minimum
        self.shown: set[str] = set()

    def emit(self, finding: Finding, step: int | None = None) -> bool:
        if finding.code in self.shown or not finding.severity.at_least(self.minimum):
            return False
        self.shown.add(finding.code)
        stream: Any = self.stream or sys.stderr
        where = "" if finding.message.startswith("step ") or step is None else f"step {step}: "
        fix = finding.fix or finding.rule.fix
        stream.write(f"nndoctor: {where}{finding.message} [{finding.code} {finding.name}] fix: {fix}\n")
        stream.flush()
        return True
