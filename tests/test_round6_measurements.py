"""Measurements and rankings fixed during the sixth out-of-sample round (benchmarks/outofsample/round6).

Each test builds the situation from the verdicts themselves and checks it both ways.
"""
from __future__ import annotations

import numpy as np
import torch

from nndoctor import Severity
from nndoctor.diagnosis import rank
from nndoctor.findings import Finding
from nndoctor.verdicts.data import CategoricalColumns, FeatureSpread, categorical_as_numeric, constant_feature
from nndoctor.verdicts.loop import Seeding, unseeded


def test_findings_that_cost_the_run_nothing_rank_after_those_that_do():
    # pixel columns that are always 0 (finite), and rarely lit ones that standardise to two values
    spread = FeatureSpread(mean=np.array([0.0, 0.3, 0.1]), std=np.array([0.0, 1.0, 1.0]))
    constant = list(constant_feature(spread))
    binary = list(categorical_as_numeric(CategoricalColumns(single=[2], two_values={2: (-0.2, 5.0)})))
    seed = list(unseeded(Seeding(seeded=False, steps=500)))
    assert [f.severity for f in constant + binary + seed] == [Severity.INFO] * 3
    ordered = [f.code for f in rank(constant + binary + seed)]
    assert ordered == ["T507", "D103", "D112"]  # unreproducible, then the inert data notes (data family first)


def test_a_constant_feature_that_became_nan_is_not_inert():
    spread = FeatureSpread(mean=np.array([0.0, 0.3]), std=np.array([0.0, 1.0]), finite_share=np.array([0.0, 1.0]))
    void = [f for f in constant_feature(spread) if f.severity is Severity.ERROR]
    assert void and not void[0].evidence.get("inert")
    undertrained = Finding("G605", Severity.INFO, "still falling", {})
    assert [f.code for f in rank([undertrained, *void])] == ["D103", "G605"]


def test_tensors_the_loss_needs_but_no_step_updates_explain_what_the_curves_show():
    oscillating = Finding("O407", Severity.ERROR, "the loss bounced", {})
    frozen_in_graph = Finding("T504", Severity.WARNING, "6 tensors never changed",
                              {"unchanged": ["decoder.0.weight"], "receive_gradients": ["decoder.0.weight"]})
    ordered = rank([oscillating, frozen_in_graph])
    assert [f.code for f in ordered] == ["T504", "O407"] and ordered[1].explained_by == "T504"
    assert ordered[0].severity is Severity.ERROR  # a root carries the severity of what it explains
    outside_graph = Finding("T504", Severity.WARNING, "6 tensors never changed", {"unchanged": ["aux.weight"]})
    ordered = rank([Finding("O407", Severity.ERROR, "the loss bounced", {}), outside_graph])
    assert [f.code for f in ordered] == ["O407", "T504"] and ordered[0].explained_by is None


def test_a_per_step_loss_that_bounces_under_frozen_weights_is_its_batches_not_overshoot():
    from nndoctor.verdicts.optimisation import OscillationEvidence, oscillating_loss

    rng = np.random.default_rng(0)
    losses = 1.0 + 0.05 * rng.standard_normal(600)
    for at in (100, 220, 350, 480):  # a few batches whose reconstruction error is three times the rest
        losses[at] = 3.2
    steps = tuple(range(600))
    moving = list(oscillating_loss(OscillationEvidence(tuple(losses), "per-step", steps, update_ratio=1e-3)))
    assert [f.code for f in moving] == ["O407"]
    frozen = list(oscillating_loss(OscillationEvidence(tuple(losses), "per-step", steps, update_ratio=4e-6)))
    assert frozen == []


def _history(norms: list[float], losses: list[float]):
    from nndoctor.verdicts.optimisation import GradientHistory

    steps = tuple(range(len(norms)))
    return GradientHistory(norms=tuple(norms), span=f"over {len(norms)} steps", steps=steps,
                           loss_at=dict(zip(steps, losses)), recurrent=("rnn",), optimizer="SGD")


