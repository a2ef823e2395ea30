"""`nndoctor run SCRIPT ARGS`: runs like `python SCRIPT ARGS`, keeps its exit status, reports even on a crash."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent / "scripts" / "train.py"
ROOT = Path(__file__).resolve().parent.parent


def run(tmp_path, *args, options=()):
    out = tmp_path / "report.json"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "nndoctor.cli", "run", "--json", str(out), *options, str(SCRIPT), *args],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    report = json.loads(out.read_text()) if out.is_file() else None
    return done, report


def test_script_sees_main_its_argv_and_folder_and_keeps_exit_status(tmp_path):
    done, report = run(tmp_path, "--show", "--exit", "3", "--task", "regression")
    shown = json.loads(done.stdout.splitlines()[0])
    assert shown == {"name": "__main__", "argv": [str(SCRIPT), "--show", "--exit", "3", "--task", "regression"],
                     "path0": str(SCRIPT.parent)}
    assert done.returncode == 3
    assert report["mode"] == "watch" and report["telemetry"]["steps"] == 300
    assert [f for f in report["findings"] if f["severity"] != "info"] == []


def test_raising_script_prints_its_traceback_and_still_reports(tmp_path):
    done, report = run(tmp_path, "--task", "regression", "--fault", "diverge")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    start = lines.index("Traceback (most recent call last):")
    assert f'File "{SCRIPT}"' in lines[start + 1]
    assert "FloatingPointError: loss is NaN" in done.stderr
    assert "nndoctor" not in "".join(lines[start:start + 3])
    assert report["findings"][0]["code"] == "O401"
    assert report["findings"][0]["message"].startswith("step ")
    assert "loss became NaN" in done.stderr or "loss became" in done.stderr  # live alert


def test_fail_on_overrides_the_script_status(tmp_path):
    done, report = run(tmp_path, "--fault", "missing_zero_grad", options=("--fail-on", "warning"))
    assert done.returncode == 1  # the script itself exits 0
    assert "T501" in [f["code"] for f in report["findings"]]
