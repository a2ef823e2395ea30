"""A plain, generic trainer for checkup cases: how well does ``setup()`` train on its own?

It is the benchmark's independent yardstick, not part of nndoctor: it loads the case's
``setup()``, trains a fresh copy with the case's own loss, optimizer and loaders for a fixed
budget (``epochs`` passes, capped at ``max_steps`` optimizer steps), and scores the validation
split with one metric whose higher value is better:

* classification: balanced accuracy (macro recall), so a model that only predicts the
  majority class scores chance; binary and multilabel outputs are thresholded the way the
  case's loss reads them (probabilities at 0.5 for BCELoss, logits at 0 otherwise);
* regression: R^2.

The budget counts steps, never wall time, so a case's metric is the same on an idle and on a
busy machine (seeded; the scorer runs it single-threaded). Non-finite outputs or loss give
``nan`` (diverged). Run as ``python -m benchmarks.faults.trainer CASE.py`` to print one JSON line.
"""
from __future__ import annotations

import json
import math
import sys
import time
from typing import Any

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score, r2_score

EPOCHS = 15
MAX_STEPS = 300


def _flat_outputs(out: torch.Tensor) -> np.ndarray:
    out = out.detach().float()
    if out.dim() > 1 and out.shape[-1] == 1:
        out = out.squeeze(-1)
    return out.cpu().numpy()


def _predict(setup: Any, model: torch.nn.Module, split: str) -> tuple[np.ndarray, np.ndarray]:
    from nndoctor.setup import move_to

    outputs, targets = [], []
    model.eval()
    with torch.no_grad():
        for x, y in setup.batches(split):
            outputs.append(_flat_outputs(model(move_to(x, setup.device))))
            targets.append(y.detach().cpu().numpy())
    return np.concatenate(outputs), np.concatenate(targets)


def split_loss(setup: Any, model: torch.nn.Module, split: str) -> float:
    """The case's own loss on ``split`` in eval mode, averaged over samples (``nan`` if it fails)."""
    from nndoctor.setup import batch_size_of, move_to

    total, count = 0.0, 0
    model.eval()
    try:
        with torch.no_grad():
            for x, y in setup.batches(split):
                n = batch_size_of(x)
                total += float(setup.compute_loss(model(move_to(x, setup.device)), move_to(y, setup.device))) * n
                count += n
    except (RuntimeError, ValueError):
        return math.nan
    return total / count if count else math.nan


def score(setup: Any, model: torch.nn.Module, split: str) -> float:
    """Balanced accuracy (classification) or R^2 (regression) of ``model`` on ``split``."""
    out, y = _predict(setup, model, split)
    if not np.all(np.isfinite(out)):
        return math.nan
    task = setup.task
    probabilities = type(setup.loss).__name__ == "BCELoss"
    threshold = 0.5 if probabilities else 0.0
    if task == "regression":
        return float(r2_score(y.reshape(len(y), -1), out.reshape(len(out), -1)))
    if task == "multilabel":
        y = y.reshape(len(y), -1)
        pred = (out.reshape(len(out), -1) > threshold).astype(int)
        return float(np.mean([balanced_accuracy_score(y[:, j], pred[:, j]) for j in range(y.shape[1])]))
    if y.ndim > 1:  # one-hot targets
        y = y.argmax(axis=1)
    if out.ndim > 1:
        pred = out.argmax(axis=1)
    elif task == "binary":
        pred = (out > threshold).astype(int)
    else:  # one output for several classes: read it as the class index
        pred = np.clip(np.rint(out), y.min(), y.max()).astype(int)
    if task == "binary":
        y = (y > 0).astype(int)  # 0/1 and -1/+1 encodings alike
    return float(balanced_accuracy_score(y.astype(int), pred.astype(int)))


def train_and_score(path: str, epochs: int = EPOCHS, max_steps: int = MAX_STEPS) -> dict[str, Any]:
    """Train the case's setup with a plain loop and return its validation metric and loss trace."""
    from nndoctor.cli import load_setup
    from nndoctor.setup import move_to

    torch.manual_seed(0)
    np.random.seed(0)
    setup = load_setup(path).resolve()
    model = setup.fresh_model()
    optimizer = setup.make_optimizer(model)
    started = time.perf_counter()
    steps, losses, diverged = 0, [], False
    for _ in range(epochs):
        model.train()
        for x, y in setup.batches("train"):
            optimizer.zero_grad()
            loss = setup.compute_loss(model(move_to(x, setup.device)), move_to(y, setup.device))
            value = float(loss.detach())
            losses.append(value)
            if not math.isfinite(value):
                diverged = True
                break
            loss.backward()
            optimizer.step()
            steps += 1
            if steps >= max_steps:
                break
        if diverged or steps >= max_steps:
            break
    split = "val" if setup.val_loader is not None else "train"
    metric = math.nan if diverged else score(setup, model, split)
    loss = math.nan if diverged else split_loss(setup, model, split)
    return {
        "metric": None if math.isnan(metric) else round(metric, 4),
        "val_loss": round(loss, 4) if math.isfinite(loss) else None,
        "diverged": diverged or math.isnan(metric),
        "steps": steps,
        "first_loss": losses[0] if losses else None,
        "last_loss": losses[-1] if losses and math.isfinite(losses[-1]) else None,
        "split": split,
        "task": setup.task,
        "seconds": round(time.perf_counter() - started, 2),
    }


if __name__ == "__main__":
    print(json.dumps(train_and_score(sys.argv[1])))
