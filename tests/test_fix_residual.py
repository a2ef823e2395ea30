"""fix's skip connections for a deep plain network (M205, residual-connections): which blocks get one, what the
rewired model computes (against a hand-written forward), and that the user's model is untouched."""
from __future__ import annotations

import pickle

import pytest
import torch
from torch import nn

import nndoctor
from nndoctor.findings import Finding, Severity
from nndoctor.fix.model_remedies import residual_blocks, residual_connections
from nndoctor.fix.transforms import NotApplicable

from conftest import blobs


class Block(nn.Module):
    """A ResMLP block whose forward forgot the skip: ``self.ff(x)`` instead of ``x + self.ff(x)``."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.ff = nn.Sequential(nn.Linear(width, 2 * width), nn.ReLU(), nn.Linear(2 * width, width))

    def forward(self, x):
        return self.ff(x)


class SkiplessResMLP(nn.Module):
    def __init__(self, depth: int = 6, width: int = 16) -> None:
        super().__init__()
        self.stem = nn.Linear(10, width)
        self.blocks = nn.Sequential(*[Block(width) for _ in range(depth)])
        self.head = nn.Linear(width, 3)

    def forward(self, x):
        return self.head(torch.relu(self.blocks(self.stem(x))))


def _setup(model: nn.Module) -> nndoctor.Setup:
    x, y = blobs()
    return nndoctor.Setup(model=model, train=(x[:400], y[:400]), val=(x[400:], y[400:]), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=32).resolve()


def _finding() -> Finding:
    return Finding("M205", Severity.WARNING, "test")


def test_skips_go_around_the_innermost_shape_keeping_blocks_not_the_stack_or_the_head() -> None:
    torch.manual_seed(0)
    model, x = SkiplessResMLP(), torch.randn(8, 10)
    assert residual_blocks(model, x, "head") == [f"blocks.{i}.ff" for i in range(6)]
    plain = nn.Sequential(nn.Linear(10, 32), nn.Tanh(), *[m for _ in range(5) for m in (nn.Linear(32, 32), nn.Tanh())],
                          nn.Linear(32, 32))
    assert residual_blocks(plain, x, "12") == ["2", "4", "6", "8", "10"]  # the last same-width Linear is the output


def test_the_rewired_model_adds_each_block_to_its_input_and_leaves_the_users_alone() -> None:
    torch.manual_seed(0)
    user = SkiplessResMLP()
    before = {k: v.clone() for k, v in user.state_dict().items()}
    (candidate,) = residual_connections(_setup(user), _finding())
    assert "6 block(s)" in candidate.title and "x + self.block(x)" in candidate.snippet
    rewired, x = candidate.setup.model, torch.randn(8, 10)
    with torch.no_grad():  # each block's last layer starts at zero: the stack starts as the identity path
        assert all(not p.any() for block in rewired.blocks for p in block.ff.block[2].parameters())
        torch.testing.assert_close(rewired(x), user.head(torch.relu(user.stem(x))))
        for block, own in zip(rewired.blocks, user.blocks):  # the user's weights in the rewired blocks
            block.ff.block[2].load_state_dict(own.ff[2].state_dict())
    h = user.stem(x)
    for block in user.blocks:  # the same weights, the skip written by hand
        h = h + block.ff(h)
    expected = user.head(torch.relu(h))
    with torch.no_grad():
        torch.testing.assert_close(rewired(x), expected)
        assert not torch.allclose(user(x), expected)
    assert all(torch.equal(v, user.state_dict()[k]) for k, v in before.items())
    assert type(user.blocks[0].ff) is nn.Sequential
    with torch.no_grad():
        torch.testing.assert_close(pickle.loads(pickle.dumps(rewired))(x), expected)


def test_no_skip_where_no_two_blocks_keep_their_shape() -> None:
    torch.manual_seed(0)
    funnel = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 3))
    with pytest.raises(NotApplicable, match="fewer than two blocks"):
        residual_connections(_setup(funnel), _finding())
