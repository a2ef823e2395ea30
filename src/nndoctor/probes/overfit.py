"""Single-batch overfit and the with/without-regularisation comparison.

Single-batch overfit (Karpathy's "overfit one batch"): a healthy network memorises a
few dozen samples in a few hundred steps; one that cannot has a bug or no capacity.
Decision on regularisation: the copy trains in train mode (BatchNorm uses batch
statistics as in real training) but with dropout disabled and weight decay set to 0,
because the question is whether the model and its wiring *can* fit, not whether the
chosen regularisation lets it; O409 asks that second question separately with
:func:`regularisation_probe`. The fit is tried at the user's LR and, when that fails, at
the range test's suggestion, so a bad LR is not mistaken for an unfittable model.

A step budget is not the end of training: an attempt that ends unfitted while its loss is
still falling fast enough to reach the target within ``patience`` times the steps it had
proves only "not yet", never "cannot", so it counts as inconclusive; so does one whose loss is
already under the target with a sample still wrong while it keeps falling.

Budgets are step counts sized from the setup (:func:`~nndoctor.probes.trial.sized_steps`),
never seconds: the wall clock is a safety net that abandons the probe as inconclusive
(:class:`~nndoctor.checks.base.Inconclusive`), so a loaded machine cannot turn "fitted in
150 steps" into "did not fit in 40".
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Sequence

import torch
from torch import nn

from ..checks.base import check_deadline
from ..record import Recorder
from ..setup import Batch, Setup, batch_size_of, input_padding
from ..verdicts.curves import FIT_SHARE, smoothed_target_entropy
from ..verdicts.generalisation import Attempt
from .trial import (
    accuracy,
    evaluate,
    probe_deadline,
    reference_loss,
    set_lr,
    sized_steps,
    stacked_targets,
    step_cost,
    take_samples,
    user_lr,
)

if TYPE_CHECKING:
    from ..checks.base import Context

DROPOUT = (nn.modules.dropout._DropoutNd,)


@dataclass
class OverfitConfig:
    """Budget of each fitting attempt in steps and what "fitted" means.

    ``steps`` and ``regularisation_steps`` are nominal: costly setups get proportionally
    fewer, never below ``min_steps``. ``seconds`` is an optional per-probe wall-clock
    safety net: tripping it makes the probe inconclusive, it never shortens an attempt.
    """

    samples: int = 32
    steps: int = 200
    seconds: float | None = None
    fit_fraction: float = FIT_SHARE
    regularisation_steps: int = 150
    patience: float = 10.0
    min_steps: int = 50


CONFIG = OverfitConfig()


@dataclass
class OverfitResult:
    """Attempts in order: the user's LR first, then (when that failed) the range test's suggestion or a decade away."""

    samples: int
    reference: float | None
    target_loss: float
    attempts: list[Attempt] = field(default_factory=list)
    # False when "fitted" has no target in the loss's own units (no best-constant reference, and
    # neither a class task whose every-sample-right test carries the verdict): the test then proves nothing.
    target_known: bool = True

    @property
    def at_user_lr(self) -> Attempt:
        return self.attempts[0]

    @property
    def at_second_lr(self) -> Attempt | None:
        """The second LR tried: the range test's suggestion, else a decade from the user's (``source`` says which)."""
        return self.attempts[1] if len(self.attempts) > 1 else None

    @property
    def fitted(self) -> bool:
        return any(a.fitted for a in self.attempts)


def without_regularisation(model: nn.Module, optimizer: torch.optim.Optimizer) -> None:
    """Switch dropout off (eval mode, RNN inter-layer dropout 0) and set weight decay to 0."""
    for module in model.modules():
        if isinstance(module, DROPOUT):
            module.eval()
        if isinstance(module, nn.RNNBase):
            module.dropout = 0.0
    for group in optimizer.param_groups:
        if "weight_decay" in group:
            group["weight_decay"] = 0.0


def regularisers(setup: Setup) -> dict[str, Any]:
    """The regularisation the setup uses: weight decay per group and dropout rates."""
    model = setup.fresh_model()
    optimizer = setup.make_optimizer(model)
    decay = [float(g.get("weight_decay", 0.0) or 0.0) for g in optimizer.param_groups]
    dropout = {
        name: float(m.p if isinstance(m, DROPOUT) else m.dropout)
        for name, m in model.named_modules()
        if (isinstance(m, DROPOUT) and m.p > 0) or (isinstance(m, nn.RNNBase) and m.dropout > 0)
    }
    return {"weight_decay": max(decay, default=0.0), "dropout": dropout}


def fits(setup: Setup, loss: float, acc: float | None, target_loss: float) -> bool:
    """Memorised: loss below the target and (classification) every sample right."""
    return math.isfinite(loss) and loss <= target_loss and (acc is None or acc >= 1.0)


def still_falling(curve: Sequence[tuple[int, float]], target_loss: float, patience: float) -> bool:
    """Whether a loss curve ``(step, loss)`` would reach ``target_loss`` within ``patience`` times its steps.

    The rate is the fall of the log-loss over the second half of the curve, so an early
    plunge followed by a stall does not count; an attempt that stalled is conclusive. The
    curve is read as the best loss reached so far: a spike (an Adam step overshooting on one
    batch) does not undo the progress made, nor show a stall.
    """
    points, best = [], math.inf
    for step, loss in curve:
        if math.isfinite(loss) and loss > 0:
            best = min(best, loss)
            points.append((step, best))
    if len(points) < 4 or target_loss <= 0:
        return False
    end_step, end_loss = points[-1]
    mid_step, mid_loss = min(points, key=lambda p: abs(p[0] - end_step / 2))
    if end_loss <= target_loss or end_step <= mid_step or end_loss >= mid_loss:
        return False
    rate = (math.log(mid_loss) - math.log(end_loss)) / (end_step - mid_step)
    return math.log(end_loss / target_loss) / rate <= (patience - 1) * end_step


def unfinished(curve: Sequence[tuple[int, float]], final: float, target_loss: float, all_right: float | None,
               patience: float) -> bool:
    """Whether an attempt that did not fit only ran out of steps: its loss still falls fast enough to reach the
    target within ``patience`` times its steps or, already under the target with a sample still wrong, to reach
    ``all_right`` (:func:`all_right_loss`), where no sample can be wrong. A loss that stalls there (conflicting
    labels, a sample the model cannot separate) is a conclusive failure."""
    if final > target_loss:
        return still_falling(curve, target_loss, patience)
    return all_right is not None and still_falling(curve, all_right, patience)


def fit_batch(setup: Setup, model: nn.Module, lr: float | None, batch: Batch, target_loss: float,
              config: OverfitConfig, deadline: float | None, source: str) -> Attempt:
    """Train ``model`` on one batch at ``lr`` (regularisation off) until it fits or ``config.steps`` end.

    Past ``deadline`` (the safety net) it raises :class:`~nndoctor.checks.base.Inconclusive`.
    """
    optimizer = setup.make_optimizer(model)
    if lr is not None:
        set_lr(optimizer, lr, [float(g["lr"]) for g in optimizer.param_groups])
    model.train()
    without_regularisation(model, optimizer)
    recorder = Recorder(model, optimizer, setup.compute_loss)
    x, y = batch

    soft = soft_binary_targets(setup, y)

    def measure() -> tuple[float, float | None]:
        with torch.no_grad():
            output = model(x)
            return float(setup.compute_loss(output, y)), None if soft else accuracy(setup, output, y)

    recorder.on_eval(0, loss=measure()[0])
    for step in range(1, config.steps + 1):
        check_deadline(deadline, f"overfit ({source} LR, step {step} of {config.steps})")
        if not math.isfinite(recorder.step(x, y)):
            break
        if step % 10 == 0:
            loss, acc = measure()
            recorder.on_eval(step, loss=loss)
            if fits(setup, loss, acc, target_loss):
                break
    record = recorder.record
    steps = record.steps
    final, acc = measure()
    if record.eval_steps[-1] != steps:
        recorder.on_eval(steps, loss=final)
    curve = list(zip(record.eval_steps, record.series("loss")))
    diverged = record.diverged_step is not None or not math.isfinite(final)
    fitted = fits(setup, final, acc, target_loss) and not diverged
    falling = not fitted and not diverged and unfinished(curve, final, target_loss, all_right_loss(setup, y), config.patience)
    # Conclusive: fitted, diverged, or failed after its full budget with the loss stalled ("not yet" proves nothing).
    return Attempt(lr, source, curve[0][1], final, acc, steps, fitted, diverged,
                   conclusive=fitted or diverged or not falling, still_falling=falling, curve=tuple(v for _, v in curve))


CLASS_INDEX_LOSSES = (nn.CrossEntropyLoss, nn.NLLLoss)
ELEMENT_LOSSES = (nn.BCEWithLogitsLoss, nn.BCELoss)


def all_right_loss(setup: Setup, targets: Any) -> float | None:
    """A mean loss at which no sample of the batch can be wrong: ln(2) over the number of terms averaged.

    Under an unweighted, mean-reduced cross-entropy a term is at least ln 2 while its prediction
    is wrong (the true class's probability at most one half, or a binary logit on the wrong
    side), so a mean below ln(2) / terms leaves none wrong. None for other losses (weights,
    label smoothing, soft targets, regression), whose terms carry no such bound.
    """
    loss = setup.loss
    if not isinstance(targets, torch.Tensor) or getattr(loss, "reduction", None) != "mean" \
            or getattr(loss, "weight", None) is not None or getattr(loss, "pos_weight", None) is not None:
        return None
    if isinstance(loss, CLASS_INDEX_LOSSES) and not targets.is_floating_point() \
            and not float(getattr(loss, "label_smoothing", 0.0) or 0.0):
        terms = int((targets != getattr(loss, "ignore_index", -100)).sum())
    elif isinstance(loss, ELEMENT_LOSSES) and not soft_binary_targets(setup, targets):
        terms = targets.numel()
    else:
        return None
    return math.log(2) / terms if terms else None


def soft_binary_targets(setup: Setup, targets: torch.Tensor | None) -> bool:
    """Probabilities as binary targets (a viability fraction, an annotators' share) under an unweighted binary
    cross-entropy: no sample has a class to be right about, and the loss cannot reach 0."""
    from .label_probe import probability_targets

    loss = setup.loss
    if type(loss).__name__ not in ("BCEWithLogitsLoss", "BCELoss") or not isinstance(targets, torch.Tensor) \
            or not targets.is_floating_point() or getattr(loss, "weight", None) is not None \
            or getattr(loss, "pos_weight", None) is not None:
        return False
    return probability_targets(targets.detach().reshape(len(targets), -1).cpu().numpy())


def loss_floor(setup: Setup, targets: torch.Tensor | None = None) -> float:
    """The lowest loss a perfect fit of ``targets`` can reach: 0, except under label smoothing or for
    probabilities as binary targets (their mean entropy).

    ``CrossEntropyLoss(label_smoothing=e)`` compares the prediction with a smoothed target
    (1 - e + e/K on the true class, e/K elsewhere), so even a perfect memoriser scores that
    target's entropy; "fitted" is measured above this floor. Under class weights ``w`` torch
    weighs the smoothed part by every class's weight: a sample of class y scores
    ``sum_k a_k * -log q_k`` with ``a_k = (1 - e) w_y [k = y] + e w_k / K``, lowest at q ∝ a,
    and the mean divides by the labels' summed weights.
    """
    if soft_binary_targets(setup, targets):
        # a perfect fit predicts each target's own probability and scores its entropy, not 0
        p = targets.detach().double().clamp(1e-12, 1 - 1e-12)
        return float(-(p * p.log() + (1 - p) * (1 - p).log()).mean())
    smoothing = float(getattr(setup.loss, "label_smoothing", 0.0) or 0.0)
    classes = getattr(setup, "n_classes", None)
    if type(setup.loss).__name__ != "CrossEntropyLoss" or smoothing <= 0 or not classes or classes < 2:
        return 0.0
    weight = getattr(setup.loss, "weight", None)
    if isinstance(weight, torch.Tensor) and weight.numel() == classes and isinstance(targets, torch.Tensor) \
            and not targets.is_floating_point():
        labels = targets.reshape(-1).long().cpu()
        labels = labels[(labels >= 0) & (labels < classes)]
        w = weight.detach().double().cpu().reshape(-1)
        if labels.numel() and float(w[labels].sum()) > 0:
            a = (smoothing / classes) * w.expand(classes, classes).clone()  # row y: the smoothed target of class y
            a += torch.diag((1.0 - smoothing) * w)
            per_class = (a * -(a / a.sum(dim=1, keepdim=True)).clamp_min(1e-300).log()).sum(dim=1)
            return float(per_class[labels].sum() / w[labels].sum())
    return smoothed_target_entropy(smoothing, classes)


def single_batch_overfit(setup: Setup, batch: Batch, make_model: Callable[[], nn.Module],
                         fallback_lr: Callable[[], float | None] = lambda: None,
                         config: OverfitConfig = CONFIG, deadline: float | None = None) -> OverfitResult:
    """Try to memorise ``batch`` at the user's LR, then at ``fallback_lr()`` (or a decade away) if that failed.

    "Fitted" means the loss fell below ``fit_fraction`` of the best constant predictor's
    loss on the batch (prior entropy / target variance), both measured above the loss's
    floor (:func:`loss_floor`), and, for classification, every
    sample is predicted right. ``deadline`` (``config.seconds`` from now when not given)
    is the safety net.
    """
    if deadline is None and config.seconds is not None:
        deadline = time.perf_counter() + config.seconds
    reference = reference_loss(setup, batch[1])
    model = make_model()
    floor = loss_floor(setup, batch[1])
    if reference is not None and reference > floor + 1e-8:
        target = floor + config.fit_fraction * (reference - floor)
    else:
        with torch.no_grad():
            target = floor + config.fit_fraction * (float(setup.compute_loss(model(batch[0]), batch[1])) - floor)
    result = OverfitResult(len(batch[1]), reference, target, target_known=reference is not None or (
        setup.task in ("binary", "multiclass", "multilabel", "sequence") and not setup.structured_output))
    lr = user_lr(setup)
    result.attempts.append(fit_batch(setup, model, lr, batch, target, config, deadline, "user"))
    if result.attempts[0].fitted:
        return result
    other = fallback_lr()
    if other is not None and (lr is None or not math.isclose(lr, other, rel_tol=0.5)):
        result.attempts.append(fit_batch(setup, make_model(), other, batch, target, config, deadline, "suggested"))
    elif other is None and lr is not None and lr > 0:
        # no LR from the range test (its sweep too short for the loss to start falling): the playbook's next try is
        # a decade away, down when the loss rose above where it began (steps too large), else up
        first = result.attempts[0]
        rose = first.diverged or any(v > first.initial_loss for v in first.curve[1:])
        result.attempts.append(fit_batch(setup, make_model(), lr / 10 if rose else lr * 10, batch, target, config,
                                         deadline, "decade"))
    return result


def overfit_probe(ctx: "Context", config: OverfitConfig | None = None) -> OverfitResult:
    """Single-batch overfit on the first training samples; the range test supplies the fallback LR."""
    from .lr_range import lr_range_probe

    config = config or CONFIG
    batch = take_samples(ctx.batches("train"), config.samples, input_padding(ctx.setup.model))
    steps = sized_steps(config.steps, config.min_steps, step_cost(ctx), batch_size_of(batch[0]), ctx.device)
    return single_batch_overfit(
        ctx.setup, batch, lambda: ctx.model_copy(seed=ctx.setup.seed),
        lambda: ctx.probe("lr_range", lr_range_probe).suggestion.lr, replace(config, steps=steps, seconds=None),
        probe_deadline(ctx, config.seconds),
    )


@dataclass
class RegularisationResult:
    """Eval-mode train loss after equal training with and without the user's regularisation."""

    regularisers: dict[str, Any]
    with_loss: float
    without_loss: float
    reference: float | None
    steps: int


def regularisation_probe(ctx: "Context", config: OverfitConfig | None = None) -> RegularisationResult | None:
    """Train two identical copies on the same sample batches for the same step count, one with regularisation off."""
    config = config or CONFIG
    used = regularisers(ctx.setup)
    if used["weight_decay"] <= 0 and not used["dropout"]:
        return None
    batches = ctx.batches("train")
    steps = sized_steps(config.regularisation_steps, config.min_steps, step_cost(ctx), batch_size_of(batches[0][0]), ctx.device)
    deadline = probe_deadline(ctx, config.seconds)
    losses, steps_done = [], 0
    for regularised in (True, False):
        model = ctx.model_copy(seed=ctx.setup.seed)
        optimizer = ctx.setup.make_optimizer(model)
        model.train()
        if not regularised:
            without_regularisation(model, optimizer)
        recorder = Recorder(model, optimizer, ctx.setup.compute_loss)
        for step in range(steps):
            check_deadline(deadline, f"regularisation ({'with' if regularised else 'without'}, step {step} of {steps})")
            x, y = batches[step % len(batches)]
            if not math.isfinite(recorder.step(x, y)):
                break
        steps_done = max(steps_done, recorder.record.steps)
        losses.append(evaluate(ctx.setup, model, batches)[0])
    targets = stacked_targets(batches)
    return RegularisationResult(used, losses[0], losses[1], reference_loss(ctx.setup, targets), steps_done)
