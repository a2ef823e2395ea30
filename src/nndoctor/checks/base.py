"""The check contract and registry.

A Check is one measurement that can raise findings for one or a few rule codes. It reads
the Setup through a Context (which hands out copies of the model, cached batches and
cached probe results) and yields Findings. Checks never print, plot or change the
user's objects; the runner isolates their failures.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import torch
from torch import nn

from ..findings import Finding
from ..setup import Batch, Setup, move_to
from ..rng import seed_everything

PHASES = ("data", "model", "loss", "optimisation", "training")


@dataclass(frozen=True)
class Check:
    """A registered measurement: ``run(ctx)`` yields Findings for ``codes``."""

    name: str
    codes: tuple[str, ...]
    phase: str
    run: Callable[["Context"], Iterable[Finding]]


_REGISTRY: dict[str, Check] = {}


def check(*codes: str, phase: str, name: str | None = None) -> Callable:
    """Register a function ``fn(ctx) -> Iterable[Finding]`` as the check for ``codes``."""
    if phase not in PHASES:
        raise ValueError(f"unknown phase {phase!r}")

    def register(fn: Callable[["Context"], Iterable[Finding]]) -> Callable:
        key = name or f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"
        _REGISTRY[key] = Check(key, tuple(codes), phase, fn)
        return fn

    return register


def registered_checks() -> list[Check]:
    """Every check, ordered by phase (data before model before training)."""
    from . import load_all

    load_all()
    return sorted(_REGISTRY.values(), key=lambda c: PHASES.index(c.phase))


@dataclass
class Context:
    """What a check may use: the resolved Setup, sample batches, copies of the model, cached probes.

    Probe results (an LR range test, a trial training) are computed at most once per
    checkup and shared by every check that reads them; ``telemetry`` gathers the series
    renderers plot.
    """

    setup: Setup
    deadline: float
    sample_batches: int = 8
    telemetry: dict[str, Any] = field(default_factory=dict)
    _batches: dict[str, list[Batch]] = field(default_factory=dict)
    _probes: dict[str, Any] = field(default_factory=dict)

    @property
    def device(self) -> torch.device:
        return self.setup.device

    def time_left(self) -> float:
        return self.deadline - time.perf_counter()

    def batches(self, split: str = "train") -> list[Batch]:
        """Up to ``sample_batches`` batches of a split, read once and cached (moved to the device)."""
        if split not in self._batches:
            self._batches[split] = [
                (move_to(x, self.device), move_to(y, self.device))
                for x, y in self.setup.batches(split, limit=self.sample_batches)
            ]
        return self._batches[split]

    def model_copy(self, seed: int | None = None) -> nn.Module:
        """A fresh deep copy of the user's model; the seed fixes dropout and similar randomness."""
        if seed is not None:
            seed_everything(seed)
        return self.setup.fresh_model()

    def cached_probes(self) -> dict[str, Any]:
        """The probe results computed so far, by name (a copy: reading it computes nothing)."""
        return dict(self._probes)

    def probe(self, name: str, compute: Callable[["Context"], Any]) -> Any:
        """The result of ``compute(ctx)``, computed once per checkup under ``name``."""
        if name not in self._probes:
            self._probes[name] = compute(self)
        return self._probes[name]
