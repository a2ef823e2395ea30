"""Overhead of watching a training loop: step time watched / unwatched, and microseconds per step.

One process, alternating runs: every round times ``steps`` training steps of each mode in
a rotating order, and a mode's ratio for that round is its seconds per step over the plain
loop's in the same round (its extra microseconds per step, the difference); the table
reports the medians over rounds. Modes: plain, ``nndoctor.watch`` at default settings,
``torch.autograd.detect_anomaly`` and, when it is importable, ``wandb.watch(log="all")``
in offline mode. Models: an MLP, a CNN and a GRU, on CPU and on CUDA when available.

A second table measures nndoctor's own cost directly, on a model so small that the step
is almost all Python: the extra microseconds of an unsampled step, of a sampled one, their
average at the default ``every``, and what the global forward hook adds to each module
call (a 64-module stack that is not watched, run while a watch is active).

Run: ``python -m benchmarks.overhead [--rounds 7] [--steps 300] [--quick] [--out benchmarks/results/overhead.md]``
(``--quick``: 3 rounds of 100 steps, MLP only, for a check in about a minute).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Iterator

import torch
import torch.nn.functional as F
from torch import nn

import nndoctor
from nndoctor.watch import DEFAULT_EVERY

HERE = Path(__file__).resolve().parent


def mlp() -> tuple[nn.Module, Callable[[int], tuple[torch.Tensor, torch.Tensor]]]:
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    return model, lambda b: (torch.randn(b, 784), torch.randint(0, 10, (b,)))


def cnn() -> tuple[nn.Module, Callable[[int], tuple[torch.Tensor, torch.Tensor]]]:
    model = nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 8 * 8, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    return model, lambda b: (torch.randn(b, 3, 32, 32), torch.randint(0, 10, (b,)))


class GRUNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(32, 128, batch_first=True)
        self.head = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.gru(x)[0][:, -1])


def gru() -> tuple[nn.Module, Callable[[int], tuple[torch.Tensor, torch.Tensor]]]:
    return GRUNet(), lambda b: (torch.randn(b, 40, 32), torch.randint(0, 10, (b,)))


MODELS = {"MLP 784-512-256-10": (mlp, 128), "CNN 2 conv + BN": (cnn, 32), "GRU 128 x 40 steps": (gru, 64)}


def wandb_available() -> bool:
    try:
        import wandb  # noqa: F401
    except Exception:
        return False
    return True


@contextlib.contextmanager
def mode_context(mode: str, model: nn.Module, optimizer: torch.optim.Optimizer) -> Iterator[None]:
    if mode == "nndoctor":
        with nndoctor.watch(model, optimizer, alerts=False):
            yield
    elif mode == "detect_anomaly":
        with torch.autograd.detect_anomaly(check_nan=True):
            yield
    elif mode == "wandb":
        import wandb

        run = wandb.init(mode="offline", dir=tempfile.gettempdir(), project="nndoctor-overhead", reinit="finish_previous")
        wandb.watch(model, log="all", log_freq=100)
        try:
            yield
        finally:
            wandb.unwatch(model)
            run.finish()
    else:
        yield


WARM_STEPS = 20  # untimed steps inside each mode first: nndoctor's denser sampling of the first steps is a one-off


def time_steps(mode: str, model: nn.Module, optimizer: torch.optim.Optimizer, batches: list, device: torch.device, steps: int) -> float:
    """Seconds per training step for ``steps`` steps under ``mode``, after WARM_STEPS untimed ones."""
    loss_fn = nn.CrossEntropyLoss()

    def train(count: int) -> None:
        for i in range(count):
            x, y = batches[i % len(batches)]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()

    with mode_context(mode, model, optimizer):
        train(WARM_STEPS)
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        train(steps)
        if device.type == "cuda":
            torch.cuda.synchronize()
        elapsed = time.perf_counter() - start
    return elapsed / steps


def bench(name: str, device: torch.device, modes: list[str], rounds: int, steps: int) -> dict[str, Any]:
    build, batch = MODELS[name]
    torch.manual_seed(0)
    model, data = build()
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    batches = [tuple(t.to(device) for t in data(batch)) for _ in range(16)]
    for mode in modes:  # warm-up: allocator, kernels, lazy imports
        time_steps(mode, model, optimizer, batches, device, max(10, steps // 10))
    per_mode: dict[str, list[float]] = {m: [] for m in modes}
    for r in range(rounds):
        order = modes[r % len(modes):] + modes[: r % len(modes)]
        for mode in order:
            per_mode[mode].append(time_steps(mode, model, optimizer, batches, device, steps))
    ratios = {m: statistics.median(a / b for a, b in zip(per_mode[m], per_mode["plain"])) for m in modes if m != "plain"}
    extra_us = {m: 1e6 * statistics.median(a - b for a, b in zip(per_mode[m], per_mode["plain"])) for m in modes if m != "plain"}
    return {"model": name, "device": str(device), "plain_ms": 1000 * statistics.median(per_mode["plain"]), "ratios": ratios,
            "extra_us": extra_us}


def hook_costs(rounds: int, steps: int = 2000) -> dict[str, float]:
    """nndoctor's own cost in microseconds, on a Linear(8, 2) step (medians of per-round differences to plain).

    ``unsampled``: a step between sample points (``every`` too large to sample after the
    session's first steps); ``sampled``: a step sampled in depth (``every=1``); ``average``:
    both at the default ``every``; ``per_module_call``: the global forward hook's cost for
    each module call of any model while a watch is active. Timed in CPU time of this thread
    (everything here runs on it), which other processes on the machine inflate less than wall time.
    """
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = torch.randn(4, 8), torch.randint(0, 2, (4,))

    def train(count: int) -> None:
        for _ in range(count):
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            optimizer.step()

    def per_step(every: int | None, count: int) -> float:
        session = nndoctor.watch(model, optimizer, every=every, alerts=False) if every else contextlib.nullcontext()
        with session:
            train(WARM_STEPS)
            start = time.thread_time()
            train(count)
            return (time.thread_time() - start) / count

    stack = nn.Sequential(*[nn.Identity() for _ in range(64)])
    probe = torch.zeros(1)

    def per_call(watching: bool) -> float:
        session = nndoctor.watch(model, optimizer, alerts=False) if watching else contextlib.nullcontext()
        with session, torch.no_grad():
            start = time.thread_time()
            for _ in range(steps // 4):
                stack(probe)
            return (time.thread_time() - start) / (steps // 4) / 65

    samples: dict[str, list[float]] = {"unsampled": [], "sampled": [], "average": [], "per_module_call": []}
    for _ in range(rounds):
        plain = per_step(None, steps)
        samples["unsampled"].append(per_step(10**9, steps) - plain)
        samples["sampled"].append(per_step(1, steps // 10) - plain)
        samples["average"].append(per_step(DEFAULT_EVERY, steps) - plain)
        samples["per_module_call"].append(per_call(True) - per_call(False))
    return {k: 1e6 * statistics.median(v) for k, v in samples.items()}


def render(rows: list[dict[str, Any]], modes: list[str], args: argparse.Namespace, notes: list[str],
           costs: dict[str, float] | None = None) -> str:
    shown = [m for m in modes if m != "plain"]
    lines = [
        "# Overhead of watching a training loop",
        "",
        f"Median over {args.rounds} alternating rounds of {args.steps} steps each of (seconds per step in the mode) / "
        "(seconds per step of the plain loop in the same round). nndoctor at default settings "
        f"(`every={DEFAULT_EVERY}`, alerts off). Each run first takes {WARM_STEPS} untimed steps in its mode, so the table shows "
        "the steady state; nndoctor's denser sampling of a session's first 17 steps costs about ten steps once per session. "
        "Target ≤ 1.05.",
        "",
        "Each cell: ratio (extra microseconds per step).",
        "",
        "| model | device | plain ms/step | " + " | ".join(shown) + " |",
        "|---|---|---|" + "---|" * len(shown),
    ]
    for row in rows:
        cells = [f"{row['ratios'][m]:.3f} ({row['extra_us'][m]:+.0f} µs)" if m in row["ratios"] else "n/a" for m in shown]
        lines.append(f"| {row['model']} | {row['device']} | {row['plain_ms']:.2f} | " + " | ".join(cells) + " |")
    if costs:
        lines += [
            "", "## nndoctor's own cost, measured directly",
            "",
            "Linear(8, 8)-ReLU-Linear(8, 2) on a batch of 4 (the step is almost all Python), median over rounds of "
            "(CPU seconds of the benchmark's thread per step, watched − plain):",
            "",
            "| unsampled step | sampled step (`every=1`) | average at `every=" + str(DEFAULT_EVERY) + "` | per module call (global hook) |",
            "|---|---|---|---|",
            f"| {costs['unsampled']:.1f} µs | {costs['sampled']:.0f} µs | {costs['average']:.1f} µs | {costs['per_module_call']:.2f} µs |",
            "",
            "The unsampled step is O(1) Python bookkeeping (no tensor op besides keeping a detached reference to the loss). "
            "Every module call of any model pays the global forward hook while a watch is active (the price of attaching "
            "nothing to the user's modules), so a model with M module calls per forward pays about M times the last column.",
        ]
    lines += ["", f"Machine: {platform.platform()}, Python {platform.python_version()}, torch {torch.__version__}, "
              f"torch threads {torch.get_num_threads()}.", ""]
    lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1 keeps a shared machine's timings stable)")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--devices", default="cpu,cuda")
    parser.add_argument("--out", default=str(HERE / "results" / "overhead.md"))
    parser.add_argument("--quick", action="store_true", help="3 rounds of 100 steps on the MLP only (a check, not the reference table)")
    parser.add_argument("--no-costs", action="store_true", help="skip the direct measurement of nndoctor's per-step cost")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.steps, args.models = min(args.rounds, 3), min(args.steps, 100), next(iter(MODELS))
    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore", message="Anomaly Detection has been enabled")
    os.environ.setdefault("WANDB_SILENT", "true")
    modes = ["plain", "nndoctor", "detect_anomaly"] + (["wandb"] if wandb_available() else [])
    notes = [f"wandb {__import__('wandb').__version__}: `wandb.init(mode='offline')`, `wandb.watch(model, log='all', log_freq=100)`; "
             "installed only to run this benchmark (not a dependency of nndoctor)."] if "wandb" in modes else ["wandb is not installed here: its column is n/a (install it only to benchmark, never as a dependency)."]
    devices = [torch.device(d) for d in args.devices.split(",") if d == "cpu" or (d == "cuda" and torch.cuda.is_available())]
    rows = []
    for device in devices:
        for name in args.models.split(","):
            row = bench(name, device, modes, args.rounds, args.steps)
            rows.append(row)
            print(f"{row['model']:22} {row['device']:5} plain {row['plain_ms']:.2f} ms/step  "
                  + "  ".join(f"{m} {r:.3f} ({row['extra_us'][m]:+.0f} us)" for m, r in row["ratios"].items()), flush=True)
    costs = None if args.no_costs else hook_costs(args.rounds)
    if costs:
        print("nndoctor cost: " + ", ".join(f"{k} {v:.2f} us" for k, v in costs.items()), flush=True)
    notes.append(f"Load average over the last minute when the run ended: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores "
                 "(about 1.0 is the benchmark itself). Ratios below 1.0 are run-to-run noise, which is of that size here.")
    text = render(rows, modes, args, notes, costs)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
