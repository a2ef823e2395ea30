"""``nndoctor.fix``: diagnose, then prove which prescribed remedy cures each root cause.

Flow: checkup → for each root cause (warning or above, explained by nothing else) the
remedies listed for its code are built as candidate Setups (plus, for the warnings a root
explains, the remedies of theirs that the roots' lists lack: a misnamed root must not keep the
right remedy from being tried) → the unchanged setup and every
candidate train with the same step budget and the same seeds → each candidate is compared
with the baseline seed by seed (:mod:`.verdict`). The user's objects are never changed and
nothing is written to their files; the Report (mode "fix") carries the results under
``report.extra["fix"]``.

The step budget comes from the setup, not from a stopwatch: the requested steps, cut only
when the setup's counted cost per step times the number of runs exceeds a fixed amount of
work (:func:`plan_steps`). So the same setup gets the same trials, and the same verdicts, on
an idle and on a loaded machine. ``budget`` seconds is a safety net: remedies whose trials
it stops are listed as inconclusive, never judged on shorter runs.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..checks.base import Inconclusive
from ..findings import Finding, Severity
from ..patient import untouched
from ..probes.trial import DEVICE_SPEEDUP, REFERENCE_STEP_FLOPS, StepCost, probe_threads, setup_step_cost
from ..report import Report
from ..runner import checkup
from ..setup import Setup
from .candidate import Candidate
from .remedies import LOOP_PATTERNS, is_loop_fault, remedies_for
from .transforms import NotApplicable
from .trials import TrialScore, baseline_candidate, metric_name, paired_baseline_steps, run_trial
from .verdict import Comparison, compare, compare_cleared, compare_on_loss, spread

DEFAULT_BUDGET_S = 300.0
DEFAULT_STEPS = 300
MIN_STEPS = 40
# Work allowed for all of one fix's trial runs together, in training steps at the reference
# step cost (probes.trial.REFERENCE_STEP_FLOPS): 20 runs of 300 steps of a 1 GFLOP step.
REFERENCE_TOTAL_STEPS = 6000
Progress = Callable[[str, int, int], None]


@dataclass
class Plan:
    """One root cause and the candidates built for it."""

    finding: Finding
    candidates: list[Candidate] = field(default_factory=list)
    not_applicable: list[dict[str, str]] = field(default_factory=list)


def _key(candidate: Candidate) -> str:
    return f"{candidate.remedy}: {candidate.title}"


def _build(finding: Finding, setup: Setup, skip: frozenset[str] = frozenset()) -> Plan:
    plan = Plan(finding)
    for remedy in remedies_for(finding.code):
        if remedy.name in skip:
            continue
        try:
            built = remedy.build(setup, finding)
            for candidate in built:
                if finding.code in remedy.bug_for:
                    candidate.judged_by = "cleared"
                if candidate.judged_by == "cleared" and candidate.clears is None:
                    candidate.clears = finding.code
            plan.candidates.extend(built)
        except NotApplicable as exc:
            plan.not_applicable.append({"remedy": remedy.name, "reason": str(exc)})
        except Exception as exc:  # a remedy that cannot be built is reported, never raised
            plan.not_applicable.append({"remedy": remedy.name, "reason": f"could not be built: {type(exc).__name__}: {exc}"})
    return plan


def _symptom_plans(report: Report, roots: list[Finding], setup: Setup) -> list[Plan]:
    """Plans for the warnings the root causes explain, with only the remedies the roots' lists lack.

    The diagnosis may name the wrong root (a model that cannot fit blamed on its LR): a symptom's
    own remedy (more capacity) is then the one that works. Each is trialled like any other and
    reported under the symptom's code, which says which finding it treats.
    """
    planned = {remedy.name for root in roots for remedy in remedies_for(root.code)}
    codes = {root.code for root in roots}
    plans = []
    for finding in report.findings:
        if finding.explained_by is None or finding.code in codes or is_loop_fault(finding.code) \
                or not finding.severity.at_least(Severity.WARNING):
            continue
        extra = [r for r in remedies_for(finding.code) if r.name not in planned]
        if extra:
            codes.add(finding.code)
            planned.update(r.name for r in extra)
            plans.append(_build(finding, setup, frozenset(r.name for r in remedies_for(finding.code)) - {r.name for r in extra}))
    return plans


def _summary(scores: list[TrialScore], loss_comparable: bool) -> dict[str, Any]:
    metric = spread([s.metric for s in scores])
    loss = spread([s.val_loss for s in scores])
    return {"metric": metric.to_dict(), "metric_text": metric.text(), "val_loss": loss.to_dict(),
            "val_loss_text": loss.text(4), "loss_comparable": loss_comparable, "steps": scores[0].steps if scores else 0}


ONE_RUN_NOTE = ("the seeded baseline runs were identical (the copy starts from your model's own weights and its "
                "batches come in a fixed order with nothing random in training): each arm's seeds repeat one run, so "
                "a gain shows one comparison, not its spread over seeds")


def _one_run(scores: list[TrialScore]) -> bool:
    """Whether two or more seeded runs gave the very same training losses and score (no randomness reached them)."""
    return len(scores) > 1 and all(s.train_losses == scores[0].train_losses and s.metric == scores[0].metric
                                   for s in scores[1:])


def plan_steps(cost: StepCost, samples: int, runs: int, wanted: int, device: Any = "cpu") -> int:
    """Steps per trial run (≤ ``wanted``) so that ``runs`` runs fit the fixed work allowance.

    A pure function of the setup's step cost and the number of runs: no timing, so the same
    setup is always trialled for the same number of steps.
    """
    kind = getattr(device, "type", str(device).split(":")[0])
    allowed = REFERENCE_TOTAL_STEPS * REFERENCE_STEP_FLOPS * DEVICE_SPEEDUP.get(kind, 1.0)
    per_step = cost.step_flops(samples)
    if per_step <= 0:
        return wanted
    return max(0, min(wanted, int(allowed / (max(runs, 1) * per_step))))


def fix(
    setup: Setup,
    budget: float | None = None,
    seeds: int = 3,
    steps: int = DEFAULT_STEPS,
    progress: Progress | None = None,
) -> Report:
    """Run a checkup, then trial the remedies for each root cause; return a Report(mode="fix").

    ``steps`` per run are cut only for costly setups (:func:`plan_steps`, not below
    ``MIN_STEPS``; remedies that still do not fit are skipped and listed). ``budget``
    (seconds, checkup included) is a wall-clock safety net: trials it stops are listed as
    inconclusive, never scored. ``seeds`` (≥ 3 recommended) runs per arm;
    ``progress(description, done, total)`` is called as trials finish.
    """
    started = time.perf_counter()
    budget = DEFAULT_BUDGET_S if budget is None else float(budget)
    deadline = started + budget
    seeds = max(1, int(seeds))
    notify = progress or (lambda *_: None)
    with untouched(setup.model, setup.user_optimizer):
        report = checkup(setup, budget=budget, progress=lambda phase, i, n: notify(f"checkup: {phase}", i, n))
        cost, samples = setup_step_cost(setup)
        with probe_threads(cost, samples, setup.device):
            section = trial_remedies(setup, report, seeds, steps, deadline, budget, cost, samples, notify)
    report.mode = "fix"
    report.extra["fix"] = section
    report.duration_s = time.perf_counter() - started
    return report


def trial_remedies(setup: Setup, report: Report, seeds: int, steps: int, deadline: float, budget: float,
                    cost: StepCost, samples: int, notify: Progress, loop_clip: float | None = None) -> dict[str, Any]:
    """Trial the remedies of ``report``'s root causes: baseline and candidates, same seeds, same steps.

    ``loop_clip``: the gradient-norm bound the user's loop clips at; every arm replays it, the
    baseline included, unless a candidate sets its own (the remedy for clipping that bites every step).
    """
    seed_list = [setup.seed + i for i in range(seeds)]
    roots = report.root_causes()
    loops = [f for f in report.findings if is_loop_fault(f.code)]
    section: dict[str, Any] = {
        "metric": metric_name(setup.task), "higher_is_better": True, "seeds": seed_list, "steps": 0,
        "budget_s": round(budget, 1), "results": [], "loop_fixes": [
            {"code": f.code, "name": f.name, "message": f.message, "snippet": LOOP_PATTERNS.get(f.code, ""),
             "note": "a training-loop bug or setting (the LR schedule) cannot be trialled from a Setup: change your loop as shown"} for f in loops],
        "skipped": [], "baseline": None,
    }
    trialled: list[Finding] = []
    for finding in roots:
        if not is_loop_fault(finding.code) and finding.code not in {f.code for f in trialled}:
            trialled.append(finding)
    if not trialled:
        section["message"] = "No root cause at warning level or above: nothing to fix." if not roots else \
            "Only training-loop findings: change the loop as shown; nothing can be trialled."
        return section
    plans = [_build(f, setup) for f in trialled]
    plans += _symptom_plans(report, trialled, setup)
    unique: dict[str, Candidate] = {}
    for plan in plans:
        for candidate in plan.candidates:
            if candidate.clip_norm is None:
                candidate.clip_norm = loop_clip
            unique.setdefault(_key(candidate), candidate)
    if loop_clip is not None:
        section["loop_clip_norm"] = loop_clip
    order = list(unique)
    if not order:
        section["results"] = [_result(plan, {}, None) for plan in plans]
        section["message"] = "No remedy in the list applies to these root causes; see each finding's fix."
        return section

    base = baseline_candidate(setup, clip_norm=loop_clip)
    chosen = plan_steps(cost, samples, seeds * (1 + len(order)), steps, setup.device)
    while chosen < MIN_STEPS and order:
        dropped = order.pop()
        section["skipped"].append(f"{dropped} (too costly: {seeds} seeded runs per remedy would leave under {MIN_STEPS} steps each)")
        chosen = plan_steps(cost, samples, seeds * (1 + len(order)), steps, setup.device)
    section["step_cost"] = {"forward_flops_per_sample": cost.forward_flops_per_sample, "samples_per_step": samples}
    if not order:
        section["results"] = [_result(plan, {}, None, skipped=True) for plan in plans]
        section["message"] = (f"This setup's training steps are too costly for {MIN_STEPS}-step trials of {seeds} seeds; "
                              "trial the remedies by hand or with fewer --seeds.")
        return section
    section["steps"] = chosen
    if chosen < steps:
        section["note"] = (f"steps sized from the setup: {chosen} of {steps} per run "
                           f"({cost.step_flops(samples) / 1e9:.2g} GFLOP per step, {seeds * (1 + len(order))} runs)")

    total = seeds * (1 + len(order))
    safety_net = f"inconclusive: the {budget:g} s safety net (--budget) ran out"

    def runs(candidate: Candidate, arm: int, n_steps: int = chosen) -> list[TrialScore]:
        """The arm's seeded runs (the baseline is arm 0); raises Inconclusive past the safety net."""
        scores = []
        for i, seed in enumerate(seed_list):
            notify(f"{candidate.remedy} seed {seed}", arm * seeds + i, total)
            scores.append(run_trial(candidate, setup, seed, n_steps, deadline=deadline))
        return scores

    # A baseline at the common step budget, unless every candidate is compared at equal samples seen instead.
    shared = any(paired_baseline_steps(unique[key], setup, chosen) == chosen for key in order)
    try:
        baseline_scores = runs(base, 0) if shared else []
    except Inconclusive:
        section["skipped"].extend(f"{key} ({safety_net} during the baseline trials)" for key in order)
        section["results"] = [_result(plan, {}, None, skipped=True) for plan in plans]
        section["message"] = f"The baseline trials did not finish within the {budget:g} s safety net; raise --budget."
        return section
    section["baseline"] = _summary(baseline_scores, True) if shared else None
    if _one_run(baseline_scores):
        section["note"] = "; ".join(filter(None, (section.get("note"), ONE_RUN_NOTE)))
    outcomes: dict[str, dict[str, Any]] = {}
    for arm, key in enumerate(order, start=1):
        candidate = unique[key]
        paired = paired_baseline_steps(candidate, setup, chosen)
        against, before = baseline_scores, section["baseline"]
        try:
            if paired != chosen:  # budget in samples seen: a baseline run that sees as many samples as the candidate
                against = runs(base, arm, paired)
                before = {**_summary(against, True), "note": f"the baseline at the candidate's samples seen ({paired} steps)"}
            scores = runs(candidate, arm)
        except Inconclusive:
            section["skipped"].append(f"{key} ({safety_net})")
            continue
        try:
            verdict = _judge(candidate, against, scores, deadline)
        except Inconclusive:
            section["skipped"].append(f"{key} ({safety_net} while its check was re-run)")
            continue
        outcomes[key] = {
            "remedy": candidate.remedy, "title": candidate.title, "snippet": candidate.snippet,
            "verified": verdict.verified, "reason": verdict.reason, "gain": verdict.gain, "wins": verdict.wins,
            "before": before, "after": _summary(scores, candidate.loss_comparable),
            "seconds_per_run": sum(t.seconds for t in scores) / len(scores),
        }
    notify("done", total, total)
    if section["baseline"] is None and outcomes:
        section["baseline"] = next(iter(outcomes.values()))["before"]
    section["results"] = [_result(plan, outcomes, section["baseline"]) for plan in plans]
    roots_verified = sum(r["status"] == "verified" for r in section["results"] if r["explained_by"] is None)
    symptoms = [r for r in section["results"] if r["explained_by"] is not None]
    section["message"] = f"{roots_verified} of {len(plans) - len(symptoms)} root cause(s) have a verified remedy." + (
        f" Remedies of {len(symptoms)} finding(s) they explain were trialled too; "
        f"{sum(r['status'] == 'verified' for r in symptoms)} verified." if symptoms else "")
    return section


