"""Predictions after training: confusion, per-class precision/recall, the worst samples.

Scikit-learn computes the confusion matrix and the per-class scores; this module only
gathers the model's outputs on fixed batches and picks the samples worth looking at: the
highest per-sample loss and the most confident mistakes, each with predicted vs true label.
Regression gets predicted vs true pairs and the residuals.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from torch import nn

from ..patient import eval_mode
from ..setup import Setup, primary_output

# How many of the worst samples to show, and the most (predicted, true) pairs kept for a scatter.
WORST = 8
SCATTER_POINTS = 400
# A confusion matrix is read cell by cell; past a few dozen classes (a language model's vocabulary) it is
# shown for the most frequent true classes only, so the report stays the size of what can be read.
MATRIX_CLASSES = 50


@dataclass
class Outputs:
    """Flattened predictions on fixed batches: class ids (or values), confidence, truth, per-sample loss."""

    kind: str  # "classes" or "values"
    predicted: np.ndarray
    truth: np.ndarray
    confidence: np.ndarray | None
    loss: np.ndarray | None  # per sample (None for token sequences or a loss that cannot be split)
    n_classes: int | None
    sample: np.ndarray | None = None  # which sample (row of the scored batches) each prediction belongs to
    probabilities: np.ndarray | None = None  # (predictions, classes) class probabilities, one row per prediction


def class_probabilities(setup: Setup, out: torch.Tensor) -> torch.Tensor | None:
    """Class probabilities with the class axis last, one row per scored position; None when not classes.

    Several columns are read as logits (softmax); one column of a binary task is a logit, or a
    probability under ``BCELoss``. The look and the trial's per-class probabilities (G603) read them here.
    """
    if setup.task == "sequence" and setup.class_axis is not None:
        return torch.softmax(out.movedim(setup.class_axis, -1).reshape(-1, out.shape[setup.class_axis]).float(), -1)
    if setup.task in ("multiclass", "binary") and out.dim() == 2 and out.shape[1] > 1:
        return torch.softmax(out.float(), -1)
    if setup.task == "binary":
        p = out.reshape(-1).float()
        p = p if type(setup.loss).__name__ == "BCELoss" else torch.sigmoid(p)
        return torch.stack([1 - p, p], dim=-1)
    return None


def probability_scores(truth: np.ndarray, probabilities: np.ndarray) -> tuple[dict[int, float], dict[int, float]] | None:
    """Per class present in ``truth``: the mean probability the rows (``probabilities``, one row per label) give it,
    and how well that probability ranks its rows (one-vs-rest ROC AUC; left out for a class every row holds).
    None when a row is not finite or a label has no column. G603's measurement and G606's choice of metric read it."""
    from sklearn.metrics import roc_auc_score

    if probabilities.ndim != 2 or probabilities.shape[0] != len(truth) or not np.isfinite(probabilities).all():
        return None
    mean, ranking = {}, {}
    for cls in np.unique(truth).tolist():
        if not 0 <= cls < probabilities.shape[1]:
            return None
        mean[int(cls)] = float(probabilities[:, cls].mean())
        hit = truth == cls
        if 0 < hit.sum() < len(hit):
            ranking[int(cls)] = float(roc_auc_score(hit, probabilities[:, cls]))
    return mean, ranking


def _truth(setup: Setup, y: torch.Tensor) -> torch.Tensor:
    if setup.task == "multiclass" and y.dim() == 2 and y.is_floating_point():
        return y.argmax(dim=1)
    if setup.task == "binary":
        return (y.reshape(-1).float() > 0.5).long()
    return y.reshape(-1).long()


def _per_sample_loss(setup: Setup, out: Any, y: torch.Tensor) -> np.ndarray | None:
    """The user's loss on each sample alone (None when the loss cannot be split per sample)."""
    try:
        return np.array([float(setup.compute_loss(out[i:i + 1], y[i:i + 1])) for i in range(int(y.shape[0]))])
    except Exception:  # noqa: BLE001 - LossUnavailable, or a loss that reads whole batches only
        return None


# Losses that score the output against the target in the target's own units: the output is the prediction.
VALUE_LOSSES = (nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss)
VALUE_LOSS_FUNCTIONS = (nn.functional.mse_loss, nn.functional.l1_loss, nn.functional.smooth_l1_loss, nn.functional.huber_loss)


def predicted_values(setup: Setup, primary: torch.Tensor) -> torch.Tensor | None:
    """The regression prediction the loss reads from the output, or None when the loss does not say.

    The output itself under a loss in the target's units (MSE, L1, Huber), the rate
    ``exp(output)`` under a Poisson loss on log-rates (``PoissonNLLLoss(log_input=True)``, its
    default). Under any other loss (a VAE's ELBO on Bernoulli logits, a hand-written loss) the
    output need not be in the target's units, and scoring it as a prediction would be wrong.
    """
    loss = setup.loss
    if isinstance(loss, nn.PoissonNLLLoss):
        return primary.exp() if loss.log_input else primary
    if isinstance(loss, VALUE_LOSSES) or any(loss is f for f in VALUE_LOSS_FUNCTIONS):
        return primary
    return None


