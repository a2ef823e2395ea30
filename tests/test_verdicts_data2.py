"""The verdicts of D103, D106, D107, D109, D110 and D114, fed hand-built measurements.

Each code gets a measurement that must fire (code, severity and a piece of evidence computed
here independently) and a healthy one, near its threshold where there is one, that must stay
silent. The adapters in ``checks/data.py`` only build these measurements.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from nndoctor import Severity
from nndoctor.verdicts import VERDICTS
from nndoctor.verdicts.data import (
    EpochSteps,
    FeatureSpread,
    batch_too_large,
    constant_feature,
)
from nndoctor.verdicts.labels import (
    ClassShares,
    LabelNoise,
    TokenShares,
    class_imbalance,
    disagreement_candidates,
    imbalance_severity,
    wrong_labels,
)
from nndoctor.verdicts.splits import (
    SplitShift,
    TrainingCopies,
    duplicate_samples,
    train_val_shift,
)


def test_the_adapters_register_these_verdicts():
    import nndoctor.checks.data  # noqa: F401  (importing the adapter registers the verdicts)

    assert VERDICTS["D103"] is constant_feature and VERDICTS["D114"] is batch_too_large
    assert VERDICTS["D106"] is class_imbalance and VERDICTS["D110"] is wrong_labels
    assert VERDICTS["D107"] is duplicate_samples and VERDICTS["D109"] is train_val_shift


# -- D103 ------------------------------------------------------------------------------------
def test_d103_a_column_without_a_finite_value_is_an_error():
    m = FeatureSpread(mean=np.zeros(4), std=np.ones(4), finite_share=np.array([1.0, 1.0, 0.0, 0.5]), scope="400 rows")
    (finding,) = constant_feature(m)
    assert (finding.code, finding.severity) == ("D103", Severity.ERROR)
    assert finding.evidence["void_features"] == [2] and finding.evidence["count"] == 1


def test_d103_a_constant_column_among_standardised_ones_is_information():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 5))
    x[:, 3] = 7.0
    (finding,) = constant_feature(FeatureSpread(mean=x.mean(0), std=x.std(0), scope="500 rows"))
    assert (finding.code, finding.severity) == ("D103", Severity.INFO)
    assert finding.evidence["features"] == [3] and finding.evidence["values"] == [7.0]
    assert finding.evidence["inputs_standardised"] is True


def test_d103_a_small_but_real_spread_is_not_constant():
    # std 1e-5 on a feature of magnitude 1: ten times the relative spread of a float constant
    m = FeatureSpread(mean=np.array([0.0, 1.0]), std=np.array([1.0, 1e-5]))
    assert list(constant_feature(m)) == []


# -- D106 ------------------------------------------------------------------------------------
def _shares(counts, **kw) -> ClassShares:
    return ClassShares(classes=np.arange(len(counts)), counts=np.asarray(counts), scope="all rows", **kw)


def test_d106_a_ninety_percent_majority_is_a_warning():
    counts = [900, 60, 40]
    (finding,) = class_imbalance(_shares(counts))
    assert (finding.code, finding.severity) == ("D106", Severity.WARNING)
    assert finding.evidence["majority_share"] == pytest.approx(900 / 1000)
    assert finding.evidence["imbalance_ratio"] == pytest.approx(900 / 40)
    assert finding.location == "class 2"


def test_d106_an_imbalance_the_setup_compensates_is_information():
    m = _shares([900, 100])
    assert imbalance_severity(m) == Severity.WARNING  # what the adapter asks before measuring the compensation
    m.handled_by = "class weights in CrossEntropyLoss"
    (finding,) = class_imbalance(m)
    assert finding.severity == Severity.INFO and "class weights in CrossEntropyLoss" in finding.message


def test_d106_three_to_one_is_information_and_just_under_is_silent():
    (finding,) = class_imbalance(_shares([300, 100]))
    assert finding.severity == Severity.INFO and finding.evidence["imbalance_ratio"] == pytest.approx(3.0)
    assert list(class_imbalance(_shares([290, 100]))) == []
    assert imbalance_severity(_shares([290, 100])) is None


def test_d106_one_class_is_a_warning_unless_it_is_a_loop_sample_in_class_order():
    (finding,) = class_imbalance(_shares([200]))
    assert finding.severity == Severity.WARNING and finding.evidence["majority_share"] == 1.0
    assert list(class_imbalance(_shares([200], loop_in_class_order=True))) == []
    assert list(class_imbalance(_shares([900, 100], loop_in_class_order=True))) == []


def test_d106_too_few_labels_say_nothing():
    assert list(class_imbalance(_shares([45, 3]))) == []


def test_d106_padding_filling_most_target_positions():
    tokens = np.array([0, 5, 7, 1999])
    counts = np.array([20, 30, 10, 140])
    (finding,) = class_imbalance(TokenShares(tokens=tokens, counts=counts, scope="all 20 rows", ignore_index=-100))
    assert (finding.code, finding.severity) == ("D106", Severity.WARNING)
    assert finding.evidence["token"] == 1999 and finding.evidence["majority_share"] == pytest.approx(140 / 200)


def test_d106_a_majority_tag_is_no_padding_when_the_targets_already_mask_their_padding():
    # round 19 c/news_ner_bigru: "O" fills 70% of the tagged positions; padding is -100, which the loss ignores
    tokens, counts = np.array([0, 1, 2, 3, 4]), np.array([700, 80, 80, 70, 70])
    (finding,) = class_imbalance(TokenShares(tokens=tokens, counts=counts, ignore_index=-100, masked=600))
    assert finding.severity == Severity.INFO
    assert (finding.evidence["masked_positions"], finding.evidence["token"]) == (600, 0)


def test_d106_a_zipfian_token_distribution_without_a_majority_is_silent():
    counts = np.array([98, 50, 33, 25, 20])  # the top token just under half of the positions
    assert counts[0] / counts.sum() < 0.5
    assert list(class_imbalance(TokenShares(tokens=np.arange(5), counts=counts))) == []


# -- D107 ------------------------------------------------------------------------------------
def test_d107_six_percent_exact_copies_is_a_warning():
    (finding,) = duplicate_samples(TrainingCopies("all 1000 rows", 1000, 60, near_alpha=0.01))
    assert (finding.code, finding.severity) == ("D107", Severity.WARNING)
    assert finding.evidence["exact_share"] == pytest.approx(0.06) and "6.0%" in finding.message


def test_d107_near_copies_count_and_are_described():
    m = TrainingCopies("all 1000 rows", 1000, 0, near_alpha=0.01, near_scope="500 sampled rows", near_rows=500,
                       near_with_copy=40, dimension=4.2)
    (finding,) = duplicate_samples(m)
    assert finding.severity == Severity.WARNING and finding.evidence["near_share"] == pytest.approx(0.08)
    assert "near copy" in finding.message


def test_d107_few_copies_are_information_and_fewer_are_silent():
    (finding,) = duplicate_samples(TrainingCopies("all 1000 rows", 1000, 20, near_alpha=0.01))
    assert finding.severity == Severity.INFO
    assert list(duplicate_samples(TrainingCopies("all 1000 rows", 1000, 9, near_alpha=0.01))) == []


# -- D109 ------------------------------------------------------------------------------------
def test_d109_label_shares_that_moved():
    train, val = {0: 0.5, 1: 0.3, 2: 0.2}, {0: 0.45, 1: 0.05, 2: 0.5}
    tvd = 0.5 * sum(abs(train[k] - val[k]) for k in train)
    (finding,) = train_val_shift(SplitShift(train_shares=train, val_shares=val, label_p=1e-8, label_tvd=tvd))
    assert (finding.code, finding.severity, finding.location) == ("D109", Severity.WARNING, "labels")
    assert finding.evidence["tvd"] == pytest.approx(0.3)
    assert "class 2 is 20.0% of training and 50.0% of validation" in finding.message


def test_d109_a_small_or_insignificant_label_difference_is_silent():
    train, val = {0: 0.5, 1: 0.5}, {0: 0.59, 1: 0.41}
    assert list(train_val_shift(SplitShift(train_shares=train, val_shares=val, label_p=1e-9, label_tvd=0.09))) == []
    assert list(train_val_shift(SplitShift(train_shares=train, val_shares=val, label_p=0.002, label_tvd=0.3))) == []


def test_d109_pooled_rare_tokens_are_named_as_such():
    m = SplitShift(train_shares={5: 0.5, 7: 0.2, -1: 0.3}, val_shares={5: 0.45, 7: 0.15, -1: 0.4}, label_p=1e-9,
                   label_tvd=0.1, tokens=True, top_tokens=50)
    (finding,) = train_val_shift(m)
    assert "the rarer tokens together are 30.0% of training and 40.0% of validation" in finding.message
    assert "50 most frequent tokens" in finding.message


def test_d109_shifted_inputs_worst_first():
    ks = np.array([0.1, 0.25, 0.5, 0.19])
    p = np.array([1e-6, 1e-5, 1e-12, 1e-9])  # feature 0 significant but small, feature 3 just under the distance floor
    (finding,) = train_val_shift(SplitShift(ks=ks, ks_p_adjusted=p, n_train=800, n_val=200))
    assert finding.evidence["shifted"] == [2, 1] and finding.location == "features 2, 1"


def test_d109_inputs_within_the_floor_and_a_loop_sample_in_order_are_silent():
    ks, p = np.array([0.19, 0.05]), np.array([1e-9, 0.5])
    assert list(train_val_shift(SplitShift(ks=ks, ks_p_adjusted=p))) == []
    moved = SplitShift(train_shares={0: 0.9, 1: 0.1}, val_shares={0: 0.1, 1: 0.9}, label_p=1e-20, label_tvd=0.8,
                       loop_in_order=True)
    assert list(train_val_shift(moved)) == []


# -- D110 ------------------------------------------------------------------------------------
def _probe(**kw) -> LabelNoise:
    base = {"n": 1000, "scores": {"logistic regression": 0.9, "k nearest neighbours": 0.88}, "chance": 0.25,
            "suspect_probability": 0.05, "p_value": 1e-30, "suspect_rows": list(range(30))}
    base.update(kw)
    return LabelNoise(**base)


def test_d110_more_suspect_labels_than_clean_labels_give():
    (finding,) = wrong_labels(_probe(suspect_count=80, expected_suspects=20.0, suspect_p_value=1e-12))
    assert (finding.code, finding.severity) == ("D110", Severity.WARNING)
    assert finding.evidence["suspect_share"] == pytest.approx(80 / 1000)
    assert finding.location == "rows 0, 1, 2, 3, 4 … (+25 more)"


def test_d110_suspects_just_under_twice_the_expected_are_silent():
    assert list(wrong_labels(_probe(suspect_count=39, expected_suspects=20.0, suspect_p_value=1e-12))) == []


def test_d110_a_noise_floor_fitted_to_a_linear_probe_that_fits():
    scores = {"logistic regression": 0.6, "k nearest neighbours": 0.62}
    (finding,) = wrong_labels(_probe(scores=scores, noise_floor=0.3, noise_floor_p=1e-9))
    assert finding.evidence["labels_without_inputs"] is True and finding.message.startswith("About 30.0% of the 1000 training labels")


def test_d110_no_floor_when_the_local_probe_is_far_ahead_of_the_linear_one():
    # the linear probe's lift over chance (0.35 - 0.25) is under two thirds of the local one's (0.9 - 0.25)
    scores = {"logistic regression": 0.35, "k nearest neighbours": 0.9}
    assert list(wrong_labels(_probe(scores=scores, noise_floor=0.3, noise_floor_p=1e-9))) == []


def test_d110_validation_labels_following_the_mapping_better():
    scores = {"logistic regression": 0.85, "k nearest neighbours": 0.84}
    m = _probe(scores=scores, val_n=300, val_scores={"logistic regression": 0.95, "k nearest neighbours": 0.9},
               val_p_values={"logistic regression": 1e-6, "k nearest neighbours": 0.2})
    assert [c[1] for c in disagreement_candidates(m)] == ["logistic regression"]
    (finding,) = wrong_labels(m)
    assert finding.evidence["validation_disagreement"] is True
    assert f"about {100 * (0.95 - 0.85):.1f}% of the training labels disagree" in finding.message


@pytest.mark.parametrize("context", [{"split_label_p": 1e-5}, {"val_copied_share": 0.02}])
def test_d110_no_comparison_when_labels_shifted_or_validation_rows_were_copied(context):
    m = _probe(scores={"logistic regression": 0.85, "k nearest neighbours": 0.84}, val_n=300,
               val_scores={"logistic regression": 0.95, "k nearest neighbours": 0.9},
               val_p_values={"logistic regression": 1e-6}, **context)
    assert disagreement_candidates(m)  # the comparison alone would fire
    assert list(wrong_labels(m)) == []


def test_d110_labels_that_moved_between_splits_while_the_inputs_did_not():
    m = _probe(val_n=300, label_shift_p=1e-6, label_shift_tvd=0.2, inputs_follow_train_fit_p=0.4,
               inputs_follow_train_log_lr=10.0)
    (finding,) = wrong_labels(m)
    assert finding.evidence["labels_moved_inputs_not"] is True
    assert f"{math.exp(10.0):.3g} times" in finding.message


def test_d110_flips_need_a_decisive_bayes_factor():
    m = _probe(val_n=300, label_shift_p=1e-6, label_shift_tvd=0.2, inputs_follow_train_fit_p=0.4,
               inputs_follow_train_log_lr=math.log(90.0))
    assert list(wrong_labels(m)) == []


def test_d110_bag_of_tokens_probabilities_count_no_suspects_but_their_accuracies_compare_the_splits():
    suspects = dict(bag_of_tokens=True, suspect_count=80, expected_suspects=20.0, suspect_p_value=1e-12)
    assert list(wrong_labels(_probe(**suspects))) == []  # uncalibrated probabilities: no suspect count
    m = _probe(**suspects, val_n=300, val_scores={"logistic regression": 0.99, "k nearest neighbours": 0.9},
               val_p_values={"logistic regression": 1e-9})
    (finding,) = wrong_labels(m)  # argmax accuracies: validation follows the mapping better than training
    assert [c[1] for c in disagreement_candidates(m)] == ["logistic regression"]
    assert finding.evidence["validation_disagreement"] and not finding.evidence["labels_moved_inputs_not"]
    assert "agrees with 99.0%" in finding.message and "get an out-of-sample probability" not in finding.message


# -- D114 ------------------------------------------------------------------------------------
def test_d114_three_steps_an_epoch_is_a_warning():
    (finding,) = batch_too_large(EpochSteps(samples=1000, steps_per_epoch=3))
    assert (finding.code, finding.severity) == ("D114", Severity.WARNING)
    assert finding.evidence["batch_size"] == math.ceil(1000 / 3)


def test_d114_eight_steps_is_information():
    (finding,) = batch_too_large(EpochSteps(samples=1000, steps_per_epoch=8, batch_size=128))
    assert finding.severity == Severity.INFO and finding.evidence["steps_per_epoch"] == 8


@pytest.mark.parametrize("m", [
    EpochSteps(samples=1000, steps_per_epoch=10, batch_size=100),  # ten steps an epoch
    EpochSteps(samples=64, steps_per_epoch=2, batch_size=32),  # a small set in batches of 32
    EpochSteps(samples=1000, steps_per_epoch=1, batch_size=1000, loop_sample="epoch"),  # full-batch by hand
    EpochSteps(samples=None, steps_per_epoch=None),
])
def test_d114_silent(m):
    assert list(batch_too_large(m)) == []
