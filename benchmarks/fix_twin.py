"""A healthy twin trained by ``nndoctor fix``'s own trial loop, for an equal-budget comparison.

``fix`` scores a remedy with its trial loop (fixed steps, fixed seeds); the benchmark's plain
trainer trains for its own budget. To judge whether a remedy brings a case back to health, the
twin is also run through the very trial the remedy ran in: same seeds, same number of steps.

    python -m benchmarks.fix_twin CASE.py --seeds 0,1,2 --steps 300   # prints one JSON line
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from typing import Any

from nndoctor.cli import load_setup
from nndoctor.fix.trials import baseline_candidate, run_trial


def twin_metric(path: str, seeds: list[int], steps: int) -> dict[str, Any]:
    """Mean validation metric of the setup in ``path`` over ``seeds`` trials of ``steps`` steps."""
    setup = load_setup(path).resolve()
    candidate = baseline_candidate(setup)
    scores = [run_trial(candidate, setup, seed, steps) for seed in seeds]
    metrics = [s.metric for s in scores if s.metric is not None and not s.diverged]
    return {"metric": statistics.mean(metrics) if metrics else None, "per_seed": [s.metric for s in scores],
            "diverged": sum(s.diverged for s in scores), "steps": steps}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fix_twin", description=__doc__.splitlines()[0])
    parser.add_argument("case")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args(argv)
    print(json.dumps(twin_metric(args.case, [int(s) for s in args.seeds.split(",")], args.steps)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
