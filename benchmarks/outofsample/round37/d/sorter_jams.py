"""Letter-sorting machine: predict which fault a mail run ends in (none / feeder jam / stacker jam)
from per-run piece and machine statistics. Small tanh MLP, hand-written SGD with momentum."""
import math
import numpy as np
import torch
from torch import nn

torch.manual_seed(7)
rng = np.random.default_rng(7)

N = 4000
thick = rng.gamma(2.0, 1.6, N)               # mm
length = rng.normal(220, 35, N)              # mm
weight = rng.gamma(3.0, 9.0, N)              # g
belt = rng.normal(3.6, 0.4, N)               # m/s
humid = rng.uniform(25, 85, N)               # %
vac = rng.normal(55, 8, N)                   # kPa feeder vacuum
window_share = rng.beta(2, 5, N)
stiffness = rng.normal(0, 1, N)

feeder = 0.9 * (thick - 3.2) ** 2 / 4 - 0.08 * (vac - 55) + 0.05 * (humid - 55) * (window_share - 0.3) * 4 \
    + 0.7 * np.sin(stiffness * 2.0)
stacker = 0.04 * (weight - 27) + 1.4 * (belt - 3.6) * np.sign(length - 220) + 0.6 * stiffness * (thick > 4)
score = np.stack([np.zeros(N), feeder - 1.0, stacker - 0.9], 1) + rng.gumbel(size=(N, 3)) * 0.3
y = score.argmax(1)

X = np.stack([thick, length, weight, belt, humid, vac, window_share, stiffness], 1).astype(np.float32)
idx = rng.permutation(N)
tr, va = idx[:3200], idx[3200:]
mu, sd = X[tr].mean(0), X[tr].std(0)
X = (X - mu) / sd
Xtr, ytr = torch.tensor(X[tr]), torch.tensor(y[tr])
Xva, yva = torch.tensor(X[va]), torch.tensor(y[va])


class JamNet(nn.Module):
    def __init__(self, d_in, hidden=64, n_out=3):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, n_out)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 1.0 / m.in_features)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        h = torch.tanh(self.fc1(x))
        h = torch.tanh(self.fc2(h))
        return self.out(h)


model = JamNet(X.shape[1])
loss_fn = nn.CrossEntropyLoss()
lr, mom, bs, epochs = 0.02, 0.9, 64, 20
velocity = [torch.zeros_like(p) for p in model.parameters()]

for epoch in range(epochs):
    model.train()
    perm = torch.randperm(len(Xtr))
    run = 0.0
    for i in range(0, len(perm), bs):
        b = perm[i:i + bs]
        loss = loss_fn(model(Xtr[b]), ytr[b])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(mom).add_(p.grad)
                p -= lr * v
        run += loss.item() * len(b)
    model.eval()
    with torch.no_grad():
        logits = model(Xva)
        vloss = nn.functional.cross_entropy(logits, yva, reduction="sum").item() / len(yva)
        acc = (logits.argmax(1) == yva).float().mean().item()
    if epoch % 5 == 4 or epoch == epochs - 1:
        print(f"epoch {epoch + 1:2d} train {run / len(Xtr):.4f} val {vloss:.4f} acc {acc:.3f}")

print(f"class shares {np.bincount(y) / N}")
print(f"FINAL val_acc={acc:.4f} val_loss={vloss:.4f}")
