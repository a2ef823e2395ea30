"""Trial training: a short, budgeted run of a model copy on the real train loader.

The loop is a plain training loop (forward, loss, backward, step) bounded by steps, not
epochs or seconds. It evaluates train and validation loss on fixed sample sets every
few steps (both in eval mode, so they are comparable), records the per-step minibatch
loss, per-parameter gradient norms and sampled update ratios |Δw|/|w| through the shared
:class:`~nndoctor.record.Recorder` (the measurements watch makes), notes the layers' forward
order, and ends with per-class recall. Checks for O403-O407 and G601-G605 read the
resulting :class:`TrialResult`. The helpers at the top are shared by every probe that
trains a copy (range test, single-batch overfit).

Budgets are deterministic: every probe runs its nominal step count, scaled down only by the
setup's cost per step (:func:`sized_steps`: forward FLOPs counted on a sample batch, the
device type), never by how fast this machine happens to be right now. The wall clock is a
safety net (:func:`~nndoctor.checks.base.check_deadline`) that abandons a probe as
inconclusive; it never shortens one.
"""
from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np
import torch
from torch import nn

from ..checks.base import check_deadline, earliest
from ..patient import eval_mode
from ..record import Record, Recorder
from ..record.heldout_errors import model_terms
from ..record.measure import embedding_tables
from ..rng import preserved_rng
from ..setup import Batch, Setup, batch_size_of, concat_inputs, move_to
from .layer_stats import forward_order

if TYPE_CHECKING:
    from ..checks.base import Context

CLASSIFICATION = ("binary", "multiclass", "multilabel")

# A training step (forward + backward, about 3x the forward FLOPs) up to this cost runs a
# probe's full nominal step count; a costlier one runs proportionally fewer steps (never
# fewer than the probe's minimum). About 30 ms of a 2-core CPU: the old timed caps' rate.
REFERENCE_STEP_FLOPS = 1e9
# How much more work per step an accelerator of this type gets (a property of the setup's
# device, not a measurement of its speed, so the same setup always gets the same steps).
DEVICE_SPEEDUP = {"cuda": 30.0, "mps": 5.0, "xpu": 10.0}
BACKWARD_FACTOR = 3.0
# CPU training steps up to this cost run their probes on one intra-op thread (probe_threads).
SINGLE_THREAD_STEP_FLOPS = 1e8


# -- deterministic step budgets --------------------------------------------------------
@dataclass(frozen=True)
class StepCost:
    """Forward FLOPs per sample of the setup's model (counted on a sample batch), and how they were found."""

    forward_flops_per_sample: float
    source: str

    def step_flops(self, samples: int) -> float:
        """FLOPs of one training step (forward + backward) on ``samples`` samples."""
        return BACKWARD_FACTOR * self.forward_flops_per_sample * max(samples, 1)


def forward_flops(model: nn.Module, x: Any) -> float:
    """FLOPs of one forward pass of ``model`` on ``x`` (matmuls, convolutions, attention), by
    torch's FlopCounterMode; 0 when the model cannot be counted that way."""
    try:
        from torch.utils.flop_counter import FlopCounterMode

        with eval_mode(model), torch.no_grad(), FlopCounterMode(display=False) as counter:
            model(x)
        return float(counter.get_total_flops())
    except Exception:
        return 0.0


def measure_step_cost(model: nn.Module, batch: Batch) -> StepCost:
    """The cost of a training step: ``model``'s counted forward FLOPs per sample of ``batch``.

    Never below two FLOPs per trainable parameter per sample (a dense layer's multiply-add),
    which is also the estimate when counting fails or misses ops (RNN kernels, unusual ops).
    """
    x, _ = batch
    samples = max(batch_size_of(x), 1)
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    counted = forward_flops(model, x) / samples
    floor = 2.0 * params
    return StepCost(max(counted, floor), "counted" if counted >= floor else "parameters")


def setup_step_cost(setup: Setup) -> tuple[StepCost, int]:
    """``setup``'s cost per training step and its samples per step, from its first training batch.

    Leaves every global RNG as it found it (reading a shuffled loader draws from them). A
    loader that cannot be read gives a zero cost (nominal steps); the checks report the loader.
    """
    with preserved_rng():
        try:
            batch = next(iter(setup.batches("train", limit=1)), None)
        except Exception:
            batch = None
        if batch is None:
            return StepCost(0.0, "no data"), 1
        x, y = move_to(batch[0], setup.device), move_to(batch[1], setup.device)
        return measure_step_cost(setup.fresh_model(), (x, y)), batch_size_of(x)


