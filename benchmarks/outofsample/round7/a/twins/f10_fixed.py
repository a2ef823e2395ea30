"""Compress 8x8 digit scans (scikit-learn load_digits, scaled to [0, 1]) into an
8-number code quantised to 15 levels per number, as it would be sent over a
low-bandwidth telemetry link, and reconstruct them. MLP encoder/decoder trained
with Adam and an exponential LR decay per epoch on reconstruction MSE.
Reports test MSE, PSNR, and the accuracy of a logistic-regression probe on the codes.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)

digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
X_tr, X_te, y_tr, y_te = train_test_split(X, digits.target, test_size=0.2, random_state=8, stratify=digits.target)
train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr)), batch_size=64, shuffle=True)
X_te_t = torch.from_numpy(X_te)

LEVELS = 7  # codes in [-1, 1] mapped to 2*7+1 = 15 levels


class QuantizedAE(nn.Module):
    def __init__(self, d=64, code=8, hidden=128):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                     nn.Linear(hidden, code), nn.Tanh())
        self.decoder = nn.Sequential(nn.Linear(code, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                     nn.Linear(hidden, d))

    def quantize(self, z):
        return z + (torch.round(z * LEVELS) / LEVELS - z).detach()  # straight-through

    def encode(self, x):
        return self.quantize(self.encoder(x))

    def forward(self, x):
        return torch.sigmoid(self.decoder(self.encode(x)))


model = QuantizedAE()
with torch.no_grad():  # start the decoder at the mean image (logit of the per-pixel mean)
    p = torch.from_numpy(X_tr.mean(0)).clamp(0.02, 0.98)
    model.decoder[-1].bias.copy_(torch.log(p / (1 - p)))
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.95)

for epoch in range(1, 41):
    model.train()
    tot = 0.0
    for (xb,) in train_loader:
        recon = model(xb)
        loss = F.mse_loss(recon, xb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        tot += loss.item() * len(xb)
    scheduler.step()
    if epoch % 5 == 0:
        model.eval()
        with torch.no_grad():
            te = F.mse_loss(model(X_te_t), X_te_t).item()
        print(f"epoch {epoch:3d}  train mse {tot / len(X_tr):.5f}  test mse {te:.5f}  lr {scheduler.get_last_lr()[0]:.2e}")

model.eval()
with torch.no_grad():
    mse = F.mse_loss(model(X_te_t), X_te_t).item()
    c_tr = model.encode(torch.from_numpy(X_tr)).numpy()
    c_te = model.encode(X_te_t).numpy()
probe = LogisticRegression(max_iter=2000).fit(c_tr, y_tr)
print(f"final test_mse={mse:.5f} psnr={10 * np.log10(1.0 / mse):.2f}dB code_probe_acc={probe.score(c_te, y_te):.4f}")
