"""Watching data-parallel (DDP) runs: every rank records, rank 0 speaks.

Each rank runs its own :class:`~nndoctor.watch.session.Doctor` on its own batches. Ranks
never wait on each other because of nndoctor: the only exchange goes through the
process group's key-value store (the one ``init_process_group`` created), where other
ranks *post* without waiting, and rank 0 alone waits for their end-of-run summaries,
bounded by ``timeout``, so a rank that crashed costs rank 0 at most that long and never
hangs it. Live alerts of other ranks are posted the same way and printed by rank 0,
which polls for them every ``every`` optimizer steps without blocking.

Rank 0's report combines all ranks: a finding seen on any rank is reported with the
ranks that saw it (a NaN on rank 1 is reported with rank 1 and its step), and replicas
that started from the same weights but whose gradients or weights drift apart are
reported as T508.
"""
from __future__ import annotations

import itertools
import json
import math
import time
from datetime import timedelta
from typing import Any, Sequence

import torch
from torch import nn

from ..findings import Finding, Severity
from ..report import Report
from ..verdicts.loop import AGREEMENT_RTOL, Replicas, ReplicaState, ranks_out_of_sync  # noqa: F401  (AGREEMENT_RTOL re-exported)
from ..verdicts.loop import replica_agreement as replica_agreement_of
from ..watch.session import DEFAULT_EVERY, Doctor

DEFAULT_TIMEOUT_S = 60.0
_sessions = itertools.count()


def rank_and_world() -> tuple[int, int]:
    """This process's rank and the world size (0, 1 when not running distributed)."""
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def is_rank_zero() -> bool:
    return rank_and_world()[0] == 0


def _default_store() -> Any:
    from torch.distributed import distributed_c10d

    return distributed_c10d._get_default_store()


class RankExchange:
    """Small messages between ranks through the process group's store, never blocking a rank but rank 0 at the end."""

    def __init__(self, store: Any, rank: int, world_size: int, session: int, timeout: float) -> None:
        self.store = store
        self.rank = rank
        self.world_size = world_size
        self.prefix = f"nndoctor/{session}/"
        self.timeout = timeout
        self._posted = 0
        self._seen = {r: 0 for r in range(world_size)}

    @classmethod
    def open(cls, timeout: float = DEFAULT_TIMEOUT_S) -> "RankExchange | None":
        """The exchange for this session, or None when not distributed. Sessions are numbered in creation order on each rank."""
        rank, world = rank_and_world()
        if world <= 1:
            return None
        return cls(_default_store(), rank, world, next(_sessions), timeout)

    def post_alert(self, line: str) -> None:
        """Another rank's live alert, for rank 0 to print (a store round trip, no waiting on ranks)."""
        index = self._posted
        self._posted += 1
        self.store.set(f"{self.prefix}alert/{self.rank}/{index}", line)
        self.store.add(f"{self.prefix}alerts/{self.rank}", 1)

    def poll_alerts(self) -> list[str]:
        """Alerts other ranks posted since the last poll (rank 0; returns at once)."""
        lines = []
        for rank in range(1, self.world_size):
            count = int(self.store.add(f"{self.prefix}alerts/{rank}", 0))
            for index in range(self._seen[rank], count):
                lines.append(self.store.get(f"{self.prefix}alert/{rank}/{index}").decode("utf-8", "replace"))
            self._seen[rank] = count
        return lines

    def publish(self, summary: dict[str, Any]) -> None:
        self.store.set(f"{self.prefix}summary/{self.rank}", json.dumps(summary))

    def collect(self) -> dict[int, dict[str, Any] | None]:
        """Rank 0: every other rank's summary, waiting at most ``timeout`` in all; None for a rank that never reported."""
        deadline = time.monotonic() + self.timeout
        found: dict[int, dict[str, Any] | None] = {}
        for rank in range(1, self.world_size):
            key = f"{self.prefix}summary/{rank}"
            left = deadline - time.monotonic()
            try:
                if left > 0:
                    self.store.wait([key], timedelta(seconds=left))
                elif not self.store.check([key]):
                    raise TimeoutError(key)
                found[rank] = json.loads(self.store.get(key))
            except Exception:
                found[rank] = None
        return found


class _StoreStream:
    """A text stream whose lines become alerts posted to rank 0."""

    def __init__(self, exchange: RankExchange) -> None:
        self.exchange = exchange
        self._buffer = ""

    def write(self, text: str) -> int:
        self._buffer += text
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            try:
                self.exchange.post_alert(f"[rank {self.exchange.rank}] {line}")
            except Exception:
                pass
        return len(text)

    def flush(self) -> None:
        return None


