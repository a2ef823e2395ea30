"""Shared test helpers: small seeded setups and finding queries."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from torch import nn

import nndoctor
from nndoctor import Report, Severity

# Tiny models train many times faster on one thread than on two contended ones (CI has 2 cores).
torch.set_num_threads(1)


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """The whole suite (`python -m pytest -q`, no paths given) runs on every core when pytest-xdist is
    installed (the `test` extra): one single-threaded worker per core instead of one core idle.

    Whole modules go to one worker (loadscope), so a module-scoped fixture or a module's cached
    script runs are built once. Explicit paths, `-n`, `-p no:xdist` or a missing pytest-xdist keep
    the usual one-process run. Whenever workers run (here or with `-n`), they and the scripts they
    start use one thread per library: a BLAS or OpenMP pool of one thread per core in each worker
    oversubscribes the cores, and its spinning threads slowed single probes from seconds to minutes.
    """
    option = config.option
    if getattr(config, "workerinput", None) is not None or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    whole_suite = getattr(getattr(config, "args_source", None), "name", "") == "TESTPATHS"
    if (getattr(option, "numprocesses", "absent") is None and whole_suite and not option.collectonly
            and not getattr(option, "usepdb", False)):
        option.numprocesses = "auto"
        if option.dist == "no":
            option.dist = "loadscope"
    if getattr(option, "numprocesses", None) not in (None, 0, "0"):
        for pool in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(pool, "1")


def codes(report: Report, at_least: str = "warning") -> set[str]:
    """Codes of the findings at or above a severity."""
    return {f.code for f in report.at_least(Severity(at_least))}


def blobs(n: int = 600, features: int = 10, classes: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A learnable, standardised multi-class tabular problem."""
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=n, n_features=features, n_informative=min(features, 6), n_redundant=0,
        n_classes=classes, n_clusters_per_class=1, class_sep=1.5, random_state=seed,
    )
    x = (x - x.mean(0)) / x.std(0)
    return x.astype(np.float32), y.astype(np.int64)


def mlp(inputs: int, outputs: int, hidden: int = 64, final: nn.Module | None = None, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    layers: list[nn.Module] = [nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, outputs)]
    if final is not None:
        layers.append(final)
    return nn.Sequential(*layers)


@pytest.fixture
def healthy_classification() -> nndoctor.Setup:
    x, y = blobs()
    return nndoctor.Setup(
        model=mlp(10, 3), train=(x[:480], y[:480]), val=(x[480:], y[480:]),
        loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=32,
    )
