"""O family: learning rate, gradients and optimizer settings, measured by training copies.

The verdicts are pure functions of measured numbers (range-test curve, trial curves,
optimizer settings) so they are tested on synthetic inputs; the checks only fetch the
shared probes and turn verdicts into Findings.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import torch
from torch import nn

from ..findings import Finding, Severity
from ..probes.lr_range import RangeResult, lr_range_probe
from ..probes.overfit import OverfitResult, overfit_probe, regularisation_probe
from ..probes.trial import TrialResult, trial_probe, user_lr
from .base import Context, check

# O402: a user LR this many times below the suggestion is "far below" (1.5 decades).
TOO_LOW_FACTOR = 30.0
# "Little progress": the trial's train loss fell by less than this share of its start.
LITTLE_PROGRESS = 0.2
# O401: a trial loss ending this much above its start has gone the wrong way.
ROSE_FACTOR = 1.5
# O403: the gradient norm grew by two orders of magnitude.
EXPLODING_GROWTH = 100.0
# O404: first weight layer's per-element gradient three orders of magnitude below the last's,
# over the whole trial or over its opening quarter (where vanishing gradients stall learning
# before an adaptive optimizer has rescaled the early layers).
VANISHING_RATIO = 1e-3
OPENING_SHARE = 0.25
MIN_OPENING_STEPS = 10
# O406: the loss moved by less than this share of its start.
PLATEAU_CHANGE = 0.02
# O406 vs O402: weights moving by under this share of their size per step are not learning at
# all (two orders of magnitude below the ~1e-3 rule of thumb), rather than learning slowly.
FROZEN_UPDATE = 1e-5
# O407: in the second half, the loss swings over this share of its start with little net trend
# (watch); in checkup, the typical evaluation sits this share above the lows on both sides of it.
OSCILLATION_SWING = 0.1
OSCILLATION_EFFICIENCY = 0.3
OSCILLATION_RISES = 0.3
MIN_EVALS_FOR_SHAPE = 8
# O409: with regularisation the fit is not even halfway below the constant predictor,
# while without it the loss is at most half as large.
REGULARISED_STAYS = 0.5
UNREGULARISED_GAIN = 0.5
# O410: per-step decay lr*weight_decay above this loses 10% of every weight per step.
DECAY_PER_STEP = 0.1
ADAPTIVE = ("Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta", "RMSprop", "SparseAdam")
DECOUPLED = ("AdamW",)


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


def bumps(losses: Sequence[float]) -> np.ndarray | None:
    """How far each inner point of a loss curve climbs above the lows on both sides of it.

    For point t the reference is the higher of the lowest loss before t and the lowest loss
    after t, so a climb counts only when the curve had already been lower and comes back
    down again; a steady fall, a steady rise or a flat stretch scores zero. Relative to that
    reference; None for curves too short or not finite.
    """
    values = np.asarray(losses, dtype=float)
    if len(values) < 3 or not np.isfinite(values).all() or (values <= 0).any():
        return None
    before = np.minimum.accumulate(values)[:-2]
    after = np.minimum.accumulate(values[::-1])[::-1][2:]
    low = np.maximum(before, after)
    return np.maximum(values[1:-1] / low - 1.0, 0.0)


def steady_descent(losses: Sequence[float]) -> bool:
    """The loss ended below its start and never climbed a tenth above the lows around it."""
    heights = bumps(losses)
    return heights is not None and losses[-1] < losses[0] and float(heights.max(initial=0.0)) < OSCILLATION_SWING


def median_update_ratio(trial: TrialResult) -> float | None:
    """Median over weight layers of each layer's median |Δw|/|w| per sampled step."""
    per_layer = [float(np.median(trial.update_ratios[n])) for n in trial.weight_params if trial.update_ratios.get(n)]
    return float(np.median(per_layer)) if per_layer else None


def weights_frozen(trial: TrialResult | None) -> bool:
    """The trial's loss is flat (O406) and its steps move the weights by under ``FROZEN_UPDATE``
    of their size: nothing is learned at all, rather than slowly."""
    if trial is None or plateau(trial.train_eval, trial.reference) is None:
        return False
    ratio = median_update_ratio(trial)
    return ratio is not None and ratio < FROZEN_UPDATE


