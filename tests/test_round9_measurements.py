"""Measurements changed after round 9's unseen material and review; each test reads the setup both ways."""
import torch
from torch.utils.data import DataLoader, TensorDataset


def test_a_later_stages_validation_of_pairs_gives_its_inputs_and_one_of_dicts_is_left_out_not_fatal():
    from nndoctor.watch.capture import _loader_inputs

    x, y = torch.randn(70, 3), torch.arange(70) % 2
    pairs = DataLoader(TensorDataset(x, y), batch_size=16)
    assert torch.equal(_loader_inputs(pairs, rows=40), x[:40])
    dicts = DataLoader([{"x": row, "y": label} for row, label in zip(x, y)], batch_size=16)
    assert _loader_inputs(dicts) is None
    triples = DataLoader(TensorDataset(x, y, y), batch_size=16)
    assert _loader_inputs(triples) is None
