"""``nndoctor.improve``: ensembles, distillation, pruning and quantisation, each proven by equal-budget trials.

One baseline (the user's setup, unchanged) trains once per seed with ``fix``'s trial runner
(:func:`~nndoctor.fix.trials.train_trial`): same seeds, same step budget (sized by
:func:`~nndoctor.fix.api.plan_steps`), same scoring. Those trained members are the single
models, the ensemble's members, the distillation teacher, the dense reference and the
starting point for pruning and quantisation. Every other arm trains for the same steps on the
same seeds and is compared with the baseline seed by seed (the seed spread decides; latency
is measured and reported, never judged). The user's objects are never changed.
"""
from __future__ import annotations

import copy
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from torch import nn

from ..checks.base import Inconclusive
from ..errors import NNDoctorError
from ..fix.api import DEFAULT_BUDGET_S, DEFAULT_STEPS, MIN_STEPS, plan_steps
from ..fix.candidate import Candidate
from ..fix.transforms import NotApplicable, derive
from ..fix.trials import baseline_candidate, evaluate, metric_name, train_trial
from ..fix.verdict import spread
from ..patient import untouched
from ..probes.init_outputs import reinitialised
from ..probes.trial import probe_threads, setup_step_cost
from ..report import Report
from ..rng import seed_everything
from ..setup import Setup, move_to
from . import distill, ensemble, prune, quantize
from .common import holds, latency_ms, parameter_count, row, serialized_bytes

TECHNIQUES = ("ensemble", "distill", "prune", "quantize")
Progress = Callable[[str, int, int], None]


def improve(setup: Setup, only: Iterable[str] | None = None, seeds: int = 3, steps: int = DEFAULT_STEPS,
            sparsities: Sequence[float] = prune.DEFAULT_SPARSITIES, temperature: float = distill.DEFAULT_TEMPERATURE,
            alpha: float = distill.DEFAULT_ALPHA, teacher: nn.Module | None = None, budget: float | None = None,
            progress: Progress | None = None) -> Report:
    """Trial each technique in ``only`` (default all) against the unchanged setup; return Report(mode="improve").

    ``seeds`` (3 to 5 make the ensemble) seeded runs per arm of ``steps`` steps each (cut only
    for costly setups, as ``fix`` does). ``teacher`` replaces the ensemble as distillation
    teacher. ``budget`` seconds is a safety net: arms it stops are listed as inconclusive.
    """
    chosen = _techniques(only)
    if not 1 <= int(seeds) <= 10:
        raise NNDoctorError(f"seeds={seeds} is outside 1..10.", "Use 3 to 5 seeds: they are the ensemble's members too.")
    bad = [s for s in sparsities if not 0.0 < float(s) < 1.0]
    if bad:
        raise NNDoctorError(f"sparsities {bad} are not fractions strictly between 0 and 1.", "Pass e.g. sparsities=(0.5, 0.8, 0.9).")
    started = time.perf_counter()
    budget = DEFAULT_BUDGET_S if budget is None else float(budget)
    notify = progress or (lambda *_: None)
    with untouched(setup.model, setup.user_optimizer):
        seed_everything(setup.seed)
        setup.resolve()
        teacher_copy = copy.deepcopy(teacher) if teacher is not None else None
        cost, samples = setup_step_cost(setup)
        with probe_threads(cost, samples, setup.device):
            trial = _Trials(setup, int(seeds), started + budget, notify)
            section = trial.run(chosen, steps, list(sparsities), temperature, alpha, teacher_copy, cost, samples)
    section["budget_s"] = round(budget, 1)
    report = Report(mode="improve", setup=setup.summary(), duration_s=time.perf_counter() - started)
    report.extra["improve"] = section
    return report


def _techniques(only: Iterable[str] | None) -> list[str]:
    if only is None:
        return list(TECHNIQUES)
    names = [n.strip().lower() for n in (only.split(",") if isinstance(only, str) else only) if n.strip()]
    unknown = [n for n in names if n not in TECHNIQUES]
    if unknown or not names:
        raise NNDoctorError(f"Unknown technique(s) {unknown or names} for improve.", f"Choose from {', '.join(TECHNIQUES)} (comma-separated).")
    return [t for t in TECHNIQUES if t in names]