@contextlib.contextmanager
def probe_threads(cost: StepCost, samples: int, device: torch.device) -> Iterator[int]:
    """Run the block with the intra-op thread count this setup's probes use, then restore it.

    Steps cheaper than ``SINGLE_THREAD_STEP_FLOPS`` on the CPU run on one thread: tiny
    matmuls gain nothing from more, and on a busy machine contended threads make them many
    times slower. The choice depends on the setup only, so the same setup also computes
    the same numbers on machines with different core counts.
    """
    before = torch.get_num_threads()
    single = device.type == "cpu" and 0 < cost.step_flops(samples) <= SINGLE_THREAD_STEP_FLOPS
    if single and before != 1:
        torch.set_num_threads(1)
    try:
        yield torch.get_num_threads()
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


def step_cost(ctx: "Context") -> StepCost:
    """The setup's step cost, measured once per checkup on the first training batch.

    Leaves every global RNG as it found it, so the probe that asks first trains exactly as
    it would have without asking.
    """

    def compute(ctx: "Context") -> StepCost:
        with preserved_rng():
            batches = ctx.batches("train")
            if not batches:
                return StepCost(0.0, "no data")
            return measure_step_cost(ctx.setup.fresh_model(), batches[0])

    return ctx.probe("step_cost", compute)


def sized_steps(nominal: int, minimum: int, cost: StepCost, samples: int, device: torch.device | str = "cpu") -> int:
    """A probe's step budget for this setup: ``nominal`` when a step costs at most the
    reference (scaled for the device type), otherwise proportionally fewer, never below
    ``minimum``. Depends on the setup only, so it is the same on any machine load."""
    kind = device.type if isinstance(device, torch.device) else str(device).split(":")[0]
    allowed = REFERENCE_STEP_FLOPS * DEVICE_SPEEDUP.get(kind, 1.0)
    flops = cost.step_flops(samples)
    if flops <= allowed:
        return nominal
    return max(min(minimum, nominal), int(nominal * allowed / flops))


def probe_deadline(ctx: "Context", seconds: float | None) -> float | None:
    """The safety net a probe runs under: the checkup's, or ``seconds`` from now if that is earlier."""
    own = time.perf_counter() + seconds if seconds is not None else None
    return earliest(ctx.deadline, own)


# -- helpers shared by the probes that train a copy ------------------------------------
def user_lr(setup: Setup) -> float | None:
    """The learning rate of the first parameter group of the user's optimizer."""
    optimizer = setup.make_optimizer(setup.fresh_model())
    lr = optimizer.param_groups[0].get("lr")
    return float(lr) if isinstance(lr, (int, float)) or torch.is_tensor(lr) else None


def set_lr(optimizer: torch.optim.Optimizer, lr: float, base: list[float]) -> None:
    """Set the first group's LR to ``lr`` and scale the other groups in proportion."""
    first = base[0] if base and base[0] > 0 else None
    for group, original in zip(optimizer.param_groups, base):
        group["lr"] = lr * (original / first) if first else lr


def endless_batches(setup: Setup) -> Iterator[Batch]:
    """Training batches on the model's device, epoch after epoch."""
    while True:
        produced = False
        for x, y in setup.batches("train"):
            produced = True
            yield move_to(x, setup.device), move_to(y, setup.device)
        if not produced:
            return


def take_samples(batches: list[Batch], n: int, padding: int | None = None) -> Batch:
    """The first ``n`` samples of a list of batches, concatenated into one batch (tensor, tuple or dict inputs).

    ``padding``: the value the model drops from token rows (:func:`nndoctor.setup.input_padding`)."""
    xs, ys, count = [], [], 0
    for x, y in batches:
        xs.append(x)
        ys.append(y)
        count += batch_size_of(x)
        if count >= n:
            break
    return concat_inputs(xs, n, padding), torch.cat(ys)[:n]


