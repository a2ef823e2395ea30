"""Report: ranked findings, the telemetry behind them and a summary of the setup.

Renderers (terminal, JSON, HTML) read a Report; they never measure anything.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .findings import Finding, Severity, jsonable

SCHEMA_VERSION = 1


@dataclass
class CheckFailure:
    """A check that crashed: reported, never raised into the user's run."""

    check: str
    codes: tuple[str, ...]
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "codes": list(self.codes), "error": self.error}


@dataclass
class Report:
    """The outcome of a checkup, watch or fix: findings ordered most important first."""

    mode: str
    findings: list[Finding] = field(default_factory=list)
    setup: dict[str, Any] = field(default_factory=dict)
    telemetry: dict[str, Any] = field(default_factory=dict)
    failures: list[CheckFailure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)

    def at_least(self, severity: Severity | str) -> list[Finding]:
        severity = Severity(severity)
        return [f for f in self.findings if f.severity.at_least(severity)]

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def exit_code(self) -> int:
        """0 when nothing reaches warning, 1 when something does (the CLI contract)."""
        return 1 if self.at_least(Severity.WARNING) else 0

    def root_causes(self) -> list[Finding]:
        """Findings at warning or above that nothing else in the report explains, most important first."""
        return [f for f in self.findings if f.explained_by is None and f.severity.at_least(Severity.WARNING)]

    def did_not_train(self) -> str | None:
        """Why the watched run never updated a weight, or None when it trained (or is no watched run).

        ``nndoctor run`` says so in ``extra`` (``trained: False`` with the reason); a watch
        report says so through its telemetry: no optimizer step and no hand-written update.
        A run that never trained is no evidence of health, whatever its findings.
        """
        if "trained" in self.extra:  # said by whoever ran the loop (``nndoctor run`` knows about forked ranks too)
            return None if self.extra["trained"] else str(self.extra.get("did_not_train") or "no training step ran")
        steps = self.telemetry.get("optimizer_steps") if self.mode == "watch" else None
        if not isinstance(steps, dict):
            return None
        counters = self.telemetry.get("counters") or {}
        manual = self.telemetry.get("manual_steps", counters.get("manual_steps", 0)) or 0
        if sum(int(v) for v in steps.values()) or int(manual):
            return None
        if steps:
            return "no optimizer step and no hand-written parameter update ran"
        # No optimizer at all: ``p.data.add_(...)`` leaves no trace, so only a run with no backward pass either is known idle.
        return None if self.telemetry.get("steps") else "no backward pass, optimizer step or parameter update ran"

    def verdict(self) -> str:
        """One sentence: did not train, the top root cause, or healthy.

        The verdict follows the worst severity present: it is never "Healthy" while any
        finding reaches warning, nor while a check failed to run (what it would have found
        is unknown), and a finding hung under a root below warning (advice, which explains
        no problem) counts as a root cause itself, the most severe first.
        """
        reason = self.did_not_train()
        if reason:
            return f"Did not train: {reason}"
        loud = self.at_least(Severity.WARNING)
        if not loud and self.failures:
            count = len(self.failures)
            return (f"Incomplete: no problem at warning level or above, but {count} check{'s' if count != 1 else ''} could not "
                    f"run (listed below), so this is not a clean bill of health.")
        if not loud:
            return "Healthy: no problem at warning level or above."
        advice = {f.code for f in self.findings} - {f.code for f in loud}
        roots = [f for f in loud if f.explained_by is None or f.explained_by in advice]
        worst = max(f.severity.rank for f in loud)
        roots = [f for f in roots if f.severity.rank == worst] + [f for f in roots if f.severity.rank != worst] or loud[:1]
        top = roots[0]
        more = len(roots) - 1
        tail = f" (+{more} more root cause{'s' if more != 1 else ''})" if more else ""
        return f"{top.code} {top.name}: {top.message}{tail}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": __version__,
            "schema": SCHEMA_VERSION,
            "mode": self.mode,
            "verdict": self.verdict(),
            "findings": [f.to_dict() for f in self.findings],
            "setup": jsonable(self.setup),
            "failures": [f.to_dict() for f in self.failures],
            "skipped": list(self.skipped),
            "duration_s": round(self.duration_s, 3),
            "telemetry": jsonable(self.telemetry),
            **jsonable(self.extra),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def save_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json())
        return path

    def print(self, console: Any = None) -> None:
        from .render.terminal import render

        render(self, console)

    def save_html(self, path: str | Path) -> Path:
        """Write the self-contained, offline HTML report (verdict, ranked findings, plots)."""
        from .render.html import save_html

        return save_html(self, path)

    def _repr_html_(self) -> str:
        """Jupyter shows a Report as the HTML report (an embeddable fragment with scoped styles)."""
        from .render.html import render_fragment

        return render_fragment(self)
