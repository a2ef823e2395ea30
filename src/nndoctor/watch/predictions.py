"""What the model predicted on the script's last evaluation pass, counted per class (G603).

A script that scores its validation set with ``argmax`` (or a threshold on one logit) and a
metric from scikit-learn never hands nndoctor the validation labels, but its predictions
alone say which classes the model never predicts. Counts stay on the device (no sync per
forward) and are read once at the end of the run; nothing is kept of the inputs but weak
references, so the user's tensors, outputs and RNG are untouched.

A pass is the run of evaluation forwards between two training steps; it restarts when the
same input tensor comes back (a script that evaluates the same ``X_val`` again at the end).
"""
from __future__ import annotations

import weakref
from typing import Any

import torch

# Outputs wider than this are not class scores of a classifier we can judge (language models'
# vocabularies): the argmax would cost as much as the forward and G603 has no prior for them.
MAX_CLASSES = 1024


def _scores(output: Any) -> torch.Tensor | None:
    """The output's class scores: a floating (N, C) or (N,)/(N, 1) tensor, or a ``logits`` attribute."""
    if not isinstance(output, torch.Tensor):
        output = getattr(output, "logits", None)
    if not isinstance(output, torch.Tensor) or not output.is_floating_point() or output.dim() not in (1, 2) or not output.shape[0]:
        return None
    if output.dim() == 2 and output.shape[1] > MAX_CLASSES:
        return None
    return output.detach()


class EvalPredictions:
    """Per-class prediction counts of the latest evaluation pass of one model's outputs."""

    def __init__(self) -> None:
        self._iteration: int | None = None
        self._inputs: list[weakref.ref] = []
        self._width: int | None = None
        self._counts: torch.Tensor | None = None  # (C,) argmax counts, or [rows, logit > 0, probability > 0.5]

    def add(self, iteration: int, inputs: Any, output: Any) -> None:
        """Count the predictions of one evaluation forward (called under ``torch.no_grad``)."""
        scores = _scores(output)
        if scores is None:
            return
        width = scores.shape[1] if scores.dim() == 2 and scores.shape[1] > 1 else 1
        repeated = isinstance(inputs, torch.Tensor) and any(ref() is inputs for ref in self._inputs)
        if iteration != self._iteration or repeated or width != self._width:
            self._iteration, self._inputs, self._width, self._counts = iteration, [], width, None
        if isinstance(inputs, torch.Tensor):
            self._inputs = [ref for ref in self._inputs if ref() is not None] + [weakref.ref(inputs)]
        if width > 1:
            hits = torch.zeros(width, dtype=torch.long, device=scores.device)
            hits.scatter_add_(0, scores.argmax(dim=1), torch.ones(scores.shape[0], dtype=torch.long, device=scores.device))
        else:
            flat = scores.reshape(-1)
            hits = torch.stack([torch.tensor(flat.numel(), device=flat.device), (flat > 0).sum(), (flat > 0.5).sum()])
        self._counts = hits if self._counts is None else self._counts + hits

    def summary(self) -> dict[str, Any] | None:
        """The last pass: ``width`` (1 for a single score per row) and its counts, or None when nothing was seen."""
        if self._counts is None or self._width is None:
            return None
        counts = [int(c) for c in self._counts.tolist()]
        if self._width > 1:
            return {"width": self._width, "predicted": counts, "rows": sum(counts)}
        return {"width": 1, "rows": counts[0], "positive_logit": counts[1], "positive_probability": counts[2]}


def recall_bounds(predicted: list[int], prior: list[float], rows: int) -> tuple[dict[int, float], dict[int, int]]:
    """Per-class recall and support of a pass whose labels were not seen, from its predictions and the label prior.

    Support is the prior's expected count in ``rows``. A class never predicted has recall 0
    whatever its labels; a predicted class is credited with the most it can have, every one of
    its predictions a hit (``min(predicted, support)``), so the accuracy these imply is an
    upper bound and a paradox found with them holds for the true labels too.
    """
    total = float(sum(prior))
    support = {c: round(rows * share / total) for c, share in enumerate(prior) if share > 0}
    recall = {c: min(1.0, predicted[c] / n) if c < len(predicted) else 0.0 for c, n in support.items() if n > 0}
    return recall, {c: n for c, n in support.items() if n > 0}
