"""The command line: exit statuses, one-paragraph errors, the rule catalog."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nndoctor.catalog import RULES
from nndoctor.cli import main

RULES_MD = Path(__file__).resolve().parents[2] / "shared" / "RULES.md"


def test_rules_lists_every_code(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for rule in RULES:
        assert rule.code in out


@pytest.mark.skipif(not RULES_MD.exists(), reason="shared/RULES.md is not beside this checkout")
def test_catalog_matches_the_shared_rules_document():
    text = RULES_MD.read_text()
    documented = dict(re.findall(r"^- ([A-Z]\d{3}) · ([a-z0-9-]+) ·", text, flags=re.M))
    ours = {r.code: r.name for r in RULES}
    assert documented and {code: ours.get(code) for code in documented} == documented
    extensions = set(ours) - set(documented)
    assert all(code[0] in "DMLOTG" for code in extensions), extensions


def test_every_rule_has_its_own_words():
    for rule in RULES:
        assert rule.summary and rule.why and rule.fix and rule.measured, rule.code
        assert rule.where <= {"checkup", "watch"} and rule.where


def test_rules_filter_by_prefix(capsys):
    assert main(["rules", "O4"]) == 0
    out = capsys.readouterr().out
    assert "O401" in out and "D101" not in out


def test_explain_known_and_unknown_code(capsys):
    assert main(["explain", "d101"]) == 0
    assert "unnormalized-inputs" in capsys.readouterr().out
    assert main(["explain", "Z999"]) == 2
    assert "nndoctor rules" in capsys.readouterr().err


def test_checkup_file_without_setup_exits_2_with_one_paragraph(tmp_path, capsys):
    spec = tmp_path / "spec.py"
    spec.write_text("import torch\nmodel = torch.nn.Linear(3, 1)\n")
    assert main(["checkup", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "defines no function setup()" in err and "def setup()" in err
    assert "Traceback" not in err


def test_checkup_of_a_training_script_does_not_run_it(tmp_path, capsys):
    script = tmp_path / "train.py"
    marker = tmp_path / "trained"
    script.write_text(f"import pathlib\nclass DataModule:\n    def setup(self, stage=None):\n        pass\n"
                      f"pathlib.Path({str(marker)!r}).write_text('ran')\n")  # a Lightning DataModule's setup is not the module's
    assert main(["checkup", str(script)]) == 2
    err = capsys.readouterr().err
    assert "training script" in err and f"nndoctor run {script}" in err and "Traceback" not in err
    assert not marker.exists()
    # fix takes a training script as run does: it runs it, and says there was nothing to trial
    report = tmp_path / "fix.json"
    assert main(["fix", str(script), "--json", str(report)]) == 0 and marker.exists()
    assert json.loads(report.read_text())["fix"]["message"].startswith("Nothing was trialled: the script did not train")


def test_spec_that_pickles_its_own_model_class(tmp_path, capsys):
    """``torch.save(model)`` inside a spec needs the spec importable by name, as under ``python spec.py``."""
    spec = tmp_path / "spec.py"
    spec.write_text(
        "import io, numpy as np, torch, nndoctor\n"
        "class Net(torch.nn.Module):\n"
        "    def __init__(self):\n        super().__init__(); self.fc = torch.nn.Linear(4, 3)\n"
        "    def forward(self, x):\n        return self.fc(x)\n"
        "def setup():\n"
        "    model = Net(); buffer = io.BytesIO(); torch.save(model, buffer)\n"
        "    rng = np.random.default_rng(0); X = rng.normal(size=(120, 4)).astype('float32')\n"
        "    y = (X[:, 0] > 0).astype('int64') + (X[:, 1] > 0).astype('int64')\n"
        "    return nndoctor.Setup(model=model, train=(X, y), loss=torch.nn.CrossEntropyLoss(),\n"
        "                          optimizer=torch.optim.Adam(model.parameters(), 1e-2))\n")
    assert main(["checkup", str(spec), "--select", "L301"]) in (0, 1)
    assert "PicklingError" not in capsys.readouterr().err


def test_checkup_missing_file_and_raising_setup(tmp_path, capsys):
    assert main(["checkup", str(tmp_path / "nope.py")]) == 2
    assert "does not exist" in capsys.readouterr().err
    spec = tmp_path / "spec.py"
    spec.write_text("def setup():\n    raise FileNotFoundError('data/train.csv')\n")
    assert main(["checkup", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "FileNotFoundError" in err and "data/train.csv" in err and "Traceback" not in err


def test_checkup_empty_dataset_exits_2(tmp_path, capsys):
    spec = tmp_path / "spec.py"
    spec.write_text(
        "import numpy as np, torch, nndoctor\n"
        "def setup():\n"
        "    return nndoctor.Setup(model=torch.nn.Linear(4, 2), train=(np.zeros((0, 4), 'float32'), np.zeros(0, 'int64')))\n"
    )
    assert main(["checkup", str(spec)]) == 2
    assert "empty" in capsys.readouterr().err


def test_console_script_is_installed_and_reports_usage_errors():
    result = subprocess.run([sys.executable, "-m", "nndoctor.cli", "explain"], capture_output=True, text=True)
    assert result.returncode == 2 and "usage" in result.stderr
