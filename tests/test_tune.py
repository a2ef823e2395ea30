"""nndoctor tune (issue 16): Optuna search with a doctor in every trial.

Tiny MLPs on scikit-learn's breast-cancer data, 30-40 steps a trial. Covered: the command on a
spec file and its resume, two worker processes on one SQLite study, doctor pruning of diverging
LRs (O401 as the reason, healthy LRs never doctor-pruned), a data fault stopping the study,
PostgreSQL storage (when Debian's server and psycopg are present), the demo, bad input.
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

optuna = pytest.importorskip("optuna", reason="nndoctor tune needs the optional extra nndoctor[tune] (optuna)")

import nndoctor
from nndoctor.cli import main
from nndoctor.tune.space import grid_of, suggest

SRC = str(Path(nndoctor.__file__).resolve().parents[1])

SPEC = textwrap.dedent('''
    import numpy as np, torch
    from torch import nn
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler
    import nndoctor

    x, y = load_breast_cancer(return_X_y=True)
    x = StandardScaler().fit_transform(x).astype(np.float32)
    y = y.astype(np.int64)
    STEPS = 30
    SPACE = {"lr": (0.01, 0.3, "log"), "width": [8, 16]}

    def setup(lr, width):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(30, width), nn.ReLU(), nn.Linear(width, 2))
        return nndoctor.Setup(model=model, train=(x[:450], y[:450]), val=(x[450:], y[450:]),
                              loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9))
''')


def _data(shuffle_labels: bool = False):
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    x, y = load_breast_cancer(return_X_y=True)
    x = StandardScaler().fit_transform(x).astype(np.float32)
    y = y.astype(np.int64)
    if shuffle_labels:
        y = np.random.default_rng(0).permutation(y)
    return x, y


def mlp_setup(lr: float, shuffle_labels: bool = False) -> nndoctor.Setup:
    x, y = _data(shuffle_labels)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 2))
    return nndoctor.Setup(model=model, train=(x[:450], y[:450]), val=(x[450:], y[450:]), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9))


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec.py"
    path.write_text(SPEC)
    return path


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), "OMP_NUM_THREADS": "1"}


def test_command_on_a_spec_file_writes_the_record_and_resumes(spec: Path, tmp_path: Path, capsys):
    out = tmp_path / "tune.json"
    assert main(["tune", str(spec), "--trials", "2", "--json", str(out), "--html", str(tmp_path / "tune.html")]) == 0
    storage = f"sqlite:///{spec.resolve()}.nndoctor-tune.db"
    assert len(optuna.load_study(study_name="spec", storage=storage).trials) == 2
    record = json.loads(out.read_text())
    assert record["counts"]["complete"] == 2 and record["best"]["code"].startswith("# best of the study")
    trial = record["trials"][0]
    assert set(trial["params"]) == {"lr", "width"} and trial["seed"] == 0 and trial["steps"] == 30
    assert trial["curve"][-1][0] == 30 and 0.5 < trial["curve"][-1][1] <= 1.0
    assert "Best configuration" in capsys.readouterr().out
    assert "<svg" in (tmp_path / "tune.html").read_text()
    # The same command continues the same study.
    assert main(["tune", str(spec), "--trials", "2"]) == 0
    study = optuna.load_study(study_name="spec", storage=storage)
    assert len(study.trials) == 4
    assert [t.user_attrs["seed"] for t in study.trials] == [0, 1, 2, 3]


def test_two_worker_processes_share_one_sqlite_study(spec: Path, tmp_path: Path):
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    command = [sys.executable, "-m", "nndoctor.cli", "tune", str(spec), "--trials", "2", "--storage", storage, "--study", "shared"]
    workers = [subprocess.Popen(command, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for worker in workers:
        _, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err
    study = optuna.load_study(study_name="shared", storage=storage)
    assert len(study.trials) == 4
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    assert sorted(t.number for t in study.trials) == [0, 1, 2, 3]


def test_doctor_prunes_diverging_learning_rates_with_o401_and_spares_healthy_ones():
    result = nndoctor.tune(lambda lr: mlp_setup(lr), {"lr": [0.05, 30.0]}, trials=4, steps=40, sampler="grid")
    by_lr = {t.params["lr"]: t for t in result.study.trials}
    diverging, healthy = by_lr[30.0], by_lr[0.05]
    assert diverging.state == optuna.trial.TrialState.PRUNED
    assert diverging.user_attrs["pruned_by"] == "O401"
    assert diverging.user_attrs["steps"] < 40  # stopped at once, not trained to the end
    assert healthy.state == optuna.trial.TrialState.COMPLETE and "pruned_by" not in healthy.user_attrs
    assert healthy.value > 0.9
    summary = result.summary()
    assert summary["pruned"] == [{"number": diverging.number, "by": "O401", "because": diverging.user_attrs["pruned_because"],
                                  "step": diverging.user_attrs["steps"]}]


def test_a_data_fault_stops_the_study_with_the_finding():
    result = nndoctor.tune(lambda lr: mlp_setup(lr, shuffle_labels=True), {"lr": (0.01, 0.1, "log")}, trials=5, steps=30)
    assert result.stopped is not None and result.stopped.code == "D111"
    assert len(result.study.trials) == 1  # no trial after the fault was found
    assert result.summary()["stopped_by"]["code"] == "D111"


def test_the_command_exits_1_and_names_the_fault(tmp_path: Path, capsys):
    path = tmp_path / "faulty.py"
    path.write_text(SPEC.replace("y = y.astype(np.int64)", "y = np.random.default_rng(0).permutation(y.astype(np.int64))"))
    assert main(["tune", str(path), "--trials", "3"]) == 1
    assert "Study stopped by D111" in capsys.readouterr().out


def test_tune_on_the_demo(capsys):
    assert main(["tune", "--demo", "--trials", "2", "--steps", "30"]) == 0
    assert "Best configuration" in capsys.readouterr().out


def test_dict_space_becomes_suggest_calls_and_a_grid():
    space = {"lr": (1e-4, 1e-1, "log"), "depth": (1, 3), "p": (0.0, 0.5), "bs": [16, 32]}
    trial = optuna.trial.FixedTrial({"lr": 1e-3, "depth": 2, "p": 0.1, "bs": 32})
    assert suggest(trial, space) == {"lr": 1e-3, "depth": 2, "p": 0.1, "bs": 32}
    grid = grid_of(space)
    assert grid["bs"] == [16, 32] and grid["depth"] == [1, 2, 3]
    assert np.allclose(grid["lr"], [1e-4, 1e-3, 1e-2, 1e-1]) and np.allclose(grid["p"], [0.0, 1 / 6, 1 / 3, 0.5], atol=1e-3)


@pytest.mark.parametrize("text, message", [
    ("def setup(lr): pass\n", "defines no search space"),
    ("SPACE = {'lr': (1, 'x')}\ndef setup(lr): pass\n", "is not a range"),
    ("SPACE = {'lr': [0.1]}\n", "defines no function setup"),
])
def test_bad_spec_gives_one_paragraph(tmp_path: Path, capsys, text: str, message: str):
    path = tmp_path / "bad.py"
    path.write_text(text)
    assert main(["tune", str(path), "--trials", "1"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres(tmp_path_factory):
    """A throwaway PostgreSQL server from Debian's packages (runs as user postgres when the tests run as root)."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL storage test skipped: no initdb/pg_ctl under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    pytest.importorskip("psycopg", reason="PostgreSQL storage test skipped: psycopg is not installed (pip install 'psycopg[binary]')")
    root = tmp_path_factory.mktemp("pg")
    data, port = root / "data", _free_port()
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("PostgreSQL storage test skipped: running as root and no runuser to start the server as user postgres")
        shutil.chown(root, "postgres")
        os.chmod(root, 0o755)
        for parent in root.parents:  # the postgres user must reach the folder
            if str(parent).startswith(("/tmp", str(tmp_path_factory.getbasetemp()))):
                os.chmod(parent, os.stat(parent).st_mode | 0o005)
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run(prefix + [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "tune"], check=True, capture_output=True, timeout=120)
    subprocess.run(prefix + [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", f"-p {port} -k {root} -h 127.0.0.1", "-l", str(root / "log"), "-w", "start"],
                   check=True, capture_output=True, timeout=120)
    try:
        yield f"postgresql+psycopg://tune@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(prefix + [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], check=False, capture_output=True, timeout=120)


def test_postgresql_storage(spec: Path, postgres: str):
    assert main(["tune", str(spec), "--trials", "2", "--storage", postgres, "--study", "pg"]) == 0
    assert main(["tune", str(spec), "--trials", "1", "--storage", postgres, "--study", "pg"]) == 0
    assert len(optuna.load_study(study_name="pg", storage=postgres).trials) == 3
