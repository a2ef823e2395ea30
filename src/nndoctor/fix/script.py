"""``nndoctor fix train.py``: the run's diagnosis, then remedies trialled on the setup the script built.

A training script has no ``setup()``: it is run as ``nndoctor run`` runs it (watched, its setup
captured at the first training step and examined), and the run's root causes are the ones
treated. Each remedy is trialled on the captured setup (the model before its first update,
the optimizer's class and settings, the loss, the training and validation loaders) with
fix's equal-budget seeded trials, so a script gets the same proof a spec gets. The script's
own output and exit status are as under ``python train.py``; nothing is written to its files.
Where the run changed its LR as it went (a warm-up, a cosine, steps down), the trials replay that
schedule's shape over their own length: a peak LR the schedule makes safe is not tried as a constant.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Sequence

import torch

from ..errors import SetupError
from ..probes.trial import probe_threads, setup_step_cost
from ..report import CheckFailure, Report
from .api import DEFAULT_BUDGET_S, DEFAULT_STEPS, Progress, trial_remedies


# A run whose LR moved by more than this share of its peak had a schedule (a constant LR moves by none).
SCHEDULE_CHANGE = 0.01


@dataclass
class ScriptFix:
    """The run's report with its fix section (``report.extra["fix"]``), and the script's exit status."""

    report: Report
    exit_status: int


def fix_script(path: str, args: Sequence[str] = (), budget: float | None = None, seeds: int = 3,
               steps: int = DEFAULT_STEPS, progress: Progress | None = None) -> ScriptFix:
    """Run ``path`` as ``nndoctor run`` does, then trial the remedies of its root causes on what it built.

    ``budget`` (seconds, default 300) is the trials' safety net, counted from the end of the
    script: the script's own training is not cut. When no setup could be captured, or its loss
    cannot be replayed on the model's output, the fix section says why and nothing is trialled.
    """
    from ..watch.run import run_script

    outcome = run_script(path, args, alerts=False, keep_capture=True)
    report = outcome.report
    budget = DEFAULT_BUDGET_S if budget is None else float(budget)
    started = time.perf_counter()
    notify = progress or (lambda *_: None)
    section: dict[str, Any]
    setup = None
    reason = _untriallable(report, outcome.capture)
    if reason is None:
        try:
            setup = outcome.capture.setup(stand_in=False).resolve()
        except SetupError as exc:
            reason = f"the setup the script built could not be rebuilt for trials ({exc.problem})"
    if setup is None:
        section = _untrialled(budget, f"Nothing was trialled: {reason}.")
    else:
        replayed = None
        schedule = run_schedule(report.telemetry)
        if schedule is not None and setup.scheduler is None:
            setup.scheduler, replayed = schedule
        try:
            cost, samples = setup_step_cost(setup)
            with probe_threads(cost, samples, setup.device):
                section = trial_remedies(setup, report, max(1, int(seeds)), steps, started + budget, budget,
                                          cost, samples, notify, loop_clip=report.telemetry.get("clip_max_norm"))
            section["source"] = "the setup the script built, captured at its first training step"
            if replayed is not None:
                section["schedule"] = replayed
        except Exception as exc:  # a trial that breaks is a reported failure, never the user's traceback
            report.failures.append(CheckFailure("fix trials", (), f"{type(exc).__name__}: {exc}"))
            section = _untrialled(budget, f"The trials could not run: {type(exc).__name__}: {exc}.")
    report.extra["fix"] = section
    report.mode = "fix"
    return ScriptFix(report, outcome.exit_status)


def run_schedule(telemetry: dict[str, Any]) -> tuple[Callable[[torch.optim.Optimizer, int], Any], str] | None:
    """The run's LR schedule as a factor on its peak LR over the run's progress, for trials of any length: a
    ``(optimizer, steps) -> LambdaLR`` factory and a line saying so; None for one LR throughout, or several optimizers.

    The trials' optimizer starts at the peak LR the run applied (the capture's settings); the factor at trial step
    ``k`` of ``steps`` is the run's LR at the same share of its own steps over that peak.
    """
    stepping = [k for k, n in (telemetry.get("optimizer_steps") or {}).items() if n]
    series = (telemetry.get("lr") or {}).get(stepping[0], []) if len(stepping) == 1 else []
    values = [float(v) for v in series if isinstance(v, (int, float)) and math.isfinite(v)]
    peak = max(values, default=0.0)
    if len(values) < 2 or peak <= 0 or min(values) >= peak * (1 - SCHEDULE_CHANGE):
        return None
    shape = [v / peak for v in values]

    def factor(step: int, steps: int) -> float:
        return shape[min(len(shape) - 1, int(step * len(shape) / max(steps, 1)))]

    def factory(optimizer: torch.optim.Optimizer, steps: int) -> Any:
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: factor(step, steps))

    line = (f"the trials replay the run's LR schedule over their own length (from {shape[0]:.2g}x the peak, "
            f"through 1x, to {shape[-1]:.2g}x)")
    return factory, line


def _untrialled(budget: float, message: str) -> dict[str, Any]:
    """A fix section with nothing trialled, in the shape :func:`trial_remedies` returns, saying why."""
    return {"results": [], "loop_fixes": [], "skipped": [], "baseline": None, "seeds": [], "steps": 0,
            "budget_s": round(budget, 1), "message": message}


def _untriallable(report: Report, capture: Any) -> str | None:
    """Why the captured setup cannot be trialled, or None when it can."""
    if not report.extra.get("trained", True):
        return f"the script did not train ({report.extra.get('did_not_train', 'no training step')})"
    if capture is None or not capture.captured or capture.model is None or capture.train_loader is None:
        return ("the script's first training step was not captured (train with a torch DataLoader and call "
                "loss.backward() on a loss that reaches the model)")
    if not capture.targets_known or not (capture.loss_known or capture.keyword_batch):
        return ("the script's loss could not be replayed on the model's output and the batch's targets, "
                "so a trial could not train what the script trains")
    return None
