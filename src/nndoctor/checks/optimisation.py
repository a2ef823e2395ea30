"""O family: learning rate, gradients and optimizer settings, measured by training copies.

The checks are adapters: each builds the measurement its code's verdict reads (in
``nndoctor.verdicts.optimisation``) from checkup's shared probes (range test, trial, single-batch
overfit, the optimizer's settings) and returns what the verdict decides. Thresholds and
curve-shape helpers live beside the verdicts; the names below are re-exported for callers.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from ..findings import Finding
from ..probes.lr_range import RangeResult, lr_range_probe
from ..probes.overfit import OverfitResult, overfit_probe, regularisation_probe
from ..probes.trial import TrialResult, trial_probe, user_lr
from ..verdicts.curves import (  # noqa: F401  (re-exported: the thresholds and helpers the verdicts use)
    ADAPTIVE,
    DECAY_PER_STEP,
    DECOUPLED,
    EXPLODING_GROWTH,
    FROZEN_UPDATE,
    LITTLE_PROGRESS,
    MIN_EVALS_FOR_SHAPE,
    OSCILLATION_EFFICIENCY,
    OSCILLATION_RISES,
    OSCILLATION_SWING,
    PLATEAU_CHANGE,
    ROSE_FACTOR,
    TOO_LOW_FACTOR,
    UNREGULARISED_GAIN,
    bouncing,
    bumps,
    did_not_fit,
    gradient_growth,
    is_oscillating,
    oscillation,
    plateau,
    steady_descent,
)
from ..verdicts.optimisation import (  # noqa: F401  (re-exported: the thresholds and helpers the verdicts use)
    GradientHistory,
    LearningRateEvidence,
    LossCurve,
    OptimizerSettings,
    OscillationEvidence,
    PlateauEvidence,
    RangeTest,
    RegularisationAB,
    RegularisationEvidence,
    SingleBatch,
    settings_problems,
)
from ..verdicts.optimisation import excessive_regularisation as excessive_regularisation_verdict
from ..verdicts.optimisation import exploding_gradients as exploding_gradients_verdict
from ..verdicts.optimisation import learning_rate as learning_rate_verdict
from ..verdicts.optimisation import loss_plateau as loss_plateau_verdict
from ..verdicts.optimisation import optimizer_settings as optimizer_settings_verdict
from ..verdicts.optimisation import oscillating_loss as oscillating_loss_verdict
from ..verdicts.layers import OPENING_SHARE, VANISHING_RATIO, vanishing_verdict  # noqa: F401  (VANISHING_RATIO re-exported)
from ..verdicts.layers import LayerGradients
from ..verdicts.layers import vanishing_gradients as vanishing_gradients_verdict
from ..verdicts.schedule import MIN_UPDATE_SAMPLES, UpdateRatios
from ..verdicts.schedule import update_ratio as update_ratio_verdict
from .base import Context, check

# O404 (verdict, its ratio and OPENING_SHARE in verdicts/layers.py) is judged over the whole trial or
# over its opening quarter (where vanishing gradients stall learning before an adaptive optimizer has
# rescaled the early layers).
MIN_OPENING_STEPS = 10
# O408: optimizers whose step divides the gradient by a running estimate of its own scale. Clipping the
# global norm multiplies every gradient by one factor, which such a step (nearly) cancels: the clip does not
# shrink the step, so a clip that bites every step is no problem for them.
SCALE_INVARIANT_OPTIMIZERS = ("Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "RMSprop", "Adadelta", "SparseAdam")


def norm_clip_shrinks_steps(optimizer_kinds: Iterable[str]) -> bool:
    """Whether clipping the global gradient norm shrinks the steps of these optimizers (any of them not scale-invariant).

    With no optimizer known (hand-written updates, ``p -= lr * p.grad``) the step is the gradient's own size: it does.
    """
    kinds = list(optimizer_kinds)
    return not kinds or any(kind not in SCALE_INVARIANT_OPTIMIZERS for kind in kinds)


def _range(ctx: Context) -> RangeResult:
    return ctx.probe("lr_range", lr_range_probe)


def _trial(ctx: Context) -> TrialResult:
    return ctx.probe("trial", trial_probe)


def _overfit(ctx: Context) -> OverfitResult:
    return ctx.probe("overfit", overfit_probe)


def trial_progress(trial: TrialResult) -> float | None:
    """Relative fall of the fixed-set train loss from the trial's start to its end."""
    if len(trial.train_eval) < 2 or not math.isfinite(trial.train_eval[0]) or trial.train_eval[0] <= 0:
        return None
    return (trial.train_eval[0] - trial.train_eval[-1]) / trial.train_eval[0]