def class_labels(setup: Setup, y: torch.Tensor) -> torch.Tensor:
    """Integer class indices from index or one-hot targets (multiclass/binary)."""
    if setup.task == "multiclass" and y.dim() == 2:
        return y.argmax(dim=1)
    return y.reshape(-1).long() if setup.task == "binary" else y.long()


def predictions(setup: Setup, output: torch.Tensor) -> torch.Tensor | None:
    """Predicted classes (or multilabel 0/1 matrix) from a model output; None for regression."""
    if setup.task in ("multiclass", "binary") and output.dim() == 2 and output.shape[1] > 1:
        return output.argmax(dim=-1)
    if setup.task == "multiclass":
        return None
    if setup.task in ("binary", "multilabel"):
        threshold = 0.5 if type(setup.loss).__name__ == "BCELoss" else 0.0
        scores = output.reshape(-1) if setup.task == "binary" else output
        return (scores > threshold).long()
    return None


def accuracy(setup: Setup, output: torch.Tensor, y: torch.Tensor) -> float | None:
    """Share of correct predictions (elementwise for multilabel); None for regression."""
    predicted = predictions(setup, output)
    if predicted is None:
        return None
    target = y.long() if setup.task == "multilabel" else class_labels(setup, y)
    if predicted.shape != target.shape:
        return None
    return float((predicted == target).float().mean())


def stacked_targets(batches: list[Batch]) -> torch.Tensor:
    """The targets of ``batches`` in one tensor; token targets padded per batch (lengths differ) are flattened.

    The constant predictor's loss reads the label shares or the target moments, which a flat
    row of token labels keeps (padding marked with the loss's ignore index stays ignored).
    """
    ys = [y for _, y in batches]
    if len({tuple(y.shape[1:]) for y in ys}) <= 1:
        return torch.cat(ys)
    return torch.cat([y.reshape(-1) for y in ys])


def reference_loss(setup: Setup, y: torch.Tensor) -> float | None:
    """Loss of the best constant predictor on targets ``y``: the level "no learning" sits at.

    Classification: the entropy of the class prior (what cross-entropy reaches by predicting
    the class shares); regression: the loss of predicting the target mean (the variance for
    MSE). A weighted logits loss (class ``weight``, ``pos_weight``, label smoothing) moves
    both the best constant and its loss, so there the constant logits are fitted to the
    user's own loss instead. None when the loss cannot be evaluated that way.
    """
    prior = _prior_loss(setup, y.detach())
    weighted = _weighted_constant_loss(setup, y.detach())
    return weighted if weighted is not None else prior


def _weighted_constant_loss(setup: Setup, y: torch.Tensor) -> float | None:
    """Minimum of the user's weighted CrossEntropyLoss/BCEWithLogitsLoss over constant logits, else None.

    Both losses are convex in the logits and bounded below, so a few L-BFGS steps from zero
    find the best constant; unweighted losses keep the closed form.
    """
    loss = setup.loss
    kind = type(loss).__name__
    if kind == "CrossEntropyLoss":
        weighted = getattr(loss, "weight", None) is not None or float(getattr(loss, "label_smoothing", 0.0) or 0.0) > 0
        if not weighted or setup.task not in ("binary", "multiclass") or y.dim() not in (1, 2):
            return None
        classes = y.shape[1] if y.dim() == 2 else int(y.max()) + 1
        weight = getattr(loss, "weight", None)
        if weight is not None:
            classes = max(classes, int(weight.numel()))
        shape = (1, classes)
    elif kind == "BCEWithLogitsLoss":
        weighted = getattr(loss, "pos_weight", None) is not None or getattr(loss, "weight", None) is not None
        if not weighted or setup.task not in ("binary", "multilabel"):
            return None
        shape = (1, *y.shape[1:])
    else:
        return None
    try:
        target = y.to(setup.device)
        logits = torch.zeros(shape, device=target.device, requires_grad=True)
        solver = torch.optim.LBFGS([logits], lr=1.0, max_iter=50, line_search_fn="strong_wolfe")

        def closure() -> torch.Tensor:
            solver.zero_grad()
            value = loss(logits.expand(target.shape[0], *shape[1:]), target)
            value.backward()
            return value

        with torch.enable_grad():
            solver.step(closure)
            value = float(loss(logits.detach().expand(target.shape[0], *shape[1:]), target))
        return value if math.isfinite(value) else None
    except Exception:
        return None


