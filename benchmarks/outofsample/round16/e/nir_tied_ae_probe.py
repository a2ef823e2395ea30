"""Grading polymer pellets from NIR spectra with few lab labels.

Thousands of spectra come off the line unlabelled; only ~150 were graded in the lab.
1) pretrain a tied-weight denoising autoencoder (decoder reuses the encoder's
   weight matrices transposed) on every spectrum;
2) freeze the encoder (weights and BatchNorm statistics) and fit a linear head on
   the labelled spectra.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(11)
rng = np.random.default_rng(11)
WL = np.linspace(900, 1700, 200)  # nm


def spectra(n, grade=None):
    g = rng.integers(0, 3, n) if grade is None else grade
    peaks = [(1200, 30), (1400, 45), (1450, 25), (1550, 40), (1650, 20)]
    X = np.zeros((n, len(WL)))
    for i in range(n):
        conc = rng.dirichlet(np.ones(5) * 4) * 2
        conc[1] += 0.45 * g[i]            # grade shifts the water / OH bands
        conc[3] -= 0.3 * g[i]
        for c, (mu, w) in zip(conc, peaks):
            X[i] += c * np.exp(-0.5 * ((WL - mu - rng.normal(0, 3)) / w) ** 2)
        X[i] += rng.uniform(0.1, 0.6) + rng.uniform(-2e-4, 2e-4) * (WL - 900)   # baseline drift
        X[i] += rng.normal(0, 0.02, len(WL))
    return X.astype(np.float32), g


X_unl, _ = spectra(4000)
X_lab, y_lab = spectra(150)
X_te, y_te = spectra(1000)

# standard normal variate per spectrum, then per-wavelength standardisation
snv = lambda X: (X - X.mean(1, keepdims=True)) / X.std(1, keepdims=True)
X_unl, X_lab, X_te = snv(X_unl), snv(X_lab), snv(X_te)
mu, sd = X_unl.mean(0), X_unl.std(0) + 1e-6
X_unl, X_lab, X_te = [torch.from_numpy((a - mu) / sd) for a in (X_unl, X_lab, X_te)]
y_lab, y_te = torch.from_numpy(y_lab), torch.from_numpy(y_te)


class Encoder(nn.Module):
    def __init__(self, d_in=200, d_h=64, d_z=16):
        super().__init__()
        self.fc1 = nn.Linear(d_in, d_h)
        self.bn1 = nn.BatchNorm1d(d_h)
        self.fc2 = nn.Linear(d_h, d_z)

    def forward(self, x):
        return torch.tanh(self.fc2(torch.tanh(self.bn1(self.fc1(x)))))


class TiedDAE(nn.Module):
    def __init__(self, enc):
        super().__init__()
        self.enc = enc
        self.b2 = nn.Parameter(torch.zeros(enc.fc1.out_features))
        self.b1 = nn.Parameter(torch.zeros(enc.fc1.in_features))

    def forward(self, x):
        z = self.enc(x)
        h = torch.tanh(F.linear(z, self.enc.fc2.weight.t(), self.b2))
        return F.linear(h, self.enc.fc1.weight.t(), self.b1)


encoder = Encoder()
dae = TiedDAE(encoder)
opt = torch.optim.Adam(dae.parameters(), lr=2e-3)
for epoch in range(15):
    dae.train()
    perm = torch.randperm(len(X_unl))
    tot = 0.0
    for i in range(0, len(perm), 128):
        xb = X_unl[perm[i:i + 128]]
        noisy = xb + 0.2 * torch.randn_like(xb)
        opt.zero_grad()
        loss = F.mse_loss(dae(noisy), xb)
        loss.backward()
        opt.step()
        tot += loss.item() * len(xb)
    if epoch % 5 == 4:
        print(f"pretrain epoch {epoch + 1} recon_mse {tot / len(X_unl):.4f}")

# ---- linear probe on the frozen encoder
for p in encoder.parameters():
    p.requires_grad = False
clf = nn.Sequential(encoder, nn.Linear(16, 3))
head_opt = torch.optim.Adam([p for p in clf.parameters() if p.requires_grad], lr=1e-2, weight_decay=1e-3)
for epoch in range(60):
    clf.train()
    encoder.eval()  # keep the pretrained BatchNorm statistics
    perm = torch.randperm(len(X_lab))
    for i in range(0, len(perm), 32):
        idx = perm[i:i + 32]
        head_opt.zero_grad()
        loss = F.cross_entropy(clf(X_lab[idx]), y_lab[idx])
        loss.backward()
        head_opt.step()
    if epoch % 20 == 19:
        clf.eval()
        with torch.no_grad():
            acc = (clf(X_te).argmax(1) == y_te).float().mean().item()
            tl = F.cross_entropy(clf(X_te), y_te).item()
        print(f"probe epoch {epoch + 1} train_loss {loss.item():.4f} test_loss {tl:.4f} test_acc {acc:.4f}")

majority = torch.bincount(y_lab).max().item() / len(y_lab)
print(f"final linear-probe test_acc {acc:.4f} (majority baseline {majority:.4f}, 150 labels)")
