"""Round 24's measurements (benchmarks/outofsample/round24/RESULTS.md): what the watch misread, and now reads."""
from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
import torch

# A regression target that is a nonlinear statistic of the inputs (each row's spread): a linear probe or nearest
# neighbours on the raw values cannot find it, the script's model (which computes the spread in forward) does.
SPREAD_TARGET = """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
torch.manual_seed(0)
n, width = 1200, 32
scale = torch.rand(n) * 1.5 + 0.5
x = torch.randn(n, width) * scale[:, None]
y = (scale - 1.25) / 0.43
PAIRING
train = DataLoader(TensorDataset(x[:1000], y[:1000]), batch_size=50, shuffle=True)
val = DataLoader(TensorDataset(x[1000:], y[1000:]), batch_size=100)
class Spread(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 1))
    def forward(self, x):
        return self.head(x.pow(2).mean(1, keepdim=True).sqrt()).squeeze(-1)
model = Spread()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(8):
    model.train()
    for xb, yb in train:
        optimizer.zero_grad()
        nn.functional.mse_loss(model(xb), yb).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        sse = sum(nn.functional.mse_loss(model(xb), yb, reduction="sum").item() for xb, yb in val)
    print(f"val mse {sse / 200:.3f}")
"""


@pytest.mark.parametrize("pairing, flagged", [("", False), ("y = y[torch.randperm(n)]", True)])
def test_held_out_rows_the_model_predicts_prove_regression_targets_paired(tmp_path, pairing, flagged):
    # round 24's e/rail_geometry_transformer: a track-quality index (a roughness of the trace) that ridge and
    # nearest neighbours score at R² -0.006, read as unpaired targets (D111, error) while the model reached R² 0.83
    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(SPREAD_TARGET.replace("PAIRING", pairing))
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        report = run_script(str(script), alerts=False).report
    val_mse = float(printed.getvalue().split("val mse")[-1])
    assert (val_mse > 0.9) == flagged  # paired: the model learned (targets have unit variance); unpaired: it cannot
    assert ("D111" in report.codes) == flagged
    terms = report.extra["eval_loss_terms"]
    assert terms["rows"] == 200 and terms["mean"] == pytest.approx(val_mse, abs=1e-3)


def test_paired_terms_against_a_direct_computation():
    from nndoctor.checks.data import model_beats_constant
    from nndoctor.record.heldout_errors import paired_terms, squared_error_sums

    rng = np.random.default_rng(3)
    y = rng.normal(40.0, 5.0, 300)  # far from zero: the expansion must not cancel away the squared errors
    prediction = y + rng.normal(0.0, 2.0, 300)
    batches = [squared_error_sums(torch.tensor(prediction[i:i + 64]), torch.tensor(y[i:i + 64]))
               for i in range(0, 300, 64)]
    totals = [sum(column) for column in zip(*batches)]
    terms = paired_terms(totals)
    error, constant = (prediction - y) ** 2, (y - y.mean()) ** 2
    assert terms["rows"] == 300
    assert terms["mean"] == pytest.approx(error.mean(), rel=1e-9)
    assert terms["constant"] == pytest.approx(constant.mean(), rel=1e-9)
    assert terms["variance"] == pytest.approx(np.var(error - constant, ddof=1), rel=1e-6)
    assert model_beats_constant(terms) < 1e-6  # errors of 2 against a spread of 5
    shuffled = paired_terms([sum(column) for column in zip(*[
        squared_error_sums(torch.tensor(rng.permutation(prediction)[:150]), torch.tensor(y[:150]))])])
    assert model_beats_constant(shuffled) > 0.5  # predictions unrelated to their rows do worse than the mean
    assert squared_error_sums(torch.zeros(4, 2), torch.zeros(4, 2)) is None  # a target per column: not one mean


SPREAD_SPEC = """
import torch
from torch import nn
import nndoctor
class Spread(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 1))
    def forward(self, x):
        return self.head(x.pow(2).mean(1, keepdim=True).sqrt()).squeeze(-1)
def setup():
    g = torch.Generator().manual_seed(0)
    n, width = 1200, 32
    scale = torch.rand(n, generator=g) * 1.5 + 0.5
    x = torch.randn(n, width, generator=g) * scale[:, None]
    y = (scale - 1.25) / 0.43
    PAIRING
    return nndoctor.Setup(model=Spread(), train=(x[:1000], y[:1000]), val=(x[1000:], y[1000:]),
                          loss=nn.MSELoss(), optimizer=lambda p: torch.optim.Adam(p, lr=1e-2), batch_size=50)
"""