# -- O401 / O402 ---------------------------------------------------------------------
def lr_verdict(lr: float | None, sweep: RangeResult, trial: TrialResult | None, overfit: OverfitResult | None) -> list[Finding]:
    """O401/O402 from the range test, the trial at the user's LR and the single-batch overfit.

    The range test spends about one step per LR, so its "the loss exploded below your LR" is
    indirect; when the trial trained hundreds of steps at the user's LR in a steady descent
    that learned more than the prior (not a collapse onto it, as dead units give), that direct
    measurement overrules it. O402 means the loss falls, too slowly: when the
    weights do not move at all, nothing falls and the plateau (O406) is the finding, which
    names the LR itself.
    """
    if lr is None or lr <= 0:
        return []
    suggestion = sweep.suggestion
    evidence: dict[str, Any] = {
        "user_lr": lr, "suggested_lr": suggestion.lr, "divergence_lr": suggestion.divergence_lr,
        "min_loss_lr": suggestion.min_loss_lr, "optimizer": sweep.optimizer, "range_test": suggestion.reason,
    }
    progress = trial_progress(trial) if trial is not None else None
    if progress is not None:
        evidence["trial_progress"] = progress
    fixed_by = None
    if (overfit is not None and overfit.at_user_lr.conclusive and not overfit.at_user_lr.fitted
            and overfit.at_suggested_lr is not None and overfit.at_suggested_lr.fitted):
        fixed_by = overfit.at_suggested_lr.lr
        evidence["single_batch"] = {"user_lr_loss": overfit.at_user_lr.final_loss, "suggested_lr_loss": overfit.at_suggested_lr.final_loss}
    reasons: list[str] = []
    stable_at_lr = (trial is not None and trial.diverged_step is None and steady_descent(trial.train_eval)
                    and plateau(trial.train_eval, trial.reference) is None)
    if suggestion.divergence_lr is not None and lr > suggestion.divergence_lr and not stable_at_lr:
        reasons.append(f"the range test's loss exploded at lr={suggestion.divergence_lr:.2g}, below your lr={lr:.2g}")
    if trial is not None and trial.diverged_step is not None:
        reasons.append(f"the trial at your LR turned non-finite at step {trial.diverged_step}")
    elif trial is not None and len(trial.train_eval) >= 2 and trial.train_eval[-1] > ROSE_FACTOR * trial.train_eval[0]:
        reasons.append(f"the trial's train loss rose from {trial.train_eval[0]:.3g} to {trial.train_eval[-1]:.3g}")
    if fixed_by is not None and fixed_by < lr:
        reasons.append(f"one batch could not be fitted at your LR but was at lr={fixed_by:.2g}")
    if overfit is not None and overfit.at_user_lr.diverged and not reasons:
        reasons.append("the single-batch fit at your LR turned non-finite")
    if reasons:
        return [Finding(
            "O401", Severity.ERROR,
            f"The learning rate {lr:.2g} ({sweep.optimizer}) is too high: " + "; ".join(reasons) + "."
            + (f" The range test suggests about {suggestion.lr:.2g}." if suggestion.lr else ""),
            evidence, location="optimizer",
            fix=f"Lower the LR to about {suggestion.lr:.2g} (≈10x below where the loss explodes)." if suggestion.lr else None,
        )]
    if stable_at_lr and suggestion.divergence_lr is not None and lr > suggestion.divergence_lr:
        evidence["range_test_overruled"] = "the trial at your LR fell steadily"
    if suggestion.lr is None or weights_frozen(trial):
        return []
    far_below = lr * TOO_LOW_FACTOR <= suggestion.lr
    slow = progress is not None and progress < LITTLE_PROGRESS
    if (far_below and slow) or (fixed_by is not None and fixed_by > lr):
        why = (f"the trial's train loss fell only {max(progress, 0):.1%} in {trial.steps} steps" if slow and trial is not None
               else f"one batch could not be fitted at your LR but was at lr={fixed_by:.2g}")
        return [Finding(
            "O402", Severity.WARNING,
            f"The learning rate {lr:.2g} ({sweep.optimizer}) is {suggestion.lr / lr:.0f}x below the range test's "
            f"suggestion {suggestion.lr:.2g}, and {why}.",
            evidence, location="optimizer", fix=f"Raise the LR toward {suggestion.lr:.2g}.",
        )]
    return []


