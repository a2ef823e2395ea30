"""Verdicts for the W rules: turn a watch's telemetry into Findings.

Pure functions of the recorded numbers (and a few static facts about the watched
objects); nothing here touches a model. Thresholds follow from what each rule means and
are shared with the checkup where the same quantity is judged there.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable

import numpy as np
from scipy import stats

from ..checks.data import OFFSET_LIMIT, SCALE_LIMIT, SCALE_RATIO_LIMIT, off_scale
from ..checks.generalisation import UNDERTRAINED_P, accuracy_paradox, overfitting, still_falling, suspicious_validation
from ..checks.loss import INIT_LOSS_ABOVE
from ..checks.model import DEAD_SHARE, SATURATED_SHARE
from ..checks.optimisation import (
    EXPLODING_GROWTH, LITTLE_PROGRESS, PLATEAU_CHANGE, REGULARISED_STAYS, ROSE_FACTOR, gradient_growth, is_oscillating,
    oscillation, per_element_grads, settings_problems, vanishing_verdict,
)
from ..findings import Finding, Severity
from .telemetry import Telemetry

# Rules safe to announce while the loop runs: their evidence cannot be undone by later steps.
ALERTABLE = frozenset({"O401", "D104", "D113", "L301", "L302", "L303", "T501", "T502", "T503", "T505", "O403", "M201", "L308"})

MIN_STEPS_FOR_CURVES = 30
UNCLEARED_MIN = 3
UNCLEARED_SHARE = 0.9
MODE_SHARE = 0.5
DIVERGED_RISE = 2.0
SPIKES = 3  # separate jumps above DIVERGED_RISE x the start: a pattern, not one bad batch
DEAD_GROWTH = 0.25
CLIPPED_SHARE = 0.9
MIN_CLIP_CALLS = 20
MIN_VALUE_CLIP_SAMPLES = 5  # clip_grad_value_ is measured on sampled steps only
LR_NEAR_ZERO = 1e-3  # "~0": a thousandth of the peak; step decays to 1% of the peak are ordinary
LR_EARLY = 0.75  # near zero for the last quarter or more of the run
LR_RAISED = 2.0
CYCLIC_SCHEDULERS = ("CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR")
# O403: a gradient a thousand times the weights it updates moves them by their own size at lr 1e-3 (healthy: < 1)
GRADIENT_DWARFS_WEIGHTS = 1e3
UPDATE_TOO_SMALL = 1e-5  # two orders of magnitude below the ~1e-3 rule of thumb
UPDATE_TOO_LARGE = 0.3  # a third of the weight's norm per step: the weights are re-drawn, not refined
LAYER_GAP = 100.0  # two orders of magnitude between the off layers and the rest
SLOW_UPDATE = 1e-4
HEALTHY_UPDATE = 1e-3  # the update-to-weight rule of thumb
HALFWAY = 0.5  # a fit "not even halfway" below the constant predictor's loss, as O409 judges it in checkup
WEIGHTS_SHRUNK = 0.5  # O409: weights that lost half their norm while the loss stays high were taken by the decay
DISTINCT_SHARE = 0.6
MIN_LABEL_BATCHES = 5
UNDERFIT_SHARE = 0.9
MISALIGNED_VAL = 0.95
MISALIGNED_TRAIN = 0.5
REGRESSION = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss")

Rule = Callable[[Telemetry, dict[str, Any], bool], Iterable[Finding]]
_RULES: list[tuple[tuple[str, ...], bool, Rule]] = []


def rule(*codes: str, final_only: bool = False) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        _RULES.append((codes, final_only, fn))
        return fn

    return register


def evaluate(t: Telemetry, facts: dict[str, Any], final: bool = True, codes: Iterable[str] | None = None) -> list[Finding]:
    """Every finding the telemetry supports; ``final`` adds the end-of-run verdicts."""
    wanted = set(codes) if codes is not None else None
    found: list[Finding] = []
    for rule_codes, final_only, fn in _RULES:
        if (final_only and not final) or (wanted is not None and not wanted.intersection(rule_codes)):
            continue
        try:
            found.extend(f for f in fn(t, facts, final) if wanted is None or f.code in wanted)
        except Exception as exc:  # a broken verdict must never break the user's run
            t.internal_errors.append(f"rule {','.join(rule_codes)}: {type(exc).__name__}: {exc}")
    if t.nonfinite is not None:
        _explain_nonfinite(found)
    _link_loop_bugs(found)
    return found


# Loop bugs the catalog's EXPLAINS table cannot know about: what each one makes the curves show.
CURVE_SYMPTOMS = ("O401", "O402", "O403", "O404", "O405", "O406", "O407", "O412", "G601", "G602", "G604", "G605", "M203", "M209", "D111")
LOOP_EXPLAINS: dict[str, tuple[str, ...]] = {
    "T505": CURVE_SYMPTOMS + ("T504",),
    "T501": CURVE_SYMPTOMS,
    "L308": CURVE_SYMPTOMS,
    "T504": ("O402", "O406", "G602", "G605", "O412"),
    "T506": ("G601", "G604", "G605", "O406", "O407"),
    "D104": ("O401", "O403", "M203", "O405"),
    "D113": CURVE_SYMPTOMS,
    "D105": ("M204", "O404", "O403", "O401", "O405", "O412", "G605"),
    "O411": ("O402", "O406", "O412", "G602", "G605"),
    "O404": ("O406", "O412", "G602", "G605"),
}


def _link_loop_bugs(found: list[Finding]) -> None:
    present = {f.code for f in found}
    by_code = {f.code: f for f in found}
    ratio = by_code.get("O412")
    if ratio is not None and ratio.explained_by is None:
        if ratio.evidence.get("some_layers"):
            # layers that barely (or wildly) move, next to healthy ones, are why the loss stalls or blows up
            _explain(found, "O412", ("O401", "O406", "O402", "O407", "O405", "G602", "G605"))
        else:  # every layer off together: the global learning rate, which the curve rules name
            roots = ("O406", "O402") if "too_small" in ratio.evidence else ("O401", "O407")
            ratio.explained_by = next((c for c in roots if c in by_code), None)
    swings, death = by_code.get("O407"), by_code.get("O405")
    died_first = death is not None and swings is not None and _died_before_spikes(death, swings)
    if death is not None and (swings is None or died_first):
        # a layer of dead units passes no gradient: the model stops fitting
        _explain(found, "O405", ("O406", "G602", "G605"))
    clipping = by_code.get("O408")
    if clipping is not None and clipping.explained_by is None:
        # with the clip biting on every step, the clip and not the LR sets the step size
        _explain(found, "O408", ("O402", "O406", "O412", "G602", "G605"))
    if swings is not None and swings.evidence.get("shape") in ("spikes", "bouncing"):
        # steps big enough to throw the loss to multiples of its level also kill units and leave the data unfitted
        _explain(found, "O407", ("O412", "G602", "G605") + (() if died_first else ("O405",)))
    stuck = next((f for f in found if f.code == "T504"), None)
    if stuck is not None and stuck.evidence.get("receive_gradients"):
        # the optimizer's own tensors get no gradient because the loss trains others in their place
        for finding in found:
            if finding.code == "M209" and finding.explained_by is None:
                finding.explained_by = "T504"
    if "T502" in present:
        for finding in found:
            if finding.code in ("D101", "D102") and finding.evidence.get("input_batchnorm") and finding.explained_by is None:
                finding.explained_by = "T502"
    for root, symptoms in LOOP_EXPLAINS.items():
        if root not in present:
            continue
        for finding in found:
            if finding.code in symptoms and finding.explained_by is None and finding.code != root:
                finding.explained_by = root


def _died_before_spikes(death: Finding, swings: Finding) -> bool:
    """The units were already dead at a sampled step before the loss first spiked: the spikes did not kill them."""
    onset, spike = death.evidence.get("onset_step"), swings.evidence.get("first_spike_step")
    return onset is not None and spike is not None and onset < spike


def _explain(found: list[Finding], root: str, symptoms: tuple[str, ...]) -> None:
    """Mark ``symptoms`` as explained by ``root``, never closing a loop (root already explained by one of them)."""
    by_code = {f.code: f for f in found}
    above, code = set(), by_code[root].explained_by
    while code is not None and code not in above and code in by_code:
        above.add(code)
        code = by_code[code].explained_by
    for finding in found:
        if finding.code in symptoms and finding.explained_by is None and finding.code not in above:
            finding.explained_by = root


def _explain_nonfinite(found: list[Finding]) -> None:
    """Once the loss is non-finite, curve-based symptoms are consequences of that, not causes."""
    for finding in found:
        if finding.code in ("O403", "O406", "O407", "O412", "G602", "G605", "O405", "M203", "D111", "G601") and finding.explained_by is None:
            finding.explained_by = "O401"


# -- helpers ---------------------------------------------------------------------------
def _loss_calls(t: Telemetry, kinds: Iterable[str] | None = None) -> list:
    kinds = tuple(kinds) if kinds else None
    return [c for c in t.loss_calls if c.train and (kinds is None or c.kind in kinds)]


def _windows(values: list[float], count: int) -> np.ndarray:
    """Means of ``count`` equal consecutive windows (smooths minibatch noise)."""
    array = np.asarray(values, dtype=float)
    if len(array) < count:
        return array
    return np.array([chunk.mean() for chunk in np.array_split(array, count)])


def _finite_losses(t: Telemetry) -> list[float]:
    return [v for v in t.train_loss if math.isfinite(v)]


def _several_optimizers(t: Telemetry) -> bool:
    return sum(1 for s in t.optimizer_steps.values() if s > 0) > 1


def _class_prior_entropy(t: Telemetry) -> float | None:
    if not t.label_counts:
        return None
    total = np.sum([counts for _, counts in t.label_counts if len(counts) == len(t.label_counts[0][1])], axis=0).astype(float)
    if total.sum() <= 0:
        return None
    shares = total[total > 0] / total.sum()
    return float(-(shares * np.log(shares)).sum())


def reference_loss(t: Telemetry, facts: dict[str, Any]) -> float | None:
    """The loss of the best constant predictor: where "no learning" sits."""
    kinds = {c.kind for c in _loss_calls(t)}
    if "cross_entropy" in kinds or "nll_loss" in kinds:
        return _class_prior_entropy(t)
    if kinds & {"binary_cross_entropy_with_logits", "binary_cross_entropy"}:
        means = [c.evidence.get("target_mean") for c in _loss_calls(t, ("binary_cross_entropy_with_logits", "binary_cross_entropy"))]
        means = [m for m in means if m is not None and 0 <= m <= 1]
        if means:
            p = min(max(float(np.mean(means)), 1e-6), 1 - 1e-6)
            return float(-(p * math.log(p) + (1 - p) * math.log(1 - p)))
    if "mse_loss" in kinds and t.target_stats:
        stds = [s for _, _, s in t.target_stats]
        means = [m for _, m, _ in t.target_stats]
        return float(np.mean(np.square(stds)) + np.var(means))
    return None


def _val_series(t: Telemetry, scored: bool = False) -> tuple[list[int], list[float], str]:
    """Validation losses: logged by the user, else seen at a loss function, else (``scored``) scored by nndoctor.

    Scored losses are the cross-entropy of evaluation outputs against the labels of the
    loader batch they came from: only their rise and fall is trusted (G601), not their level.
    """
    if t.logged.get("val_loss"):
        points = t.logged["val_loss"]
        return [s for s, _ in points], [v for _, v in points], "logged"
    if scored and not t.val_loss and t.scored_val_loss:
        return list(t.scored_val_steps), list(t.scored_val_loss), "scored"
    return list(t.val_steps), list(t.val_loss), "detected"


def _train_at(t: Telemetry, steps: list[int]) -> list[float]:
    """Mean train loss over the steps since the previous evaluation point, for each point."""
    result, start = [], 0
    losses = np.asarray(t.train_loss, dtype=float)
    loss_steps = np.asarray(t.train_loss_steps, dtype=float)
    for step in steps:
        mask = (loss_steps >= start) & (loss_steps < max(step, start + 1))
        window = losses[mask]
        window = window[np.isfinite(window)]
        result.append(float(window.mean()) if len(window) else math.nan)
        start = step
    return result


# -- T: training-loop code ---------------------------------------------------------------
@rule("T501")
def missing_zero_grad(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    uncleared, cleared = t.counters.get("uncleared_steps", 0), t.counters.get("cleared_steps", 0)
    total = uncleared + cleared
    if uncleared >= UNCLEARED_MIN and uncleared / total >= UNCLEARED_SHARE:
        yield Finding(
            "T501", Severity.ERROR,
            f"Gradients were never cleared between optimizer steps on {uncleared} of {total} steps "
            f"({t.counters.get('zero_grad_calls', 0)} zero_grad calls in {t.steps} steps): each step's gradient also "
            "contains every earlier step's.",
            {"uncleared_steps": uncleared, "checked_steps": total, "zero_grad_calls": t.counters.get("zero_grad_calls", 0)},
        )


def _trained_in_eval_mode(t: Telemetry) -> bool:
    checked, eval_mode = t.counters.get("backward_checked", 0), t.counters.get("backward_in_eval_mode", 0)
    return checked >= 3 and eval_mode / checked >= MODE_SHARE


@rule("T502")
def eval_mode_training(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    checked, eval_mode = t.counters.get("backward_checked", 0), t.counters.get("backward_in_eval_mode", 0)
    if _trained_in_eval_mode(t):
        yield Finding(
            "T502", Severity.WARNING,
            f"The model was in eval mode during {eval_mode} of {checked} backward passes: dropout is off and "
            "BatchNorm uses frozen running statistics while training.",
            {"backward_in_eval_mode": eval_mode, "backward_checked": checked},
        )


@rule("T503")
def train_mode_evaluation(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    evals, in_train = t.counters.get("eval_forwards", 0), t.counters.get("eval_forwards_in_train_mode", 0)
    if in_train >= 2 and in_train / evals >= MODE_SHARE:
        yield Finding(
            "T503", Severity.WARNING,
            f"{in_train} of {evals} forward passes without gradients (evaluation) ran with the model in train mode: "
            "dropout was active and BatchNorm updated its running statistics with evaluation data.",
            {"eval_forwards": evals, "eval_forwards_in_train_mode": in_train},
        )


@rule("T504", final_only=True)
def parameters_not_updated(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    if sum(t.optimizer_steps.values()) < 3 or t.nonfinite is not None:
        return
    stuck = [n for n in t.unchanged_params if n in t.stuck_reasons]
    if not stuck:
        return
    total = sum(1 for _ in t.initial_weights)
    reasons: dict[str, list[str]] = {}
    for name in stuck:
        reasons.setdefault(t.stuck_reasons[name], []).append(name)
    why = "; ".join(f"{len(names)} {'is' if len(names) == 1 else 'are'} {reason}" if reason.startswith("not") else f"{len(names)}: {reason}"
                    for reason, names in reasons.items())
    trained = [n for n in stuck if n in t.reached_params]
    # Nothing the loss trains can move when every parameter it sends gradients to is stuck.
    everything = len(stuck) == total or (bool(t.reached_params) and set(t.reached_params) <= set(stuck))
    yield Finding(
        "T504", Severity.ERROR if everything else Severity.WARNING,
        f"{len(stuck)} of {total} trainable parameter tensors never changed over {t.steps} steps ({why}): "
        + ", ".join(stuck[:5]) + ("…" if len(stuck) > 5 else "") + "."
        + (f" The loss sends gradients to {len(trained)} of them, so the model being trained is not the one the optimizer updates."
           if trained and any(t.stuck_reasons[n].startswith("not in") for n in trained) else ""),
        {"unchanged": stuck, "reasons": t.stuck_reasons, "trainable": total, "receive_gradients": trained},
        location=stuck[0],
    )


@rule("T505")
def step_order(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    steps = sum(t.optimizer_steps.values())
    c = t.counters
    problems, evidence = [], {"optimizer_steps": steps, "backward_calls": t.backward_calls}
    if steps >= 3 and c.get("step_without_backward", 0) >= max(3, 0.5 * steps):
        problems.append(f"optimizer.step() ran {c['step_without_backward']} times with no backward() since the previous step")
        evidence["step_without_backward"] = c["step_without_backward"]
    if steps >= 3 and c.get("zero_between_backward_and_step", 0) >= max(3, 0.5 * steps):
        problems.append(f"zero_grad() was called between backward() and step() on {c['zero_between_backward_and_step']} steps, "
                        "so each step applied zero gradients")
        evidence["zero_between_backward_and_step"] = c["zero_between_backward_and_step"]
    discarded = c.get("discarded_backwards", 0)
    if steps >= 3 and discarded >= max(3, 0.5 * steps):
        problems.append(f"zero_grad() threw away the gradients of {discarded} of {t.backward_calls} backward() passes before any "
                        "optimizer.step() used them")
        evidence["discarded_backwards"] = discarded
    if final and steps == 0 and t.backward_calls >= 10:
        problems.append(f"backward() ran {t.backward_calls} times but the optimizer never stepped")
    if c.get("scheduler_before_optimizer", 0):
        problems.append("the LR scheduler stepped before the first optimizer.step(), skipping the schedule's first value")
        evidence["scheduler_before_optimizer"] = c["scheduler_before_optimizer"]
    if problems:
        severe = len(problems) > 1 or "scheduler" not in problems[0]
        yield Finding("T505", Severity.ERROR if severe else Severity.WARNING, "Step order: " + "; ".join(problems) + ".", evidence)


def _step_fingerprints(t: Telemetry) -> dict[int, tuple]:
    first: dict[int, tuple] = {}
    for step, fingerprint in t.fingerprints:
        first.setdefault(step, fingerprint)
    return first


@rule("T506")
def same_batch(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    by_step = _step_fingerprints(t)
    pairs = [(s, s + 1) for s in by_step if s + 1 in by_step]
    if len(pairs) < 3:
        return
    same = sum(by_step[a] == by_step[b] for a, b in pairs)
    if same < len(pairs):
        return
    loader_batches = max((n for n in t.loaders if n), default=None)
    multi = loader_batches is not None and loader_batches > 1
    yield Finding(
        "T506", Severity.WARNING if multi else Severity.INFO,
        f"The model received the identical input batch on consecutive steps at all {len(pairs)} checked pairs"
        + (f", although a DataLoader with {loader_batches} batches per pass was iterated" if multi else
           " (fine for deliberate full-batch training; a bug if a loader was meant to be iterated)") + ".",
        {"checked_pairs": len(pairs), "identical_pairs": same, "loader_batches": loader_batches},
    )


@rule("T507", final_only=True)
def unseeded(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    if not t.seeded and t.steps > 0:
        yield Finding("T507", Severity.INFO, "No random seed was set (torch's seed is the random default): this run cannot be reproduced.",
                      {"seeded": False})


# -- O: optimisation ---------------------------------------------------------------------
@rule("O401")
def divergence(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    info = t.nonfinite
    if info is not None:
        value = {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}.get(str(info["value"]).lower(), str(info["value"]))
        where = []
        if info.get("where"):
            state = "with finite inputs and weights" if info.get("inputs_finite") and info.get("params_finite") else (
                "from non-finite inputs" if not info.get("inputs_finite") else "because its weights are non-finite")
            where.append(f"the first layer to output non-finite values afterwards was {info['where']} ({info.get('module_type')}) {state}")
        if info.get("first_param"):
            where.append(f"first non-finite tensor: {info['first_param']}")
        finite = [v for v in t.train_loss[: t.train_loss_steps.index(info["step"])] if math.isfinite(v)] if info["step"] in t.train_loss_steps else []
        before = f" (it was {finite[-1]:.4g} the step before" + (f", {min(finite):.4g} at best)" if finite else ")") if finite else ""
        yield Finding(
            "O401", Severity.ERROR,
            f"step {info['step']}: loss became {value}{before}" + ("; " + "; ".join(where) if where else "") + ".",
            {**info, "previous_losses": finite[-5:]},
            location=f"step {info['step']}" + (f", {info['where']}" if info.get("where") else ""),
        )
        return
    losses = _finite_losses(t)
    if len(losses) < MIN_STEPS_FOR_CURVES or _several_optimizers(t) or t.counters.get("sign_flipped", 0):
        return
    smooth = _windows(losses, 10)
    if smooth[0] > 0 and smooth[-1] >= DIVERGED_RISE * smooth[0] and smooth[-1] >= DIVERGED_RISE * smooth.min():
        yield Finding(
            "O401", Severity.ERROR,
            f"The train loss diverged: from {smooth[0]:.4g} (first tenth of the run) to {smooth[-1]:.4g} (last tenth), "
            f"after reaching {smooth.min():.4g}.",
            {"windows": smooth.tolist()},
        )
        return
    if not final:
        return  # where the run ends is known only at its end; a loss high mid-run may still come down
    start = _initial_loss(t)
    reference = reference_loss(t, facts)
    end = float(np.mean(losses[-max(5, len(losses) // 10):]))
    # one minibatch's loss at step 0 can be low by chance; the constant predictor's loss is where "no learning" sits
    baseline = max(start, reference or 0.0) if start is not None else None
    if baseline is not None and baseline > 0 and end >= ROSE_FACTOR * baseline:
        yield Finding(
            "O401", Severity.ERROR,
            f"Training made the loss worse: it was {start:.4g} before the first update and ends at {end:.4g} (mean of the last "
            f"tenth of the run)" + (f", above the constant predictor's {reference:.4g}" if reference is not None else "")
            + f", after peaking at {float(np.max(_windows(losses, 20))):.4g}: the steps overshoot.",
            {"initial_loss": start, "final_loss": end, "reference": reference, "windows": smooth.tolist()},
        )


def _initial_loss(t: Telemetry) -> float | None:
    """The train loss at step 0, before any update changed the weights."""
    if t.train_loss_steps and t.train_loss_steps[0] == 0 and math.isfinite(t.train_loss[0]):
        return float(t.train_loss[0])
    return None


def _pre_clip_norms(t: Telemetry) -> tuple[list[float], str]:
    if len(t.clip_calls) >= 10:
        return [n for _, n, _ in t.clip_calls], "pre-clipping gradient norm"
    return list(t.total_grad_norm), "gradient norm"


def gradient_to_weight(t: Telemetry) -> list[tuple[int, float]]:
    """Per sampled step: the weight layers' gradient norm over their weight norm (both before the step)."""
    grads: dict[int, float] = {}
    weights: dict[int, float] = {}
    for name in t.weight_params:
        norms = dict(t.weight_norms.get(name, []))
        for step, grad in zip(t.grad_norm_steps.get(name, []), t.grad_norms.get(name, [])):
            if step in norms:
                grads[step] = grads.get(step, 0.0) + grad ** 2
                weights[step] = weights.get(step, 0.0) + norms[step] ** 2
    return [(step, math.sqrt(grads[step] / weights[step])) for step in sorted(grads)
            if weights[step] > 0 and math.isfinite(grads[step])]


