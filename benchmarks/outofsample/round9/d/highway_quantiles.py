"""Highway MLP on nested-shell data (gaussian quantiles), checkpointed with torch.save."""
import os
import tempfile

import numpy as np
import torch
from sklearn.datasets import make_gaussian_quantiles
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEED = 3
torch.manual_seed(SEED)
np.random.seed(SEED)


class HighwayLayer(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Linear(dim, dim)
        self.gate = nn.Linear(dim, dim)

    def forward(self, x):
        h = torch.relu(self.proj(x))
        t = torch.sigmoid(self.gate(x))
        return t * h + (1.0 - t) * x


class HighwayNet(nn.Module):
    def __init__(self, n_in, n_classes, dim=128, depth=4):
        super().__init__()
        self.inp = nn.Linear(n_in, dim)
        self.layers = nn.ModuleList([HighwayLayer(dim) for _ in range(depth)])
        self.out = nn.Linear(dim, n_classes)
        for layer in self.layers:
            nn.init.constant_(layer.proj.bias, -2.0)

    def forward(self, x):
        x = self.inp(x)
        for layer in self.layers:
            x = layer(x)
        return self.out(x)


X, y = make_gaussian_quantiles(n_samples=6000, n_features=12, n_classes=6, random_state=SEED)
X = X.astype(np.float32)
rng = np.random.default_rng(SEED)
order = rng.permutation(len(X))
tr, va = order[:4800], order[4800:]
mu, sd = X[tr].mean(0), X[tr].std(0)
X = (X - mu) / sd
train_loader = DataLoader(TensorDataset(torch.from_numpy(X[tr]), torch.from_numpy(y[tr])),
                          batch_size=128, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(X[va]), torch.from_numpy(y[va])),
                        batch_size=512)

model = HighwayNet(12, 6)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
EPOCHS = 25
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)

for epoch in range(EPOCHS):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    scheduler.step()
    model.eval()
    correct, n, vloss = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            vloss += criterion(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    if (epoch + 1) % 5 == 0:
        print(f"epoch {epoch + 1} loss {loss.item():.4f} val_loss {vloss / n:.4f} val_acc {correct / n:.4f}")

ckpt = os.path.join(tempfile.mkdtemp(), "highway.pt")
torch.save(model, ckpt)
restored = torch.load(ckpt, weights_only=False)
restored.eval()
with torch.no_grad():
    Xv, yv = torch.from_numpy(X[va]), torch.from_numpy(y[va])
    acc = (restored(Xv).argmax(1) == yv).float().mean().item()
print(f"final val_acc {acc:.4f}")
