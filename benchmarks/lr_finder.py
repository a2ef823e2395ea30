"""Benchmark: how good is the LR nndoctor suggests, next to torch-lr-finder and Lightning?

For each small task (tabular, regression, digits MLP/CNN, GRU; data from scikit-learn or
generated) every method runs its own LR range test from the same initial weights and
suggests an LR. Each suggestion is scored by the validation loss (and the training loss)
after training a fresh copy with that LR for a fixed budget (same steps, batches and seed
for all), against the best LR of a fine grid. fastai is not compared: installing it would replace torch.

Peers are benchmark-only: ``pip install torch-lr-finder lightning`` (never project deps).
Run: ``python -m benchmarks.lr_finder`` (writes benchmarks/results/lr_finder.md).
"""
from __future__ import annotations

import argparse
import logging
import math
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from nndoctor import Setup
from nndoctor.probes.lr_range import RangeConfig, lr_range_test

RESULTS = Path(__file__).parent / "results" / "lr_finder.md"
GRID = np.geomspace(1e-5, 3.0, 23)  # 4 points per decade
TRAIN_STEPS = 300
BATCH = 32
WITHIN = 0.10


@dataclass
class Task:
    name: str
    make_model: Callable[[], nn.Module]
    optimizer: type
    optimizer_kwargs: dict
    loss: nn.Module
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    default_lr: float

    def loader(self, seed: int = 0) -> DataLoader:
        generator = torch.Generator().manual_seed(seed)
        return DataLoader(TensorDataset(self.x_train, self.y_train), batch_size=BATCH, shuffle=True, generator=generator)

    def model(self) -> nn.Module:
        torch.manual_seed(0)
        return self.make_model()

    def make_optimizer(self, params, lr: float) -> torch.optim.Optimizer:
        return self.optimizer(params, lr=lr, **self.optimizer_kwargs)


def _standardise(train: np.ndarray, val: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, std = train.mean(0), train.std(0)
    std[std == 0] = 1.0
    return (train - mean) / std, (val - mean) / std


def _split(x: np.ndarray, y: np.ndarray, seed: int = 0, scale_x: bool = True):
    from sklearn.model_selection import train_test_split

    x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.25, random_state=seed)
    if scale_x:
        x_train, x_val = _standardise(x_train, x_val)
    as_t = lambda a: torch.from_numpy(np.ascontiguousarray(a))  # noqa: E731
    return as_t(x_train.astype(np.float32)), as_t(y_train), as_t(x_val.astype(np.float32)), as_t(y_val)


def _mlp(inputs: int, outputs: int, hidden: int = 64) -> Callable[[], nn.Module]:
    return lambda: nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, outputs))


class _CNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(),
                                  nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 16, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class _GRU(nn.Module):
    def __init__(self, classes: int = 3) -> None:
        super().__init__()
        self.gru = nn.GRU(2, 32, batch_first=True)
        self.head = nn.Linear(32, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.gru(x)[0][:, -1])


