"""Round 21's measurements (benchmarks/outofsample/round21/RESULTS.md): what `run` misread, and now reads."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from nndoctor.watch.eval_units import affine_map

RAW_UNITS_EVALUATION = """import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)
X = rng.normal(size=(2400, 8)).astype(np.float32)
y = (X @ rng.normal(size=8) + 0.3 * rng.normal(size=2400)).astype(np.float32) * 400 + 28000
if {shifted}:
    y[2000:] += 600  # the validation period runs 1.5 target std higher: a real shift between the splits
tr, va = slice(0, 2000), slice(2000, 2400)
y_mu, y_sd = y[tr].mean(), y[tr].std()
train_dl = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy((y[tr] - y_mu) / y_sd)),
                      batch_size=64, shuffle=True)
val_y = (y[va] - y_mu) / y_sd if {both} else y[va]  # both: the loader holds scaled targets and the loop maps both sides
val_dl = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(val_y)), batch_size=200)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(4):
    model.train()
    for xb, yb in train_dl:
        opt.zero_grad()
        F.mse_loss(model(xb).squeeze(-1), yb).backward()
        opt.step()
    model.eval()
    sse = 0.0
    with torch.no_grad():
        for xb, yb in val_dl:
            target = yb * y_sd + y_mu if {both} else yb
            sse += F.mse_loss(model(xb).squeeze(-1) * y_sd + y_mu, target, reduction="sum").item()
    print(f"epoch {{epoch}} val RMSE {{(sse / 400) ** 0.5:.1f}}")
