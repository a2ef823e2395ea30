"""What the watched loop's evaluation passes showed, kept on the device until the report.

The Doctor hands every loss call made without gradients, and every batch a DataLoader
yields, to one :class:`EvalRecord`. It keeps the last evaluation pass's per-class
support and hits (G603, D111), its per-row log-loss or squared errors against the
constant predictor's (D111's paired labels), the predictions of each pass (G604), and
which loaders training drew from: a training loader's batch evaluated again is no
held-out evidence.
"""
from __future__ import annotations

import weakref
from typing import Any

import torch
import torch.nn.functional as F

from ..record.heldout_errors import paired_terms, squared_error_sums
from .latest_pass import LatestPass
from .loss_inspect import REGRESSION
from .predictions import EvalPredictions


class EvalRecord:
    """The evaluation evidence of one watched loop, and the loader batch an evaluation forward may be scored on."""

    def __init__(self) -> None:
        self.class_counts = LatestPass()  # the last evaluation pass's per-class support and hits
        self.log_loss_terms = LatestPass()  # its per-row log-loss: [rows, sum, sum of squares, label counts]
        self.squared_errors = LatestPass()  # a regression pass's squared errors against its mean target
        self.predictions = EvalPredictions()
        self.labelled_batch: tuple[weakref.ref, torch.Tensor] | None = None  # the latest (inputs, class ids) batch
        self._loader_now: int | None = None
        self._batch_loader: int | None = None
        self._batch_tensors: list[weakref.ref] = []
        self._train_loaders: set[int] = set()

    # -- events ---------------------------------------------------------------------
    def on_loader(self, loader: Any) -> None:
        """A DataLoader began to yield: the batches that follow are its."""
        self._loader_now = id(loader)

    def on_batch(self, batch: Any) -> None:
        """Remember the latest batch a DataLoader yielded and, when it is an (inputs, class ids) pair, its labels.

        Only a pair: in a longer batch (``x_num, x_cat, y``; ``x, lengths, y``) the second item is
        not the labels, and which one is cannot be told from the batch alone.
        """
        self.labelled_batch = None
        self._batch_loader = self._loader_now
        items = batch.values() if isinstance(batch, dict) else batch if isinstance(batch, (list, tuple)) else (batch,)
        self._batch_tensors = [weakref.ref(t) for t in items if isinstance(t, torch.Tensor)]
        if isinstance(batch, (list, tuple)) and len(batch) == 2:
            x, y = batch[0], batch[1]
            if isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor) and y.dim() == 1 and not y.is_floating_point() \
                    and x.dim() >= 1 and x.shape[0] == y.shape[0]:
                self.labelled_batch = (weakref.ref(x), y)

    def on_training_loss(self) -> None:
        """A training loss call: the loader of the latest batch is one training draws from."""
        if self._batch_loader is not None:
            self._train_loaders.add(self._batch_loader)

    def on_eval_loss(self, iteration: int, kind: str, input: torch.Tensor, target: torch.Tensor) -> None:
        """An evaluation loss call: count its classes, and score its rows when the batch is held out."""
        held_out = not self._training_batch(target)  # a training loader's batch is no held-out evidence (D111)
        self._count_classes(iteration, kind, input, target, held_out)
        if held_out:
            self._score_terms(iteration, kind, input, target)

    # -- measurements ---------------------------------------------------------------
    def _training_batch(self, target: torch.Tensor) -> bool:
        """Whether ``target`` is a tensor of the latest batch of a loader that training steps drew from."""
        return self._batch_loader in self._train_loaders and any(ref() is target for ref in self._batch_tensors)

    def _count_classes(self, iteration: int, kind: str, input: torch.Tensor, target: torch.Tensor,
                       held_out: bool) -> None:
        """Per-class support and hits of an evaluation batch, kept on the device (G603), and whether every batch of the
        pass was held out (D111 reads only such a pass)."""
        if kind != "cross_entropy" or input.dim() != 2 or target.dim() != 1 or target.is_floating_point():
            return
        classes = input.shape[1]
        with torch.no_grad():
            target = target.detach()
            if target.numel() and (target.min() < 0 if target.device.type == "cpu" else False):
                return
            hits = (input.detach().argmax(1) == target)
            support = torch.bincount(target.clamp(0, classes - 1), minlength=classes)[:classes]
            correct = torch.bincount(target.clamp(0, classes - 1)[hits], minlength=classes)[:classes]
        self.class_counts.add(iteration, [support, correct], held_out)

    def _score_terms(self, iteration: int, kind: str, input: torch.Tensor, target: torch.Tensor) -> None:
        """Per-row unweighted log-loss of an evaluation batch of class ids or binary labels, summed on the device, with
        the label counts: how far held-out rows score below the constant predictor's loss (D111's paired labels).
        Not for the batches of a training loader: memorised labels score low whether or not inputs predict them."""
        with torch.no_grad():
            if kind == "cross_entropy" and input.dim() == 2 and target.dim() == 1 and not target.is_floating_point():
                classes = input.shape[1]
                if target.device.type == "cpu" and target.numel() and (target.min() < 0 or target.max() >= classes):
                    return
                terms = F.cross_entropy(input.detach().float(), target, reduction="none")
                labels = torch.bincount(target, minlength=classes)[:classes]
            elif kind in REGRESSION:
                sums = squared_error_sums(input, target)
                if sums is not None:
                    self.squared_errors.add(iteration, sums)
                return
            elif kind == "binary_cross_entropy_with_logits" and input.shape == target.shape and input.dim() >= 1 \
                    and input.numel() == input.shape[0]:
                y = target.detach().float().reshape(-1)
                if target.device.type == "cpu" and bool(((y != 0) & (y != 1)).any()):
                    return  # soft targets: no class shares to hold them against
                terms = F.binary_cross_entropy_with_logits(input.detach().float().reshape(-1), y, reduction="none")
                labels = torch.stack([(y == 0).sum(), (y == 1).sum()])
            else:
                return
            row = [torch.tensor(float(terms.numel()), device=terms.device), terms.sum(), (terms * terms).sum()]
        self.log_loss_terms.add(iteration, [*row, labels])

    # -- read at the report -----------------------------------------------------------
    def final_counts(self) -> dict[str, Any] | None:
        """The last evaluation pass's per-class support and hits, and whether all its batches were held out."""
        totals = self.class_counts.totals()
        if totals is None:
            return None
        support, correct = totals
        return {"support": support.tolist(), "correct": correct.tolist(), "held_out": self.class_counts.held_out}

    def final_terms(self) -> dict[str, Any] | None:
        """The last evaluation pass's per-row log-loss (rows, mean, variance) and its labels' shares' entropy; for a
        regression loss, its squared errors against the best constant's (``heldout_errors.paired_terms``)."""
        totals = self.log_loss_terms.totals()
        if totals is None:
            return paired_terms(self.squared_errors.totals())
        rows, total, squares, labels = totals
        n = float(rows)
        if n < 2:
            return None
        mean = float(total) / n
        counts = labels.double()
        shares = counts[counts > 0] / counts.sum()
        return {"rows": int(n), "mean": mean, "variance": max(float(squares) / n - mean * mean, 0.0) * n / (n - 1),
                "label_entropy": float(-(shares * shares.log()).sum())}


def final_accuracy(counts: dict[str, Any] | None, scored_acc: list, scored_weight: list) -> dict[str, float] | None:
    """The script's model's accuracy on its last evaluation: the held-out pass's class ``counts``
    (:meth:`EvalRecord.final_counts`), else the last evaluation nndoctor scored on a loader's batches
    (``scored_acc``/``scored_weight``, the telemetry's series); None when neither was measured."""
    if counts and counts["held_out"] and sum(counts["support"]):
        return {"accuracy": sum(counts["correct"]) / sum(counts["support"]), "rows": sum(counts["support"])}
    if scored_acc and scored_weight and scored_acc[-1] is not None:
        return {"accuracy": float(scored_acc[-1]), "rows": int(scored_weight[-1])}
    return None
