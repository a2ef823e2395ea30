"""The verdict tells the truth about a run (issue 13, items 4 to 6).

A run is never called healthy while something at warning or above is wrong: a finding
below warning explains nothing at warning or above, and an evaluation pass is never
evidence about how the training loss is built. And rules do not fire on healthy official
examples where what they measure cannot do the harm they name: target scale under a
bounded-gradient loss (D105), norm clipping under a scale-invariant optimizer (O408), a
class prior estimated from a few batches of a large vocabulary (G602).

Every loop here is written the way the PyTorch examples write them (MNIST, regression,
word language model), watched with ``nndoctor.watch``.
"""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import nndoctor
from nndoctor import Severity
from nndoctor.report import Report

from data_fixtures import mlp, of, regression_data, run_data_checks

# Codes that name a too-high learning rate, or what it does to the loss and the weights.
LR_TOO_HIGH = {"O401", "O403", "O407", "O412"}


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def loud(report: Report) -> list[str]:
    return [f.code for f in report.findings if f.severity.at_least(Severity.WARNING)]


# -- an MNIST-style loop: mean loss to train, summed loss under no_grad to test ------------------
CLASSES = 10


class Net(nn.Module):
    def __init__(self, batchnorms: int = 1) -> None:
        super().__init__()
        self.fc1 = nn.Linear(20, 64)
        self.bn1 = nn.BatchNorm1d(64)
        self.fc2 = nn.Linear(64, 64)
        self.bn2 = nn.BatchNorm1d(64) if batchnorms > 1 else nn.Identity()
        self.fc3 = nn.Linear(64, CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn1(self.fc1(x)))
        x = F.relu(self.bn2(self.fc2(x)))
        return F.log_softmax(self.fc3(x), dim=1)


def blobs(n: int = 1200) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    centres = torch.randn(CLASSES, 20, generator=g) * 1.5
    y = torch.randint(0, CLASSES, (n,), generator=g)
    return centres[y] + torch.randn(n, 20, generator=g), y


def train_epoch(model: nn.Module, train_loader: DataLoader, optimizer: torch.optim.Optimizer, reduction: str = "mean") -> None:
    model.train()
    for data, target in train_loader:
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target, reduction=reduction)
        loss.backward()
        optimizer.step()


def evaluate(model: nn.Module, test_loader: DataLoader) -> float:
    model.eval()
    test_loss = 0.0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()  # sum up batch loss
    return test_loss / len(test_loader.dataset)


def mnist_style(fault: str | None = None, epochs: int = 4, batchnorms: int = 1) -> tuple[Report, float]:
    """Adadelta(lr=1.0) as in the MNIST example; ``fault`` breaks one thing. Returns the report and the last test loss."""
    torch.manual_seed(0)
    x, y = blobs()
    x_train, y_train, x_test, y_test = x[:1000], y[:1000], x[1000:], y[1000:]
    if fault == "shuffled_labels":
        y_train = y_train[torch.randperm(len(y_train))]
    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=32, shuffle=True)
    test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=100)
    model = Net(batchnorms)
    if fault == "frozen_but_batchnorm":
        for name, param in model.named_parameters():
            param.requires_grad = name.startswith("bn")
    lr = 1000.0 if fault == "lr_x1000" else 1.0
    optimizer = (torch.optim.SGD(model.parameters(), lr=0.01) if fault == "sum_reduced_sgd"
                 else torch.optim.Adadelta(model.parameters(), lr=lr))
    with nndoctor.watch(model, optimizer, alerts=False) as doctor:
        for _ in range(epochs):
            train_epoch(model, train_loader, optimizer, reduction="sum" if fault == "sum_reduced_sgd" else "mean")
            test_loss = evaluate(model, test_loader)
    return doctor.report(), test_loss


def test_a_summed_test_loss_under_no_grad_says_nothing_about_the_training_loss():
    report, _ = mnist_style()
    assert "L308" not in report.codes, report.codes
    assert loud(report) == [], report.verdict()
    assert report.verdict().startswith("Healthy")


@pytest.mark.parametrize("fault, leads", [
    ("lr_x1000", LR_TOO_HIGH),
    ("shuffled_labels", {"G602", "D111"}),
    ("frozen_but_batchnorm", {"G602", "O406"}),
])
def test_a_broken_run_with_a_summed_test_loss_is_not_called_healthy(fault, leads):
    report, _ = mnist_style(fault)
    assert not report.verdict().startswith("Healthy"), [(f.code, f.severity.value, f.explained_by) for f in report.findings]
    top = report.root_causes()[0]
    assert top.code in leads, report.verdict()
    assert report.verdict().startswith(top.code)
    assert report.exit_code() == 1


