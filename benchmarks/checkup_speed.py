"""Wall time of a full checkup on setups the size of the demo (target: under 60 s on 2 CPU cores).

Usage: ``python -m benchmarks.checkup_speed [--repeats N]``; writes benchmarks/results/checkup_speed.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import torch

import nndoctor
from nndoctor.demo import demo_setup

RESULTS = Path(__file__).resolve().parent / "results" / "checkup_speed.md"


def time_checkup(healthy: bool) -> tuple[float, list[str]]:
    started = time.perf_counter()
    report = nndoctor.checkup(demo_setup(healthy=healthy))
    return time.perf_counter() - started, report.codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for healthy in (False, True):
        times, codes = [], []
        for _ in range(args.repeats):
            seconds, codes = time_checkup(healthy)
            times.append(seconds)
        label = "demo --healthy" if healthy else "demo (broken)"
        rows.append(f"| {label} | {statistics.median(times):.1f} | {max(times):.1f} | {', '.join(codes) or '—'} |")
        print(rows[-1], flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    text = "\n".join([
        "# Checkup speed",
        "",
        f"Full `nndoctor.checkup` (default budget) of the demo setups (digits, 1437x64, MLP), {args.repeats} runs each.",
        f"Machine: {os.cpu_count()} CPU cores, {platform.platform()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} torch threads, load average at the end {load:.1f}. Target: under 60 s.",
        "",
        "| setup | median s | max s | findings |",
        "|---|---|---|---|",
        *rows,
        "",
    ])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