def median_update_ratio(trial: TrialResult) -> float | None:
    """Median over weight layers of each layer's median |Δw|/|w| per sampled step."""
    per_layer = [float(np.median(trial.update_ratios[n])) for n in trial.weight_params if trial.update_ratios.get(n)]
    return float(np.median(per_layer)) if per_layer else None


def last_update_ratio(trial: TrialResult) -> float | None:
    """Median |Δw|/|w| per sampled step of the last weight layer that has any."""
    return next((float(np.median(trial.update_ratios[n])) for n in reversed(trial.weight_params) if trial.update_ratios.get(n)), None)


def trial_curve(trial: TrialResult) -> LossCurve:
    """The trial's fixed-set train loss as a verdict's loss curve (the per-step losses alongside)."""
    return LossCurve(values=tuple(trial.train_eval), source="fixed-set", steps=trial.steps,
                     span=f"in the {trial.steps}-step trial", reference=trial.reference,
                     per_step=tuple(trial.step_losses))


def single_batch(overfit: OverfitResult | None) -> SingleBatch | None:
    """The single-batch overfit as the LR verdict reads it; None when it proves nothing (no target in the loss's units)."""
    if overfit is None or not overfit.attempts or not getattr(overfit, "target_known", True):
        return None
    user, other = overfit.at_user_lr, overfit.at_second_lr
    return SingleBatch(user.fitted, user.conclusive, user.diverged, user.final_loss,
                       other.lr if other is not None else None, bool(other is not None and other.fitted),
                       other.final_loss if other is not None else None)


# -- O401 / O402 ---------------------------------------------------------------------
def lr_verdict(lr: float | None, sweep: RangeResult, trial: TrialResult | None, overfit: OverfitResult | None) -> list[Finding]:
    """O401/O402 from the range test, the trial at the user's LR and the single-batch overfit (see the verdict)."""
    if lr is None or lr <= 0:
        return []
    suggestion = sweep.suggestion
    nonfinite = None
    if trial is not None and trial.diverged_step is not None:
        from ..verdicts.optimisation import NonFinite

        last = trial.step_losses[-1] if trial.step_losses else math.nan
        nonfinite = NonFinite(trial.diverged_step, {"value": str(last) if not math.isfinite(last) else "nan"}, span=" of the trial",
                              previous=tuple(v for v in trial.step_losses if math.isfinite(v))[-5:])
    return learning_rate_verdict(LearningRateEvidence(
        lr=lr, optimizer=sweep.optimizer,
        curve=trial_curve(trial) if trial is not None and trial.train_eval else None,
        range_test=RangeTest(suggestion.lr, suggestion.divergence_lr, suggestion.min_loss_lr, suggestion.reason),
        single_batch=single_batch(overfit), nonfinite=nonfinite,
        update_ratio=median_update_ratio(trial) if trial is not None else None,
        last_update_ratio=last_update_ratio(trial) if trial is not None else None,
    ))


@check("O401", "O402", phase="optimisation")
def learning_rate(ctx: Context) -> Iterable[Finding]:
    """Compare the user's LR with the range test, the trial and the single-batch fit at that LR."""
    return lr_verdict(user_lr(ctx.setup), _range(ctx), _trial(ctx), _overfit(ctx))


def _settings(ctx: Context) -> tuple[str, list[dict[str, Any]]]:
    """The optimizer type and its parameter groups' settings, read from one built on a copy (once per checkup)."""
    def read(c: Context) -> tuple[str, list[dict[str, Any]]]:
        optimizer = c.setup.make_optimizer(c.model_copy())
        return type(optimizer).__name__, [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups]

    return ctx.probe("optimizer_settings", read)


# -- O410 ----------------------------------------------------------------------------
@check("O410", phase="optimisation")
def optimizer_settings(ctx: Context) -> Iterable[Finding]:
    """Read the settings of an optimizer built by the user's factory on a copy."""
    kind, groups = _settings(ctx)
    return optimizer_settings_verdict(OptimizerSettings(kind, tuple(groups)))


