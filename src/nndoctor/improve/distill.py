"""Knowledge distillation (Hinton, Vinyals and Dean 2015): a student trained on a teacher's soft targets.

loss = alpha * T² * KL(softmax(teacher / T) || softmax(student / T)) + (1 - alpha) * hard loss.
The T² keeps the soft term's gradients on the scale of the hard term's as T grows. The
teacher (the ensemble, or a model the user passes) runs in eval mode without gradients.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ..fix.candidate import Candidate
from ..fix.transforms import NotApplicable, derive
from ..setup import Setup

DEFAULT_TEMPERATURE = 4.0
DEFAULT_ALPHA = 0.7

SNIPPET = """\
import torch.nn.functional as F

T, alpha = {T:g}, {alpha:g}
teacher.eval()
for x, y in loader:
    with torch.no_grad():
        t = teacher(x)
    s = student(x)
    soft = F.kl_div(F.log_softmax(s / T, dim=1), F.softmax(t / T, dim=1), reduction="batchmean") * T * T
    loss = alpha * soft + (1 - alpha) * F.cross_entropy(s, y)
    optimizer.zero_grad(); loss.backward(); optimizer.step()
"""


def distillation_loss(student: torch.Tensor, teacher: torch.Tensor, y: torch.Tensor, temperature: float, alpha: float,
                      hard_loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] = F.cross_entropy) -> torch.Tensor:
    """alpha·T²·KL(soft teacher ‖ soft student) (mean over the batch) + (1 − alpha)·hard_loss(student, y)."""
    t = float(temperature)
    soft = F.kl_div(F.log_softmax(student / t, dim=1), F.softmax(teacher.detach() / t, dim=1), reduction="batchmean")
    return alpha * t * t * soft + (1.0 - alpha) * hard_loss(student, y)


def distill_candidate(setup: Setup, teacher: nn.Module, temperature: float = DEFAULT_TEMPERATURE,
                      alpha: float = DEFAULT_ALPHA) -> Candidate:
    """The user's model as a student of ``teacher``: same data, optimizer and steps, distillation loss."""
    if setup.task != "multiclass":
        raise NotApplicable(f"distillation with softmax soft targets needs a multiclass classifier (this task is {setup.task})")
    teacher = teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)

    def train_loss(output: Any, x: Any, y: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            target = teacher(x)
        if output.dim() != 2 or target.shape != output.shape:
            raise NotApplicable(f"teacher output {tuple(target.shape)} does not match the student's {tuple(output.shape)}")
        return distillation_loss(output, target, y, temperature, alpha, hard_loss=setup.compute_loss)

    return Candidate("distill", f"distilled student (T={temperature:g}, alpha={alpha:g})", derive(setup),
                     SNIPPET.format(T=temperature, alpha=alpha), train_loss=train_loss)
