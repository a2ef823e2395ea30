"""Round 22's measurements (benchmarks/outofsample/round22/RESULTS.md): what the exam misread, and now reads."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from nndoctor.findings import Severity


@pytest.mark.parametrize("raw", [False, True])
def test_a_reconstructions_targets_are_read_in_the_inputs_units(raw):
    # round 22's e/train_door_pretrain_frozen: motor-current cycles standardised as one signal (a scalar mean and std)
    # keep their inrush peak 6 std up in the first positions; an autoencoder's targets are those inputs, so their
    # offsets by position are the signal's shape, not targets off scale. Raw currents in mA (x1000) still are.
    from nndoctor import Setup
    from nndoctor.runner import checkup

    g = torch.Generator().manual_seed(0)
    t = torch.linspace(0, 1, 64)
    current = 2.5 * torch.exp(-t / 0.03) + 0.9 + 0.1 * torch.randn(1200, 1, 64, generator=g)
    signals = current * 1000 if raw else (current - current.mean()) / current.std()
    if not raw:
        assert signals[:, 0, 0].mean() > 5  # the inrush sits far off the signal's mean
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv1d(1, 8, 5, stride=2, padding=2), nn.ReLU(),
                          nn.ConvTranspose1d(8, 1, 4, stride=2, padding=1))
    setup = Setup(model=model, train=(signals[:1000], signals[:1000]), val=(signals[1000:], signals[1000:]),
                  loss=nn.MSELoss(), optimizer=lambda p: torch.optim.Adam(p, lr=2e-3), batch_size=64, task="regression")
    assert ("D105" in checkup(setup, select=["D105"]).codes) == raw


def _amplitude_setup(seed: int):
    """Loads read from a strain pulse's height (round 22's a/bridge_wim_ema): random conv features track the height, so
    an untrained head's output lines up with the target, or against it, by the sign its weights drew."""
    from nndoctor import Setup

    g = torch.Generator().manual_seed(0)
    t = torch.linspace(0, 1, 48)
    load = torch.rand(1024, generator=g) * 2
    x = (load[:, None] * torch.exp(-((t - 0.5) / 0.1) ** 2) + 0.05 * torch.randn(1024, 48, generator=g)).unsqueeze(1)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Conv1d(1, 16, 7, padding=3), nn.ReLU(), nn.AdaptiveMaxPool1d(1), nn.Flatten(),
                          nn.Linear(16, 1), nn.Flatten(0))
    return Setup(model=model, train=(x, load * 0.3), loss=nn.HuberLoss(delta=0.5), batch_size=64, task="regression")


def test_the_mirrored_head_is_the_same_network_with_its_last_weights_negated():
    import math

    from nndoctor.checks.base import Context
    from nndoctor.probes.init_outputs import mirrored_loss

    setup = _amplitude_setup(1)
    setup.resolve()
    context = Context(setup=setup, deadline=math.inf)
    head = setup.model[4]
    with torch.no_grad():  # independent: the features times the negated weights, plus the kept bias, batch by batch
        expected = [nn.functional.huber_loss(setup.model[:4](x) @ -head.weight[0] + head.bias, y, delta=0.5)
                    for x, y in context.batches()[:8]]
    assert mirrored_loss(context) == pytest.approx(float(sum(expected)) / len(expected), rel=1e-4)


@pytest.mark.parametrize("seed", [1, 5, 8])
def test_an_initial_loss_only_the_drawn_sign_of_a_random_head_reaches_is_no_finding(seed):
    # seed 1 draws a head lined up with the load (init loss 0.004, under half the constant's 0.014), 5 and 8 one against
    # it (10x the constant); each head's mirror, as likely a draw, starts on the other side
    from nndoctor.runner import checkup

    assert "L307" not in checkup(_amplitude_setup(seed), select=["L307"]).codes


def test_an_initial_loss_both_signs_of_the_head_reach_is_still_a_finding():
    from nndoctor.verdicts.loss import InitialLoss, unexpected_initial_loss

    common = dict(chance=0.11, constant=0.106, space="values", loss="HuberLoss", architecture=0.134)
    assert not list(unexpected_initial_loss(InitialLoss(init=0.031, mirrored=0.37, **common)))
    assert list(unexpected_initial_loss(InitialLoss(init=0.031, mirrored=0.02, **common)))  # both beat the constant
    assert list(unexpected_initial_loss(InitialLoss(init=0.9, mirrored=0.8, **common)))  # both start far above
    assert not list(unexpected_initial_loss(InitialLoss(init=0.9, mirrored=0.1, **common)))


