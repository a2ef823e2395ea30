"""Bird-ringing station: identify the warbler species in the hand from biometrics.

Ringers record wing chord, tail, bill, tarsus, mass, fat and muscle scores, primary emargination
and wing-point. A small residual MLP with LayerNorm; the training step is written for mixed
precision (autocast + GradScaler) so the same script runs bf16 on CPU and fp16 on a GPU.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2024)
rng = np.random.default_rng(2024)
device = "cuda" if torch.cuda.is_available() else "cpu"
amp_dtype = torch.float16 if device == "cuda" else torch.bfloat16

SPECIES = ["reed", "marsh", "sedge", "willow", "chiffchaff", "garden", "blackcap"]
#                wing  tail  bill  tarsus mass  emarg  wingpt
MEANS = np.array([[66.0, 52.0, 16.6, 22.8, 11.5, 0.0, 2.0],
                  [68.5, 52.5, 15.6, 22.3, 11.8, 0.0, 3.0],
                  [66.5, 49.0, 14.8, 20.6, 11.2, 0.0, 2.5],
                  [67.0, 52.0, 12.5, 19.6, 8.9, 1.0, 3.2],
                  [59.5, 47.0, 12.1, 19.2, 7.6, 1.0, 4.2],
                  [79.0, 56.0, 12.6, 20.6, 18.2, 0.0, 2.0],
                  [74.0, 59.0, 13.6, 21.0, 17.5, 0.0, 2.8]])
SCALES = np.array([2.4, 2.7, 0.75, 0.9, 1.3, 0.35, 0.9])


def ringing_log(n):
    y = rng.choice(len(SPECIES), n, p=[0.25, 0.05, 0.18, 0.16, 0.17, 0.09, 0.10])
    X = MEANS[y] + SCALES * rng.standard_normal((n, 7))
    fat = rng.integers(0, 6, n)
    X[:, 4] += 0.6 * fat                                # fat adds mass
    muscle = rng.integers(1, 4, n)
    age_juv = rng.random(n) < 0.55
    X[:, 0] -= 1.0 * age_juv                            # juveniles: shorter wings
    feats = np.column_stack([X, fat, muscle, age_juv]).astype(np.float32)
    return feats, y


X, y = ringing_log(6000)
perm = rng.permutation(len(y))
tr, va = perm[:4800], perm[4800:]
mu, sd = X[tr].mean(0), X[tr].std(0)
X = (X - mu) / sd

train_loader = DataLoader(TensorDataset(torch.tensor(X[tr]), torch.tensor(y[tr])), batch_size=128, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.tensor(X[va]), torch.tensor(y[va])), batch_size=512)


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Linear(2 * d, d))

    def forward(self, x):
        return x + self.ff(self.norm(x))


model = nn.Sequential(nn.Linear(X.shape[1], 64), Block(64), Block(64), nn.LayerNorm(64), nn.Linear(64, len(SPECIES))).to(device)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
scaler = torch.amp.GradScaler(device, enabled=(device == "cuda"))
criterion = nn.CrossEntropyLoss()
EPOCHS = 12
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)

for epoch in range(EPOCHS):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        xb, yb = xb.to(device), yb.to(device)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device_type=device, dtype=amp_dtype):
            logits = model(xb)
            loss = criterion(logits.float(), yb)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        nn.utils.clip_grad_norm_(model.parameters(), 2.0)
        scaler.step(optimizer)
        scaler.update()
        total += loss.item() * len(yb)
    scheduler.step()

    model.eval()
    correct, vloss = 0, 0.0
    with torch.no_grad(), torch.autocast(device_type=device, dtype=amp_dtype):
        for xb, yb in val_loader:
            xb, yb = xb.to(device), yb.to(device)
            out = model(xb).float()
            vloss += criterion(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
    print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.2e} train {total / len(tr):.4f} val {vloss / len(va):.4f} acc {correct / len(va):.3f}")

print(f"FINAL val accuracy {correct / len(va):.3f} (most common species {np.bincount(y[va]).max() / len(va):.3f})")