def tasks() -> list[Task]:
    from sklearn.datasets import load_breast_cancer, load_digits, make_classification, make_friedman1

    made = []
    x, y = make_classification(n_samples=1600, n_features=20, n_informative=10, n_classes=4, class_sep=1.0, random_state=0)
    data = _split(x, y.astype(np.int64))
    made.append(Task("tabular-4class MLP / Adam", _mlp(20, 4), torch.optim.Adam, {}, nn.CrossEntropyLoss(), *data, 1e-3))
    made.append(Task("tabular-4class MLP / SGD+momentum", _mlp(20, 4), torch.optim.SGD, {"momentum": 0.9}, nn.CrossEntropyLoss(), *data, 1e-2))

    x, y = make_friedman1(n_samples=1600, noise=0.5, random_state=0)
    data = _split(x, ((y - y.mean()) / y.std()).astype(np.float32).reshape(-1, 1))
    made.append(Task("friedman1 regression MLP / Adam", _mlp(10, 1), torch.optim.Adam, {}, nn.MSELoss(), *data, 1e-3))
    made.append(Task("friedman1 regression MLP / SGD", _mlp(10, 1), torch.optim.SGD, {}, nn.MSELoss(), *data, 1e-2))

    cancer = load_breast_cancer()
    data = _split(cancer.data, cancer.target.astype(np.int64))
    made.append(Task("breast-cancer MLP / SGD+momentum", _mlp(30, 2, 32), torch.optim.SGD, {"momentum": 0.9}, nn.CrossEntropyLoss(), *data, 1e-2))

    x, y = make_classification(n_samples=1600, n_features=30, n_informative=8, n_classes=2, flip_y=0.1, random_state=1)
    data = _split(x, y.astype(np.int64))
    made.append(Task("noisy binary MLP / RMSprop", _mlp(30, 2), torch.optim.RMSprop, {}, nn.CrossEntropyLoss(), *data, 1e-2))

    digits = load_digits()
    data = _split(digits.data / 16.0, digits.target.astype(np.int64), scale_x=False)
    made.append(Task("digits MLP / Adam", _mlp(64, 10, 128), torch.optim.Adam, {}, nn.CrossEntropyLoss(), *data, 1e-3))
    images = (digits.data / 8.0 - 1.0).reshape(-1, 1, 8, 8)
    data = _split(images, digits.target.astype(np.int64), scale_x=False)
    made.append(Task("digits CNN / Adam", _CNN, torch.optim.Adam, {}, nn.CrossEntropyLoss(), *data, 1e-3))
    made.append(Task("digits CNN / SGD+momentum", _CNN, torch.optim.SGD, {"momentum": 0.9}, nn.CrossEntropyLoss(), *data, 1e-2))

    rng = np.random.default_rng(0)
    seq = rng.standard_normal((1600, 20, 2)).astype(np.float32)
    drift = seq[:, :, 0].sum(1) - seq[:, :, 1].sum(1)
    labels = np.digitize(drift, np.quantile(drift, [1 / 3, 2 / 3])).astype(np.int64)
    data = _split(seq, labels, scale_x=False)
    made.append(Task("sequences GRU / Adam", _GRU, torch.optim.Adam, {}, nn.CrossEntropyLoss(), *data, 1e-3))
    return made


def train_and_score(task: Task, lr: float | None) -> tuple[float, float]:
    """(train, validation) loss after TRAIN_STEPS steps at ``lr`` from the shared initial weights; inf if it blew up."""
    if lr is None or not math.isfinite(lr) or lr <= 0:
        return math.inf, math.inf
    model = task.model()
    optimizer = task.make_optimizer(model.parameters(), lr)
    loader, step = task.loader(), 0
    model.train()
    while step < TRAIN_STEPS:
        for x, y in loader:
            optimizer.zero_grad()
            loss = task.loss(model(x), y)
            if not torch.isfinite(loss):
                return math.inf, math.inf
            loss.backward()
            optimizer.step()
            step += 1
            if step >= TRAIN_STEPS:
                break
    model.eval()
    with torch.no_grad():
        scores = float(task.loss(model(task.x_train), task.y_train)), float(task.loss(model(task.x_val), task.y_val))
    return tuple(v if math.isfinite(v) else math.inf for v in scores)  # type: ignore[return-value]


# -- the methods ---------------------------------------------------------------------------
def nndoctor_lr(task: Task) -> float | None:
    setup = Setup(model=task.model(), train=task.loader(), loss=task.loss,
                  optimizer=lambda p: task.make_optimizer(p, task.default_lr))
    setup.resolve()
    return lr_range_test(setup, task.model(), RangeConfig(steps=100)).suggestion.lr


def torch_lr_finder_lr(task: Task) -> float | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from torch_lr_finder import LRFinder

    model = task.model()
    finder = LRFinder(model, task.make_optimizer(model.parameters(), 1e-7), task.loss, device="cpu")
    finder.range_test(task.loader(), start_lr=1e-7, end_lr=10, num_iter=100)
    fig, ax = plt.subplots()
    try:
        result = finder.plot(ax=ax, suggest_lr=True)
    finally:
        plt.close(fig)
    return float(result[1]) if isinstance(result, tuple) and result[1] is not None else None


