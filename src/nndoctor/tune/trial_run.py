"""One trial: build ``setup(**params)``, train it through fix's equal-budget trial loop under
:func:`nndoctor.watch`, report the validation metric to Optuna every ``steps // CHECKPOINTS``
steps, and let the doctor and Optuna's pruner (median or Hyperband) stop it early.

The trial's params, seed, metric curve, steps spent and findings are stored as Optuna user
attributes, so the storage holds the whole record of what was tried.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ..errors import NNDoctorError
from ..findings import Finding
from ..setup import Setup
from ..watch import watch
from .pruning import act
from .study import HYPERBAND_REDUCTION

# Validation scores per trial (Optuna's intermediate values, read by the median pruner).
CHECKPOINTS = 5
# The doctor samples a step in depth this often (watch's default of 50 would see too few in a short trial).
WATCH_EVERY = 10


def build_setup(factory: Callable[..., Setup], params: dict[str, Any]) -> Setup:
    """``factory(**params)``, checked to be a Setup; errors become one paragraph naming the parameters."""
    try:
        setup = factory(**params)
    except NNDoctorError:
        raise
    except Exception as exc:
        raise NNDoctorError(f"setup(**{params!r}) raised {type(exc).__name__}: {exc}.",
                            "Make setup() accept every parameter the search space declares (as keyword arguments).") from exc
    if not isinstance(setup, Setup):
        raise NNDoctorError(f"setup(**params) returned {type(setup).__name__}, not an nndoctor.Setup.",
                            "Return nndoctor.Setup(model=..., train=..., loss=..., optimizer=...).")
    return setup.resolve()


def _finding_record(f: Finding) -> dict[str, Any]:
    return {"code": f.code, "severity": f.severity.value, "message": f.message, "explained_by": f.explained_by}


def run_one(trial: Any, setup: Setup, params: dict[str, Any], steps: int, seed: int, pruner: str = "median") -> float:
    """Train and score one trial; raises TrialPruned (doctor or Optuna's ``pruner``) or StudyStopped."""
    from ..fix.trials import baseline_candidate, evaluate, metric_name, run_trial

    candidate = baseline_candidate(setup)
    curve: list[list[float]] = []
    doctors: list[Any] = []
    spent = {"steps": 0}
    trial.set_user_attr("params", params)
    trial.set_user_attr("seed", seed)
    trial.set_user_attr("metric", metric_name(setup.task))

    def watcher(model: Any, optimizer: Any) -> Any:
        doctors.append(watch(model, optimizer, every=WATCH_EVERY, alerts=False, name=f"trial {trial.number}"))
        return doctors[-1]

    def record(findings: list[Finding]) -> None:
        trial.set_user_attr("curve", curve)
        trial.set_user_attr("steps", spent["steps"])
        trial.set_user_attr("findings", [_finding_record(f) for f in findings])

    def checkpoint(step: int, model: Any, losses: list[float]) -> None:
        import optuna

        spent["steps"] = step
        metric, _, _ = evaluate(candidate, setup, model)
        if not math.isfinite(metric):
            return  # the weights already overflowed: the next loss is non-finite and the loop ends there, watched
        findings = doctors[-1].findings()
        curve.append([step, metric])
        trial.report(metric, step)
        record(findings)
        act(findings, diverged=False, trial=trial)
        if trial.should_prune():
            trial.set_user_attr("pruned_by", pruner)
            trial.set_user_attr("pruned_because", f"val {metric_name(setup.task)} {metric:.4g} at step {step} is below "
                                + ("the median of earlier trials" if pruner == "median"
                                   else f"the top 1/{HYPERBAND_REDUCTION} of its Hyperband bracket at this step"))
            raise optuna.TrialPruned(pruner)

    score = run_trial(candidate, setup, seed, steps, watcher=watcher, checkpoint=checkpoint,
                      checkpoint_every=max(1, steps // CHECKPOINTS))
    spent["steps"] = score.steps
    findings = doctors[-1].findings() if doctors else []
    if score.metric is not None:
        curve.append([score.steps, score.metric])
    record(findings)
    act(findings, diverged=score.diverged, trial=trial)
    return float(score.metric)  # not None: a diverged run was pruned by act()
