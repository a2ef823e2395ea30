"""Look at the data and the predictions: the batch as the model sees it, predictions, baselines,
bias/variance and the spread of the metric.

:func:`look` measures; it returns a JSON-able dict (``report.extra["look"]``) and the
:class:`~nndoctor.verdicts.baselines.BaselineComparison` the G606 verdict reads. Every step is
budgeted in samples and steps and seeded, so the same setup gives the same numbers. The
caller guards the user's model and RNG (checkup runs it inside ``untouched``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from ..rng import preserved_rng, seed_everything
from ..setup import Setup, input_padding, move_to
from ..verdicts.baselines import BaselineComparison
from .baselines import (
    balanced_standard_error,
    class_scores,
    linear_baseline,
    prior_baseline,
    standard_error,
)
from .batch import (
    batch_view,
    class_counts,
    class_labels_of,
    image_for_display,
    input_kind,
)
from .biasvar import bias_variance
from .predict import Outputs, collect, probability_scores, summarise
from .spread import RUNS, SUBSET, pool_of, spread, take, train_copy

Batch = tuple[Any, torch.Tensor]


@dataclass
class LookConfig:
    """Budget of the look, in batches and steps (seeded; never in seconds).

    ``train_batches``: the pool of training samples baselines are fitted on and spread runs draw
    from; ``val_batches``: the validation samples everything is scored on; ``steps``: each spread
    run and the zeroed-input run train this many steps (the trial's length when a trial ran, at
    most ``max_steps``); ``spread=False`` skips the re-runs (the cost of ``runs`` short trainings).
    """

    train_batches: int = 32
    val_batches: int = 16
    steps: int = 200
    max_steps: int = 400
    runs: int = RUNS
    spread: bool = True
    dynamics_samples: int = 16
    dynamics_points: int = 8
    decode: Callable[[list[int]], str] | None = None


def _batches(setup: Setup, split: str, limit: int) -> list[Batch]:
    return [(move_to(x, setup.device), move_to(y, setup.device)) for x, y in setup.batches(split, limit=limit)]


def _flat(x: Any) -> np.ndarray | None:
    """Float tabular rows, images and fixed-length float sequences (signals, windows of a series), flattened per
    sample; None for tokens and dicts. A linear model on every time step's features is the classic baseline for a
    window of a series (an autoregression), as it is on every pixel of an image."""
    kind = input_kind(x)
    if kind not in ("tabular", "image", "sequence"):
        return None
    return x.detach().float().reshape(x.shape[0], -1).cpu().numpy()


def _metric(outputs: Outputs | None) -> tuple[str, float | None]:
    if outputs is None:
        return "accuracy", None
    if outputs.kind == "classes":
        return "accuracy", float(np.mean(outputs.predicted == outputs.truth))
    return "mse", float(np.mean((outputs.predicted - outputs.truth) ** 2))


def _error(metric: str, value: float | None) -> float | None:
    return None if value is None else (1.0 - value if metric == "accuracy" else value)


def look(setup: Setup, model: nn.Module | None = None, steps: int | None = None,
         config: LookConfig | None = None) -> tuple[dict[str, Any], BaselineComparison | None]:
    """Measure everything the look shows; ``model`` is the trained copy (the trial's), or None.

    Returns the JSON-able look and the baseline comparison (None without a trained model or
    validation data). Sections that cannot be measured carry a ``note`` saying why. Seeded
    with ``setup.seed``; the global RNG states are put back afterwards.
    """
    with preserved_rng():
        seed_everything(setup.seed)
        return _look(setup, model, steps, config or LookConfig())


def _look(setup: Setup, model: nn.Module | None, steps: int | None,
          config: LookConfig) -> tuple[dict[str, Any], BaselineComparison | None]:
    setup.resolve()
    train = _batches(setup, "train", config.train_batches)
    val = _batches(setup, "val", config.val_batches)
    test = _batches(setup, "test", config.val_batches) if getattr(setup, "test_loader", None) is not None else []
    x0, y0 = train[0]
    out: dict[str, Any] = {"batch": batch_view(x0, y0, config.decode), "notes": []}
    padding = input_padding(setup.model)
    pool = pool_of(train, padding)
    val_pool = pool_of(val, padding) if val else None
    train_ids = class_labels_of(pool[1], setup.task)
    val_ids = class_labels_of(val_pool[1], setup.task) if val_pool is not None else None
    out["class_counts"] = class_counts(train_ids, val_ids, setup.ignore_index)
    if model is None:
        out["notes"].append("no trained model (the trial did not run): predictions, baselines, bias/variance "
                            "and spread are not measured")
        return out, None
    scored = val or train
    scored_pool = val_pool if val_pool is not None else pool
    outputs = collect(setup, model, scored)
    if outputs is None:
        out["notes"].append("the model's outputs are not class scores or values nndoctor can read as predictions")
        return out, None
    out["predictions"] = summarise(outputs)
    out["predictions"]["split"] = "val" if val else "train"
    _attach_samples(out["predictions"], scored_pool[0], config.decode)
    metric, network = _metric(outputs)
    steps = min(int(steps or config.steps), config.max_steps)
    out["bias_variance"] = _bias_variance(setup, model, train, val, test, metric, network)
    if not val:
        out["notes"].append("no validation data: baselines and spread are scored on validation samples, so they are skipped")
        return out, None
    baselines, comparison = _baselines(setup, pool, val_pool, outputs, metric, network, steps)
    out["baselines"] = baselines
    if config.spread:
        out["spread"] = _spread(setup, pool, val, metric, steps, config)
        if out["spread"]["std"] is not None:
            comparison.spread = out["spread"]["std"]
    return out, comparison


def _attach_samples(predictions: dict[str, Any], x: Any, decode: Callable[[list[int]], str] | None) -> None:
    """Images (or token text) of the samples listed as the worst, for the report to show."""
    kind = input_kind(x)
    for key in ("highest_loss", "confident_mistakes"):
        for row in predictions.get(key, []):
            if kind == "image":
                row["image"] = image_for_display(x[row["sample"]]).round(3).tolist()
            elif kind == "tokens":
                ids = x[row["sample"]].cpu().tolist()
                row["text"] = decode(ids) if decode is not None else " ".join(map(str, ids))


def _bias_variance(setup: Setup, model: nn.Module, train: list[Batch], val: list[Batch], test: list[Batch],
                   metric: str, network: float | None) -> dict[str, Any]:
    train_metric = _metric(collect(setup, model, train))[1]
    test_metric = _metric(collect(setup, model, test))[1] if test else None
    unit = "error rate (1 - accuracy)" if metric == "accuracy" else "mean squared error"
    return bias_variance(_error(metric, train_metric), _error(metric, network) if val else None,
                         _error(metric, test_metric), getattr(setup, "target_error", None), unit)


def _baselines(setup: Setup, pool: Batch, val_pool: Batch, outputs: Outputs, metric: str, network: float,
               steps: int) -> tuple[dict[str, Any], BaselineComparison]:
    """Prior, linear and zeroed-input baselines next to the network, scored on the same samples."""
    classes = metric == "accuracy"
    y_train = class_labels_of(pool[1], setup.task) if classes else pool[1].float().cpu().numpy()
    y_val = outputs.truth if classes else val_pool[1].float().cpu().numpy()
    if classes:
        y_train = y_train[y_train != setup.ignore_index]
    rows = [prior_baseline(y_train, y_val, classes)]
    flat_ok = setup.task in ("binary", "multiclass", "regression")
    x_train, x_val = (_flat(pool[0]), _flat(val_pool[0])) if flat_ok else (None, None)
    why_not = None if flat_ok else f"a {setup.task} task's inputs are not flat features"
    if x_train is not None and x_val is not None and (len(x_train) != len(y_train) or len(x_val) != len(y_val)):
        x_train = x_val = None
        why_not = "the targets are one per position (a mask or a sequence), not one per sample"
    if x_train is not None and x_val is not None and x_train.shape[1] != x_val.shape[1]:
        x_train = x_val = None
        why_not = "the training and validation samples differ in length, so they have no common flat features"
    if not classes and x_train is not None and _reconstructs(x_train, y_train):
        x_train = x_val = None
        why_not = ("the targets are the inputs: a linear map copies them exactly, which a network that must pass "
                   "them through a narrower code is not meant to match")
    rows.append(linear_baseline(x_train, y_train, x_val, y_val, classes, why_not))
    rows.append(_zeroed(setup, pool, val_pool, steps))
    residuals = (outputs.predicted - outputs.truth) ** 2 if not classes else None
    se = standard_error(metric, network, residuals, len(outputs.truth))
    if classes and _thresholds_only(outputs):  # plain accuracy: the network trades none of it for recall
        comparison = BaselineComparison(metric="accuracy", network=network, baselines=[
            (r["name"], r["value"]) for r in rows if r.get("value") is not None], standard_error=se,
            samples=len(outputs.truth))
    elif classes:  # compared by balanced accuracy: weighting rare classes on purpose is not losing to the prior
        mine = class_scores("network", outputs.truth, outputs.predicted)["balanced_accuracy"]
        comparison = BaselineComparison(metric="balanced accuracy", network=mine, baselines=[
            (r["name"], r["balanced_accuracy"]) for r in rows if r.get("balanced_accuracy") is not None],
            standard_error=balanced_standard_error(outputs.truth, outputs.predicted), samples=len(outputs.truth))
    else:
        comparison = BaselineComparison(metric=metric, network=network, baselines=[
            (r["name"], r["value"]) for r in rows if r.get("value") is not None], standard_error=se,
            samples=len(outputs.truth), target_variance=float(np.var(y_val)) if len(y_val) else None)
    return {"metric": metric, "network": network, "standard_error": se, "rows": rows}, comparison


def _thresholds_only(outputs: Outputs) -> bool:
    """The network never predicts some class, yet its probabilities serve each such class (G603's
    ``probabilities_serve``: a calibrated share and an ROC AUC of 0.7 or more), as a calibrated model of
    overlapping classes does. Balanced accuracy then compares where each model's argmax falls, not the models:
    a baseline that names a rare class for a few rows gains recall the network's probabilities already carry.
    Plain accuracy compares them, as it does a network that weights no class."""
    from ..verdicts.curves import probabilities_serve

    p, truth = outputs.probabilities, outputs.truth
    scored = probability_scores(truth, p) if p is not None else None
    if scored is None:
        return False
    classes, counts = np.unique(truth, return_counts=True)
    never = [int(c) for c in classes if not np.any(outputs.predicted == c)]
    support = {int(c): int(n) for c, n in zip(classes, counts)}
    return bool(never) and probabilities_serve(never, support, *scored)


def _reconstructs(x: np.ndarray, y: np.ndarray) -> bool:
    """The regression targets are the flat inputs themselves (an autoencoder): ridge regression's best map is the identity."""
    y = y.reshape(len(y), -1)
    return x.shape == y.shape and bool(np.allclose(x, y))


def _zeroed(setup: Setup, pool: Batch, val_pool: Batch, steps: int) -> dict[str, Any]:
    """The network trained ``steps`` steps and scored on zeroed inputs: what it gets without the data."""
    name = "network on zeroed inputs"
    if not isinstance(pool[0], torch.Tensor):
        return {"name": name, "value": None, "note": "the inputs are not one tensor"}
    zero = torch.zeros_like
    model = train_copy(setup, pool, steps, setup.seed, transform=zero)
    outputs = collect(setup, model, [(zero(val_pool[0]), val_pool[1])])
    metric, value = _metric(outputs)
    if outputs is not None and outputs.kind == "classes":
        return {**class_scores(name, outputs.truth, outputs.predicted), "steps": steps}
    return {"name": name, "metric": metric, "value": value, "steps": steps}


def _spread(setup: Setup, pool: Batch, val: list[Batch], metric: str, steps: int, config: LookConfig) -> dict[str, Any]:
    """The metric over ``config.runs`` runs on re-drawn subsets and seeds, equal steps; the
    first run also records the predictions of fixed validation samples along training."""
    fixed_x, fixed_y = val[0]
    first = torch.arange(min(config.dynamics_samples, int(fixed_y.shape[0])))
    fixed = (take(fixed_x, first), fixed_y[first.to(fixed_y.device)])
    every = max(1, steps // config.dynamics_points)
    dynamics: dict[str, Any] = {"steps": [], "predicted": [], "true": None}

    def record(step: int, model: nn.Module) -> None:
        if step % every == 0 or step == steps:
            got = collect(setup, model, [fixed])
            if got is not None:
                dynamics["steps"].append(step)
                dynamics["predicted"].append(np.round(got.predicted, 4).tolist())
                dynamics["true"] = np.round(got.truth, 4).tolist()

    values = []
    for run in range(config.runs):
        model = train_copy(setup, pool, steps, setup.seed + 1 + run, subset=SUBSET, on_step=record if run == 0 else None)
        values.append(_metric(collect(setup, model, val))[1])
    result = spread(values)
    result.update(metric=metric, steps=steps, runs=config.runs, subset=SUBSET, dynamics=dynamics)
    return result