def _judge(candidate: Candidate, baseline: list[TrialScore], scores: list[TrialScore], deadline: float = math.inf) -> Comparison:
    """The candidate against the baseline's runs: on the metric, on the validation loss when that is its
    point, or, for a bug's remedy, on whether the bug's own check is clear on the remedied setup."""
    if candidate.judged_by == "cleared" and candidate.clears:
        return compare_cleared(still_fires(candidate.setup, candidate.clears, deadline),
                               [s.metric for s in baseline], [s.metric for s in scores], candidate.metric_comparable)
    if candidate.judged_by == "loss" and candidate.loss_comparable:
        return compare_on_loss([s.val_loss for s in baseline], [s.val_loss for s in scores],
                               [s.metric for s in baseline], [s.metric for s in scores])
    return compare([s.metric for s in baseline], [s.metric for s in scores])


def still_fires(setup: Setup, code: str, deadline: float) -> str | None:
    """What the check deciding ``code`` still reports (warning or above) on ``setup``; None when clear.

    Raises :class:`Inconclusive` when the safety net stops the check: a remedy is never
    called verified on a check that did not finish.
    """
    report = checkup(setup, select=[code], budget=max(1.0, deadline - time.perf_counter()), look=False)
    stopped = [entry for entry in report.extra.get("inconclusive", []) if code in entry.get("codes", ())]
    if stopped:
        raise Inconclusive(str(stopped[0].get("reason", "stopped")))
    crashed = [failure for failure in report.failures if code in failure.codes]
    if crashed:
        return f"the check could not run on it ({crashed[0].error})"
    hits = [f for f in report.findings if f.code == code and f.severity.at_least(Severity.WARNING)]
    return hits[0].message if hits else None


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
        "explained_by": f.explained_by,
        "remedy": verified[0] if verified else None,
        "tried": tried,
        "not_helpful": [t for t in tried if not t["verified"]],
        "not_applicable": plan.not_applicable,
        "fix": f.fix or f.rule.fix,
    }
