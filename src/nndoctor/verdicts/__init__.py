"""The verdict layer: one pure function per code, shared by every mode.

A verdict takes a typed measurement (a loss curve, per-layer series, a data summary:
small dataclasses defined beside the verdict) and returns the Findings it supports, or
nothing. It never touches a model, a loader or a clock, so the same evidence gives the
same verdict whether checkup's probes or watch's recorder measured it. Thresholds live
next to their verdict, named, with the reason for their value.

Modes are adapters: ``checks/`` builds measurements from probes on copies, ``watch/``
from the user's live loop; both call the function registered here for a code and
decide nothing themselves. ``tests/test_verdicts.py`` checks that each catalog code is
produced by exactly one function.
"""
from __future__ import annotations

from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable)

# code -> the one function that decides it
VERDICTS: dict[str, Callable] = {}


def verdict(*codes: str) -> Callable[[F], F]:
    """Register ``fn`` as the one verdict for ``codes``; a second registration is an error."""

    def register(fn: F) -> F:
        for code in codes:
            if code in VERDICTS and VERDICTS[code] is not fn:
                raise ValueError(f"{code} already has a verdict: {VERDICTS[code].__module__}.{VERDICTS[code].__name__}")
            VERDICTS[code] = fn
        return fn

    return register
