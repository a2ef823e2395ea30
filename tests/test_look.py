"""The look: the batch as the model sees it, predictions, baselines, bias/variance and spread.

For an image task (scikit-learn's digits as 1x8x8), a token-sequence task and a tabular
regression, every section is in ``report.extra["look"]`` and in the HTML (and Jupyter's
fragment); the numbers are checked against independent calculations: scikit-learn's
confusion matrix on predictions recomputed here, the majority share and the mean predictor
computed with NumPy, and the spread's standard deviation with NumPy.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.metrics import confusion_matrix
from torch import nn

from nndoctor import Setup
from nndoctor.look import LookConfig, look
from nndoctor.render.html import render_fragment, render_html
from nndoctor.runner import checkup
from nndoctor.verdicts.baselines import BaselineComparison, below_baseline

EVIL = "<script>alert(1)</script>"
SECTIONS = ('id="look"', 'id="look-baselines"', 'id="look-bias-variance"')


def digits_images(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = ((d.data - 8.0) / 8.0).astype(np.float32).reshape(-1, 1, 8, 8)
    return train_test_split(x, d.target.astype(np.int64), test_size=0.2, random_state=seed, stratify=d.target)


def digits_setup(lr: float = 1e-2) -> Setup:
    x_train, x_val, y_train, y_val = digits_images()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    return Setup(model, train=(x_train, y_train), val=(x_val, y_val), loss=nn.CrossEntropyLoss(),
                 optimizer=lambda p: torch.optim.Adam(p, lr=lr), batch_size=64, name="digits-cnn")


def token_setup() -> Setup:
    """Per-position tagging of token ids: the tag is the token id mod 4 (learnable from the token alone)."""
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 20, (400, 12), generator=g)
    y = x % 4

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(20, 16)
            self.out = nn.Linear(16, 4)

        def forward(self, ids: torch.Tensor) -> torch.Tensor:
            return self.out(self.embed(ids)).transpose(1, 2)  # (N, classes, T)

    torch.manual_seed(0)
    return Setup(Tagger(), train=(x[:320], y[:320]), val=(x[320:], y[320:]), loss=nn.CrossEntropyLoss(),
                 optimizer=lambda p: torch.optim.Adam(p, lr=1e-2), batch_size=32, task="sequence", name="tagger")


def regression_data() -> tuple[np.ndarray, ...]:
    from sklearn.datasets import make_regression

    x, y = make_regression(n_samples=600, n_features=6, noise=5.0, random_state=0)
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)
    y = ((y - y.mean()) / y.std()).astype(np.float32).reshape(-1, 1)
    return x[:400], y[:400], x[400:500], y[400:500], x[500:], y[500:]


def regression_setup() -> Setup:
    x_train, y_train, x_val, y_val, x_test, y_test = regression_data()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))
    return Setup(model, train=(x_train, y_train), val=(x_val, y_val), test=(x_test, y_test), loss=nn.MSELoss(),
                 optimizer=lambda p: torch.optim.Adam(p, lr=1e-2), batch_size=32, target_error=0.01, name="reg")


@pytest.fixture(scope="module")
def image_report():
    return checkup(digits_setup(), select=["G606"])


def _trained(setup: Setup, steps: int = 150) -> nn.Module:
    """A copy trained here, independently of the look's own training."""
    setup.resolve()
    torch.manual_seed(0)
    model = setup.fresh_model()
    opt = setup.make_optimizer(model)
    batches = list(setup.batches("train"))
    for step in range(steps):
        x, y = batches[step % len(batches)]
        opt.zero_grad()
        setup.compute_loss(model(x), y).backward()
        opt.step()
    return model


