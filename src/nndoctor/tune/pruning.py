"""Doctor-aware pruning: what the findings of a watched trial mean for the trial and the study.

* An ERROR root cause the hyperparameters can cause (O4 optimisation, L3 loss, M2 model, G6
  generalisation) prunes the trial at once, its code recorded as the reason: a diverging LR is
  pruned as O401 instead of being trained to the end.
* A loss that turned non-finite prunes the trial even when no finding names it (reason
  "non-finite loss").
* An ERROR finding no hyperparameter can cause -- a data fault (D1xx) or a loop bug (T5xx) --
  stops the whole study: tuning cannot fix a bug, so every further trial would be wasted.

Optuna's MedianPruner still prunes the merely unpromising trials on top of this.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import NNDoctorError
from ..findings import Finding, Severity

# Families whose findings no hyperparameter of setup(**params) can cause or cure.
NOT_HYPERPARAMETER = ("D1", "T5")
NONFINITE_REASON = "non-finite loss"


class StudyStopped(NNDoctorError):
    """A finding tuning cannot fix: the study stops and the report names it."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(
            f"Tuning stopped: {finding.code} ({finding.rule.name}) at {finding.severity.name}: {finding.message}",
            f"No hyperparameter can fix this; {finding.fix or finding.rule.fix}. Then run the same command again: the study resumes.",
        )


def doctor_pruned(reason: str, message: str) -> Exception:
    """An ``optuna.TrialPruned`` whose text carries the doctor's reason (a finding code)."""
    import optuna

    return optuna.TrialPruned(f"{reason}: {message}")


def root_errors(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.ERROR and f.explained_by is None]


def judge(findings: Iterable[Finding], diverged: bool = False) -> tuple[Finding | None, Finding | None]:
    """(finding that stops the study, finding that prunes the trial); each None when there is none."""
    errors = root_errors(findings)
    stop = next((f for f in errors if f.code.startswith(NOT_HYPERPARAMETER)), None)
    prune = next((f for f in errors if not f.code.startswith(NOT_HYPERPARAMETER)), None)
    if stop is None and prune is None and diverged:
        prune = next((f for f in findings if f.code == "O401"), None)
    return stop, prune


def act(findings: list[Finding], diverged: bool, trial: Any) -> None:
    """Raise StudyStopped or TrialPruned (recording the reason on ``trial``) as the findings demand."""
    stop, prune = judge(findings, diverged)
    if stop is not None:
        trial.set_user_attr("stopped_by", stop.code)
        raise StudyStopped(stop)
    if prune is not None:
        trial.set_user_attr("pruned_by", prune.code)
        trial.set_user_attr("pruned_because", prune.message)
        raise doctor_pruned(prune.code, prune.message)
    if diverged:
        trial.set_user_attr("pruned_by", NONFINITE_REASON)
        trial.set_user_attr("pruned_because", "the training loss turned non-finite")
        raise doctor_pruned(NONFINITE_REASON, "the training loss turned non-finite")
