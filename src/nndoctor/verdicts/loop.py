"""Verdicts on the training loop's code (T501-T508): gradient clearing, train/eval mode, updates, step order, batches, seeding, replicas.

Watch is the only mode that sees the user's own loop, so its recorder's counters are the
measurements here; a data-parallel run's per-rank summaries are T508's. Each verdict
reads the small dataclass beside it and decides alone.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding, Severity
from . import verdict

# -- thresholds ---------------------------------------------------------------------------
# T501: three uncleared steps rule out a one-off (the first step has nothing to clear), and 90% of the
# checked steps a deliberate gradient accumulation over a few micro-batches (which clears in between).
UNCLEARED_MIN = 3
UNCLEARED_SHARE = 0.9
# T502/T503: the wrong mode during at least half of the passes is the loop's habit, not one stray pass.
MODE_SHARE = 0.5
# T502: backward passes checked before the mode is judged (the first could precede model.train()).
MIN_MODE_CHECKS = 3
# T503: evaluation forwards in train mode before it is a pattern (a single one can be a probe of the user's).
MIN_TRAIN_MODE_EVALS = 2
# T504: optimizer steps before "never changed" means anything (a step or two may legitimately skip).
MIN_STEPS_FOR_UNCHANGED = 3
# T505: the same misordering on at least 3 steps and half of all steps is the loop's order, not an accident.
MIN_MISORDERED = 3
MISORDERED_SHARE = 0.5
# T505: backward passes with no optimizer step at all before the run is judged never to step.
MIN_BACKWARDS_WITHOUT_STEP = 10
# T506: a repeated batch is a part of the data when the run holds twice its rows of the same shape (a validation
# set as large as the training set itself would be unusual for full-batch training).
HELD_ROWS_FACTOR = 2
# T506: consecutive step pairs compared before "the same batch every step" is judged.
MIN_BATCH_PAIRS = 3
# T508: replicas hold bitwise-identical gradients after an all-reduce and identical weights after identical
# updates; a relative difference in the 4th significant digit is far above float32 rounding (~1e-7) and means
# the ranks really train different models.
AGREEMENT_RTOL = 1e-4


# -- T501: gradients never cleared ----------------------------------------------------------
@dataclass(frozen=True)
class GradientClearing:
    """Optimizer steps whose gradients were (not) cleared since the previous step, and the zero_grad calls seen."""

    uncleared_steps: int
    cleared_steps: int
    zero_grad_calls: int
    steps: int


@verdict("T501")
def missing_zero_grad(m: GradientClearing) -> Iterable[Finding]:
    """Nearly every step's gradient also holds every earlier step's: zero_grad() is missing."""
    uncleared, total = m.uncleared_steps, m.uncleared_steps + m.cleared_steps
    if uncleared >= UNCLEARED_MIN and uncleared / total >= UNCLEARED_SHARE:
        yield Finding(
            "T501", Severity.ERROR,
            f"Gradients were never cleared between optimizer steps on {uncleared} of {total} steps "
            f"({m.zero_grad_calls} zero_grad calls in {m.steps} steps): each step's gradient also "
            "contains every earlier step's.",
            {"uncleared_steps": uncleared, "checked_steps": total, "zero_grad_calls": m.zero_grad_calls},
        )


# -- T502 / T503: train and eval mode -------------------------------------------------------
@dataclass(frozen=True)
class BackwardModes:
    """Backward passes whose model mode was checked, and how many of them ran in eval mode."""

    checked: int
    in_eval_mode: int


def trained_in_eval_mode(m: BackwardModes) -> bool:
    """Whether the loop trains with the model in eval mode (also tells D101 a first BatchNorm is frozen)."""
    return m.checked >= MIN_MODE_CHECKS and m.in_eval_mode / m.checked >= MODE_SHARE


@verdict("T502")
def eval_mode_training(m: BackwardModes) -> Iterable[Finding]:
    """Most backward passes ran in eval mode: dropout off, BatchNorm frozen while training."""
    if trained_in_eval_mode(m):
        yield Finding(
            "T502", Severity.WARNING,
            f"The model was in eval mode during {m.in_eval_mode} of {m.checked} backward passes: dropout is off and "
            "BatchNorm uses frozen running statistics while training.",
            {"backward_in_eval_mode": m.in_eval_mode, "backward_checked": m.checked},
        )


@dataclass(frozen=True)
class EvaluationModes:
    """Forward passes without gradients (evaluation), and how many of them ran in train mode."""

    eval_forwards: int
    in_train_mode: int


@verdict("T503")
def train_mode_evaluation(m: EvaluationModes) -> Iterable[Finding]:
    """Most evaluation passes ran in train mode: dropout on, BatchNorm statistics updated with evaluation data."""
    evals, in_train = m.eval_forwards, m.in_train_mode
    if in_train >= MIN_TRAIN_MODE_EVALS and in_train / evals >= MODE_SHARE:
        yield Finding(
            "T503", Severity.WARNING,
            f"{in_train} of {evals} forward passes without gradients (evaluation) ran with the model in train mode: "
            "dropout was active and BatchNorm updated its running statistics with evaluation data.",
            {"eval_forwards": evals, "eval_forwards_in_train_mode": in_train},
        )


# -- T504: parameters never updated ---------------------------------------------------------
@dataclass(frozen=True)
class ParameterUpdates:
    """Which trainable tensors never changed over the run, and why the recorder thinks so.

    ``unchanged``: tensors whose value at the end equals their start; ``reasons``: name -> why
    it could not move (e.g. "not in any optimizer"), for the tensors a reason was found for;
    ``reached``: tensors the loss sends gradients to; ``trainable``: how many trainable tensors
    were watched. ``diverged``: the loss went non-finite (then nothing is judged).
    """

    optimizer_steps: int
    steps: int
    trainable: int
    unchanged: Sequence[str]
    reasons: Mapping[str, str]
    reached: Sequence[str] = ()
    diverged: bool = False
    sizes: Mapping[str, int] = field(default_factory=dict)  # elements per tensor (all watched ones), when known


# T504 for layers the model holds in a plain container: passing model.parameters() again would not reach them.
UNREGISTERED_FIX = ("Hold the layers in nn.ModuleList or nn.ModuleDict (tensors in nn.ParameterList), so that "
                    "model.parameters(), the optimizer and state_dict include them.")


@verdict("T504")
def parameters_not_updated(m: ParameterUpdates) -> Iterable[Finding]:
    """Trainable tensors that never changed for a known reason; an error when nothing the loss trains can move."""
    if m.optimizer_steps < MIN_STEPS_FOR_UNCHANGED or m.diverged:
        return
    stuck = [n for n in m.unchanged if n in m.reasons]
    if not stuck:
        return
    total = m.trainable
    reasons: dict[str, list[str]] = {}
    for name in stuck:
        reasons.setdefault(m.reasons[name], []).append(name)
    why = "; ".join(f"{len(names)} {'is' if len(names) == 1 else 'are'} {reason}" if reason.startswith("not") else f"{len(names)}: {reason}"
                    for reason, names in reasons.items())
    trained = [n for n in stuck if n in m.reached]
    # Nothing the loss trains can move when every parameter it sends gradients to is stuck; most of the model is
    # never trained when the stuck tensors hold most of its weights (a factor table beside its biases).
    everything = len(stuck) == total or (bool(m.reached) and set(m.reached) <= set(stuck))
    held = sum(m.sizes.values())
    most = held > 0 and sum(m.sizes.get(n, 0) for n in stuck) > held / 2
    yield Finding(
        "T504", Severity.ERROR if everything or most else Severity.WARNING,
        f"{len(stuck)} of {total} trainable parameter tensors never changed over {m.steps} steps ({why}): "
        + ", ".join(stuck[:5]) + ("…" if len(stuck) > 5 else "") + "."
        + (f" The loss sends gradients to {len(trained)} of them, so the model being trained is not the one the optimizer updates."
           if trained and any(m.reasons[n].startswith("not in") for n in trained) else ""),
        {"unchanged": stuck, "reasons": m.reasons, "trainable": total, "receive_gradients": trained},
        location=stuck[0],
        fix=UNREGISTERED_FIX if any("plain Python" in m.reasons[n] for n in stuck) else None,
    )


# -- T505: step order -----------------------------------------------------------------------
@dataclass(frozen=True)
class StepOrder:
    """Counts of the loop's backward / zero_grad / step / scheduler order, as the recorder saw it.

    ``final``: the run is over (only then can "the optimizer never stepped" be said).
    """

    optimizer_steps: int
    backward_calls: int
    step_without_backward: int = 0
    zero_between_backward_and_step: int = 0
    discarded_backwards: int = 0
    scheduler_before_optimizer: int = 0
    manual_steps: int = 0
    # clip_grad_norm_ / clip_grad_value_ calls between optimizer.step() and the next backward(), and how many of the
    # norm clips would have cut (norm > max_norm)
    clips_after_step: int = 0
    late_clips_that_cut: int = 0
    final: bool = True
    # an optimizer, or a watched model whose weights a hand-written update would be seen moving; without either the
    # loop updates tensors nndoctor never saw (plain tensors under ``p -= lr * p.grad``), so "never stepped" cannot be said
    updates_visible: bool = True


def _habitual(count: int, steps: int) -> bool:
    return steps >= MIN_MISORDERED and count >= max(MIN_MISORDERED, MISORDERED_SHARE * steps)


@verdict("T505")
def step_order(m: StepOrder) -> Iterable[Finding]:
    """backward(), zero_grad(), step() and the scheduler called in an order that wastes or skips updates."""
    steps = m.optimizer_steps
    problems, evidence = [], {"optimizer_steps": steps, "backward_calls": m.backward_calls}
    if _habitual(m.step_without_backward, steps):
        problems.append(f"optimizer.step() ran {m.step_without_backward} times with no backward() since the previous step")
        evidence["step_without_backward"] = m.step_without_backward
    if _habitual(m.zero_between_backward_and_step, steps):
        problems.append(f"zero_grad() was called between backward() and step() on {m.zero_between_backward_and_step} steps, "
                        "so each step applied zero gradients")
        evidence["zero_between_backward_and_step"] = m.zero_between_backward_and_step
    discarded = m.discarded_backwards
    if _habitual(discarded, steps):
        problems.append(f"zero_grad() threw away the gradients of {discarded} of {m.backward_calls} backward() passes before any "
                        "optimizer.step() used them")
        evidence["discarded_backwards"] = discarded
    if _habitual(m.clips_after_step, steps):
        would = f" ({m.late_clips_that_cut} of those norm clips would have cut)" if m.late_clips_that_cut else ""
        problems.append(f"gradient clipping ran after optimizer.step() on {m.clips_after_step} steps, so it cut "
                        f"gradients the step had already used and limited no step{would}; clip between backward() "
                        "and step()")
        evidence.update(clips_after_step=m.clips_after_step, late_clips_that_cut=m.late_clips_that_cut)
    if m.final and steps == 0 and m.backward_calls >= MIN_BACKWARDS_WITHOUT_STEP and not m.manual_steps \
            and m.updates_visible:  # a hand-written update is a step
        problems.append(f"backward() ran {m.backward_calls} times but the optimizer never stepped")
    if m.scheduler_before_optimizer:
        problems.append("the LR scheduler stepped before the first optimizer.step(), skipping the schedule's first value")
        evidence["scheduler_before_optimizer"] = m.scheduler_before_optimizer
    if problems:
        severe = len(problems) > 1 or "scheduler" not in problems[0]
        yield Finding("T505", Severity.ERROR if severe else Severity.WARNING, "Step order: " + "; ".join(problems) + ".", evidence)


# -- T506: the same batch every step --------------------------------------------------------
@dataclass(frozen=True)
class BatchFingerprints:
    """The first input fingerprint seen at each sampled step, and the largest batches-per-pass of the loaders iterated (None: none known).

    ``rows_held`` against ``batch_rows``: full-batch training feeds all its rows every step, so a
    run that also holds at least ``HELD_ROWS_FACTOR`` times the batch's rows of the same shape
    (the model evaluated on them, or the batch sliced from them) repeats a part of its data.
    """

    by_step: Mapping[int, tuple]
    loader_batches: int | None = None
    batch_rows: int | None = None  # rows of the repeated batch
    rows_held: int = 0  # the most rows of the batch's row shape the run held elsewhere (evaluated, or sliced from)


@verdict("T506")
def same_batch(m: BatchFingerprints) -> Iterable[Finding]:
    """The model got the identical batch on every checked pair of consecutive steps."""
    by_step = m.by_step
    pairs = [(s, s + 1) for s in by_step if s + 1 in by_step]
    if len(pairs) < MIN_BATCH_PAIRS:
        return
    same = sum(by_step[a] == by_step[b] for a, b in pairs)
    if same < len(pairs):
        return
    loader_batches = m.loader_batches
    multi = loader_batches is not None and loader_batches > 1
    # full-batch training feeds one batch all run; a batch that repeats step after step but differs
    # between the sampled stretches comes from a source that holds more data than it hands out
    distinct = len({by_step[a] for a, _ in pairs})
    held = m.batch_rows is not None and m.rows_held >= HELD_ROWS_FACTOR * m.batch_rows
    if multi:
        why = f", although a DataLoader with {loader_batches} batches per pass was iterated"
    elif held:
        why = (f", yet the run holds {m.rows_held} rows of the same shape (it evaluated the model on them, or cut the batch "
               f"from them) against the batch's {m.batch_rows}: each step repeats one part of the data (an index drawn the "
               "same way every step, a generator re-seeded inside the loop, a fixed slice)")
    elif distinct > 1:
        why = (f", yet {distinct} different batches appear across the run: the data holds more than one batch, "
               "but each step repeats the one before (a batch index that does not advance)")
    else:
        why = " (fine for deliberate full-batch training; a bug if a loader was meant to be iterated)"
    yield Finding(
        "T506", Severity.WARNING if multi or held or distinct > 1 else Severity.INFO,
        f"The model received the identical input batch on consecutive steps at all {len(pairs)} checked pairs" + why + ".",
        {"checked_pairs": len(pairs), "identical_pairs": same, "loader_batches": loader_batches, "distinct_batches": distinct,
         "batch_rows": m.batch_rows, "rows_held": m.rows_held},
    )


# -- T507: no seed --------------------------------------------------------------------------
@dataclass(frozen=True)
class Seeding:
    """Whether the run set a random seed, and how many steps it trained."""

    seeded: bool
    steps: int


@verdict("T507")
def unseeded(m: Seeding) -> Iterable[Finding]:
    """A run that trained without setting a seed cannot be reproduced."""
    if not m.seeded and m.steps > 0:
        yield Finding("T507", Severity.INFO, "No random seed was set (torch's seed is the random default): this run cannot be reproduced.",
                      {"seeded": False})


# -- T508: replicas out of sync -------------------------------------------------------------
@dataclass(frozen=True)
class ReplicaState:
    """One rank's fingerprints as it reported them: [sum, sum of squares] of its weights at start and end, and
    its total gradient norm per sampled step as (step, norm) pairs."""

    start_weights: Sequence[Any] = ()
    end_weights: Sequence[Any] = ()
    grad_norms: Sequence[Sequence[Any]] = ()


@dataclass(frozen=True)
class Replicas:
    """Every reporting rank's :class:`ReplicaState`, by rank."""

    ranks: Mapping[int, ReplicaState] = field(default_factory=dict)


