"""``nndoctor improve`` on small tasks, against the literature's claims (reported whether met or not).

Claims checked per task: the ensemble beats the single model by more than the seed spread;
the distilled student beats the hard-label student; the rewound ticket at 80% sparsity is
within 1 point of dense; int8 is at least 2x smaller with at most 1 point lost.

    python -m benchmarks.improve [--steps 300] [--seeds 5] [--sparsities 0.5,0.8,0.9] [--out benchmarks/results/improve.md]
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

import nndoctor
from nndoctor.improve import improve


def _split(x: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple:
    from sklearn.model_selection import train_test_split

    return train_test_split(x.astype(np.float32), y.astype(np.int64), test_size=0.25, random_state=seed, stratify=y)


def digits() -> nndoctor.Setup:
    """Image-like: 8x8 digits, standardised, a 2-hidden-layer MLP (the healthy demo)."""
    from nndoctor.demo import demo_setup

    return demo_setup(healthy=True)


def tabular() -> nndoctor.Setup:
    """Tabular: 5-class make_classification, 20 features, a 256-wide MLP."""
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=3000, n_features=20, n_informative=12, n_classes=5, class_sep=0.8, random_state=0)
    xt, xv, yt, yv = _split(x, y)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 5))
    return nndoctor.Setup(model=model, train=(xt, yt), val=(xv, yv), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=64, name="tabular-mlp")


class GRUClassifier(nn.Module):
    def __init__(self, features: int = 1, hidden: int = 64, classes: int = 4) -> None:
        super().__init__()
        self.gru = nn.GRU(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.gru(x)[0][:, -1])


def sequence() -> nndoctor.Setup:
    """Sequence: which of 4 noisy sine frequencies a 30-step series carries, a GRU."""
    rng = np.random.default_rng(0)
    n, length = 2000, 30
    y = rng.integers(0, 4, size=n)
    t = np.arange(length)[None, :]
    x = np.sin(2 * np.pi * (0.05 + 0.04 * y[:, None]) * t + rng.uniform(0, 2 * np.pi, (n, 1))) + rng.normal(0, 0.6, (n, length))
    xt, xv, yt, yv = _split(x[..., None], y)
    torch.manual_seed(0)
    return nndoctor.Setup(model=GRUClassifier(), train=(xt, yt), val=(xv, yv), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.Adam(p, lr=3e-3), batch_size=64, name="sine-gru")


class BagOfEmbeddings(nn.Module):
    """Token embedding, mean over the sequence, a small MLP head (a fastText-style text classifier)."""

    def __init__(self, vocab: int, dim: int = 32, classes: int = 4) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.head = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(x).mean(dim=1))


def text() -> nndoctor.Setup:
    """Text: 24-token 'sentences' over a 200-word vocabulary; the class is the topic whose 10 keywords occur most.

    Each sentence mixes filler words with 2-4 keywords of its topic and fewer keywords of a
    distractor topic, so the model must count which keywords occur (generated here, no download).
    """
    rng = np.random.default_rng(0)
    n, length, vocab, topics, per_topic = 3000, 24, 200, 4, 10
    y = rng.integers(0, topics, size=n)
    x = rng.integers(topics * per_topic, vocab, size=(n, length))  # filler words
    for i in range(n):
        other = (y[i] + rng.integers(1, topics)) % topics
        hits = rng.integers(2, 5)
        noise = rng.integers(0, hits)  # fewer distractors than keywords: the label is always decidable
        slots = rng.choice(length, size=hits + noise, replace=False)
        x[i, slots[:hits]] = y[i] * per_topic + rng.integers(0, per_topic, size=hits)
        x[i, slots[hits:]] = other * per_topic + rng.integers(0, per_topic, size=noise)
    xt, xv, yt, yv = _split(x, y)
    torch.manual_seed(0)
    return nndoctor.Setup(model=BagOfEmbeddings(vocab), train=(xt.astype(np.int64), yt), val=(xv.astype(np.int64), yv),
                          loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=3e-3), batch_size=64,
                          name="text-bag-of-embeddings")


TASKS: dict[str, Callable[[], nndoctor.Setup]] = {"digits": digits, "tabular": tabular, "sequence": sequence, "text": text}


def claims(sec: dict[str, Any]) -> dict[str, Any]:
    """Each literature claim: met or not, with the numbers."""
    t, base = sec["techniques"], sec["baseline"]["metric"]
    out: dict[str, Any] = {"single": sec["baseline"]["metric_text"]}
    if "ensemble" in t and t["ensemble"].get("rows"):
        out["ensemble"] = (t["ensemble"]["rows"][0]["metric_text"], t["ensemble"]["status"] == "better")
    if "distill" in t and t["distill"].get("rows"):
        out["distill"] = (t["distill"]["rows"][1]["metric_text"], t["distill"]["status"] == "better")
    rows = {r["arm"]: r for r in t.get("prune", {}).get("rows", [])}
    ticket = rows.get("rewind (lottery ticket) @ 80%")
    if ticket:
        out["ticket80"] = (ticket["metric_text"], base["mean"] - ticket["metric"]["mean"] <= 0.01)
    q = t.get("quantize", {}).get("rows")
    if q:
        out["int8"] = (f"{q[0]['metric_text']}, {q[0]['size_ratio']:.2f}x smaller, {q[0]['speedup']:.2f}x speed",
                       q[0]["size_ratio"] >= 2 and base["mean"] - q[0]["metric"]["mean"] <= 0.01)
    out["size"] = _measures(sec, "size_mb", "{:.3f}")
    out["latency"] = _measures(sec, "latency_ms", "{:.2f}")
    return out


def _measures(sec: dict[str, Any], key: str, fmt: str) -> str:
    """``key`` for the single model, the ensemble and the int8 model, as "a · b · c" ("–" where not measured)."""
    t = sec["techniques"]
    rows = [sec["baseline"]] + [(t.get(n, {}).get("rows") or [{}])[0] for n in ("ensemble", "quantize")]
    return " · ".join("–" if r.get(key) is None else fmt.format(r[key]) for r in rows)


def _cell(c: dict[str, Any], key: str) -> str:
    return f"{c[key][0]} {'✔' if c[key][1] else '✘'}" if key in c else "–"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.improve", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seeds", type=int, default=5, help="seeds per arm; also the ensemble's K")
    parser.add_argument("--sparsities", default="0.5,0.8,0.9")
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--out", default="benchmarks/results/improve.md")
    args = parser.parse_args(argv)
    sparsities = tuple(float(s) for s in args.sparsities.split(","))
    lines = [(f"# `nndoctor improve` benchmark ({args.seeds} seeds × {args.steps} steps per arm; ensemble of {args.seeds}; "
              f"pruned at {', '.join(f'{s:.0%}' for s in sparsities)})"), "",
             ("Validation balanced accuracy, mean ± seed spread; ✔ = the literature's claim met on this task, ✘ = not. "
              "Size is the saved state_dict; latency is the median forward pass on one validation batch."), "",
             (f"| task | single model | ensemble of {args.seeds} beats single by > spread | distilled beats hard-label "
              "| 80% rewound ticket within 1 pt | int8 ≥2x smaller, ≤1 pt lost | size MB (single · ensemble · int8) "
              "| latency ms/batch (single · ensemble · int8) |"),
             "|---|---|---|---|---|---|---|---|"]
    raw = {}
    for name in args.tasks.split(","):
        report = improve(TASKS[name](), seeds=args.seeds, steps=args.steps, sparsities=sparsities, budget=3600)
        sec = report.extra["improve"]
        raw[name] = sec
        c = claims(sec)
        cells = " | ".join(_cell(c, k) for k in ("ensemble", "distill", "ticket80", "int8"))
        lines.append(f"| {name} | {c['single']} | {cells} | {c['size']} | {c['latency']} |")
        print(lines[-1], flush=True)
        Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")  # after each task: a partial run still reports
        Path(args.out).with_suffix(".json").write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
