"""Remedy for an input that carries the label (G604, found by ``generalisation.label_carrying_column``).

A column that alone predicts the labels (a follow-up measurement, an ID sorted by class, a pixel
overwritten with the class) makes every validation score measure the leak. The candidate holds
that input position at its training mean in both splits, which removes its information while
keeping the model's input shape; in rows of token ids, where a word that names the label can sit anywhere, the
candidate replaces that token with the commonest other one. It is a bug's remedy: verified when the check no longer
finds a label-carrying input on the new data; the validation metric then measures the model, so it
is reported but not compared with the leaky one.
"""
from __future__ import annotations

from functools import partial
from typing import Any

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


def replace_token(x: Any, tokens: tuple[int, ...], value: int) -> Any:
    """``x`` (token ids, or a dict of model inputs whose ``input_ids`` hold them) with each of ``tokens`` made
    ``value``."""
    if isinstance(x, dict):
        return {k: replace_token(v, tokens, value) if k == "input_ids" else v for k, v in x.items()}
    out = x.clone()
    out[torch.isin(x, torch.tensor(tokens, dtype=x.dtype))] = value
    return out


def _token_ids(x: Any) -> torch.Tensor | None:
    ids = x.get("input_ids") if isinstance(x, dict) else x
    return ids if isinstance(ids, torch.Tensor) and not ids.is_floating_point() and ids.dim() >= 2 else None


def _mapped_splits(setup: Setup, neutral: Any) -> tuple[Any, Any]:
    """The training and validation loaders with ``neutral`` (a module-level partial: picklable for loader workers)
    applied to each sample's inputs."""
    train = rebuild_loader(setup.train_loader, map_dataset(setup.train_loader.dataset, fn_x=neutral))
    val = setup.val_loader
    return train, rebuild_loader(val, map_dataset(val.dataset, fn_x=neutral)) if val is not None else None


def neutralise_leaking_token(setup: Setup, finding: Finding) -> list[Candidate]:
    """Replace the token whose presence G604 found carrying the label with the commonest other token, in both splits.

    The row keeps its length and the model its vocabulary; the word that named the label is gone.
    """
    token = int(finding.evidence["token"])
    # every token whose presence alone gives the class (a "spam" word and a "ham" word), the best first
    tokens = tuple(dict.fromkeys([token, *(int(t) for t in finding.evidence.get("tokens") or [])]))
    x, _ = setup.first_batch("train")
    ids = _token_ids(x)
    if ids is None:
        raise NotApplicable("the inputs are not token-id rows (a tensor, or a dict's input_ids) to take the token from")
    values, counts = torch.unique(ids[~torch.isin(ids, torch.tensor(tokens, dtype=ids.dtype))], return_counts=True)
    if not len(values):
        raise NotApplicable(f"the first batch holds no token but {list(tokens)} to put in their place")
    filler = int(values[counts.argmax()])
    neutral = partial(replace_token, tokens=tokens, value=filler)
    neutral.takes_model_inputs = True  # type: ignore[attr-defined]  # a Trainer's dict samples: their input_ids
    train, val = _mapped_splits(setup, neutral)
    balanced = finding.evidence.get("balanced_accuracy", float("nan"))
    snippet = "\n".join([
        f"# token id {token} predicts the label on its own ({balanced:.1%} balanced accuracy), wherever it sits:",
        "# find how the label got into the text (a field joined in, a tag the export kept); build the text without it",
        "# your earlier validation scores measured the leak; the new ones measure the model",
    ])
    named = f"token id {token}" if len(tokens) == 1 else f"token ids {', '.join(map(str, tokens))}"
    title = f"replace {named}, each alone predicting the labels, with token id {filler}"
    return [Candidate("neutralise-leaking-input", title, derive(setup, train=train, val=val), snippet,
                      loss_comparable=False, judged_by="cleared", metric_comparable=False)]


def neutralise_leaking_input(setup: Setup, finding: Finding) -> list[Candidate]:
    """Hold the input position G604 found carrying the label at its training mean, in training and validation (or,
    for token-id rows, replace the token whose presence carries it)."""
    evidence = finding.evidence or {}
    if evidence.get("token") is not None:
        return neutralise_leaking_token(setup, finding)
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
    train, val = _mapped_splits(setup, partial(hold_constant, position=position, value=value))
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