def _prior_loss(setup: Setup, y: torch.Tensor) -> float | None:
    """Closed-form best-constant loss in the user's loss's own units, else None.

    Classification: the entropy of the class prior (per position for sequence targets, over
    the flattened token counts without ``ignore_index``), which is what a per-sample mean
    cross-entropy reaches by predicting the class shares. It is returned only when the
    user's loss, scored on exactly that constant prediction, gives the same number: a sum
    over the batch, extra terms (a VAE's KL) or a loss that reads a structured output are
    not in those units, and the reference abstains. Regression: the loss at the target mean.
    """
    if setup.task in ("multiclass", "sequence"):
        labels = class_labels(setup, y).reshape(-1)
        if setup.task == "sequence":
            labels = labels[labels != setup.ignore_index]
        if not labels.numel() or int(labels.min()) < 0:
            return None
        classes = max(int(setup.n_classes or 0), int(labels.max()) + 1)
        counts = torch.bincount(labels, minlength=classes).double()
        if setup.task == "sequence":
            from ..verdicts.curves import prior_entropy

            prior = prior_entropy(counts.cpu().tolist(), classes=classes)
            entropy = prior.estimate if prior is not None else None
            shares = counts / counts.sum()
            plug_in = float(-(shares[shares > 0] * shares[shares > 0].log()).sum())
            return entropy if _loss_is_per_sample_mean(setup, y, shares, plug_in) else None
        shares = counts / counts.sum()
        entropy = float(-(shares[shares > 0] * shares[shares > 0].log()).sum())
        return entropy if _loss_is_per_sample_mean(setup, y, shares, entropy) else None
    if setup.task in ("binary", "multilabel"):
        p = (y.double().reshape(-1, 1) if setup.task == "binary" else y.double().reshape(y.shape[0], -1)).mean(dim=0).clamp(1e-12, 1 - 1e-12)
        entropy = float((-(p * p.log() + (1 - p) * (1 - p).log())).mean())
        return entropy if _loss_is_per_sample_mean(setup, y, p, entropy) else None
    try:
        target = y.float()
        return float(setup.compute_loss(target.mean(dim=0, keepdim=True).expand_as(target), target))
    except Exception:
        return None


def _constant_outputs(setup: Setup, y: torch.Tensor, shares: torch.Tensor) -> list[torch.Tensor]:
    """Outputs that predict ``shares`` for every sample, in the layouts the user's loss may read.

    Class tasks: log-shares along the output's class axis (logits and log-probabilities
    alike). Binary/multilabel with one output per label: the logit and the probability.
    """
    if setup.task in ("multiclass", "sequence") or (setup.task == "binary" and (setup.n_classes or 0) >= 2):
        if setup.task == "binary":
            p = float(shares.reshape(-1)[0])
            shares = torch.tensor([1 - p, p], dtype=torch.float64)
        log = shares.clamp(min=1e-12).log().float().to(y.device)
        if setup.task == "sequence":
            axis = setup.class_axis if setup.class_axis is not None else y.dim()
            shape = [1] * (y.dim() + 1)
            shape[axis] = len(log)
            full = list(y.shape)
            full.insert(axis, len(log))
            return [log.reshape(shape).expand(full).contiguous()]
        rows = y.shape[0]
        if setup.task == "multiclass" and y.dim() == 2 and y.is_floating_point():
            return [log[: y.shape[1]].expand(rows, y.shape[1]).contiguous()]
        return [log.expand(rows, len(log)).contiguous()]
    p = shares.float().to(y.device).reshape(-1)
    logit = (p / (1 - p)).log()
    return [logit.expand(*y.shape).contiguous(), p.expand(*y.shape).contiguous()]


def _loss_is_per_sample_mean(setup: Setup, y: torch.Tensor, shares: torch.Tensor, closed_form: float) -> bool:
    """Whether the user's loss scores the constant prediction of ``shares`` exactly at ``closed_form``.

    A per-sample (per-position) mean of cross-entropy or binary cross-entropy does; a sum over
    the batch, a loss with other terms, one that reads the model's whole structured output or
    one of another kind does not, so the closed form is not in its units.
    """
    try:
        candidates = _constant_outputs(setup, y, shares.detach().cpu().double())
    except Exception:
        return False
    for output in candidates:
        try:
            with torch.no_grad():
                value = float(setup.compute_loss(output, y))
        except Exception:
            continue
        if math.isfinite(value) and math.isclose(value, closed_form, rel_tol=1e-3, abs_tol=1e-5):
            return True
    return False


