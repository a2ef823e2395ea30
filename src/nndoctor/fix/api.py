"""``nndoctor.fix``: diagnose, then prove which prescribed remedy cures each root cause.

Flow: checkup → for each root cause (warning or above, explained by nothing else) the
remedies listed for its code are built as candidate Setups → the unchanged setup and every
candidate train with the same step budget and the same seeds → each candidate is compared
with the baseline seed by seed (:mod:`.verdict`). The user's objects are never changed and
nothing is written to their files; the Report (mode "fix") carries the results under
``report.extra["fix"]``.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..findings import Finding
from ..patient import untouched
from ..report import Report
from ..runner import checkup
from ..setup import Setup
from .candidate import Candidate
from .remedies import LOOP_PATTERNS, remedies_for
from .transforms import NotApplicable
from .trials import TrialScore, baseline_candidate, metric_name, run_trial
from .verdict import compare, spread

DEFAULT_BUDGET_S = 300.0
DEFAULT_STEPS = 300
MIN_STEPS = 40
PILOT_STEPS = 15
CHECKUP_SHARE = 0.3
CHECKUP_MAX_S = 120.0
SAFETY = 1.25
Progress = Callable[[str, int, int], None]


@dataclass
class Plan:
    """One root cause and the candidates built for it."""

    finding: Finding
    candidates: list[Candidate] = field(default_factory=list)
    not_applicable: list[dict[str, str]] = field(default_factory=list)


def _key(candidate: Candidate) -> str:
    return f"{candidate.remedy}: {candidate.title}"


def _build(finding: Finding, setup: Setup) -> Plan:
    plan = Plan(finding)
    for remedy in remedies_for(finding.code):
        try:
            plan.candidates.extend(remedy.build(setup, finding))
        except NotApplicable as exc:
            plan.not_applicable.append({"remedy": remedy.name, "reason": str(exc)})
        except Exception as exc:  # a remedy that cannot be built is reported, never raised
            plan.not_applicable.append({"remedy": remedy.name, "reason": f"could not be built: {type(exc).__name__}: {exc}"})
    return plan


def _summary(scores: list[TrialScore], loss_comparable: bool) -> dict[str, Any]:
    metric = spread([s.metric for s in scores])
    loss = spread([s.val_loss for s in scores])
    return {"metric": metric.to_dict(), "metric_text": metric.text(), "val_loss": loss.to_dict(),
            "val_loss_text": loss.text(4), "loss_comparable": loss_comparable, "steps": scores[0].steps if scores else 0}


def _plan_steps(pilot: TrialScore, runs: int, seconds_left: float, wanted: int) -> int:
    """The most steps (≤ wanted) that let ``runs`` trials finish in ``seconds_left``."""
    per_step = pilot.train_seconds / max(pilot.steps, 1)
    evaluation = max(pilot.seconds - pilot.train_seconds, 0.0)
    per_run = seconds_left / (SAFETY * max(runs, 1)) - evaluation
    return min(wanted, int(per_run / per_step)) if per_step > 0 else wanted


def fix(
    setup: Setup,
    budget: float | None = None,
    seeds: int = 3,
    steps: int = DEFAULT_STEPS,
    progress: Progress | None = None,
) -> Report:
    """Run a checkup, then trial the remedies for each root cause; return a Report(mode="fix").

    ``budget`` (seconds) bounds the whole run: steps are scaled down (not below ``MIN_STEPS``)
    and remedies that still do not fit are skipped and listed. ``seeds`` (≥ 3 recommended)
    runs per arm; ``progress(description, done, total)`` is called as trials finish.
    """
    started = time.perf_counter()
    budget = DEFAULT_BUDGET_S if budget is None else float(budget)
    deadline = started + budget
    seeds = max(1, int(seeds))
    notify = progress or (lambda *_: None)
    with untouched(setup.model, setup.user_optimizer):
        report = checkup(setup, budget=min(CHECKUP_MAX_S, CHECKUP_SHARE * budget),
                         progress=lambda phase, i, n: notify(f"checkup: {phase}", i, n))
        section = _trial_remedies(setup, report, seeds, steps, deadline, notify)
    report.mode = "fix"
    report.extra["fix"] = section
    report.duration_s = time.perf_counter() - started
    return report


def _trial_remedies(setup: Setup, report: Report, seeds: int, steps: int, deadline: float, notify: Progress) -> dict[str, Any]:
    seed_list = [setup.seed + i for i in range(seeds)]
    roots = report.root_causes()
    loops = [f for f in report.findings if f.code.startswith("T")]
    section: dict[str, Any] = {
        "metric": metric_name(setup.task), "higher_is_better": True, "seeds": seed_list, "steps": 0,
        "budget_s": round(deadline - time.perf_counter(), 1), "results": [], "loop_fixes": [
            {"code": f.code, "name": f.name, "message": f.message, "snippet": LOOP_PATTERNS.get(f.code, ""),
             "note": "a training-loop bug cannot be trialled from a Setup: change your loop as shown"} for f in loops],
        "skipped": [], "baseline": None,
    }
    trialled: list[Finding] = []
    for finding in roots:
        if not finding.code.startswith("T") and finding.code not in {f.code for f in trialled}:
            trialled.append(finding)
    if not trialled:
        section["message"] = "No root cause at warning level or above: nothing to fix." if not roots else \
            "Only training-loop findings: change the loop as shown; nothing can be trialled."
        return section
    plans = [_build(f, setup) for f in trialled]
    unique: dict[str, Candidate] = {}
    for plan in plans:
        for candidate in plan.candidates:
            unique.setdefault(_key(candidate), candidate)
    order = list(unique)
    if not order:
        section["results"] = [_result(plan, {}, None) for plan in plans]
        section["message"] = "No remedy in the list applies to these root causes; see each finding's fix."
        return section

    base = baseline_candidate(setup)
    notify("timing a pilot run", 0, 1)
    pilot = run_trial(base, setup, seed_list[0], PILOT_STEPS)
    left = deadline - time.perf_counter()
    chosen = _plan_steps(pilot, seeds * (1 + len(order)), left, steps)
    while chosen < MIN_STEPS and order:
        dropped = order.pop()
        section["skipped"].append(f"{dropped} (budget: not enough time for {seeds} seeded runs)")
        chosen = _plan_steps(pilot, seeds * (1 + len(order)), left, steps)
    if not order:
        section["results"] = [_result(plan, {}, None, skipped=True) for plan in plans]
        section["message"] = f"The budget leaves too little time for {MIN_STEPS}-step trials; raise --budget."
        return section
    section["steps"] = chosen
    if chosen < steps:
        section["note"] = f"steps scaled from {steps} to {chosen} to fit the budget"

    total = seeds * (1 + len(order))
    done = 0
    baseline_scores: list[TrialScore] = []
    for seed in seed_list:
        notify(f"baseline seed {seed}", done, total)
        baseline_scores.append(run_trial(base, setup, seed, chosen))
        done += 1
    section["baseline"] = _summary(baseline_scores, True)
    outcomes: dict[str, dict[str, Any]] = {}
    for key in order:
        candidate = unique[key]
        observed = [t.seconds for t in baseline_scores] + [t["seconds_per_run"] for t in outcomes.values()]
        if time.perf_counter() + SAFETY * seeds * max(sum(observed) / len(observed), 1e-3) > deadline:
            section["skipped"].append(f"{key} (budget ran out)")
            done += seeds
            continue
        scores = []
        for seed in seed_list:
            notify(f"{candidate.remedy} seed {seed}", done, total)
            scores.append(run_trial(candidate, setup, seed, chosen))
            done += 1
        verdict = compare([s.metric for s in baseline_scores], [s.metric for s in scores])
        outcomes[key] = {
            "remedy": candidate.remedy, "title": candidate.title, "snippet": candidate.snippet,
            "verified": verdict.verified, "reason": verdict.reason, "gain": verdict.gain, "wins": verdict.wins,
            "before": section["baseline"], "after": _summary(scores, candidate.loss_comparable),
            "seconds_per_run": sum(t.seconds for t in scores) / len(scores),
        }
    notify("done", total, total)
    section["results"] = [_result(plan, outcomes, section["baseline"]) for plan in plans]
    verified = sum(r["status"] == "verified" for r in section["results"])
    section["message"] = f"{verified} of {len(plans)} root cause(s) have a verified remedy."
    return section


def _result(plan: Plan, outcomes: dict[str, dict[str, Any]], baseline: dict[str, Any] | None, skipped: bool = False) -> dict[str, Any]:
    f = plan.finding
    tried = [outcomes[_key(c)] for c in plan.candidates if _key(c) in outcomes]
    verified = sorted((t for t in tried if t["verified"]), key=lambda t: -(t["gain"] if t["gain"] is not None else math.inf))
    if verified:
        status = "verified"
    elif tried:
        status = "not-verified"
    elif plan.candidates:
        status = "skipped"
    else:
        status = "no-remedy"
    return {
        "code": f.code, "name": f.name, "message": f.message, "location": f.location, "status": status,
        "remedy": verified[0] if verified else None,
        "tried": tried,
        "not_helpful": [t for t in tried if not t["verified"]],
        "not_applicable": plan.not_applicable,
        "fix": f.fix or f.rule.fix,
    }