def test_gradients_that_explode_from_the_first_step_with_the_loss_are_o403():
    from nndoctor.verdicts.optimisation import exploding_gradients

    # an unclipped LSTM language model at lr 20: the norm grows 400x in five steps and the loss quintuples
    norms = [0.5, 3.6, 16.7, 26.0, 64.0, 217.0, 3.8, 3.6, 2.7, 8.1, 3.5, 11.1, 45.0, 8.4, 9.2, 9.3, 3.1, 6.7, 6.2, 4.6]
    losses = [8.0, 7.8, 48.0, 11.8, 35.9, 39.7, 15.4, 6.5, 9.5, 60.1, 36.4, 48.7, 38.8, 28.3, 44.5, 24.6, 13.2, 14.2, 12.2, 12.0]
    found = list(exploding_gradients(_history(norms, losses)))
    assert [f.code for f in found] == ["O403"] and found[0].evidence["onset_step"] == 5
    # the same gradient growth while the loss falls: a quiet start the net grows out of
    falling = [8.0 - 0.2 * i for i in range(len(norms))]
    assert list(exploding_gradients(_history(norms, falling))) == []


class _TinyLM(torch.nn.Module):
    def __init__(self, vocab: int = 300) -> None:
        super().__init__()
        self.vocab = vocab
        self.embed, self.rnn = torch.nn.Embedding(vocab, 16), torch.nn.GRU(16, 24, batch_first=True)
        self.out = torch.nn.Linear(24, vocab)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.out(self.rnn(self.embed(tokens))[0])


def _language_model_capture(with_loader: bool):
    from torch.utils.data import DataLoader, TensorDataset

    from nndoctor.watch.capture import SetupCapture

    torch.manual_seed(0)
    stream = torch.randint(0, 300, (40, 17))
    model = _TinyLM()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = torch.nn.CrossEntropyLoss()
    batches = (DataLoader(TensorDataset(stream[:, :-1], stream[:, 1:]), batch_size=8) if with_loader
               else [(stream[i:i + 8, :-1], stream[i:i + 8, 1:]) for i in range(0, 40, 8)])  # word-LM get_batch style
    with SetupCapture() as capture:
        for data, targets in batches:
            optimizer.zero_grad()
            output = model(data)
            loss = criterion(output.view(-1, model.vocab), targets.reshape(-1))  # the official examples' flattening
            loss.backward()
            optimizer.step()
    return capture, stream


def test_a_language_model_loss_on_flattened_tokens_is_replayed_by_the_exam():
    for with_loader in (True, False):
        capture, stream = _language_model_capture(with_loader)
        assert capture.loss_known and capture.targets_known, capture.skipped
        setup = capture.setup()
        x, y = setup.first_batch()
        assert tuple(y.shape) == tuple(x.shape) and x.shape[1] == 16  # one target per token, beside its input row
        model = setup.model
        expected = torch.nn.functional.cross_entropy(model(x).reshape(-1, 300), y.reshape(-1))
        assert torch.allclose(setup.compute_loss(model(x), y), expected)


def test_an_output_bias_at_chance_is_advice_and_one_beyond_it_a_fault():
    import math

    from nndoctor.verdicts.model import OutputOffset, output_bias_not_prior

    vocab, prior = 4000, 3.97  # a Zipfian vocabulary: uniform costs ln 4000, the unigram prior 3.97
    uniform = OutputOffset(init_loss=8.33, constant_loss=prior, offset_loss=8.32, shifted_loss=3.98,
                           chance_loss=math.log(vocab), task="sequence", space="logits")
    found = list(output_bias_not_prior(uniform))
    assert [(f.code, f.severity) for f in found] == [("M210", Severity.INFO)]
    pushed = OutputOffset(init_loss=4.7, constant_loss=0.3, offset_loss=4.73, shifted_loss=0.31,
                          chance_loss=math.log(4), task="multiclass", space="logits", classification=True)
    assert [(f.code, f.severity) for f in output_bias_not_prior(pushed)] == [("M210", Severity.WARNING)]


