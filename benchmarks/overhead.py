"""Overhead of watching a training loop: step time watched / unwatched.

One process, alternating runs: every round times ``steps`` training steps of each mode in
a rotating order, and a mode's ratio for that round is its seconds per step over the plain
loop's in the same round; the table reports the median ratio over rounds. Modes: plain,
``nndoctor.watch`` at default settings, ``torch.autograd.detect_anomaly`` and, when it is
importable, ``wandb.watch(log="all")`` in offline mode. Models: an MLP, a CNN and a GRU,
on CPU and on CUDA when available.

Run: ``python -m benchmarks.overhead [--rounds 7] [--steps 300] [--out benchmarks/results/overhead.md]``
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
    return {"model": name, "device": str(device), "plain_ms": 1000 * statistics.median(per_mode["plain"]), "ratios": ratios}


def render(rows: list[dict[str, Any]], modes: list[str], args: argparse.Namespace, notes: list[str]) -> str:
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
        "| model | device | plain ms/step | " + " | ".join(shown) + " |",
        "|---|---|---|" + "---|" * len(shown),
    ]
    for row in rows:
        cells = [f"{row['ratios'][m]:.3f}" if m in row["ratios"] else "n/a" for m in shown]
        lines.append(f"| {row['model']} | {row['device']} | {row['plain_ms']:.2f} | " + " | ".join(cells) + " |")
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
    args = parser.parse_args(argv)
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
                  + "  ".join(f"{m} {r:.3f}" for m, r in row["ratios"].items()), flush=True)
    notes.append(f"Load average over the last minute when the run ended: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores "
                 "(about 1.0 is the benchmark itself). Ratios below 1.0 are run-to-run noise, which is of that size here.")
    text = render(rows, modes, args, notes)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
