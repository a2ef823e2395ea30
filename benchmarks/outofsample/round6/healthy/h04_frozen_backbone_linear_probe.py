"""Transfer learning on sensor features. Stage 1 pre-trains an encoder (Linear-BN-ReLU blocks)
on a large upstream task (32 binary attributes, multi-label BCE). Stage 2 freezes the encoder (requires_grad False, kept in eval
mode so its BatchNorm statistics stay those of pre-training) and fine-tunes only a new head on a
small downstream task that depends on the same latent factors. Compared with the same
architecture trained from scratch on the small set."""
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
rng = np.random.default_rng(3)

D_LATENT, D_OBS = 8, 40
mix1 = rng.normal(size=(D_LATENT, 64)) * 2.0 / np.sqrt(D_LATENT)
mix2 = rng.normal(size=(64, 64)) / 8.0
mix3 = rng.normal(size=(64, D_OBS)) * 2.0 / 8.0
up_w = rng.normal(size=(D_LATENT, 32))
down_w = rng.normal(size=(D_LATENT, 3))


def observe(n):
    z = rng.normal(size=(n, D_LATENT))
    x = np.tanh(np.tanh(z @ mix1) @ mix2) @ mix3 + 0.05 * rng.normal(size=(n, D_OBS))
    return z, x.astype(np.float32)


# upstream: 32 binary attributes of the latent factors (multi-label), plenty of data
z_up, x_up = observe(8000)
y_up = (z_up @ up_w > 0).astype(np.float32)
# downstream: a different 3-way labelling, only 150 labelled examples
z_dn, x_dn = observe(150 + 2000)
y_dn = (z_dn @ down_w).argmax(1)

mu, sd = x_up.mean(0), x_up.std(0)
norm = lambda a: torch.from_numpy((a - mu) / sd)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(D_OBS, 128), nn.BatchNorm1d(128), nn.ReLU(),
            nn.Linear(128, 128), nn.BatchNorm1d(128), nn.ReLU(),
            nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU())

    def forward(self, x):
        return self.net(x)


def accuracy(enc, head, X, y):
    enc.eval(); head.eval()
    with torch.no_grad():
        return (head(enc(X)).argmax(1) == y).float().mean().item()


# ---- stage 1: pre-training ----
Xu, yu = norm(x_up[:7000]), torch.from_numpy(y_up[:7000])
Xu_va, yu_va = norm(x_up[7000:]), torch.from_numpy(y_up[7000:])
encoder, up_head = Encoder(), nn.Linear(64, 32)
opt = torch.optim.Adam(list(encoder.parameters()) + list(up_head.parameters()), lr=2e-3)
loader = DataLoader(TensorDataset(Xu, yu), batch_size=128, shuffle=True)
for epoch in range(8):
    encoder.train(); up_head.train()
    for xb, yb in loader:
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(up_head(encoder(xb)), yb).backward()
        opt.step()
    encoder.eval(); up_head.eval()
    with torch.no_grad():
        attr_acc = ((up_head(encoder(Xu_va)) > 0).float() == yu_va).float().mean().item()
    print(f"pretrain epoch {epoch + 1} upstream attribute val_acc {attr_acc:.4f}")
pretrained = copy.deepcopy(encoder.state_dict())

# ---- stage 2: frozen encoder, new head on 150 labels ----
Xd, yd = norm(x_dn[:150]), torch.from_numpy(y_dn[:150])
Xd_te, yd_te = norm(x_dn[150:]), torch.from_numpy(y_dn[150:])
print("downstream class counts:", np.bincount(y_dn[:150], minlength=3).tolist())


def fit_downstream(enc, freeze, epochs=60, lr=3e-3):
    head = nn.Linear(64, 3)
    if freeze:
        enc.requires_grad_(False)
        params = head.parameters()
    else:
        params = list(enc.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=lr, weight_decay=1e-4)
    dl = DataLoader(TensorDataset(Xd, yd), batch_size=16, shuffle=True)
    for _ in range(epochs):
        head.train()
        if freeze:
            enc.eval()          # frozen backbone: BatchNorm keeps its pre-training statistics
        else:
            enc.train()
        for xb, yb in dl:
            opt.zero_grad()
            loss = F.cross_entropy(head(enc(xb)), yb)
            loss.backward()
            opt.step()
    return head


enc_frozen = Encoder(); enc_frozen.load_state_dict(pretrained)
head = fit_downstream(enc_frozen, freeze=True)
acc_transfer = accuracy(enc_frozen, head, Xd_te, yd_te)
enc_scratch = Encoder()
head_scratch = fit_downstream(enc_scratch, freeze=False)
acc_scratch = accuracy(enc_scratch, head_scratch, Xd_te, yd_te)
print(f"downstream test acc: frozen pretrained encoder {acc_transfer:.4f}, from scratch {acc_scratch:.4f}")
print(f"final downstream_test_acc {acc_transfer:.4f} scratch_baseline {acc_scratch:.4f}")