def evaluate(setup: Setup, model: nn.Module, batches: list[Batch]) -> tuple[float, float | None]:
    """Mean loss and accuracy over ``batches`` in eval mode, without gradients."""
    total, correct, count = 0.0, 0.0, 0
    with eval_mode(model), torch.no_grad():
        for x, y in batches:
            output = model(x)
            n = batch_size_of(x)
            total += float(setup.compute_loss(output, y)) * n
            acc = accuracy(setup, output, y)
            correct = correct + acc * n if acc is not None and correct is not None else None
            count += n
    return total / max(count, 1), (correct / count if correct is not None and count else None)


# -- the trial -------------------------------------------------------------------------
@dataclass
class TrialConfig:
    """Budget of the trial run in steps (``steps`` nominal, sized down for costly setups to no
    fewer than ``min_steps``). ``seconds`` is an optional per-probe wall-clock safety net on
    top of the checkup's: tripping it makes the trial inconclusive, it never shortens it."""

    steps: int = 400
    seconds: float | None = None
    eval_points: int = 16
    sample_every: int = 10
    eval_batches: int = 8
    min_steps: int = 80


CONFIG = TrialConfig()


@dataclass
class TrialResult:
    """Curves and final metrics of one trial run (``train_eval``/``val_eval`` at ``eval_steps``)."""

    lr: float | None
    steps: int = 0
    seconds: float = 0.0
    step_losses: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    train_eval: list[float] = field(default_factory=list)
    val_eval: list[float] = field(default_factory=list)
    train_acc: list[float | None] = field(default_factory=list)
    val_acc: list[float | None] = field(default_factory=list)
    grad_norms: dict[str, list[float]] = field(default_factory=dict)
    total_grad_norm: list[float] = field(default_factory=list)
    update_ratios: dict[str, list[float]] = field(default_factory=dict)
    layer_order: list[str] = field(default_factory=list)
    weight_params: list[str] = field(default_factory=list)
    embedding_params: list[str] = field(default_factory=list)  # update ratios over the rows each step touched
    param_sizes: dict[str, int] = field(default_factory=dict)
    diverged_step: int | None = None
    reference: float | None = None
    recall: dict[int, float] = field(default_factory=dict)
    support: dict[int, int] = field(default_factory=dict)
    predicted_share: dict[int, float] = field(default_factory=dict)
    probability_share: dict[int, float] | None = None  # per class: mean probability the model gives it (G603)
    ranking: dict[int, float] | None = None  # per class: one-vs-rest ROC AUC of that probability (G603)
    recall_split: str | None = None
    train_median_loss: float | None = None
    # (step, ClassPass) at the first evaluation from half the trial on: where the model stood mid-way
    half_recall: tuple[int, Any] | None = None
    val_median_loss: float | None = None
    # regression: the trained copy's squared errors on the validation batches against their mean's (D111)
    heldout_terms: dict[str, Any] | None = None
    model: nn.Module | None = field(default=None, repr=False, compare=False)  # the trained copy (the look reads it)

    @property
    def has_val(self) -> bool:
        return bool(self.val_eval)

    def telemetry(self) -> dict[str, Any]:
        """The curves renderers plot (plain lists)."""
        return {
            "lr": self.lr, "steps": self.steps, "seconds": round(self.seconds, 3),
            "step_losses": self.step_losses, "eval_steps": self.eval_steps,
            "train_loss": self.train_eval, "val_loss": self.val_eval,
            "train_acc": self.train_acc, "val_acc": self.val_acc,
            "total_grad_norm": self.total_grad_norm, "grad_norms": self.grad_norms,
            "update_ratios": self.update_ratios, "diverged_step": self.diverged_step,
        }


