"""TensorBoard export: the report's telemetry as scalars and histograms, its findings as text.

Reads the telemetry keys documented in ``render/plots.py`` after its ``normalise``, which maps
a watch / ``nndoctor run`` summary (``watch/telemetry.py``) and the checkup probes' blocks
onto them. Needs the optional ``tensorboard``
package (``pip install 'nndoctor[tensorboard]'``); it is imported only when asked for.

Tags written (a tag per layer where the telemetry is per layer):
``loss/train``, ``loss/val``; ``grad_norm/total`` (a watched loop's total gradient norm at its
sampled steps); ``lr_range/loss`` and ``lr_range/lr`` against the range-test
step, ``lr_range/suggested_lr``; ``grad_norm/<layer>``; ``activation_mean/<layer>``,
``activation_std/<layer>``; ``dead_share/<layer>``, ``saturated_share/<layer>``;
``data/overlap_share``, ``data/duplicate_share``, ``data/class_share/<class>``. Histograms:
``grad_norm/log10_across_layers`` and ``activation_std/across_layers`` per step,
``data/feature_std`` and ``data/feature_mean``. Text: ``nndoctor/verdict`` and
``nndoctor/findings``.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from ..errors import NNDoctorError
from ..report import Report
from . import headline

INSTALL_HINT = (
    "Writing TensorBoard event files needs the `tensorboard` package, which is not installed in this "
    "Python environment (nndoctor keeps it optional so that plain installs stay small).",
    "Install it with `pip install 'nndoctor[tensorboard]'` (or `pip install tensorboard`) and run the "
    "command again, or leave out --tensorboard.",
)


def require_tensorboard() -> Any:
    """The SummaryWriter class; raises NNDoctorError with install advice when tensorboard is missing."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as exc:
        raise NNDoctorError(*INSTALL_HINT) from exc
    return SummaryWriter


def _finite(values: Iterable[Any]) -> list[float]:
    out = []
    for value in values:
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            out.append(math.nan)
    return out


def _scalars(writer: Any, tag: str, steps: Iterable[Any], values: Iterable[Any]) -> None:
    for step, value in zip(steps, _finite(values)):
        if math.isfinite(value):
            writer.add_scalar(tag, value, global_step=int(float(step)))


def _tag(name: Any) -> str:
    return str(name).replace(" ", "_") or "_"


def _per_layer(block: dict[str, Any], name: str = "values") -> tuple[list[Any], list[str], np.ndarray]:
    """(steps, layers, steps x layers matrix) accepting the layer-major layout too."""
    steps, layers = list(block["steps"]), [str(layer) for layer in block["layers"]]
    matrix = np.array([_finite(row) for row in block[name]], dtype=float)
    if matrix.shape == (len(layers), len(steps)) and len(layers) != len(steps):
        matrix = matrix.T
    if matrix.shape != (len(steps), len(layers)):
        raise ValueError(f"telemetry {name!r} has shape {matrix.shape}; expected ({len(steps)}, {len(layers)})")
    return steps, layers, matrix


def _layer_series(writer: Any, prefix: str, block: dict[str, Any], name: str = "values") -> tuple[list[Any], np.ndarray]:
    steps, layers, matrix = _per_layer(block, name)
    for column, layer in enumerate(layers):
        _scalars(writer, f"{prefix}/{_tag(layer)}", steps, matrix[:, column])
    return steps, matrix


def _histograms(writer: Any, tag: str, steps: list[Any], matrix: np.ndarray, log: bool = False) -> None:
    for step, row in zip(steps, matrix):
        row = row[np.isfinite(row)]
        if log:
            row = np.log10(row[row > 0])
        if row.size:
            writer.add_histogram(tag, row, global_step=int(float(step)))


def _findings_markdown(report: Report) -> str:
    lines = ["| code | name | severity | message | explained by |", "|---|---|---|---|---|"]
    for f in report.findings:
        cells = [f.code, f.name, f.severity.value, f.message, f.explained_by or ""]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines) if report.findings else "No findings."


def write_tensorboard(report: Report, logdir: str | Path) -> Path:
    """Write the report's telemetry and findings as TensorBoard events under ``logdir``."""
    writer_class = require_tensorboard()
    logdir = Path(logdir)
    logdir.mkdir(parents=True, exist_ok=True)
    from .plots import normalise  # matplotlib loads only now, not when --tensorboard is checked before a run

    t = normalise(report.telemetry)
    writer = writer_class(log_dir=str(logdir))
    try:
        if t.get("loss_curve"):
            block = t["loss_curve"]
            _scalars(writer, "loss/train", block.get("step", block.get("steps", [])), block.get("train", []))
            if block.get("val") is not None:
                _scalars(writer, "loss/val", block.get("val_step", block.get("val_steps", [])), block["val"])
        if t.get("lr_range"):
            block = t["lr_range"]
            _scalars(writer, "lr_range/loss", range(len(block["losses"])), block["losses"])
            _scalars(writer, "lr_range/lr", range(len(block["lrs"])), block["lrs"])
            suggested = block.get("suggested_lr", block.get("suggestion"))
            if suggested is not None:
                _scalars(writer, "lr_range/suggested_lr", [0], [suggested])
        total, at = t.get("total_grad_norm"), t.get("grad_steps")
        if isinstance(total, list) and isinstance(at, list) and total and len(total) == len(at):
            _scalars(writer, "grad_norm/total", at, total)
        if t.get("grad_norms"):
            steps, matrix = _layer_series(writer, "grad_norm", t["grad_norms"])
            _histograms(writer, "grad_norm/log10_across_layers", steps, matrix, log=True)
        if t.get("activations"):
            for name in ("mean", "std"):
                if name in t["activations"]:
                    steps, matrix = _layer_series(writer, f"activation_{name}", t["activations"], name)
                    if name == "std":
                        _histograms(writer, "activation_std/across_layers", steps, matrix)
        for key in ("dead_share", "saturated_share"):
            if t.get(key):
                _layer_series(writer, key, t[key])
        audit = t.get("data_audit") or {}
        for key in ("overlap_share", "duplicate_share"):
            if audit.get(key) is not None:
                _scalars(writer, f"data/{key}", [0], [audit[key]])
        for cls, share in (audit.get("class_shares") or {}).items():
            _scalars(writer, f"data/class_share/{_tag(cls)}", [0], [share])
        for key in ("feature_std", "feature_mean"):
            values = np.array(_finite(audit.get(key) or []), dtype=float)
            values = values[np.isfinite(values)]
            if values.size:
                writer.add_histogram(f"data/{key}", values, global_step=0)
        writer.add_text("nndoctor/verdict", headline(report)[2], global_step=0)
        writer.add_text("nndoctor/findings", _findings_markdown(report), global_step=0)
    finally:
        writer.close()
    return logdir