def weight_fingerprint(models: Sequence[nn.Module]) -> list[float]:
    """[sum, sum of squares] of every parameter (float64): equal on replicas, one host transfer."""
    params = [p for model in models for p in model.parameters()]
    if not params:
        return []
    with torch.no_grad():
        parts = [torch.stack([p.detach().double().sum(), p.detach().double().square().sum()]).cpu() for p in params]
        return [float(v) for v in torch.stack(parts).sum(0).tolist()]


class DistributedDoctor(Doctor):
    """A :class:`Doctor` that also works under ``torch.distributed``; a plain Doctor when not distributed.

    ``timeout`` bounds how long rank 0 waits at the end for the other ranks' summaries.
    Only rank 0 prints alerts (its own and those other ranks post) and its
    :meth:`report` combines every rank.
    """

    def __init__(
        self,
        model: nn.Module | Sequence[nn.Module] | None = None,
        optimizer: torch.optim.Optimizer | Sequence[torch.optim.Optimizer] | None = None,
        every: int = DEFAULT_EVERY,
        alerts: bool = True,
        name: str = "watch",
        stream: Any = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.rank, self.world_size = rank_and_world()
        self.exchange: RankExchange | None = None
        self.peers: dict[int, dict[str, Any] | None] = {}
        self._start_weights: list[float] = []
        self._end_weights: list[float] = []
        self._poll_handle: Any = None
        self._alert_stream = stream
        try:
            self.exchange = RankExchange.open(timeout)
        except Exception as exc:
            self._exchange_error = f"{type(exc).__name__}: {exc}"
        else:
            self._exchange_error = None
        if self.rank != 0:
            stream = _StoreStream(self.exchange) if self.exchange is not None else None
            alerts = alerts and self.exchange is not None
        super().__init__(model, optimizer, every=every, alerts=alerts, name=name, stream=stream)
        if self._exchange_error:
            self.telemetry.limitation(f"ranks could not exchange statistics ({self._exchange_error}); each rank reports alone")

    def start(self) -> "DistributedDoctor":
        was_active = self.active
        super().start()
        if was_active:
            return self
        try:
            self._start_weights = weight_fingerprint(self.models)
            if self.rank == 0 and self.exchange is not None and self.optimizers and self._alerts is not None:
                from ..watch import hub  # through the hub: nothing is stored on the user's optimizer

                self._poll_handle = hub.attach("step_post", self.optimizers[0], self._poll_hook)
        except Exception as exc:
            self.internal_error("distributed-start", exc)
        return self

    def _poll_hook(self, optimizer: Any, args: Any, kwargs: Any) -> None:
        if self.telemetry.steps % self.every == 0:
            self._print_remote_alerts()

    def _print_remote_alerts(self) -> None:
        try:
            lines = self.exchange.poll_alerts() if self.exchange is not None else []
        except Exception as exc:
            self.internal_error("distributed-alerts", exc)
            return
        if lines:
            import sys

            stream = self._alert_stream or sys.stderr
            for line in lines:
                stream.write(line + "\n")
            stream.flush()

    def stop(self) -> None:
        if not self.active:
            return
        super().stop()
        if self._poll_handle is not None:
            self._poll_handle()
            self._poll_handle = None
        try:
            self._end_weights = weight_fingerprint(self.models)
        except Exception as exc:
            self.internal_error("distributed-end", exc)
        if self.exchange is None:
            return
        try:
            if self.rank == 0:
                self.peers = self.exchange.collect()
                if self._alerts is not None:
                    self._print_remote_alerts()
            else:
                self.exchange.publish(self.summary())
        except Exception as exc:
            self.internal_error("distributed-exchange", exc)

    def summary(self) -> dict[str, Any]:
        """What this rank tells rank 0: its findings and a few numbers to compare ranks (a few KB)."""
        t = self.telemetry
        finite = [v for v in t.train_loss if math.isfinite(v)]
        return {
            "rank": self.rank,
            "steps": t.steps,
            "findings": [f.to_dict() for f in Doctor.report(self).findings],
            "nonfinite": t.nonfinite,
            "grad_norms": [[s, v] for s, v in zip(t.grad_steps, t.total_grad_norm)],
            "start_weights": self._start_weights,
            "end_weights": self._end_weights,
            "final_loss": finite[-1] if finite else None,
            "exception": t.exception,
            "limitations": list(t.limitations),
        }

    def report(self) -> Report:
        """This rank's report; on rank 0 of a distributed run, the combined report of every rank."""
        local = super().report()
        info: dict[str, Any] = {"rank": self.rank, "world_size": self.world_size}
        if self.world_size > 1 and self.rank == 0 and not self.active and self.exchange is not None:
            try:
                return combine(local, self.summary(), self.peers, self.exchange.timeout)
            except Exception as exc:
                self.internal_error("distributed-combine", exc)
        local.extra["distributed"] = info
        return local


def _finding(data: dict[str, Any]) -> Finding:
    return Finding(
        data["code"], Severity(data["severity"]), data["message"], dict(data.get("evidence") or {}),
        data.get("location"), data.get("fix"), data.get("explained_by"),
    )


def _nonfinite_step(summary: dict[str, Any]) -> float:
    info = summary.get("nonfinite")
    return float(info["step"]) if info and info.get("step") is not None else math.inf


def combine(local: Report, own: dict[str, Any], peers: dict[int, dict[str, Any] | None], timeout: float) -> Report:
    """Rank 0's report for the whole run: each finding once, from the rank that shows it best, with every rank that saw it."""
    summaries = {0: own, **{r: s for r, s in peers.items() if s is not None}}
    missing = sorted(r for r, s in peers.items() if s is None)
    by_code: dict[str, dict[int, dict[str, Any]]] = {}
    for rank, summary in sorted(summaries.items()):
        for data in summary["findings"]:
            by_code.setdefault(data["code"], {}).setdefault(rank, data)
    findings: list[Finding] = []
    for code, per_rank in by_code.items():
        ranks = sorted(per_rank)
        nonfinite = {r: _nonfinite_step(summaries[r]) for r in ranks}
        if code == "O401" and any(math.isfinite(s) for s in nonfinite.values()):
            chosen = min(ranks, key=lambda r: (nonfinite[r], r))
        else:
            chosen = ranks[0]
        finding = _finding(per_rank[chosen])
        finding.evidence["rank"] = chosen
        finding.evidence["ranks"] = ranks
        if chosen != 0:
            finding.message = f"rank {chosen}: {finding.message}"
            finding.location = f"rank {chosen}" + (f", {finding.location}" if finding.location else "")
        findings.append(finding)
    agreement = replica_agreement(summaries)
    findings.extend(ranks_out_of_sync(_replicas(summaries)))
    from ..diagnosis import rank

    local.findings = rank(findings)
    limitations = list(local.extra.get("limitations") or [])
    for r in missing:
        limitations.append(f"rank {r} did not report within {timeout:g} s (it crashed or is still running): its statistics are missing")
    local.extra["limitations"] = limitations
    local.extra["distributed"] = {
        "rank": 0,
        "world_size": len(peers) + 1,
        "missing_ranks": missing,
        "ranks": [
            {"rank": r, "steps": s["steps"], "nonfinite_step": s["nonfinite"]["step"] if s.get("nonfinite") else None,
             "final_loss": s.get("final_loss"), "exception": s.get("exception"),
             "codes": [f["code"] for f in s["findings"]]}
            for r, s in sorted(summaries.items())
        ],
        "agreement": agreement,
    }
    return local


def _replicas(summaries: dict[int, dict[str, Any]]) -> Replicas:
    """T508's measurement: each rank's weight fingerprints at start and end and its gradient norms, as it reported them."""
    return Replicas({r: ReplicaState(start_weights=s.get("start_weights") or [], end_weights=s.get("end_weights") or [],
                                     grad_norms=s.get("grad_norms") or []) for r, s in summaries.items()})


def replica_agreement(summaries: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Do ranks that started as replicas (identical weights) still hold identical gradients and weights?"""
    return replica_agreement_of(_replicas(summaries))


# -- `nndoctor run` of a script that forks its own ranks (torch.multiprocessing) ----------------
_forking: dict[str, Any] = {}


def rank_summary(doctor: Doctor, rank: int, world_size: int) -> dict[str, Any]:
    """What one rank of a forked run tells the parent: the same summary a DistributedDoctor rank posts, plus its curves."""
    t = doctor.telemetry
    finite = [v for v in t.train_loss if math.isfinite(v)]
    report = Doctor.report(doctor)
    return {
        "rank": rank,
        "world_size": world_size,
        "steps": t.steps,
        "findings": [f.to_dict() for f in report.findings],
        "nonfinite": t.nonfinite,
        "grad_norms": [[s, v] for s, v in zip(t.grad_steps, t.total_grad_norm)],
        "start_weights": _fingerprint(doctor.weight_fingerprints(initial=True)),
        "end_weights": _fingerprint(doctor.weight_fingerprints(initial=False)),
        "final_loss": finite[-1] if finite else None,
        "exception": t.exception,
        "limitations": list(t.limitations),
        "telemetry": report.telemetry,
        "setup": report.setup,
    }


def _fingerprint(per_tensor: dict[str, tuple[float, float]]) -> list[float]:
    """[sum, sum of squares] over every watched trainable tensor: equal on replicas."""
    if not per_tensor:
        return []
    return [math.fsum(v[0] for v in per_tensor.values()), math.fsum(v[1] for v in per_tensor.values())]


class ForkedRanks:
    """While ``nndoctor run`` runs a script: ranks it forks (torch.multiprocessing, start method fork) report to it.

    A forked child inherits the running Doctor with its hooks. When that child joined a
    process group and trained, it writes its rank summary into a private folder as it
    exits (multiprocessing's own exit finalizers, which also run when the rank raised);
    the parent reads the folder when the script ends. Children that never stepped an
    optimizer (DataLoader workers) write nothing.
    """

    def __init__(self, doctor: Doctor) -> None:
        import tempfile

        self.doctor = doctor
        self.folder = tempfile.mkdtemp(prefix="nndoctor-ranks-")
        self.spawned = 0  # processes started fresh (start method spawn or forkserver): they run without nndoctor
        self._start: Any = None

    def __enter__(self) -> "ForkedRanks":
        import multiprocessing.process
        import multiprocessing.util

        _forking["folder"] = self.folder
        multiprocessing.util.register_after_fork(self.doctor, _after_fork)
        original = self._start = multiprocessing.process.BaseProcess.start
        ranks = self

        def start(process: Any) -> None:  # counts, then starts exactly as multiprocessing would
            if getattr(process, "_start_method", None) in ("spawn", "forkserver"):
                ranks.spawned += 1
            return original(process)

        multiprocessing.process.BaseProcess.start = start
        return self

    def __exit__(self, *exc: Any) -> None:
        import multiprocessing.process

        _forking.pop("folder", None)
        if self._start is not None:
            multiprocessing.process.BaseProcess.start = self._start
            self._start = None

    def collect(self) -> list[dict[str, Any]]:
        """The summaries ranks left (each rank once, lowest rank first); the folder is removed."""
        import os
        import shutil

        found: dict[int, dict[str, Any]] = {}
        try:
            for name in sorted(os.listdir(self.folder)):
                if name.endswith(".json"):
                    with open(os.path.join(self.folder, name)) as handle:
                        summary = json.load(handle)
                    found.setdefault(int(summary["rank"]), summary)
        except Exception as exc:
            self.doctor.internal_error("ranks-collect", exc)
        shutil.rmtree(self.folder, ignore_errors=True)
        return [found[r] for r in sorted(found)]


def _after_fork(doctor: Doctor) -> None:
    """In a child multiprocessing just forked: report at exit if this process turns out to be a training rank."""
    import multiprocessing.util

    folder = _forking.get("folder")
    if folder is None or not doctor.active or sum(doctor.telemetry.optimizer_steps.values()) > 0:
        return  # not under `nndoctor run`, or a helper forked from a process that trains itself
    multiprocessing.util.Finalize(doctor, _rank_exit, args=(doctor, folder), exitpriority=100)


def _rank_exit(doctor: Doctor, folder: str) -> None:
    import os

    rank, world = doctor.distributed or (None, 1)
    if rank is None or world <= 1 or sum(doctor.telemetry.optimizer_steps.values()) == 0:
        return
    try:
        doctor.stop()
        summary = rank_summary(doctor, rank, world)
        path = os.path.join(folder, f"rank{rank}-{os.getpid()}.json")
        with open(path + ".tmp", "w") as handle:
            json.dump(summary, handle, default=str)
        os.replace(path + ".tmp", path)
    except Exception:  # a rank's report must never change how the rank exits
        pass


def combine_ranks(local: Report, summaries: list[dict[str, Any]]) -> Report:
    """The parent's report for a script whose forked ranks trained: the ranks' findings combined, rank 0's curves."""
    own, peers = summaries[0], {s["rank"]: s for s in summaries[1:]}
    world = max(int(s.get("world_size") or 1) for s in summaries)
    for rank in range(world):
        if rank != own["rank"] and rank not in peers:
            peers[rank] = None
    report = combine(local, own, peers, 0)
    report.telemetry = own.get("telemetry") or report.telemetry
    report.setup = {**(own.get("setup") or {}), "name": local.setup.get("name"), "ranks": world}
    missing = [r for r, s in peers.items() if s is None]
    report.extra["limitations"] = [text for text in report.extra.get("limitations", []) if "did not report" not in text] + [
        f"rank {r} left no report (it crashed before the end or was not started by fork)" for r in missing]
    return report


def watch(
    model: nn.Module | Sequence[nn.Module] | None = None,
    optimizer: torch.optim.Optimizer | Sequence[torch.optim.Optimizer] | None = None,
    every: int = DEFAULT_EVERY,
    alerts: bool = True,
    name: str = "watch",
    stream: Any = None,
    timeout: float = DEFAULT_TIMEOUT_S,
) -> DistributedDoctor:
    """``nndoctor.watch`` for DDP runs: call it on every rank; rank 0's ``report()`` covers all of them.

    ``with watch(ddp_model, optimizer) as doctor: ...`` then, on rank 0,
    ``doctor.report().save_json(...)``. Outside ``torch.distributed`` it is plain watch.
    """
    return DistributedDoctor(model, optimizer, every=every, alerts=alerts, name=name, stream=stream, timeout=timeout)