def collect(setup: Setup, model: nn.Module, batches: list[tuple[Any, torch.Tensor]], *,
            per_sample_loss: bool = True) -> Outputs | None:
    """The model's predictions on ``batches`` in eval mode (the model's mode is restored).

    ``per_sample_loss=False`` skips scoring each sample alone (one loss call per row), for readers of the
    predictions only (the trial's per-class recall)."""
    pred, truth, conf, losses, samples, rows_of_scores = [], [], [], [], [], []
    kind = "values"
    offset = 0
    with eval_mode(model), torch.no_grad():
        for x, y in batches:
            out = setup.forward(model, x)
            primary = primary_output(out)
            if primary is None:
                return None
            scores = class_probabilities(setup, primary)
            if scores is not None:
                kind = "classes"
                target = _truth(setup, y).cpu()
                keep = target != setup.ignore_index
                best = scores.max(dim=-1)
                pred.append(best.indices.cpu()[keep])
                conf.append(best.values.cpu()[keep])
                rows_of_scores.append(scores.cpu()[keep] if scores.shape[0] == keep.shape[0] else None)
                truth.append(target[keep])
                rows = torch.arange(offset, offset + int(y.shape[0])).reshape(-1, *([1] * (y.dim() - 1)))
                per_position = keep.numel() != int(y.shape[0]) and keep.numel() == y.numel()  # a mask, a sequence
                samples.append((rows.expand(*y.shape) if per_position else rows).reshape(-1)[keep])
                offset += int(y.shape[0])
                if per_sample_loss and setup.task != "sequence" and losses is not None:
                    part = _per_sample_loss(setup, out, y)
                    losses = None if part is None else losses + [part]
            else:
                if setup.task != "regression" or primary.shape[0] != y.shape[0] or primary.numel() != y.numel():
                    return None  # no prediction per target value (a part of the model, say): nothing to score
                values = predicted_values(setup, primary)
                if values is None:
                    return None  # the loss does not read the output as the target's value
                pred.append(values.reshape(-1).float().cpu())
                truth.append(y.reshape(-1).float().cpu())
    if not pred:
        return None
    n_classes = setup.n_classes or (2 if setup.task == "binary" else None)
    whole = rows_of_scores and all(r is not None for r in rows_of_scores) and len({r.shape[1] for r in rows_of_scores}) == 1
    return Outputs(kind, torch.cat(pred).numpy(), torch.cat(truth).numpy(),
                   torch.cat(conf).numpy() if conf else None,
                   np.concatenate(losses) if losses else None, n_classes,
                   torch.cat(samples).numpy() if samples else None,
                   torch.cat(rows_of_scores).double().numpy() if whole else None)


def summarise(outputs: Outputs) -> dict[str, Any]:
    """Confusion and per-class scores (classes) or scatter and residuals (values), JSON-able."""
    if outputs.kind == "values":
        residual = outputs.predicted - outputs.truth
        take = np.linspace(0, len(residual) - 1, min(SCATTER_POINTS, len(residual))).astype(int)
        return {
            "kind": "regression", "samples": len(residual),
            "mse": float(np.mean(residual ** 2)), "mae": float(np.mean(np.abs(residual))),
            "predicted": outputs.predicted[take].round(5).tolist(), "true": outputs.truth[take].round(5).tolist(),
            "residual_mean": float(residual.mean()), "residual_std": float(residual.std()),
        }
    labels = list(range(outputs.n_classes)) if outputs.n_classes else sorted(
        set(outputs.truth.tolist()) | set(outputs.predicted.tolist()))
    all_classes = len(labels)
    if all_classes > MATRIX_CLASSES:
        values, counts = np.unique(outputs.truth, return_counts=True)
        labels = sorted(int(v) for v in values[np.argsort(-counts, kind="stable")[:MATRIX_CLASSES]])
    matrix = confusion_matrix(outputs.truth, outputs.predicted, labels=labels)
    precision, recall, f1, support = precision_recall_fscore_support(
        outputs.truth, outputs.predicted, labels=labels, zero_division=0)
    summary: dict[str, Any] = {
        "kind": "classes", "samples": len(outputs.truth), "labels": [int(c) for c in labels],
        "accuracy": float(np.mean(outputs.predicted == outputs.truth)),
        "confusion": matrix.tolist(),
        "precision": precision.round(4).tolist(), "recall": recall.round(4).tolist(),
        "f1": f1.round(4).tolist(), "support": support.tolist(),
    }
    if all_classes > len(labels):
        summary["classes_shown"] = f"the {len(labels)} most frequent true classes of {all_classes}"
    summary["highest_loss"] = _worst(outputs, outputs.loss) if outputs.loss is not None else []
    wrong = outputs.predicted != outputs.truth
    if outputs.confidence is not None:
        summary["confident_mistakes"] = _worst(outputs, np.where(wrong, outputs.confidence, -np.inf), only_finite=True)
    return summary


def _worst(outputs: Outputs, score: np.ndarray, only_finite: bool = False) -> list[dict[str, Any]]:
    """The ``WORST`` predictions by ``score`` (highest first): index (a position for token sequences),
    the sample it belongs to, predicted, true and score."""
    order = np.argsort(-score, kind="stable")[:WORST]
    rows = []
    for i in order:
        if only_finite and not np.isfinite(score[i]):
            break
        rows.append({"index": int(i), "sample": int(outputs.sample[i]) if outputs.sample is not None else int(i),
                     "predicted": int(outputs.predicted[i]), "true": int(outputs.truth[i]),
                     "score": round(float(score[i]), 4)})
    return rows
