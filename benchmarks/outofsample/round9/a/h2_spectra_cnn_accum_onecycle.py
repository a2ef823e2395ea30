"""1-D CNN that reads an analyte's concentration off a synthetic absorption spectrum.

Each spectrum (128 channels) is a sum of Gaussian peaks: the analyte's two peaks
scale with its concentration, two interferents overlap them, plus a sloping
baseline and noise. Spectra are standardised per channel (training statistics),
the target is the log-concentration, standardised. Micro-batches of 16 with
gradient accumulation over 4 (effective batch 64) and OneCycle stepped once per
optimizer step.
"""
import math
import numpy as np
import torch
from torch import nn

torch.manual_seed(0)
rng = np.random.default_rng(0)
W = np.linspace(0, 1, 128)


def peak(center, width):
    return np.exp(-0.5 * ((W - center) / width) ** 2)


def make_spectra(n):
    conc = rng.lognormal(0.0, 0.6, n)
    inter = rng.uniform(0, 2, (n, 2))
    base = rng.normal(0, 0.3, (n, 2))
    spec = (conc[:, None] * (peak(0.30, 0.03) + 0.6 * peak(0.62, 0.05))
            + inter[:, :1] * peak(0.34, 0.06) + inter[:, 1:] * peak(0.58, 0.04)
            + base[:, :1] + base[:, 1:] * W
            + 0.05 * rng.standard_normal((n, 128)))
    return spec.astype(np.float32), np.log(conc).astype(np.float32)


s_tr, c_tr = make_spectra(2400)
s_va, c_va = make_spectra(600)
mu, sd = s_tr.mean(0), s_tr.std(0)
c_mu, c_sd = c_tr.mean(), c_tr.std()
X_tr = torch.tensor((s_tr - mu) / sd).unsqueeze(1)
X_va = torch.tensor((s_va - mu) / sd).unsqueeze(1)
y_tr = torch.tensor((c_tr - c_mu) / c_sd).unsqueeze(1)
y_va = torch.tensor((c_va - c_mu) / c_sd).unsqueeze(1)

loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_tr, y_tr),
                                     batch_size=16, shuffle=True, drop_last=True)


def conv_bn(cin, cout, k=5):
    return nn.Sequential(nn.Conv1d(cin, cout, k, padding=k // 2, bias=False),
                         nn.BatchNorm1d(cout), nn.ReLU())


model = nn.Sequential(conv_bn(1, 16), nn.MaxPool1d(2), conv_bn(16, 32), nn.MaxPool1d(2),
                      conv_bn(32, 32), nn.AdaptiveAvgPool1d(8), nn.Flatten(),
                      nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, 1))

ACCUM, EPOCHS = 4, 10
updates_per_epoch = len(loader) // ACCUM
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=5e-3,
                                                total_steps=EPOCHS * updates_per_epoch)
criterion = nn.MSELoss()

for epoch in range(EPOCHS):
    model.train()
    optimizer.zero_grad()
    for i, (xb, yb) in enumerate(loader):
        loss = criterion(model(xb), yb) / ACCUM
        loss.backward()
        if (i + 1) % ACCUM == 0:
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
    model.eval()
    with torch.no_grad():
        pred = model(X_va)
        mse = criterion(pred, y_va).item()
    r2 = 1 - mse / y_va.var(unbiased=False).item()
    print(f"epoch {epoch + 1:2d}  val mse {mse:.4f}  R2 {r2:.4f}  lr {scheduler.get_last_lr()[0]:.2e}")

print(f"final val_mse={mse:.4f} val_r2={r2:.4f}")