# -- image task ------------------------------------------------------------------------
def test_image_sections_in_report_json_and_html(image_report):
    found = image_report.extra["look"]
    json.dumps(image_report.to_dict())  # JSON-serialisable
    assert found["batch"]["kind"] == "image" and len(found["batch"]["images"]) == 16
    assert np.asarray(found["batch"]["images"][0]).shape == (8, 8)
    assert len(found["class_counts"]["classes"]) == 10 and found["class_counts"]["val"] is not None
    assert found["predictions"]["kind"] == "classes"
    assert {"highest_loss", "confident_mistakes"} <= set(found["predictions"])
    assert "image" in found["predictions"]["highest_loss"][0]
    assert {r["name"] for r in found["baselines"]["rows"]} == {"prior (majority class)", "logistic regression",
                                                               "network on zeroed inputs"}
    assert found["bias_variance"]["reading"]
    assert len(found["spread"]["values"]) == 3
    html = render_html(image_report)
    for marker in SECTIONS + ("The batch as the model sees it", "Confusion matrix", "Most confident mistakes",
                              "Spread over re-runs", "Prediction dynamics", "Class counts"):
        assert marker in html, marker
    assert "look" in image_report._repr_html_() and 'id="look-baselines"' in render_fragment(image_report)


def test_image_numbers_against_sklearn_and_numpy():
    setup = digits_setup()
    model = _trained(setup)
    _, x_val, y_train, y_val = digits_images()
    found, comparison = look(setup, model, steps=30, config=LookConfig(train_batches=100, val_batches=100))
    with torch.no_grad():
        predicted = model(torch.from_numpy(x_val)).argmax(1).numpy()
    assert found["predictions"]["confusion"] == confusion_matrix(y_val, predicted, labels=list(range(10))).tolist()
    assert found["predictions"]["accuracy"] == pytest.approx(np.mean(predicted == y_val))
    majority = np.bincount(y_train).argmax()
    prior = next(r for r in found["baselines"]["rows"] if r["name"].startswith("prior"))
    assert prior["value"] == pytest.approx(np.mean(y_val == majority))
    values = found["spread"]["values"]
    assert found["spread"]["std"] == pytest.approx(np.std(values, ddof=1))
    assert len(set(values)) > 1 or found["spread"]["std"] == 0  # re-drawn runs
    again, _ = look(setup, model, steps=30, config=LookConfig(train_batches=100, val_batches=100))
    assert again["spread"]["values"] == values  # seeded: the same numbers twice
    assert found["class_counts"]["train"] == np.bincount(y_train).tolist()
    assert found["class_counts"]["val"] == np.bincount(y_val).tolist()
    assert comparison is not None and comparison.spread == found["spread"]["std"]


def test_below_baseline_fires_on_a_network_that_does_not_learn_and_not_on_a_healthy_one(image_report):
    assert "G606" not in image_report.codes
    frozen = checkup(digits_setup(lr=0.0), select=["G606"])
    assert "G606" in frozen.codes
    finding = next(f for f in frozen.findings if f.code == "G606")
    assert finding.evidence["best_baseline"] == "logistic regression"


def test_below_baseline_verdict_counts_noise():
    within = BaselineComparison("accuracy", 0.90, [("logistic regression", 0.92)], standard_error=0.01, samples=900)
    assert below_baseline(within) == []  # 0.02 < 2 * sqrt(2) * 0.01
    beyond = BaselineComparison("accuracy", 0.80, [("logistic regression", 0.92)], standard_error=0.01, samples=900)
    assert [f.code for f in below_baseline(beyond)] == ["G606"]
    noisy = BaselineComparison("accuracy", 0.80, [("logistic regression", 0.92)], standard_error=0.01, spread=0.1)
    assert below_baseline(noisy) == []  # the re-runs spread more than the gap
    mse = BaselineComparison("mse", 2.0, [("prior (training mean)", 1.0)], standard_error=0.05, samples=100)
    assert [f.code for f in below_baseline(mse)] == ["G606"]


