"""Synthetic tabular records for data sharing: a WGAN-GP on the 30 cytology features of
scikit-learn's breast-cancer table (log-transformed, standardised on the training rows).

Follows Gulrajani et al. (2017): critic updated 5 times per generator update, gradient
penalty 10, Adam with betas (0.0, 0.9), no normalisation in the critic.  The critic's
loss is a negative Wasserstein estimate and the generator's loss is not meant to fall
monotonically.  Quality is checked on held-out real rows: correlation-matrix error and
a two-sample classifier's AUC (0.5 = indistinguishable).
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.metrics import roc_auc_score

torch.manual_seed(5)
rng = np.random.default_rng(5)

raw = load_breast_cancer().data
raw = np.log1p(raw - raw.min(0))
idx = rng.permutation(len(raw))
tr, ho = idx[:420], idx[420:]
mu, sd = raw[tr].mean(0), raw[tr].std(0)
data = ((raw - mu) / sd).astype(np.float32)
real = torch.from_numpy(data[tr])
D_IN, Z = data.shape[1], 16

G = nn.Sequential(nn.Linear(Z, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, D_IN))
C = nn.Sequential(nn.Linear(D_IN, 128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.LeakyReLU(0.2),
                  nn.Linear(128, 1))
opt_g = torch.optim.Adam(G.parameters(), lr=5e-4, betas=(0.0, 0.9))
opt_c = torch.optim.Adam(C.parameters(), lr=5e-4, betas=(0.0, 0.9))
N_CRITIC, GP_WEIGHT, BS = 5, 10.0, 64


def gradient_penalty(real_b, fake_b):
    eps = torch.rand(real_b.size(0), 1)
    mix = (eps * real_b + (1 - eps) * fake_b).requires_grad_(True)
    grad, = torch.autograd.grad(C(mix).sum(), mix, create_graph=True)
    return ((grad.norm(2, dim=1) - 1) ** 2).mean()


def quality(n=len(ho), fake=None):
    if fake is None:
        G.eval()
        with torch.no_grad():
            fake = G(torch.randn(n, Z)).numpy()
        G.train()
    held = data[ho]
    corr_err = np.abs(np.corrcoef(fake.T) - np.corrcoef(held.T)).mean()
    X = np.concatenate([held, fake])
    y = np.r_[np.zeros(len(held)), np.ones(len(fake))]
    p = cross_val_predict(LogisticRegression(max_iter=2000), X, y, cv=5, method="predict_proba")[:, 1]
    return corr_err, roc_auc_score(y, p)


ref = quality(fake=data[tr][rng.choice(len(tr), len(ho), replace=False)])
print("reference, real training rows vs held-out rows: corr_err %.3f two-sample auc %.3f" % ref)
print("untrained generator: corr_err %.3f two-sample auc %.3f" % quality())
for it in range(1, 1201):
    for _ in range(N_CRITIC):
        real_b = real[torch.randint(0, len(real), (BS,))]
        fake_b = G(torch.randn(BS, Z)).detach()
        loss_c = C(fake_b).mean() - C(real_b).mean() + GP_WEIGHT * gradient_penalty(real_b, fake_b)
        opt_c.zero_grad()
        loss_c.backward()
        opt_c.step()
    loss_g = -C(G(torch.randn(BS, Z))).mean()
    opt_g.zero_grad()
    loss_g.backward()
    opt_g.step()
    if it % 200 == 0:
        ce, auc = quality()
        print(f"iter {it:4d} critic_loss {loss_c.item():7.3f} gen_loss {loss_g.item():7.3f} "
              f"corr_err {ce:.3f} two_sample_auc {auc:.3f}")

print(f"final corr_err {ce:.3f} two_sample_auc {auc:.3f}")
