"""Material tags for a recycling line's optical/eddy-current sorter.

Every item on the belt gets a camera colour/UV histogram, eddy-current coil responses, a load-cell
weight and its bounding box. Items are often composites (a paper cup with a PE liner, a glass jar
with a steel lid), so each of the six material tags is predicted independently and the air-jet
controller picks its own threshold per tag. We report macro average precision on held-out items.
"""
import numpy as np
import torch
from torch import nn
from sklearn.metrics import average_precision_score

torch.manual_seed(3)
rng = np.random.default_rng(3)

TAGS = ["PET", "HDPE", "aluminium", "steel", "paper_fibre", "glass"]
N, N_HIST, N_COIL = 7000, 24, 6

# item archetypes produce correlated, multi-label compositions
latent = rng.normal(size=(N, 5))
mix = rng.normal(size=(5, len(TAGS)))
logit = latent @ mix + 0.6 * np.sin(2 * latent[:, :1]) - 1.1
Y = (rng.random((N, len(TAGS))) < 1 / (1 + np.exp(-2 * logit))).astype(np.float32)

hist_profile = rng.dirichlet(np.ones(N_HIST), size=len(TAGS))
hist = 0.15 * Y @ hist_profile + rng.dirichlet(np.ones(N_HIST) * 2, size=N)
hist = hist / hist.sum(1, keepdims=True)
coil = np.column_stack([
    Y[:, 2] * rng.gamma(4, 0.5, N) + Y[:, 3] * rng.gamma(6, 0.4, N),
    Y[:, 3] * rng.gamma(5, 0.5, N) - 0.3 * Y[:, 2],
]) @ rng.normal(size=(2, N_COIL)) + rng.normal(0, 2.5, size=(N, N_COIL))
weight = np.log1p(20 + 80 * Y[:, 5] + 15 * Y[:, 3] + 5 * Y[:, 0] + rng.gamma(2, 30, N))
bbox = np.log(rng.gamma(4, 2, size=(N, 3)) + 2 * Y[:, [1, 4, 5]])
X = np.column_stack([hist, coil, weight, bbox]).astype(np.float32)

idx = rng.permutation(N)
tr, va = idx[:5600], idx[5600:]
mu, sd = X[tr].mean(0), X[tr].std(0) + 1e-6
X = (X - mu) / sd
X_tr, Y_tr = torch.from_numpy(X[tr]), torch.from_numpy(Y[tr])
X_va, Y_va = torch.from_numpy(X[va]), Y[va]

model = nn.Sequential(
    nn.Linear(X.shape[1], 96), nn.Tanh(),
    nn.Linear(96, 96), nn.Tanh(),
    nn.Linear(96, len(TAGS)),
    nn.Sigmoid(),
)
criterion = nn.BCEWithLogitsLoss()

lr, batch_size, epochs = 0.1, 64, 12
for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(X_tr))
    running = 0.0
    for i in range(0, len(perm), batch_size):
        b = perm[i:i + batch_size]
        out = model(X_tr[b])
        loss = criterion(out, Y_tr[b])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * len(b)
    model.eval()
    with torch.no_grad():
        scores = model(X_va).numpy()
    ap = average_precision_score(Y_va, scores, average="macro")
    print(f"epoch {epoch + 1:2d} train_loss {running / len(X_tr):.4f} val_mAP {ap:.4f}")

print(f"final val_mAP={ap:.4f}")
