"""Renderers: turn a Report into something a person reads. They never measure."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..report import Report


def not_trained(report: "Report") -> str | None:
    """Why the watched run made no training step (then it gets no verdict), or None when it trained.

    ``nndoctor run`` records it in ``report.extra`` (``trained: False``, ``did_not_train``:
    the reason); ``Report.did_not_train()`` also judges a watch report from its telemetry.
    """
    method = getattr(report, "did_not_train", None)
    reason = method() if callable(method) else None
    if reason is None and report.extra.get("trained") is False:
        reason = str(report.extra.get("did_not_train") or "no training step ran")
    return reason


def headline(report: "Report") -> tuple[str, str, str]:
    """(tone, status, sentence) every renderer leads with.

    tone is ``ok``, ``warning``, ``error`` or ``none`` (a run that did not train: no
    verdict, healthy or not, since nothing was trained to judge); status is the short label,
    "incomplete" when nothing reached warning but a check failed to run.
    """
    from ..findings import Severity

    reason = not_trained(report)
    if reason is not None:
        return "none", "did not train", f"Did not train: {reason}"
    worst = report.worst
    if (worst is None or worst == Severity.INFO) and report.failures:
        return "warning", "incomplete", report.verdict()
    if worst is None or worst == Severity.INFO:
        return "ok", "healthy", report.verdict()
    return worst.value, worst.value, report.verdict()
