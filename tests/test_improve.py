"""improve: each technique against an independent calculation, and the command end to end."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from torch import nn

import nndoctor
from nndoctor.cli import main
from nndoctor.improve import distill, ensemble, prune, quantize
from nndoctor.improve.common import holds, serialized_bytes

STEPS = 40


def tiny_setup(seed: int = 0) -> nndoctor.Setup:
    x, y = make_classification(n_samples=400, n_features=12, n_informative=8, n_classes=3, random_state=seed)
    x = x.astype(np.float32)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 3))
    return nndoctor.Setup(model=model, train=(x[:300], y[:300]), val=(x[300:], y[300:]), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.Adam(p, lr=3e-3), batch_size=32)


SPEC = '''
import numpy as np, torch
from sklearn.datasets import make_classification
from torch import nn
import nndoctor

def setup():
    x, y = make_classification(n_samples=400, n_features=12, n_informative=8, n_classes=3, random_state=0)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 3))
    return nndoctor.Setup(model=model, train=(x[:300].astype(np.float32), y[:300]), val=(x[300:].astype(np.float32), y[300:]),
                          loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=3e-3))
'''


def _softmax(a: np.ndarray) -> np.ndarray:
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_ensemble_averages_member_probabilities() -> None:
    torch.manual_seed(1)
    members = [nn.Linear(5, 4) for _ in range(3)]
    x = torch.randn(7, 5)
    with torch.no_grad():
        outputs = [m(x).numpy().astype(np.float64) for m in members]
        got = ensemble.Ensemble(members, "softmax", 1)(x).numpy()
    manual = np.log(np.mean([_softmax(o) for o in outputs], axis=0))
    np.testing.assert_allclose(got, manual, rtol=1e-5, atol=1e-6)
    with torch.no_grad():
        mean = ensemble.Ensemble(members, "mean")(x).numpy()
    np.testing.assert_allclose(mean, np.mean(outputs, axis=0), rtol=1e-5, atol=1e-6)


def test_distillation_loss_matches_hand_calculation() -> None:
    rng = np.random.default_rng(0)
    s, t, y = rng.normal(size=(6, 5)), rng.normal(size=(6, 5)) * 3, rng.integers(0, 5, size=6)
    temperature, alpha = 3.0, 0.6
    p_t, p_s = _softmax(t / temperature), _softmax(s / temperature)
    kl = float(np.sum(p_t * (np.log(p_t) - np.log(p_s))) / len(s))
    ce = float(-np.mean(np.log(_softmax(s)[np.arange(6), y])))
    expected = alpha * temperature**2 * kl + (1 - alpha) * ce
    got = distill.distillation_loss(torch.tensor(s), torch.tensor(t), torch.tensor(y), temperature, alpha)
    assert float(got) == pytest.approx(expected, rel=1e-6)
    # a student equal to its teacher at alpha=1 has nothing left to learn
    same = distill.distillation_loss(torch.tensor(t), torch.tensor(t), torch.tensor(y), temperature, 1.0)
    assert float(same) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("sparsity", [0.5, 0.8, 0.9])
def test_global_pruning_reaches_sparsity_and_leaves_plain_weights(sparsity: float) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(20, 30), nn.ReLU(), nn.Linear(30, 10))
    before = [m.weight.detach().abs().numpy().ravel() for m in (model[0], model[2])]
    pruned = prune.finalize(prune.apply_masks(model, prune.global_masks(model, sparsity)))
    state = pruned.state_dict()
    assert sorted(state) == ["0.bias", "0.weight", "2.bias", "2.weight"]  # no weight_orig / weight_mask left
    weights = np.concatenate([state["0.weight"].numpy().ravel(), state["2.weight"].numpy().ravel()])
    assert int((weights == 0).sum()) == round(sparsity * weights.size)
    magnitudes = np.concatenate(before)
    kept = weights != 0
    assert magnitudes[kept].min() >= magnitudes[~kept].max()  # global: smallest magnitudes across both layers
    assert prune.sparsity_of(pruned) == pytest.approx((weights == 0).mean())


def test_quantised_model_is_close_smaller_and_sized_from_the_file(tmp_path) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)).eval()
    q, _ = quantize.quantized(model)
    x = torch.randn(32, 64)
    with torch.no_grad():
        ref, out = model(x), q(x)
    assert float((ref - out).abs().max()) < 0.05 * float(ref.abs().max())
    assert (ref.argmax(1) == out.argmax(1)).float().mean() > 0.9
    path = tmp_path / "model.pt"
    torch.save(q.state_dict(), path)
    assert serialized_bytes(q) == path.stat().st_size
    assert serialized_bytes(model) > 2 * serialized_bytes(q)
    assert any("quantized.dynamic" in type(m).__module__ for m in q.modules())
    assert all(type(m) is not nn.Linear for m in q.modules())


def test_embedding_tables_are_stored_in_8_bits() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Embedding(500, 32), nn.Flatten(), nn.Linear(32 * 6, 4)).eval()
    q, _ = quantize.quantized(model)
    x = torch.randint(0, 500, (16, 6))
    with torch.no_grad():
        ref, out = model(x), q(x)
    assert float((ref - out).abs().max()) < 0.05 * float(ref.abs().max())
    table = model[0].weight.numel() * 4  # float32 bytes; an 8-bit table is a quarter plus per-row scales
    assert serialized_bytes(model) - serialized_bytes(q) > 0.6 * table
    assert all(type(m) is not nn.Embedding for m in q.modules())


def test_holds_uses_the_seed_spread() -> None:
    assert holds([0.80, 0.82, 0.81], [0.81, 0.80, 0.82])[0] == "matches"
    assert holds([0.80, 0.82, 0.81], [0.70, 0.71, 0.69])[0] == "worse"
    assert holds([0.80, 0.82, 0.81], [0.90, 0.91, 0.92])[0] == "better"
    assert holds([0.80, 0.82, 0.81], [math.nan, 0.80, 0.81])[0] == "worse"


def test_improve_from_python_leaves_the_model_untouched() -> None:
    setup = tiny_setup()
    before = {k: v.clone() for k, v in setup.model.state_dict().items()}
    rng_before = torch.get_rng_state()
    report = nndoctor.improve(setup, steps=STEPS, sparsities=(0.8,))
    after = setup.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert torch.equal(rng_before, torch.get_rng_state())
    sec = report.extra["improve"]
    assert sec["steps"] == STEPS and set(sec["techniques"]) == {"ensemble", "distill", "prune", "quantize"}
    for name, tech in sec["techniques"].items():
        assert tech["status"] in ("better", "matches", "worse"), (name, tech)
        assert tech["snippet"].strip()
    rows = {r["arm"]: r for r in sec["techniques"]["prune"]["rows"]}
    assert rows["rewind (lottery ticket) @ 80%"]["achieved_sparsity"] == pytest.approx(0.8, abs=0.01)
    assert sec["techniques"]["quantize"]["rows"][0]["size_ratio"] > 1.0  # a tiny model: file overhead dominates
    from nndoctor.improve.report import html_section, size_points

    assert 'alt="accuracy vs sparsity"' in html_section(report)
    assert 'alt="accuracy vs size"' in html_section(report)
    sizes = {label: size for label, size, _, _ in size_points(sec)}
    assert sizes["single model (your setup)"] == pytest.approx(serialized_bytes(setup.model) / 1e6)
    assert sizes["dynamic int8"] < sizes["single model (your setup)"] < sizes["ensemble of 3"]


def test_improve_command_on_a_spec_file(tmp_path, capsys) -> None:
    spec = tmp_path / "spec.py"
    spec.write_text(SPEC)
    out_json, out_html = tmp_path / "i.json", tmp_path / "i.html"
    status = main(["improve", str(spec), "--only", "ensemble,quantize", "--steps", str(STEPS),
                   "--json", str(out_json), "--html", str(out_html)])
    assert status == 0
    data = json.loads(out_json.read_text())
    assert list(data["improve"]["techniques"]) == ["ensemble", "quantize"]
    assert "Dynamic int8 quantisation" in out_html.read_text()
    assert "nndoctor improve" in capsys.readouterr().out


def test_improve_command_on_the_demo_spec(tmp_path, capsys) -> None:
    spec = tmp_path / "demo_spec.py"
    spec.write_text("from nndoctor.demo import demo_setup\n\ndef setup():\n    return demo_setup(healthy=True)\n")
    assert main(["improve", str(spec), "--only", "distill", "--steps", str(STEPS)]) == 0
    assert "Distillation" in capsys.readouterr().out


def test_improve_rejects_unknown_technique(tmp_path, capsys) -> None:
    spec = tmp_path / "spec.py"
    spec.write_text(SPEC)
    assert main(["improve", str(spec), "--only", "ensembles"]) == 2
    assert "Choose from ensemble, distill, prune, quantize" in capsys.readouterr().err