def test_a_training_loss_summed_over_the_batch_is_noted_under_sgd():
    # SGD at 0.01 on a sum over 32 samples steps as 0.32 would on the mean, which this net takes in its stride: the sum
    # is read and noted as scaling the step, with nothing in the run to show the steps too large
    report, _ = mnist_style("sum_reduced_sgd", epochs=1)
    (finding,) = [f for f in report.findings if f.code == "L308"]
    assert finding.severity == Severity.INFO and finding.evidence["scales_the_step"]
    assert finding.evidence["losses"] == ["nll_loss"]
    assert loud(report) == [], report.verdict()


def test_a_summed_test_loss_is_read_per_sample():
    report, test_loss = mnist_style(batchnorms=2)
    assert report.telemetry["val_loss"][-1] == pytest.approx(test_loss, rel=1e-3)
    assert loud(report) == [], report.verdict()


def test_a_summed_loss_reads_as_the_mean_over_the_terms_it_summed():
    from nndoctor.watch.loss_inspect import mean_loss

    logits, labels = torch.randn(6, 5), torch.tensor([0, 4, -100, 2, -100, 1])
    summed = F.cross_entropy(logits, labels, reduction="sum")
    assert float(mean_loss("cross_entropy", summed, logits, labels, {"reduction": "sum"})) == pytest.approx(
        float(F.cross_entropy(logits, labels)))
    out, target = torch.randn(8, 3), torch.randn(8, 3)
    summed = F.mse_loss(out, target, reduction="sum")
    assert float(mean_loss("mse_loss", summed, out, target, {"reduction": "sum"})) == pytest.approx(float(F.mse_loss(out, target)))


# -- D105: the regression example (polynomial fit, smooth L1, hand-written SGD) ------------------
POLY_DEGREE = 4


def fit_polynomial(loss_name: str, batches: int = 200) -> Report:
    torch.manual_seed(0)
    W_target = torch.randn(POLY_DEGREE, 1) * 5
    b_target = torch.randn(1) * 5

    def make_features(x: torch.Tensor) -> torch.Tensor:
        x = x.unsqueeze(1)
        return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)

    def get_batch(batch_size: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
        x = make_features(torch.randn(batch_size))
        return x, x.mm(W_target) + b_target.item()

    fc = nn.Linear(W_target.size(0), 1)
    loss_fn = {"smooth_l1": lambda o, t: F.smooth_l1_loss(o, t), "huber": lambda o, t: nn.HuberLoss()(o, t),
               "l1": lambda o, t: nn.L1Loss()(o, t), "mse": lambda o, t: F.mse_loss(o, t)}[loss_name]
    with nndoctor.watch(fc, alerts=False) as doctor:
        for _ in range(batches):
            batch_x, batch_y = get_batch()
            fc.zero_grad()
            output = loss_fn(fc(batch_x), batch_y)
            loss = output.item()
            output.backward()
            for param in fc.parameters():
                param.data.add_(-0.1 * param.grad)
            if loss < 1e-3:
                break
    return doctor.report()


@pytest.mark.parametrize("loss_name", ["smooth_l1", "huber", "l1"])
def test_targets_far_from_unit_scale_do_not_alarm_under_a_bounded_gradient_loss(loss_name):
    report = fit_polynomial(loss_name)
    (finding,) = [f for f in report.findings if f.code == "D105"]
    assert finding.severity is Severity.INFO and finding.evidence["bounded_gradient_loss"] is True
    # The x⁴ feature of a standard normal has a root mean square of sqrt(105) ≈ 10.25, just beyond D101's limit:
    # the pooled sample of batches sees that heavy tail as checkup does on the dataset (one batch's std hid it).
    assert [code for code in loud(report) if code != "D101"] == [], report.verdict()


def test_the_same_targets_under_mse_are_the_root_of_the_blow_up():
    report = fit_polynomial("mse")
    assert report.root_causes()[0].code == "D105", report.verdict()
    assert "O401" in report.codes


def test_checkup_judges_target_scale_by_the_loss_too():
    x, y = regression_data()
    prices = y * 80_000.0 + 350_000.0
    for loss, severity in ((nn.SmoothL1Loss(), Severity.INFO), (nn.HuberLoss(), Severity.INFO), (nn.MSELoss(), Severity.WARNING)):
        (finding,) = of(run_data_checks(nndoctor.Setup(model=mlp(8, 1), train=(x, prices), loss=loss), "D105"), "D105")
        assert finding.severity is severity, type(loss).__name__


# -- O408: clip_grad_norm_ at 0.25 -------------------------------------------------------------
def clipped_classifier(optimizer_name: str) -> Report:
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    centres = torch.randn(3, 10, generator=g)
    y = torch.randint(0, 3, (960,), generator=g)
    x = centres[y] + 1.5 * torch.randn(960, 10, generator=g)
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 3))
    optimizer = {"AdamW": lambda p: torch.optim.AdamW(p, lr=1e-3), "Adam": lambda p: torch.optim.Adam(p, lr=1e-3),
                 "RMSprop": lambda p: torch.optim.RMSprop(p, lr=1e-3), "SGD": lambda p: torch.optim.SGD(p, lr=0.1)}[optimizer_name](
        model.parameters())
    with nndoctor.watch(model, optimizer, alerts=False) as doctor:
        for _ in range(3):
            for i in range(0, 960, 32):
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x[i:i + 32]), y[i:i + 32])
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
                optimizer.step()
    return doctor.report()


