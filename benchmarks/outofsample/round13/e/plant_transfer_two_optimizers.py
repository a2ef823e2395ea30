"""Transfer a bearing-wear regressor from a large plant to a small new one.

Stage 1 trains on 4000 logged hours of plant A and saves the whole module with torch.save.
Stage 2 loads it for plant B (only 160 labelled hours, slightly different machines), and
fine-tunes with two optimizers: the pretrained trunk at a fine-tuning LR of 2e-5, a fresh
head at 2e-3. Both are stepped every batch.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 8
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)
N_SENSORS = 20
MIX = rng.normal(size=(4, N_SENSORS)) / 2


def plant(n, shift=0.0):
    z = rng.normal(size=(n, 4))
    x = np.tanh(z @ MIX) + 0.3 * (z @ MIX) ** 2 / 4 + rng.normal(0, 0.1, (n, N_SENSORS))
    wear = (np.sin(z[:, 0]) + 0.5 * z[:, 1] * z[:, 2] + 0.3 * z[:, 3] ** 2
            + shift * (0.6 * z[:, 1] + 0.4))
    return x.astype(np.float32), (wear + rng.normal(0, 0.1, n)).astype(np.float32)


class WearNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(N_SENSORS, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
        self.head = nn.Linear(64, 1)

    def forward(self, x):
        return self.head(self.trunk(x)).squeeze(-1)


def r2(model, X, y):
    model.eval()
    with torch.no_grad():
        pred = model(X)
    return 1 - F.mse_loss(pred, y).item() / y.var(unbiased=False).item()


def main():
    Xa, ya = plant(4000)
    Xb, yb = plant(160 + 600, shift=1.0)
    mu, sd = Xa.mean(0), Xa.std(0)
    y_mu, y_sd = ya.mean(), ya.std()
    prep = lambda X: torch.tensor((X - mu) / sd)
    tgt = lambda y: torch.tensor((y - y_mu) / y_sd)
    Xa_t, ya_t = prep(Xa), tgt(ya)
    Xb_tr, yb_tr = prep(Xb[:160]), tgt(yb[:160])
    Xb_va, yb_va = prep(Xb[160:]), tgt(yb[160:])

    # ---- stage 1: plant A
    model = WearNet()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(15):
        model.train()
        perm = torch.randperm(len(Xa_t))
        for i in range(0, len(perm), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            F.mse_loss(model(Xa_t[idx]), ya_t[idx]).backward()
            opt.step()
    print(f"plant A: train R2 {r2(model, Xa_t, ya_t):.3f}   zero-shot on plant B val: R2 {r2(model, Xb_va, yb_va):.3f}")
    ckpt = os.path.join(tempfile.mkdtemp(), "wear_plantA.pt")
    torch.save(model, ckpt)

    # ---- stage 2: plant B
    model = torch.load(ckpt, weights_only=False)
    model.head = nn.Linear(64, 1)
    opt_trunk = torch.optim.AdamW(model.trunk.parameters(), lr=2e-5, weight_decay=0.01)
    opt_head = torch.optim.AdamW(model.head.parameters(), lr=2e-3, weight_decay=0.01)
    best, best_state = -1e9, None
    for epoch in range(1, 61):
        model.train()
        perm = torch.randperm(len(Xb_tr))
        for i in range(0, len(perm), 16):
            idx = perm[i:i + 16]
            opt_trunk.zero_grad()
            opt_head.zero_grad()
            F.mse_loss(model(Xb_tr[idx]), yb_tr[idx]).backward()
            opt_trunk.step()
            opt_head.step()
        score = r2(model, Xb_va, yb_va)
        if score > best:
            best, best_state = score, copy.deepcopy(model.state_dict())
        if epoch % 15 == 0:
            print(f"fine-tune epoch {epoch}: train R2 {r2(model, Xb_tr, yb_tr):.3f}  val R2 {score:.3f}")
    model.load_state_dict(best_state)
    print(f"final: plant B val R2 {r2(model, Xb_va, yb_va):.4f}")


if __name__ == "__main__":
    main()