TOKEN_LM = """import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
VOCAB = ["<pad>"] + [f"shot{i}" for i in range(23)]  # the padding id 0 never occurs in a stream without padding
g = torch.Generator().manual_seed(0)
follow = torch.randint(1, len(VOCAB), (len(VOCAB),), generator=g)
stream = [1]
for _ in range(20000):
    nxt = int(follow[stream[-1]])
    stream.append(nxt if torch.rand(1, generator=g) < 0.8 else int(torch.randint(1, 24, (1,), generator=g)))
data = torch.tensor(stream)


class Bigram(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(len(VOCAB), 32)
        self.head = nn.Linear(32, len(VOCAB))

    def forward(self, idx):
        return self.head(self.tok(idx))


model = Bigram()
opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
for it in range(300):
    ix = torch.randint(len(data) - 33, (32,), generator=g)
    xb = torch.stack([data[i:i + 32] for i in ix])
    yb = torch.stack([data[i + 1:i + 33] for i in ix])
    logits = model(xb)
    loss = F.cross_entropy(logits.view(-1, logits.size(-1)), yb.view(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
print(f"train loss {loss.item():.3f}")
"""


def test_a_vocabularys_padding_id_that_no_target_holds_is_no_one_based_encoding(tmp_path):
    # round 22's b/rally_shot_lm: a next-shot model over a contiguous token stream; id 0 is "<pad>", which only padding
    # would use. Per-sample class labels 1..C-1 on C outputs still read 1-based (test_checks_data).
    import contextlib
    import io

    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(TOKEN_LM)
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        report = run_script(str(script), alerts=False).report
    assert float(printed.getvalue().split("train loss")[-1]) < 1.5  # it learned the follow-ups (ln 24 = 3.2)
    assert "D113" in report.extra["exam"]["exam_codes"] and "D113" not in report.codes