@check("O401", "O402", phase="optimisation")
def learning_rate(ctx: Context) -> Iterable[Finding]:
    """Compare the user's LR with the range test, the trial and the single-batch fit at that LR.

    When the optimizer's own settings are invalid or pathological (O410), they distort what
    any LR does (an Adam eps of 1 turns it into slow SGD; momentum 1 never forgets), so an LR
    finding is reported as their symptom.
    """
    lr = user_lr(ctx.setup)
    sweep = _range(ctx)
    findings = lr_verdict(lr, sweep, _trial(ctx), _overfit(ctx))
    if findings and settings_problems(*_settings(ctx)):
        for finding in findings:
            finding.explained_by = "O410"
    return findings


def _settings(ctx: Context) -> tuple[str, list[dict[str, Any]]]:
    """The optimizer type and its parameter groups' settings, read from one built on a copy."""
    optimizer = ctx.setup.make_optimizer(ctx.model_copy())
    return type(optimizer).__name__, [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups]


# -- O410 ----------------------------------------------------------------------------
def settings_problems(kind: str, groups: Sequence[dict[str, Any]]) -> list[tuple[Severity, str, dict[str, Any]]]:
    """Invalid or pathological hyperparameters of an optimizer's parameter groups."""
    problems: list[tuple[Severity, str, dict[str, Any]]] = []
    for index, group in enumerate(groups):
        where = f"group {index}" if len(groups) > 1 else "the optimizer"
        lr = group.get("lr")
        lr = float(lr) if lr is not None else None
        if lr is not None and lr <= 0:
            problems.append((Severity.ERROR, f"{where} has lr={lr:g}: no parameter can move", {"lr": lr}))
        momentum = group.get("momentum")
        if momentum is not None and not 0 <= float(momentum) < 1:
            problems.append((Severity.ERROR, f"{where} has momentum={momentum}: outside [0, 1) the velocity never decays and the updates grow without bound", {"momentum": momentum}))
        betas = group.get("betas")
        if betas is not None and not all(0 <= float(b) < 1 for b in betas):
            problems.append((Severity.ERROR, f"{where} has betas={tuple(betas)}: each must lie in [0, 1)", {"betas": list(betas)}))
        eps = group.get("eps")
        if eps is not None and kind in ADAPTIVE and not 1e-12 <= float(eps) <= 1e-2:
            effect = "lets steps blow up where the gradient's running scale is near zero" if float(eps) < 1e-12 else "swamps the gradient's running scale, turning the optimizer into slow plain SGD"
            problems.append((Severity.WARNING, f"{where} has eps={eps:g}, which {effect}", {"eps": eps}))
        decay = float(group.get("weight_decay", 0.0) or 0.0)
        if decay > 0 and lr is not None and lr > 0:
            if kind in ADAPTIVE and kind not in DECOUPLED:
                pathological, shown = decay >= 1.0, f"weight_decay={decay:g} added to the gradient before {kind}'s normalisation dominates it"
            else:
                pathological, shown = lr * decay >= DECAY_PER_STEP, f"lr*weight_decay={lr * decay:.2g}: every step shrinks each weight by that share"
            if pathological:
                problems.append((Severity.WARNING, f"{where} has {shown}", {"weight_decay": decay, "lr": lr}))
    return problems


@check("O410", phase="optimisation")
def optimizer_settings(ctx: Context) -> Iterable[Finding]:
    """Read the settings of an optimizer built by the user's factory on a copy."""
    kind, groups = _settings(ctx)
    for severity, message, evidence in settings_problems(kind, groups):
        yield Finding("O410", severity, f"{kind}: {message}.", {"optimizer": kind, **evidence}, location="optimizer")


