"""The check contract and registry.

A Check is one measurement that can raise findings for one or a few rule codes. It reads
the Setup through a Context (which hands out copies of the model, cached batches and
cached probe results) and yields Findings. Checks never print, plot or change the
user's objects; the runner isolates their failures.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import torch
from torch import nn

from ..findings import Finding
from ..setup import Batch, LossUnavailable, Setup, move_to
from ..rng import seed_everything

PHASES = ("data", "model", "loss", "optimisation", "training")


class Inconclusive(Exception):
    """A measurement stopped by the wall-clock safety net: it proves nothing, so nothing is concluded from it.

    Budgets are counted in steps and samples, so a measurement that finishes gives the same
    answer on an idle and on a loaded machine. The clock only guards against a setup far too
    slow for the exam: when it runs out the measurement is abandoned, not shortened, and every
    check that reads it is reported inconclusive with its findings withheld.
    """


def check_deadline(deadline: float | None, what: str) -> None:
    """Raise :class:`Inconclusive` when ``deadline`` (a ``time.perf_counter()`` instant) has passed.

    Probes call this between steps; ``None`` or ``inf`` means no safety net.
    """
    if deadline is not None and time.perf_counter() > deadline:
        raise Inconclusive(f"{what}: stopped by the wall-clock safety net")


def earliest(*deadlines: float | None) -> float | None:
    """The earliest of the given deadlines that is set (None when none is)."""
    given = [d for d in deadlines if d is not None and math.isfinite(d)]
    return min(given) if given else None


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

    ``deadline`` (a ``time.perf_counter()`` instant, ``inf`` for none) is the wall-clock
    safety net and nothing else: probes run their step budgets in full and call
    :meth:`check_deadline` between steps, which raises :class:`Inconclusive` once it has
    passed. A probe that raised stays inconclusive for the rest of the checkup, and the
    runner withholds the findings of every check that read it (:meth:`inconclusive_reason`),
    so the clock can take findings away but never change one. ``wanted`` lets a check read a
    costly probe only when the examination runs it anyway (the trial, when G603 is wanted).
    """

    setup: Setup
    deadline: float = math.inf
    sample_batches: int = 8
    wanted: frozenset[str] = frozenset()  # the codes this examination decides (empty: not said)
    # the codes whose training-phase checks run in this examination (None: every one; run's exam: those asked for)
    trained_codes: frozenset[str] | None = None
    telemetry: dict[str, Any] = field(default_factory=dict)
    _batches: dict[str, list[Batch]] = field(default_factory=dict)
    _probes: dict[str, Any] = field(default_factory=dict)
    _inconclusive: dict[str, str] = field(default_factory=dict)
    _unavailable: dict[str, LossUnavailable] = field(default_factory=dict)  # probes that needed a loss the labels cannot give
    _read: set[str] = field(default_factory=set)
    _tripped: str | None = None

    @property
    def device(self) -> torch.device:
        return self.setup.device

    def out_of_time(self) -> bool:
        """Whether the wall-clock safety net has run out."""
        return time.perf_counter() > self.deadline

    def check_deadline(self, what: str) -> None:
        """Raise :class:`Inconclusive` (and mark the running check inconclusive) once the safety net ran out."""
        try:
            check_deadline(self.deadline, what)
        except Inconclusive as exc:
            self._tripped = self._tripped or str(exc)
            raise

    def time_left(self) -> float:
        """Compatibility shim for checks written when budgets were in seconds: ``inf`` until the safety net runs out.

        Budgets are in steps and samples, so a check must not do less work because time is
        short. While the safety net holds this returns ``inf`` (a guard like
        ``time_left() < 5`` never fires); once it has run out it returns 0 and marks the
        running check inconclusive, so whatever the check then skips is withheld and listed,
        never reported as a different result. New code calls :meth:`check_deadline`.
        """
        if not self.out_of_time():
            return math.inf
        self._tripped = self._tripped or "stopped by the wall-clock safety net"
        return 0.0

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
        """The result of ``compute(ctx)``, computed once per checkup under ``name``.

        A probe stopped by the safety net raises :class:`Inconclusive` now and on every later
        read; the running check is recorded as having read ``name`` either way. A probe that
        needed a loss the labels cannot give (:class:`~nndoctor.setup.LossUnavailable`, D113
        reports why) raises the same ``LossUnavailable`` on every later read, so it is
        computed once and every check that reads it is listed as skipped with that reason.
        """
        self._read.add(name)
        if name in self._inconclusive:
            raise Inconclusive(self._inconclusive[name])
        if name in self._unavailable:
            raise self._unavailable[name]
        if name not in self._probes:
            try:
                self._probes[name] = compute(self)
            except Inconclusive as exc:
                self._inconclusive[name] = str(exc)
                raise
            except LossUnavailable as exc:
                self._unavailable[name] = exc
                raise
        return self._probes[name]

    def put_probe(self, name: str, value: Any) -> None:
        """Store a result computed outside any check (the runner's step cost) under ``name``."""
        self._probes[name] = value

    def inconclusive_probes(self) -> dict[str, str]:
        """Probes stopped by the safety net so far, with the reason (a copy)."""
        return dict(self._inconclusive)

    def begin_check(self) -> None:
        """Forget which probes the previous check read (the runner calls this before each check)."""
        self._read = set()
        self._tripped = None

    def inconclusive_reason(self) -> str | None:
        """Why the check that just ran proves nothing (it read an inconclusive probe or hit the safety net), else None."""
        reasons = [self._inconclusive[name] for name in sorted(self._read) if name in self._inconclusive]
        if self._tripped and not reasons:
            reasons.append(self._tripped)
        return "; ".join(reasons) or None