# -- O403 / O404 ---------------------------------------------------------------------
def through_time_growth(setup: Any, model: nn.Module, batch: tuple[Any, torch.Tensor]) -> dict[str, dict[str, float]]:
    """For each unidirectional recurrent layer: the loss gradient reaching its first time step's
    input over the one reaching its last, on one batch.

    Backpropagation through time multiplies the gradient by the recurrent Jacobian once per
    step, so the earliest step's gradient shows what that product does over the sequence:
    orders of magnitude above the last step's, it explodes (a healthy LSTM/GRU keeps it at
    or below). Layers fed packed sequences or non-float inputs are skipped.
    """
    captured: dict[str, tuple[torch.Tensor, nn.RNNBase]] = {}

    def hook_for(name: str):
        def hook(module: nn.RNNBase, args: tuple) -> tuple | None:
            if name in captured or not args or not torch.is_tensor(args[0]) or not args[0].is_floating_point():
                return None
            x = args[0]
            if x.requires_grad:
                x.retain_grad()
            else:
                x = x.detach().requires_grad_(True)
            captured[name] = (x, module)
            return (x, *args[1:])

        return hook

    handles = [m.register_forward_pre_hook(hook_for(n)) for n, m in model.named_modules()
               if isinstance(m, nn.RNNBase) and not m.bidirectional]
    if not handles:
        return {}
    try:
        model.train()
        x, y = batch
        with torch.enable_grad():
            setup.compute_loss(model(x), y).backward()
    finally:
        for handle in handles:
            handle.remove()
    growth: dict[str, dict[str, float]] = {}
    for name, (inputs, module) in captured.items():
        if inputs.grad is None or inputs.dim() not in (2, 3):
            continue
        time_axis = 1 if inputs.dim() == 3 and module.batch_first else 0
        grads = inputs.grad.detach().float().transpose(0, time_axis)
        per_step = grads.reshape(grads.shape[0], -1).norm(dim=1)
        first, last = float(per_step[0]), float(per_step[-1])
        if len(per_step) >= 2 and last > 0 and math.isfinite(first):
            growth[name] = {"ratio": first / last, "steps": float(len(per_step)), "first": first, "last": last,
                            "gated": float(module.mode in ("LSTM", "GRU"))}
    return growth


def _through_time(ctx: Context) -> dict[str, dict[str, float]]:
    """``through_time_growth`` on a fresh copy and the first training batch, for models with a recurrent layer."""
    def measure(c: Context) -> dict[str, dict[str, float]]:
        model = c.model_copy(seed=c.setup.seed)
        if not any(isinstance(m, nn.RNNBase) for m in model.modules()):
            return {}
        return through_time_growth(c.setup, model, c.batches("train")[0])

    return ctx.probe("through_time", measure)


@check("O403", phase="training")
def exploding_gradients(ctx: Context) -> Iterable[Finding]:
    """The trial's gradient norm grows by two orders of magnitude (or turns non-finite), or a
    recurrent layer's gradient grows by that much back through time at init (one verdict, the trial's first)."""
    trial = _trial(ctx)
    return exploding_gradients_verdict(GradientHistory(
        norms=tuple(trial.total_grad_norm), span=f"during the {trial.steps}-step trial",
        layer_norms=trial.grad_norms, through_time=_through_time(ctx), curve=trial_curve(trial),
    ))


@check("O403", phase="model", name="optimisation.gradient_through_time")
def gradient_through_time(ctx: Context) -> Iterable[Finding]:
    """A recurrent layer's gradient grows by two orders of magnitude back through time at init, where no trial runs.

    A property of the model at init, measured on a copy with one backward: so `run`'s exam
    judges it on what the script built, where the run's own gradient norms may only shrink from
    an exploded start (the first steps cut the recurrent weights down, the harm is done). Where
    the trial's O403 check runs, it reads the same measurement and gives the one O403 (in `run`'s
    exam only when asked: a request for another training check, O404's, must not cost this one)."""
    if ctx.trained_codes is None or "O403" in ctx.trained_codes:
        return []
    return exploding_gradients_verdict(GradientHistory(norms=(), span="at init", through_time=_through_time(ctx)))


def per_element_grads(grad_norms: Mapping[str, Sequence[float]], param_sizes: Mapping[str, int],
                      names: Sequence[str]) -> list[tuple[str, float]]:
    """Median gradient RMS per element of each named parameter (comparable across sizes), in order.

    Parameters without a finite gradient norm or a known size are left out.
    """
    layers = []
    for name in names:
        values = [v for v in grad_norms.get(name, []) if math.isfinite(v)]
        size = param_sizes.get(name)
        if values and size:
            layers.append((name, float(np.median(values)) / math.sqrt(size)))
    return layers


