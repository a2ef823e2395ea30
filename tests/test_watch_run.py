"""`nndoctor run SCRIPT ARGS`: runs like `python SCRIPT ARGS`, keeps its exit status, reports even on a crash."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


# --- the user's traceback, exactly as `python script.py` prints it (issue 13, item 3) -----------------------------

LOOP = '''import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(0)
inputs = torch.randn(100, 12)
labels = (inputs[:, 0] > 0).long()
{model}
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
criterion = nn.CrossEntropyLoss()

for epoch in range(2):
    for i in range(0, len(inputs), 32):
        data, target = inputs[i:i + 32], labels[i:i + 32]
        optimizer.zero_grad()
        output = model(data)
        {loss}
        {backward}
        optimizer.step()
{after}
'''

MLP = "model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 2))"

NET = '''class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(12, 32)
        self.fc2 = nn.Linear(32, 2)

    def forward(self, x):
        x = x.view(32, -1)  # the batch size written in by hand: the last, smaller batch breaks it
        return self.fc2(F.relu(self.fc1(x)))


model = Net()'''

FAILING = {
    # a loss tensor kept from a previous step: the second backward through a freed graph raises inside backward()
    "inside backward": dict(model=MLP, loss="loss = criterion(output, target) if i == 0 else loss",
                            backward="loss.backward()", after=""),
    # the model's own forward raises on the last batch, through nn.Module's call machinery
    "inside forward": dict(model=NET, loss="loss = criterion(output, target)", backward="loss.backward()", after=""),
    # the user hooks the model too: PyTorch's hook dispatch is theirs and stays in the traceback
    "inside forward, user hook": dict(model=NET + "\nmodel.register_forward_hook(lambda m, i, o: None)",
                                      loss="loss = criterion(output, target)", backward="loss.backward()", after=""),
    # labels 1..2 for 2 classes: F.cross_entropy rejects the target
    "inside a loss function": dict(model=MLP, loss="loss = F.cross_entropy(output, target + 1 if epoch else target)",
                                   backward="loss.backward()", after=""),
    # chained: the script wraps the error; both parts of the chain must be the user's
    "chained": dict(model=MLP, loss="loss = criterion(output, target) if i == 0 else loss",
                    backward="try:\n            loss.backward()\n        except RuntimeError as exc:\n"
                             "            raise RuntimeError('training failed') from exc", after=""),
    "plain raise": dict(model=MLP, loss="loss = criterion(output, target)", backward="loss.backward()",
                        after="raise FileNotFoundError('checkpoints/ does not exist')"),
}


def both_ways(tmp_path, source: str, name: str = "train_loop.py", plain: bool = True, options: tuple[str, ...] = ()):
    """(python script.py, nndoctor run script.py, its JSON report) of the same script, in subprocesses."""
    script = tmp_path / name
    script.write_text(source)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    if plain:
        plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    out = tmp_path / "report.json"
    watched = subprocess.run([sys.executable, "-m", "nndoctor.cli", "run", "--json", str(out), *options, str(script)],
                             capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    return plain, watched, json.loads(out.read_text())


def printed_error(plain_stderr: str, watched_stderr: str) -> tuple[list[str], list[str]]:
    """Python's own error output, and the same number of lines of the watched run from where it starts."""
    expected = plain_stderr.splitlines()
    lines = watched_stderr.splitlines()
    start = lines.index(expected[0]) if expected and expected[0] in lines else 0
    return expected, lines[start:start + len(expected)]


@pytest.mark.parametrize("case", list(FAILING))
def test_the_scripts_traceback_is_the_one_python_prints(tmp_path, case):
    plain, watched, report = both_ways(tmp_path, LOOP.format(**FAILING[case]))
    assert plain.returncode == watched.returncode == 1
    expected, got = printed_error(plain.stderr, watched.stderr)
    assert expected[0] == "Traceback (most recent call last):"
    assert got == expected
    assert "nndoctor" not in "\n".join(got)
    assert report["mode"] == "watch" and report["exception"]


def test_a_syntax_error_prints_what_python_prints_and_gets_no_verdict(tmp_path):
    plain, watched, report = both_ways(tmp_path, "import torch\n\nfor step in range(3):\n    print(step\n",
                                       options=("--html", str(tmp_path / "report.html")))
    assert plain.returncode == watched.returncode == 1
    expected, got = printed_error(plain.stderr, watched.stderr)
    assert "SyntaxError" in expected[-1] and got == expected
    assert "Traceback" not in watched.stderr
    assert report["trained"] is False
    assert report["did_not_train"].startswith("SyntaxError at line 4")
    assert report["verdict"].startswith("Did not train") and "Healthy" not in watched.stderr
    assert "Did not train: SyntaxError at line 4" in watched.stderr
    html = (tmp_path / "report.html").read_text()
    assert 'class="verdict v-none"' in html and "<p>Did not train: SyntaxError at line 4" in html
    assert "Healthy" not in html and "healthy" not in html


# --- a script that never trained gets no verdict (issue 13, item 5) -------------------------------------------------

def test_an_error_before_the_first_step_is_reported_as_did_not_train(tmp_path):
    source = LOOP.format(model=MLP, loss="loss = criterion(output, target)", backward="loss.backward()", after="")
    source = source.replace("for epoch in range(2):", "inputs = torch.load('data/train.pt')\nfor epoch in range(2):")
    plain, watched, report = both_ways(tmp_path, source)
    assert plain.returncode == watched.returncode == 1
    expected, got = printed_error(plain.stderr, watched.stderr)
    assert got == expected
    assert report["trained"] is False
    assert report["did_not_train"].startswith("FileNotFoundError raised before the first training step")
    assert report["verdict"] == f"Did not train: {report['did_not_train']}"


def test_a_loop_that_never_steps_its_optimizer_did_not_train_and_keeps_exit_0(tmp_path):
    source = LOOP.format(model=MLP, loss="loss = criterion(output, target)", backward="loss.backward()", after="")
    source = source.replace("        optimizer.step()\n", "")  # the update forgotten
    _, watched, report = both_ways(tmp_path, source, plain=False)
    assert watched.returncode == 0  # the script's own status
    assert report["trained"] is False
    assert report["did_not_train"] == "no optimizer step and no parameter update seen"
    assert "Healthy" not in report["verdict"] and "Did not train" in watched.stderr

