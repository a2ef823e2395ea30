"""Helpers for the data-check tests: run the D-family checks directly and build small setups."""
from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn

import nndoctor
from nndoctor import Finding, Severity
from nndoctor.checks import data as data_checks  # noqa: F401  (registers the checks)
from nndoctor.checks.base import Context, registered_checks
from nndoctor.patient import untouched
from nndoctor.rng import seed_everything

D_CODES = tuple(f"D{n}" for n in range(101, 116))


def run_data_checks(setup: nndoctor.Setup, *codes: str, budget: float = 60.0) -> list[Finding]:
    """The D-family findings for ``setup`` (all, or the checks for ``codes``), produced the way the runner does."""
    wanted = set(codes or D_CODES)
    findings: list[Finding] = []
    with untouched(setup.model, setup.user_optimizer):
        seed_everything(setup.seed)
        setup.resolve()
        ctx = Context(setup=setup, deadline=time.perf_counter() + budget)
        for chk in registered_checks():
            if chk.run.__module__ != data_checks.__name__ or not wanted.intersection(chk.codes):
                continue
            seed_everything(setup.seed)
            findings.extend(f for f in chk.run(ctx) or [] if f.code in D_CODES)
    return findings


def raised(findings: list[Finding], at_least: str = "warning") -> set[str]:
    return {f.code for f in findings if f.severity.at_least(Severity(at_least))}


def of(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def mlp(inputs: int, outputs: int, hidden: int = 32, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, outputs))


def small_cnn(channels: int, classes: int, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(channels, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(32, classes)
    )


def digit_images(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 digits as (N, 1, 8, 8) images scaled to [0, 1], shuffled."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = np.random.default_rng(seed).permutation(len(digits.target))[:n]
    images = (digits.images[order] / 16.0).astype(np.float32)[:, None]
    return images, digits.target[order].astype(np.int64)


def regression_data(n: int = 600, features: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A learnable regression problem with standardised inputs and targets."""
    from sklearn.datasets import make_regression

    x, y = make_regression(n_samples=n, n_features=features, n_informative=5, noise=10.0, random_state=seed)
    x = (x - x.mean(0)) / x.std(0)
    y = (y - y.mean()) / y.std()
    return x.astype(np.float32), y.astype(np.float32)[:, None]