def _eval_mode_codes(backbone_frozen: bool) -> set[str]:
    import nndoctor

    torch.manual_seed(0)
    x, y = torch.randn(256, 8), torch.randint(0, 3, (256,))
    backbone = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.BatchNorm1d(32), torch.nn.ReLU())
    head = torch.nn.Linear(32, 3)
    backbone.requires_grad_(not backbone_frozen)
    pretrained = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.BatchNorm1d(8))  # left in eval after its own training
    pretrained.eval()
    params = list(head.parameters()) + ([] if backbone_frozen else list(backbone.parameters()))
    optimizer = torch.optim.Adam(params, lr=1e-2)
    with nndoctor.watch([pretrained, backbone, head], optimizer, alerts=False) as doctor:
        for epoch in range(6):
            for i in range(0, 256, 32):
                backbone.eval()  # kept in eval mode: its BatchNorm statistics stay those of the pretraining
                head.train()
                optimizer.zero_grad()
                torch.nn.functional.cross_entropy(head(backbone(x[i:i + 32])), y[i:i + 32]).backward()
                optimizer.step()
    return {f.code for f in doctor.report().findings}


def test_a_frozen_backbone_kept_in_eval_mode_is_not_eval_mode_training():
    assert "T502" not in _eval_mode_codes(backbone_frozen=True)
    assert "T502" in _eval_mode_codes(backbone_frozen=False)


def _watched_nonfinite(whole_column: bool):
    import nndoctor

    torch.manual_seed(0)
    x, y = torch.randn(512, 6), torch.randint(0, 2, (512,))
    if whole_column:
        x[:, 3] = float("nan")  # what (x - mean) / std makes of a constant column
    else:
        x[::7, 3] = float("nan")
    model = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with nndoctor.watch(model, optimizer, alerts=False) as doctor:
        for i in range(0, 512, 32):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x[i:i + 32]), y[i:i + 32]).backward()
            optimizer.step()
    return next(f for f in doctor.report().findings if f.code == "D104")


def test_the_watch_says_which_columns_hold_the_non_finite_inputs_and_whether_wholly():
    whole = _watched_nonfinite(whole_column=True)
    assert whole.evidence["nonfinite_columns"] == [3] and whole.evidence["whole_columns"] is True
    scattered = _watched_nonfinite(whole_column=False)
    assert scattered.evidence["nonfinite_columns"] == [3] and scattered.evidence["whole_columns"] is False


def test_a_data_code_both_modes_judged_alike_keeps_the_exams_dataset_measurement():
    from nndoctor.combine import merge
    from nndoctor.report import Report

    watch = Report(mode="watch", findings=[Finding("D104", Severity.ERROR, "sampled batches hold NaN", {"batches": 16}),
                                           Finding("O407", Severity.WARNING, "bounces", {"from": "watch"})])
    exam = Report(mode="checkup", findings=[Finding("D104", Severity.ERROR, "train data hold NaN", {"rows": 426}),
                                            Finding("O407", Severity.WARNING, "bounces", {"from": "exam"})])
    merged = {f.code: f for f in merge(watch, exam).findings}
    assert merged["D104"].evidence["rows"] == 426 and merged["D104"].evidence["also_seen_by"] == "watch"
    assert merged["O407"].evidence["from"] == "watch"  # curve codes stay the watch's on a tie


