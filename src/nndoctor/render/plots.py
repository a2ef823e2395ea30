"""Figures for the HTML report, drawn with matplotlib (Agg) from ``report.telemetry``.

Each figure is drawn only when its telemetry key is present; a missing key means no plot,
and a malformed one becomes a short note in the report instead of a crash. Lists may be
Python lists or numpy arrays; non-finite numbers (NaN, Inf, or the strings "nan"/"inf"
that ``jsonable`` writes) are allowed and drawn as gaps.

Telemetry keys read (what the producers should write):

``"loss_curve"``
    ``{"step": [int], "train": [float], "val_step": [int], "val": [float],
    "events": [{"step": int, "code": str}]}`` — the loss per recorded optimizer step, the
    validation loss at the steps it was measured, and the steps where a problem began
    (e.g. the first NaN, the step the divergence started), drawn as marked vertical lines.
    ``val_step``, ``val`` and ``events`` are optional.
``"lr_range"``
    ``{"lrs": [float], "losses": [float], "suggested_lr": float, "user_lr": float}`` — the
    learning-rate range test; ``suggested_lr`` and ``user_lr`` are optional (``suggestion``
    is accepted as another name for ``suggested_lr``).
``"grad_norms"``
    ``{"steps": [int], "layers": [str], "values": [[float]]}`` — ``values[i][j]`` is the
    gradient norm of layer ``j`` at ``steps[i]`` (one row per recorded step). Drawn as a
    heatmap of log10 values, layers down, steps across.
``"activations"``
    ``{"steps": [int], "layers": [str], "mean": [[float]], "std": [[float]]}`` — the same
    layout, with the mean and standard deviation of each layer's output.
``"dead_share"`` and ``"saturated_share"``
    ``{"steps": [int], "layers": [str], "values": [[float]]}`` — share (0..1) of dead ReLU /
    saturated sigmoid-tanh units per layer over steps, same layout.
``"data_audit"``
    ``{"feature_std": [float], "feature_mean": [float], "feature_names": [str],
    "class_shares": {class: share}, "overlap_share": float, "duplicate_share": float}`` —
    every key optional; ``feature_names`` defaults to the column index.

A matrix given layer-major (``values[j][i]``) instead is transposed when its shape says so.
``normalise`` also maps the blocks today's probes write onto these keys: ``"trial"``
(probes/trial.py: ``step_losses``, ``eval_steps``, ``val_loss``, ``grad_norms`` as
{param: [per step]}, ``diverged_step``) fills ``loss_curve`` and ``grad_norms`` when those
are absent, and an ``lr_range`` ``suggestion`` given as a dict contributes its ``lr``.
A watch summary (``"mode": "watch"``, from ``watch/telemetry.py``: ``step_losses`` at
``step_loss_steps``, ``val_loss``/``scored_val_loss``, ``grad_norms`` as {param: [norm per
sampled step]} at ``grad_steps``, ``dead_share``/``saturated_share`` as {layer: [[step,
share]]}) is mapped onto ``loss_curve``, ``grad_norms``, ``dead_share`` and
``saturated_share``, replacing its own differently shaped series of those names.

Figures are built as ``matplotlib.figure.Figure`` objects and saved without pyplot, so no
GUI backend is needed and a notebook's own backend is never switched.
"""
from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import matplotlib
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure as MplFigure

PALETTE = {"train": "#2563eb", "val": "#ea580c", "event": "#dc2626", "suggest": "#16a34a", "user": "#7c3aed"}
STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "svg.fonttype": "path",
}


@dataclass
class Figure:
    """One rendered plot: ``key`` is its telemetry key, ``src`` a data: URI (SVG) or None."""

    key: str
    title: str
    caption: str
    src: str | None = None
    error: str | None = None


def _floats(values: Any) -> np.ndarray:
    """A float array; None and the strings "nan"/"inf" written by ``jsonable`` become numbers."""
    def one(v: Any) -> float:
        if v is None:
            return math.nan
        return float(v)

    arr = np.asarray(values, dtype=object)
    return np.vectorize(one, otypes=[float])(arr) if arr.size else np.zeros(arr.shape, dtype=float)


