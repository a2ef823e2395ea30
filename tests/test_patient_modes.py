"""Looking at a model in eval mode gives every module its own ``training`` flag back (never hurt the patient)."""
from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

import nndoctor
from nndoctor.look.predict import collect
from nndoctor.patient import eval_mode
from nndoctor.probes.trial import evaluate


def _partly_frozen() -> nn.Sequential:
    """A training model whose pretrained BatchNorm the user keeps in eval mode (its running statistics frozen)."""
    model = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 3))
    model.train()
    model[1].eval()
    return model


def _modes(model: nn.Module) -> list[bool]:
    return [m.training for m in model.modules()]


def test_eval_mode_restores_each_modules_flag_also_after_an_error():
    model = _partly_frozen()
    before = _modes(model)
    with eval_mode(model):
        assert not any(_modes(model))
    assert _modes(model) == before
    with pytest.raises(RuntimeError), eval_mode(model):
        raise RuntimeError("a forward that fails")
    assert _modes(model) == before


def test_scoring_a_partly_frozen_model_keeps_its_frozen_batchnorm_frozen():
    model = _partly_frozen()
    before = _modes(model)
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(32, 6, generator=g), torch.randint(0, 3, (32,), generator=g)
    setup = nndoctor.Setup(model=model, train=(x, y), loss=nn.CrossEntropyLoss(), task="multiclass",
                           batch_size=16)
    loss, _ = evaluate(setup, model, [(x, y)])
    with torch.no_grad():  # the same loss from an independent eval-mode copy
        expected = float(nn.functional.cross_entropy(copy.deepcopy(model).eval()(x), y))
    assert loss == pytest.approx(expected, rel=1e-5)
    assert _modes(model) == before and not model[1].training
    outputs = collect(setup, model, [(x, y)])
    assert outputs is not None and outputs.predicted.shape == (32,)
    assert _modes(model) == before and not model[1].training