class _Trials:
    """The runs of one improve call: baseline members first, then each technique's arms."""

    def __init__(self, setup: Setup, seeds: int, deadline: float, notify: Progress) -> None:
        self.setup, self.deadline, self.notify = setup, deadline, notify
        self.seeds = [setup.seed + i for i in range(seeds)]
        self.base = baseline_candidate(setup)
        self.done, self.total = 0, 0

    def train(self, candidate: Candidate, seed: int, steps: int, on_step: Any = None) -> tuple[float | None, nn.Module]:
        self.notify(f"{candidate.remedy} seed {seed}", self.done, self.total)
        score, model = train_trial(candidate, self.setup, seed, steps, deadline=self.deadline, on_step=on_step)
        self.done += 1
        return score.metric, model

    def score(self, model: nn.Module) -> float | None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            metric = evaluate(self.base, self.setup, model)[0]
        model.eval()
        return metric

    def run(self, chosen: list[str], steps: int, sparsities: list[float], temperature: float, alpha: float,
            teacher: nn.Module | None, cost: Any, samples: int) -> dict[str, Any]:
        n = len(self.seeds)
        section: dict[str, Any] = {"metric": metric_name(self.setup.task), "higher_is_better": True, "seeds": self.seeds,
                                   "techniques": {}, "skipped": [], "notes": [
                                       "seeds vary data order and dropout from your model's own initial weights"]}
        runs = lambda: n * (1 + ("distill" in chosen) + ("prune" in chosen) * (1 + 3 * len(sparsities)))
        floor = min(MIN_STEPS, steps)  # a run shorter than asked only when the setup's cost forces it
        budget_steps = plan_steps(cost, samples, runs(), steps, self.setup.device)
        while budget_steps < floor and "prune" in chosen and len(sparsities) > 1:
            section["skipped"].append(f"prune at sparsity {sparsities.pop():g} (too costly for {MIN_STEPS}-step trials)")
            budget_steps = plan_steps(cost, samples, runs(), steps, self.setup.device)
        if budget_steps < floor:
            section["message"] = (f"This setup's steps are too costly for {MIN_STEPS}-step trials of {n} seeds; "
                                  "use fewer seeds or --only quantize on a trained model.")
            section["steps"] = 0
            return section
        section["steps"] = budget_steps
        rewind_at = max(1, budget_steps // 20)
        section["rewind_step"] = rewind_at
        self.total = runs()
        members, early, dense = [], [], []
        try:
            for seed in self.seeds:
                snap: dict[str, Any] = {}
                metric, model = self.train(self.base, seed, budget_steps, on_step=_snapshot_at(rewind_at, snap))
                members.append(model)
                early.append(snap.get("state", model.state_dict()))
                dense.append(metric)
        except Inconclusive as exc:
            section["message"] = f"The baseline trials did not finish within the safety net ({exc}); raise --budget."
            return section
        x = self._latency_batch()
        ref = _reference(dense, members[0], x)
        section["baseline"] = row("single model (your setup)", dense, "baseline", "", **ref)
        section["notes"].append("latency is measured on this machine and informs; it never decides a verdict")
        runners = {"ensemble": lambda: self._ensemble(dense, members, ref, x),
                   "distill": lambda: self._distill(dense, members, teacher, temperature, alpha, budget_steps, ref),
                   "prune": lambda: self._prune(dense, members, early, sparsities, budget_steps, ref),
                   "quantize": lambda: self._quantize(dense, members, ref, x)}
        for name in chosen:
            try:
                section["techniques"][name] = runners[name]()
            except NotApplicable as exc:
                section["techniques"][name] = {"status": "not-applicable", "reason": str(exc), "rows": []}
            except Inconclusive as exc:
                section["techniques"][name] = {"status": "inconclusive", "reason": f"the safety net (--budget) stopped it: {exc}", "rows": []}
        self.notify("done", self.total, self.total)
        return section

    def _latency_batch(self) -> Any:
        split = "val" if self.setup.val_loader is not None else "train"
        x, _ = self.setup.first_batch(split)
        return move_to(x, self.setup.device)

    def _ensemble(self, dense: list, members: list[nn.Module], ref: dict, x: Any) -> dict[str, Any]:
        if len(members) < 2:
            raise NotApplicable("an ensemble needs at least 2 seeds (use --seeds 3 to 5)")
        model = ensemble.build_ensemble(self.setup, members)
        value = self.score(model)
        status, reason = holds(dense, [value] * len(dense))
        k = len(members)
        return {"status": status, "reason": reason, "snippet": ensemble.SNIPPET,
                "summary": f"{k} members averaged ({ensemble.output_kind(self.setup)}); compared with each member",
                "rows": [row(f"ensemble of {k}", [value], status, reason, params=ref["params"] * k,
                             size_mb=ref["size_mb"] * k, latency_ms=latency_ms(model, x))]}

    def _distill(self, dense: list, members: list[nn.Module], teacher: nn.Module | None, temperature: float,
                 alpha: float, steps: int, ref: dict) -> dict[str, Any]:
        source = "your teacher model" if teacher is not None else f"the ensemble of {len(members)}"
        if teacher is None:
            if len(members) < 2:
                raise NotApplicable("no teacher: pass teacher= or use at least 2 seeds for an ensemble teacher")
            teacher = ensemble.build_ensemble(self.setup, [copy.deepcopy(m) for m in members])
        candidate = distill.distill_candidate(self.setup, teacher.to(self.setup.device), temperature, alpha)
        values = [self.train(candidate, seed, steps)[0] for seed in self.seeds]
        status, reason = holds(dense, values)
        rows = [row("student, hard labels (baseline)", dense, "baseline", "", **ref),
                row(f"student distilled from {source}", values, status, reason, params=ref["params"], size_mb=ref["size_mb"])]
        if teacher is not None and not isinstance(teacher, ensemble.Ensemble):
            rows.append(row("teacher", [self.score(teacher)], "reference", "", params=parameter_count(teacher)))
        return {"status": status, "reason": reason, "snippet": candidate.snippet, "rows": rows,
                "summary": f"teacher: {source}; T={temperature:g}, alpha={alpha:g}; same student, seeds and steps"}

    def _prune(self, dense: list, members: list[nn.Module], early: list, sparsities: list[float], steps: int,
               ref: dict) -> dict[str, Any]:
        if not prune.prunable(self.setup.model):
            raise NotApplicable("the model has no Linear or Conv layer to prune")
        # Fine-tuning starts from the trained model, so its reference is the dense model trained as long.
        longer = [self.train(Candidate("prune", "dense, trained on", derive(self.setup, model=copy.deepcopy(m).train()), ""),
                             seed, steps)[0] for m, seed in zip(members, self.seeds)]
        rows = [row("dense, trained the same extra steps (fine-tune's reference)", longer, "reference", "", sparsity=0.0,
                    params=ref["params"])]
        statuses = {}
        for sparsity in sparsities:
            arms: dict[str, list] = {"fine-tune": [], "rewind (lottery ticket)": [], "random re-init (control)": []}
            achieved = []
            for i, seed in enumerate(self.seeds):
                masks = prune.global_masks(members[i], sparsity)
                rewound = self.setup.fresh_model()
                rewound.load_state_dict(early[i])
                starts = {"fine-tune": copy.deepcopy(members[i]), "rewind (lottery ticket)": rewound,
                          "random re-init (control)": reinitialised(self.setup.model, seed + 7919)}
                for arm, start in starts.items():
                    candidate = Candidate("prune", f"{arm} at {sparsity:.0%}", derive(self.setup, model=prune.apply_masks(start.train(), masks)), "")
                    metric, trained = self.train(candidate, seed, steps)
                    achieved.append(prune.sparsity_of(prune.finalize(trained)))
                    arms[arm].append(metric)
            for arm, values in arms.items():
                status, reason = holds(longer if arm == "fine-tune" else dense, values)
                statuses[(arm, sparsity)] = status
                rows.append(row(f"{arm} @ {sparsity:.0%}", values, status, reason, sparsity=sparsity,
                                achieved_sparsity=min(achieved), params=round(ref["params_prunable"] * (1 - sparsity)) + ref["params_other"]))
        best = [s for s in sparsities if statuses.get(("rewind (lottery ticket)", s)) in ("better", "matches")]
        summary = (f"rewound tickets match dense up to {max(best):.0%} sparsity" if best
                   else "no rewound ticket matched the dense model")
        summary += "; fine-tune is judged against the dense model trained as many extra steps"
        return {"status": "matches" if best else "worse", "reason": summary, "summary": summary, "rows": rows,
                "snippet": prune.SNIPPET.format(sparsity=max(best) if best else sparsities[0]), "dense": ref}

    def _quantize(self, dense: list, members: list[nn.Module], ref: dict, x: Any) -> dict[str, Any]:
        if self.setup.device.type != "cpu":
            raise NotApplicable("dynamic int8 quantisation runs on CPU; this setup trains on " + str(self.setup.device))
        if not quantize.quantizable(members[0]):
            raise NotApplicable("the model has no Linear, LSTM or GRU layer")
        values, notes, q0 = [], [], None
        for model in members:
            q, notes = quantize.quantized(model)
            q0 = q0 or q
            values.append(self.score(q))
        status, reason = holds(dense, values)
        size = serialized_bytes(q0) / 1e6
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lat = latency_ms(q0, x)
        return {"status": status, "reason": reason, "snippet": quantize.SNIPPET, "notes": notes,
                "summary": f"{ref['size_mb'] / size:.2f}x smaller, latency ratio {ref['latency_ms'] / lat:.2f}x (measured, informs only)",
                "rows": [row("dynamic int8", values, status, reason, params=ref["params"], size_mb=size, latency_ms=lat,
                             size_ratio=ref["size_mb"] / size, speedup=ref["latency_ms"] / lat)]}


def _snapshot_at(step: int, into: dict[str, Any]) -> Callable[[int, nn.Module], None]:
    def keep(done: int, model: nn.Module) -> None:
        if done == step:
            into["state"] = copy.deepcopy(model.state_dict())
    return keep


def _reference(dense: list, model: nn.Module, x: Any) -> dict[str, Any]:
    prunable = sum(m.weight.numel() for _, m in prune.prunable(model))
    total = parameter_count(model)
    return {"params": total, "params_prunable": prunable, "params_other": total - prunable,
            "size_mb": serialized_bytes(model) / 1e6, "latency_ms": latency_ms(model, x), "spread": spread(dense).std}
