"""Bell-foundry tuning forks: spot flawed forks from a short strike spectrum.

Step 1 (plenty of data): every fork that leaves the grinding bench gets its spectrum and its
tuned pitch logged, so an encoder is pre-trained to regress the pitch (in cents from A440)
from the 64-bin log spectrum. Step 2 (few labels): 240 forks inspected by the tuner as sound /
cracked tine / poorly tempered. The encoder's first two layers are frozen (requires_grad off,
kept in eval mode), its last layer is fine-tuned at a small LR and a fresh head at a larger one.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(8)
rng = np.random.default_rng(8)
BINS = 64
freqs = np.linspace(0, 1, BINS)


def spectra(n, flaw=None):
    cents = rng.uniform(-1200, 1200, n)                    # pitch relative to A440
    f0 = 0.12 + 0.06 * (cents / 1200)                        # fundamental's position on the axis
    width = rng.uniform(0.008, 0.014, (n, 1))
    if flaw is None:
        flaw = np.zeros(n, dtype=int)
    # cracked tine: clang partial detuned, extra broadband buzz; poor temper: fast decay -> wide peaks
    width = width * np.where(flaw[:, None] == 2, 1.8, 1.0)
    clang = np.where(flaw == 1, 6.05 + rng.normal(0, 0.25, n), 6.27 + rng.normal(0, 0.05, n))
    amp2 = rng.uniform(0.2, 0.5, n) * np.where(flaw == 1, 1.4, 1.0)
    S = np.exp(-0.5 * ((freqs - f0[:, None]) / width) ** 2)
    S += amp2[:, None] * np.exp(-0.5 * ((freqs - (f0 * clang / 4)[:, None]) / (1.5 * width)) ** 2)
    S += np.where(flaw[:, None] == 1, 0.05, 0.015) * rng.random((n, BINS))
    S += 0.02 * rng.random((n, BINS))
    X = np.log(S + 1e-3).astype(np.float32)
    return X, (cents / 600).astype(np.float32), flaw


# ---- step 1: pre-train on the bench log (pitch regression)
Xp, yp, _ = spectra(5000)
MU, SD = Xp.mean(0), Xp.std(0)
Xp = torch.from_numpy((Xp - MU) / SD)
yp = torch.from_numpy(yp)

encoder = nn.Sequential(
    nn.Linear(BINS, 128), nn.BatchNorm1d(128), nn.ReLU(),
    nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(),
    nn.Linear(64, 32), nn.ReLU(),
)
pitch_head = nn.Linear(32, 1)
opt = torch.optim.Adam(list(encoder.parameters()) + list(pitch_head.parameters()), lr=2e-3)
for epoch in range(8):
    perm = torch.randperm(len(Xp))
    for i in range(0, len(perm), 128):
        idx = perm[i:i + 128]
        loss = F.mse_loss(pitch_head(encoder(Xp[idx])).squeeze(1), yp[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
print(f"pre-train pitch MSE (units of 600 cents) {loss.item():.4f}")

# ---- step 2: fine-tune on the few labelled forks
flaws = rng.choice(3, size=400, p=[0.5, 0.25, 0.25])
Xf, _, yf = spectra(400, flaws)
Xf = torch.from_numpy((Xf - MU) / SD)
yf = torch.from_numpy(yf).long()
Xtr, ytr, Xva, yva = Xf[:240], yf[:240], Xf[240:], yf[240:]

frozen = encoder[:6]
for p in frozen.parameters():
    p.requires_grad_(False)
flaw_head = nn.Linear(32, 3)
opt = torch.optim.AdamW([
    {"params": encoder[6].parameters(), "lr": 3e-4},
    {"params": flaw_head.parameters(), "lr": 1e-2},
], weight_decay=1e-2)


def predict(X):
    encoder.eval()
    with torch.no_grad():
        return flaw_head(encoder(X))


for epoch in range(60):
    encoder.train()
    frozen.eval()                      # keep the frozen BatchNorm statistics from pre-training
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(perm), 32):
        idx = perm[i:i + 32]
        loss = F.cross_entropy(flaw_head(encoder(Xtr[idx])), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 10 == 9:
        logits = predict(Xva)
        print(f"epoch {epoch + 1:2d} train loss {loss.item():.3f} val loss {F.cross_entropy(logits, yva).item():.3f} "
              f"val acc {(logits.argmax(1) == yva).float().mean():.3f}")

pred = predict(Xva).argmax(1)
bal = np.mean([(pred[yva == c] == c).float().mean().item() for c in range(3)])
print(f"final val accuracy {(pred == yva).float().mean():.3f} balanced {bal:.3f} "
      f"(majority share {(yva == 0).float().mean():.2f})")
