"""Never hurt the patient: snapshot the user's objects and put them back exactly.

Checkup works on copies, but a user's model can still be touched indirectly (a shared
buffer, a module that caches state, the global RNGs a DataLoader draws from). The
snapshot records every tensor, every ``training`` flag and the optimizer state, and
``restore`` writes them back bit for bit.
"""
from __future__ import annotations

import contextlib
import copy
from typing import Iterator

import torch
from torch import nn

from .rng import preserved_rng


class PatientSnapshot:
    """Exact copy of a model's parameters, buffers, grads, modes and an optimizer's state."""

    def __init__(self, model: nn.Module, optimizer: torch.optim.Optimizer | None = None) -> None:
        self.model = model
        self.optimizer = optimizer
        self.state = {k: v.detach().clone() for k, v in model.state_dict(keep_vars=True).items()}
        self.grads = {name: (p.grad.detach().clone() if p.grad is not None else None) for name, p in model.named_parameters()}
        self.requires_grad = {name: p.requires_grad for name, p in model.named_parameters()}
        self.modes = {name: m.training for name, m in model.named_modules()}
        self.optimizer_state = copy.deepcopy(optimizer.state_dict()) if optimizer is not None else None

    def restore(self) -> None:
        with torch.no_grad():
            current = self.model.state_dict(keep_vars=True)
            for key, saved in self.state.items():
                if key in current and isinstance(current[key], torch.Tensor):
                    target = current[key]
                    if target.shape == saved.shape and target.dtype == saved.dtype:
                        target.copy_(saved)
        for name, p in self.model.named_parameters():
            p.requires_grad_(self.requires_grad.get(name, p.requires_grad))
            saved_grad = self.grads.get(name)
            p.grad = saved_grad.clone() if saved_grad is not None else None
        for name, module in self.model.named_modules():
            if name in self.modes:
                module.training = self.modes[name]
        if self.optimizer is not None and self.optimizer_state is not None:
            self.optimizer.load_state_dict(copy.deepcopy(self.optimizer_state))


@contextlib.contextmanager
def untouched(model: nn.Module, optimizer: torch.optim.Optimizer | None = None) -> Iterator[None]:
    """Run the block; afterwards the model, optimizer and global RNGs are exactly as before."""
    snapshot = PatientSnapshot(model, optimizer)
    with preserved_rng():
        try:
            yield
        finally:
            snapshot.restore()


@contextlib.contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """``model`` in eval mode for the block; afterwards every module's ``training`` flag is as before, also after an
    error. Restoring each flag (not ``model.train(was_training)``) keeps a submodule the user froze in eval mode
    (a BatchNorm inside a training model) frozen."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield model
    finally:
        for module, training in modes:
            module.training = training