def lightning_lr(task: Task) -> float | None:
    import lightning as L
    from lightning.pytorch.tuner import Tuner

    class Wrapped(L.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.net = task.model()
            self.lr = task.default_lr

        def training_step(self, batch, _):
            x, y = batch
            return task.loss(self.net(x), y)

        def configure_optimizers(self):
            return task.make_optimizer(self.parameters(), self.lr)

    import tempfile

    trainer = L.Trainer(accelerator="cpu", devices=1, max_epochs=1000, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, default_root_dir=tempfile.mkdtemp())
    finder = Tuner(trainer).lr_find(Wrapped(), train_dataloaders=task.loader(), min_lr=1e-7, max_lr=10,
                                    num_training=100, update_attr=False)
    return finder.suggestion() if finder is not None else None


METHODS: dict[str, Callable[[Task], float | None]] = {
    "nndoctor": nndoctor_lr,
    "torch-lr-finder": torch_lr_finder_lr,
    "lightning": lightning_lr,
    "default LR (reference)": lambda task: task.default_lr,
}


def run(selected: list[str] | None = None) -> str:
    logging.getLogger("lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    started = time.perf_counter()
    rows, hits = [], {m: [0, 0] for m in METHODS}
    all_tasks = [t for t in tasks() if not selected or any(s in t.name for s in selected)]
    for task in all_tasks:
        grid = {float(lr): train_and_score(task, float(lr)) for lr in GRID}
        best_val_lr = min(grid, key=lambda lr: grid[lr][1])
        best_train = min(v[0] for v in grid.values())
        best_val = grid[best_val_lr][1]
        cells = [task.name, f"{best_val_lr:.2g}", f"{best_val:.4g}", f"{best_train:.4g}"]
        for method, suggest in METHODS.items():
            try:
                lr, note = suggest(task), ""
            except Exception as exc:  # a peer failing is reported, not fatal
                lr, note = None, f" failed: {type(exc).__name__}"
            train, val = train_and_score(task, lr)
            ok_val, ok_train = val <= (1 + WITHIN) * best_val, train <= (1 + WITHIN) * best_train
            hits[method][0] += ok_val
            hits[method][1] += ok_train
            shown = "none" if lr is None else f"{lr:.2g}"
            cells.append(f"{shown} → {val:.4g}{' ✓' if ok_val else ''} / {train:.4g}{' ✓' if ok_train else ''}{note}")
        rows.append(cells)
        print(" | ".join(cells), flush=True)
    return _markdown(rows, hits, len(all_tasks), time.perf_counter() - started)


def _markdown(rows: list[list[str]], hits: dict[str, list[int]], n: int, elapsed: float) -> str:
    header = ["task", "grid-best LR (val)", "grid-best val loss", "grid-best train loss"] + [f"{m}: LR → val / train loss" for m in METHODS]
    lines = [
        "# LR suggestion benchmark",
        "",
        f"Each method runs its own LR range test (1e-7 → 10, 100 steps, batch {BATCH}) from the same initial",
        f"weights and suggests an LR. Every LR is scored by the validation and training loss after {TRAIN_STEPS}",
        f"training steps (same seed, batches and initial weights), against the best of a {len(GRID)}-point grid",
        f"({GRID[0]:.0e} … {GRID[-1]:g}, 4 per decade). ✓ = within {WITHIN:.0%} of the grid-best loss.",
        "nndoctor's rule: a tenth of the LR at the lowest lag-free smoothed loss (see `suggest_lr`).",
        "torch-lr-finder: its `plot(suggest_lr=True)` steepest-gradient suggestion; Lightning: `Tuner.lr_find().suggestion()`.",
        "fastai's `lr_find` is not compared: `pip install fastai` would replace torch 2.13.0 with another version.",
        f"torch {torch.__version__}, CPU; total runtime {elapsed / 60:.1f} min. Regenerate with `python -m benchmarks.lr_finder`.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += ["", "| method | val loss within 10% of grid best | train loss within 10% of grid best |", "|---|---|---|"]
    lines += [f"| {m} | {hits[m][0]}/{n} | {hits[m][1]}/{n} |" for m in METHODS]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="substrings of task names to run")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    text = run(args.only)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
