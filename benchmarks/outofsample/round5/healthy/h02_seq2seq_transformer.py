"""A toy "translation" task with an encoder-decoder Transformer.

Source sentences are random token strings (5-10 tokens); the target is the source read backwards
with every word replaced by its "translation" (a fixed permutation of the vocabulary). Training
is teacher-forced with a causal mask on the decoder and padding masks on both sides, label
smoothing, a Noam-style warm-up/inverse-sqrt schedule stepped per batch and grad-norm clipping.
Evaluation decodes greedily and reports exact sequence match.
"""
import math
import warnings

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore", message=".*nested tensors.*")
torch.manual_seed(0)
np.random.seed(0)

PAD, BOS, EOS = 0, 1, 2
N_WORDS = 40
VOCAB = N_WORDS + 3
MAX_LEN = 10
rng = np.random.default_rng(0)
translation = rng.permutation(N_WORDS) + 3


def make_pairs(n):
    src = np.full((n, MAX_LEN), PAD, dtype=np.int64)
    tgt = np.full((n, MAX_LEN + 2), PAD, dtype=np.int64)   # BOS ... EOS
    for i in range(n):
        L = rng.integers(5, MAX_LEN + 1)
        words = rng.integers(0, N_WORDS, L)
        src[i, :L] = words + 3
        tgt[i, 0] = BOS
        tgt[i, 1:L + 1] = translation[words[::-1]]
        tgt[i, L + 1] = EOS
    return torch.from_numpy(src), torch.from_numpy(tgt)


src_tr, tgt_tr = make_pairs(4000)
src_va, tgt_va = make_pairs(500)
train_loader = DataLoader(TensorDataset(src_tr, tgt_tr), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(src_va, tgt_va), batch_size=250)


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=64):
        super().__init__()
        pos = torch.arange(max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(pos * div)
        pe[:, 1::2] = torch.cos(pos * div)
        self.register_buffer("pe", pe)

    def forward(self, x):
        return x + self.pe[: x.size(1)]


class Seq2SeqTransformer(nn.Module):
    def __init__(self, vocab, d_model=64, nhead=4, layers=2, ff=128, dropout=0.1):
        super().__init__()
        self.d_model = d_model
        self.src_emb = nn.Embedding(vocab, d_model, padding_idx=PAD)
        self.tgt_emb = nn.Embedding(vocab, d_model, padding_idx=PAD)
        self.pos = PositionalEncoding(d_model)
        self.transformer = nn.Transformer(d_model, nhead, layers, layers, ff, dropout, batch_first=True)
        self.generator = nn.Linear(d_model, vocab)

    def encode(self, src):
        return self.transformer.encoder(self.pos(self.src_emb(src) * math.sqrt(self.d_model)),
                                        src_key_padding_mask=src == PAD)

    def decode(self, tgt_in, memory, src):
        T = tgt_in.size(1)
        causal = nn.Transformer.generate_square_subsequent_mask(T, dtype=torch.bool)
        h = self.transformer.decoder(self.pos(self.tgt_emb(tgt_in) * math.sqrt(self.d_model)), memory,
                                     tgt_mask=causal, tgt_key_padding_mask=tgt_in == PAD,
                                     memory_key_padding_mask=src == PAD)
        return self.generator(h)

    def forward(self, src, tgt_in):
        return self.decode(tgt_in, self.encode(src), src)


model = Seq2SeqTransformer(VOCAB)
for p in model.parameters():
    if p.dim() > 1:
        nn.init.xavier_uniform_(p)

criterion = nn.CrossEntropyLoss(ignore_index=PAD, label_smoothing=0.1)
optimizer = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)
WARMUP = 200
# Noam: lr = d^-0.5 * min(step^-0.5, step * warmup^-1.5); peak about 4e-3 at this d_model
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: 0.5 * model.d_model ** -0.5 * min((s + 1) ** -0.5, (s + 1) * WARMUP ** -1.5))


@torch.no_grad()
def greedy_decode(src):
    memory = model.encode(src)
    ys = torch.full((src.size(0), 1), BOS, dtype=torch.long)
    done = torch.zeros(src.size(0), dtype=torch.bool)
    for _ in range(MAX_LEN + 1):
        nxt = model.decode(ys, memory, src)[:, -1].argmax(-1)
        nxt = torch.where(done, torch.full_like(nxt, PAD), nxt)
        ys = torch.cat([ys, nxt[:, None]], dim=1)
        done |= nxt == EOS
        if done.all():
            break
    return ys


def evaluate(decode=False):
    """Teacher-forced NLL and token accuracy every epoch; greedy exact match when asked."""
    model.eval()
    total_loss, total_tok, correct, exact, n = 0.0, 0, 0, 0, 0
    with torch.no_grad():
        for src, tgt in val_loader:
            logits = model(src, tgt[:, :-1])
            gold = tgt[:, 1:]
            mask = gold != PAD
            total_loss += nn.functional.cross_entropy(logits.reshape(-1, VOCAB), gold.reshape(-1),
                                                      ignore_index=PAD, reduction="sum").item()
            total_tok += mask.sum().item()
            correct += ((logits.argmax(-1) == gold) & mask).sum().item()
            if decode:
                hyp = greedy_decode(src)[:, 1:]
                for h, g in zip(hyp, gold):
                    g = g[g != PAD]
                    exact += int(len(h) >= len(g) and torch.equal(h[: len(g)], g))
            n += src.size(0)
    return total_loss / total_tok, correct / total_tok, exact / n


EPOCHS = 8
for epoch in range(1, EPOCHS + 1):
    model.train()
    for step, (src, tgt) in enumerate(train_loader):
        tgt_in, tgt_out = tgt[:, :-1], tgt[:, 1:]
        logits = model(src, tgt_in)
        loss = criterion(logits.reshape(-1, VOCAB), tgt_out.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
    val_nll, val_tok_acc, _ = evaluate()
    print(f"epoch {epoch} train_loss(smoothed) {loss.item():.3f} val_nll/token {val_nll:.3f} "
          f"val_token_acc {val_tok_acc:.3f} lr {scheduler.get_last_lr()[0]:.2e}")

val_nll, val_tok_acc, val_exact = evaluate(decode=True)
print(f"FINAL val_exact_match {val_exact:.3f} val_token_acc {val_tok_acc:.3f} val_nll/token {val_nll:.3f} "
      f"(uniform nll: {math.log(N_WORDS + 1):.3f})")
