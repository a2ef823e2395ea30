"""Checkup spec: a small NNUE-style position evaluator.

Positions are encoded as 768 sparse piece-square bits (6 piece types x 2 colours x 64
squares) plus side to move. The target is the expected score for White (win = 1, draw = 0.5,
loss = 0) that the engine's eval maps to, the way evaluator nets are distilled from search:
soft targets under BCEWithLogitsLoss. Hidden layers use NNUE's clipped ReLU, and, as in
Stockfish's PSQT output, a linear piece-square term goes straight to the output beside the MLP.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

VALUES = np.array([1.0, 3.0, 3.2, 5.0, 9.0, 0.0])        # P N B R Q K
MAX_COUNT = [8, 2, 2, 2, 1, 1]


def random_position(rng):
    board = np.zeros((2, 6, 64), dtype=np.float32)
    occupied = set()
    phase = rng.uniform(0.15, 1.0)                         # fraction of material left
    base = [1 if p == 5 else rng.binomial(MAX_COUNT[p], phase) for p in range(6)]
    for colour in range(2):
        for piece in range(6):
            n = base[piece]
            if piece < 5 and rng.random() < 0.25:          # an exchange went one side's way
                n = int(np.clip(n + rng.choice([-1, 1]), 0, MAX_COUNT[piece]))
            for _ in range(n):
                while True:
                    sq = rng.integers(8, 56) if piece == 0 else rng.integers(0, 64)
                    if sq not in occupied:
                        break
                occupied.add(sq)
                board[colour, piece, sq] = 1.0
    stm = float(rng.random() < 0.5)
    return board, stm


RANKS = np.arange(64) // 8
FILES = np.arange(64) % 8
CENTRE = 1.0 - (np.abs(RANKS - 3.5) + np.abs(FILES - 3.5)) / 7.0


def passed_pawns(own, enemy, white):
    bonus = 0.0
    for sq in np.flatnonzero(own):
        r, f = RANKS[sq], FILES[sq]
        ahead = (RANKS > r) if white else (RANKS < r)
        blockers = enemy * ahead * (np.abs(FILES - f) <= 1)
        if blockers.sum() == 0:
            adv = (r - 1) if white else (6 - r)
            bonus += 0.1 + 0.04 * adv ** 2
    return bonus


def king_pressure(attackers, king_sq):
    dist = np.maximum(np.abs(RANKS - RANKS[king_sq]), np.abs(FILES - FILES[king_sq]))
    near = (attackers * (dist <= 2)).sum()
    return 0.12 * near ** 2


def engine_eval(board, stm):
    non_pawn = (board[0, 1:5].sum(1) + board[1, 1:5].sum(1)) @ VALUES[1:5]
    endgame = 1.0 - min(1.0, non_pawn / 62.0)
    material = (board[0].sum(1) - board[1].sum(1)) @ VALUES
    material *= 1.0 + 0.8 * endgame                        # a pawn up matters more with fewer pieces
    wk, bk = board[0, 5].argmax(), board[1, 5].argmax()
    knights = 0.5 * ((board[0, 1] * CENTRE).sum() - (board[1, 1] * CENTRE).sum())
    passers = (passed_pawns(board[0, 0], board[1, 0], True) - passed_pawns(board[1, 0], board[0, 0], False))
    passers *= 0.5 + endgame
    king = endgame * (CENTRE[wk] - CENTRE[bk]) * 0.8
    if board[0, 4].sum() > 0:                              # attacks only count with the queen on
        king += (1 - endgame) * king_pressure(board[0, 1:5].sum(0), bk)
    if board[1, 4].sum() > 0:
        king -= (1 - endgame) * king_pressure(board[1, 1:5].sum(0), wk)
    pair = 0.3 * (float(board[0, 2].sum() >= 2) - float(board[1, 2].sum() >= 2))
    tempo = 0.15 if stm == 0 else -0.15
    ev = material + knights + passers + king + pair
    # scale factor: the side that is ahead without pawns rarely converts; few pawns left is drawish
    ahead = 0 if ev > 0 else 1
    if board[ahead, 0].sum() == 0:
        ev *= 0.25
    elif board[ahead, 0].sum() + board[1 - ahead, 0].sum() <= 3:
        ev *= 0.6
    return ev + tempo


def make_dataset(n, rng):
    X = np.zeros((n, 769), dtype=np.float32)
    y = np.zeros((n, 1), dtype=np.float32)
    for i in range(n):
        board, stm = random_position(rng)
        X[i, :768] = board.reshape(-1)
        X[i, 768] = stm
        y[i, 0] = 1.0 / (1.0 + np.exp(-engine_eval(board, stm) / 3.0))   # expected score for White
    return X, y


class EvalNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.psqt = nn.Linear(769, 1)
        self.ft = nn.Linear(769, 64)
        self.l1 = nn.Linear(64, 32)
        self.out = nn.Linear(32, 1)
        self.crelu = nn.Hardtanh(0.0, 1.0)

    def forward(self, x):
        h = self.crelu(self.ft(x))
        h = self.crelu(self.l1(h))
        return self.psqt(x) + self.out(h)


def setup():
    torch.manual_seed(64)
    rng = np.random.default_rng(64)
    X, y = make_dataset(24000, rng)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return nndoctor.Setup(
        model=EvalNet(),
        train=(Xt[:20000], yt[:20000]),
        val=(Xt[20000:], yt[20000:]),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=3e-3),
        scheduler=lambda opt, steps: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps),
        batch_size=128,
    )