class _Augmented(torch.utils.data.Dataset):
    """Training clips read with a random time roll and gain on every read, as augmentation does."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, augment: bool) -> None:
        self.x, self.y, self.augment = x, y, augment

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int):
        x = self.x[i]
        if self.augment:
            x = torch.roll(x, int(torch.randint(-6, 7, (1,))), dims=-1) * float(torch.empty(1).uniform_(0.5, 2.0))
        return x, self.y[i]


@pytest.mark.parametrize("augment", [False, True])
def test_training_inputs_augmented_on_every_read_are_not_compared_with_clean_validation_labels(augment):
    # round 22's c/hearing_aid_scene_cnn: a linear probe agrees with 96% of the clean validation labels and 89% of the
    # training labels read through a random roll and gain; the labels are clean in both splits
    from nndoctor import Setup
    from nndoctor.runner import checkup

    g = torch.Generator().manual_seed(0)
    y = torch.randint(0, 4, (2000,), generator=g)
    t = torch.arange(40.0)
    bumps = torch.stack([torch.exp(-((t - c) / 3) ** 2) for c in (8, 16, 24, 32)])
    x = bumps[y] + 0.3 * torch.randn(2000, 40, generator=g)
    if not augment:  # the same drop in agreement from labels redrawn in training only: still wrong labels
        redrawn = torch.rand(1600, generator=g) < 0.12
        y = y.clone()
        y[:1600][redrawn] = torch.randint(0, 4, (int(redrawn.sum()),), generator=g)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(40, 64), nn.ReLU(), nn.Linear(64, 4))
    train = torch.utils.data.DataLoader(_Augmented(x[:1600], y[:1600], augment), batch_size=64, shuffle=True)
    val = torch.utils.data.DataLoader(_Augmented(x[1600:], y[1600:], False), batch_size=200)
    setup = Setup(model=model, train=train, val=val, loss=nn.CrossEntropyLoss(),
                  optimizer=lambda p: torch.optim.Adam(p, lr=1e-3))
    assert ("D110" in checkup(setup, select=["D110"]).codes) == (not augment)


def _door_faults(seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Door faults that happen at random given the telemetry: wear raises the chance of a fault, never to certainty."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(5000, 14, generator=g)
    chance = 0.1 + 0.6 * torch.sigmoid(4.0 * (x[:, 0] + 0.5 * x[:, 1] - 1.0))
    return x, (torch.rand(5000, generator=g) < chance).long()


def test_outcomes_never_certain_given_the_inputs_are_no_noise_floor_of_two_classes():
    # round 22's c/train_door_fault_lightning twin: a 0.78-accurate probe (majority 0.71) fits a 23% "floor" that is
    # the faults' own randomness (here 0.82 and 0.79, a 19% floor at p 4e-9); two classes cannot tell the two apart
    from nndoctor import Setup
    from nndoctor.runner import checkup

    x, y = _door_faults(0)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(14, 64), nn.ReLU(), nn.Linear(64, 2))
    setup = Setup(model=model, train=(x[:4000], y[:4000]), val=(x[4000:], y[4000:]), loss=nn.CrossEntropyLoss(),
                  optimizer=lambda p: torch.optim.Adam(p, lr=1e-3))
    assert "D110" not in checkup(setup, select=["D110"]).codes


def test_a_noise_floor_over_three_or_more_classes_is_still_wrong_labels():
    from nndoctor.verdicts.labels import LabelNoise, wrong_labels

    measured = dict(n=2000, scores={"logistic regression": 0.78, "15-nearest neighbours": 0.78}, chance=0.3,
                    suspect_probability=0.05, p_value=1e-30, noise_floor=0.23, noise_floor_p=1e-6)
    assert [f.code for f in wrong_labels(LabelNoise(**measured, classes=4))] == ["D110"]
    assert list(wrong_labels(LabelNoise(**measured, classes=2))) == []


@pytest.mark.parametrize("read", ["first step", "last step", "bidirectional last step"])
def test_a_recurrent_output_read_where_the_state_is_still_initial_names_the_step(read):
    # round 22's a/serve_type_gru: the head read out[:, 0], so gru.weight_hh_l0 got an exactly zero gradient (M209)
    from nndoctor.verdicts.layers import GradientReach, no_gradient_path

    torch.manual_seed(0)
    gru = nn.GRU(4, 8, batch_first=True, bidirectional=read.startswith("bi"))
    head = nn.Linear(gru.hidden_size * (2 if gru.bidirectional else 1), 3)
    out, _ = gru(torch.randn(16, 12, 4))
    loss = head(out[:, 0] if read == "first step" else out[:, -1]).logsumexp(1).mean()
    loss.backward()
    zero = [name for name, p in gru.named_parameters() if p.grad is not None and not p.grad.any()]
    # independent: which weights autograd left at zero, by the recurrence (h0 = 0 before the first step processed)
    assert zero == {"first step": ["weight_hh_l0"], "last step": [],
                    "bidirectional last step": ["weight_hh_l0_reverse"]}[read]
    findings = list(no_gradient_path(GradientReach(trainable=8, no_grad=[], zero_grad=zero, over="here")))
    assert bool(findings) == bool(zero)
    assert all("recurrence never takes part" in f.message for f in findings)


def test_fix_scores_multi_label_outputs_by_average_precision_whatever_each_labels_bias():
    # round 22's d/email_triage_spec (M210, output biases at +2.8..+4.7 on 1-6% labels): thresholded at 0, the biased
    # model predicted every label and out-scored the remedied one on balanced accuracy (0.552 against 0.505)
    from types import SimpleNamespace

    from nndoctor.fix.trials import metric_name, score_outputs

    setup = SimpleNamespace(task="multilabel", loss=nn.BCEWithLogitsLoss())
    truth = torch.tensor([[1, 0], [0, 0], [1, 1], [0, 0], [0, 1]]).float()
    logits = torch.tensor([[2.0, -1.0], [0.5, -2.0], [1.0, 0.3], [-1.0, 0.5], [1.5, 0.2]])
    # by hand: label 0 ranks its positives 1st and 3rd of the 3 scored above them -> AP (1/1 + 2/3) / 2;
    # label 1 ranks 0.5 (negative), 0.3 (positive), 0.2 (positive) -> AP (1/2 + 2/3) / 2
    expected = ((1 + 2 / 3) / 2 + (1 / 2 + 2 / 3) / 2) / 2
    assert metric_name("multilabel") == "average_precision"
    assert score_outputs(setup, logits, truth) == pytest.approx(expected)
    assert score_outputs(setup, logits + torch.tensor([3.0, -2.0]), truth) == pytest.approx(expected)


class _FramesFirst(nn.Module):
    """Serve tracks (batch, frames, features) through a frames-first GRU, swapped back for the head."""

    def __init__(self, swap_by_view: bool) -> None:
        super().__init__()
        self.gru = nn.GRU(6, 16)  # batch_first=False: it takes (frames, batch, features)
        self.head = nn.Linear(16, 3)
        self.swap_by_view = swap_by_view

    def forward(self, x):
        h, _ = self.gru(x.transpose(0, 1))
        h = h.view(h.size(1), h.size(0), -1) if self.swap_by_view else h.transpose(0, 1)
        return self.head(h.mean(1))


def test_a_view_that_swapped_the_batch_axis_becomes_a_transpose():
    # round 22's d/tennis_serve_lightning: h.view(h.size(1), h.size(0), -1) where h.transpose(0, 1) was meant (M207)
    from nndoctor import Setup
    from nndoctor.findings import Finding, Severity
    from nndoctor.fix.batch_remedies import transpose_not_view

    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(256, 10, 6, generator=g), torch.randint(0, 3, (256,), generator=g)
    torch.manual_seed(0)
    user = _FramesFirst(swap_by_view=True)
    before = {k: v.clone() for k, v in user.state_dict().items()}
    setup = Setup(model=user, train=(x, y), loss=nn.CrossEntropyLoss(), batch_size=32).resolve()
    (candidate,) = transpose_not_view(setup, Finding("M207", Severity.ERROR, "test"))
    meant = _FramesFirst(swap_by_view=False)
    meant.load_state_dict(user.state_dict())
    with torch.no_grad():  # independent: the model written with the transpose, the same weights
        torch.testing.assert_close(candidate.setup.model(x[:8]), meant(x[:8]))
        assert not torch.allclose(user(x[:8]), meant(x[:8]))
    assert "transpose(0, 1)" in candidate.title and all(torch.equal(v, user.state_dict()[k]) for k, v in before.items())
    with pytest.raises(Exception, match="no view or reshape"):
        transpose_not_view(Setup(model=meant, train=(x, y), loss=nn.CrossEntropyLoss(), batch_size=32).resolve(),
                           Finding("M207", Severity.ERROR, "test"))


HAND_WRITTEN_LOSS = """
import torch
torch.manual_seed(0)
x = torch.randn(512, 6)
y = x @ torch.linspace(-1, 1, 6) + 0.1 * torch.randn(512)
model = torch.nn.Linear(6, 1)
lr = LR
for epoch in range(6):
    for i in range(0, 512, 32):
        xb, yb = x[i:i + 32], y[i:i + 32]
        pred = model(xb).squeeze(1)
        loss = ((pred - yb) ** 2)REDUCE
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
                p.grad.zero_()
    with torch.no_grad():
        print(f"train loss {((model(x).squeeze(1) - y) ** 2).mean().item():.4f}")
