"""The checkup's measurements as report telemetry: what the data audit and the layer probe saw.

Reads only probes that the checks already ran (nothing is computed here), so the HTML report
can plot the evidence — feature scales, class shares, split hygiene, activations and dead or
saturated units at initialisation — next to the trial's loss and gradient curves. The
``probe_steps`` block records how many steps each training probe ran: budgets are in steps,
so the same setup shows the same counts on any machine.
"""
from __future__ import annotations

from typing import Any

import numpy as np

INIT_STEP = 0


def _layer_blocks(stats: Any) -> dict[str, Any]:
    """One-step (at init) activation and unit-share blocks from a LayerStats probe."""
    if stats is None or getattr(stats, "error", None):
        return {}
    def label(record: Any) -> str:
        return f"{record.name} ({record.kind})" if record.kind and record.kind != record.name else record.name

    records = [r for r in stats.layers if r.out_count]
    blocks: dict[str, Any] = {}
    if records:
        blocks["activations"] = {
            "steps": [INIT_STEP], "layers": [label(r) for r in records],
            "mean": [[r.out_mean for r in records]], "std": [[r.out_std for r in records]],
        }
    for key in ("dead_share", "saturated_share"):
        shares = [(label(r), getattr(r, key)) for r in stats.layers if getattr(r, key) is not None]
        if shares:
            blocks[key] = {"steps": [INIT_STEP], "layers": [n for n, _ in shares], "values": [[v for _, v in shares]]}
    return blocks


def _class_shares(labels: Any) -> dict[str, float] | None:
    if not isinstance(labels, tuple) or labels[0] is None or len(labels[0]) == 0:
        return None
    values, counts = np.unique(np.asarray(labels[0]), return_counts=True)
    if len(values) > 50:
        return None
    return {str(int(v)): float(c / counts.sum()) for v, c in zip(values, counts)}


def _data_block(cached: dict[str, Any]) -> dict[str, Any]:
    """Feature scales, class shares and duplicate/overlap shares, where the audit measured them."""
    block: dict[str, Any] = {}
    features = cached.get("data_audit.features")
    if features is not None and features.layout != "none" and len(features.std):
        block["feature_std"] = [float(v) for v in features.std]
        block["feature_mean"] = [float(v) for v in features.mean]
    shares = _class_shares(cached.get("data_audit.labels.train"))
    if shares:
        block["class_shares"] = shares
    duplicates = cached.get("data_audit.duplicates")
    if duplicates is not None:
        block["duplicate_share"] = float(duplicates.exact_share)
    overlap = cached.get("data_audit.overlap")
    if overlap is not None:
        block["overlap_share"] = float(overlap.share)
    return block


def _steps_block(cached: dict[str, Any]) -> dict[str, Any]:
    """Steps each training probe ran (and the step cost that sized them), for the probes that ran."""
    block: dict[str, Any] = {}
    cost = cached.get("step_cost")
    if cost is not None:
        block["forward_flops_per_sample"] = float(cost.forward_flops_per_sample)
    sweep = cached.get("lr_range")
    if sweep is not None:
        block["lr_range"] = len(sweep.lrs)
    overfit = cached.get("overfit")
    if overfit is not None:
        block["overfit"] = {attempt.source: int(attempt.steps) for attempt in overfit.attempts}
    regularisation = cached.get("regularisation")
    if regularisation is not None:
        block["regularisation"] = int(regularisation.steps)
    trial = cached.get("trial")
    if trial is not None:
        block["trial"] = int(trial.steps)
    return block


def probe_telemetry(cached: dict[str, Any]) -> dict[str, Any]:
    """Telemetry blocks (``activations``, ``dead_share``, ``saturated_share``, ``data_audit``,
    ``probe_steps``) from the probe results a checkup cached under their names; absent probes
    give no block."""
    telemetry = _layer_blocks(cached.get("layer_stats"))
    data = _data_block(cached)
    if data:
        telemetry["data_audit"] = data
    steps = _steps_block(cached)
    if steps:
        telemetry["probe_steps"] = steps
    return telemetry