# -- O403 / O404 ---------------------------------------------------------------------
def gradient_growth(norms: Sequence[float], window: int = 5) -> float | None:
    """Largest running median of the gradient norm over the median of the first steps."""
    values = np.asarray(norms, dtype=float)
    if len(values) < 2 * window:
        return None
    if not np.isfinite(values).all():
        return math.inf
    start = float(np.median(values[:window]))
    rolling = [float(np.median(values[i : i + window])) for i in range(window, len(values) - window + 1)]
    return max(rolling) / start if start > 0 else None


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
            growth[name] = {"ratio": first / last, "steps": float(len(per_step)), "first": first, "last": last}
    return growth


@check("O403", phase="training")
def exploding_gradients(ctx: Context) -> Iterable[Finding]:
    """The trial's gradient norm grows by two orders of magnitude (or turns non-finite), or a
    recurrent layer's gradient grows by that much back through time at init."""
    trial = _trial(ctx)
    growth = gradient_growth(trial.total_grad_norm)
    if growth is None or growth < EXPLODING_GROWTH:
        yield from _exploding_through_time(ctx)
        return
    layer_growth = {name: gradient_growth(values) for name, values in trial.grad_norms.items()}
    worst = max((n for n, g in layer_growth.items() if g is not None), key=lambda n: layer_growth[n], default=None)
    norms = trial.total_grad_norm
    yield Finding(
        "O403", Severity.ERROR,
        "The gradient norm " + ("turned non-finite" if math.isinf(growth) else f"grew {growth:.0f}x")
        + f" during the {trial.steps}-step trial (from {np.median(norms[:5]):.3g} to a peak of {np.nanmax(np.where(np.isfinite(norms), norms, np.nan)):.3g}).",
        {"growth": growth, "start_norm": float(np.median(norms[:5])), "peak_norm": float(np.nanmax(np.where(np.isfinite(norms), norms, np.nan))),
         "steps": trial.steps},
        location=worst,
    )


def _exploding_through_time(ctx: Context) -> Iterable[Finding]:
    model = ctx.model_copy(seed=ctx.setup.seed)
    if not any(isinstance(m, nn.RNNBase) for m in model.modules()):
        return
    growth = through_time_growth(ctx.setup, model, ctx.batches("train")[0])
    worst = max(growth, key=lambda n: growth[n]["ratio"], default=None)
    if worst is None or growth[worst]["ratio"] < EXPLODING_GROWTH:
        return
    ratio, steps = growth[worst]["ratio"], int(growth[worst]["steps"])
    yield Finding(
        "O403", Severity.ERROR,
        f"At init the loss gradient reaching the first of {worst}'s {steps} time steps is {ratio:.3g}x the one reaching its "
        f"last: backpropagation through time multiplies it by about {ratio ** (1 / max(steps - 1, 1)):.2g} per step, so it "
        "explodes with sequence length.",
        {"through_time": growth, "steps": steps, "growth": ratio},
        location=worst,
    )


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
    """The first weight layer's per-element gradient is orders of magnitude below the last's,
    over the whole trial or over its opening quarter."""
    trial = _trial(ctx)
    found = vanishing_verdict(per_element_grads(trial.grad_norms, trial.param_sizes, trial.weight_params), "over the trial")
    opening = int(trial.steps * OPENING_SHARE)
    if found is None and opening >= MIN_OPENING_STEPS:
        early = {name: values[:opening] for name, values in trial.grad_norms.items()}
        found = vanishing_verdict(per_element_grads(early, trial.param_sizes, trial.weight_params),
                                  f"over the first {opening} of the trial's {trial.steps} steps")
    if found is not None:
        yield found