"""


def test_affine_map_recovers_the_loops_scale_and_shift_and_nothing_else() -> None:
    torch.manual_seed(0)
    out = torch.randn(64, 2)
    scale, shift = torch.tensor([410.4, 0.5]), torch.tensor([28430.0, -3.0])
    found = affine_map(out, out * scale + shift)
    assert found is not None
    assert torch.allclose(torch.tensor(found[0], dtype=torch.float64), scale.double(), rtol=1e-5)
    assert torch.allclose(torch.tensor(found[1], dtype=torch.float64), shift.double(), rtol=1e-6)
    assert affine_map(out, out ** 3) is None  # not affine
    assert affine_map(out, out + 0.01 * torch.randn(64, 2)) is None  # close, but another tensor
    assert affine_map(torch.ones(64, 1), torch.ones(64, 1) * 3) is None  # a constant output shows no scale
    from nndoctor.watch.eval_units import _copied

    near = out[:, :1] * 3 + 28000  # targets near 28000: float32 rounding is no map
    assert _copied(near, near.double().squeeze(-1)) and not _copied(near, near * 1.01)


@pytest.mark.parametrize("shifted, both", [(False, False), (True, False), (False, True)])
def test_validation_scored_in_the_targets_own_units_is_read_back_in_the_models(tmp_path, shifted, both):
    # round 21's a/sat_battery_voltage twin: trained on standardised targets, scored as out * y_std + y_mean against
    # the raw targets of the validation loader (D105's own remedy); the raw targets are not a shift between the splits
    from nndoctor.watch.run import run_script

    script = tmp_path / "raw_units.py"
    script.write_text(RAW_UNITS_EVALUATION.format(shifted=shifted, both=both))
    report = run_script(str(script), alerts=False).report
    assert len(report.telemetry["step_losses"]) == 4 * 32
    assert report.extra["exam"]["capture"]["val_source"] == "loader"
    codes = {f.code for f in report.findings}
    assert ("D109" in codes) == shifted, [f.message for f in report.findings]
    assert "G606" not in codes
    # round 20's a/ship_fuel_mlp twin maps the loader's scaled targets as well: both sides in raw units, nothing to undo
    assert any("mapped to other units" in s for s in report.skipped) != both


def _timing_signals(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """One-channel traces with a bump early, midway or late: the class is where the bump sits."""
    g = torch.Generator().manual_seed(seed)
    n, length = 900, 48
    y = torch.randint(0, 3, (n,), generator=g)
    centre = 8 + 16 * y.float() + torch.randn(n, generator=g) * 2
    t = torch.arange(length).float()
    x = torch.exp(-0.5 * ((t[None] - centre[:, None]) / 3) ** 2) * (1 + 0.3 * torch.rand(n, 1, generator=g))
    return (x + 0.05 * torch.randn(n, length, generator=g)).unsqueeze(1), y


@pytest.mark.parametrize("pooled_away", [True, False])
def test_below_baseline_compares_a_signal_network_with_a_linear_model_on_its_flat_traces(pooled_away):
    # round 21's a/fermentation_kinetics_spec: a 1-D CNN that averages over the whole trace cannot see when the bump
    # comes; logistic regression on the flat trace can. Float (N, C, T) inputs had no linear baseline at all.
    from nndoctor import Setup
    from nndoctor.runner import checkup

    x, y = _timing_signals(0)
    xv, yv = _timing_signals(1)
    torch.manual_seed(0)
    pool = nn.AdaptiveAvgPool1d(1) if pooled_away else nn.AdaptiveAvgPool1d(6)
    model = nn.Sequential(nn.Conv1d(1, 16, 5, padding=2), nn.ReLU(), pool, nn.Flatten(),
                          nn.Linear(16 if pooled_away else 96, 3))
    setup = Setup(model=model, train=(x, y), val=(xv, yv), loss=nn.CrossEntropyLoss(),
                  optimizer=lambda p: torch.optim.Adam(p, lr=3e-3), batch_size=64)
    report = checkup(setup, select=["G606"])
    rows = {r["name"]: r for r in report.extra["look"]["baselines"]["rows"]}
    assert rows["logistic regression"]["value"] is not None and rows["logistic regression"]["value"] > 0.9
    assert ("G606" in report.codes) == pooled_away


def test_a_per_pixel_mask_is_looked_at_without_a_failure():
    # round 21's d/cloud_mask_fcn: a binary mask per pixel; the look's sample index and its linear baseline assumed
    # one target per sample and failed (IndexError) instead of scoring the pixels
    from nndoctor import Setup
    from nndoctor.runner import checkup

    g = torch.Generator().manual_seed(0)
    x = torch.randn(160, 3, 8, 8, generator=g)
    y = (x[:, :1] + 0.3 * x[:, 1:2] > 0).float()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 1, 1))
    setup = Setup(model=model, train=(x[:120], y[:120]), val=(x[120:], y[120:]), loss=nn.BCEWithLogitsLoss(),
                  optimizer=lambda p: torch.optim.Adam(p, lr=1e-2), batch_size=20)
    report = checkup(setup, select=["G606"])
    assert not report.failures, report.failures
    rows = {r["name"]: r for r in report.extra["look"]["baselines"]["rows"]}
    assert rows["logistic regression"]["value"] is None and "per position" in rows["logistic regression"]["note"]
    assert report.extra["look"]["predictions"]["kind"] == "classes"


def test_training_inputs_augmented_unlike_validation_are_not_wrong_labels():
    # round 21's d/beehive_acoustic_cnn: augmentation on the training spectra only; the nearest-neighbour probe fell
    # behind on the augmented training rows (54% against 70% on plain validation) while the logistic probe did not
    # (83% against 86%): wrong labels would have lowered both. Label-preserving augmentation adds variation in the
    # directions the labels do not depend on: distances move, the class directions do not.
    from nndoctor import Setup
    from nndoctor.runner import checkup

    g = torch.Generator().manual_seed(0)
    w = torch.randn(10, 3, generator=g)
    x = torch.randn(2000, 10, generator=g)
    y = (x @ w + 0.3 * torch.randn(2000, 3, generator=g)).argmax(1)
    label_free = torch.eye(10) - w @ torch.linalg.pinv(w)
    augmented = x[:1600] + 3.0 * (torch.randn(1600, 10, generator=g) @ label_free)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 3))
    setup = Setup(model=model, train=(augmented, y[:1600]), val=(x[1600:], y[1600:]), loss=nn.CrossEntropyLoss(),
                  optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=64)
    report = checkup(setup, select=["D110"])
    assert not report.failures
    assert "D110" not in report.codes, [f.message for f in report.findings]


def _loans(seed: int, coded: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Four continuous columns and a five-digit area column (40 areas on a step of 20, standardised as the continuous
    ones are). ``coded``: each area moves the target its own way; else the target rises with the column's value."""
    import numpy as np

    rng = np.random.default_rng(seed)
    areas = np.sort(np.random.default_rng(100).choice(np.arange(10180, 49740, 20), 40, replace=False))
    area = rng.integers(0, 40, 6000)
    effect = np.random.default_rng(7).normal(0, 1.2, 40) if coded else (areas - areas.mean()) / areas.std()
    x = np.column_stack([rng.normal(size=(6000, 4)), areas[area]]).astype(np.float64)
    logit = x[:, :4] @ np.array([0.8, -0.5, 0.3, 0.0]) + effect[area]
    y = (rng.random(6000) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    x = (x - x.mean(0)) / x.std(0)
    return torch.tensor(x, dtype=torch.float32), torch.from_numpy(y).unsqueeze(1)


def test_lattice_steps_place_standardised_float32_area_codes_on_their_integers():
    import numpy as np

    from nndoctor.probes.data_audit import _lattice_steps

    codes = np.sort(np.random.default_rng(100).choice(np.arange(10180, 49740, 20), 40, replace=False))
    scaled = ((codes - codes.mean()) / codes.std()).astype(np.float32).astype(np.float64)
    steps = _lattice_steps(scaled, max_steps=100_000)
    gcd = np.gcd.reduce(np.diff(codes))
    assert steps is not None and np.array_equal(steps, (codes - codes[0]) // gcd)


@pytest.mark.parametrize("coded", [True, False])
def test_sparse_area_codes_fed_as_magnitudes_are_categorical_as_numeric(coded):
    # round 21's b/mortgage_prepay_spec: a metro-area code (40 five-digit codes) standardised with the continuous
    # columns; only consecutive codes were recognised as codes. A column whose target rises with its value stays silent.
    from nndoctor import Setup
    from nndoctor.runner import checkup

    x, y = _loans(1, coded)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 1))
    setup = Setup(model=model, train=(x, y), loss=nn.BCEWithLogitsLoss(),
                  optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=128)
    report = checkup(setup, select=["D112"])
    assert not report.failures
    assert ("D112" in report.codes) == coded, [f.message for f in report.findings]
    if coded:
        assert next(f for f in report.findings if f.code == "D112").evidence["columns"] == [4]


