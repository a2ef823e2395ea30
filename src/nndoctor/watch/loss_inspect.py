"""What the tensors entering a loss function say about the wiring (measurement only).

Called for the first few training calls of each loss function and on sampled steps; it
reads the model output and the targets at the loss (one host transfer) and returns plain
numbers. Only training calls are inspected: an evaluation pass (under ``no_grad`` or
``inference_mode``) trains nothing, so it says nothing about how the training loss is
built; its value is a validation loss, read per term through ``mean_loss``. Verdicts live
in ``live_rules``.
"""
from __future__ import annotations

import math
from typing import Any

import torch

TOLERANCE = 1e-3
REGRESSION = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss")
# Target rows kept per inspected regression call: enough for the best constant's loss to a few percent.
SAMPLE_ROWS = 256
# The most a sampled best-constant loss plausibly is: two standard errors above it (one-sided ~98%).
UPPER_STANDARD_ERRORS = 2.0


def terms_reduced(kind: str, input: torch.Tensor, target: torch.Tensor, ignore_index: int = -100) -> torch.Tensor | int:
    """How many per-sample (per-element) loss terms ``reduction='sum'`` adds up for this call.

    Class losses sum one term per target position not equal to ``ignore_index`` (index
    targets; counted on the device, no host transfer) or per row (probability targets);
    element-wise losses one per element.
    """
    if kind in ("cross_entropy", "nll_loss") and input.dim() == 1:
        return 1  # one unbatched sample
    if kind in ("cross_entropy", "nll_loss"):
        if not target.is_floating_point():
            return (target.detach() != ignore_index).sum().clamp(min=1)
        return max(1, input.numel() // max(1, input.shape[1]))
    return max(1, int(input.numel()))


def mean_loss(kind: str, out: torch.Tensor, input: torch.Tensor, target: torch.Tensor, kwargs: dict[str, Any]) -> torch.Tensor:
    """The call's loss as a mean per term, whatever its reduction (a lazy device tensor, no host transfer).

    The MNIST example sums its test loss (``reduction='sum'``) to divide by the dataset size
    later; read as a mean, that sum is a batch-size multiple of the real loss.
    """
    reduction = kwargs.get("reduction", "mean")
    value = out.detach().float()
    if reduction == "none":
        return value.mean()
    if reduction == "sum":
        return value / terms_reduced(kind, input, target, kwargs.get("ignore_index", -100))
    return value


def _masked_logits(kind: str, out: torch.Tensor, finite: torch.Tensor) -> torch.Tensor:
    """The -inf entries of cross-entropy logits whose rows keep a finite entry (a mask, not an overflow); else none."""
    if kind != "cross_entropy" or out.dim() < 2:
        return torch.zeros((), dtype=torch.bool)
    masked = out == float("-inf")
    if not bool(masked.any()) or not bool(finite.any(dim=1).all()):
        return torch.zeros((), dtype=torch.bool)
    return masked


def target_moments(target: torch.Tensor) -> tuple[int, float, float] | None:
    """(count, mean, std) of a regression loss's finite targets; None when it has none."""
    t = target.detach().float()
    t = t[torch.isfinite(t)]
    if not t.numel():
        return None
    return int(t.numel()), float(t.mean()), float(t.std(unbiased=False)) if t.numel() > 1 else 0.0


def inspect_loss_call(kind: str, input: torch.Tensor, target: torch.Tensor, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Measured facts about one loss call: output range, row sums, label values and counts."""
    with torch.no_grad():
        out = input.detach().float()
        tgt = target.detach()
        evidence: dict[str, Any] = {
            "batch": int(out.shape[0]) if out.dim() else 1,
            "input_shape": list(out.shape), "target_shape": list(tgt.shape), "target_dtype": str(tgt.dtype).replace("torch.", ""),
            "reduction": kwargs.get("reduction", "mean"),
            "label_smoothing": float(kwargs.get("label_smoothing", 0.0) or 0.0),
            "terms_weighted": terms_weighted(kwargs),
        }
        finite = torch.isfinite(out)
        masked = _masked_logits(kind, out, finite)
        evidence["input_nonfinite"] = int((~finite).sum()) - int(masked.sum())
        if masked.any():
            # -inf logits are masking (a contrastive loss removing each sample's match with itself, an
            # attention-style mask): softmax gives them probability 0; the candidates per row are the rest
            evidence["masked_logits"] = int(masked.sum())
            evidence["classes"] = int(out.shape[1])
            evidence["candidates"] = float(finite.sum(dim=1).float().mean())
        if tgt.is_floating_point():
            evidence["target_nonfinite"] = int((~torch.isfinite(tgt)).sum())
        clean = out[finite]
        if clean.numel():
            evidence["input_min"], evidence["input_max"] = float(clean.min()), float(clean.max())
        if kind in ("cross_entropy", "nll_loss") and out.dim() >= 2 and bool(finite.all()):
            classes = out.shape[1]
            evidence["classes"] = classes
            sums = out.sum(dim=1)
            evidence["row_sum_min"], evidence["row_sum_max"] = float(sums.min()), float(sums.max())
            evidence["probabilities"] = classes >= 2 and evidence["input_min"] >= -TOLERANCE and float((sums - 1).abs().max()) <= TOLERANCE
            lse = torch.logsumexp(out, dim=1)
            evidence["log_probabilities"] = evidence["input_max"] <= TOLERANCE and float(lse.abs().max()) <= 1e-2
            _class_targets(evidence, tgt, classes, out)
            _class_weights(evidence, kwargs, classes)
            _prior_under_weights(evidence, kind, out, tgt, kwargs.get("weight"), classes)
            if kwargs.get("weight") is None:  # a weighted loss is a ratio of weighted sums: its terms' spread is not its error
                _term_spread(evidence, kind, out, tgt, classes)
        elif kind in ("binary_cross_entropy_with_logits", "binary_cross_entropy"):
            evidence["inside_unit_interval"] = bool(clean.numel() > 1) and evidence.get("input_min", -1) >= 0.0 and evidence.get("input_max", 2) <= 1.0
            if tgt.numel():
                t = tgt.float()
                evidence["target_min"], evidence["target_max"] = float(t.min()), float(t.max())
                evidence["target_mean"] = float(t.mean())
            _class_weights(evidence, kwargs)
        if kind in REGRESSION or kind in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
            _last_operation(evidence, input, tgt)
        if kind in REGRESSION and tgt.numel():
            t = tgt.float()
            t = t[torch.isfinite(t)]
            if t.numel():
                evidence["target_min"], evidence["target_max"] = float(t.min()), float(t.max())
                evidence["target_mean"] = float(t.mean())
                evidence["target_std"] = float(t.std()) if t.numel() > 1 else 0.0
                evidence["target_negative_share"] = float((t < 0).float().mean())
                evidence["target_above_one_share"] = float((t > 1).float().mean())
                evidence["target_integer"] = bool(torch.equal(t, t.round()))
            if clean.numel() and out.numel() == tgt.numel():
                evidence["output_mean"] = float(clean.mean())  # where the model's outputs sit (D105: already at the offset?)
            if tgt.dim() == 2 and tgt.shape[1] >= 2:  # one-hot rows: class labels encoded for a distance loss (L305)
                rows = tgt.float()
                evidence["target_width"] = int(tgt.shape[1])
                evidence["target_one_hot"] = bool(((rows == 0) | (rows == 1)).all()) and bool((rows.sum(dim=1) == 1).all())
            evidence["_target_sample"] = target_sample(tgt)
            for key in ("delta", "beta"):
                if isinstance(kwargs.get(key), (int, float)):
                    evidence[key] = float(kwargs[key])
        return evidence


def target_sample(target: torch.Tensor) -> list[list[float]]:
    """The first ``SAMPLE_ROWS`` rows of a regression target, one list per sample (for the best-constant loss).

    The leading rows, not a random draw: drawing would advance the user's RNG. Rows holding a
    non-finite value are left out.
    """
    rows = target.float().reshape(target.shape[0], -1) if target.dim() >= 1 and target.shape[0] else target.float().reshape(1, -1)
    rows = rows[:SAMPLE_ROWS]
    rows = rows[torch.isfinite(rows).all(dim=1)]
    return rows.double().cpu().tolist()


def _term_spread(evidence: dict[str, Any], kind: str, out: torch.Tensor, tgt: torch.Tensor, classes: int) -> None:
    """Standard deviation of the per-sample loss terms (index targets in range, one row per sample).

    Says how far one batch's mean loss may sit from the loss's expectation (L307 reads step 0's).
    """
    if out.dim() != 2 or tgt.is_floating_point() or evidence.get("target_kind") != "indices":
        return
    if not (0 <= evidence.get("target_min", -1) and evidence.get("target_max", classes) < classes):
        return
    from ..probes.init_outputs import class_term_spread

    spread = class_term_spread(out, tgt.reshape(-1).long(), log_probabilities=kind != "cross_entropy")
    if spread is not None:
        evidence["term_std"], evidence["terms"] = spread


def terms_weighted(kwargs: dict[str, Any]) -> bool:
    """Whether a loss call weighs its terms: a ``pos_weight`` or ``weight`` given that is not all ones."""
    for key in ("pos_weight", "weight"):
        value = kwargs.get(key)
        if isinstance(value, torch.Tensor):
            if value.numel() and not bool((value.detach() == 1).all()):
                return True
        elif value is not None and value != 1:
            return True
    return False


MAX_RECORDED_WEIGHTS = 1024  # class weights kept as evidence up to this many classes; more: only "weighted"


def _class_weights(evidence: dict[str, Any], kwargs: dict[str, Any], classes: int | None = None) -> None:
    """A loss's weights: a binary loss's ``pos_weight`` (one number), a classification loss's per-class ``weight``
    (one for each of its ``classes``), and whether other weights rescale its terms.

    Each moves the best constant prediction's loss away from the label entropy (the reference).
    """
    pos_weight = kwargs.get("pos_weight")
    if isinstance(pos_weight, torch.Tensor) and pos_weight.numel() == 1:
        evidence["pos_weight"] = float(pos_weight)
    elif pos_weight is not None:
        evidence["weighted"] = True
    weight = kwargs.get("weight")
    if classes is not None and isinstance(weight, torch.Tensor) and weight.numel() == classes <= MAX_RECORDED_WEIGHTS:
        evidence["class_weight"] = [float(v) for v in weight.detach().reshape(-1).cpu()]
    elif weight is not None:
        evidence["weighted"] = True


def _prior_under_weights(evidence: dict[str, Any], kind: str, out: torch.Tensor, tgt: torch.Tensor, weight: Any,
                         classes: int) -> None:
    """A class-weighted cross-entropy over index labels: the batch's loss at the plain data prior (where an output bias
    started at the log class shares puts it) under the weights, and without them, that prior's loss and the loss of
    the batch's average output: what checkup's L307 and M210 read to tell a bias at the data prior (the playbook's
    "init well", which the weights would not pick) from one off it."""
    if kind != "cross_entropy" or not isinstance(weight, torch.Tensor) or weight.numel() != classes or out.dim() != 2 \
            or tgt.is_floating_point() or tgt.dim() != 1 or not tgt.numel():
        return
    labels = tgt.long()
    if bool(((labels < 0) | (labels >= classes)).any()):
        return  # ignore_index rows: the losses below would count them
    shares = torch.bincount(labels, minlength=classes).float() / labels.numel()
    prior = shares.clamp_min(1e-12).log().expand_as(out)
    try:
        weight = weight.detach().float().to(out.device)
        weighted = float(torch.nn.functional.cross_entropy(prior, labels, weight=weight))
    except RuntimeError:  # weights the user's own call could not apply either: nothing to record
        return
    evidence["prior_loss"] = weighted
    evidence["unweighted_prior_loss"] = float(torch.nn.functional.cross_entropy(prior, labels))
    evidence["unweighted_offset_loss"] = float(torch.nn.functional.cross_entropy(out.mean(0).expand_as(out), labels))


def _last_operation(evidence: dict[str, Any], input: torch.Tensor, target: torch.Tensor) -> None:
    """The output's last operation from the autograd graph, its range, and the share of targets outside it (L304)."""
    from ..probes.init_outputs import final_operation

    name, bounds = final_operation(input)
    if name is None:
        return
    evidence["output_op"] = name
    if bounds is not None and target.numel():
        low, high = bounds
        t = target.float()
        t = t[torch.isfinite(t)]
        evidence["output_op_range"] = [low, high]
        evidence["target_outside_share"] = float(((t < low) | (t > high)).float().mean()) if t.numel() else 0.0


def _class_targets(evidence: dict[str, Any], tgt: torch.Tensor, classes: int, out: torch.Tensor) -> None:
    """Label facts for class-index or probability targets of a classification loss."""
    if tgt.is_floating_point() and tgt.shape == out.shape:
        evidence["target_kind"] = "probabilities"
        sums = tgt.float().sum(dim=1)
        evidence["target_row_sum_min"] = float(sums.min())
        evidence["target_row_sum_max"] = float(sums.max())
        evidence["target_min"], evidence["target_max"] = float(tgt.min()), float(tgt.max())
        evidence["target_one_hot"] = bool(((tgt == 0) | (tgt == 1)).all()) and bool(((sums - 1).abs() <= TOLERANCE).all())
        labels = tgt.float().argmax(dim=1).reshape(-1)
    elif tgt.is_floating_point():
        evidence["target_kind"] = "float labels"
        evidence["target_min"], evidence["target_max"] = float(tgt.min()), float(tgt.max())
        evidence["target_integer"] = bool(torch.equal(tgt, tgt.round()))
        return
    else:
        evidence["target_kind"] = "indices"
        labels = tgt.reshape(-1)
        ignore = -100
        labels = labels[labels != ignore]
        if not labels.numel():
            return
        evidence["target_min"], evidence["target_max"] = int(labels.min()), int(labels.max())
        if evidence["target_min"] < 0 or evidence["target_max"] >= classes:
            return
    counts = torch.bincount(labels.long().clamp(min=0), minlength=classes)[:classes]
    evidence["_label_counts"] = counts.tolist()
    evidence["distinct_labels"] = int((counts > 0).sum())
    if not math.isnan(evidence.get("row_sum_min", 0.0)):
        evidence["accuracy"] = float((out.argmax(dim=1).reshape(-1) == labels.reshape(-1)).float().mean()) if out.dim() == 2 and labels.numel() == out.shape[0] else None


def best_constant_terms(kind: str, rows: list[list[float]] | torch.Tensor, delta: float = 1.0,
                        beta: float = 1.0) -> torch.Tensor | None:
    """The per-sample terms (rows x columns) of the best constant prediction per output column on the sampled target
    rows; else None. The candidates come from :func:`nndoctor.probes.init_outputs.regression_constants` (mean,
    median, the Huber / smooth L1 minimum), the best per column is kept."""
    from ..probes.init_outputs import regression_constants

    if isinstance(rows, torch.Tensor):
        values = rows.detach().cpu().double().reshape(rows.shape[0], -1) if rows.dim() else rows.new_zeros(0, 0).double()
        values = values[torch.isfinite(values).all(dim=1)]
        if kind not in REGRESSION or not values.numel():
            return None
    elif kind not in REGRESSION or not rows or len({len(r) for r in rows}) != 1 or not rows[0]:
        return None
    else:
        values = torch.tensor(rows, dtype=torch.float64)
    loss = getattr(torch.nn.functional, kind)
    options = {"delta": delta} if kind == "huber_loss" else {"beta": beta} if kind == "smooth_l1_loss" else {}
    candidates = torch.stack(regression_constants(values, kind, delta, beta))  # candidates x columns
    terms = torch.stack([loss(c.expand_as(values), values, reduction="none", **options) for c in candidates])
    columns = torch.arange(values.shape[1])
    return terms[terms.mean(1).argmin(0), :, columns].T


def best_constant_loss(kind: str, rows: list[list[float]], delta: float = 1.0, beta: float = 1.0,
                       upper: bool = False) -> float | None:
    """The mean loss of the best constant prediction (one per output column) on the sampled target rows; else None.

    "No learning" for a regression loss (see :func:`best_constant_terms`). The mean over columns is the
    element mean a ``reduction='mean'`` loss reports. The rows are a sample of the targets: ``upper`` adds
    ``UPPER_STANDARD_ERRORS`` standard errors of the mean of the per-sample terms, the most the
    population's value plausibly is.
    """
    chosen = best_constant_terms(kind, rows, delta, beta)
    if chosen is None:
        return None
    spread = chosen.std(0) / math.sqrt(len(chosen)) if upper and len(chosen) > 1 else torch.zeros(chosen.shape[1])
    return float((chosen.mean(0) + UPPER_STANDARD_ERRORS * spread).mean())
