"""Figures of the report's look section (``report.extra["look"]``), as inline base64 PNGs.

Drawn with matplotlib's object API (no pyplot state, Agg canvas) from the JSON-able look,
so a saved JSON report renders the same pictures. Each function returns ``(title, caption,
data URI)`` or None when its part of the look is absent; labels are drawn as text inside the
image, never as markup.
"""
from __future__ import annotations

import base64
import io
import math
from typing import Any

import numpy as np
from matplotlib.figure import Figure

Picture = tuple[str, str, str]


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _grid(n: int, cols: int = 8) -> tuple[int, int]:
    cols = max(1, min(cols, n))
    return math.ceil(n / cols), cols


def _images(images: list[Any], titles: list[str], cols: int = 8) -> str:
    """One mosaic of equally sized images (one axes, so drawing stays cheap), a title over each tile."""
    arrays = [np.asarray(image, dtype=float) for image in images]
    colour = any(a.ndim == 3 for a in arrays)
    arrays = [np.repeat(a[..., None], 3, axis=-1) if colour and a.ndim == 2 else a[..., :3] if colour else a
              for a in arrays]
    h = max(a.shape[0] for a in arrays)
    w = max(a.shape[1] for a in arrays)
    rows, cols = _grid(len(arrays), cols)
    gap_h, gap_w = max(1, h // 3), max(1, w // 8)
    shape = (rows * (h + gap_h), cols * (w + gap_w)) + ((3,) if colour else ())
    mosaic = np.ones(shape)
    for i, a in enumerate(arrays):
        r, c = divmod(i, cols)
        top, left = r * (h + gap_h) + gap_h, c * (w + gap_w)
        mosaic[top:top + a.shape[0], left:left + a.shape[1]] = a
    fig = Figure(figsize=(1.2 * cols, 1.35 * rows))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(mosaic, cmap=None if colour else "gray", vmin=0, vmax=1, interpolation="nearest")
    for i, title in enumerate(titles):
        r, c = divmod(i, cols)
        ax.text(c * (w + gap_w) + w / 2, r * (h + gap_h) + gap_h * 0.45, title, ha="center", va="center", fontsize=8)
    ax.set_axis_off()
    return _png(fig)


def batch_picture(batch: dict[str, Any]) -> Picture | None:
    """The training batch as the model sees it: images, sequences or per-feature histograms."""
    kind, labels = batch.get("kind"), batch.get("labels", [])
    if kind == "image":
        lo, hi = batch.get("range", [0, 0])
        caption = (f"First {len(labels)} training samples after all preprocessing, label above each; values run "
                   f"{lo:.3g} to {hi:.3g}, stretched to black..white for display only.")
        return "The batch as the model sees it", caption, _images(batch["images"], [f"y={t}" for t in labels])
    if kind == "sequence":
        series = batch["series"]
        rows, cols = _grid(len(series), 4)
        fig = Figure(figsize=(2.6 * cols, 1.7 * rows))
        fig.subplots_adjust(hspace=0.7, wspace=0.3)
        for i, (s, label) in enumerate(zip(series, labels)):
            ax = fig.add_subplot(rows, cols, i + 1)
            ax.plot(np.asarray(s, dtype=float), lw=0.8)
            ax.set_title(f"y={label}", fontsize=8)
            ax.tick_params(labelsize=6)
        return ("The batch as the model sees it", "Each sample's features along its time axis, label above each.", _png(fig))
    if kind == "tabular" and batch.get("histograms"):
        hists = batch["histograms"]
        rows, cols = _grid(len(hists), 4)
        fig = Figure(figsize=(2.6 * cols, 1.9 * rows))
        fig.subplots_adjust(hspace=0.7, wspace=0.3)
        for i, h in enumerate(hists):
            ax = fig.add_subplot(rows, cols, i + 1)
            edges = np.asarray(h["edges"], dtype=float)
            ax.bar(edges[:-1], h["counts"], width=np.diff(edges), align="edge", color="#0969da")
            ax.set_title(f"feature {h['feature']}", fontsize=8)
            ax.tick_params(labelsize=6)
        return ("Feature histograms", "Per-feature histograms of the pooled training sample, after preprocessing.", _png(fig))
    return None


def counts_picture(counts: dict[str, Any] | None) -> Picture | None:
    """Class counts, train next to validation."""
    if not counts or not counts.get("classes"):
        return None
    classes = counts["classes"]
    x = np.arange(len(classes))
    fig = Figure(figsize=(min(10, 1 + 0.45 * len(classes)), 2.6))
    ax = fig.add_subplot(1, 1, 1)
    train = np.asarray(counts["train"], dtype=float)
    ax.bar(x - 0.2, train / max(train.sum(), 1), width=0.4, label=f"train ({int(train.sum())})", color="#0969da")
    if counts.get("val") is not None:
        val = np.asarray(counts["val"], dtype=float)
        ax.bar(x + 0.2, val / max(val.sum(), 1), width=0.4, label=f"val ({int(val.sum())})", color="#d4a72c")
    ax.set_xticks(x[:: max(1, len(x) // 30)], [str(c) for c in classes][:: max(1, len(x) // 30)], fontsize=7)
    ax.set_ylabel("share")
    ax.legend(fontsize=8)
    return "Class counts", "Share of each class in the sampled training and validation batches.", _png(fig)


def confusion_picture(pred: dict[str, Any]) -> Picture | None:
    """The confusion matrix (rows true, columns predicted), counts in the cells when it is small."""
    if pred.get("kind") != "classes":
        return None
    matrix = np.asarray(pred["confusion"], dtype=float)
    labels = pred["labels"]
    side = min(9, 2 + 0.4 * len(labels))
    fig = Figure(figsize=(side, side * 0.85))
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax, shrink=0.8)
    if len(labels) <= 20:
        ticks = np.arange(len(labels))
        ax.set_xticks(ticks, [str(c) for c in labels], fontsize=7)
        ax.set_yticks(ticks, [str(c) for c in labels], fontsize=7)
        for (i, j), value in np.ndenumerate(matrix):
            if value:
                ax.text(j, i, f"{int(value)}", ha="center", va="center", fontsize=6,
                        color="white" if value > matrix.max() / 2 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    caption = (f"Trained copy on {pred['samples']} {pred.get('split', 'val')} samples "
               f"(accuracy {pred['accuracy']:.3f}); computed by scikit-learn"
               + (f"; rows and columns: {pred['classes_shown']}." if pred.get("classes_shown") else "."))
    return "Confusion matrix", caption, _png(fig)


def regression_picture(pred: dict[str, Any]) -> Picture | None:
    """Predicted vs true, and the residuals' histogram."""
    if pred.get("kind") != "regression":
        return None
    p, t = np.asarray(pred["predicted"], dtype=float), np.asarray(pred["true"], dtype=float)
    fig = Figure(figsize=(8, 3.2))
    ax = fig.add_subplot(1, 2, 1)
    ax.scatter(t, p, s=6, alpha=0.6)
    lo, hi = float(min(t.min(), p.min())), float(max(t.max(), p.max()))
    ax.plot([lo, hi], [lo, hi], color="#cf222e", lw=1)
    ax.set_xlabel("true")
    ax.set_ylabel("predicted")
    ax2 = fig.add_subplot(1, 2, 2)
    ax2.hist(p - t, bins=30, color="#0969da")
    ax2.set_xlabel("residual (predicted - true)")
    caption = (f"Trained copy on {pred['samples']} {pred.get('split', 'val')} samples: MSE "
               f"{pred['mse']:.4g}, residuals mean {pred['residual_mean']:.3g} ± {pred['residual_std']:.3g}.")
    return "Predicted vs true", caption, _png(fig)


def worst_picture(pred: dict[str, Any], key: str, title: str) -> Picture | None:
    """Images of the worst samples with predicted vs true label."""
    rows = [r for r in pred.get(key, []) if "image" in r]
    if not rows:
        return None
    return (title, "Predicted (p) vs true (t) label of each sample.",
            _images([r["image"] for r in rows], [f"p={r['predicted']} t={r['true']}" for r in rows]))


def dynamics_picture(spread: dict[str, Any] | None) -> Picture | None:
    """The predictions of fixed validation samples along the first spread run."""
    dyn = (spread or {}).get("dynamics") or {}
    if not dyn.get("steps") or dyn.get("true") is None:
        return None
    matrix = np.asarray(dyn["predicted"], dtype=float).T  # samples x checkpoints
    truth = np.asarray(dyn["true"], dtype=float)
    fig = Figure(figsize=(7, 0.25 * len(truth) + 1.2))
    ax = fig.add_subplot(1, 1, 1)
    if spread.get("metric") == "accuracy":
        correct = (matrix == truth[:, None]).astype(float)
        ax.imshow(correct, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
        for (i, j), value in np.ndenumerate(matrix):
            ax.text(j, i, f"{int(value)}", ha="center", va="center", fontsize=6)
        caption = "Predicted class of fixed validation samples (rows) along training (columns): green right, red wrong."
    else:
        ax.imshow(matrix - truth[:, None], cmap="coolwarm", aspect="auto")
        caption = "Residual of fixed validation samples (rows) along training (columns)."
    ax.set_xticks(range(len(dyn["steps"])), [str(s) for s in dyn["steps"]], fontsize=7)
    ax.set_xlabel("step")
    ax.set_ylabel("sample")
    return "Prediction dynamics", caption, _png(fig)


def spread_picture(spread: dict[str, Any] | None) -> Picture | None:
    """Each re-run's metric with the mean ± one standard deviation."""
    if not spread or spread.get("std") is None:
        return None
    values = np.asarray([v for v in spread["values"] if v is not None], dtype=float)
    fig = Figure(figsize=(5, 1.8))
    ax = fig.add_subplot(1, 1, 1)
    ax.axvspan(spread["mean"] - spread["std"], spread["mean"] + spread["std"], color="#ddf4ff")
    ax.scatter(values, np.zeros_like(values), color="#0969da", zorder=3)
    ax.axvline(spread["mean"], color="#0969da", lw=1)
    ax.set_yticks([])
    ax.set_xlabel(f"validation {spread['metric']}")
    caption = (f"{spread['runs']} runs of {spread['steps']} steps, each on a re-drawn {spread['subset']:.0%} subset "
               f"with its own seed: mean {spread['mean']:.4g}, std {spread['std']:.3g}. "
               "A difference smaller than this is not a difference.")
    return "Spread over re-runs", caption, _png(fig)


def look_pictures(look: dict[str, Any]) -> list[Picture]:
    """Every picture the look supports, in reading order (batch, counts, predictions, spread)."""
    pred = look.get("predictions") or {}
    found = [batch_picture(look.get("batch") or {}), counts_picture(look.get("class_counts")),
             confusion_picture(pred), regression_picture(pred),
             worst_picture(pred, "highest_loss", "Highest-loss validation samples"),
             worst_picture(pred, "confident_mistakes", "Most confident mistakes"),
             dynamics_picture(look.get("spread")), spread_picture(look.get("spread"))]
    return [p for p in found if p is not None]
