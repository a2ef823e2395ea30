"""`nndoctor run` on healthy scripts written like PyTorch's official examples (issue 13).

Each script in tests/scripts/examples/ is run twice in a subprocess: as ``python SCRIPT``
and as ``nndoctor run --json OUT SCRIPT``. nndoctor prints its live alerts and its report
to stderr (cli.cmd_run: ``report.print(Console(stderr=True))``), so the script's stdout
must come back byte for byte, with the same exit status. The healthy scripts must get no
finding at warning or worse and must be seen training (telemetry steps > 0). The
failing script must print the same traceback as plain Python.

The two runs of a script are made once and shared by the tests on it; runs are
sequential (CI has two cores), with OMP_NUM_THREADS=1 and PYTHONHASHSEED=0.
"""
from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent / "scripts" / "examples"

HEALTHY = {
    "sgd_by_hand": ("sgd_by_hand.py",),
    "save_whole_model": ("save_whole_model.py",),
    "ema_deepcopy": ("ema_deepcopy.py",),
    "mnist_style_nll": ("mnist_style_nll.py",),
    "word_lm": ("word_lm.py",),
    "huber_raw_targets": ("huber_raw_targets.py",),
    "adamw_cosine": ("adamw_cosine.py",),
    "lbfgs_sine": ("lbfgs_sine.py",),
    "mixup": ("mixup.py",),
    "label_smoothing": ("label_smoothing.py",),
    "vae": ("vae.py",),
    "resnet_zero_init": ("resnet_zero_init.py",),
}
FAILING = {
    "fails_in_backward": ("fails_on_purpose.py", "--where", "backward"),
    "fails_in_loss": ("fails_on_purpose.py", "--where", "loss"),
}
ALL = {**HEALTHY, **FAILING}


@dataclass
class Runs:
    plain: subprocess.CompletedProcess
    watched: subprocess.CompletedProcess
    report: dict | None


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}


@functools.cache
def runs(name: str) -> Runs:
    """Run the script plainly and under nndoctor (once per session)."""
    script, *args = ALL[name]
    path = str(EXAMPLES / script)
    with tempfile.TemporaryDirectory() as tmp:
        plain = subprocess.run([sys.executable, path, *args], capture_output=True, text=True, cwd=tmp, env=_env(), timeout=120, check=False)
        out = Path(tmp) / "report.json"
        watched = subprocess.run([sys.executable, "-m", "nndoctor.cli", "run", "--json", str(out), path, *args],
                                 capture_output=True, text=True, cwd=tmp, env=_env(), timeout=180, check=False)
        report = json.loads(out.read_text()) if out.is_file() else None
    return Runs(plain, watched, report)


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


@pytest.mark.parametrize("name", list(ALL))
def test_same_stdout_and_exit_status(name):
    r = runs(name)
    assert r.watched.stdout == r.plain.stdout, f"stdout differs; watched stderr:\n{_tail(r.watched.stderr)}"
    assert r.watched.returncode == r.plain.returncode, f"watched stderr:\n{_tail(r.watched.stderr)}"
    assert r.plain.returncode == (1 if name in FAILING else 0), r.plain.stderr


@pytest.mark.parametrize("name", list(HEALTHY))
def test_healthy_script_gets_no_warning(name):
    r = runs(name)
    assert r.report is not None, f"no JSON report; watched stderr:\n{_tail(r.watched.stderr)}"
    loud = [f"{f['code']} [{f['severity']}] {f.get('name', '')}: {f.get('message', '')}"
            for f in r.report["findings"] if f["severity"] in ("warning", "error")]
    assert loud == [], "\n".join(loud)


@pytest.mark.parametrize("name", list(ALL))
def test_run_is_seen_training(name):
    r = runs(name)
    assert r.report is not None, f"no JSON report; watched stderr:\n{_tail(r.watched.stderr)}"
    telemetry = r.report["telemetry"]
    assert telemetry["steps"] > 0, (f"steps={telemetry['steps']}, optimizer={r.report['setup'].get('optimizer')}, "
                                    f"limitations={r.report.get('limitations')}")


def _traceback(stderr: str) -> list[str]:
    """From 'Traceback (most recent call last):' to the exception line (the first unindented line after it)."""
    lines = stderr.splitlines()
    start = lines.index("Traceback (most recent call last):")
    end = next(i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith(" "))
    return lines[start:end + 1]


@pytest.mark.parametrize("name", list(FAILING))
def test_same_traceback(name):
    r = runs(name)
    plain = _traceback(r.plain.stderr)
    watched = _traceback(r.watched.stderr)
    assert watched == plain, "\n".join(["plain:", *plain, "", "watched:", *watched])