# -- token sequences -------------------------------------------------------------------
def test_token_sequence_sections_and_escaped_text():
    setup = token_setup()
    model = _trained(setup, 100)
    found, _ = look(setup, model, steps=20, config=LookConfig(decode=lambda ids: EVIL + " ".join(map(str, ids))))
    assert found["batch"]["kind"] == "tokens" and found["batch"]["decoded"]
    assert found["class_counts"]["classes"] == [0, 1, 2, 3]
    x_val = torch.cat([x for x, _ in setup.batches("val")])
    y_val = torch.cat([y for _, y in setup.batches("val")])
    with torch.no_grad():
        predicted = model(x_val).argmax(1).reshape(-1).numpy()
    assert found["predictions"]["confusion"] == confusion_matrix(y_val.reshape(-1).numpy(), predicted,
                                                                 labels=[0, 1, 2, 3]).tolist()
    linear = next(r for r in found["baselines"]["rows"] if r["name"] == "logistic regression")
    assert linear["value"] is None and "not flat features" in linear["note"]
    majority = np.bincount(torch.cat([y for _, y in setup.batches("train")]).reshape(-1).numpy()).argmax()
    prior = next(r for r in found["baselines"]["rows"] if r["name"].startswith("prior"))
    assert prior["value"] == pytest.approx(np.mean(y_val.reshape(-1).numpy() == majority))
    from nndoctor import Report

    report = Report(mode="checkup", extra={"look": found})
    html = render_html(report)
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for marker in SECTIONS + ("The batch as the model sees it", "Confusion matrix", "Per class"):
        assert marker in html, marker


