"""Verdicts for the W rules: turn a watch's telemetry into Findings.

Pure functions of the recorded numbers (and a few static facts about the watched
objects); nothing here touches a model. Thresholds follow from what each rule means and
are shared with the checkup where the same quantity is judged there.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import torch

from ..verdicts.layers import (
    OPENING_SHARE, GradientReach, LayerGradients, UnitDeath, UnitShare, UnitShares, WeightInit, constant_init as constant_init_verdict,
    dead_units_at_init, no_gradient_path as no_gradient_path_verdict, saturated_units_at_init,
    units_died, vanishing_gradients as vanishing_gradients_verdict,
)
from ..checks.optimisation import norm_clip_shrinks_steps, per_element_grads
from ..probes.init_outputs import pos_weighted_rate
from ..findings import Finding, Severity
from .loss_inspect import REGRESSION
from ..verdicts.curves import (  # noqa: F401  (oscillation_evidence re-exported)
    CURVE_WINDOWS,
    DIVERGED_RISE,
    FIT_SHARE,
    HEALTHY_UPDATE,
    MIN_STEPS_FOR_CURVES,
    REDRAW_UPDATE,
    SLOW_UPDATE,
    PriorEntropy,
    _end_level,
    class_prior_loss,
    did_not_fit,
    in_same_units,
    not_halfway,
    oscillation_evidence,
    smoothed_target_entropy,
    still_falling,
    straight_descent,
    windows,
)
from ..verdicts.optimisation import (
    DecayInRun,
    GradientHistory,
    LearningRateEvidence,
    LossCurve,
    NonFinite,
    OptimizerSettings,
    OscillationEvidence,
    PlateauEvidence,
    RegularisationEvidence,
    excessive_regularisation,
    exploding_gradients as exploding_gradients_verdict,
    learning_rate,
    loss_plateau,
    oscillating_loss,
    optimizer_settings as optimizer_settings_verdict,
    lr_may_limit,
    lr_may_stall,
)
from ..verdicts.generalisation import (
    ClassRecall,
    FitEvidence,
    TailOfRun,
    TrainValCurves,
    ValidationEvidence,
    accuracy_paradox_verdict,
    overfitting_verdict,
    suspicious_validation_verdict,
    underfitting,
    undertrained as undertrained_verdict,
)
from ..verdicts.data import (
    BatchOrder, InputScale, LabelEncoding, MemorisationCurve, NonFiniteData, TargetScale, bad_label_encoding,
    batch_order_from_counts, labels_unpredictable, mixed_feature_scales, non_finite_data, pooled_moments,
    unnormalised_inputs, unscaled_regression_targets,
)
from ..verdicts.data import ordered_batches as _ordered_batches
from ..verdicts.loss import (
    InitialLoss, LossDirection, LossForTargets, LossReduction, OutputBound, OutputsAtLoss, double_softmax,
    missing_output_normalization, output_range_mismatch, regression_loss_for_classification, sigmoid_before_logits_loss,
    unexpected_initial_loss,
)
from ..verdicts.loss import loss_sign_or_reduction as _loss_sign_or_reduction
from ..verdicts.trend import level_at
from ..verdicts.model import OutputOffset, at_data_prior
from ..verdicts.loop import (  # noqa: F401  (thresholds re-exported: they lived here before)
    MODE_SHARE,
    UNCLEARED_MIN,
    UNCLEARED_SHARE,
    BackwardModes,
    BatchFingerprints,
    EvaluationModes,
    GradientClearing,
    ParameterUpdates,
    Seeding,
    StepOrder,
    trained_in_eval_mode,
)
from ..verdicts.loop import eval_mode_training as eval_mode_training_verdict
from ..verdicts.loop import missing_zero_grad as missing_zero_grad_verdict
from ..verdicts.loop import parameters_not_updated as parameters_not_updated_verdict
from ..verdicts.loop import same_batch as same_batch_verdict
from ..verdicts.loop import step_order as step_order_verdict
from ..verdicts.loop import train_mode_evaluation as train_mode_evaluation_verdict
from ..verdicts.loop import unseeded as unseeded_verdict
from ..verdicts.schedule import (  # noqa: F401  (thresholds re-exported: they lived here before)
    CLIPPED_SHARE,
    LAYER_GAP,
    LR_EARLY,
    LR_NEAR_ZERO,
    LR_RAISED,
    LR_SMALL,
    MIN_CLIP_CALLS,
    MIN_UPDATE_SAMPLES,
    MIN_VALUE_CLIP_SAMPLES,
    UPDATE_TOO_LARGE,
    UPDATE_TOO_SMALL,
    Clipping,
    LrSchedule,
    UpdateRatios,
)
from ..verdicts.schedule import aggressive_clipping as aggressive_clipping_verdict
from ..verdicts.schedule import lr_schedule as lr_schedule_verdict
from ..verdicts.schedule import update_ratio as update_ratio_verdict
from .predictions import recall_bounds
from .telemetry import CLASS_LOSSES, Telemetry

# Rules safe to announce while the loop runs: their evidence cannot be undone by later steps.
ALERTABLE = frozenset({"O401", "D104", "D113", "L301", "L302", "L303", "T501", "T502", "T503", "T505", "O403", "M201", "L308"})

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
    return found  # symptom -> cause links are made in one place: diagnosis.rank


# -- helpers ---------------------------------------------------------------------------
def _loss_calls(t: Telemetry, kinds: Iterable[str] | None = None) -> list:
    kinds = tuple(kinds) if kinds else None
    return [c for c in t.loss_calls if c.train and (kinds is None or c.kind in kinds)]


def _finite_losses(t: Telemetry) -> list[float]:
    return [v for v in t.train_loss if math.isfinite(v)]


def _several_optimizers(t: Telemetry) -> bool:
    return sum(1 for s in t.optimizer_steps.values() if s > 0) > 1


def _class_prior(t: Telemetry) -> PriorEntropy | None:
    """The best constant's loss on the class targets seen at the loss, honest about how few labels that is.

    The label entropy, or under class weights and label smoothing the loss those give a constant
    prediction (:func:`class_prior_loss`); None when the calls disagree on them or the weights were not recorded.
    """
    if not t.label_counts:
        return None
    total = np.sum([counts for _, counts in t.label_counts if len(counts) == len(t.label_counts[0][1])], axis=0).astype(float)
    calls = [c.evidence for c in _loss_calls(t, ("cross_entropy", "nll_loss"))]
    weights = {tuple(e["class_weight"]) if "class_weight" in e else None for e in calls}
    smoothing = {float(e.get("label_smoothing") or 0.0) for e in calls}
    if any(e.get("weighted") for e in calls) or len(weights) > 1 or len(smoothing) > 1:
        return None
    weight = weights.pop() if weights else None
    return class_prior_loss(total, weight, smoothing.pop() if smoothing else 0.0)


def loss_in_reference_units(t: Telemetry) -> bool:
    """Whether the recorded train loss is one built-in loss's mean over its terms, the units a reference is in.

    A reference (the best constant predictor's loss) is a per-sample (per-element) mean of one
    loss: it compares with the training loss only when every training call of the loss
    function was mean-reduced and only one kind of loss was called. A sum over the batch
    (``reduction='sum'``) is a batch-size multiple of it, and a loss built of several terms
    (a VAE's reconstruction + KL) has terms the reference knows nothing of.
    """
    calls = _loss_calls(t)
    if not calls or len({c.kind for c in calls}) != 1:
        return False
    if t.counters.get("loss_other_terms", 0):
        return False  # the recorder saw the backpropagated loss add terms to the loss call's output
    return all(c.evidence.get("reduction", "mean") == "mean" for c in calls)


def reference_loss(t: Telemetry, facts: dict[str, Any], upper: bool = False) -> float | None:
    """The loss of the best constant predictor, where "no learning" sits, in the train loss's own units; else None.

    For class targets it is estimated from the labels counted at the loss; ``upper`` asks for
    the most it can be given how many labels that is (see ``PriorEntropy``), for verdicts
    that must not fire on an estimate biased low. None when the train loss is not in the
    reference's units (:func:`loss_in_reference_units`): the verdicts that need one abstain.
    """
    if not loss_in_reference_units(t):
        return None
    kinds = {c.kind for c in _loss_calls(t)}
    if "cross_entropy" in kinds or "nll_loss" in kinds:
        prior = _class_prior(t)
        return None if prior is None else (prior.upper if upper else prior.estimate)
    if kinds & {"binary_cross_entropy_with_logits", "binary_cross_entropy"}:
        binary = [c.evidence for c in _loss_calls(t, ("binary_cross_entropy_with_logits", "binary_cross_entropy"))]
        means = [e.get("target_mean") for e in binary]
        means = [m for m in means if m is not None and 0 <= m <= 1]
        weights = {e.get("pos_weight", 1.0) for e in binary}
        if means and len(weights) == 1 and not any(e.get("weighted") for e in binary):
            p = min(max(float(np.mean(means)), 1e-6), 1 - 1e-6)
            w = weights.pop()
            q = pos_weighted_rate(p, w)
            return float(-(w * p * math.log(q) + (1 - p) * math.log(1 - q)))
    if "mse_loss" in kinds and t.target_stats:
        return train_target_moments(t)[1]
    return None


def train_target_moments(t: Telemetry) -> tuple[float, float]:
    """(mean, variance) of the regression targets the inspected training loss calls saw, pooled over the calls:
    the variance is the best constant's MSE (the reference), its root the targets' spread."""
    stds = [s for _, _, s in t.target_stats]
    means = [m for _, m, _ in t.target_stats]
    return float(np.mean(means)), float(np.mean(np.square(stds)) + np.var(means))


def robust_reference_loss(t: Telemetry, upper: bool = False) -> float | None:
    """The best constant's L1 / Huber / smooth-L1 loss on the target rows sampled at the loss, in the train loss's units; else None.

    Kept apart from :func:`reference_loss` and read by G602 alone: the other verdicts that
    compare a validation loss with the reference read their validation series from every
    no-grad call of the loss, which is not always a validation pass.
    """
    if not loss_in_reference_units(t) or not t.target_samples:
        return None
    robust = {c.kind for c in _loss_calls(t)} & {"l1_loss", "huber_loss", "smooth_l1_loss"}
    if not robust:
        return None
    from .loss_inspect import best_constant_loss

    kind = robust.pop()
    calls = _loss_calls(t, (kind,))
    delta = next((c.evidence["delta"] for c in calls if "delta" in c.evidence), 1.0)
    beta = next((c.evidence["beta"] for c in calls if "beta" in c.evidence), 1.0)
    rows = [row for _, sample in t.target_samples for row in sample]
    return best_constant_loss(kind, rows, delta=delta, beta=beta, upper=upper)


def _optimizer_lr(facts: dict[str, Any]) -> tuple[float | None, str | None]:
    """The single watched optimizer's kind and first group's LR, when there is exactly one."""
    optimizers = facts.get("initial_optimizers") or []
    if len(optimizers) != 1 or not optimizers[0].get("groups"):
        return None, None
    lr = optimizers[0]["groups"][0].get("lr")
    return (float(lr) if isinstance(lr, (int, float)) else None), optimizers[0].get("kind")


def live_curve(t: Telemetry, facts: dict[str, Any]) -> LossCurve:
    """The run's per-step train loss as a verdict's curve: ten window means, the raw steps, the reference."""
    losses = _finite_losses(t)
    return LossCurve(values=tuple(float(v) for v in windows(losses, CURVE_WINDOWS)), source="per-step",
                     steps=len(losses), span=f"over {len(losses)} steps", reference=reference_loss(t, facts),
                     per_step=tuple(losses), initial=_initial_loss(t))


def _live_lr_evidence(t: Telemetry, facts: dict[str, Any], final: bool) -> LearningRateEvidence:
    lr, kind = _optimizer_lr(facts)
    last = next((float(np.median(t.update_ratios[n])) for n in reversed(t.weight_params) if t.update_ratios.get(n)), None)
    # a step that re-evaluates its closure (LBFGS) sizes itself by line search: no LR-driven re-draw to judge
    redraw = [] if t.counters.get("closure_repeats", 0) else [r for n in t.weight_params if (r := _median_over_start(t, n)) is not None]
    return LearningRateEvidence(lr=lr, optimizer=kind, curve=live_curve(t, facts), update_ratio=_median_update_ratio(t),
                                last_update_ratio=last, redraw_ratio=float(np.median(redraw)) if redraw else None, final=final)


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
    """T501's measurement from the live loop: steps whose gradients were (not) cleared since the previous step."""
    c = t.counters
    yield from missing_zero_grad_verdict(GradientClearing(
        uncleared_steps=c.get("uncleared_steps", 0), cleared_steps=c.get("cleared_steps", 0),
        zero_grad_calls=c.get("zero_grad_calls", 0), steps=t.steps))


def _backward_modes(t: Telemetry) -> BackwardModes:
    return BackwardModes(checked=t.counters.get("backward_checked", 0), in_eval_mode=t.counters.get("backward_in_eval_mode", 0))


def _trained_in_eval_mode(t: Telemetry) -> bool:
    """Whether the loop trains in eval mode (T502's decision; D101 reads it for a first BatchNorm)."""
    return trained_in_eval_mode(_backward_modes(t))


@rule("T502")
def eval_mode_training(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """T502's measurement from the live loop: the model's mode at each checked backward pass."""
    yield from eval_mode_training_verdict(_backward_modes(t))


@rule("T503")
def train_mode_evaluation(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """T503's measurement from the live loop: the model's mode at each forward pass without gradients."""
    yield from train_mode_evaluation_verdict(EvaluationModes(
        eval_forwards=t.counters.get("eval_forwards", 0), in_train_mode=t.counters.get("eval_forwards_in_train_mode", 0)))


@rule("T504", final_only=True)
def parameters_not_updated(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """T504's measurement from the live loop: the trainable tensors that never changed, and the reasons found for each
    (a loop that updates the weights by hand counts its hand-written steps)."""
    yield from parameters_not_updated_verdict(ParameterUpdates(
        optimizer_steps=sum(t.optimizer_steps.values()) or t.manual_steps, steps=t.steps, trainable=len(t.initial_weights),
        unchanged=t.unchanged_params, reasons=t.stuck_reasons, reached=t.reached_params, diverged=t.nonfinite is not None,
        sizes={n: t.param_sizes[n] for n in t.initial_weights if n in t.param_sizes}))


@rule("T505")
def step_order(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """T505's measurement from the live loop: the recorder's counts of misordered backward/zero_grad/step/scheduler calls."""
    c = t.counters
    yield from step_order_verdict(StepOrder(
        optimizer_steps=sum(t.optimizer_steps.values()), backward_calls=t.backward_calls,
        step_without_backward=c.get("step_without_backward", 0),
        zero_between_backward_and_step=c.get("zero_between_backward_and_step", 0),
        discarded_backwards=c.get("discarded_backwards", 0), scheduler_before_optimizer=c.get("scheduler_before_optimizer", 0),
        manual_steps=t.manual_steps, final=final,
        clips_after_step=len(t.late_clip_calls) + c.get("late_value_clips", 0),
        late_clips_that_cut=sum(norm > bound for _, norm, bound in t.late_clip_calls),
        updates_visible=bool(facts.get("initial_optimizers") or t.optimizer_steps or t.initial_weights)))


def _step_fingerprints(t: Telemetry) -> dict[int, tuple]:
    first: dict[int, tuple] = {}
    for step, fingerprint in t.fingerprints:
        first.setdefault(step, fingerprint)
    return first


@rule("T506")
def same_batch(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """T506's measurement from the live loop: the first input fingerprint at each sampled step, and the loaders' lengths."""
    shape = t.inputs[-1]["shape"] if t.inputs else None
    rows = t.rows_held_like(shape) if shape else 0
    yield from same_batch_verdict(BatchFingerprints(_step_fingerprints(t), loader_batches=max((n for n in t.loaders if n), default=None),
                                                    batch_rows=shape[0] if shape else None, rows_held=rows))


@rule("T507", final_only=True)
def unseeded(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """T507's measurement from the live loop: whether a seed was set, and the steps trained."""
    yield from unseeded_verdict(Seeding(seeded=t.seeded, steps=t.steps))


# -- O: optimisation ---------------------------------------------------------------------
@rule("O401")
def divergence(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """O401's measurement from the live loop: the first non-finite loss, else the per-step curve."""
    info = t.nonfinite
    if info is not None:
        finite = [v for v in t.train_loss[: t.train_loss_steps.index(info["step"])] if math.isfinite(v)] if info["step"] in t.train_loss_steps else []
        lr, kind = _optimizer_lr(facts)
        found = learning_rate(LearningRateEvidence(lr=lr, optimizer=kind, nonfinite=NonFinite(info["step"], dict(info), tuple(finite))))
        yield from (f for f in found if f.code == "O401")
        return
    losses = _finite_losses(t)
    if len(losses) < MIN_STEPS_FOR_CURVES or _several_optimizers(t) or t.counters.get("sign_flipped", 0):
        return
    yield from (f for f in learning_rate(_live_lr_evidence(t, facts, final)) if f.code == "O401")


def _initial_loss(t: Telemetry) -> float | None:
    """The train loss at step 0, before any update changed the weights."""
    if t.train_loss_steps and t.train_loss_steps[0] == 0 and math.isfinite(t.train_loss[0]):
        return float(t.train_loss[0])
    return None


def _pre_clip_norms(t: Telemetry) -> tuple[list[float], list[int], str]:
    """The densest gradient-norm series watch has, with its steps: the loop's own clip calls, else every step's norm, else the sampled steps."""
    calls = sorted(t.clip_calls + t.late_clip_calls)
    if len(calls) >= 10:
        return [n for _, n, _ in calls], [s for s, _, _ in calls], "pre-clipping gradient norm"
    if len(t.step_grad_norm) >= 10:
        every = "every step" if t.step_norm_stride == 1 else f"every {t.step_norm_stride} steps"
        return list(t.step_grad_norm), list(t.step_grad_steps), f"gradient norm (measured {every})"
    return list(t.total_grad_norm), list(t.grad_steps), "gradient norm"


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
    """O403's measurement from the live loop: the (pre-clip) gradient norms and the gradient-to-weight ratio."""
    norms, steps, label = _pre_clip_norms(t)
    yield from exploding_gradients_verdict(GradientHistory(
        norms=tuple(norms), span=f"over {t.steps} steps", label=label, layer_norms=t.grad_norms,
        grad_to_weight=tuple(gradient_to_weight(t)), steps=tuple(steps),
        loss_at=dict(zip(t.train_loss_steps, t.train_loss)), recurrent=tuple(facts.get("recurrent_layers") or ()),
        optimizer=_optimizer_lr(facts)[1] or _hand_written(t, facts), loop_clips=bool(t.clip_calls or t.value_clips),
        curve=live_curve(t, facts),
    ))


def _hand_written(t: Telemetry, facts: dict[str, Any]) -> str | None:
    """"hand-written SGD" for a loop that no optimizer stepped (``p -= lr * p.grad``, the word-LM example), else None.

    Such an update is the gradient times a number: plain SGD, whose step grows with the gradient.
    """
    return "hand-written SGD" if not facts.get("initial_optimizers") and t.backward_calls and t.steps else None


@rule("O404", final_only=True)
def vanishing_gradients(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """Gradient reaching the first block vs the last, after the first sampled steps (verdict: O404).

    The verdict judges per block (its best-fed weight layer). The first half of the sampled
    steps is left out: queries and keys get second-order gradients while attention is still
    uniform, and O404 is a property of training, not of the first step. As checkup judges its
    trial, the run's opening quarter is judged too (at least 3 sampled steps): there an
    adaptive optimizer has not yet lifted the starved early layers.
    """
    steps = sorted(set(t.grad_steps))
    if len(steps) < 3:
        return

    def over(window: set[int], span: str) -> list[Finding]:
        kept = {n: [v for v, s in zip(norms, t.grad_norm_steps.get(n, [])) if s in window] for n, norms in t.grad_norms.items()}
        return list(vanishing_gradients_verdict(LayerGradients(per_element_grads(kept, t.param_sizes, t.weight_params), span)))

    later = set(steps[len(steps) // 2:])
    found = over(later, f"over {len(later)} sampled steps from step {min(later)}")
    opening = {s for s in steps if s < OPENING_SHARE * max(t.steps, 1)}
    if not found and len(opening) >= 3 and len(opening) < len(steps):
        found = over(opening, f"over the {len(opening)} sampled steps of the run's first {int(OPENING_SHARE * t.steps)} steps")
    if not found and _plain_gradient_steps(t, facts):
        start = set(steps[:START_SAMPLES])
        found = over(start, f"over the run's first {len(start)} sampled steps, taken as plain gradient steps")
    yield from found


START_SAMPLES = 3  # O404 at the start of a plain-gradient run: the first sampled steps


def _plain_gradient_steps(t: Telemetry, facts: dict[str, Any]) -> bool:
    """Every step is the gradient times a number (SGD, or a hand-written update): a starved early layer stays starved.

    An adaptive optimizer divides each parameter's step by its own gradient's scale, so there a gradient
    that shrinks towards the input is lifted within a few steps, and only a later window can show it persist.
    With plain steps the ratio the layers start with is the ratio at which they learn: the output layer fits
    its share first, and a later window compares the early layers with an output layer that has stopped moving.
    """
    kinds = [o.get("kind") for o in facts.get("initial_optimizers") or []]
    return _hand_written(t, facts) is not None or (bool(kinds) and all(k == "SGD" for k in kinds))


@rule("O405", "M203", final_only=True)
def dying_relu(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """Dead units at the first sampled steps (verdict: M203), and units that died during training (verdict: O405)."""
    series_by_layer = {name: series for name, series in t.dead_share.items() if len(series) >= 4}
    at_init = [UnitShare(name, float(np.mean([v for _, v in series[:2]])), t.relu_units.get(name))
               for name, series in series_by_layer.items()]
    yield from dead_units_at_init(UnitShares(at_init, "on the first sampled batches of the run"))
    deaths = [UnitDeath(name, [(int(s), float(v)) for s, v in series]) for name, series in series_by_layer.items()]
    yield from units_died(deaths, list(zip(t.train_loss_steps, t.train_loss)), smoothing_floor(t), _falling_at_end(t))


def smoothing_floor(t: Telemetry) -> float:
    """The train loss's floor under label smoothing (the smoothed target's entropy), when every training call of the
    loss is one unweighted cross-entropy with one smoothing over one class count, in the loss's own units; else 0."""
    calls = _loss_calls(t)
    if not calls or any(c.kind != "cross_entropy" for c in calls) or not loss_in_reference_units(t):
        return 0.0
    evidence = [c.evidence for c in calls]
    smoothing = {float(e.get("label_smoothing") or 0.0) for e in evidence}
    classes = {e.get("classes") for e in evidence}
    if len(smoothing) != 1 or len(classes) != 1 or None in classes \
            or any(e.get("weighted") or "class_weight" in e for e in evidence):
        return 0.0
    return smoothed_target_entropy(smoothing.pop(), int(classes.pop()))


@rule("M204", final_only=True)
def saturation(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """Saturated sigmoid/tanh layers at the first step (verdict: M204).

    The first step is the earliest sampled one, 0 or 1: a loop that updates the weights by hand closes
    its first step only when the next backward begins, so its first forward is sampled as step 1.
    """
    shares = []
    for name, series in t.saturated_share.items():
        first = min((step for step, _ in series), default=None)
        values = [v for step, v in series if step == first] if first is not None and first <= 1 else []
        if values:
            shares.append(UnitShare(name, float(np.mean(values))))
    yield from saturated_units_at_init(UnitShares(shares, "at the first step of the run"))


@rule("O406", "O402", final_only=True)
def plateau(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """O406 and O402 from the live curve: a loss that does not move, or one that falls far too slowly.

    A loss that never moved is a plateau whatever the cause (its message names tiny updates
    when they are the reason). When the flat loss still falls steadily under steps far below
    the ~1e-3 rule of thumb, the LR is why (O402, which the diagnosis ranks as the plateau's
    cause). Frozen weights are tied to the LR only by a range test on a copy, which the
    run's exam adds (:func:`exam_requests`).
    """
    losses = _finite_losses(t)
    if len(losses) < MIN_STEPS_FOR_CURVES or _several_optimizers(t) or t.nonfinite is not None:
        return
    evidence = _live_lr_evidence(t, facts, final)
    flat = list(loss_plateau(PlateauEvidence(evidence.curve, update_ratio=evidence.update_ratio)))
    yield from flat
    yield from (f for f in learning_rate(evidence) if f.code == "O402")


steady_descent = straight_descent  # the straight-descent measurement O402 reads, under its earlier name


def _median_update_ratio(t: Telemetry) -> float | None:
    per_layer = [float(np.median(t.update_ratios[n])) for n in t.weight_params if t.update_ratios.get(n)]
    return float(np.median(per_layer)) if per_layer else None


@rule("O407", final_only=True)
def oscillating(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """O407's measurement from the live loop: the per-step losses and their steps, else the validation curve.

    Minibatch noise can hide a bounce in the per-step losses (a small batch of an L1 loss); the
    validation evaluations see one fixed set, so only the weights move them.
    """
    if _several_optimizers(t) or t.nonfinite is not None:
        return
    steps = [s for s, v in zip(t.train_loss_steps, t.train_loss) if math.isfinite(v)]
    losses = _finite_losses(t)
    share = _content_spike_share(t, losses[0] if losses else None)
    found = list(oscillating_loss(OscillationEvidence(tuple(losses), "per-step", tuple(steps),
                                                      update_ratio=_median_update_ratio(t), content_share=share,
                                                      content_typical=_content_typical(t))))
    if not found:
        val_steps, val, _ = _val_series(t, scored=True)
        found = list(oscillating_loss(OscillationEvidence(tuple(val), "validation", tuple(val_steps))))
    yield from found


CONTENT_DRAWS = 2000  # batches drawn from the target sample to measure what content alone does to a batch's loss


def constant_batch_losses(t: Telemetry) -> np.ndarray | None:
    """Losses of batches of the loop's size at the constant predictor's level, drawn (seeded, the global RNG untouched)
    from the regression targets the training loss was given (every call's, up to ``CONTENT_ELEMENTS``; else the rows
    sampled at the inspected calls): what batch content alone does to the loss at fixed weights.
    None without such rows or a mean-reduced regression loss. Measured once per state of the targets (kept in
    ``t.content_draws``): O407, G602 and the exam's requests all read it at the end of a run.

    A heavy-tailed target (claim costs) makes a batch holding an outlier score many times the typical one.
    """
    key = (t.regression_target_elements, len(t.target_samples), len(t.loss_calls))
    if t.content_draws is None or t.content_draws[0] != key:
        t.content_draws = (key, _draw_constant_batches(t))
    return t.content_draws[1]


def _draw_constant_batches(t: Telemetry) -> np.ndarray | None:
    if not (t.regression_targets or t.target_samples) or not loss_in_reference_units(t):
        return None
    from .loss_inspect import best_constant_terms

    kinds = {c.kind for c in _loss_calls(t)}
    if len(kinds) != 1 or not kinds <= set(REGRESSION):
        return None
    kind = kinds.pop()
    calls = _loss_calls(t, (kind,))
    if any(c.evidence.get("reduction", "mean") != "mean" for c in calls):
        return None
    sizes = [c.evidence["input_shape"][0] for c in calls if c.evidence.get("input_shape")]
    delta = next((c.evidence["delta"] for c in calls if "delta" in c.evidence), 1.0)
    beta = next((c.evidence["beta"] for c in calls if "beta" in c.evidence), 1.0)
    widths = {rows.shape[1] for rows in t.regression_targets}
    rows = torch.cat(t.regression_targets) if len(widths) == 1 else [row for _, sample in t.target_samples for row in sample]
    terms = best_constant_terms(kind, rows, delta, beta)
    if terms is None or not sizes or len(terms) < 2:
        return None
    per_row = terms.mean(1).numpy()
    return np.random.default_rng(0).choice(per_row, size=(CONTENT_DRAWS, max(1, int(np.median(sizes))))).mean(1)


def _content_spike_share(t: Telemetry, first: float | None) -> float | None:
    """Share of batches whose loss at the constant predictor's level exceeds ``DIVERGED_RISE`` x the run's first loss
    by their content alone (:func:`constant_batch_losses`): O407's spikes are the steps' only beyond that rate."""
    draws = constant_batch_losses(t) if first is not None and first > 0 else None
    return None if draws is None else float(np.mean(draws > DIVERGED_RISE * first))


def _content_typical(t: Telemetry) -> float | None:
    """The typical (median) batch's loss at the constant predictor's level (:func:`constant_batch_losses`)."""
    draws = constant_batch_losses(t)
    return None if draws is None else float(np.median(draws))


@rule("O408")
def aggressive_clipping(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """O408's measurement from the live loop: the loop's clip calls, and whether its optimizers' steps shrink with the gradient."""
    yield from aggressive_clipping_verdict(Clipping(
        norm_calls=[(n, m) for _, n, m in t.clip_calls], value_clips=t.value_clips,
        clip_shrinks_steps=norm_clip_shrinks_steps(o["kind"] for o in facts.get("initial_optimizers") or [])))


@rule("O411", final_only=True)
def lr_schedule(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """O411's measurement from the live loop: each optimizer's LR per step; the first optimizer with a finding is reported."""
    for index, series in t.lr.items():
        found = list(lr_schedule_verdict(LrSchedule(series, t.schedulers, location=f"optimizer {index}")))
        if found:
            yield from found
            return


@rule("O412", final_only=True)
def update_ratio(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """O412's measurement from the live loop: per weight layer, the median update over the current and the starting norm."""
    per_layer = {n: _run_median(t, n, t.update_ratios[n]) for n in [*t.weight_params, *t.embedding_params]
                 if len(t.update_ratios.get(n, [])) >= MIN_UPDATE_SAMPLES}
    # "too large" is read against a layer's starting norm; a table's rows start at their own scale (not judged)
    vs_start = {n: r for n in t.weight_params
                if n in per_layer and (r := _median_over_start(t, n, over_run=True)) is not None}
    yield from update_ratio_verdict(UpdateRatios(
        per_layer=per_layer, per_layer_vs_start=vs_start,
        sampled_steps=len(t.update_steps), started_at_zero=frozenset(n for n in per_layer if _started_at_zero(t, n)),
        diverged=t.nonfinite is not None, line_search=bool(t.counters.get("closure_repeats", 0))))


def _started_at_zero(t: Telemetry, name: str) -> bool:
    """Whether ``name`` was all zeros when first measured."""
    norms = t.weight_norms.get(name, [])
    return bool(norms) and norms[0][1] <= 0


def default_init_norm(numel: int, fan_in: int) -> float:
    """The norm PyTorch's default init gives a weight of this size: uniform with std 1/sqrt(3·fan_in) per element."""
    return math.sqrt(numel / (3.0 * fan_in))


def _median_over_start(t: Telemetry, name: str, over_run: bool = False) -> float | None:
    """Median update size of ``name`` over the scale it started at: its first measured norm, or, for a weight
    started far below the usual scale on purpose (an IRNN's 0.001-std input weights), the norm PyTorch's
    default init gives its shape; steps that only grow such a weight to an ordinary size re-draw nothing.
    ``over_run``: the median over the run's steps (:func:`_run_median`), not over the samples."""
    norms = [w for _, w in t.weight_norms.get(name, [])]
    deltas = t.update_norms.get(name, [])
    if len(deltas) < 3 or not norms or norms[0] <= 0:
        return None
    scale = norms[0]
    if name in t.fan_in and name in t.param_sizes:
        scale = max(scale, default_init_norm(t.param_sizes[name], t.fan_in[name]))
    return (_run_median(t, name, deltas) if over_run else float(np.median(deltas))) / scale


def _run_median(t: Telemetry, name: str, values: Sequence[float]) -> float:
    """The median of a layer's sampled update sizes over the run's steps: a sample stands for the steps up to the next.

    Updates are sampled densely at first (steps 0, 1, 2, 4, 8, 16, then every few dozen), so a plain median over
    the samples is mostly the first fifty steps' (a head still finding its scale); the typical step of a run of
    hundreds is the one most of its steps took. The last sample stands for one sampling interval (the layer's model
    may stop training long before the run ends: a teacher before its student). Plain median when the samples'
    steps are not known one to one.
    """
    steps = [s for s, _ in t.weight_norms.get(name, [])]
    if len(steps) != len(values) or len(values) < 2:
        return float(np.median(values))
    gaps = np.diff(np.asarray(steps, dtype=float))
    weights = np.append(gaps, gaps[-1]).clip(min=1.0)
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(np.asarray(values, dtype=float)[order][int(np.searchsorted(cumulative, cumulative[-1] / 2))])


@rule("O409", final_only=True)
def weight_decay_dominates(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """O409's measurement from the live loop: the weight decay, the weights' total norm at start and end, the final loss."""
    decays = sorted(set(_weight_decays(facts)))
    losses = _finite_losses(t)
    if not decays or decays[-1] <= 0 or len(losses) < 3 * MIN_STEPS_FOR_CURVES or t.nonfinite is not None or _several_optimizers(t):
        return
    norms = [t.weight_norms[n] for n in t.weight_params if len(t.weight_norms.get(n, [])) >= 3]
    if not norms:
        return
    start = math.sqrt(sum(series[0][1] ** 2 for series in norms))
    end = math.sqrt(sum(series[-1][1] ** 2 for series in norms))
    final_loss = _final_train_loss(losses)
    yield from excessive_regularisation(RegularisationEvidence(
        reference=reference_loss(t, facts), in_run=DecayInRun(decays[-1], start, end, final_loss)))


def fell_short(t: Telemetry, facts: dict[str, Any], found: Sequence[Finding]) -> bool:
    """The run did not fit its training data: its loss stayed flat (O406), or ended not even halfway below the constant
    predictor's (:func:`not_halfway`). O404 reads it: a plain recurrent layer's gradient vanished back through time is
    why such a run fell short."""
    losses = _finite_losses(t)
    judged = t.nonfinite is None and len(losses) >= MIN_STEPS_FOR_CURVES
    return did_not_fit(any(f.code == "O406" for f in found), _final_train_loss(losses) if judged else None,
                       reference_loss(t, facts))


def _not_halfway(t: Telemetry, facts: dict[str, Any], losses: list[float]) -> bool:
    """The run's train loss ended not even halfway below the constant predictor's."""
    return not_halfway(_final_train_loss(losses), reference_loss(t, facts))


def _final_train_loss(losses: list[float]) -> float:
    """Where the run's train loss ended: the mean of its last tenth (at least 5 steps), above a single batch's noise."""
    return float(np.mean(losses[-max(5, len(losses) // 10):]))


def _weight_decays(facts: dict[str, Any]) -> list[float]:
    """The weight decay of every parameter group of the watched optimizers, as they started."""
    return [float(g.get("weight_decay") or 0.0) for o in facts.get("initial_optimizers") or [] for g in o["groups"]]


def _may_be_affine(t: Telemetry, facts: dict[str, Any]) -> bool:
    """Two weight layers or more, no activation module (by its class's name) and no ReLU, tanh or sigmoid seen on a
    sampled forward, and a final train loss above the single-batch test's bar (``FIT_SHARE`` of the constant
    predictor's)."""
    if facts.get("weight_layers", 0) < 2 or facts.get("activation_modules") or t.relu_units or t.dead_share \
            or t.saturated_share:
        return False
    reference = reference_loss(t, facts)
    return reference is not None and _final_train_loss(_finite_losses(t)) > FIT_SHARE * reference


def exam_requests(t: Telemetry, facts: dict[str, Any], found: Sequence[Finding]) -> list[str]:
    """Training-phase checks the run's exam should add, because only a copy of the setup can measure them.

    ``found``: what :func:`evaluate` gave on the finished run, before ranking (the plateau, underfit, dying-unit and
    oscillation readings below are those findings, not a second evaluation).

    O409 asks whether the fit would be better without the regularisation; the real run
    cannot remove it, a copy trained with and without it can (checkup's equal-training
    probe, judged by the same verdict). Asked for only when the run regularised (dropout or
    weight decay) and ended with its train loss not even halfway below the constant
    predictor's: a run that fitted has no excess regularisation to find.
    O402 asks whether the LR is why the weights did not move: a flat loss under steps a tenth
    of the ~1e-3 rule of thumb or smaller is also what a gradient that never reaches the weights
    gives, and only the range test on a copy tells the two apart. It asks too when the run ended with its loss still
    falling steadily under such steps: a budget spent at too low an LR, or a short run at a sound one. G602 asks for the
    playbook's single-batch overfit when the run ended at the constant predictor's level with
    weights that moved: a model that cannot memorise one batch at any LR lacks the capacity
    (the root of the flat loss), one that can has its cause elsewhere. It asks too when a stack
    of weight layers ran with no activation the watch could see and did not fit its training data
    by the single-batch test's bar: whether the stack is one affine map (no more than a linear
    model, whatever its depth) only the exam's midpoint test on a copy can tell. O404 asks, where a model with a plain
    (ungated) recurrent layer fell short of fitting its training data (:func:`fell_short`), whether its gradient
    vanished back through time (measured on a copy at init, read against the run's own curve). O401 asks, when ReLU
    units died during the run and learning stopped (O405 at warning level), whether the LR is what killed them: a
    step too large pushes a unit's bias where it never fires again, and the range test on a copy says whether the
    user's LR is above where the loss explodes. Not when the run's loss swung (O407): its spikes already name the
    step size as what killed the units.
    """
    losses = _finite_losses(t)
    if t.nonfinite is not None or len(losses) < MIN_STEPS_FOR_CURVES:
        return []
    requests = []
    loud = {f.code for f in found if f.severity.at_least(Severity.WARNING)}
    evidence = _live_lr_evidence(t, facts, final=True)
    if not _several_optimizers(t) and (lr_may_stall(evidence) or lr_may_limit(evidence, _falling_at_end(t))):
        requests.append("O402")
    elif "G602" in loud or _may_be_affine(t, facts):
        requests.append("G602")
    if facts.get("plain_recurrent") and fell_short(t, facts, found):
        requests.append("O404")
    if not _several_optimizers(t) and "O405" in loud and "O407" not in loud:
        requests.append("O401")
    decays = _weight_decays(facts)
    if (facts.get("has_dropout") or any(d > 0 for d in decays)) and len(losses) >= 3 * MIN_STEPS_FOR_CURVES \
            and _not_halfway(t, facts, losses):
        requests.append("O409")
    return requests


@rule("O410", final_only=True)
def optimizer_settings(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """O410's measurement: the settings each watched optimizer started with."""
    for index, spec in enumerate(facts.get("initial_optimizers") or []):
        yield from optimizer_settings_verdict(OptimizerSettings(spec["kind"], tuple(spec["groups"]), location=f"optimizer {index}"))


# -- D: data at the first layer and at the loss -------------------------------------------
# Adapters: each pools what the telemetry sampled into the measurement of its verdict in
# ``verdicts.data`` / ``verdicts.loss`` and decides nothing itself.
def _train_inputs(t: Telemetry) -> list[dict[str, Any]]:
    """Float inputs of the first watched model (the others, e.g. a GAN's generator, see other data)."""
    floats = [i for i in t.inputs if i.get("float")]
    if not floats:
        return []
    key = floats[0]["model"]
    shape = floats[0]["shape"][1:]
    return [i for i in floats if i["model"] == key and i["shape"][1:] == shape]


def _population_variance(std: Any, n: np.ndarray) -> np.ndarray:
    """Per-batch population variance from the unbiased std torch reports (n - 1 in the divisor)."""
    n = np.asarray(n, float).reshape(-1, *([1] * (np.ndim(std) - 1)))
    return np.square(np.asarray(std, float)) * np.maximum(n - 1, 0) / np.maximum(n, 1)


def _input_scale(t: Telemetry, inputs: list[dict[str, Any]], facts: dict[str, Any]) -> InputScale:
    """The sampled input batches pooled into one per-unit summary (law of total variance).

    Per feature when per-feature moments were recorded (2-D inputs), else for the tensor as a
    whole. Feature ranges come only from recorded per-batch ``feature_min``/``feature_max``.
    """
    normaliser = facts.get("input_batchnorm")
    counts = np.array([float(np.prod(i["shape"])) for i in inputs])
    tensor_mean, tensor_var = pooled_moments(np.array([[i["mean"]] for i in inputs]),
                                             _population_variance([[i["std"]] for i in inputs], counts), counts)
    absmax = float(max(i["absmax"] for i in inputs))
    common: dict[str, Any] = {
        "overall_mean": float(tensor_mean[0]), "overall_std": float(np.sqrt(tensor_var[0])), "overall_max_abs": absmax,
        "input_batchnorm": normaliser, "batchnorm_frozen": bool(normaliser) and _trained_in_eval_mode(t),
    }
    with_features = [i for i in inputs if "feature_mean" in i]
    if with_features:
        rows = np.array([float(i["shape"][0]) for i in with_features])
        mean, variance = pooled_moments(np.array([i["feature_mean"] for i in with_features]),
                                        _population_variance([i["feature_std"] for i in with_features], rows), rows)
        ranged = all("feature_min" in i and "feature_max" in i for i in with_features)
        spread = (np.max([i["feature_max"] for i in with_features], axis=0) - np.min([i["feature_min"] for i in with_features], axis=0)
                  if ranged else None)
        return InputScale(unit="feature", mean=mean, std=np.sqrt(variance), range=spread, tabular=True,
                          scope=f"{len(with_features)} sampled batches ({int(rows.sum())} rows)", batches=len(with_features), **common)
    return InputScale(unit="tensor", mean=tensor_mean, std=np.sqrt(tensor_var), max_abs=np.array([absmax]), tabular=False,
                      scope=f"{len(inputs)} sampled batches", batches=len(inputs), **common)


def _same_moments(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(math.isclose(a[k], b[k], rel_tol=1e-4, abs_tol=1e-6) for k in ("mean", "std", "absmax"))


def _weight_inputs(t: Telemetry, inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the first weight layer multiplied, where the model transforms its input before it (else []).

    Each capture is paired with the model input of its step. It stands for the input only when
    it holds as many values per sample (the batch rescaled or reshaped inside ``forward``), or a
    whole multiple of them (derived channels stacked beside the rescaled batch, say a time of day),
    and its moments differ; a first layer fed some other tensor, or the batch as it is, leaves the
    batch as the measurement. Per-feature moments count only where the layout is the batch's.
    """
    key = inputs[0]["model"]
    by_step = {i["step"]: i for i in inputs}
    pairs = [(w, by_step[w["step"]]) for w in t.weight_inputs if w["model"] == key and w["step"] in by_step]
    if not pairs or any(w["nonfinite"] or math.prod(w["shape"][1:]) % math.prod(raw["shape"][1:]) for w, raw in pairs):
        return []
    if all(_same_moments(w, raw) for w, raw in pairs):
        return []
    return [w if w["shape"][1:] == raw["shape"][1:] else {k: v for k, v in w.items() if not k.startswith("feature_")}
            for w, raw in pairs]


@rule("D101", "D102", final_only=True)
def input_scale(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    inputs = [i for i in _train_inputs(t) if i["nonfinite"] == 0]
    if not inputs:
        return
    seen = _weight_inputs(t, inputs)
    measurement = _input_scale(t, seen or inputs, facts)
    if seen:
        measurement.scope += ", as the first weight layer receives them"
    yield from unnormalised_inputs(measurement)
    yield from mixed_feature_scales(measurement)


@rule("D104")
def nonfinite_data(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    bad_inputs = [i for i in t.inputs if i["nonfinite"] > 0]
    bad_targets = [c for c in _loss_calls(t) if c.evidence.get("target_nonfinite", 0) > 0]
    if not bad_inputs and not bad_targets:
        return
    columns, whole = _nonfinite_columns(bad_inputs)
    yield from non_finite_data(NonFiniteData(
        where="sampled training batches", input_nonfinite=int(sum(i["nonfinite"] for i in bad_inputs)),
        target_nonfinite=int(sum(c.evidence["target_nonfinite"] for c in bad_targets)),
        batches_affected=len(bad_inputs) if bad_inputs else None, batches_checked=len(t.inputs) if bad_inputs else None,
        first_step=min([i["step"] for i in bad_inputs] + [c.step for c in bad_targets]),
        columns=columns, whole_columns=columns if whole and not bad_targets else [],
    ))


def _nonfinite_columns(bad_inputs: list[dict[str, Any]]) -> tuple[list[int], bool]:
    """The feature columns of 2-D input batches that held a non-finite value, and whether they held nothing else.

    A column's batch mean is non-finite when any of its values is; when a batch's non-finite count
    is its rows times those columns, every value in them is non-finite (a standardised constant).
    Read on the batches whose per-feature statistics were taken.
    """
    columns: set[int] = set()
    measured = [e for e in bad_inputs if e.get("feature_mean") is not None and len(e.get("shape") or []) == 2]
    whole = bool(measured)
    for entry in measured:
        means, shape = entry["feature_mean"], entry["shape"]
        these = [j for j, v in enumerate(means) if not math.isfinite(v)]
        columns.update(these)
        whole = whole and entry["nonfinite"] == shape[0] * len(these)
    return sorted(columns), whole


def _target_counts(calls: list) -> np.ndarray:
    return np.array([float(np.prod(c.evidence.get("target_shape") or [1])) for c in calls])


@rule("D105", final_only=True)
def regression_targets(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    calls = [c for c in _loss_calls(t, REGRESSION) if "target_mean" in c.evidence]
    if not calls:
        return
    counts = _target_counts(calls)
    mean, variance = pooled_moments(np.array([[c.evidence["target_mean"]] for c in calls]),
                                    _population_variance([[c.evidence["target_std"]] for c in calls], counts), counts)
    first = min(calls, key=lambda c: c.step)
    start = first.evidence.get("output_mean") if first.step == 0 else None
    yield from unscaled_regression_targets(TargetScale(
        mean=mean, std=np.sqrt(variance), losses=tuple(c.kind for c in calls), scope=f"{len(calls)} sampled loss calls",
        start_mean=np.array([start]) if start is not None else None))


def _label_encoding(call: Any) -> LabelEncoding | None:
    """One inspected loss call's targets as the D113 measurement (None when the call says nothing about encoding)."""
    e = call.evidence
    common: dict[str, Any] = {"loss": call.kind, "width": e.get("classes"), "where": f"{call.kind} targets at step {call.step}",
                              "evidence": {k: v for k, v in e.items() if not k.startswith("_")}}
    if "target_min" not in e:
        return None
    if call.kind in ("cross_entropy", "nll_loss") and e.get("target_kind") in ("indices", "float labels") and "classes" in e:
        return LabelEncoding(reads="indices", kind=e["target_kind"], minimum=e["target_min"], maximum=e["target_max"], **common)
    if call.kind == "cross_entropy" and e.get("target_kind") == "probabilities":
        return LabelEncoding(reads="probabilities", kind="probabilities", minimum=e["target_min"], maximum=e["target_max"],
                             row_sum_min=e.get("target_row_sum_min"), row_sum_max=e.get("target_row_sum_max"), **common)
    if call.kind in ("binary_cross_entropy_with_logits", "binary_cross_entropy"):
        return LabelEncoding(reads="binary", kind="values", minimum=e["target_min"], maximum=e["target_max"], **common)
    return None


@rule("D113")
def label_encoding(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    for call in _loss_calls(t):
        measurement = _label_encoding(call)
        found = list(bad_label_encoding(measurement)) if measurement is not None else []
        if found:
            yield from found
            return


@rule("D115", final_only=True)
def ordered_batches(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    batches = [b for b in (np.asarray(c, dtype=float) for _, c in t.label_counts) if b.sum() > 0]
    if batches:
        if len(batches) >= 2 and len({len(b) for b in batches}) == 1:
            yield from _ordered_batches(batch_order_from_counts(batches))
        return
    # regression targets: the share of the pooled target variance found within a batch (shuffled: about all of it)
    calls = [c for c in _loss_calls(t, REGRESSION) if "target_std" in c.evidence and _target_counts([c])[0] > 1]
    if len(calls) < 2:
        return
    counts = _target_counts(calls)
    _, total = pooled_moments(np.array([[c.evidence["target_mean"]] for c in calls]),
                              _population_variance([[c.evidence["target_std"]] for c in calls], counts), counts)
    if total[0] <= 0:
        return
    within = float(np.average([c.evidence["target_std"] ** 2 for c in calls], weights=counts))
    yield from _ordered_batches(BatchOrder("regression", len(calls), int(counts.sum()), within_batch_variance_ratio=within / float(total[0])))


def _val_reduction(t: Telemetry, facts: dict[str, Any], source: str) -> str:
    """How the validation values the curve rules read were reduced.

    A loss function's evaluation call with ``reduction='sum'`` records a batch sum, not a
    per-sample mean, until the recorder divides it (telemetry ``val_loss_per_term``); a loss
    the user logs is taken as a mean.
    """
    if source != "detected" or getattr(t, "val_loss_per_term", False):
        return "mean"
    return "sum" if "sum" in (facts.get("reductions") or {}).values() else "mean"


@rule("D111", final_only=True)
def labels_misaligned(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    reference = reference_loss(t, facts)
    # "never below the constant predictor" is judged against the most that loss can be given the labels
    # counted, "fits the training data" against the estimate: a prior read low from a few batches fires neither.
    ceiling = reference_loss(t, facts, upper=True)
    _, val, source = _val_series(t)
    losses = _finite_losses(t)
    if reference is None or ceiling is None or len(val) < 3 or len(losses) < MIN_STEPS_FOR_CURVES:
        return
    if source == "detected" and not eval_loss_like_train(t):
        return  # the validation loss is another loss (or over other candidates): not in the reference's units
    train_end = _final_train_loss(losses)
    yield from labels_unpredictable(MemorisationCurve(train_end=train_end, val_best=min(val), reference=reference, ceiling=ceiling,
                                                      val_reduction=_val_reduction(t, facts, source)))


# -- L: output layer and loss --------------------------------------------------------------
@rule("L305", final_only=True)
def distance_loss_on_classes(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """L305's measurement from the live loop: a distance loss whose every inspected training target is one-hot rows."""
    calls = _loss_calls(t, REGRESSION)
    if not calls or not all(c.evidence.get("target_one_hot") for c in calls):
        return
    yield from regression_loss_for_classification(LossForTargets(
        loss=calls[0].kind, task="multiclass", targets="one-hot", regression_loss=True, classification=True,
        task_reason=f"every target row the loss saw is one-hot over {calls[0].evidence.get('target_width')} classes",
        width=calls[0].evidence.get("target_width")))


def _outputs_at_loss(calls: list, kind: str) -> OutputsAtLoss | None:
    """The inspected training calls of one loss function pooled: range, row sums, log-probability test.

    Non-finite outputs count only at the first inspected step (init): later ones are what a
    diverging run makes of healthy wiring, judged by O401.
    """
    seen = [c for c in calls if c.kind == kind and "input_min" in c.evidence]
    if not seen:
        return None
    first = min(c.step for c in seen)
    finite = [c.evidence for c in seen if not c.evidence.get("input_nonfinite")]
    if not finite:
        return None
    count = int(sum(np.prod(e.get("input_shape") or [1]) for e in finite))
    classed = [e for e in finite if "classes" in e]
    logprob = [e["log_probabilities"] for e in classed if "log_probabilities" in e]
    wired = next((e for e in finite if "output_op" in e), {})  # the graph's last op, as recorded at the loss call
    return OutputsAtLoss(
        loss=kind, minimum=min(e["input_min"] for e in finite), maximum=max(e["input_max"] for e in finite), count=count,
        classes=classed[0]["classes"] if classed else None,
        row_sum_min=min(e["row_sum_min"] for e in classed) if classed else None,
        row_sum_max=max(e["row_sum_max"] for e in classed) if classed else None,
        nonfinite=int(sum(c.evidence.get("input_nonfinite", 0) for c in seen if c.step == first)),
        log_probabilities=all(logprob) if logprob else None,
        where=f"at the loss over {len(finite)} sampled calls", location="model output",
        final_op=wired.get("output_op"),
        final_op_range=tuple(wired["output_op_range"]) if "output_op_range" in wired else None,
    )


def _output_bound(calls: list) -> OutputBound | None:
    """L304's measurement: the last operation before the output, as recorded at the loss call.

    Needs ``output_op``/``output_op_range`` in the call evidence (the autograd node the loss
    input came from); the observed output range never stands in for it.
    """
    for call in calls:
        e = call.evidence
        bounds = e.get("output_op_range")
        if not bounds or "target_min" not in e:
            continue
        low, high = float(bounds[0]), float(bounds[1])
        share = e.get("target_outside_share")
        if share is None and low == 0 and high == math.inf:
            share = e.get("target_negative_share")
        elif share is None and (low, high) == (0.0, 1.0):
            share = e.get("target_negative_share", 0) + e.get("target_above_one_share", 0)
        if share is None:
            continue
        return OutputBound(low=low, high=high, what=f"{str(e.get('output_op', 'an activation')).lower()} (the last operation before the output)",
                           unreachable_share=float(share), target_min=e["target_min"], target_max=e["target_max"],
                           final_op=e.get("output_op"))
    return None


@rule("L301", "L302", "L303", "L304")
def output_wiring(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    calls = _loss_calls(t)
    for kind in dict.fromkeys(c.kind for c in calls):
        measurement = _outputs_at_loss(calls, kind)
        if measurement is not None:
            yield from double_softmax(measurement)
            yield from sigmoid_before_logits_loss(measurement)
            yield from missing_output_normalization(measurement)
    bound = _output_bound([c for c in calls if c.kind in REGRESSION + ("binary_cross_entropy",)])
    if bound is not None:
        yield from output_range_mismatch(bound)


@rule("L307", final_only=True)
def initial_loss(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    if not t.train_loss or not t.train_loss_steps or t.train_loss_steps[0] != 0:
        return
    first_calls = [c for c in _loss_calls(t, ("cross_entropy", "nll_loss")) if c.step == 0]
    if not first_calls or len({c.kind for c in _loss_calls(t)}) != 1:
        return
    e = first_calls[0].evidence
    # chance is over the candidates the loss itself was given (a contrastive loss's similarity row, masked
    # entries left out), which need not be the model's output width
    classes = e.get("candidates") or e.get("classes") or facts.get("n_outputs")
    if not classes or classes < 2:
        return
    first = t.train_loss[0]
    if e.get("reduction") == "sum":  # a sum over the batch's terms (divided by some count or not): per term vs chance
        first = t.first_term_loss if t.first_term_loss is not None else \
            first / max(1.0, float(np.prod(e.get("input_shape") or [1])) / (e.get("classes") or classes))
    chance = math.log(classes)
    constant = reference_loss(t, facts, upper=True) or chance
    spread = e.get("term_std") if e.get("reduction", "mean") == "mean" else None  # one batch: its mean's standard error
    yield from unexpected_initial_loss(InitialLoss(
        init=first, chance=chance, constant=constant, n_classes=round(classes), loss=first_calls[0].kind, where="at step 0",
        standard_error=spread / math.sqrt(e["terms"]) if spread and e.get("terms") else 0.0,
        space="class_logits" if first_calls[0].kind == "cross_entropy" else "class_log_probs",
        prior=_prior_at_start(e)))


def _prior_at_start(e: dict[str, Any]) -> float | None:
    """Under class weights, the loss of the plain data prior when the first batch's average output sits there (M210's
    own test, as checkup's L307 reads it), else None."""
    if e.get("reduction", "mean") != "mean" or e.get("prior_loss") is None:
        return None
    start = OutputOffset(unweighted_prior_loss=e["unweighted_prior_loss"],
                         unweighted_offset_loss=e["unweighted_offset_loss"])
    return e["prior_loss"] if at_data_prior(start) else None


@rule("L308")
def loss_sign_or_reduction(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    direction = LossDirection(sign_checks=t.counters.get("sign_checks", 0), sign_flipped=t.counters.get("sign_flipped", 0),
                              loglik_checks=t.counters.get("loglik_checks", 0), loglik_minimised=t.counters.get("loglik_minimised", 0),
                              update_checks=t.counters.get("manual_update_checks", 0),
                              update_climbed=t.counters.get("manual_update_climbed", 0))
    reduction = None
    if final:
        # Only training calls (grad enabled, output in the graph) say how the trained loss is reduced: an evaluation
        # pass that sums under no_grad (to average over the whole set later) steps nothing.
        summed = [c for c in _loss_calls(t) if c.evidence.get("reduction") == "sum"]
        if summed and not t.summed_then_divided:  # a sum the loop divides by its count before backward trains a mean
            reduction = LossReduction(reduction="sum", batch=max(c.evidence.get("batch", 1) for c in summed),
                                      losses=sorted({c.kind for c in summed}),
                                      optimizers=tuple(o["kind"] for o in facts.get("initial_optimizers") or []))
        elif t.counters.get("hand_loss_summed"):  # a hand-written loss (no loss function called) summed over the rows
            reduction = LossReduction(hand_checks=t.counters.get("hand_loss_checks", 0),
                                      hand_summed=t.counters["hand_loss_summed"],
                                      batch=t.counters.get("hand_loss_rows"),
                                      optimizers=tuple(o["kind"] for o in facts.get("initial_optimizers") or []))
    yield from _loss_sign_or_reduction(direction, reduction)


# -- M: model ----------------------------------------------------------------------------
@rule("M201")
def constant_init(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """Hidden weight matrices whose rows (units) all start equal (verdict: M201).

    The weight matrices are the Linear, convolution and recurrent weights in registration order
    (``probes.layer_stats.unit_weights``, as checkup reads them); the last one stands for the output
    layer, which the verdict exempts (its rows get different gradients).
    """
    names = [n for n in t.unit_weights if n in t.initial_weights and t.initial_weights[n]["dims"] >= 2]
    layers = [WeightInit(n, int(t.initial_weights[n]["rows"]), float(t.initial_weights[n]["row_spread"]),
                         float(t.initial_weights[n]["std"]), is_output=n == names[-1],
                         inputs=t.initial_weights[n].get("inputs"), input_spread=t.initial_weights[n].get("input_spread"))
              for n in names]
    yield from constant_init_verdict(layers)


@rule("M209", final_only=True)
def no_gradient(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """Trainable tensors the loss never reached, or whose gradient stayed exactly zero while training (verdict: M209).

    A zero at the first step behind a zero multiplier (a zero-initialised residual
    BatchNorm weight) is gone once the weights moved, so only a gradient that is zero on
    every sampled step counts, as checkup counts one that stays zero after a step.
    """
    if t.grad_samples < 3 or t.backward_calls == 0:
        return
    missing = [n for n, c in t.grad_missing.items() if c >= t.grad_samples and n in t.initial_weights]
    zero = [n for n, norms in t.grad_norms.items()
            if n in t.initial_weights and n not in missing and len(norms) >= 3 and all(v == 0.0 for v in norms)]
    reached = [n for n, norms in t.grad_norms.items() if any(v != 0.0 for v in norms)]
    yield from no_gradient_path_verdict(GradientReach(len(t.initial_weights), missing, zero,
                                                      f"in {t.grad_samples} sampled steps of the run", reached=reached))


# -- G: generalisation ---------------------------------------------------------------------
@rule("G601", final_only=True)
def overfit(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """G601's measurement from the live loop: validation losses and the mean train loss since each previous one."""
    steps, val, source = _val_series(t, scored=True)
    if len(val) < 5 or _several_optimizers(t):
        return
    yield from overfitting_verdict(TrainValCurves(
        train=tuple(_train_at(t, steps)), val=tuple(val), steps=tuple(steps), restored_at=t.restored_at, last_step=t.steps,
        source=source, reference=_comparable_reference(t, facts, source),
        other_weights=source == "detected" and not eval_loss_weighted_like_train(t),
        train_reference=reference_loss(t, facts, upper=True),
    ))


def _comparable_reference(t: Telemetry, facts: dict[str, Any], source: str) -> float | None:
    """The constant predictor's loss (the most it can be) when the train and validation levels compare, else None.

    Compared like G604's losses: the same kind of target on both sides, and a validation loss
    in the train loss's units (logged by the user, or seen at the same loss); a loss scored by
    nndoctor is a cross-entropy, in the same units only when training minimises one.
    """
    if not train_targets_alike_val(t) or t.restored_at is not None:
        return None
    if source == "scored" and not {c.kind for c in _loss_calls(t)} <= {"cross_entropy", "nll_loss"}:
        return None
    if source != "logged" and not loss_in_reference_units(t):
        return None
    return reference_loss(t, facts, upper=True)


@rule("G602", final_only=True)
def underfit(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """G602's measurement from the live loop: the final train loss and the most the constant predictor's can be.

    Judged against the most the constant predictor's loss can be given the labels seen: a prior
    estimated from a few batches of a large vocabulary reads low, and a model beating the true
    prior would look stuck. No reference in the loss's own units, no verdict.
    """
    losses = _finite_losses(t)
    if len(losses) < 3 * MIN_STEPS_FOR_CURVES or _several_optimizers(t) or t.nonfinite is not None:
        return
    reference = reference_loss(t, facts, upper=True) or robust_reference_loss(t, upper=True)
    prior = _class_prior(t) if reference is not None and {c.kind for c in _loss_calls(t)} & {"cross_entropy", "nll_loss"} else None
    typical = _content_typical(t)
    found = underfitting(FitEvidence(reference=reference, final_loss=_final_train_loss(losses),
                                     steps=len(losses), prior=prior,
                                     still_falling=still_falling(losses, _lr_at_losses(t) or None) is not None,
                                     typical_final=_end_level(losses, np.median) if typical is not None else None,
                                     typical_reference=typical))
    if found is not None:
        yield found


@rule("G603", final_only=True)
def paradox(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """G603's measurement from the live loop: per-class recall of the last evaluation pass."""
    counts = facts.get("class_counts")
    if not counts:
        yield from _paradox_from_predictions(t, facts.get("eval_predictions"))
        return
    yield from accuracy_paradox_verdict(ClassRecall.from_counts(counts, "In the last evaluation pass"))


def _training_label_prior(t: Telemetry, width: int) -> tuple[list[float], int] | None:
    """Class shares of the labels the training loss saw, and how many labels that is.

    Class-index targets of one cross-entropy over ``width`` outputs, or 0/1 targets of one binary
    loss on a single output per row (not multi-label); None for anything else.
    """
    calls = _loss_calls(t)
    if not calls or len({c.kind for c in calls}) != 1:
        return None
    if width > 1:
        if calls[0].kind not in ("cross_entropy", "nll_loss") or not t.label_counts:
            return None
        rows = [np.asarray(c, dtype=float) for _, c in t.label_counts if len(c) == width]
        total = np.sum(rows, axis=0) if rows else None
        return (total.tolist(), int(total.sum())) if total is not None and total.sum() > 0 else None
    positive, seen = 0.0, 0
    for call in calls:
        e = call.evidence
        shape = e.get("input_shape") or []
        if call.kind not in ("binary_cross_entropy_with_logits", "binary_cross_entropy") or "target_mean" not in e \
                or not (len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)) \
                or e.get("target_min", -1) < 0 or e.get("target_max", 2) > 1:
            return None
        positive += e["target_mean"] * e["batch"]
        seen += e["batch"]
    return ([seen - positive, positive], seen) if seen else None


def _paradox_from_predictions(t: Telemetry, predictions: Any) -> Iterable[Finding]:
    """G603 from what the model predicted on the last evaluation pass, when the pass's labels were not seen.

    A script scoring ``model(X_val).argmax(1)`` with scikit-learn shows nndoctor its predictions
    only; the label shares come from the training loss's targets (see ``recall_bounds``).
    """
    summary = predictions.summary() if predictions is not None else None
    if summary is None or t.nonfinite is not None or _several_optimizers(t):
        return
    prior = _training_label_prior(t, summary["width"])
    if prior is None:
        return
    shares, labels = prior
    if summary["width"] > 1:
        predicted = summary["predicted"]
    else:
        logits = _loss_calls(t)[0].kind == "binary_cross_entropy_with_logits"
        positives = summary["positive_logit" if logits else "positive_probability"]
        predicted = [summary["rows"] - positives, positives]
    recall, support = recall_bounds(predicted, shares, summary["rows"])
    yield from accuracy_paradox_verdict(ClassRecall(
        recall, support, f"In the last evaluation pass ({summary['rows']} rows; class shares from {labels} training labels, "
                         "recall at most what the predictions allow)"))


def eval_loss_like_train(t: Telemetry) -> bool:
    """Whether the evaluation loss calls are the training calls' own loss over as many candidates.

    A validation cross-entropy over 800 candidates (retrieval against the whole validation set)
    starts at ln 800 while the training one over 128 in-batch candidates starts at ln 128; a test
    loop that reports a cross-entropy for a model trained with MSE is in other units altogether.
    Their levels do not compare with each other or with the training loss's reference.
    """
    train = {(c.kind, c.n_outputs if c.kind in CLASS_LOSSES else None) for c in _loss_calls(t)}
    return (not t.eval_loss_signatures or set(t.eval_loss_signatures) <= train) and eval_targets_in_train_units(t)


def eval_loss_weighted_like_train(t: Telemetry) -> bool:
    """Whether the evaluation loss calls weigh their terms as the training calls do (both weighted, or neither).

    A loop that trains with ``pos_weight`` or class weights and evaluates the plain loss scores
    another objective: the weights ask the model to trade the common class's likelihood for the
    rare one's, which raises the plain loss while the weighted one falls.
    """
    train = {bool(c.evidence.get("terms_weighted")) for c in _loss_calls(t)}
    if not t.eval_loss_weighted or not train:  # no loss function seen on one side: nothing to compare
        return True
    return set(t.eval_loss_weighted) <= train


def eval_targets_in_train_units(t: Telemetry) -> bool:
    """Whether a regression loss's evaluation targets are in its training targets' units.

    A loop that scores ``pred * y_std + y_mean`` against raw targets reports its validation
    loss in the raw units (an MSE of 6.3 on targets near 70) while it trains on standardised
    ones (an MSE of 0.006): the levels do not compare. Judged on the pooled moments of the
    first evaluation calls against the training targets' (:data:`TARGET_UNITS_FACTOR`).
    """
    if not t.eval_target_moments or not t.target_stats:
        return True
    count = sum(n for n, _, _ in t.eval_target_moments)
    mean = sum(n * m for n, m, _ in t.eval_target_moments) / count
    spread = math.sqrt(max(0.0, sum(n * (s * s + m * m) for n, m, s in t.eval_target_moments) / count - mean * mean))
    train_mean, train_variance = train_target_moments(t)
    return in_same_units(train_mean, math.sqrt(train_variance), mean, spread)


def train_targets_alike_val(t: Telemetry) -> bool:
    """Whether the training loss scores the same kind of target as validation: hard class labels, no smoothing,
    and the same loss over as many candidates (:func:`eval_loss_like_train`).

    Mixup's mixed rows (``target_kind`` "probabilities" that are not one-hot) and label
    smoothing give a train cross-entropy that cannot go below the targets' entropy, while
    validation scores hard labels; losses of different targets are not compared.
    """
    if not eval_loss_like_train(t):
        return False
    for call in _loss_calls(t):
        e = call.evidence
        if float(e.get("label_smoothing") or 0.0) > 0:
            return False
        if e.get("target_kind") == "probabilities" and not (e.get("target_min", 0.0) >= 0.0 and e.get("target_max", 1.0) <= 1.0
                                                            and e.get("target_one_hot", False)):
            return False
    return True


@rule("G604", final_only=True)
def suspicious_val(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """G604's measurement from the live loop: the last validation loss and the train loss since the one before."""
    steps, val, source = _val_series(t)
    if not val or t.nonfinite is not None or _several_optimizers(t):
        return
    # the train loss's level at the evaluation step (a robust line through the losses just before it), not the mean
    # since the previous evaluation, which mixes the run's earlier, higher losses into "now"
    level = level_at(t.train_loss_steps, t.train_loss, steps[-1])
    if level is None or not math.isfinite(level.estimate):
        return
    # a detected validation loss is read per term of one loss call; the train loss is what the loop backpropagated,
    # comparable only when that is the same call's mean (no sum over the batch, no extra terms such as a KL term)
    alike = train_targets_alike_val(t) and (source == "logged" or loss_in_reference_units(t))
    yield from suspicious_validation_verdict(ValidationEvidence(
        train_loss=level.estimate, val_loss=val[-1], where=f"At the last evaluation (step {steps[-1]})",
        reference=reference_loss(t, facts), same_way=False, train_dropout=bool(facts.get("has_dropout")),
        losses_alike=alike, step=steps[-1], train_loss_low=level.low,
    ))


@rule("G605", final_only=True)
def undertrained(t: Telemetry, facts: dict[str, Any], final: bool) -> Iterable[Finding]:
    """G605's measurement from the live loop: the per-step train losses of the whole run."""
    tail = _run_tail(t)
    if tail is not None:
        yield from undertrained_verdict(tail)


def _run_tail(t: Telemetry) -> TailOfRun | None:
    """The run's per-step train losses and LRs, which G605 reads (and O405 through G605's own test); None when they
    say nothing of how the run ended: a non-finite loss, an exception, several optimizers stepping."""
    if t.nonfinite is not None or t.exception or _several_optimizers(t):
        return None
    return TailOfRun(tuple(_finite_losses(t)), lrs=_lr_at_losses(t))


def _falling_at_end(t: Telemetry) -> bool:
    """G605's own test on the run's tail: the loss was still falling steadily when the run ended (O405 and O402's
    range-test request read it)."""
    tail = _run_tail(t)
    return tail is not None and still_falling(tail.per_step, tail.lrs or None) is not None


def _lr_at_losses(t: Telemetry) -> tuple[float, ...]:
    """The single stepping optimizer's first-group LR at each finite recorded train loss; empty when not known for every one."""
    stepping = [i for i, n in t.optimizer_steps.items() if n > 0]
    series = t.lr.get(stepping[0], []) if len(stepping) == 1 else []
    pairs = [(s, v) for s, v in zip(t.train_loss_steps, t.train_loss) if math.isfinite(v)]
    if not series or any(s >= len(series) for s, _ in pairs):
        return ()
    return tuple(float(series[s]) for s, _ in pairs)