def vanishing_verdict(layers: list[tuple[str, float]], span: str) -> Finding | None:
    """O404 from per-element gradient sizes ordered first to last layer; shared by checkup and watch.

    ``span`` says what the sizes were measured over ("over the trial", "over 12 sampled steps").
    A first layer with no gradient at all is not vanishing but cut off (dead units, no
    gradient path: M203/O405/M209), so it is left to those rules.
    """
    if len(layers) < 2 or layers[-1][1] <= 0 or layers[0][1] <= 0:
        return None
    (first, g_first), (last, g_last) = layers[0], layers[-1]
    ratio = g_first / g_last
    if ratio >= VANISHING_RATIO:
        return None
    return Finding(
        "O404", Severity.WARNING,
        f"The first weight layer's gradient ({first}: {g_first:.2g} per element) is {1 / ratio:.3g}x smaller "
        f"than the last layer's ({last}: {g_last:.2g}) {span}: early layers barely learn.",
        {"ratio": ratio, "per_layer": {n: g for n, g in layers}},
        location=first,
    )


# -- O406 / O407 ---------------------------------------------------------------------
def plateau(losses: Sequence[float], reference: float | None) -> dict[str, float] | None:
    """Evidence that the loss does not move, else None.

    Flat means it moved by under ``PLATEAU_CHANGE`` of its start over the whole run, or it
    never got below the constant predictor's loss (``reference``: nothing beyond the prior
    was learned) and stayed flat over the second half. A model already far below the
    constant predictor at the start (pre-trained) is not judged.
    """
    values = np.asarray(losses, dtype=float)
    if len(values) < 3 or not np.isfinite(values).all() or values[0] <= 0:
        return None
    if reference is not None and values[0] < 0.1 * reference:
        return None
    moved = float(np.max(np.abs(values - values[0])) / values[0])
    half = values[len(values) // 2 :]
    late = float(np.max(np.abs(half - half[0])) / half[0]) if half[0] > 0 else math.inf
    at_prior = reference is not None and float(values.min()) >= (1 - PLATEAU_CHANGE) * reference
    if moved < PLATEAU_CHANGE or (at_prior and late < PLATEAU_CHANGE):
        return {"max_change": moved, "late_change": late, "reference": reference if reference is not None else math.nan}
    return None


@check("O406", phase="training")
def loss_plateau(ctx: Context) -> Iterable[Finding]:
    """The trial's fixed-set train loss does not move from its start (or from the prior's level).

    Two discriminating facts join the finding: when the weights barely move and the range
    test finds a far higher LR, the LR is why (O402 is then silent: nothing falls slowly,
    nothing falls); when one batch cannot be memorised at any LR tried (G602, with no cause
    of its own), the model cannot fit and the plateau is its symptom.
    """
    from .generalisation import underfitting

    trial = _trial(ctx)
    flat = plateau(trial.train_eval, trial.reference)
    if flat is None:
        return
    prior = (f"; it never went below {flat['reference']:.4g}, the loss of predicting the prior"
             if flat["max_change"] >= PLATEAU_CHANGE else "")
    evidence: dict[str, Any] = {"start_loss": trial.train_eval[0], "end_loss": trial.train_eval[-1], **flat, "steps": trial.steps}
    cause, fix, explained_by = "", None, None
    frozen = weights_frozen(trial)
    update = median_update_ratio(trial)
    suggestion = _range(ctx).suggestion.lr if frozen else None
    lr = user_lr(ctx.setup)
    if frozen and suggestion is not None and lr is not None and lr * TOO_LOW_FACTOR <= suggestion:
        evidence.update({"median_update_ratio": update, "user_lr": lr, "suggested_lr": suggestion})
        cause = (f" Each step moves the weights by only {update:.2g} of their size, and the range test finds the loss "
                 f"falls at lr={suggestion:.2g}, {suggestion / lr:.0f}x your lr={lr:.2g}: the LR is too small for any learning.")
        fix = f"Raise the LR toward {suggestion:.2g}."
    else:
        cannot_fit = underfitting(_overfit(ctx))
        if cannot_fit is not None and cannot_fit.explained_by is None:
            explained_by = "G602"
    yield Finding(
        "O406", Severity.ERROR,
        f"The train loss went from {trial.train_eval[0]:.4g} to {trial.train_eval[-1]:.4g} in the {trial.steps}-step trial "
        f"and was flat over its second half (moved {flat['late_change']:.2%}){prior}: nothing is being learned." + cause,
        evidence, fix=fix, explained_by=explained_by,
    )


def oscillation(losses: Sequence[float]) -> dict[str, float] | None:
    """Swing, trend efficiency and share of rises in the second half of a loss curve.

    Used by watch on window means of the per-step loss; checkup's fixed-set curve is judged
    by :func:`bouncing`.
    """
    values = np.asarray(losses, dtype=float)
    if len(values) < 8 or not np.isfinite(values).all() or values[0] <= 0:
        return None
    half = values[len(values) // 2 :]
    diffs = np.diff(half)
    travelled = float(np.abs(diffs).sum())
    return {
        "swing": float(half.max() - half.min()) / float(values[0]),
        "efficiency": abs(float(half[-1] - half[0])) / travelled if travelled > 0 else 1.0,
        "rises": float((diffs > 0).mean()),
    }


def is_oscillating(stats: dict[str, float] | None) -> bool:
    return (
        stats is not None and stats["swing"] >= OSCILLATION_SWING
        and stats["efficiency"] < OSCILLATION_EFFICIENCY and stats["rises"] >= OSCILLATION_RISES
    )


def bouncing(losses: Sequence[float]) -> dict[str, float] | None:
    """Evidence that a fixed-set loss curve keeps climbing back above levels it had reached, else None.

    The typical (median) evaluation must sit ``OSCILLATION_SWING`` or more above the lows on
    both sides of it (:func:`bumps`): the swings, not the trend, shape the curve. Noise near
    a floor, a steady fall, a plateau or a steady rise stay below that.
    """
    values = np.asarray(losses, dtype=float)
    heights = bumps(values) if len(values) >= MIN_EVALS_FOR_SHAPE else None
    if heights is None:
        return None
    median = float(np.median(heights))
    if median < OSCILLATION_SWING:
        return None
    return {"median_climb": median, "largest_climb": float(heights.max()), "climbing": int((heights >= OSCILLATION_SWING).sum()),
            "inner_evaluations": len(heights)}


@check("O407", phase="training")
def oscillating_loss(ctx: Context) -> Iterable[Finding]:
    """The trial's fixed-set train loss keeps climbing back above levels it had already reached."""
    trial = _trial(ctx)
    if trial.diverged_step is not None:
        return
    stats = bouncing(trial.train_eval)
    if stats is not None:
        yield Finding(
            "O407", Severity.WARNING,
            f"The train loss keeps climbing back up during the trial: at {stats['climbing']} of its {stats['inner_evaluations']} "
            f"inner evaluations it sits {OSCILLATION_SWING:.0%} or more above the lows on both sides of it (median {stats['median_climb']:.0%}, "
            f"largest {stats['largest_climb']:.0%}), so each stretch of progress is partly undone by the next steps.",
            {**stats, "train_loss": trial.train_eval, "eval_steps": trial.eval_steps},
        )


# -- O409 ----------------------------------------------------------------------------
@check("O409", phase="training")
def excessive_regularisation(ctx: Context) -> Iterable[Finding]:
    """Equal training with and without the user's weight decay/dropout: does removing it fit clearly better?"""
    result = ctx.probe("regularisation", regularisation_probe)
    if result is None or result.reference is None or not math.isfinite(result.with_loss):
        return
    if result.with_loss > REGULARISED_STAYS * result.reference and result.without_loss <= UNREGULARISED_GAIN * result.with_loss:
        used = result.regularisers
        parts = ([f"weight_decay={used['weight_decay']:g}"] if used["weight_decay"] > 0 else []) + [
            f"dropout p={p:g} at {name}" for name, p in used["dropout"].items()
        ]
        yield Finding(
            "O409", Severity.WARNING,
            f"With {', '.join(parts)} the train loss stays at {result.with_loss:.3g} after {result.steps} steps "
            f"(the constant predictor scores {result.reference:.3g}); an identical copy without them reaches {result.without_loss:.3g}.",
            {"with_regularisation": result.with_loss, "without_regularisation": result.without_loss,
             "reference": result.reference, "regularisers": used, "steps": result.steps},
        )
