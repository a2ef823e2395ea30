"""Display-ad click-through prediction with a factorisation machine over hashed categoricals.

Fields: site, app category, device type, hour of day, banner position, ad id, user segment.
The model outputs calibrated click probabilities (they feed the bidder), so it is trained
with plain log-loss on the natural click rate and judged by log-loss and AUC; the output
bias starts at the log-odds of the base rate. Updates are written out by hand (plain SGD).
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score

FIELDS = {"site": 60, "app_cat": 20, "device": 5, "hour": 24, "banner_pos": 7,
          "ad": 300, "segment": 40}
N_BUCKETS = 1 << 12


def make_impressions(n, rng):
    cards = list(FIELDS.values())
    cats = np.stack([rng.zipf(1.6, n) % c for c in cards], 1)       # long-tailed popularity
    effects = [rng.normal(0, s, c) for c, s in zip(cards, [0.5, 0.4, 0.3, 0.3, 0.6, 0.7, 0.5])]
    ad_f, seg_f = rng.normal(0, 0.8, (cards[5], 4)), rng.normal(0, 0.8, (cards[6], 4))
    logit = -3.9 + sum(e[cats[:, j]] for j, e in enumerate(effects))
    logit += (ad_f[cats[:, 5]] * seg_f[cats[:, 6]]).sum(1)             # ad x audience affinity
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    # hash (field, value) pairs into one shared index space
    offsets = np.array([hash_field(f) for f in FIELDS])
    idx = (cats * 2654435761 + offsets) % N_BUCKETS
    return torch.from_numpy(idx.astype(np.int64)), torch.from_numpy(y)


def hash_field(name):
    return sum((i + 1) * ord(ch) for i, ch in enumerate(name)) * 40503


class FM(nn.Module):
    def __init__(self, n_buckets, k=8):
        super().__init__()
        self.w = nn.Embedding(n_buckets, 1)
        self.v = nn.Embedding(n_buckets, k)
        self.bias = nn.Parameter(torch.zeros(1))
        nn.init.zeros_(self.w.weight)
        nn.init.normal_(self.v.weight, std=0.05)

    def forward(self, idx):
        v = self.v(idx)                                     # (B, F, k)
        pair = 0.5 * ((v.sum(1) ** 2) - (v ** 2).sum(1)).sum(1)
        return self.bias + self.w(idx).sum((1, 2)) + pair


def main():
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    idx, y = make_impressions(60000, rng)
    idx_tr, y_tr, idx_va, y_va = idx[:48000], y[:48000], idx[48000:], y[48000:]
    base = y_tr.mean().item()
    print(f"train click rate {base:.4f}")

    model = FM(N_BUCKETS)
    with torch.no_grad():
        model.bias.fill_(float(np.log(base / (1 - base))))

    lr, batch = 2.0, 256
    for epoch in range(5):
        perm = torch.randperm(len(y_tr))
        for s in range(0, len(perm), batch):
            b = perm[s:s + batch]
            logits = model(idx_tr[b])
            loss = F.binary_cross_entropy_with_logits(logits, y_tr[b])
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
                    p.grad = None
        with torch.no_grad():
            logits = torch.cat([model(idx_va[s:s + 4096]) for s in range(0, len(y_va), 4096)])
            ll_sum = F.binary_cross_entropy_with_logits(logits, y_va, reduction="sum").item()
        val_ll = ll_sum / len(y_va)
        auc = roc_auc_score(y_va.numpy(), logits.numpy())
        print(f"epoch {epoch + 1}: val logloss {val_ll:.4f}  val AUC {auc:.4f}")

    prior_ll = F.binary_cross_entropy(torch.full_like(y_va, base), y_va).item()
    print(f"final val_logloss={val_ll:.4f} (base-rate predictor {prior_ll:.4f}) val_auc={auc:.4f}")


if __name__ == "__main__":
    main()
