"""Ensembles: K models trained from K seeds, their predictions averaged.

Averaging happens where it means something: class probabilities (softmax of logits, exp of
log-probabilities, sigmoid of a binary logit) for classifiers, raw outputs otherwise. The
ensemble returns the log of the averaged probabilities (or the logit of the averaged
sigmoid), so the user's loss and the argmax read it exactly as they read one model's output.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from ..setup import Setup

SNIPPET = """\
import torch

models = [train(seed=s) for s in range(5)]         # same setup, different seeds
def ensemble(x):
    with torch.no_grad():
        probs = torch.stack([m.eval()(x).softmax(dim=1) for m in models]).mean(0)
    return probs.log()                                  # reads like logits: argmax, CrossEntropyLoss
"""


def output_kind(setup: Setup) -> str:
    """How to average this setup's outputs: "softmax", "log_probs", "sigmoid" or "mean"."""
    name = type(setup.loss).__name__
    if name in ("CrossEntropyLoss", "TokenCrossEntropyLoss"):
        return "softmax"
    if name == "NLLLoss":
        return "log_probs"
    if name == "BCEWithLogitsLoss":
        return "sigmoid"
    return "mean"


def combine_outputs(outputs: Sequence[torch.Tensor], kind: str, dim: int = 1) -> torch.Tensor:
    """Average member outputs the way ``kind`` says (see the module docstring)."""
    stacked = torch.stack([o.float() for o in outputs])
    if kind == "softmax":
        return stacked.softmax(dim=dim + 1).mean(0).clamp_min(1e-12).log()
    if kind == "log_probs":
        return stacked.exp().mean(0).clamp_min(1e-12).log()
    if kind == "sigmoid":
        return torch.logit(stacked.sigmoid().mean(0), eps=1e-7)
    return stacked.mean(0)


class Ensemble(nn.Module):
    """Members in eval mode, their outputs averaged by :func:`combine_outputs`."""

    def __init__(self, members: Sequence[nn.Module], kind: str, dim: int = 1) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)
        self.kind, self.dim = kind, dim

    def forward(self, x: Any) -> torch.Tensor:
        return combine_outputs([m(x) for m in self.members], self.kind, self.dim)


def build_ensemble(setup: Setup, members: Sequence[nn.Module]) -> Ensemble:
    """The ensemble of trained ``members`` for ``setup``'s loss and class axis."""
    axis = setup.class_axis if setup.class_axis is not None else 1
    return Ensemble(members, output_kind(setup), axis).eval()