@pytest.mark.parametrize("validation_floor", [0.0, 0.15])
def test_a_noise_floor_the_validation_labels_share_is_not_wrong_training_labels(validation_floor):
    # round 21's d/podcast_topic_trainer twin (clean labels): a bag-of-tokens probe 0.44 accurate on 12 topics fits the
    # training labels better with a 16% floor (p 3e-27); the validation labels need the same floor: the probe's misfit
    from nndoctor.verdicts.labels import LabelNoise, wrong_labels

    measured = dict(n=2000, scores={"logistic regression": 0.4395, "15-nearest neighbours": 0.2645}, chance=0.0955,
                    suspect_probability=0.05, p_value=1e-300, noise_floor=0.1617, noise_floor_p=3.4e-27, val_n=600,
                    val_scores={"logistic regression": 0.435, "15-nearest neighbours": 0.245},
                    val_p_values={"logistic regression": 1.0, "15-nearest neighbours": 1.0}, bag_of_tokens=True)
    floor = {"val_noise_floor": validation_floor, "val_noise_floor_p": 1e-9 if validation_floor else 1.0}
    assert [f.code for f in wrong_labels(LabelNoise(**measured, **floor))] == ([] if validation_floor else ["D110"])
    # on dense features a floor both splits share is labels wrong throughout (test_checks_data's blobs)
    dense = LabelNoise(**{**measured, "bag_of_tokens": False}, **floor)
    assert [f.code for f in wrong_labels(dense)] == ["D110"]


