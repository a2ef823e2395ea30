"""What the framework callbacks share: metric names, log-line streams, crash text, publishing the report."""
from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any, Callable, Mapping

from ..report import Report

VAL_LOSS_KEYS = ("val_loss", "val/loss", "valid_loss", "validation_loss", "eval_loss", "eval/loss", "val_loss_epoch")
TRAIN_LOSS_KEYS = ("train_loss", "train/loss", "loss", "train_loss_epoch", "train_loss_step", "training_loss")


def scalar(value: Any) -> float | None:
    """A finite-or-not Python float from a number or a one-element tensor; None for anything else."""
    try:
        if hasattr(value, "numel") and value.numel() != 1:
            return None
        number = float(value)
    except (TypeError, ValueError, RuntimeError):
        return None
    return number


def pick(metrics: Mapping[str, Any], names: tuple[str, ...], contains: tuple[str, str]) -> tuple[str, float] | None:
    """The first metric named in ``names``, else the first whose name contains both words in ``contains``."""
    for name in names:
        if name in metrics and scalar(metrics[name]) is not None:
            return name, scalar(metrics[name])  # type: ignore[return-value]
    for name, value in metrics.items():
        lowered = name.lower()
        if all(word in lowered for word in contains) and scalar(value) is not None:
            return name, scalar(value)  # type: ignore[return-value]
    return None


def is_validation_name(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith(("val", "eval", "valid", "test")) or "/val" in lowered or "_val" in lowered


def canonical_metrics(metrics: Mapping[str, Any], validation: bool) -> dict[str, float]:
    """Scalar metrics under their own names; for a validation pass the validation loss is renamed ``val_loss``
    (the name watch's curve rules read), and outside one validation metrics are left out (they are stale there)."""
    values = {name: v for name, v in ((n, scalar(m)) for n, m in metrics.items()) if v is not None}
    if not validation:
        return {name: v for name, v in values.items() if not is_validation_name(name)}
    found = pick(metrics, VAL_LOSS_KEYS, ("val", "loss")) or pick(metrics, (), ("eval", "loss"))
    if found is not None:
        values.pop(found[0], None)
        values["val_loss"] = found[1]
    return values


class LogStream:
    """A text stream that sends each line to a ``logging`` logger (how alerts reach a framework's log)."""

    def __init__(self, logger: logging.Logger, level: int = logging.WARNING) -> None:
        self.logger = logger
        self.level = level
        self._buffer = ""

    def write(self, text: str) -> int:
        self._buffer += text
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            if line:
                self.logger.log(self.level, line)
        return len(text)

    def flush(self) -> None:
        return None


def write_report(report: Report, json_path: str | Path | None, html_path: str | Path | None) -> list[Path]:
    """Save the report where asked; returns the paths written."""
    written = []
    if json_path is not None:
        written.append(report.save_json(json_path))
    if html_path is not None:
        written.append(report.save_html(html_path))
    return written


def exception_line(exception: BaseException) -> str:
    """The exception as the last line of its traceback reads: what the report shows as the crash."""
    return "".join(traceback.format_exception_only(type(exception), exception)).strip()


def publish_report(report: Report, json_path: str | Path | None, html_path: str | Path | None, print_report: bool,
                   log: Callable[..., None]) -> None:
    """The main process's end of a watched fit: save the report where asked, log its verdict
    through the framework's logger (``log`` is e.g. ``logger.info``) and print it if asked."""
    written = write_report(report, json_path, html_path)
    log("nndoctor: %s%s", report.verdict(), f" (report: {', '.join(map(str, written))})" if written else "")
    if print_report:
        report.print()
