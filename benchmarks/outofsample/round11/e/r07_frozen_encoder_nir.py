"""Near-infrared spectra: self-supervised encoder, then a small regressor on a frozen encoder.

Stage 1 fits a convolutional autoencoder on 3000 unlabelled process spectra (256 channels).
Stage 2 has only 160 lab-assayed spectra with a moisture value; the encoder is frozen
(requires_grad off, kept in eval mode so its BatchNorm statistics stay those of the large
unlabelled set) and only a small head is trained on its 24-d codes.  Frozen on purpose:
160 noisy lab values are not enough to move a 39k-parameter encoder safely.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

W = 256


def make_spectra(n, rng):
    wl = np.linspace(0, 1, W)
    centres = [0.12, 0.27, 0.41, 0.55, 0.68, 0.83]
    widths = [0.03, 0.05, 0.025, 0.06, 0.04, 0.035]
    comps = np.stack([np.exp(-0.5 * ((wl - c) / w) ** 2) for c, w in zip(centres, widths)])
    conc = rng.dirichlet(np.ones(6) * 2.0, n)                          # mixture fractions
    moisture = conc[:, 2] * 40 + 3 + rng.normal(0, 1.2, n)            # % water, lab assay error
    spec = conc @ comps
    offset = rng.normal(0, 0.05, (n, 1))                               # scatter: additive
    slope = rng.normal(0, 0.08, (n, 1)) * wl                           # and multiplicative tilt
    spec = spec * rng.normal(1.0, 0.05, (n, 1)) + offset + slope
    spec += rng.normal(0, 0.004, (n, W))
    return spec.astype(np.float32), moisture.astype(np.float32)


class Encoder(nn.Module):
    def __init__(self, code=24):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(1, 16, 9, stride=2, padding=4), nn.BatchNorm1d(16), nn.GELU(),
            nn.Conv1d(16, 32, 9, stride=2, padding=4), nn.BatchNorm1d(32), nn.GELU(),
            nn.Conv1d(32, 32, 9, stride=2, padding=4), nn.BatchNorm1d(32), nn.GELU())
        self.fc = nn.Linear(32 * (W // 8), code)

    def forward(self, x):
        return self.fc(self.conv(x.unsqueeze(1)).flatten(1))


class Decoder(nn.Module):
    def __init__(self, code=24):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(code, 128), nn.GELU(), nn.Linear(128, W))

    def forward(self, z):
        return self.net(z)


def main():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    X_unl, _ = make_spectra(3000, rng)
    X_lab, y_lab = make_spectra(160, rng)
    X_test, y_test = make_spectra(600, rng)
    mu, sd = X_unl.mean(0), X_unl.std(0)
    norm = lambda a: torch.from_numpy((a - mu) / sd)
    X_unl, X_lab, X_test = norm(X_unl), norm(X_lab), norm(X_test)
    y_mu, y_sd = y_lab.mean(), y_lab.std()
    y_lab_t = torch.from_numpy((y_lab - y_mu) / y_sd)

    # stage 1: autoencoder on unlabelled spectra
    enc, dec = Encoder(), Decoder()
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=2e-3)
    loader = DataLoader(TensorDataset(X_unl), batch_size=64, shuffle=True)
    for epoch in range(12):
        for (xb,) in loader:
            opt.zero_grad()
            loss = F.mse_loss(dec(enc(xb)), xb)
            loss.backward()
            opt.step()
    print(f"autoencoder reconstruction mse {loss.item():.4f}")

    # stage 2: frozen encoder, trainable head on 160 labelled spectra
    enc.requires_grad_(False)
    enc.eval()
    head = nn.Sequential(nn.Linear(24, 16), nn.ReLU(), nn.Linear(16, 1))
    opt = torch.optim.Adam(head.parameters(), lr=3e-3, weight_decay=1e-3)
    loader = DataLoader(TensorDataset(X_lab, y_lab_t), batch_size=32, shuffle=True)
    for epoch in range(1, 25):
        head.train()
        for xb, yb in loader:
            with torch.no_grad():
                z = enc(xb)
            opt.zero_grad()
            loss = F.mse_loss(head(z).squeeze(1), yb)
            loss.backward()
            opt.step()
        if epoch % 6 == 0:
            head.eval()
            with torch.no_grad():
                pred = head(enc(X_test)).squeeze(1).numpy() * y_sd + y_mu
            r2 = 1 - ((pred - y_test) ** 2).sum() / ((y_test - y_test.mean()) ** 2).sum()
            print(f"epoch {epoch:3d} train_mse {loss.item():.4f} test R2 {r2:.4f}")
    rmse = np.sqrt(((pred - y_test) ** 2).mean())
    print(f"final test R2={r2:.4f} RMSE={rmse:.3f}% moisture (target sd {y_test.std():.3f}%)")


if __name__ == "__main__":
    main()
