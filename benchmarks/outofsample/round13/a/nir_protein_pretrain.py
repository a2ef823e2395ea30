"""Protein content of wheat samples from near-infrared spectra.

Lab reference values are expensive: 400 labelled spectra, but 5000 unlabelled
ones from the production line. Stage 1 pretrains a 1D-conv encoder as a
denoising autoencoder on the unlabelled spectra; stage 2 trains a regression
head on the frozen encoder; stage 3 fine-tunes everything at a small learning
rate with early stopping on the validation RMSE.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
rng = np.random.default_rng(0)
WL = np.linspace(1100, 2500, 140)                     # wavelengths, nm
BANDS = {  # constituent: list of (centre nm, width nm, strength)
    "protein": [(1510, 40, 0.6), (2055, 50, 0.8), (2180, 45, 0.7)],
    "moisture": [(1450, 60, 1.0), (1940, 70, 1.4)],
    "starch": [(1200, 60, 0.5), (2100, 60, 0.9), (2320, 50, 0.6)],
    "oil": [(1725, 30, 0.7), (2310, 40, 0.8)],
}


def spectra(n):
    comp = np.stack([rng.normal(12.5, 1.8, n), rng.normal(11, 1.5, n), rng.normal(62, 4, n),
                     rng.normal(2.0, 0.4, n)], 1)
    X = np.zeros((n, len(WL)))
    for k, name in enumerate(BANDS):
        for c, w, s in BANDS[name]:
            X += (comp[:, k:k + 1] / comp[:, k].mean()) * s * np.exp(-0.5 * ((WL - c) / w) ** 2)
    scatter = rng.normal(1.0, 0.15, (n, 1))           # multiplicative scatter
    offset = rng.normal(0.0, 0.1, (n, 1)) + rng.normal(0, 0.05, (n, 1)) * (WL - 1800) / 700
    X = scatter * X + offset + rng.normal(0, 0.004, X.shape)
    return X.astype(np.float32), comp[:, 0].astype(np.float32)


class Encoder(nn.Module):
    def __init__(self, d=24):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(1, 16, 9, padding=4), nn.GELU(), nn.AvgPool1d(2),
            nn.Conv1d(16, 32, 7, padding=3), nn.GELU(), nn.AvgPool1d(2),
        )
        self.proj = nn.Linear(32 * 35, d)

    def forward(self, x):
        return self.proj(self.conv(x.unsqueeze(1)).flatten(1))


X_unl, _ = spectra(5000)
X_lab, y_lab = spectra(400)
X_tr, y_tr, X_va, y_va = X_lab[:250], y_lab[:250], X_lab[250:], y_lab[250:]
mu, sd = X_unl.mean(0), X_unl.std(0)                  # statistics from the unlabelled pool
X_unl, X_tr, X_va = [torch.tensor((a - mu) / sd) for a in (X_unl, X_tr, X_va)]
y_mu, y_sd = y_tr.mean(), y_tr.std()
t_tr = torch.tensor((y_tr - y_mu) / y_sd).unsqueeze(1)

# ---- stage 1: denoising autoencoder on unlabelled spectra
enc = Encoder()
dec = nn.Sequential(nn.Linear(24, 128), nn.GELU(), nn.Linear(128, len(WL)))
opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=2e-3)
for epoch in range(12):
    perm = torch.randperm(len(X_unl))
    for i in range(0, len(perm), 128):
        xb = X_unl[perm[i:i + 128]]
        noisy = xb + 0.1 * torch.randn_like(xb)
        loss = nn.functional.mse_loss(dec(enc(noisy)), xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
print(f"stage 1 reconstruction mse {loss.item():.4f}")
ckpt = os.path.join(tempfile.mkdtemp(), "nir_encoder.pt")
torch.save(enc.state_dict(), ckpt)


def rmse(model):
    model.eval()
    with torch.no_grad():
        pred = model(X_va).squeeze(1).numpy() * y_sd + y_mu
    return float(np.sqrt(((pred - y_va) ** 2).mean())), pred


# ---- stage 2: frozen encoder, train the head
enc = Encoder()
enc.load_state_dict(torch.load(ckpt))
for p in enc.parameters():
    p.requires_grad_(False)
head = nn.Sequential(nn.Linear(24, 32), nn.GELU(), nn.Linear(32, 1))
model = nn.Sequential(enc, head)
opt = torch.optim.Adam(head.parameters(), lr=3e-3)
for epoch in range(60):
    enc.eval()
    head.train()
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(perm), 32):
        idx = perm[i:i + 32]
        loss = nn.functional.mse_loss(model(X_tr[idx]), t_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
print(f"stage 2 (frozen encoder) val RMSE {rmse(model)[0]:.3f}")

# ---- stage 3: unfreeze, fine-tune at a small LR, keep the best epoch
for p in enc.parameters():
    p.requires_grad_(True)
opt = torch.optim.Adam([{"params": enc.parameters(), "lr": 1e-4}, {"params": head.parameters(), "lr": 5e-4}])
best, best_model, patience = rmse(model)[0], copy.deepcopy(model), 0
for epoch in range(40):
    model.train()
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(perm), 32):
        idx = perm[i:i + 32]
        loss = nn.functional.mse_loss(model(X_tr[idx]), t_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    r, _ = rmse(model)
    if r < best - 1e-4:
        best, best_model, patience = r, copy.deepcopy(model), 0
    else:
        patience += 1
        if patience >= 8:
            break
r, pred = rmse(best_model)
r2 = 1 - ((pred - y_va) ** 2).sum() / ((y_va - y_va.mean()) ** 2).sum()
print(f"stage 3 stopped after epoch {epoch + 1}")
print(f"final val RMSE {r:.3f} % protein  R2 {r2:.4f}")