@pytest.mark.parametrize("optimizer_name", ["AdamW", "Adam", "RMSprop"])
def test_a_clip_that_bites_every_step_is_harmless_under_a_scale_invariant_optimizer(optimizer_name):
    report = clipped_classifier(optimizer_name)
    assert report.telemetry["clip_calls"] == 90
    assert "O408" not in report.codes, report.verdict()


def test_the_same_clip_under_sgd_sets_the_step_size():
    report = clipped_classifier("SGD")
    (finding,) = [f for f in report.findings if f.code == "O408"]
    assert finding.severity is Severity.WARNING and finding.evidence["clipped_share"] == 1.0


# -- G602: a word language model over a 10 000-token vocabulary ---------------------------------
NTOKENS = 10_000


def zipf_corpus(n: int = 40_000) -> torch.Tensor:
    """Zipf-distributed words, each followed by its fixed partner word: half the tokens are predictable."""
    g = torch.Generator().manual_seed(0)
    unigram = 1 / torch.arange(1, NTOKENS + 1, dtype=torch.float64)
    cdf = torch.cumsum(unigram / unigram.sum(), 0)
    partner = torch.randperm(NTOKENS, generator=g)
    first = torch.searchsorted(cdf, torch.rand(n // 2, generator=g, dtype=torch.float64)).clamp(max=NTOKENS - 1)
    return torch.stack([first, partner[first]], dim=1).reshape(-1)


def batchify(data: torch.Tensor, bsz: int) -> torch.Tensor:
    nbatch = data.size(0) // bsz
    return data[: nbatch * bsz].view(bsz, -1).t().contiguous()


class BigramLM(nn.Module):
    def __init__(self, ntoken: int, ninp: int = 16) -> None:
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.decoder = nn.Linear(ninp, ntoken)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


def language_model(lr: float, steps: int = 100, bptt: int = 10) -> tuple[Report, float]:
    torch.manual_seed(0)
    train_data = batchify(zipf_corpus(), 10)
    model = BigramLM(NTOKENS)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    with nndoctor.watch(model, optimizer, alerts=False) as doctor:
        for step in range(steps):
            i = step * bptt
            data, targets = train_data[i:i + bptt], train_data[i + 1:i + 1 + bptt].reshape(-1)
            optimizer.zero_grad()
            output = model(data)
            loss = criterion(output.view(-1, NTOKENS), targets)
            loss.backward()
            optimizer.step()
    return doctor.report(), loss.item()


def test_a_language_model_learning_its_vocabulary_is_not_called_underfit():
    report, last = language_model(lr=1e-2)
    assert last < 8.0  # well below ln(10 000) = 9.2: it learns
    assert "G602" not in report.codes, report.verdict()


def test_a_language_model_that_does_not_learn_still_underfits():
    report, _ = language_model(lr=1e-5)
    (finding,) = [f for f in report.findings if f.code == "G602"]
    assert finding.evidence["reference"] >= finding.evidence["prior_estimate"]
    assert finding.evidence["labels_counted"] < NTOKENS


def test_a_report_whose_checks_could_not_run_is_not_called_healthy():
    """Checks that failed found nothing because they did not run: the headline says so instead of "Healthy"."""
    from nndoctor.render import headline
    from nndoctor.report import CheckFailure, Report

    clean = Report(mode="checkup")
    assert clean.verdict().startswith("Healthy") and headline(clean)[1] == "healthy"
    failed = Report(mode="checkup", failures=[CheckFailure("optimisation.loss_plateau", ("O406",), "RuntimeError: boom")])
    assert failed.verdict().startswith("Incomplete") and "1 check could not run" in failed.verdict()
    assert headline(failed)[:2] == ("warning", "incomplete")
