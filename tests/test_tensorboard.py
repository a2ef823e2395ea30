"""--tensorboard: event files that TensorBoard's own reader loads, holding the loss series."""
from __future__ import annotations

import builtins
import math

import pytest

from nndoctor import Report, cli
from nndoctor.errors import NNDoctorError

from test_html_report import broken_report, full_telemetry

pytest.importorskip("tensorboard", reason="the optional extra nndoctor[tensorboard] is not installed")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

from nndoctor.render.tensorboard import write_tensorboard  # noqa: E402


def load(logdir) -> EventAccumulator:
    accumulator = EventAccumulator(str(logdir), size_guidance={"scalars": 0, "histograms": 0, "tensors": 0})
    accumulator.Reload()
    return accumulator


def test_event_files_hold_the_loss_series_and_layer_telemetry(tmp_path):
    report = broken_report(layer_name="encoder.fc1")
    write_tensorboard(report, tmp_path)
    events = load(tmp_path)
    scalars = set(events.Tags()["scalars"])
    curve = report.telemetry["loss_curve"]
    train = [(e.step, e.value) for e in events.Scalars("loss/train")]
    expected = [(s, v) for s, v in zip(curve["step"], curve["train"]) if math.isfinite(v)]
    assert [s for s, _ in train] == [s for s, _ in expected]
    assert all(v == pytest.approx(w, rel=1e-6) for (_, v), (_, w) in zip(train, expected))
    val = [(e.step, e.value) for e in events.Scalars("loss/val")]
    assert val == [(s, pytest.approx(v, rel=1e-6)) for s, v in zip(curve["val_step"], curve["val"])]
    assert {"grad_norm/encoder.fc1", "activation_std/2", "dead_share/4", "lr_range/loss", "data/overlap_share"} <= scalars
    norms = report.telemetry["grad_norms"]
    first_layer = [e.value for e in events.Scalars("grad_norm/encoder.fc1")]
    assert first_layer == pytest.approx([row[0] for row in norms["values"]], rel=1e-5)
    histograms = set(events.Tags()["histograms"])
    assert {"grad_norm/log10_across_layers", "data/feature_std"} <= histograms
    assert any("verdict" in tag for tag in events.Tags()["tensors"])


def test_cli_flag_writes_events_after_the_exam(tmp_path, monkeypatch):
    import nndoctor.runner

    monkeypatch.setattr(nndoctor.runner, "checkup", lambda *a, **k: broken_report())
    status = cli.main(["demo", "--tensorboard", str(tmp_path / "tb")])
    assert status == 1
    events = load(tmp_path / "tb")
    assert len(events.Scalars("loss/train")) == sum(math.isfinite(v) for v in full_telemetry()["loss_curve"]["train"])


def test_empty_telemetry_still_writes_the_verdict(tmp_path):
    write_tensorboard(Report(mode="checkup"), tmp_path)
    events = load(tmp_path)
    assert events.Tags()["scalars"] == []
    assert "nndoctor/verdict/text_summary" in events.Tags()["tensors"]


def test_missing_tensorboard_gives_one_paragraph_and_exit_2(tmp_path, monkeypatch, capsys):
    real_import = builtins.__import__

    def no_tensorboard(name, *args, **kwargs):
        if name == "torch.utils.tensorboard" or name.startswith("tensorboard"):
            raise ImportError("No module named 'tensorboard'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tensorboard)
    with pytest.raises(NNDoctorError, match="nndoctor\\[tensorboard\\]"):
        write_tensorboard(Report(mode="checkup"), tmp_path)
    assert cli.main(["demo", "--tensorboard", str(tmp_path / "tb")]) == 2
    err = capsys.readouterr().err
    assert "pip install 'nndoctor[tensorboard]'" in err and "Traceback" not in err
    assert not (tmp_path / "tb").exists()