# -- tabular regression ----------------------------------------------------------------
def test_regression_sections_numbers_and_bias_variance():
    setup = regression_setup()
    model = _trained(setup, 200)
    x_train, y_train, x_val, y_val, x_test, y_test = regression_data()
    found, comparison = look(setup, model, steps=50)
    assert found["batch"]["kind"] == "tabular" and len(found["batch"]["histograms"]) == 6
    assert found["class_counts"] is None
    prior = next(r for r in found["baselines"]["rows"] if r["name"].startswith("prior"))
    assert prior["value"] == pytest.approx(np.mean((y_val - y_train.mean()) ** 2), rel=1e-5)
    with torch.no_grad():
        mse = lambda x, y: float(((model(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean())
    assert found["predictions"]["mse"] == pytest.approx(mse(x_val, y_val), rel=1e-5)
    bv = found["bias_variance"]
    assert bv["train"] == pytest.approx(mse(x_train, y_train), rel=1e-5)
    assert bv["test"] == pytest.approx(mse(x_test, y_test), rel=1e-5)
    assert bv["avoidable_bias"] == pytest.approx(bv["train"] - 0.01) and bv["target"] == 0.01
    assert bv["variance"] == pytest.approx(bv["val"] - bv["train"])
    assert found["spread"]["std"] == pytest.approx(np.std(found["spread"]["values"], ddof=1))
    assert comparison is not None and comparison.metric == "mse"
    from nndoctor import Report

    html = render_html(Report(mode="checkup", extra={"look": found}))
    for marker in SECTIONS + ("Predicted vs true", "Feature histograms", "test error"):
        assert marker in html, marker


@pytest.mark.parametrize("noise, copied", [(0.0, True), (0.5, False)])
def test_an_autoencoder_is_not_compared_with_the_identity_map(noise, copied):
    """Ridge regression from the inputs onto themselves is the identity (MSE ~0): no baseline for a bottleneck.

    A denoising autoencoder (noisy inputs, clean targets) keeps it: a linear denoiser is a fair baseline.
    """
    x_train, _, x_val, _, _, _ = regression_data()
    rng = np.random.default_rng(0)
    noisy = lambda x: (x + noise * rng.normal(size=x.shape)).astype(np.float32)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 2), nn.ReLU(), nn.Linear(2, 6))
    setup = Setup(model, train=(noisy(x_train), x_train), val=(noisy(x_val), x_val), loss=nn.MSELoss(),
                  optimizer=lambda p: torch.optim.Adam(p, lr=1e-2), batch_size=32, task="regression")
    found, comparison = look(setup, _trained(setup, 50), steps=10, config=LookConfig(spread=False))
    ridge = next(r for r in found["baselines"]["rows"] if r["name"] == "ridge regression")
    names = [name for name, _ in comparison.baselines]
    if copied:
        assert ridge["value"] is None and "targets are the inputs" in ridge["note"] and "ridge regression" not in names
    else:
        assert ridge["value"] is not None and "ridge regression" in names


def test_bias_variance_reading():
    from nndoctor.look.biasvar import REDUCE_BIAS, REDUCE_VARIANCE, bias_variance

    assert bias_variance(0.15, 0.16, target_error=0.01)["reading"] == [REDUCE_BIAS]
    assert bias_variance(0.02, 0.15, target_error=0.01)["reading"] == [REDUCE_VARIANCE]


def test_bad_target_error_is_a_setup_error():
    from nndoctor.errors import SetupError

    x_train, y_train, *_ = regression_data()
    with pytest.raises(SetupError, match="target_error"):
        Setup(nn.Linear(6, 1), train=(x_train, y_train), target_error=-1)


# -- nndoctor run ----------------------------------------------------------------------
RUN_SCRIPT = '''import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
inputs = torch.randn(512, 20)
labels = (inputs[:, :3].sum(1) > 0).long()
train = DataLoader(TensorDataset(inputs[:384], labels[:384]), batch_size=32, shuffle=True)
val = DataLoader(TensorDataset(inputs[384:], labels[384:]), batch_size=64)
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()
for epoch in range(2):
    for x, y in train:
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        for x, y in val:
            criterion(model(x), y)
    model.train()
'''


def test_run_mode_shows_the_batch_and_class_counts(tmp_path):
    import os
    import subprocess
    import sys

    (tmp_path / "train.py").write_text(RUN_SCRIPT)
    import nndoctor

    source = str(Path(nndoctor.__file__).resolve().parents[1])  # this checkout's package, whatever the cwd
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0",
           "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "nndoctor.cli", "run", "--json", "report.json", "--html", "report.html",
                           "train.py"], check=False, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=240)
    assert done.returncode in (0, 1), done.stderr
    found = json.loads((tmp_path / "report.json").read_text())["exam"]["look"]
    assert found["batch"]["kind"] == "tabular" and len(found["batch"]["labels"]) == 16
    torch.manual_seed(0)
    labels = (torch.randn(512, 20)[:, :3].sum(1) > 0).long()
    assert sum(found["class_counts"]["train"]) == 384
    assert found["class_counts"]["val"] == torch.bincount(labels[384:]).tolist()
    html = (tmp_path / "report.html").read_text()
    assert 'id="look"' in html and "Class counts" in html and "Feature histograms" in html


def test_a_poisson_model_on_log_rates_is_scored_on_its_rates():
    """PoissonNLLLoss(log_input=True) reads the output as a log-rate: the prediction compared with the counts
    and the baselines is exp(output), so a model that fits the rates is not 'below baseline'."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1200, 5)).astype(np.float32)
    counts = rng.poisson(np.exp(0.8 + x @ np.array([0.5, -0.4, 0.3, 0.0, 0.2]))).astype(np.float32)[:, None]
    torch.manual_seed(0)
    setup = Setup(model=nn.Sequential(nn.Linear(5, 32), nn.ReLU(), nn.Linear(32, 1)), train=(x[:900], counts[:900]),
                  val=(x[900:], counts[900:]), loss=nn.PoissonNLLLoss(log_input=True),
                  optimizer=lambda p: torch.optim.Adam(p, lr=1e-2), batch_size=64)
    report = checkup(setup, select=["G606"])
    assert "G606" not in [f.code for f in report.findings]
    predicted = np.array(report.extra["look"]["predictions"]["predicted"])
    assert predicted.min() > 0  # rates, not log-rates
