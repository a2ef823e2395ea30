"""Checkup's adapter for the look: after the checks, measure the data and the trial's predictions.

The trial's trained copy is read from the probe cache; when G606 is wanted and no check ran
the trial yet, the trial runs here (the same cached probe, so never twice). A failure is
reported as a check failure, never raised into the exam.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..checks.base import Context, Inconclusive
from ..findings import Finding
from ..report import CheckFailure
from ..rng import seed_everything
from ..setup import LossUnavailable
from ..verdicts.baselines import BaselineComparison, below_baseline
from ..verdicts.trend import last_doubling
from . import LookConfig, look

CODES = ("G606",)
# The spread's re-runs get at most the work of one trial at the reference step cost (400 steps
# of 1e9 FLOPs, scaled for the device type): about 12 s of a 2-core CPU. Costlier setups skip
# them with a note; the limit depends on the setup only, so the report never depends on load.
SPREAD_REFERENCE_STEPS = 400


def spread_affordable(ctx: Context, steps: int, runs: int) -> tuple[bool, str]:
    """Whether the spread's ``runs`` re-runs of ``steps`` steps fit the work budget, and why not."""
    from ..probes.trial import DEVICE_SPEEDUP, REFERENCE_STEP_FLOPS

    cost = ctx.cached_probes().get("step_cost")
    if cost is None:
        return True, ""
    kind = ctx.setup.device.type
    allowed = SPREAD_REFERENCE_STEPS * REFERENCE_STEP_FLOPS * DEVICE_SPEEDUP.get(kind, 1.0)
    work = runs * steps * cost.step_flops(ctx.setup.batch_size)
    if work <= allowed:
        return True, ""
    return False, (f"spread not measured: {runs} re-runs of {steps} steps would cost {work:.2g} FLOPs, more than the "
                   f"look's budget of {allowed:.2g}; run nndoctor.look.look(setup, model) to measure it")


def validation_curve(trial: Any, metric: str) -> list[float] | None:
    """The trial's validation curve in the compared metric's error (1 - accuracy) where every evaluation has one, else its validation loss.

    Plain accuracy stands in for balanced accuracy (the trial records the former); the
    regression metric (MSE) is read from the validation loss, the user's own.
    """
    accuracy = list(getattr(trial, "val_acc", None) or [])
    if metric in ("accuracy", "balanced accuracy") and accuracy and all(a is not None for a in accuracy):
        return [1.0 - float(a) for a in accuracy]
    return list(getattr(trial, "val_eval", None) or []) or None


def add_look(ctx: Context, wanted: set[str], findings: list[Finding], failures: list[CheckFailure],
             config: LookConfig | None = None) -> dict[str, Any] | None:
    """The JSON-able look for ``report.extra["look"]``; G606's findings are appended to ``findings``."""
    config = config or LookConfig()
    seed_everything(ctx.setup.seed)
    try:
        trial = ctx.cached_probes().get("trial")
        if trial is None and wanted.intersection(CODES) and not ctx.out_of_time():
            from ..probes.trial import trial_probe

            trial = ctx.probe("trial", trial_probe)
        model = getattr(trial, "model", None) if trial is not None and trial.diverged_step is None else None
        if ctx.out_of_time():
            raise Inconclusive("the safety-net time (--budget) ran out before the predictions")
        steps = min(int(getattr(trial, "steps", None) or config.steps), config.max_steps)
        affordable, why = spread_affordable(ctx, steps, config.runs)
        if not affordable:
            config = replace(config, spread=False)
        looked, comparison = look(ctx.setup, model, steps, config)
        if why:
            looked["notes"].append(why)
        if trial is not None and trial.diverged_step is not None:
            looked["notes"].append(f"the trial's loss turned non-finite at step {trial.diverged_step}: no predictions to look at")
        if comparison is not None and wanted.intersection(CODES):
            comparison.last_doubling = last_doubling(trial.step_losses) if trial is not None else None
            comparison.val_doubling = last_doubling(trial.val_eval) if trial is not None and trial.val_eval else None
            comparison.val_curve = validation_curve(trial, comparison.metric) if trial is not None else None
            observed = getattr(ctx.setup, "observed_accuracy", None)  # run: the script's own model, where measured
            if observed and looked.get("baselines"):
                comparison.run_accuracy, comparison.run_rows = float(observed["accuracy"]), int(observed["rows"])
                comparison.baseline_accuracy = {r["name"]: float(r["value"]) for r in looked["baselines"]["rows"]
                                                if r.get("metric") == "accuracy" and r.get("value") is not None}
            terms = getattr(ctx.setup, "observed_terms", None)  # run, regression: the script's own held-out errors
            if comparison.metric == "mse" and _same_rows_and_units(terms, comparison):
                comparison.run_mse = float(terms["mean"])
            findings.extend(below_baseline(comparison))
        return looked
    except (Inconclusive, LossUnavailable) as exc:  # a safety net ran out, or the loss abstains (D113)
        return {"notes": [f"not measured: {exc}"]}
    except Exception as exc:  # noqa: BLE001 - the look must never break the exam
        failures.append(CheckFailure("look", CODES, f"{type(exc).__name__}: {exc}"))
        return None


def _same_rows_and_units(terms: dict[str, Any] | None, comparison: BaselineComparison) -> bool:
    """The script's held-out squared errors were taken over the rows the baselines are scored on, in their units:
    as many rows, and the pass's target variance (its best constant's error) equal to theirs to 0.1%. A loop that
    scores its model in other units (``out * y_std + y_mean`` against raw targets) fails the second."""
    reference = comparison.target_variance
    if not terms or terms.get("measure") != "squared error" or reference is None or not reference > 0:
        return False
    same_rows = int(terms.get("rows") or 0) == comparison.samples
    return same_rows and abs(float(terms["constant"]) - reference) <= 1e-3 * reference
