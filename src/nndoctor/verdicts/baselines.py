"""Verdict for G606: the trained network is worse than a dumb baseline on the same samples.

The look (``nndoctor.look``) scores the network and its baselines (the prior, a linear model
on the flat features, the network trained on zeroed inputs) on the same validation samples;
this verdict decides whether the gap is a difference or noise.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..findings import Finding, Severity
from . import verdict

# A gap counts when it exceeds two noise units (one-sided, ~98% for a normal error): the noise
# is the larger of the spread over re-drawn runs and the sampling error of a difference of two
# scores on the same n samples (sqrt(2) times the network's standard error).
NOISE_UNITS = 2.0


@dataclass
class BaselineComparison:
    """The network's validation metric and its baselines' on the same samples.

    ``metric`` is "accuracy" (higher is better) or "mse" (lower is better); ``standard_error``
    is the sampling error of the network's metric; ``spread`` the standard deviation of the
    metric over re-drawn runs (None when not measured).
    """

    metric: str
    network: float
    baselines: list[tuple[str, float]] = field(default_factory=list)
    standard_error: float = 0.0
    samples: int = 0
    spread: float | None = None

    def noise(self) -> float:
        return max(math.sqrt(2.0) * self.standard_error, self.spread or 0.0)


@verdict("G606")
def below_baseline(m: BaselineComparison) -> list[Finding]:
    """G606 when the network is worse than a baseline by more than ``NOISE_UNITS`` noise units."""
    if not math.isfinite(m.network) or not m.baselines:
        return []
    higher = m.metric == "accuracy"
    margin = NOISE_UNITS * m.noise()
    gaps = [(name, value, (value - m.network) if higher else (m.network - value)) for name, value in m.baselines
            if value is not None and math.isfinite(value)]
    beaten_by = [(name, value, gap) for name, value, gap in gaps if gap > margin]
    if not beaten_by:
        return []
    name, value, gap = max(beaten_by, key=lambda row: row[2])
    what = "validation accuracy" if higher else "validation MSE"
    return [Finding(
        "G606", Severity.WARNING,
        f"The network's {what} is {m.network:.4g}, but the {name} baseline reaches {value:.4g} on the same "
        f"{m.samples} samples: worse by {gap:.3g}, more than {NOISE_UNITS:g}x the noise ({m.noise():.3g}).",
        {"metric": m.metric, "network": m.network, "baselines": dict(m.baselines), "best_baseline": name,
         "gap": gap, "noise": m.noise(), "standard_error": m.standard_error, "spread": m.spread, "samples": m.samples},
    )]
