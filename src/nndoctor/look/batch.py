"""The batch as the model sees it: samples decoded by kind, labels, class counts.

Pure functions of tensors already taken from the loaders (after all preprocessing): they
decide how a sample is best shown (image, sequence, token ids, tabular row) and return
plain lists a renderer draws; nothing here touches a model or a loader.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch

# At most this many samples in the grid: enough to see the data, small enough to read.
GRID_SAMPLES = 16
# Tabular rows shown as a table, and features given a histogram.
TABLE_ROWS = 8
TABLE_COLUMNS = 12
HISTOGRAM_FEATURES = 8
HISTOGRAM_BINS = 12
# Image channels a picture can show (grey, RGB, RGBA).
IMAGE_CHANNELS = (1, 3, 4)
# Images are subsampled to at most this many pixels a side for the report (display only).
DISPLAY_SIDE = 64


def input_kind(x: Any) -> str:
    """How one batch of inputs is shown: image, tokens, sequence, tabular, or other.

    Integer 2-D inputs are token ids; float ``(N, C, H, W)`` / ``(N, H, W, C)`` with 1, 3 or 4
    channels (or ``(N, H, W)`` with both sides >= 4) are images; float ``(N, T, F)`` are
    sequences; float ``(N, F)`` are tabular rows.
    """
    if not isinstance(x, torch.Tensor) or x.dim() < 2:
        return "other"
    if not x.is_floating_point():
        return "tokens" if x.dim() == 2 else "other"
    if x.dim() == 4 and (x.shape[1] in IMAGE_CHANNELS or x.shape[-1] in IMAGE_CHANNELS):
        return "image"
    if x.dim() == 3:
        return "sequence"
    if x.dim() == 2:
        return "tabular"
    return "other"


def image_for_display(sample: torch.Tensor) -> np.ndarray:
    """One image as (H, W) or (H, W, C) in 0..1: channels-first or -last, any scale, min-max
    stretched for display only (what the model sees is unchanged)."""
    arr = sample.detach().float().cpu().numpy()
    if arr.ndim == 3:
        arr = arr.transpose(1, 2, 0) if arr.shape[0] in IMAGE_CHANNELS and arr.shape[-1] not in IMAGE_CHANNELS else arr
        if arr.shape[-1] == 1:
            arr = arr[..., 0]
    stride = max(1, -(-max(arr.shape[:2]) // DISPLAY_SIDE))
    arr = arr[::stride, ::stride]
    low, high = float(np.nanmin(arr)), float(np.nanmax(arr))
    return (arr - low) / (high - low) if high > low else np.zeros_like(arr)


def _label_text(y: torch.Tensor, index: int) -> str:
    """The label of sample ``index``: a class id, a one-hot's argmax or a value/vector."""
    row = y[index]
    if row.dim() == 0:
        value = row.item()
        return str(int(value)) if not row.is_floating_point() or float(value).is_integer() else f"{value:.3g}"
    if row.is_floating_point() and row.dim() == 1 and row.numel() > 1 and bool(((row == 0) | (row == 1)).all()) \
            and float(row.sum()) == 1.0:
        return str(int(row.argmax()))
    flat = row.reshape(-1)
    shown = ", ".join(f"{float(v):.3g}" if row.is_floating_point() else str(int(v)) for v in flat[:6])
    return f"[{shown}{', …' if flat.numel() > 6 else ''}]"


def batch_view(x: Any, y: torch.Tensor, decode: Callable[[list[int]], str] | None = None,
               samples: int = GRID_SAMPLES) -> dict[str, Any]:
    """A JSON-able view of the first ``samples`` samples of one batch, decoded by kind.

    ``decode`` turns one row of token ids into text (e.g. a tokenizer's ``decode``); without
    it token ids are shown as ids. Images carry their display arrays as nested lists.
    """
    kind = input_kind(x)
    n = min(samples, int(y.shape[0]) if y.dim() else 1)
    view: dict[str, Any] = {"kind": kind, "shape": _shape(x), "labels": [_label_text(y, i) for i in range(n)]}
    if kind == "image":
        view["images"] = [image_for_display(x[i]).round(3).tolist() for i in range(n)]
        view["range"] = [float(x.min()), float(x.max())]
    elif kind == "tokens":
        rows = x[:n].cpu().tolist()
        view["rows"] = [decode(r) if decode is not None else " ".join(map(str, r)) for r in rows]
        view["decoded"] = decode is not None
    elif kind == "sequence":
        view["series"] = x[:n].detach().float().cpu().numpy().round(4).tolist()
    elif kind == "tabular":
        data = x.detach().float().cpu().numpy()
        view["table"] = data[:TABLE_ROWS, :TABLE_COLUMNS].round(4).tolist()
        view["features"] = int(data.shape[1])
        view["histograms"] = [_histogram(data[:, j], j) for j in range(min(HISTOGRAM_FEATURES, data.shape[1]))]
    return view


def _histogram(values: np.ndarray, feature: int) -> dict[str, Any]:
    counts, edges = np.histogram(values[np.isfinite(values)], bins=HISTOGRAM_BINS)
    return {"feature": feature, "counts": counts.tolist(), "edges": edges.round(5).tolist()}


def _shape(x: Any) -> Any:
    if isinstance(x, torch.Tensor):
        return list(x.shape)
    if isinstance(x, Mapping):
        return {str(k): _shape(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_shape(v) for v in x]
    return type(x).__name__


def class_labels_of(y: torch.Tensor, task: str) -> np.ndarray | None:
    """Integer class ids of classification targets (one-hot argmax'd, sequences flattened), else None."""
    if task not in ("binary", "multiclass", "sequence"):
        return None
    if y.is_floating_point():
        if task == "multiclass" and y.dim() == 2:
            return y.argmax(dim=1).cpu().numpy()
        if task == "binary":
            return (y.reshape(-1) > 0.5).long().cpu().numpy()
        return None
    return y.reshape(-1).cpu().numpy().astype(np.int64)


def class_counts(train: np.ndarray | None, val: np.ndarray | None, ignore_index: int = -100) -> dict[str, Any] | None:
    """Counts per class, train next to validation (ignored positions left out)."""
    if train is None:
        return None
    train = train[train != ignore_index]
    val = val[val != ignore_index] if val is not None else None
    classes = sorted(set(np.unique(train).tolist()) | (set(np.unique(val).tolist()) if val is not None else set()))
    return {
        "classes": [int(c) for c in classes],
        "train": [int((train == c).sum()) for c in classes],
        "val": [int((val == c).sum()) for c in classes] if val is not None else None,
    }