def _weight_params(model: nn.Module, order: list[str]) -> list[str]:
    """Names of weight matrices/kernels (dim ≥ 2, not lookup tables) in forward order."""
    rank = {name: i for i, name in enumerate(order)}
    tables = set(embedding_tables(model))
    found: list[tuple[int, int, str]] = []
    for index, (module_name, module) in enumerate(model.named_modules()):
        if list(module.children()):
            continue
        for pname, p in module.named_parameters(recurse=False):
            full = f"{module_name}.{pname}" if module_name else pname
            if p.requires_grad and p.dim() >= 2 and full not in tables:
                found.append((rank.get(module_name, len(rank) + index), index, full))
    return [name for *_, name in sorted(found)]


def run_trial(
    setup: Setup,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    train_eval_batches: list[Batch],
    val_batches: list[Batch],
    config: TrialConfig = CONFIG,
    deadline: float | None = None,
) -> TrialResult:
    """Train ``model`` with ``optimizer`` for ``config.steps`` steps on the train loader, recording curves.

    Ends early only when the loader is empty or the loss turns non-finite. ``deadline`` (a
    ``time.perf_counter()`` instant) is the safety net: past it the trial raises
    :class:`~nndoctor.checks.base.Inconclusive` instead of returning a shorter run.
    """
    lr = optimizer.param_groups[0].get("lr")
    result = TrialResult(lr=float(lr) if lr is not None else None)
    eval_every = max(1, config.steps // config.eval_points)
    recorder = Recorder(model, optimizer, setup.compute_loss, grads=True, update_every=config.sample_every)
    started = time.perf_counter()
    result.reference = reference_loss(setup, stacked_targets(train_eval_batches))

    def record_eval(step: int) -> float:
        train_loss, train_acc = evaluate(setup, model, train_eval_batches)
        if result.half_recall is None and 2 * step >= config.steps and step > 0:
            result.half_recall = (step, class_recall(setup, model, val_batches or train_eval_batches))
        values: dict[str, Any] = {"train_loss": train_loss, "train_acc": train_acc}
        if val_batches:
            values["val_loss"], values["val_acc"] = evaluate(setup, model, val_batches)
        recorder.on_eval(step, **values)
        return train_loss

    model.train()
    with forward_order(model) as order:
        record_eval(0)
        batches = endless_batches(setup)
        for step in range(1, config.steps + 1):
            check_deadline(deadline, f"trial (step {step} of {config.steps})")
            batch = next(batches, None)
            if batch is None:
                break
            x, y = batch
            if not math.isfinite(recorder.step(x, y)):
                break
            if step % eval_every == 0 and not math.isfinite(record_eval(step)):
                recorder.diverged(step)
                break
        record = recorder.record
        if record.diverged_step is None and (not record.eval_steps or record.eval_steps[-1] != record.steps):
            record_eval(record.steps)
        result.layer_order = [name for name, _ in order]
    _fill(result, record)
    result.weight_params = _weight_params(model, result.layer_order)
    result.embedding_params = sorted(recorder.tables)
    result.param_sizes = {name: p.numel() for name, p in recorder.params}
    result.seconds = time.perf_counter() - started
    if result.diverged_step is None:
        _record_recall(setup, model, result, val_batches or train_eval_batches, "val" if val_batches else "train")
        if val_batches:
            result.train_median_loss = median_sample_loss(setup, model, train_eval_batches)
            result.val_median_loss = median_sample_loss(setup, model, val_batches)
            if setup.task == "regression":
                result.heldout_terms = model_terms(model, val_batches)
    return result


def median_sample_loss(setup: Setup, model: nn.Module, batches: list[Batch]) -> float | None:
    """Median over samples of the user's loss on each sample alone, in eval mode (G604).

    The loss is called on one row of the output and targets at a time, so it is each sample's
    own loss whatever the reduction. Unlike the mean, the median is not carried by a few rows
    with huge losses (glitched targets, outliers). None when the output is not one tensor with
    a row per sample, or the loss cannot score single rows.
    """
    from ..setup import LossUnavailable

    losses: list[float] = []
    try:
        with eval_mode(model), torch.no_grad():
            for x, y in batches:
                output = model(x)
                if not isinstance(output, torch.Tensor) or not isinstance(y, torch.Tensor) or not output.dim() \
                        or output.shape[0] != y.shape[0]:
                    return None
                losses.extend(float(setup.compute_loss(output[i:i + 1], y[i:i + 1])) for i in range(output.shape[0]))
    except (LossUnavailable, RuntimeError, ValueError, IndexError):
        return None
    finite = [v for v in losses if math.isfinite(v)]
    return float(np.median(finite)) if finite else None


def _fill(result: TrialResult, record: Record) -> None:
    """The trial's curves from what the recorder measured."""
    result.steps = record.steps
    result.step_losses = record.step_losses
    result.diverged_step = record.diverged_step
    result.eval_steps = record.eval_steps
    result.train_eval, result.train_acc = record.series("train_loss"), record.series("train_acc")
    result.val_eval, result.val_acc = record.series("val_loss"), record.series("val_acc")
    result.grad_norms, result.total_grad_norm = record.grad_norms, record.total_grad_norm
    result.update_ratios = record.update_ratios


@dataclass(frozen=True)
class ClassPass:
    """One evaluation pass over labelled batches, per class: recall, support, the share of rows predicted as it,
    and, where the output gives class probabilities, the mean probability the model gives it
    (``probability_share``) and how well that probability ranks its rows (``ranking``: one-vs-rest ROC AUC).
    """

    recall: dict[int, float]
    support: dict[int, int]
    predicted_share: dict[int, float]
    probability_share: dict[int, float] | None = None
    ranking: dict[int, float] | None = None


def class_recall(setup: Setup, model: nn.Module, batches: list[Batch]) -> ClassPass | None:
    """Per-class recall, support, predicted shares and probabilities (multiclass/binary) of ``model`` on ``batches``.

    Read from the look's evaluation pass (``look.predict.collect``), so the trial's G603 and the look's
    G606 see the same predictions: the argmax of the class probabilities, labels read the same way.
    """
    from ..look.predict import collect, probability_scores

    if setup.task not in ("multiclass", "binary"):
        return None
    outputs = collect(setup, model, batches, per_sample_loss=False)
    if outputs is None or outputs.kind != "classes":
        return None
    guess, truth = outputs.predicted, outputs.truth
    recall, support = {}, {}
    for cls in np.unique(truth).tolist():
        mask = truth == cls
        support[int(cls)] = int(mask.sum())
        recall[int(cls)] = float((guess[mask] == cls).mean())
    shares = {int(cls): float((guess == cls).mean()) for cls in np.unique(np.concatenate([guess, truth])).tolist()}
    scored = probability_scores(truth, outputs.probabilities) if outputs.probabilities is not None else None
    return ClassPass(recall, support, shares, *(scored or (None, None)))


def _record_recall(setup: Setup, model: nn.Module, result: TrialResult, batches: list[Batch], split: str) -> None:
    """Per-class recall, predicted shares and probabilities (multiclass/binary) on ``batches``, at the end of the trial."""
    found = class_recall(setup, model, batches)
    if found is None:
        return
    result.recall, result.support, result.predicted_share = found.recall, found.support, found.predicted_share
    result.probability_share, result.ranking = found.probability_share, found.ranking
    result.recall_split = split


def eval_sets(ctx: "Context", config: TrialConfig = CONFIG) -> tuple[list[Batch], list[Batch]]:
    """Fixed train and validation sample sets (on the device) for comparable evaluation."""
    train = ctx.batches("train")[: config.eval_batches]
    val = [
        (move_to(x, ctx.device), move_to(y, ctx.device))
        for x, y in ctx.setup.batches("val", limit=2 * config.eval_batches)
    ]
    return train, val


def trial_probe(ctx: "Context", config: TrialConfig | None = None) -> TrialResult:
    """Train a copy with the user's optimizer for the trial's step budget (sized from the setup); store its curves."""
    config = config or CONFIG
    model = ctx.model_copy(seed=ctx.setup.seed)
    optimizer = ctx.setup.make_optimizer(model)
    train, val = eval_sets(ctx, config)
    samples = batch_size_of(train[0][0]) if train else 1
    steps = sized_steps(config.steps, config.min_steps, step_cost(ctx), samples, ctx.device)
    result = run_trial(ctx.setup, model, optimizer, train, val, replace(config, steps=steps),
                       deadline=probe_deadline(ctx, config.seconds))
    ctx.telemetry["trial"] = result.telemetry()
    result.model = model
    return result