"""


@pytest.mark.parametrize("reduce, lr, summed", [(".sum()", 1e-3, True), (".mean()", 3e-2, False),
                                                (".sum() / len(xb)", 3e-2, False)])
def test_a_hand_written_loss_summed_over_the_batch_reads_as_a_summed_reduction(tmp_path, reduce, lr, summed):
    # round 22's b/bridge_wim_strain: ((pred - y) ** 2).sum() by hand with a hand-written SGD step calls no loss
    # function, so L308 had nothing to read; the backpropagated tensor itself is a sum over the batch's rows. At an LR
    # chosen for the sum (1e-3 x 32 rows = the mean's 3e-2) it is a convention: a note, no warning.
    import contextlib
    import io

    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(HAND_WRITTEN_LOSS.replace("REDUCE", reduce).replace("LR", repr(lr)))
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        report = run_script(str(script), alerts=False).report
    assert float(printed.getvalue().split("train loss")[-1]) < 0.05  # it trained (the target's variance is about 0.7)
    found = [f for f in report.findings if f.code == "L308"]
    assert bool(found) == summed
    assert not [f for f in report.findings if f.severity.at_least(Severity.WARNING)]
    if summed:
        assert found[0].evidence["batch"] == 32 and found[0].evidence["scales_the_step"]


def test_a_sum_at_the_means_learning_rate_is_why_the_steps_blow_up(tmp_path):
    # the same hand-written sum at an LR tuned for the mean (the steps 32x too large) diverges: the diagnosis names the
    # sum as the cause of the step-size symptom and raises it to that symptom's severity
    import contextlib
    import io

    from nndoctor.diagnosis import root_of
    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(HAND_WRITTEN_LOSS.replace("REDUCE", ".sum()").replace("LR", "0.1"))
    with contextlib.redirect_stdout(io.StringIO()):
        report = run_script(str(script), alerts=False).report
    found = [f for f in report.findings if f.code == "L308"]
    assert found and found[0].severity.at_least(Severity.WARNING) and found[0].explained_by is None
    steps = [f for f in report.findings
             if f.code in ("O401", "O403", "O407", "O412") and f.severity.at_least(Severity.WARNING)]
    assert steps and all(root_of(f, report.findings) == "L308" for f in steps)