def _close(a: float, b: float, rtol: float = AGREEMENT_RTOL) -> bool:
    return abs(a - b) <= rtol * max(abs(a), abs(b), 1e-12)


def _finite(values: Sequence[float]) -> bool:
    return bool(values) and all(isinstance(v, (int, float)) and math.isfinite(v) for v in values)


def replica_agreement(m: Replicas) -> dict[str, Any]:
    """Do ranks that started as replicas (identical weights) still hold identical gradients and weights?"""
    ranks = sorted(m.ranks)
    starts = [m.ranks[r].start_weights or [] for r in ranks]
    result: dict[str, Any] = {"replicas": False, "disagree": False}
    if len(ranks) < 2 or not all(_finite(s) and len(s) == len(starts[0]) for s in starts):
        return result
    if not all(_close(a, b) for s in starts[1:] for a, b in zip(starts[0], s)):
        return result
    result["replicas"] = True
    series = [{int(step): float(v) for step, v in m.ranks[r].grad_norms or []} for r in ranks]
    common = sorted(set.intersection(*(set(s) for s in series)))
    for step in common:
        values = [s[step] for s in series]
        if _finite(values) and not all(_close(values[0], v) for v in values[1:]):
            result.update(disagree=True, kind="gradients", step=step, grad_norms=dict(zip(ranks, values)))
            return result
    ends = [m.ranks[r].end_weights or [] for r in ranks]
    if all(_finite(e) and len(e) == len(ends[0]) for e in ends) and not all(_close(a, b) for e in ends[1:] for a, b in zip(ends[0], e)):
        result.update(disagree=True, kind="weights", weight_sums=dict(zip(ranks, [e[0] for e in ends])),
                      weight_sq_sums=dict(zip(ranks, [e[1] for e in ends])))
    return result


@verdict("T508")
def ranks_out_of_sync(m: Replicas) -> Iterable[Finding]:
    """Ranks that started from identical weights but whose gradients or final weights differ: they train different models."""
    agreement = replica_agreement(m)
    if not agreement.get("disagree"):
        return
    if agreement["kind"] == "gradients":
        norms = ", ".join(f"rank {r}: {v:.6g}" for r, v in agreement["grad_norms"].items())
        message = (f"step {agreement['step']}: the ranks started from identical weights but their gradients differ "
                   f"(total gradient norm {norms}); gradients are not being averaged across ranks.")
        location = f"step {agreement['step']}"
    else:
        sums = ", ".join(f"rank {r}: {v:.6g}" for r, v in agreement["weight_sums"].items())
        message = (f"The ranks started from identical weights but ended with different ones (sum of weights {sums}): "
                   "they trained different models.")
        location = None
    yield Finding("T508", Severity.ERROR, message, {k: v for k, v in agreement.items() if k != "disagree"}, location)