@pytest.mark.parametrize("pairing, flagged", [("", False), ("y = y[torch.randperm(n, generator=g)]", True)])
def test_the_trials_held_out_errors_prove_regression_targets_paired_in_checkup(tmp_path, pairing, flagged):
    # the same spread target as a spec: checkup has no script evaluation, its trial trains the model on a copy
    from nndoctor import checkup
    from nndoctor.cli import load_setup

    spec = tmp_path / "spec.py"
    spec.write_text(SPREAD_SPEC.replace("PAIRING", pairing))
    report = checkup(load_setup(str(spec)), select=["D111"])
    assert ("D111" in report.codes) == flagged


def _annotator_setup(permuted: bool, shift: float = 0.0):
    """Four ordinal grades; the training labels of a second annotator's block (500 of 1,200 rows) in
    another code order when ``permuted``; validation labelled by the first annotator. ``shift`` moves the second
    block's inputs (a covariate shift with one mapping)."""
    import nndoctor
    from torch import nn

    rng = np.random.default_rng(0)
    loadings = rng.normal(0.0, 1.0, 8)

    def draw(n, offset=0.0):  # ordinal grades: every input reads one latent quality, with noise
        y = rng.integers(0, 4, n)
        quality = 3 - y + rng.normal(0.0, 0.3, n)
        return (np.outer(quality, loadings) + rng.normal(0.0, 0.5, (n, 8)) + offset).astype(np.float32), y

    xa, ya = draw(700)
    xb, yb = draw(500, shift)
    if permuted:
        yb = np.array([1, 3, 2, 0])[yb]
    xv, yv = draw(500)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4))
    train = (torch.tensor(np.concatenate([xa, xb])), torch.tensor(np.concatenate([ya, yb])))
    return nndoctor.Setup(model=model, train=train, val=(torch.tensor(xv), torch.tensor(yv)), loss=nn.CrossEntropyLoss(),
                          batch_size=32)


@pytest.mark.parametrize("permuted, shift, flagged", [(True, 0.0, True), (False, 0.0, False), (False, 1.5, False)])
def test_probes_fitted_on_validation_labels_find_a_block_of_training_labels_in_another_code_order(permuted, shift,
                                                                                                   flagged):
    # round 24's b/tea_grading_spec: one taster's grade codes in alphabetical order (31% of training labels wrong);
    # probes fitted on the mixed training labels agree as little with clean validation labels as with their own, so
    # only probes fitted on the validation labels see it. A block of shifted inputs under one mapping stays quiet.
    from nndoctor import checkup

    report = checkup(_annotator_setup(permuted, shift), select=["D110"])
    found = [f for f in report.findings if f.code == "D110"]
    assert bool(found) == flagged
    if flagged:
        assert found[0].evidence["validation_mapping_disagreement"]
        assert sum(r >= 700 for r in found[0].evidence["rows"]) >= 8  # the doubted rows lie in the second block


def test_the_rows_dropped_for_a_mirrored_d110_are_the_block_under_the_other_code_order():
    # the label remedy's own probes, fitted on the mixed training labels, learn the second annotator's order; probes
    # fitted on the validation labels name its rows
    from nndoctor.findings import Finding, Severity
    from nndoctor.fix.data_remedies import drop_suspect_labels, split_rows

    setup = _annotator_setup(True).resolve()
    x, y = split_rows(setup, "train")
    wrong = np.flatnonzero((np.arange(1200) >= 700) & (y.numpy() != 2))  # the order [1, 3, 2, 0] keeps grade 2
    finding = Finding("D110", Severity.WARNING, "test", evidence={"validation_mapping_disagreement": True})
    (candidate,) = drop_suspect_labels(setup, finding)
    kept = {row.tobytes() for row in split_rows(candidate.setup, "train")[0].numpy()}
    dropped = np.array([i for i in range(1200) if x[i].numpy().tobytes() not in kept])
    caught = np.isin(dropped, wrong)
    # most dropped rows are wrong ones (32% of the training labels are), and most wrong ones are dropped
    assert caught.mean() >= 0.7 and caught.sum() >= 0.8 * len(wrong), (caught.mean(), caught.sum(), len(wrong))
    assert "fit(X_val, y_val)" in candidate.snippet


def test_a_split_by_writer_is_no_second_label_mapping():
    # scikit-learn's digits ordered by writer: the last 397 rows are other writers'. Probes fitted on them agree with
    # their own held-out rows (same writers) 9 points more than with the training rows, and probes fitted on the
    # training rows lose 6 points on them too: a difference of the inputs, both ways, not of the labels
    import nndoctor
    from sklearn.datasets import load_digits
    from torch import nn

    digits = load_digits()
    x, y = torch.tensor(digits.data / 16, dtype=torch.float32), torch.tensor(digits.target)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    setup = nndoctor.Setup(model=model, train=(x[:1400], y[:1400]), val=(x[1400:], y[1400:]),
                           loss=nn.CrossEntropyLoss())
    assert "D110" not in nndoctor.checkup(setup, select=["D110"]).codes
