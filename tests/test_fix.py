"""fix: remedies verified by equal-budget seeded trials; the user's objects never change."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from torch import nn

import nndoctor
from nndoctor.findings import Finding
from nndoctor.fix import FOR_CODE, LOOP_PATTERNS, REMEDIES
from nndoctor.fix.remedies import clip_gradients, standardise_inputs, standardise_targets
from nndoctor.fix.transforms import NotApplicable
from nndoctor.fix.trials import baseline_candidate, run_trial, score_outputs
from nndoctor.fix.api import still_fires
from nndoctor.fix.verdict import MIN_GAIN, compare, compare_cleared, spread

from conftest import blobs, mlp
from test_checks_model import CustomOpNet, RightSquare, WrongSquare

SGD = lambda p: torch.optim.SGD(p, lr=0.05)  # noqa: E731
ADAM = lambda p: torch.optim.Adam(p, lr=1e-3)  # noqa: E731


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models train far faster on one thread (and the machine's cores are shared)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def six_classes() -> tuple[np.ndarray, np.ndarray]:
    return blobs(n=800, features=16, classes=6)


def result_for(report: nndoctor.Report, code: str) -> dict:
    results = {r["code"]: r for r in report.extra["fix"]["results"]}
    assert code in results, f"{code} not among the root causes fixed: {list(results)} (findings {report.codes})"
    return results[code]


def assert_verified_on_every_seed(result: dict, remedy: str) -> None:
    assert result["status"] == "verified", result
    chosen = result["remedy"]
    assert chosen["remedy"] == remedy
    before = chosen["before"]["metric"]["per_seed"]
    after = chosen["after"]["metric"]["per_seed"]
    assert len(before) == len(after) >= 3
    assert all(a > b for a, b in zip(after, before)), (before, after)
    assert chosen["snippet"].strip()


def unnormalised_setup(optimizer=ADAM) -> tuple[nndoctor.Setup, np.ndarray, np.ndarray]:
    x, y = blobs()
    x = x * 200 + 1000
    train_x, val_x = x[:480].copy(), x[480:].copy()
    setup = nndoctor.Setup(model=mlp(10, 3), train=(train_x, y[:480]), val=(val_x, y[480:]), loss=nn.CrossEntropyLoss(),
                           optimizer=optimizer, batch_size=32)
    return setup, train_x, val_x


# -- end to end ------------------------------------------------------------------------------
def test_standardise_inputs_verified_on_unnormalised_inputs():
    setup, _, _ = unnormalised_setup()
    report = nndoctor.fix(setup, budget=120, steps=200)
    assert report.mode == "fix"
    assert_verified_on_every_seed(result_for(report, "D101"), "standardise-inputs")
    data = json.loads(report.to_json())
    assert data["mode"] == "fix" and data["fix"]["metric"] == "balanced_accuracy"


def test_removing_softmax_verified_on_double_softmax():
    x, y = six_classes()
    setup = nndoctor.Setup(model=mlp(16, 6, final=nn.Softmax(dim=1)), train=(x[:600], y[:600]), val=(x[600:], y[600:]),
                           loss=nn.CrossEntropyLoss(), optimizer=SGD, batch_size=32)
    report = nndoctor.fix(setup, budget=120, steps=200)
    result = result_for(report, "L301")
    assert_verified_on_every_seed(result, "logits-loss")
    assert "Softmax" in result["remedy"]["snippet"]


def test_cross_entropy_verified_on_mse_for_class_labels():
    x, y = six_classes()
    labels = y.astype(np.float32)[:, None]
    setup = nndoctor.Setup(model=mlp(16, 1), train=(x[:600], labels[:600]), val=(x[600:], labels[600:]),
                           loss=nn.MSELoss(), optimizer=SGD, batch_size=32)
    report = nndoctor.fix(setup, budget=120, steps=200)
    result = result_for(report, "L305")
    assert_verified_on_every_seed(result, "classification-loss")
    assert "CrossEntropyLoss" in result["remedy"]["snippet"]


class _Affine(nn.Module):
    """A hand-written layer whose weights are drawn N(0, 1), with no 1/sqrt(fan-in)."""

    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_out, n_in))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.weight.t() + self.bias


class _SaturatedTanhNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a, self.b, self.out = _Affine(12, 64), _Affine(64, 64), nn.Linear(64, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.tanh(self.b(torch.tanh(self.a(x)))))


def test_reinitialisation_verified_on_tanh_units_saturated_by_their_weights():
    # standardised inputs, tanh applied in forward(): neither standardising nor swapping the activation applies
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1200, 12)).astype(np.float32)
    y = np.sin(x[:, 0]) + 0.5 * x[:, 1] * x[:, 2] + 0.3 * x[:, 3] + 0.1 * rng.normal(size=1200)
    y = y.astype(np.float32)[:, None]
    torch.manual_seed(0)
    setup = nndoctor.Setup(model=_SaturatedTanhNet(), train=(x[:900], y[:900]), val=(x[900:], y[900:]),
                           loss=nn.MSELoss(), optimizer=lambda p: torch.optim.SGD(p, lr=0.01), batch_size=32)
    report = nndoctor.fix(setup, budget=120, steps=200)
    result = result_for(report, "M204")
    assert result["status"] == "verified" and result["remedy"]["remedy"] == "reinitialise"
    before, after = result["remedy"]["before"]["metric"]["per_seed"], result["remedy"]["after"]["metric"]["per_seed"]
    assert len(before) == len(after) >= 3


def test_cross_entropy_remedy_unfolds_a_flattened_single_output_head():
    from nndoctor.fix.remedies import classification_loss

    x, y = six_classes()
    labels = y.astype(np.float32)
    model = nn.Sequential(mlp(16, 1), nn.Flatten(0))
    setup = nndoctor.Setup(model=model, train=(x[:600], labels[:600]), val=(x[600:], labels[600:]),
                           loss=nn.MSELoss(), optimizer=SGD, batch_size=32)
    setup.resolve()
    (candidate,) = classification_loss(setup, None)
    out = candidate.setup.model(torch.as_tensor(x[:32]))
    assert out.shape == (32, 6)
    assert "Flatten(0)" in candidate.snippet


@pytest.mark.parametrize("kind", ["classification", "regression"])
def test_healthy_setup_gets_no_remedies(kind, healthy_classification):
    if kind == "classification":
        setup = healthy_classification
    else:
        rng = np.random.default_rng(1)
        x = rng.standard_normal((500, 6)).astype(np.float32)
        y = (x @ rng.standard_normal(6) + 0.1 * rng.standard_normal(500)).astype(np.float32)[:, None]
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 32), nn.Tanh(), nn.Linear(32, 1))
        setup = nndoctor.Setup(model=model, train=(x[:400], y[:400]), val=(x[400:], y[400:]), loss=nn.MSELoss(), optimizer=ADAM)
    report = nndoctor.fix(setup, budget=60)
    fix = report.extra["fix"]
    assert not report.root_causes(), report.codes
    assert fix["results"] == [] and fix["baseline"] is None
    assert "nothing to fix" in fix["message"]


def test_the_users_objects_are_untouched():
    x, y = blobs()
    x = x * 200 + 1000
    train_x, train_y = x[:480].copy(), y[:480].copy()
    model = mlp(10, 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss = nn.CrossEntropyLoss()
    setup = nndoctor.Setup(model=model, train=(train_x, train_y), val=(x[480:], y[480:]), loss=loss, optimizer=optimizer)
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer_state = json.dumps(optimizer.state_dict()["param_groups"])
    rng = torch.get_rng_state()
    report = nndoctor.fix(setup, budget=60, steps=60)
    assert report.extra["fix"]["results"], "a faulty setup should have produced trials"
    assert all(torch.equal(weights[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters())
    assert model.training
    assert json.dumps(optimizer.state_dict()["param_groups"]) == optimizer_state and not optimizer.state_dict()["state"]
    np.testing.assert_array_equal(train_x, x[:480])
    np.testing.assert_array_equal(train_y, y[:480])
    assert setup.loss is loss and setup.model is model
    assert torch.equal(torch.get_rng_state(), rng)


# -- remedies --------------------------------------------------------------------------------
class _KeywordRegressor(nn.Module):
    """A Hugging Face style regressor: ``forward(x, labels=None)`` on dict samples."""

    def __init__(self) -> None:
        super().__init__()
        self.net = mlp(6, 1)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> dict:
        out = self.net(x).squeeze(-1)
        return {"logits": out} if labels is None else {"loss": nn.functional.mse_loss(out, labels), "logits": out}


class _Rows(torch.utils.data.Dataset):
    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x, self.y = torch.as_tensor(x), torch.as_tensor(y)

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int) -> dict:
        return {"x": self.x[i], "labels": self.y[i]}


def test_standardisation_reaches_the_one_input_entry_of_dict_samples():
    from torch.utils.data import DataLoader

    from nndoctor.fix.transforms import sole_tensor

    scales = np.array([1, 1e3, 1e-2, 1, 1e3, 1e-2])
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(600, 6)) * scales + 5).astype(np.float32)
    y = ((x - 5) / scales @ rng.normal(size=6)).astype(np.float32)
    # as the run capture hands over a Trainer's batches: the label entry as targets, the rest as keyword inputs
    setup = nndoctor.Setup(model=_KeywordRegressor(), train=DataLoader(_Rows(x[:480], y[:480]), batch_size=32),
                           val=DataLoader(_Rows(x[480:], y[480:]), batch_size=120), loss=nn.MSELoss(), optimizer=ADAM,
                           inputs=lambda batch: {"x": batch["x"]}, targets=lambda batch: batch["labels"])
    assert isinstance(setup.resolve().first_batch("train")[0], dict)
    (candidate,) = standardise_inputs(setup, Finding("D102", "warning", ""))
    seen = torch.cat([sole_tensor(xb) for xb, _ in candidate.setup.batches("train")]).double().numpy()
    expected = (x[:480] - x[:480].mean(axis=0)) / x[:480].std(axis=0)
    np.testing.assert_allclose(seen, expected, atol=2e-3)  # float32 inputs: a 0.01 spread around 5


def test_standardisation_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    train_x = (rng.standard_normal((300, 5)) * [1, 10, 100, 1000, 0.1] + [5, -50, 500, 0, 3]).astype(np.float32)
    val_x = (rng.standard_normal((90, 5)) * 7 + 40).astype(np.float32)  # different statistics on purpose
    train_x[:, 4] = 3.0  # a constant feature must not turn into NaN
    y_train, y_val = rng.integers(0, 2, 300), rng.integers(0, 2, 90)
    setup = nndoctor.Setup(model=mlp(5, 2), train=(train_x, y_train), val=(val_x, y_val), loss=nn.CrossEntropyLoss()).resolve()
    candidate = standardise_inputs(setup, Finding("D101", "warning", ""))[0]
    mean, std = train_x.astype(np.float64).mean(axis=0), train_x.astype(np.float64).std(axis=0)
    std[std == 0] = 1
    new_train = candidate.setup.train_loader.dataset.tensors[0].numpy()
    new_val = candidate.setup.val_loader.dataset.tensors[0].numpy()
    np.testing.assert_allclose(new_train, (train_x - mean) / std, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(new_val, (val_x - mean) / std, rtol=1e-4, atol=1e-4)
    assert not np.allclose(new_val.mean(axis=0), 0, atol=0.5), "val must not be standardised with its own statistics"
    assert np.isfinite(new_train).all()
    np.testing.assert_array_equal(setup.train_loader.dataset.tensors[0].numpy(), train_x)


def test_target_standardisation_trains_on_scaled_targets_and_predicts_original_units():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 4)).astype(np.float32)
    y = (1000 * x[:, :1] + 5000).astype(np.float32)
    setup = nndoctor.Setup(model=mlp(4, 1), train=(x[:150], y[:150]), val=(x[150:], y[150:]), loss=nn.MSELoss()).resolve()
    candidate = standardise_targets(setup, Finding("D105", "warning", ""))[0]
    mean, std = y[:150].astype(np.float64).mean(), y[:150].astype(np.float64).std()
    out = torch.zeros(3, 1)
    target = torch.tensor([[mean], [mean + std], [mean - 2 * std]], dtype=torch.float32)
    # zero raw output means predicting the training mean; the loss is in standardised units
    expected = float(np.mean([0.0, 1.0, 4.0]))
    inner = candidate.setup.model.model
    with torch.no_grad():
        for p in inner.parameters():
            p.zero_()
    assert torch.allclose(candidate.setup.model(torch.zeros(1, 4)), torch.tensor([[mean]], dtype=torch.float32), rtol=1e-5)
    raw = out * float(std) + float(mean)
    assert math.isclose(float(candidate.setup.loss(raw, target)), expected, rel_tol=1e-4)


def test_clipping_on_a_healthy_setup_is_not_verified(healthy_classification):
    setup = healthy_classification.resolve()
    candidate = clip_gradients(setup, Finding("O403", "warning", ""))[0]
    baseline = [run_trial(baseline_candidate(setup), setup, seed, 150).metric for seed in range(3)]
    clipped = [run_trial(candidate, setup, seed, 150).metric for seed in range(3)]
    verdict = compare(baseline, clipped)
    assert not verdict.verified, verdict


def test_every_remedy_builds_or_says_why_not(healthy_classification):
    setup = healthy_classification.resolve()
    weights = {k: v.clone() for k, v in setup.model.state_dict().items()}
    for remedy in REMEDIES:
        code = remedy.codes[0]
        try:
            candidates = remedy.build(setup, Finding(code, "warning", "", evidence={}))
        except NotApplicable as exc:
            assert str(exc)
            continue
        for candidate in candidates:
            assert candidate.setup is not setup and candidate.setup.model is not setup.model
            assert not set(map(id, candidate.setup.model.parameters())) & set(map(id, setup.model.parameters()))
            assert candidate.snippet.strip()
            x, _ = candidate.setup.first_batch()
            assert candidate.setup.model(x).shape[0] == x.shape[0]
    assert all(torch.equal(weights[k], v) for k, v in setup.model.state_dict().items())
    assert set(FOR_CODE) >= {"D101", "D102", "D105", "D106", "D115", "M201", "M202", "M203", "M205", "M206", "M210",
                             "L301", "L302", "L303", "L305", "L308", "O401", "O402", "O403", "O404", "O405", "O409", "G603"}
    assert set(LOOP_PATTERNS) == {"T501", "T502", "T503", "T504", "T505", "T506", "T507", "O411"}
    assert "optimizer.zero_grad()" in LOOP_PATTERNS["T501"]
    # schedules live in the loop, which fix's trials do not replay: shown, never trialled (the loop's clipping is replayed)
    assert not set(FOR_CODE) & set(LOOP_PATTERNS) and "O408" in FOR_CODE


# -- verdict and scoring -------------------------------------------------------------------------
def test_verdict_rules():
    assert compare([0.80, 0.81, 0.79], [0.85, 0.86, 0.84]).verified
    tie = compare([0.80, 0.81, 0.79], [0.80, 0.81, 0.79])
    assert not tie.verified and tie.gain == pytest.approx(0.0)
    tiny = compare([0.80, 0.81, 0.79], [0.80 + MIN_GAIN / 2] * 3)
    assert not tiny.verified  # wins every seed, but by less than a change that counts
    assert compare([0.50, 0.90, 0.70], [0.95, 0.88, 0.97]).verified  # loses one seed, gain 0.233 > spread 0.163
    assert not compare([0.50, 0.90, 0.70], [0.70, 0.85, 0.72]).verified  # gain 0.057 within spread 0.163
    assert not compare([0.8, 0.8, 0.8], [0.9, None, 0.9]).verified  # diverged on a seed the baseline survived
    assert compare([None, None, None], [0.6, 0.6, 0.6]).verified
    assert not compare([0.5, 0.5, 0.5], [math.nan] * 3).verified
    s = spread([0.2, 0.4, None])
    assert s.mean == pytest.approx(0.3) and s.std == pytest.approx(0.1) and s.diverged == 1


def test_a_two_logit_binary_head_gets_class_weights_and_a_prior_bias():
    from sklearn.utils.class_weight import compute_class_weight

    from nndoctor.fix.remedies import class_weights, output_bias

    x, y = blobs(n=900, classes=2)
    keep = np.flatnonzero((y == 0) | (np.arange(len(y)) % 8 == 0))  # about 1 positive in 9
    x, y = x[keep], y[keep]
    setup = nndoctor.Setup(model=mlp(10, 2), train=(x[:400], y[:400]), val=(x[400:], y[400:]),
                           loss=nn.CrossEntropyLoss()).resolve()
    assert setup.task == "binary"
    finding = Finding("D106", "warning", "")
    (weighted,) = class_weights(setup, finding)
    expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=y[:400])
    np.testing.assert_allclose(weighted.setup.loss.weight.numpy(), expected, rtol=1e-5)
    (biased,) = output_bias(setup, finding)
    prior = np.bincount(y[:400]) / 400
    np.testing.assert_allclose(list(biased.setup.model.parameters())[-1].detach().numpy(), np.log(prior), rtol=1e-5)


def test_a_bugs_remedy_is_judged_by_its_check_and_a_metric_no_worse():
    same = compare_cleared(None, [0.80, 0.81, 0.79], [0.80, 0.80, 0.80])
    assert same.verified and same.gain == pytest.approx(0.0)  # the bug is gone and nothing was lost
    assert not compare_cleared("still mismatched", [0.80, 0.81, 0.79], [0.95, 0.95, 0.95]).verified
    worse = compare_cleared(None, [0.80, 0.81, 0.79], [0.60, 0.61, 0.62])
    assert not worse.verified and "metric got worse" in worse.reason
    assert not compare_cleared(None, [0.8, 0.8, 0.8], [0.8, None, 0.8]).verified  # diverged where the baseline did not
    honest = compare_cleared(None, [0.99, 0.99, 0.99], [0.80, 0.81, 0.79], metric_comparable=False)
    assert honest.verified and honest.gain is None  # an honest validation split scores lower: not a loss


def test_still_fires_reruns_only_the_named_check_on_a_setup():
    x, y = blobs()
    def setup(square: type[torch.autograd.Function]) -> nndoctor.Setup:
        torch.manual_seed(0)
        return nndoctor.Setup(model=CustomOpNet(square), train=(x, y), val=(x, y), loss=nn.CrossEntropyLoss(),
                              optimizer=lambda p: torch.optim.Adam(p, lr=1e-3))
    assert still_fires(setup(WrongSquare), "M208", math.inf) is not None
    assert still_fires(setup(RightSquare), "M208", math.inf) is None


def test_scores_match_sklearn_definitions(healthy_classification):
    from sklearn.metrics import balanced_accuracy_score, r2_score

    setup = healthy_classification.resolve()
    logits = torch.tensor([[2.0, 0, 0], [0, 2.0, 0], [2.0, 0, 0], [0, 0, 2.0]])
    labels = torch.tensor([0, 1, 1, 2])
    assert score_outputs(setup, logits, labels) == pytest.approx(balanced_accuracy_score([0, 1, 1, 2], [0, 1, 0, 2]))
    regression = nndoctor.Setup(model=mlp(10, 1), train=(np.zeros((8, 10), np.float32), np.arange(8, dtype=np.float32)[:, None]),
                                loss=nn.MSELoss(), task="regression").resolve()
    pred, truth = torch.tensor([[1.0], [2.0], [2.5]]), torch.tensor([[1.0], [2.0], [3.0]])
    assert score_outputs(regression, pred, truth) == pytest.approx(r2_score(truth.numpy(), pred.numpy()))


@pytest.mark.parametrize("log_input", [True, False])
def test_a_poisson_loss_on_log_rates_is_scored_on_the_rates(log_input):
    """Round 36 a/shearing_nicks_spec (nick counts under PoissonNLLLoss(log_input=True)): fix scored R² of the
    log-rates against the counts (-13 before, -33 after a re-initialisation that cut the validation loss 0.47 ->
    0.34), so no remedy could verify. The prediction is the rate the loss reads, as the look scores it."""
    from sklearn.metrics import r2_score

    counts = np.array([[0.0], [1.0], [3.0], [0.0], [2.0], [5.0]], np.float32)
    setup = nndoctor.Setup(model=mlp(10, 1), train=(np.zeros((6, 10), np.float32), counts),
                           loss=nn.PoissonNLLLoss(log_input=log_input), task="regression").resolve()
    output = torch.tensor([[-1.0], [0.1], [1.0], [-2.0], [0.7], [1.6]])
    rate = output.exp() if log_input else output
    assert score_outputs(setup, output, torch.from_numpy(counts)) == pytest.approx(r2_score(counts, rate.numpy()))


def test_per_token_labels_are_scored_per_position_with_padding_left_out(healthy_classification):
    from sklearn.metrics import balanced_accuracy_score

    setup = healthy_classification.resolve()
    labels = torch.tensor([[0, 1, 2, 0], [2, 1, -100, -100]])  # a language model's (batch, time) targets, padded
    logits = torch.nn.functional.one_hot(torch.tensor([[0, 1, 1, 0], [2, 0, 0, 1]]), 3).float()  # (batch, time, classes)
    expected = balanced_accuracy_score([0, 1, 2, 0, 2, 1], [0, 1, 1, 0, 2, 0])
    assert score_outputs(setup, logits, labels) == pytest.approx(expected)
    assert score_outputs(setup, logits.transpose(1, 2), labels) == pytest.approx(expected)  # classes second, as torch's losses


def test_cli_fix_writes_json_and_html(tmp_path):
    from nndoctor.cli import main

    case = tmp_path / "case.py"
    case.write_text(
        "import sys\nsys.path.insert(0, %r)\n" % str(__import__("pathlib").Path(__file__).parent)
        + "import torch\nfrom torch import nn\nimport nndoctor\nfrom conftest import blobs, mlp\n"
        "def setup():\n    x, y = blobs()\n    x = x * 200 + 1000\n"
        "    return nndoctor.Setup(model=mlp(10, 3), train=(x[:480], y[:480]), val=(x[480:], y[480:]), loss=nn.CrossEntropyLoss())\n"
    )
    before = case.read_text()
    out, html = tmp_path / "fix.json", tmp_path / "fix.html"
    status = main(["fix", str(case), "--json", str(out), "--html", str(html), "--budget", "40", "--seeds", "3"])
    assert status == 1
    data = json.loads(out.read_text())
    assert data["mode"] == "fix" and data["fix"]["results"]
    assert "Remedies tried" in html.read_text()
    assert case.read_text() == before


def test_label_recoding_maps_minus_one_plus_one_to_zero_one_on_both_splits():
    from nndoctor.fix.remedies import encode_labels

    x, y = blobs(classes=2)
    signed = (2 * y - 1).astype(np.float32)[:, None]
    setup = nndoctor.Setup(model=mlp(10, 1), train=(x[:480], signed[:480]), val=(x[480:], signed[480:]),
                           loss=nn.BCEWithLogitsLoss(), task="binary").resolve()
    candidate = encode_labels(setup, Finding("D113", "error", ""))[0]
    np.testing.assert_array_equal(candidate.setup.train_loader.dataset.tensors[1].numpy(), y[:480, None].astype(np.float32))
    np.testing.assert_array_equal(candidate.setup.val_loader.dataset.tensors[1].numpy(), y[480:, None].astype(np.float32))
    np.testing.assert_array_equal(setup.train_loader.dataset.tensors[1].numpy(), signed[:480])


def test_targets_the_loss_broadcasts_are_reshaped_and_verified_on_every_seed():
    # the unchanged arm trains as the user's loop does, on the broadcast loss; the remedy pairs outputs and targets
    rng = np.random.default_rng(0)
    x = rng.normal(size=(800, 6)).astype(np.float32)
    y = (x @ rng.normal(size=6) + 0.1 * rng.normal(size=800)).astype(np.float32)
    setup = nndoctor.Setup(model=mlp(6, 1), train=(x[:640], y[:640]), val=(x[640:], y[640:]), loss=nn.MSELoss(),
                           optimizer=ADAM, batch_size=32)
    report = nndoctor.fix(setup, budget=120, steps=200)
    result = result_for(report, "D113")
    assert_verified_on_every_seed(result, "encode-labels")
    assert "y.view(-1, 1)" in result["remedy"]["snippet"]


def test_recoding_0_255_mask_targets_is_a_bug_fix_verified_by_the_check_clearing():
    # round 24's c/smoke_plume_masks: 8-bit masks (0/255) under BCEWithLogitsLoss; within a short trial the pixel
    # balanced accuracy moves less than a metric gain counts (+0.009), yet a target outside [0, 1] is a bug
    x, y = blobs(classes=2)
    masks = (255.0 * y).astype(np.float32)[:, None]
    setup = nndoctor.Setup(model=mlp(10, 1), train=(x[:480], masks[:480]), val=(x[480:], masks[480:]),
                           loss=nn.BCEWithLogitsLoss(), optimizer=ADAM, batch_size=32)
    result = result_for(nndoctor.fix(setup, budget=120, steps=150), "D113")
    assert result["status"] == "verified" and result["remedy"]["remedy"] == "encode-labels"
    assert result["remedy"]["reason"].startswith("the check is clear")


def test_recoding_one_two_targets_is_verified_by_the_check_not_by_a_metric_on_the_broken_labels():
    # round 33's d/chord_mode_trainer: a mode column (1 = major, 2 = minor) fed to BCEWithLogitsLoss as the target.
    # Every target reads as a positive, so the unchanged arm scores a perfect balanced accuracy against its own labels
    # while predicting one class; the recoded arm is scored against 0/1: the metrics measure different labels
    x, y = blobs(classes=2)
    mode = (1.0 + y).astype(np.float32)[:, None]
    setup = nndoctor.Setup(model=mlp(10, 1), train=(x[:480], mode[:480]), val=(x[480:], mode[480:]),
                           loss=nn.BCEWithLogitsLoss(), optimizer=ADAM, batch_size=32)
    result = result_for(nndoctor.fix(setup, budget=120, steps=150), "D113")
    assert result["status"] == "verified" and result["remedy"]["remedy"] == "encode-labels"
    assert "y = (y == 2)" in result["remedy"]["snippet"] and "not compared" in result["remedy"]["reason"]


# -- deterministic budgets: steps from the setup, the clock only a safety net ------------------
def test_trial_steps_come_from_the_setups_cost_not_from_a_stopwatch():
    from nndoctor.fix.api import REFERENCE_TOTAL_STEPS, plan_steps
    from nndoctor.probes.trial import REFERENCE_STEP_FLOPS, StepCost

    cheap = StepCost(3e4, "counted")
    assert plan_steps(cheap, 32, runs=21, wanted=300) == 300
    # a step at exactly the reference cost: the fixed allowance split over the runs
    reference = StepCost(REFERENCE_STEP_FLOPS / (3 * 32), "counted")
    assert plan_steps(reference, 32, runs=30, wanted=300) == REFERENCE_TOTAL_STEPS // 30
    assert plan_steps(reference, 32, runs=60, wanted=300) < plan_steps(reference, 32, runs=30, wanted=300)
    assert plan_steps(reference, 32, runs=30, wanted=300, device="cuda") == 300


def test_a_remedy_stopped_by_the_safety_net_is_listed_inconclusive_never_judged(monkeypatch):
    import time

    from nndoctor.fix import api

    real = api.run_trial

    def baseline_on_time_candidates_late(candidate, baseline, seed, steps, deadline=None):
        late = time.perf_counter() - 1.0 if candidate.remedy != "baseline" else deadline
        return real(candidate, baseline, seed, steps, deadline=late)

    monkeypatch.setattr(api, "run_trial", baseline_on_time_candidates_late)
    setup, _, _ = unnormalised_setup()
    report = nndoctor.fix(setup, budget=600, steps=60, seeds=2)
    fix = report.extra["fix"]
    assert fix["baseline"] is not None and fix["steps"] == 60
    assert fix["skipped"] and all("inconclusive" in s and "safety net" in s for s in fix["skipped"])
    result = result_for(report, "D101")
    assert result["status"] == "skipped" and result["tried"] == [] and result["remedy"] is None
