"""DDP runs on CPU with the gloo backend: each rank records, rank 0 reports for all.

Every run is a separate Python process tree (torch.multiprocessing, 2 ranks) under
a subprocess timeout, so a hang fails the test instead of blocking the suite.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from nndoctor.integrations.distributed import DistributedDoctor, RankExchange, rank_and_world, replica_agreement

pytestmark = pytest.mark.skipif(not torch.distributed.is_available(), reason="torch.distributed is not available")

RUN_TIMEOUT_S = 120
NAN_STEP = 12

WORKER = textwrap.dedent(
    """
    import os, sys
    from datetime import timedelta
    import torch, torch.distributed as dist, torch.multiprocessing as mp
    from torch import nn
    import torch.nn.functional as F
    from torch.nn.parallel import DistributedDataParallel as DDP
    import torch._dynamo  # DDP imports it lazily: once here, not once per forked rank
    import nndoctor
    from nndoctor.integrations.distributed import watch
    import nndoctor.watch.live_rules

    def blobs(n, seed):
        g = torch.Generator().manual_seed(seed)
        centres = 2.0 * torch.randn(3, 10, generator=g)
        y = torch.randint(0, 3, (n,), generator=g)
        return centres[y] + torch.randn(n, 10, generator=g), y

    def mlp(seed):
        torch.manual_seed(seed)
        return nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 3))

    MODE, PORT, OUT = sys.argv[1], sys.argv[2], sys.argv[3]

    def run(rank, world):
        os.environ["MASTER_ADDR"] = "127.0.0.1"
        os.environ["MASTER_PORT"] = PORT
        dist.init_process_group("gloo", rank=rank, world_size=world, timeout=timedelta(seconds=60))
        torch.set_num_threads(1)
        x, y = blobs(640, seed=0)
        x, y = x[rank::world], y[rank::world]
        model = mlp(seed=0 if MODE == "unsynced" else rank)  # DDP must broadcast rank 0's weights
        net = model if MODE == "unsynced" else DDP(model)
        opt = torch.optim.Adam(net.parameters(), lr=1e-2)
        gen = torch.Generator().manual_seed(100 + rank)
        timeout = float(os.environ.get("NNDOCTOR_TIMEOUT", "30"))
        # plain nndoctor.watch inside a process group must hand back the distributed doctor by itself
        doctor = nndoctor.watch(net, opt, every=5) if MODE == "healthy" else watch(net, opt, every=5, timeout=timeout)
        with doctor:
            for step in range(60):
                idx = torch.randint(0, len(x), (32,), generator=gen)
                xb, yb = x[idx].clone(), y[idx]
                if MODE == "nan" and rank == 1 and step == {nan_step}:
                    xb[0, 0] = float("nan")
                loss = F.cross_entropy(net(xb), yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
            if MODE == "lost" and rank == 1:
                os._exit(0)  # a rank that dies before nndoctor could report
        report = doctor.report()
        if rank == 0:
            report.save_json(os.path.join(OUT, "report.json"))
        dist.destroy_process_group()

    if __name__ == "__main__":
        mp.start_processes(run, args=(2,), nprocs=2, join=True, start_method="fork")
    """
).format(nan_step=NAN_STEP)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_ddp(tmp_path: Path, mode: str, timeout_s: float = 30.0) -> tuple[dict, str, float]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    env = {**os.environ, "NNDOCTOR_TIMEOUT": str(timeout_s), "OMP_NUM_THREADS": "1"}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(script), mode, str(free_port()), str(tmp_path)],
        capture_output=True, text=True, timeout=RUN_TIMEOUT_S, env=env,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((tmp_path / "report.json").read_text()), done.stderr, elapsed


def warning_codes(report: dict) -> set[str]:
    return {f["code"] for f in report["findings"] if f["severity"] in ("warning", "error")}


def test_nan_on_rank_one_is_reported_by_rank_zero(tmp_path: Path) -> None:
    report, stderr, _ = run_ddp(tmp_path, "nan")
    nonfinite = next(f for f in report["findings"] if f["code"] == "O401")
    assert nonfinite["evidence"]["rank"] == 1
    assert nonfinite["evidence"]["step"] == NAN_STEP
    assert nonfinite["message"].startswith("rank 1: ")
    ranks = {r["rank"]: r for r in report["distributed"]["ranks"]}
    assert ranks[1]["nonfinite_step"] == NAN_STEP
    # the all-reduce spreads rank 1's NaN gradient: rank 0's own loss turns NaN one step later
    assert ranks[0]["nonfinite_step"] == NAN_STEP + 1
    assert report["findings"][0]["code"] in ("O401", "D104")
    # rank 1's live alert reached the terminal through rank 0, and only once
    assert stderr.count("[rank 1] nndoctor:") >= 1
    assert report["distributed"]["missing_ranks"] == []


def test_healthy_ddp_run_is_silent_and_does_not_hang(tmp_path: Path) -> None:
    report, stderr, elapsed = run_ddp(tmp_path, "healthy")
    assert warning_codes(report) == set(), report["findings"]
    assert "nndoctor:" not in stderr
    assert report["distributed"]["world_size"] == 2 and report["distributed"]["missing_ranks"] == []
    assert report["distributed"]["agreement"] == {"replicas": True, "disagree": False}
    assert all(r["steps"] == 60 for r in report["distributed"]["ranks"])
    assert elapsed < RUN_TIMEOUT_S / 2


def test_ranks_training_separate_replicas_are_reported(tmp_path: Path) -> None:
    report, _, _ = run_ddp(tmp_path, "unsynced")
    finding = next(f for f in report["findings"] if f["code"] == "T508")
    assert finding["severity"] == "error"
    assert finding["evidence"]["kind"] == "gradients"
    norms = finding["evidence"]["grad_norms"]
    assert set(norms) == {"0", "1"} and norms["0"] != norms["1"]


def test_a_rank_that_dies_costs_rank_zero_at_most_the_timeout(tmp_path: Path) -> None:
    report, _, elapsed = run_ddp(tmp_path, "lost", timeout_s=3.0)
    assert report["distributed"]["missing_ranks"] == [1]
    assert any("rank 1 did not report within 3 s" in text for text in report["limitations"])
    assert elapsed < RUN_TIMEOUT_S / 2


FORKING_SCRIPT = textwrap.dedent(
    """
    import os, socket, sys
    from datetime import timedelta
    import torch, torch.distributed as dist, torch.multiprocessing as mp
    from torch import nn
    import torch.nn.functional as F
    from torch.nn.parallel import DistributedDataParallel as DDP

    def worker(rank, world, synced):
        dist.init_process_group("gloo", rank=rank, world_size=world, timeout=timedelta(seconds=60))
        torch.set_num_threads(1)
        torch.manual_seed(0)
        g = torch.Generator().manual_seed(0)
        centres = 2.0 * torch.randn(3, 10, generator=g)
        y = torch.randint(0, 3, (640,), generator=g)
        x = centres[y] + torch.randn(640, 10, generator=g)
        x, y = x[rank::world], y[rank::world]
        model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
        net = DDP(model) if synced else model
        opt = torch.optim.Adam(net.parameters(), lr=1e-2)
        gen = torch.Generator().manual_seed(100 + rank)
        for step in range(60):
            idx = torch.randint(0, len(x), (32,), generator=gen)
            opt.zero_grad()
            F.cross_entropy(net(x[idx]), y[idx]).backward()
            opt.step()
        dist.destroy_process_group()

    if __name__ == "__main__":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
        mp.start_processes(worker, args=(2, sys.argv[1] == "ddp"), nprocs=2, join=True, start_method="fork")
    """
)


def run_forking(tmp_path: Path, mode: str) -> dict:
    script = tmp_path / "forks_ranks.py"
    script.write_text(FORKING_SCRIPT)
    out = tmp_path / f"{mode}.json"
    done = subprocess.run(
        [sys.executable, "-m", "nndoctor.cli", "run", "--json", str(out), str(script), mode],
        capture_output=True, text=True, timeout=RUN_TIMEOUT_S, env={**os.environ, "OMP_NUM_THREADS": "1"}, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text())


def test_nndoctor_run_hears_the_ranks_a_script_forks(tmp_path: Path) -> None:
    unsynced = run_forking(tmp_path, "plain")
    assert unsynced["findings"][0]["code"] == "T508", unsynced["findings"]
    assert unsynced["findings"][0]["evidence"]["kind"] == "gradients"
    assert [r["rank"] for r in unsynced["distributed"]["ranks"]] == [0, 1]
    assert unsynced["telemetry"]["steps"] == 60  # rank 0's curves, not the launcher's empty ones
    synced = run_forking(tmp_path, "ddp")
    assert warning_codes(synced) == set(), synced["findings"]
    assert synced["distributed"]["agreement"] == {"replicas": True, "disagree": False}
    assert synced["distributed"]["missing_ranks"] == []


def test_replica_agreement_compares_against_an_independent_calculation() -> None:
    same = {"start_weights": [10.0, 5.0], "end_weights": [11.0, 6.0], "grad_norms": [[1, 2.0], [5, 1.5]]}
    assert replica_agreement({0: same, 1: dict(same)}) == {"replicas": True, "disagree": False}
    drifted = {**same, "grad_norms": [[1, 2.0], [5, 1.5 * (1 + 1e-3)]]}
    result = replica_agreement({0: same, 1: drifted})
    assert result["disagree"] and result["kind"] == "gradients" and result["step"] == 5
    rounding = {**same, "grad_norms": [[1, 2.0], [5, 1.5 * (1 + 1e-7)]]}
    assert not replica_agreement({0: same, 1: rounding})["disagree"]
    sharded = {**same, "start_weights": [3.0, 1.0]}
    assert replica_agreement({0: same, 1: sharded}) == {"replicas": False, "disagree": False}


def test_outside_torch_distributed_it_is_plain_watch() -> None:
    assert rank_and_world() == (0, 1)
    assert RankExchange.open() is None
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with DistributedDoctor(model, opt, alerts=False) as doctor:
        for _ in range(3):
            loss = model(torch.randn(8, 3)).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    report = doctor.report()
    assert report.extra["distributed"] == {"rank": 0, "world_size": 1}
    assert report.telemetry["steps"] == 3