def _matrix(block: dict[str, Any], name: str = "values") -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(steps, layers x steps matrix, layer names) from a steps/layers/values block."""
    steps = _floats(block["steps"])
    layers = [str(layer) for layer in block["layers"]]
    matrix = _floats(block[name])
    if matrix.ndim != 2:
        raise ValueError(f"{name!r} must be a 2-D list, got shape {matrix.shape}")
    if matrix.shape == (len(steps), len(layers)):
        matrix = matrix.T
    elif matrix.shape != (len(layers), len(steps)):
        raise ValueError(f"{name!r} has shape {matrix.shape}; expected (steps={len(steps)}, layers={len(layers)})")
    return steps, matrix, layers


def _to_uri(fig: MplFigure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _new(width: float = 7.0, height: float = 3.0, cols: int = 1) -> tuple[MplFigure, Any]:
    fig = MplFigure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, cols, squeeze=False)[0]
    return fig, axes


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _ticks(ax: Any, labels: Sequence[str], axis: str = "y") -> None:
    positions = np.arange(len(labels))
    step = max(1, math.ceil(len(labels) / 24))
    shown = positions[::step]
    texts = [_short(labels[i]) for i in shown]
    if axis == "y":
        ax.set_yticks(shown, texts)
    else:
        rotate = max((len(t) for t in texts), default=0) > 3
        ax.set_xticks(shown, texts, rotation=45 if rotate else 0, ha="right" if rotate else "center")


def _moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average that ignores non-finite values (NaN where a window has none)."""
    finite = np.isfinite(values)
    kernel = np.ones(window)
    sums = np.convolve(np.where(finite, values, 0.0), kernel, mode="same")
    counts = np.convolve(finite.astype(float), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(finite & (counts > 0), sums / counts, np.nan)


def loss_curve(block: dict[str, Any]) -> MplFigure:
    """Train (and validation) loss over steps, with the steps where problems began marked."""
    fig, (ax,) = _new(10.0, 3.4)
    steps = _floats(block.get("step", block.get("steps")))
    train = _floats(block["train"])
    if train.size >= 40:
        ax.plot(steps, train, color=PALETTE["train"], lw=0.8, alpha=0.3, label="train (per step)")
        ax.plot(steps, _moving_average(train, max(3, train.size // 25)), color=PALETTE["train"], lw=1.6, label="train (moving average)")
    else:
        ax.plot(steps, train, color=PALETTE["train"], lw=1.4, label="train")
    if block.get("val") is not None and len(block["val"]):
        val_steps = _floats(block.get("val_step", block.get("val_steps")))
        ax.plot(val_steps, _floats(block["val"]), color=PALETTE["val"], lw=1.6, marker="o", ms=3, label="validation")
    finite = np.concatenate([train[np.isfinite(train)], _floats(block.get("val") or [])])
    finite = finite[np.isfinite(finite)]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 100:
        ax.set_yscale("log")
    nonfinite = steps[~np.isfinite(train)] if train.shape == steps.shape else []
    if len(nonfinite):
        ax.axvspan(nonfinite[0], steps[-1], color=PALETTE["event"], alpha=0.08, label="loss not finite")
    for i, event in enumerate(block.get("events") or []):
        x = float(event["step"])
        ax.axvline(x, color=PALETTE["event"], ls="--", lw=1)
        ax.annotate(str(event.get("code", "")), (x, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -12 - 11 * (i % 3)),
                    textcoords="offset points", color=PALETTE["event"], fontsize=8, fontweight="bold")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=4, frameon=False)
    return fig


def lr_range(block: dict[str, Any]) -> MplFigure:
    """Loss against learning rate (log axis), with the suggested and the user's LR marked."""
    fig, (ax,) = _new(10.0, 3.4)
    lrs, losses = _floats(block["lrs"]), _floats(block["losses"])
    smoothed = _floats(block["smoothed"]) if block.get("smoothed") is not None and len(block["smoothed"]) == len(lrs) else None
    if smoothed is not None:
        ax.plot(lrs, losses, color=PALETTE["train"], lw=0.8, alpha=0.35, label="loss per step")
        ax.plot(lrs, smoothed, color=PALETTE["train"], lw=1.6, label="smoothed")
    else:
        ax.plot(lrs, losses, color=PALETTE["train"], lw=1.4)
    ax.set_xscale("log")
    finite = losses[np.isfinite(losses)]
    if finite.size:
        low, high = float(finite.min()), float(np.percentile(finite, 95))
        pad = 0.08 * (high - low or 1.0)
        ax.set_ylim(low - pad, high + pad)
    suggested = block.get("suggested_lr", block.get("suggestion"))
    for value, colour, label in ((suggested, PALETTE["suggest"], "suggested"), (block.get("user_lr"), PALETTE["user"], "your LR")):
        if value is not None and math.isfinite(float(value)) and float(value) > 0:
            ax.axvline(float(value), color=colour, ls="--", lw=1.3, label=f"{label} {float(value):.2g}")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=4, frameon=False)
    return fig


def _heatmap(ax: Any, fig: MplFigure, steps: np.ndarray, matrix: np.ndarray, layers: list[str], title: str,
             log: bool, cmap: str, label: str, vmin: float | None = None, vmax: float | None = None) -> None:
    data = np.ma.masked_invalid(matrix)
    norm = None
    if log:
        data = np.ma.masked_less_equal(data, 0)
        if data.count():
            norm = LogNorm(vmin=float(data.min()), vmax=max(float(data.max()), float(data.min()) * 1.0001))
    colours = matplotlib.colormaps[cmap].with_extremes(bad="#d4d4d4")
    image = ax.imshow(data, aspect="auto", interpolation="nearest", cmap=colours, norm=norm,
                      vmin=None if norm else vmin, vmax=None if norm else vmax)
    ax.set_title(title)
    ax.grid(False)
    _ticks(ax, layers, "y")
    if len(steps):
        where = np.arange(0, len(steps), math.ceil(len(steps) / 10))
        ax.set_xticks(where, [f"{steps[i]:g}" for i in where])
    ax.set_xlabel("step")
    fig.colorbar(image, ax=ax, label=label, shrink=0.9)


def _height(layers: int) -> float:
    return min(7.0, 1.8 + 0.25 * layers)


def grad_norms(block: dict[str, Any]) -> MplFigure:
    """Per-layer gradient norm over steps as a heatmap (log colour scale)."""
    steps, matrix, layers = _matrix(block)
    fig, (ax,) = _new(10.0, _height(len(layers)))
    _heatmap(ax, fig, steps, matrix, layers, "gradient norm per layer", True, "viridis", "‖grad‖ (log scale)")
    return fig


def activations(block: dict[str, Any]) -> MplFigure:
    """Per-layer activation mean and standard deviation over steps, side by side."""
    names = [n for n in ("mean", "std") if n in block]
    fig, axes = _new(10.0, _height(len(block["layers"])), cols=len(names))
    for ax, name in zip(axes, names):
        steps, matrix, layers = _matrix(block, name)
        if name == "mean":
            bound = float(np.nanmax(np.abs(matrix))) if np.isfinite(matrix).any() else 1.0
            _heatmap(ax, fig, steps, matrix, layers, "activation mean", False, "RdBu_r", "mean", -bound, bound)
        else:
            _heatmap(ax, fig, steps, matrix, layers, "activation std", True, "magma", "std (log scale)")
    return fig


def unit_shares(blocks: dict[str, dict[str, Any]]) -> MplFigure:
    """Share of dead / saturated units per layer over steps, one panel per kind."""
    fig, axes = _new(10.0, 3.2, cols=len(blocks))
    for ax, (title, block) in zip(axes, blocks.items()):
        steps, matrix, layers = _matrix(block)
        if len(layers) <= 8:
            for row, layer in zip(matrix, layers):
                ax.plot(steps, 100 * row, lw=1.4, marker="o" if len(steps) < 12 else None, ms=3, label=_short(layer, 20))
            ax.set_ylim(-3, 103)
            ax.set_ylabel("% of units")
            ax.set_xlabel("step")
            ax.set_title(title)
            ax.legend(loc="best", frameon=False, fontsize=7)
        else:
            _heatmap(ax, fig, steps, 100 * matrix, layers, title, False, "Reds", "% of units", 0, 100)
    return fig


def _feature_scales(ax: Any, block: dict[str, Any]) -> None:
    """Per-feature std (bars) and |mean| (dots) on a log axis, unit scale marked; constant features flagged."""
    std = _floats(block["feature_std"]) if block.get("feature_std") is not None else None
    mean = _floats(block["feature_mean"]) if block.get("feature_mean") is not None else None
    count = len(std if std is not None else mean)
    x = np.arange(count)
    if std is not None:
        ax.bar(x, np.where(std > 0, std, np.nan), color="#93c5fd", width=0.8, label="std")
        constant = x[std <= 1e-12]
        if constant.size:
            ax.plot(constant, np.ones(constant.size), "x", color=PALETTE["event"], ms=6, mew=1.5, label="constant (std 0)")
    if mean is not None:
        ax.plot(x, np.where(np.abs(mean) > 0, np.abs(mean), np.nan), "o", ms=3, color=PALETTE["train"], label="|mean|")
    ax.set_yscale("log")
    ax.axhline(1.0, color=PALETTE["suggest"], ls="--", lw=1, label="unit scale")
    ax.set_title("feature scales (training inputs)")
    ax.set_xlabel("feature")
    names = block.get("feature_names")
    if names is not None and len(names) == count and count <= 30:
        _ticks(ax, [str(n) for n in names], "x")
    ax.legend(loc="best", frameon=False, fontsize=7)


SPLIT_SHARES = (("overlap_share", "val samples\nalso in train"), ("duplicate_share", "duplicate\ntrain samples"))


def _class_shares(ax: Any, shares: dict[str, Any]) -> None:
    names = [str(k) for k in shares]
    values = 100 * _floats(list(shares.values()))
    ax.bar(np.arange(len(names)), values, color=PALETTE["train"])
    ax.axhline(100 / len(names), color=PALETTE["val"], ls="--", lw=1.2)
    ax.set_title("class shares (dashed: uniform)")
    ax.set_ylabel("% of samples")
    _ticks(ax, names, "x")


def _split_shares(ax: Any, block: dict[str, Any]) -> None:
    present = [(label, 100 * float(_floats([block[key]])[0])) for key, label in SPLIT_SHARES if block.get(key) is not None]
    y = np.arange(len(present))
    values = [v for _, v in present]
    ax.barh(y, values, color=[PALETTE["event"] if v > 0 else PALETTE["suggest"] for v in values], height=0.5)
    for row, value in zip(y, values):
        ax.annotate(f"{value:.1f}%", (value, row), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
    ax.set_yticks(y, [label for label, _ in present])
    ax.set_xlim(0, max(10.0, 1.3 * max(values, default=0)))
    ax.set_ylim(len(present) - 0.2, -0.8)
    ax.set_xlabel("% of samples")
    ax.set_title("split hygiene")


def data_audit(block: dict[str, Any]) -> MplFigure:
    """Feature scales (std and |mean| per feature, log axis), class shares, train/val overlap."""
    def has(key: str) -> bool:
        value = block.get(key)
        return value is not None and (not hasattr(value, "__len__") or len(value) > 0)

    panels = [(name, width, draw) for name, width, keys, draw in (
        ("features", 3.0, ("feature_std", "feature_mean"), _feature_scales),
        ("classes", 2.0, ("class_shares",), lambda ax, b: _class_shares(ax, b["class_shares"])),
        ("split", 1.3, tuple(key for key, _ in SPLIT_SHARES), _split_shares),
    ) if any(has(k) for k in keys)]
    if not panels:
        raise ValueError("no feature statistics, class shares or overlap share to draw")
    fig = MplFigure(figsize=(10.0, 3.4), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False, width_ratios=[w for _, w, _ in panels])[0]
    for ax, (_, _, draw) in zip(axes, panels):
        draw(ax, block)
    return fig


PLOTS: tuple[tuple[str, str, str, Callable[[Any], MplFigure]], ...] = (
    ("loss_curve", "Loss curves", "Training and validation loss per step; dashed red lines mark where a problem began.", loss_curve),
    ("lr_range", "Learning-rate range test", "Loss while the learning rate grows exponentially; the suggestion sits where the loss falls fastest, before it blows up.", lr_range),
    ("grad_norms", "Gradient norms per layer", "Each row a layer, each column a recorded step; vanishing layers are dark, exploding ones bright. Grey: zero or not finite.", grad_norms),
    ("activations", "Activation statistics per layer", "Mean (diverging colours around 0) and spread of each layer's output over steps; healthy layers keep a similar scale.", activations),
    ("unit_shares", "Dead and saturated units", "Share of ReLU units that never fire and of sigmoid/tanh units stuck at their limits, per layer over time.", unit_shares),
    ("data_audit", "Data audit", "Per-feature spread and offset of the training inputs (dashed green: unit scale), the share of each class, and how many validation samples also sit in the training set.", data_audit),
)

# Which plot shows the evidence for which rule family or code (used to link findings to figures).
SHOWS: dict[str, tuple[str, ...]] = {
    "loss_curve": ("L307", "L308", "O401", "O402", "O403", "O406", "O407", "O409", "O411", "T502", "T503", "T506", "G"),
    "lr_range": ("O401", "O402", "O406", "O412"),
    "grad_norms": ("M202", "M205", "M209", "O403", "O404", "O408", "T501"),
    "activations": ("M201", "M202", "M204", "D101", "L301", "L302"),
    "unit_shares": ("M203", "M204", "O405"),
    "data_audit": ("D", "G603", "G604"),
}


def plots_for(code: str, available: set[str]) -> list[str]:
    """Keys of the drawn plots that show the evidence for ``code``."""
    return [key for key, prefixes in SHOWS.items() if key in available and any(code.startswith(p) for p in prefixes)]


def _from_trial(trial: dict[str, Any]) -> dict[str, Any]:
    """The documented loss_curve / grad_norms blocks from the trial probe's telemetry."""
    out: dict[str, Any] = {}
    losses = list(trial.get("step_losses") or [])
    if losses:
        curve: dict[str, Any] = {"step": list(range(1, len(losses) + 1)), "train": losses}
        if trial.get("val_loss"):
            curve["val_step"] = list(trial.get("eval_steps") or [])[: len(trial["val_loss"])]
            curve["val"] = list(trial["val_loss"])[: len(curve["val_step"])]
        if trial.get("diverged_step") is not None:
            curve["events"] = [{"step": trial["diverged_step"], "code": "diverged"}]
        out["loss_curve"] = curve
    norms = trial.get("grad_norms")
    if isinstance(norms, dict) and norms:
        length = max(len(v) for v in norms.values())
        if length:
            padded = [list(v) + [math.nan] * (length - len(v)) for v in norms.values()]
            out["grad_norms"] = {"steps": list(range(1, length + 1)), "layers": list(norms), "values": [list(r) for r in zip(*padded)]}
    return out


def _pairs_block(series: dict[str, Any]) -> dict[str, Any] | None:
    """{"steps", "layers", "values"} from watch's per-layer ``{layer: [[step, value], …]}`` series.

    Layers sampled at different steps share one step axis; a layer not measured at a step
    is NaN there (drawn as a gap).
    """
    layers = [str(name) for name, points in series.items() if points]
    if not layers:
        return None
    by_layer = {str(name): {float(p[0]): p[1] for p in points} for name, points in series.items() if points}
    steps = sorted({step for values in by_layer.values() for step in values})
    values = [[by_layer[layer].get(step, math.nan) for layer in layers] for step in steps]
    return {"steps": [int(s) if float(s).is_integer() else s for s in steps], "layers": layers, "values": values}


def _watch_grad_norms(telemetry: dict[str, Any]) -> dict[str, Any] | None:
    """The grad_norms block from watch's ``{param: [norm per sampled step]}``.

    The steps of each parameter come from ``grad_norm_steps`` when the telemetry has it;
    otherwise a series as long as ``grad_steps`` (the primary optimizer's sampled steps)
    is taken at those steps, and any other is numbered by sample.
    """
    norms = telemetry.get("grad_norms")
    if not isinstance(norms, dict) or not norms or _is_block(norms):
        return None
    per_param = telemetry.get("grad_norm_steps") if isinstance(telemetry.get("grad_norm_steps"), dict) else {}
    shared = list(telemetry.get("grad_steps") or [])
    series = {}
    for name, values in norms.items():
        values = list(values)
        steps = list(per_param.get(name) or [])
        if len(steps) != len(values):
            steps = shared if len(shared) == len(values) else list(range(1, len(values) + 1))
        series[name] = [[step, value] for step, value in zip(steps, values)]
    return _pairs_block(series)


def _from_watch(telemetry: dict[str, Any]) -> dict[str, Any]:
    """The documented blocks from a watch summary (``watch/telemetry.py``'s ``Telemetry.summary()``).

    ``step_losses`` at ``step_loss_steps`` is the train curve; the validation curve is the
    loop's own validation loss (``val_loss`` at ``val_steps``), else the evaluation batches
    nndoctor scored (``scored_val_loss``), else a ``val_loss`` the loop logged with
    ``doctor.log``. Per-layer series become steps x layers blocks.
    """
    out: dict[str, Any] = {}
    losses = list(telemetry.get("step_losses") or [])
    if losses and not isinstance(telemetry.get("loss_curve"), dict):
        steps = list(telemetry.get("step_loss_steps") or [])
        if len(steps) != len(losses):
            steps = list(range(1, len(losses) + 1))
        curve: dict[str, Any] = {"step": steps, "train": losses}
        logged = [p for p in (telemetry.get("logged") or {}).get("val_loss") or [] if len(p) == 2]
        for val_key, step_key in (("val_loss", "val_steps"), ("scored_val_loss", "scored_val_steps")):
            values, at = list(telemetry.get(val_key) or []), list(telemetry.get(step_key) or [])
            if values and len(values) == len(at):
                curve["val_step"], curve["val"] = at, values
                break
        else:
            if logged:
                curve["val_step"], curve["val"] = [p[0] for p in logged], [p[1] for p in logged]
        out["loss_curve"] = curve
    grads = _watch_grad_norms(telemetry)
    if grads:
        out["grad_norms"] = grads
    for key in ("dead_share", "saturated_share"):
        series = telemetry.get(key)
        if isinstance(series, dict) and series and not _is_block(series) and all(isinstance(v, (list, tuple)) for v in series.values()):
            block = _pairs_block(series)
            if block:
                out[key] = block
    return out


def _is_block(value: dict[str, Any]) -> bool:
    """Already a documented steps/layers/values block (normalising twice changes nothing)."""
    return "layers" in value and "steps" in value


def _is_watch(telemetry: dict[str, Any]) -> bool:
    return telemetry.get("mode") == "watch" or "step_losses" in telemetry


EVENT_KEYS = ("step", "first_step", "diverged_step", "onset_step")


def _finding_events(findings: Sequence[Any]) -> list[dict[str, Any]]:
    """{"step", "code"} for each finding whose evidence names the step where it began."""
    events = []
    for finding in findings:
        evidence = getattr(finding, "evidence", None) or {}
        step = next((evidence[k] for k in EVENT_KEYS if isinstance(evidence.get(k), (int, float)) and not isinstance(evidence.get(k), bool)), None)
        if step is not None and math.isfinite(float(step)):
            events.append({"step": step, "code": finding.code})
    return events


def normalise(telemetry: dict[str, Any] | None, findings: Sequence[Any] = ()) -> dict[str, Any]:
    """``telemetry`` with the producers' other shapes mapped onto the documented keys; findings
    whose evidence holds a ``step`` (or ``first_step``/``diverged_step``/``onset_step``) become
    loss-curve events."""
    telemetry = dict(telemetry or {})
    if _is_watch(telemetry):
        telemetry.update(_from_watch(telemetry))
    if isinstance(telemetry.get("trial"), dict):
        for key, block in _from_trial(telemetry["trial"]).items():
            telemetry.setdefault(key, block)
    if isinstance(telemetry.get("loss_curve"), dict) and findings:
        curve = dict(telemetry["loss_curve"])
        known = {(float(e["step"]), e.get("code")) for e in curve.get("events") or []}
        extra = [e for e in _finding_events(findings) if (float(e["step"]), e["code"]) not in known]
        curve["events"] = list(curve.get("events") or []) + extra
        telemetry["loss_curve"] = curve
    lr_block = telemetry.get("lr_range")
    if isinstance(lr_block, dict) and isinstance(lr_block.get("suggestion"), dict):
        lr_block = dict(lr_block)
        lr_block.setdefault("suggested_lr", lr_block.pop("suggestion").get("lr"))
        telemetry["lr_range"] = lr_block
    return telemetry


def _argument(key: str, telemetry: dict[str, Any]) -> Any:
    if key == "unit_shares":
        found = {title: telemetry[name] for name, title in (("dead_share", "dead ReLU units"), ("saturated_share", "saturated units"))
                 if telemetry.get(name)}
        return found or None
    return telemetry.get(key) or None


def render_figures(telemetry: dict[str, Any], findings: Sequence[Any] = ()) -> list[Figure]:
    """Every plot whose telemetry is present, as SVG data URIs; bad telemetry becomes a noted error."""
    figures: list[Figure] = []
    telemetry = normalise(telemetry, findings)
    with matplotlib.rc_context(STYLE):
        for key, title, caption, draw in PLOTS:
            argument = _argument(key, telemetry or {})
            if argument is None:
                continue
            figure = Figure(key, title, caption)
            try:
                figure.src = _to_uri(draw(argument))
            except Exception as exc:  # a producer's malformed block must not sink the report
                figure.error = f"could not draw this plot from telemetry[{key!r}]: {type(exc).__name__}: {exc}"
            figures.append(figure)
    return figures
