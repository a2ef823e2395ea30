"""Bags of tokens fed as one flat stream with offsets, as rows the exam can cut.

PyTorch's text-classification tutorial feeds ``nn.EmbeddingBag`` the batch's documents
concatenated into one 1-D token tensor plus the offset where each document starts
(``model(text, offsets)``). Those two inputs do not hold one row per sample, so the exam
could not sample, split or trial them. :func:`pack_bags` turns them into an ``(N, L)`` matrix,
one document per row padded with ``PAD`` (no token id is negative), and :func:`unpack_bags`
turns such rows back into the flat stream and offsets the model takes: exactly the same bags.
"""
from __future__ import annotations

import torch

PAD = -1  # fills the rows after each document's last token; never a token id


def bag_layout(first: object, second: object) -> tuple[int, int] | None:
    """``(position of the token stream, position of the offsets)`` among a forward's two inputs, or None.

    Offsets are a 1-D integer tensor that starts at 0, never decreases and stays within the
    token stream (another 1-D integer tensor, at least as long as there are bags).
    """
    inputs = (first, second)
    for tokens_at, offsets_at in ((0, 1), (1, 0)):
        tokens, offsets = inputs[tokens_at], inputs[offsets_at]
        if not all(isinstance(t, torch.Tensor) and t.dim() == 1 and not t.is_floating_point() and not t.is_complex()
                   for t in (tokens, offsets)):
            continue
        if offsets.numel() == 0 or tokens.numel() < offsets.numel() or tokens.dtype == torch.bool:
            continue
        with torch.no_grad():
            ordered = bool((offsets[1:] >= offsets[:-1]).all())
            if int(offsets[0]) == 0 and ordered and int(offsets[-1]) <= tokens.numel() \
                    and (tokens.numel() == 0 or int(tokens.min()) >= 0):
                return tokens_at, offsets_at
    return None


def pack_bags(tokens: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """One row per bag: its tokens, then ``PAD`` up to the longest bag's length."""
    ends = torch.cat([offsets[1:], offsets.new_tensor([tokens.numel()])])
    lengths = ends - offsets
    rows = torch.full((len(lengths), int(lengths.max())), PAD, dtype=tokens.dtype, device=tokens.device)
    bag = torch.repeat_interleave(torch.arange(len(lengths), device=tokens.device), lengths)
    rows[bag, torch.arange(tokens.numel(), device=tokens.device) - offsets[bag]] = tokens
    return rows


def unpack_bags(rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The flat token stream and the offsets of ``pack_bags``'s rows (the padding dropped)."""
    kept = rows != PAD
    lengths = kept.sum(dim=1)
    offsets = torch.cat([lengths.new_zeros(1), lengths.cumsum(0)[:-1]])
    return rows[kept], offsets