@rule("O403")
def exploding_gradients(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    norms, label = _pre_clip_norms(t)
    growth = gradient_growth(norms)
    if growth is None or growth < EXPLODING_GROWTH:
        yield from _gradients_dwarf_weights(t)
        return
    finite = [n for n in norms if math.isfinite(n)]
    layer_growth = {name: gradient_growth(v) for name, v in t.grad_norms.items()}
    worst = max((n for n, g in layer_growth.items() if g is not None and math.isfinite(g)), key=lambda n: layer_growth[n], default=None)
    start = float(np.median(norms[:5]))
    yield Finding(
        "O403", Severity.ERROR,
        f"The {label} " + ("turned non-finite" if math.isinf(growth) else f"grew {growth:.0f}x")
        + f" over {t.steps} steps (from {start:.3g} to a peak of {max(finite) if finite else math.inf:.3g}).",
        {"growth": growth, "start_norm": start, "peak_norm": max(finite) if finite else None, "samples": len(norms)},
        location=worst,
    )


def _gradients_dwarf_weights(t: Telemetry) -> Iterable[Finding]:
    """Gradients already exploded when training began (e.g. through an RNN's time steps): they dwarf the weights."""
    ratios = gradient_to_weight(t)
    if len(ratios) < 3:
        return
    median = float(np.median([r for _, r in ratios]))
    if median >= GRADIENT_DWARFS_WEIGHTS:
        first_step, first = ratios[0]
        yield Finding(
            "O403", Severity.ERROR,
            f"The gradient is {median:.3g}x the size of the weights it updates (median over {len(ratios)} sampled steps; "
            f"{first:.3g}x at step {first_step}): gradients have exploded, any usable step size throws the weights far away.",
            {"median_grad_to_weight": median, "grad_to_weight": [[s, r] for s, r in ratios[:20]]},
        )


@rule("O404", final_only=True)
def vanishing_gradients(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """Gradient reaching the first block vs the last, after the first sampled steps.

    A block's gradient is that of its best-fed weight layer: inside one block some weights
    get second-order gradients by construction (attention queries and keys while attention
    is still uniform), which says nothing about how much gradient reaches that depth. The
    first half of the sampled steps is left out for the same reason: O404 is a property of
    training, not of the first step.
    """
    steps = sorted(set(t.grad_steps))
    if len(steps) < 3:
        return
    window = set(steps[len(steps) // 2:])
    later = {n: [v for v, s in zip(norms, t.grad_norm_steps.get(n, [])) if s in window] for n, norms in t.grad_norms.items()}
    found = vanishing_verdict(_by_block(per_element_grads(later, t.param_sizes, t.weight_params)),
                              f"over {len(window)} sampled steps from step {min(window)}")
    if found is not None:
        yield found


def _block_of(name: str) -> str:
    """The block a parameter belongs to: its module path up to the first list index (``encoder.layer.3``), else the module."""
    parts = name.split(".")[:-1]
    for i, part in enumerate(parts):
        if part.isdigit():
            return ".".join(parts[: i + 1])
    return ".".join(parts) or name


def _by_block(layers: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Each block's best-fed weight layer, blocks in model order."""
    best: dict[str, tuple[str, float]] = {}
    for name, value in layers:
        block = _block_of(name)
        if block not in best or value > best[block][1]:
            best[block] = (name, value)
    return list(best.values())


@rule("O405", "M203", final_only=True)
def dying_relu(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    grown, at_init = [], []
    for name, series in t.dead_share.items():
        values = [v for _, v in series]
        if len(values) < 4:
            continue
        start, end = float(np.mean(values[:2])), float(np.mean(values[-3:]))
        if start >= DEAD_SHARE:
            at_init.append((name, start))
        elif end >= DEAD_SHARE and end - start >= DEAD_GROWTH:
            grown.append((name, start, end, series[-1][0]))
    if at_init:
        name, share = max(at_init, key=lambda x: x[1])
        yield Finding("M203", Severity.WARNING,
                      f"{share:.0%} of the units after {name} were already dead (zero for the whole batch) at the first sampled steps.",
                      {"layers": {n: s for n, s in at_init}}, location=name)
    if grown:
        name, start, end, step = max(grown, key=lambda x: x[2] - x[1])
        onset = next((s for s, v in t.dead_share[name] if v >= DEAD_SHARE), None)
        yield Finding("O405", Severity.WARNING,
                      f"Dead ReLU units after {name} grew from {start:.0%} to {end:.0%} of the layer by step {step}: "
                      "those units no longer pass gradient and cannot recover.",
                      {"layers": {n: {"start": s, "end": e} for n, s, e, _ in grown}, "onset_step": onset}, location=name)


@rule("M204", final_only=True)
def saturation(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    saturated = []
    for name, series in t.saturated_share.items():
        values = [v for step, v in series if step == 0]
        if values and float(np.mean(values)) >= SATURATED_SHARE:
            saturated.append((name, float(np.mean(values))))
    if saturated:
        name, share = max(saturated, key=lambda x: x[1])
        yield Finding("M204", Severity.WARNING,
                      f"{share:.0%} of the outputs of {name} sit on the flat tails of the activation at the start of training.",
                      {"layers": dict(saturated)}, location=name)


@rule("O406", "O402", final_only=True)
def plateau(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """O406 when the loss does not move at all; otherwise O402 when it falls, but far too slowly because the steps are tiny.

    The two exclude each other: a loss that never moved is a plateau whatever the cause
    (its message names the tiny updates when they are the reason), and "falls too slowly"
    needs a loss that falls.
    """
    losses = _finite_losses(t)
    if len(losses) < MIN_STEPS_FOR_CURVES or _several_optimizers(t) or t.nonfinite is not None:
        return
    smooth = _windows(losses, 10)
    reference = reference_loss(t, facts)
    if smooth[0] <= 0 or (reference is not None and smooth[0] < 0.1 * reference):
        return
    moved = float(np.max(np.abs(smooth - smooth[0])) / smooth[0])
    ratios = _median_update_ratio(t)
    if moved < PLATEAU_CHANGE:
        tiny = ratios is not None and ratios < SLOW_UPDATE
        yield Finding(
            "O406", Severity.ERROR,
            f"The train loss stayed at {smooth[0]:.4g} for {len(losses)} steps (its tenth-of-run means moved by at most {moved:.2%})"
            + (f"; the constant predictor scores {reference:.4g}" if reference is not None else "")
            + (f"; updates change the weights by only {ratios:.1e} of their norm per step" if tiny else "")
            + ": nothing is being learned.",
            {"windows": smooth.tolist(), "max_change": moved, "reference": reference, "median_update_ratio": ratios},
        )
        return
    progress = (smooth[0] - smooth.min()) / smooth[0]
    last = next((float(np.median(t.update_ratios[n])) for n in reversed(t.weight_params) if t.update_ratios.get(n)), None)
    if ratios is not None and ratios < SLOW_UPDATE and last is not None and last < SLOW_UPDATE and progress < LITTLE_PROGRESS:
        yield Finding(
            "O402", Severity.WARNING,
            f"Updates change the weights by only {ratios:.1e} of their norm per step (healthy is ~1e-3) and the loss fell "
            f"{progress:.0%} in {len(losses)} steps: the learning rate is too low.",
            {"median_update_ratio": ratios, "progress": progress},
        )
        return
    slow = steady_descent(losses, reference)
    if slow is not None and ratios is not None and ratios < HEALTHY_UPDATE:
        yield Finding(
            "O402", Severity.WARNING,
            f"The train loss falls in a straight line that has not begun to level off ({slow['first_half_slope']:.2g} per step in "
            f"the first half, {slow['second_half_slope']:.2g} in the second) and ends at {slow['final_loss']:.3g}, not even halfway "
            f"below the constant predictor's {reference:.3g}, while updates change the weights by {ratios:.1e} of their norm per "
            "step (healthy is ~1e-3): the learning rate, not the data or the model, limits progress.",
            {**slow, "median_update_ratio": ratios, "reference": reference},
        )


def steady_descent(losses: list[float], reference: float | None) -> dict[str, float] | None:
    """Evidence that the loss falls at an undiminished rate while still far above a fit, else None.

    The whole run falls significantly, its second half at least half as fast as its first
    (no sign of converging), and the end is not even halfway from the constant predictor's
    loss (``reference``) to zero.
    """
    values = np.asarray(losses, dtype=float)
    if reference is None or reference <= 0 or len(values) < 2 * MIN_STEPS_FOR_CURVES:
        return None
    end = float(np.mean(values[-max(5, len(values) // 10):]))
    steps = np.arange(len(values))
    fit = stats.linregress(steps, values)
    half = len(values) // 2
    first, second = stats.linregress(steps[:half], values[:half]), stats.linregress(steps[half:], values[half:])
    if fit.slope >= 0 or fit.pvalue > UNDERTRAINED_P or end < HALFWAY * reference:
        return None
    if first.slope >= 0 or second.slope > 0.5 * first.slope:
        return None
    return {"slope": float(fit.slope), "p_value": float(fit.pvalue), "first_half_slope": float(first.slope),
            "second_half_slope": float(second.slope), "final_loss": end}


def _median_update_ratio(t: Telemetry) -> float | None:
    per_layer = [float(np.median(t.update_ratios[n])) for n in t.weight_params if t.update_ratios.get(n)]
    return float(np.median(per_layer)) if per_layer else None


def oscillation_evidence(losses: list[float]) -> dict[str, Any] | None:
    """Evidence that the per-step loss swings without a downward trend, beyond minibatch noise.

    Three shapes: window means that wander up and down far more than their within-window
    noise explains (slow oscillation), a second half that made no progress on the start
    while consecutive steps jump by more than half the loss level (bouncing), or a loss
    that repeatedly jumps to multiples of its starting value and falls back, ending no
    lower than it began (spikes).
    """
    values = np.asarray(losses, dtype=float)
    if len(values) < 4 * MIN_STEPS_FOR_CURVES or values[0] <= 0:
        return None
    chunks = np.array_split(values, 20)
    means = np.array([c.mean() for c in chunks])
    start = float(means[0])
    second = chunks[10:]
    noise = math.sqrt(float(np.mean([c.var(ddof=1) for c in second])) / float(np.mean([len(c) for c in second])))
    spread = float(np.std(means[10:], ddof=1))
    stats = oscillation(means)
    if is_oscillating(stats) and spread > 3 * noise:
        return {**stats, "between_window_std": spread, "noise_std": noise, "windows": means.tolist(), "shape": "swings"}
    half = values[len(values) // 2 :]
    level = float(np.median(half))
    jumps = float(np.median(np.abs(np.diff(half))))
    if level > 0 and float(half.mean()) >= 0.8 * start and jumps >= 0.5 * level:
        return {"median_jump": jumps, "level": level, "start": start, "windows": means.tolist(), "shape": "bouncing",
                "swing": float(half.max() - half.min()) / start, "rises": float((np.diff(half) > 0).mean())}
    first = float(values[0])
    above = values > DIVERGED_RISE * first
    excursions = int(np.count_nonzero(above[1:] & ~above[:-1]))
    end = float(values[-max(5, len(values) // 10):].mean())
    if first > 0 and excursions >= SPIKES and end >= 0.8 * first:
        return {"spikes": excursions, "start": first, "peak": float(values.max()), "end": end, "windows": means.tolist(),
                "shape": "spikes", "first_spike_index": int(np.argmax(above))}
    return None


@rule("O407", final_only=True)
def oscillating(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    if _several_optimizers(t) or t.nonfinite is not None:
        return
    evidence = oscillation_evidence(_finite_losses(t))
    if evidence is None:
        return
    if "first_spike_index" in evidence and evidence["first_spike_index"] < len(t.train_loss_steps):
        evidence["first_spike_step"] = t.train_loss_steps[evidence["first_spike_index"]]
    if evidence["shape"] == "spikes":
        message = (f"The train loss jumped to over {DIVERGED_RISE:g}x its starting value {evidence['start']:.3g} on {evidence['spikes']} "
                   f"separate occasions (up to {evidence['peak']:.3g}) and fell back each time, ending no lower than it started "
                   f"({evidence['end']:.3g}): the steps overshoot and the loss bounces instead of descending.")
    elif evidence["shape"] == "swings":
        message = (f"In the second half of the run the train loss (means of twentieths of the run) swings by {evidence['swing']:.0%} of "
                   f"its starting value, {evidence['between_window_std'] / max(evidence['noise_std'], 1e-12):.0f}x more than minibatch "
                   f"noise explains, with a net trend of only {evidence['efficiency']:.0%} of the distance travelled.")
    else:
        message = (f"The train loss bounces: in the second half consecutive steps differ by {evidence['median_jump']:.3g} (median), "
                   f"more than half its level {evidence['level']:.3g}, and it is no lower than at the start ({evidence['start']:.3g}).")
    yield Finding("O407", Severity.WARNING, message, evidence)


@rule("O408")
def aggressive_clipping(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    yield from _value_clipping(t)
    calls = [(n, m) for _, n, m in t.clip_calls if math.isfinite(n)]
    if len(calls) < MIN_CLIP_CALLS:
        return
    clipped = sum(n > m for n, m in calls)
    share = clipped / len(calls)
    if share >= CLIPPED_SHARE:
        median = float(np.median([n for n, _ in calls]))
        max_norm = calls[-1][1]
        yield Finding(
            "O408", Severity.WARNING,
            f"clip_grad_norm_ cut the gradient on {clipped} of {len(calls)} steps ({share:.0%}); the median pre-clip norm "
            f"{median:.3g} is {median / max_norm if max_norm else math.inf:.1f}x max_norm={max_norm:g}.",
            {"clipped_share": share, "calls": len(calls), "median_pre_clip_norm": median, "max_norm": max_norm},
        )


def _value_clipping(t: Telemetry) -> Iterable[Finding]:
    """clip_grad_value_ bites when it cuts the typical gradient entry, not only outliers: most entries become ±clip_value."""
    samples = t.value_clips
    if len(samples) < MIN_VALUE_CLIP_SAMPLES:
        return
    biting = sum(share >= 0.5 for _, share, _ in samples)
    if biting / len(samples) >= CLIPPED_SHARE:
        median = float(np.median([share for _, share, _ in samples]))
        clip = samples[-1][2]
        yield Finding(
            "O408", Severity.WARNING,
            f"clip_grad_value_(clip_value={clip:g}) cut more than half of all gradient entries on {biting} of {len(samples)} sampled "
            f"steps (median {median:.0%} of entries): the update is mostly ±{clip:g} per entry, whatever the real gradient says.",
            {"biting_share": biting / len(samples), "samples": len(samples), "median_clipped_entries": median, "clip_value": clip},
        )


@rule("O411", final_only=True)
def lr_schedule(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    for index, series in t.lr.items():
        lrs = np.asarray([v for v in series if math.isfinite(v)], dtype=float)
        if len(lrs) < MIN_STEPS_FOR_CURVES or lrs.max() <= 0:
            continue
        peak = float(lrs.max())
        near_zero = lrs <= LR_NEAR_ZERO * peak
        if near_zero[-1]:
            onset = len(lrs) - int(np.argmin(near_zero[::-1])) if not near_zero.all() else 0
            if onset < LR_EARLY * len(lrs):
                yield Finding(
                    "O411", Severity.WARNING,
                    f"The learning rate fell to {lrs[onset]:.2g} (under 1/1000 of its peak {peak:.2g}) at step {onset} of {len(lrs)} "
                    f"and stayed there: the last {1 - onset / len(lrs):.0%} of the run trains at ~0 LR.",
                    {"peak": peak, "onset_step": onset, "steps": len(lrs), "final_lr": float(lrs[-1]), "schedulers": t.schedulers},
                    location=f"optimizer {index}",
                )
                return
        if any(s in CYCLIC_SCHEDULERS for s in t.schedulers):
            continue
        running_peak = np.maximum.accumulate(lrs)
        fallen = np.flatnonzero(lrs <= 0.5 * running_peak)
        if len(fallen):
            after = lrs[fallen[0]:]
            running_min = np.minimum.accumulate(after)
            raised = np.flatnonzero(after >= LR_RAISED * np.maximum(running_min, 1e-300))
            if len(raised):
                step = int(fallen[0] + raised[0])
                yield Finding(
                    "O411", Severity.WARNING,
                    f"The learning rate went back up mid-run: it had fallen to {running_min[raised[0]]:.2g} and rose to {lrs[step]:.2g} "
                    f"at step {step} (peak {peak:.2g}); a scheduler stepped per batch instead of per epoch does this.",
                    {"peak": peak, "raised_at": step, "schedulers": t.schedulers},
                    location=f"optimizer {index}",
                )
                return


@rule("O412", final_only=True)
def update_ratio(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """Per weight layer, the median update size over the weight's norm.

    Too small is judged against the current norm. Too large is judged against the norm the
    layer started with: steps that re-draw a layer also inflate it, and against the inflated
    norm the same steps look modest (a layer at lr 2 that grew 200x moves 1% of its new
    norm per step, 300% of its old one).
    """
    if len(t.update_steps) < 3 or t.nonfinite is not None or t.counters.get("closure_repeats", 0):
        return  # a step that re-evaluates its closure (LBFGS) sizes itself by line search: the ~1e-3 rule is for LR-driven steps
    medians = {n: float(np.median(t.update_ratios[n])) for n in t.weight_params if len(t.update_ratios.get(n, [])) >= 3}
    against_start = {n: r for n in medians if (r := _median_over_start(t, n)) is not None}
    small = {n: r for n, r in medians.items() if 0 < r < UPDATE_TOO_SMALL}
    large = {n: r for n, r in against_start.items() if r > UPDATE_TOO_LARGE}
    for bad, word in ((large, "large"), (small, "small")):
        if bad:
            scale = against_start if word == "large" else medians
            split = _layers_apart(scale, word)
            some = split is not None and set(bad) <= set(split[0])
            if some:
                bad = split[0]
            worst = max(bad, key=lambda n: abs(math.log10(bad[n]) + 3))
            others = list(split[1].values()) if some else []
            yield Finding(
                "O412", Severity.WARNING,
                f"Update-to-weight ratios are too {word} in {len(bad)} of {len(medians)} weight layers: {worst} moves by "
                f"{bad[worst]:.1e} of its {'starting ' if word == 'large' else ''}norm per step (median over "
                f"{len(t.update_steps)} sampled steps; healthy is ~1e-3)"
                + (f", while the other layers move by {min(others):.1e} to {max(others):.1e}: those layers' learning rate is off."
                   if some else "."),
                {"per_layer": medians, "per_layer_vs_start": against_start, "too_" + word: bad, "some_layers": some},
                location=worst,
            )
            return


def _median_over_start(t: Telemetry, name: str) -> float | None:
    """Median update size of ``name`` over the norm it had when first measured."""
    norms = [w for _, w in t.weight_norms.get(name, [])]
    deltas = t.update_norms.get(name, [])
    if len(deltas) < 3 or not norms or norms[0] <= 0:
        return None
    return float(np.median(deltas)) / norms[0]


def _layers_apart(ratios: dict[str, float], word: str) -> tuple[dict[str, float], dict[str, float]] | None:
    """(off layers, the rest) when the layers' ratios fall into two groups two orders of magnitude apart, the rest healthy.

    One global learning rate moves all layers together (their ratios spread by the layers'
    sizes, about a decade); a gap of two decades splits off the layers of a parameter group
    with its own LR. ``word`` says which side is off: the "small" or the "large" one.
    """
    ordered = sorted((r, n) for n, r in ratios.items() if r > 0)
    if len(ordered) < 2:
        return None
    gaps = [ordered[i + 1][0] / ordered[i][0] for i in range(len(ordered) - 1)]
    cut = int(np.argmax(gaps)) + 1
    if gaps[cut - 1] < LAYER_GAP:
        return None
    low, high = dict((n, r) for r, n in ordered[:cut]), dict((n, r) for r, n in ordered[cut:])
    off, rest = (low, high) if word == "small" else (high, low)
    if not all(UPDATE_TOO_SMALL <= r <= UPDATE_TOO_LARGE for r in rest.values()):
        return None
    return off, rest


@rule("O409", final_only=True)
def weight_decay_dominates(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """Weight decay pulls harder than the data: the weights shrink while the loss stays far from a fit.

    Learning from a sensible init keeps or grows the weights' norm; with the train loss
    not even halfway below the constant predictor, weights that lost half their norm were
    taken by the decay, not by the data.
    """
    decays = sorted({float(g.get("weight_decay") or 0.0) for o in facts.get("initial_optimizers") or [] for g in o["groups"]})
    losses = _finite_losses(t)
    reference = reference_loss(t, facts)
    if not decays or decays[-1] <= 0 or reference is None or reference <= 0 or len(losses) < 3 * MIN_STEPS_FOR_CURVES \
            or t.nonfinite is not None or _several_optimizers(t):
        return
    norms = [t.weight_norms[n] for n in t.weight_params if len(t.weight_norms.get(n, [])) >= 3]
    if not norms:
        return
    start = math.sqrt(sum(series[0][1] ** 2 for series in norms))
    end = math.sqrt(sum(series[-1][1] ** 2 for series in norms))
    final_loss = float(np.mean(losses[-max(5, len(losses) // 10):]))
    if start > 0 and end <= WEIGHTS_SHRUNK * start and final_loss > REGULARISED_STAYS * reference:
        yield Finding(
            "O409", Severity.WARNING,
            f"With weight_decay={decays[-1]:g} the weights shrank to {end / start:.0%} of their starting norm while the train loss "
            f"stayed at {final_loss:.3g}, not even halfway below the constant predictor's {reference:.3g}: the decay outweighs "
            "what the data asks of the weights.",
            {"weight_decay": decays[-1], "weight_norm_start": start, "weight_norm_end": end, "final_train_loss": final_loss,
             "reference": reference},
        )


@rule("O410", final_only=True)
def optimizer_settings(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    for index, spec in enumerate(facts.get("initial_optimizers") or []):
        for severity, message, evidence in settings_problems(spec["kind"], spec["groups"]):
            yield Finding("O410", severity, f"{spec['kind']}: {message}.", {"optimizer": spec["kind"], **evidence}, location=f"optimizer {index}")


# -- D: data at the first layer and at the loss -------------------------------------------
def _train_inputs(t: Telemetry) -> list[dict[str, Any]]:
    """Float inputs of the first watched model (the others, e.g. a GAN's generator, see other data)."""
    floats = [i for i in t.inputs if i.get("float")]
    if not floats:
        return []
    key = floats[0]["model"]
    shape = floats[0]["shape"][1:]
    return [i for i in floats if i["model"] == key and i["shape"][1:] == shape]


@rule("D101", "D102", final_only=True)
def input_scale(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    inputs = [i for i in _train_inputs(t) if i["nonfinite"] == 0]
    normaliser = facts.get("input_batchnorm")
    if not inputs or (normaliser and not _trained_in_eval_mode(t)):
        return
    # an input BatchNorm frozen by eval-mode training standardises nothing: the loop bug is the root
    frozen = {"input_batchnorm": normaliser} if normaliser else {}
    with_features = [i for i in inputs if "feature_mean" in i]
    if with_features:
        mean = np.mean([i["feature_mean"] for i in with_features], axis=0)
        std = np.mean([i["feature_std"] for i in with_features], axis=0)
        unit = "feature"
    else:
        mean = np.array([float(np.mean([i["mean"] for i in inputs]))])
        std = np.array([float(np.mean([i["std"] for i in inputs]))])
        unit = "tensor"
    off = off_scale(mean, std)
    absmax = max(i["absmax"] for i in inputs)
    if off.any():
        yield Finding(
            "D101", Severity.WARNING,
            f"Inputs reaching the first layer are not normalised: {int(off.sum())} of {len(mean)} input {unit}(s) are far from "
            f"zero mean / unit scale (typical magnitude > {SCALE_LIMIT:g}, or |mean| > {OFFSET_LIMIT:g} and > {OFFSET_LIMIT:g} std); "
            f"max|x| {absmax:.3g} over {len(inputs)} sampled batches.",
            {"off_scale": int(off.sum()), "units": len(mean), "unit": unit, "max_abs": absmax,
             "mean": float(np.mean(mean)), "std": float(np.mean(std)), "batches": len(inputs), **frozen},
            location="model input",
        )
    if with_features:
        varying = std[std > 0]
        if len(varying) >= 2 and varying.max() / varying.min() >= SCALE_RATIO_LIMIT:
            yield Finding(
                "D102", Severity.WARNING,
                f"Input feature scales differ {varying.max() / varying.min():.0f}x (std from {varying.min():.3g} to {varying.max():.3g}).",
                {"std_min": float(varying.min()), "std_max": float(varying.max()), "largest": int(np.argmax(std)),
                 "smallest": int(np.argmin(np.where(std > 0, std, np.inf))), **frozen},
                location="model input",
            )


@rule("D104")
def nonfinite_data(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    bad_inputs = [i for i in t.inputs if i["nonfinite"] > 0]
    bad_targets = [c for c in _loss_calls(t) if c.evidence.get("target_nonfinite", 0) > 0]
    if not bad_inputs and not bad_targets:
        return
    parts = []
    if bad_inputs:
        parts.append(f"{int(bad_inputs[0]['nonfinite'])} NaN/Inf input values in the batch of step {bad_inputs[0]['step']} "
                     f"({len(bad_inputs)} of {len(t.inputs)} sampled batches affected)")
    if bad_targets:
        parts.append(f"{bad_targets[0].evidence['target_nonfinite']} NaN/Inf targets at the loss at step {bad_targets[0].step}")
    yield Finding("D104", Severity.ERROR, "Non-finite data: " + "; ".join(parts) + ".",
                  {"input_batches": len(bad_inputs), "target_batches": len(bad_targets),
                   "first_step": min([i["step"] for i in bad_inputs] + [c.step for c in bad_targets])},
                  location="inputs" if bad_inputs else "targets")


@rule("D105", final_only=True)
def regression_targets(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    calls = [c for c in _loss_calls(t, REGRESSION) if "target_mean" in c.evidence]
    if not calls:
        return
    mean = float(np.mean([c.evidence["target_mean"] for c in calls]))
    std = float(np.mean([c.evidence["target_std"] for c in calls]))
    if off_scale(np.array([mean]), np.array([std])).any():
        yield Finding("D105", Severity.WARNING,
                      f"Regression targets at the loss have mean {mean:.3g} and std {std:.3g}: far from unit scale, so the loss and its "
                      "gradients start orders of magnitude away from where the output layer's init puts them.",
                      {"target_mean": mean, "target_std": std}, location="targets")


@rule("D113")
def label_encoding(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    for call in _loss_calls(t):
        e = call.evidence
        message = None
        if call.kind in ("cross_entropy", "nll_loss") and e.get("target_kind") == "indices" and "classes" in e and "target_min" in e:
            if e["target_max"] >= e["classes"]:
                message = f"class labels reach {e['target_max']} but the model has only {e['classes']} outputs (labels must be 0..{e['classes'] - 1})"
            elif e["target_min"] < 0:
                message = f"class labels include {e['target_min']}: labels must be 0..{e['classes'] - 1}"
        elif call.kind in ("cross_entropy", "nll_loss") and e.get("target_kind") == "float labels":
            message = f"class labels are floats ({e.get('target_dtype')}, shape {e['target_shape']}) where {call.kind} expects integer class indices"
        elif call.kind in ("cross_entropy",) and e.get("target_kind") == "probabilities" and (
                e.get("target_min", 0) < -1e-6 or e.get("target_max", 1) > 1 + 1e-6 or abs(e.get("target_row_sum_max", 1) - 1) > 1e-3):
            message = "probability targets are not distributions over the classes (values outside [0, 1] or rows not summing to 1)"
        elif call.kind in ("binary_cross_entropy_with_logits", "binary_cross_entropy") and "target_min" in e and (
                e["target_min"] < 0 or e["target_max"] > 1):
            message = f"binary targets range over [{e['target_min']:g}, {e['target_max']:g}]; {call.kind} needs targets in [0, 1]"
        if message:
            yield Finding("D113", Severity.ERROR, f"Label encoding does not match the loss at step {call.step}: {message}.",
                          {k: v for k, v in e.items() if not k.startswith("_")}, location=f"{call.kind} targets")
            return


@rule("D115", final_only=True)
def ordered_batches(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    batches = [np.asarray(c, dtype=float) for _, c in t.label_counts]
    if len(batches) < MIN_LABEL_BATCHES or len({len(b) for b in batches}) != 1:
        return
    pooled = np.sum(batches, axis=0)
    shares = pooled / pooled.sum()
    sizes = [b.sum() for b in batches]
    observed = float(np.mean([(b > 0).sum() for b in batches]))
    expected = float(np.mean([np.sum(1 - (1 - shares) ** n) for n in sizes]))
    if expected >= 1.8 and observed / expected < DISTINCT_SHARE:
        yield Finding(
            "D115", Severity.WARNING,
            f"Training batches hold {observed:.1f} distinct classes on average where shuffled batches of this size would hold "
            f"{expected:.1f}: the loader yields the data ordered by class.",
            {"distinct_observed": observed, "distinct_expected": expected, "batches": len(batches), "class_shares": shares.tolist()},
            location="train loader",
        )


@rule("D111", final_only=True)
def labels_misaligned(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    reference = reference_loss(t, facts)
    steps, val, _ = _val_series(t)
    losses = _finite_losses(t)
    if reference is None or len(val) < 3 or len(losses) < MIN_STEPS_FOR_CURVES:
        return
    train_end = float(np.mean(losses[-max(5, len(losses) // 10):]))
    if min(val) >= MISALIGNED_VAL * reference and train_end <= MISALIGNED_TRAIN * reference:
        yield Finding(
            "D111", Severity.ERROR,
            f"The train loss fell to {train_end:.3g} but the validation loss never went below {min(val):.3g}, the constant "
            f"predictor's {reference:.3g}: the model memorises the training labels and learns nothing that transfers.",
            {"train_end": train_end, "val_best": min(val), "reference": reference},
        )


# -- L: output layer and loss --------------------------------------------------------------
@rule("L301", "L302", "L303", "L304")
def output_wiring(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    calls = _loss_calls(t)
    done: set[str] = set()
    for call in calls:
        e = call.evidence
        if call.kind == "cross_entropy" and e.get("probabilities") and "L301" not in done:
            done.add("L301")
            yield Finding("L301", Severity.ERROR,
                          f"cross_entropy received probabilities (every row non-negative and summing to 1, min {e['input_min']:.3g}): "
                          "softmax was applied before a loss that applies log-softmax itself.",
                          {k: e[k] for k in ("input_min", "input_max", "row_sum_min", "row_sum_max")}, location="model output")
        elif call.kind == "binary_cross_entropy_with_logits" and e.get("inside_unit_interval") and "L302" not in done \
                and _always_inside(calls, call.kind):
            done.add("L302")
            yield Finding("L302", Severity.ERROR,
                          f"binary_cross_entropy_with_logits received values all inside [0, 1] ({e['input_min']:.3g} to {e['input_max']:.3g}): "
                          "sigmoid was applied before a loss that applies it itself.",
                          {"input_min": e["input_min"], "input_max": e["input_max"]}, location="model output")
        elif call.kind == "nll_loss" and "classes" in e and not e.get("log_probabilities") and "L303" not in done:
            done.add("L303")
            what = "probabilities" if e.get("probabilities") else "raw scores"
            yield Finding("L303", Severity.ERROR,
                          f"nll_loss received {what} (max {e['input_max']:.3g}), not log-probabilities: NLLLoss needs log_softmax before it.",
                          {"input_min": e["input_min"], "input_max": e["input_max"]}, location="model output")
        elif call.kind == "binary_cross_entropy" and "input_min" in e and (e["input_min"] < 0 or e["input_max"] > 1) and "L303" not in done:
            done.add("L303")
            yield Finding("L303", Severity.ERROR,
                          f"binary_cross_entropy received values outside [0, 1] ({e['input_min']:.3g} to {e['input_max']:.3g}): "
                          "it needs probabilities; use binary_cross_entropy_with_logits on logits.",
                          {"input_min": e["input_min"], "input_max": e["input_max"]}, location="model output")
        elif call.kind in REGRESSION and "target_min" in e and "input_min" in e and "L304" not in done:
            message = None
            if e["input_min"] >= 0 and e.get("target_negative_share", 0) > 0.05 and call.step >= 1:
                message = f"the model's outputs are never negative (min {e['input_min']:.3g}) but {e['target_negative_share']:.0%} of targets are"
            elif e["input_min"] >= 0 and e["input_max"] <= 1 and e.get("target_above_one_share", 0) > 0.05 and call.step >= 1:
                message = f"the model's outputs stay in [0, 1] but {e['target_above_one_share']:.0%} of targets exceed 1"
            if message and _persistent(calls, call.kind, e):
                done.add("L304")
                yield Finding("L304", Severity.WARNING, f"The output activation cannot reach the targets: {message}.",
                              {k: e[k] for k in ("input_min", "input_max", "target_min", "target_max")}, location="model output")


def _always_inside(calls: list, kind: str) -> bool:
    """Every inspected call's input lay inside [0, 1], including calls after training began."""
    seen = [c for c in calls if c.kind == kind and "input_min" in c.evidence]
    return len(seen) >= 3 and any(c.step >= 5 for c in seen) and all(c.evidence.get("inside_unit_interval") for c in seen)


def _persistent(calls: list, kind: str, e: dict[str, Any]) -> bool:
    """The output range problem holds on every later sampled call too (not a transient of init)."""
    later = [c.evidence for c in calls if c.kind == kind and "input_min" in c.evidence]
    return all(x["input_min"] >= 0 for x in later) and len(later) >= 3


@rule("L307", final_only=True)
def initial_loss(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    if not t.train_loss or not t.train_loss_steps or t.train_loss_steps[0] != 0:
        return
    kinds = {c.kind for c in _loss_calls(t)}
    first = t.train_loss[0]
    classes = facts.get("n_outputs")
    if "cross_entropy" in kinds and classes and classes >= 2:
        chance = math.log(classes)
    else:
        return
    if math.isfinite(first) and first > INIT_LOSS_ABOVE * chance:
        yield Finding("L307", Severity.WARNING,
                      f"The first train loss {first:.4g} is {first / chance:.1f}x what uniform predictions over {classes} classes give "
                      f"(ln {classes} = {chance:.3g}): the output layer starts confidently wrong.",
                      {"initial_loss": first, "chance_loss": chance, "ratio_to_chance": first / chance}, location="step 0")


@rule("L308")
def loss_sign_or_reduction(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    checks, flipped = t.counters.get("sign_checks", 0), t.counters.get("sign_flipped", 0)
    if checks >= 2 and flipped / checks >= 0.5:
        yield Finding("L308", Severity.ERROR,
                      f"On {flipped} of {checks} sampled steps the tensor passed to backward() was the negative of the loss function's "
                      "output: the loss is being maximised.",
                      {"sign_checks": checks, "sign_flipped": flipped})
        return
    if not final:
        return
    sums = [k for k, r in facts.get("reductions", {}).items() if r == "sum"]
    batches = [c.evidence.get("batch", 1) for c in _loss_calls(t, sums)] if sums else []
    if sums and batches and max(batches) > 1:
        kinds = [o["kind"] for o in facts.get("initial_optimizers") or []]
        plain = any(k == "SGD" for k in kinds)
        yield Finding("L308", Severity.WARNING if plain else Severity.INFO,
                      f"{', '.join(sums)} uses reduction='sum' over batches of {max(batches)}: the gradient and so the step size grow "
                      "with the batch size" + ("." if plain else f" (adaptive {', '.join(kinds)} largely cancels the scale)."),
                      {"losses": sums, "batch": max(batches), "optimizers": kinds})


# -- M: model ----------------------------------------------------------------------------
@rule("M201")
def constant_init(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    constant = [n for n, w in t.initial_weights.items() if w["dims"] >= 2 and w["rows"] > 1 and w["row_spread"] == 0]
    if constant:
        yield Finding("M201", Severity.ERROR,
                      f"{len(constant)} weight matrices started with all rows identical ({', '.join(constant[:3])}): their units compute "
                      "the same thing and receive the same gradient forever.",
                      {"layers": constant, "std": {n: t.initial_weights[n]["std"] for n in constant}}, location=constant[0])


@rule("M209", final_only=True)
def no_gradient(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    if t.grad_samples < 3 or t.backward_calls == 0:
        return
    missing = [n for n, c in t.grad_missing.items() if c >= t.grad_samples and n in t.initial_weights]
    if missing:
        yield Finding("M209", Severity.WARNING,
                      f"{len(missing)} trainable parameter tensors never received a gradient in {t.grad_samples} sampled steps: "
                      + ", ".join(missing[:5]) + ("…" if len(missing) > 5 else "") + ".",
                      {"parameters": missing}, location=missing[0])


# -- G: generalisation ---------------------------------------------------------------------
@rule("G601", final_only=True)
def overfit(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    steps, val, source = _val_series(t, scored=True)
    if len(val) < 5 or _several_optimizers(t):
        return
    train = _train_at(t, steps)
    keep = [i for i, v in enumerate(train) if math.isfinite(v)]
    evidence = overfitting([train[i] for i in keep], [val[i] for i in keep])
    if evidence:
        step = steps[keep[evidence["best_step_index"]]]
        # weights loaded back after the last step: the run kept an earlier checkpoint (early stopping)
        restored = t.restored_at is not None and t.restored_at >= t.steps and t.restored_at > step
        yield Finding(
            "G601", Severity.INFO if restored else Severity.WARNING,
            f"Validation loss bottomed at {evidence['best_val_loss']:.3g} at step {step} and rose to {evidence['final_val_loss']:.3g} "
            f"while train loss kept falling ({evidence['train_loss_at_best']:.3g} → {evidence['final_train_loss']:.3g})"
            + ("; the run then loaded saved weights back into the model (early stopping), so the model it ends with is not "
               "the overfitted one." if restored else "."),
            {**evidence, "best_step": step, "val_source": source, "restored_at": t.restored_at}, location=f"step {step}",
        )


@rule("G602", final_only=True)
def underfit(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    losses = _finite_losses(t)
    reference = reference_loss(t, facts)
    if reference is None or reference <= 0 or len(losses) < 3 * MIN_STEPS_FOR_CURVES or _several_optimizers(t) or t.nonfinite is not None:
        return
    end = float(np.mean(losses[-max(5, len(losses) // 10):]))
    if end >= UNDERFIT_SHARE * reference:
        yield Finding("G602", Severity.WARNING,
                      f"After {len(losses)} steps the train loss is {end:.3g}, still {end / reference:.0%} of what predicting the "
                      f"constant best guess scores ({reference:.3g}): the model does not fit the training data.",
                      {"final_train_loss": end, "reference": reference, "steps": len(losses)})


@rule("G603", final_only=True)
def paradox(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    counts = facts.get("class_counts")
    if not counts:
        return
    support = {c: int(n) for c, n in enumerate(counts["support"]) if n > 0}
    recall = {c: counts["correct"][c] / n for c, n in support.items()}
    evidence = accuracy_paradox(recall, support)
    if evidence:
        yield Finding("G603", Severity.WARNING,
                      f"In the last evaluation pass accuracy is {evidence['accuracy']:.1%}, about the majority class's share "
                      f"{evidence['majority_share']:.1%}, and class(es) {evidence['never_predicted']} are never recognised (recall 0).",
                      evidence)


@rule("G604", final_only=True)
def suspicious_val(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    steps, val, _ = _val_series(t)
    if not val or t.nonfinite is not None or _several_optimizers(t):
        return
    train = _train_at(t, steps)
    if not math.isfinite(train[-1]):
        return
    why = suspicious_validation(train[-1], val[-1], None, None, reference_loss(t, facts))
    if why and facts.get("has_dropout") and not val[-1] < 0.25 * train[-1]:
        why = None  # dropout alone can double the train-mode loss relative to eval mode
    if why:
        yield Finding("G604", Severity.WARNING,
                      f"At the last evaluation (step {steps[-1]}), {why}: the validation set looks easier than the training set, or overlaps it.",
                      {"train_loss": train[-1], "val_loss": val[-1], "step": steps[-1]})


@rule("G605", final_only=True)
def undertrained(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    if t.nonfinite is not None or t.exception or _several_optimizers(t):
        return
    evidence = still_falling(_finite_losses(t))
    if evidence:
        yield Finding("G605", Severity.INFO,
                      f"The train loss was still falling steadily when the run ended ({evidence['relative_drop_over_tail']:.0%} over its "
                      f"last {evidence['tail_steps']} steps, p={evidence['p_value']:.1g}); at that pace a run twice as long would take "
                      f"another {min(evidence['projected_drop'], 1.0):.0%} off: it would gain from training longer.",
                      evidence)
