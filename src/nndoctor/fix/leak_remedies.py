"""Remedy for an input that carries the label (G604, found by ``generalisation.label_carrying_column``).

A column that alone predicts the labels (a follow-up measurement, an ID sorted by class, a pixel
overwritten with the class) makes every validation score measure the leak. The candidate holds
that input position at its training mean in both splits, which removes its information while
keeping the model's input shape. It is a bug's remedy: verified when the check no longer finds
a label-carrying input on the new data; the validation metric then measures the model, so it
is reported but not compared with the leaky one.
"""
from __future__ import annotations

from functools import partial

import torch

from ..findings import Finding
from ..setup import Setup
from .candidate import Candidate
from .transforms import NotApplicable, derive, map_dataset, moments, rebuild_loader


def hold_constant(x: torch.Tensor, position: tuple[int, ...], value: float) -> torch.Tensor:
    """``x`` (one sample, or a batch when it has one more axis) with the input at ``position`` set to ``value``."""
    out = x.clone()
    out[(..., *position)] = value
    return out


def neutralise_leaking_input(setup: Setup, finding: Finding) -> list[Candidate]:
    """Hold the input position G604 found carrying the label at its training mean, in training and validation."""
    evidence = finding.evidence or {}
    position = evidence.get("position")
    if not position:
        raise NotApplicable("the finding names no input that carries the label (the gap is between losses, not in a column)")
    position = tuple(int(i) for i in position)
    x, _ = setup.first_batch("train")
    if not isinstance(x, torch.Tensor) or not x.is_floating_point() or x.dim() - 1 != len(position):
        raise NotApplicable(f"the inputs are not floating-point tensors with one value at input position {position}")
    if any(not 0 <= i < n for i, n in zip(position, x.shape[1:])):
        raise NotApplicable(f"input position {position} is outside the inputs' shape {tuple(x.shape[1:])}")
    value = float(moments(setup, "x").mean[position])
    neutral = partial(hold_constant, position=position, value=value)  # module-level: picklable for loader workers
    train = rebuild_loader(setup.train_loader, map_dataset(setup.train_loader.dataset, fn_x=neutral))
    val = rebuild_loader(setup.val_loader, map_dataset(setup.val_loader.dataset, fn_x=neutral)) if setup.val_loader is not None else None
    where = f"column {position[0]}" if len(position) == 1 else f"input position {position}"
    index = position[0] if len(position) == 1 else position
    snippet = (
        f"# {where} predicts the label on its own ({evidence.get('balanced_accuracy', float('nan')):.1%} balanced accuracy):\n"
        "# find how the label got into it (a measurement taken after the outcome, an ID sorted by class, ...)\n"
        + (f"X_train = np.delete(X_train, {index}, axis=1)\nX_val = np.delete(X_val, {index}, axis=1)\n"
           "# and build the first layer one input narrower\n" if len(position) == 1 else
           f"X_train[(..., *{index})] = X_train[(..., *{index})].mean()\nX_val[(..., *{index})] = X_train[(..., *{index})].mean()\n")
        + "# your earlier validation scores measured the leak; the new ones measure the model"
    )
    return [Candidate("neutralise-leaking-input", f"hold {where}, which alone predicts the labels, at its training mean",
                      derive(setup, train=train, val=val), snippet, loss_comparable=False,
                      judged_by="cleared", metric_comparable=False)]