class _EmbedsLastColumn(torch.nn.Module):
    """A float table whose last column holds category codes the model embeds (never multiplies)."""

    def __init__(self, numeric: int, levels: int) -> None:
        super().__init__()
        self.embed = torch.nn.Embedding(levels, 4)
        self.mlp = torch.nn.Sequential(torch.nn.Linear(numeric + 4, 32), torch.nn.ReLU(), torch.nn.Linear(32, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(torch.cat([x[:, :-1], self.embed(x[:, -1].long())], dim=1))


def _code_column_codes(embedded: bool) -> set[str]:
    import nndoctor

    rng = np.random.default_rng(0)
    n, levels = 2000, 20
    numeric = rng.standard_normal((n, 5))
    codes = rng.integers(0, levels, n)
    effect = rng.standard_normal(levels) * 2  # each code its own effect, not in the codes' order
    y = (numeric[:, 0] + effect[codes] + 0.5 * rng.standard_normal(n) > 0).astype(np.int64)
    x = torch.tensor(np.column_stack([numeric, codes]), dtype=torch.float32)
    model = _EmbedsLastColumn(5, levels) if embedded else torch.nn.Sequential(
        torch.nn.Linear(6, 32), torch.nn.ReLU(), torch.nn.Linear(32, 2))
    setup = nndoctor.Setup(model=model, train=(x, torch.tensor(y)), loss=torch.nn.CrossEntropyLoss(), batch_size=64)
    report = nndoctor.checkup(setup, select=["D101", "D102", "D112"])
    return {f.code for f in report.findings if f.severity.at_least(Severity.WARNING)}


def test_category_codes_the_model_embeds_are_no_magnitudes():
    assert _code_column_codes(embedded=False) & {"D112"}
    assert not _code_column_codes(embedded=True) & {"D101", "D102", "D112"}


def test_labels_that_moved_between_the_splits_explain_validation_losing_to_the_training_prior():
    shifted = Finding("D109", Severity.WARNING, "class 2 is 2% of training and 100% of validation",
                      {"train_shares": [0.33, 0.65, 0.02], "val_shares": [0.0, 0.0, 1.0], "tvd": 0.98})
    never_below_prior = Finding("D111", Severity.ERROR, "validation never below the constant predictor",
                                {"train_end": 0.1, "val_best": 0.9, "reference": 0.8, "ceiling": 0.8})
    rose = Finding("G601", Severity.WARNING, "validation loss rose", {})
    ordered = rank([never_below_prior, rose, shifted])
    assert ordered[0].code == "D109" and {f.code: f.explained_by for f in ordered} == {"D109": None, "D111": "D109", "G601": "D109"}
    # the label probe's folds are all training rows: a shift between the splits cannot make them score chance
    probes_at_chance = Finding("D111", Severity.ERROR, "probes score chance",
                               {"chance": 0.55, "upper_bound": 0.58, "n": 2000, "metric": "accuracy"})
    assert {f.code: f.explained_by for f in rank([probes_at_chance, shifted])}["D111"] is None
    features_only = Finding("D109", Severity.WARNING, "10 of 13 features shifted", {"kind": "features", "ks": [0.9]})
    ordered = rank([Finding("D111", Severity.ERROR, "validation never below the constant predictor", {}), features_only])
    assert ordered[0].code == "D111" and ordered[0].explained_by is None


def test_a_gradient_that_shrinks_towards_the_input_starves_plain_steps_not_adaptive_ones():
    from nndoctor.verdicts.model import InitScale, bad_init_scale

    # a default-init conv autoencoder: activations keep their scale, the gradient shrinks x0.3 per layer
    layers = [f"layer{i}" for i in range(6)]
    shrinking = dict(layers=layers, activation_std=[0.6, 0.5, 0.45, 0.5, 0.55, 0.5],
                     output_grad_norm=[2.4e-6, 8e-6, 2.7e-5, 9e-5, 3e-4, 9.7e-4], between=["ReLU"])
    assert [f.code for f in bad_init_scale(InitScale(**shrinking, optimizer="SGD"))] == ["M202"]
    assert list(bad_init_scale(InitScale(**shrinking, optimizer="Adam"))) == []
    exploding = {**shrinking, "activation_std": [1.1, 10.0, 90.0, 800.0, 7000.0, 6e4]}
    assert [f.code for f in bad_init_scale(InitScale(**exploding, optimizer="Adam"))] == ["M202"]


def _summed_loop(divide: bool, accumulation: int = 1):
    import nndoctor

    torch.manual_seed(0)
    x, y = torch.randn(512, 10), torch.randint(0, 4, (512,))
    model = torch.nn.Sequential(torch.nn.Linear(10, 32), torch.nn.ReLU(), torch.nn.Linear(32, 4))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    with nndoctor.watch(model, optimizer, alerts=False) as doctor:
        for _ in range(3):
            for i in range(0, 512, 64):
                optimizer.zero_grad()
                loss = torch.nn.functional.cross_entropy(model(x[i:i + 64]), y[i:i + 64], reduction="sum")
                if divide:  # Hugging Face's loss: a sum over the tokens, divided by num_items_in_batch
                    loss = loss / (64 * accumulation)  # which counts every micro-batch of an accumulated step
                loss.backward()
                optimizer.step()
    return doctor


def test_a_summed_loss_divided_by_its_count_trains_a_mean():
    divided = _summed_loop(divide=True)
    assert "L308" not in {f.code for f in divided.report().findings}
    assert divided.telemetry.train_loss[0] < 2.0  # the mean per sample (ln 4 = 1.39 at init), not the batch's sum
    summed = _summed_loop(divide=False)
    assert "L308" in {f.code for f in summed.report().findings}
    assert summed.telemetry.train_loss[0] > 40.0
    accumulated = _summed_loop(divide=True, accumulation=4)  # the mean over four micro-batches' items: a quarter
    assert not {"L307", "L308"} & {f.code for f in accumulated.report().findings}


def _smoothed_loss_codes(negated: bool) -> set[str]:
    import nndoctor

    def smoothed(logits: torch.Tensor, target: torch.Tensor, eps: float = 0.1) -> torch.Tensor:
        log_probs = torch.nn.functional.log_softmax(logits, dim=-1)
        nll = log_probs.gather(1, target.unsqueeze(1)).squeeze(1)
        mixed = ((1.0 - eps) * nll + eps * log_probs.mean(dim=-1)).mean()
        return -mixed if negated else mixed

    torch.manual_seed(0)
    x, y = torch.randn(512, 10), torch.randint(0, 4, (512,))
    model = torch.nn.Sequential(torch.nn.Linear(10, 32), torch.nn.ReLU(), torch.nn.Linear(32, 4))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    with nndoctor.watch(model, optimizer, alerts=False) as doctor:
        for _ in range(4):
            for i in range(0, 512, 32):
                optimizer.zero_grad()
                smoothed(model(x[i:i + 32]), y[i:i + 32]).backward()
                optimizer.step()
    return {f.code for f in doctor.report().findings}


def test_a_hand_written_label_smoothed_loss_missing_its_minus_is_maximised_likelihood():
    assert "L308" in _smoothed_loss_codes(negated=False)
    assert "L308" not in _smoothed_loss_codes(negated=True)


def test_token_targets_padded_per_batch_stack_into_one_row_of_labels():
    from nndoctor.probes.trial import stacked_targets

    short, long = torch.tensor([[1, 2, -100], [0, 1, 2]]), torch.tensor([[2, 2, 1, 0, -100]])
    stacked = stacked_targets([(None, short), (None, long)])
    assert stacked.tolist() == [1, 2, -100, 0, 1, 2, 2, 2, 1, 0, -100]
    same = stacked_targets([(None, torch.tensor([0, 1])), (None, torch.tensor([2]))])
    assert same.tolist() == [0, 1, 2]


SPAWNED_RANKS = """
import torch
import torch.multiprocessing as mp


def train(rank):
    torch.manual_seed(rank)
    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(5):
        optimizer.zero_grad()
        model(torch.randn(8, 4)).pow(2).mean().backward()
        optimizer.step()


if __name__ == "__main__":
    mp.spawn(train, nprocs=1)
    print("final done")
"""


def test_ranks_started_with_spawn_are_named_as_why_nothing_trained(tmp_path):
    import multiprocessing.process

    from nndoctor.watch.run import run_script

    script = tmp_path / "ddp_spawn.py"
    script.write_text(SPAWNED_RANKS)
    start = multiprocessing.process.BaseProcess.start
    outcome = run_script(str(script), alerts=False, exam=False)
    assert "'spawn' start method" in outcome.report.extra["did_not_train"]
    assert multiprocessing.process.BaseProcess.start is start  # the count is taken off again


def test_multi_hot_rows_under_a_softmax_cross_entropy_are_the_losses_fault_not_the_labels():
    rows = Finding("D113", Severity.ERROR, "float targets read as probabilities; rows sum to 1..9",
                   {"target_kind": "probabilities", "target_row_sum_min": 1.0, "target_row_sum_max": 9.0})
    wrong_loss = Finding("L306", Severity.ERROR, "84% of rows mark several labels; CrossEntropyLoss",
                         {"targets": "multi-hot", "multi_label_share": 0.84})
    ordered = rank([rows, wrong_loss])
    assert [f.code for f in ordered] == ["L306", "D113"] and ordered[1].explained_by == "L306"
    one_hot = Finding("D113", Severity.ERROR, "one-hot rows where indices are expected",
                      {"target_kind": "probabilities", "target_row_sum_min": 1.0, "target_row_sum_max": 1.0})
    ordered = rank([one_hot, Finding("L306", Severity.ERROR, "multi-label", {"targets": "multi-hot"})])
    assert ordered[0].code == "D113" and ordered[0].explained_by is None


def test_an_explosion_from_the_first_step_does_not_take_the_root_from_a_too_high_lr():
    from nndoctor.verdicts.optimisation import exploding_gradients

    # Adam at lr 0.5 on a GRU: the gradient grows 5000x in four steps as the loss triples
    norms = [0.39, 12.0, 160.0, 900.0, 2000.0, 40.0, 80.0, 300.0, 60.0, 90.0, 120.0, 70.0]
    losses = [1.42, 1.9, 3.1, 4.0, 4.59, 3.0, 2.5, 8.3, 2.2, 2.9, 2.4, 2.2]
    (explosion,) = exploding_gradients(_history(norms, losses))
    too_high = Finding("O401", Severity.ERROR, "lr 0.5 (Adam) made the loss worse", {"optimizer": "Adam"})
    ordered = rank([explosion, too_high])
    assert ordered[0].code == "O401" and ordered[1].explained_by == "O401"


class _CodesAndNumbers(torch.nn.Module):
    """``model(codes, numbers)``: four categorical codes (more values per row than the three numbers) embedded."""

    def __init__(self) -> None:
        super().__init__()
        self.embs = torch.nn.ModuleList([torch.nn.Embedding(c, 4) for c in (10, 7, 12, 9)])
        self.mlp = torch.nn.Sequential(torch.nn.Linear(16 + 3, 32), torch.nn.ReLU(), torch.nn.Linear(32, 2))

    def forward(self, codes: torch.Tensor, numbers: torch.Tensor) -> torch.Tensor:
        return self.mlp(torch.cat([e(codes[:, i]) for i, e in enumerate(self.embs)] + [numbers], dim=1))


def _leak_codes(copy_validation: bool) -> set[str]:
    import nndoctor
    from torch.utils.data import DataLoader, TensorDataset

    g = torch.Generator().manual_seed(0)
    n = 6000
    codes = torch.stack([torch.randint(0, c, (n,), generator=g) for c in (10, 7, 12, 9)], dim=1)
    numbers = torch.randn(n, 3, generator=g)
    y = ((numbers[:, 0] + (codes[:, 0] % 3).float()) > 1).long()
    train = slice(0, 5000)
    val = slice(0, 1000) if copy_validation else slice(5000, 6000)  # copies: validation rows taken from training
    setup = nndoctor.Setup(
        model=_CodesAndNumbers(), loss=torch.nn.CrossEntropyLoss(),
        train=DataLoader(TensorDataset(codes[train], numbers[train], y[train]), batch_size=64, shuffle=True),
        val=DataLoader(TensorDataset(codes[val], numbers[val], y[val]), batch_size=256),
        inputs=lambda b: nndoctor.Inputs(b[0], b[1]), targets=lambda b: b[2])
    report = nndoctor.checkup(setup, select=["D107", "D108"])
    return {f.code for f in report.findings if f.severity.at_least(Severity.WARNING)}


def test_a_row_is_a_copy_only_when_all_of_its_inputs_are():
    # 7560 code combinations over 6000 rows collide by chance; with the three numbers beside them no row repeats
    assert "D108" not in _leak_codes(copy_validation=False)
    assert "D108" in _leak_codes(copy_validation=True)