def test_labels_wrong_in_both_splits_are_still_wrong_labels():
    from nndoctor import Setup
    from nndoctor.runner import checkup

    g = torch.Generator().manual_seed(0)
    w = torch.randn(12, 4, generator=g)
    x = torch.randn(3000, 12, generator=g)
    y = (x @ w).argmax(1)
    y = torch.where(torch.rand(3000, generator=g) < 0.25, torch.randint(0, 4, (3000,), generator=g), y)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 4))
    setup = Setup(model=model, train=(x[:2400], y[:2400]), val=(x[2400:], y[2400:]), loss=nn.CrossEntropyLoss(),
                  optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=64)
    assert "D110" in checkup(setup, select=["D110"]).codes


def test_fix_scores_a_binary_mask_per_pixel():
    # round 21's d/cloud_mask_fcn under `fix`: the trials' balanced accuracy got (N, H, W) predictions and failed
    from sklearn.metrics import balanced_accuracy_score

    from nndoctor import Setup
    from nndoctor.fix.trials import score_outputs

    g = torch.Generator().manual_seed(0)
    masks = (torch.rand(4, 1, 6, 6, generator=g) > 0.7).float()
    logits = torch.randn(4, 1, 6, 6, generator=g)
    setup = Setup(model=nn.Conv2d(3, 1, 1), train=(torch.zeros(4, 3, 6, 6), masks), loss=nn.BCEWithLogitsLoss())
    setup = setup.resolve()
    expected = balanced_accuracy_score(masks.reshape(-1).long().numpy(), (logits.reshape(-1) > 0).long().numpy())
    assert setup.task == "binary"
    assert score_outputs(setup, logits, masks) == pytest.approx(expected)


class _ReluHead(nn.Module):
    """A regression net whose forward ends in F.relu: nothing outside can take it off."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return torch.nn.functional.relu(self.body(x)).squeeze(-1)


def test_a_relu_in_forward_over_negative_targets_gets_the_targets_moved_into_its_range():
    # round 21's d/tyre_wear_mlp: standardised wear targets (half negative) under F.relu in forward; `fix` had no
    # remedy that applied (the module-level one removes a final nn.ReLU). The playbook's other fix: rescale the targets.
    import nndoctor
    from nndoctor.findings import Finding, Severity
    from nndoctor.fix.wiring_remedies import unbounded_output

    g = torch.Generator().manual_seed(0)
    x = torch.randn(900, 6, generator=g)
    y = x @ torch.randn(6, generator=g) * 0.5
    y = (y - y.mean()) / y.std()
    torch.manual_seed(0)
    setup = nndoctor.Setup(model=_ReluHead(), train=(x[:700], y[:700]), val=(x[700:], y[700:]), loss=nn.MSELoss(),
                           optimizer=lambda p: torch.optim.Adam(p, lr=3e-3), batch_size=32)
    report = nndoctor.fix(setup, budget=120, steps=300)
    results = {r["code"]: r for r in report.extra["fix"]["results"]}
    assert results["L304"]["status"] == "verified", results.get("L304")
    assert results["L304"]["remedy"]["remedy"] == "targets-into-range"
    # the candidate trains the raw model on targets a margin above the ReLU's bound and predicts in original units
    measured = {"activation_range": [0.0, float("inf")], "target_min": float(y[:700].min()),
                "target_max": float(y[:700].max())}
    finding = Finding("L304", Severity.WARNING, "", measured)
    (candidate,) = unbounded_output(setup.resolve(), finding)
    moved = (y[:700] - candidate.setup.model.mean) / candidate.setup.model.std
    assert float(moved.min()) > 0
    wrapped = candidate.setup.model
    assert torch.allclose(wrapped(x[:5]), wrapped.model(x[:5]) * wrapped.std + wrapped.mean)


def test_a_measurement_rounded_to_its_resolution_is_no_sparse_code():
    # codes are a mostly empty identifier space; a lab value rounded to 0.01 fills its range (40 of 54 hundredths)
    import numpy as np

    from nndoctor.probes.data_audit import sparse_codes

    rng = np.random.default_rng(0)
    areas = np.unique(rng.choice(np.arange(10180, 49740, 20), 40, replace=False)).astype(np.float64)
    rounded = np.unique(np.round(rng.uniform(0.13, 0.66, 400), 2))
    assert sparse_codes((areas - areas.mean()) / areas.std())
    assert not sparse_codes((rounded - rounded.mean()) / rounded.std())
