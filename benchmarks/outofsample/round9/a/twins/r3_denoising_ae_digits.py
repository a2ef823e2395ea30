"""Denoising autoencoder for 8x8 digit scans, CPU bf16 autocast.

Inputs are standardised per pixel (train statistics, +1 in the denominator so the
near-constant border pixels stay small); the model sees a masked, noisy copy and
reconstructs the clean scan. Reports reconstruction MSE on held-out scans and a
linear probe on the 16-d codes.
"""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
np.random.seed(0)

digits = load_digits()
X_tr, X_te, y_tr, y_te = train_test_split(digits.data.astype(np.float32), digits.target,
                                          test_size=0.2, random_state=0, stratify=digits.target)
mu, sd = X_tr.mean(0), X_tr.std(0) + 1.0
X_tr = torch.tensor((X_tr - mu) / sd)
X_te = torch.tensor((X_te - mu) / sd)

loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_tr), batch_size=32,
                                     shuffle=True, drop_last=True)


class DAE(nn.Module):
    def __init__(self, d=64, code=16):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d, 256), nn.ReLU(),
                                     nn.Linear(256, 128), nn.ReLU(),
                                     nn.Linear(128, code))
        self.decoder = nn.Sequential(nn.Linear(code, 128), nn.ReLU(),
                                     nn.Linear(128, 256), nn.ReLU(),
                                     nn.Linear(256, d))

    def forward(self, x):
        return self.decoder(self.encoder(x))


def corrupt(x, p=0.2, sigma=0.1):
    keep = (torch.rand_like(x) > p).float()
    return x * keep + sigma * torch.randn_like(x)


model = DAE()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
EPOCHS = 30

for epoch in range(EPOCHS):
    model.train()
    total = 0.0
    for (xb,) in loader:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            recon = model(corrupt(xb))
        loss = nn.functional.mse_loss(recon.float(), xb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.item()
    if epoch % 5 == 4 or epoch == EPOCHS - 1:
        model.eval()
        with torch.no_grad():
            test_mse = nn.functional.mse_loss(model(X_te), X_te).item()
        print(f"epoch {epoch + 1:2d}  train {total / len(loader):.4f}  test mse {test_mse:.4f}")

model.eval()
with torch.no_grad():
    z_tr, z_te = model.encoder(X_tr).numpy(), model.encoder(X_te).numpy()
probe = LogisticRegression(max_iter=2000).fit(z_tr, y_tr)
torch.save(model, "/tmp/dae_digits.pt")
print(f"final test_mse={test_mse:.4f} probe_acc={probe.score(z_te, y_te):.4f}")