@check("O404", phase="training")
def vanishing_gradients(ctx: Context) -> Iterable[Finding]:
    """The gradient shrinks with depth through the stack (verdict: O404), over the whole trial or its opening quarter;
    else, with the trial's loss flat, back through time in a plain recurrent layer (at init, on a copy)."""
    found = trial_vanishing(ctx)
    ungated = {name: growth for name, growth in _through_time(ctx).items() if not growth.get("gated")} \
        if found is None else {}
    if ungated:
        curve = trial_curve(_trial(ctx))
        # the trial's loss, or in `run` the script's own (its watch's reading, passed to the exam)
        flat = plateau(curve.values, curve.reference) is not None
        fell_short = did_not_fit(flat, curve.values[-1] if curve.values else None, curve.reference or None) \
            or bool(getattr(ctx.setup, "observed_fell_short", False))
        found = next(iter(vanishing_gradients_verdict(LayerGradients((), "over the trial", ungated, fell_short))), None)
    if found is not None:
        yield found


def trial_vanishing(ctx: Context, closing: bool = False) -> Finding | None:
    """O404's finding over the checkup trial (the whole trial, else its opening quarter); None where the gradient
    reaches the first block. M205 reads its ratio for a deep plain stack that starts balanced, and also over the
    trial's closing quarter (``closing``): such a stack starves its first layers as training moves its units off
    their linear range, so the gradient vanishes late (O404 itself is not judged there: every layer's gradient
    shrinks as a healthy run converges)."""
    trial = _trial(ctx)
    quarter = int(trial.steps * OPENING_SHARE)
    windows = [(slice(None), "over the trial")]
    if quarter >= MIN_OPENING_STEPS:
        windows.append((slice(None, quarter), f"over the first {quarter} of the trial's {trial.steps} steps"))
        if closing:
            windows.append((slice(-quarter, None), f"over the last {quarter} of the trial's {trial.steps} steps"))
    for window, span in windows:
        grads = {name: values[window] for name, values in trial.grad_norms.items()}
        found = vanishing_verdict(per_element_grads(grads, trial.param_sizes, trial.weight_params), span)
        if found is not None:
            return found
    return None


# -- O406 / O407 ---------------------------------------------------------------------
@check("O406", phase="training")
def loss_plateau(ctx: Context) -> Iterable[Finding]:
    """The trial's fixed-set train loss does not move from its start (or from the prior's level)."""
    trial = _trial(ctx)
    if plateau(trial.train_eval, trial.reference) is None:
        return []
    return loss_plateau_verdict(PlateauEvidence(curve=trial_curve(trial), update_ratio=median_update_ratio(trial)))


@check("O407", phase="training")
def oscillating_loss(ctx: Context) -> Iterable[Finding]:
    """The trial's fixed-set train loss keeps climbing back above levels it had already reached."""
    trial = _trial(ctx)
    if trial.diverged_step is not None:
        return []
    return oscillating_loss_verdict(OscillationEvidence(tuple(trial.train_eval), "fixed-set", tuple(trial.eval_steps)))


# -- O409 ----------------------------------------------------------------------------
@check("O409", phase="training")
def excessive_regularisation(ctx: Context) -> Iterable[Finding]:
    """Equal training with and without the user's weight decay/dropout: does removing it fit clearly better?"""
    result = ctx.probe("regularisation", regularisation_probe)
    if result is None:
        return []
    return excessive_regularisation_verdict(RegularisationEvidence(
        reference=result.reference,
        ab=RegularisationAB(result.regularisers, result.with_loss, result.without_loss, result.steps),
    ))


# -- O412 ----------------------------------------------------------------------------
@check("O412", phase="training")
def update_ratio(ctx: Context) -> Iterable[Finding]:
    """The trial's median update over each weight layer's norm. Only "too small" is judged here: the
    trial keeps no starting norms, and "too large" is read against the norm a layer started at."""
    trial = _trial(ctx)
    kind, _ = _settings(ctx)
    per_layer = {n: float(np.median(trial.update_ratios[n])) for n in [*trial.weight_params, *trial.embedding_params]
                 if len(trial.update_ratios.get(n, [])) >= MIN_UPDATE_SAMPLES}
    sampled = max((len(trial.update_ratios.get(n, [])) for n in per_layer), default=0)
    return update_ratio_verdict(UpdateRatios(
        per_layer=per_layer, per_layer_vs_start={}, sampled_steps=sampled,
        diverged=trial.diverged_step is not None, line_search=kind == "LBFGS"))
