"""Sea-glass origin sorter: reflectance spectrum + shard measurements -> source glass type.

Six source types are sorted at the bench (brown beer bottle, green wine bottle, clear flint,
cobalt, milk glass, seafoam soda bottle). Each shard is scanned with a 31-band
spectrophotometer (400-700 nm) and measured for thickness, frost and UV response.
Plain MLP, trained with a hand-written SGD update.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
np.random.seed(7)

WAVES = np.linspace(400, 700, 31)
# centre (nm), width, peak reflectance, baseline per source type
SOURCES = {
    "beer_brown":   (640, 90, 0.32, 0.05),
    "wine_green":   (540, 55, 0.30, 0.06),
    "clear_flint":  (550, 400, 0.55, 0.30),
    "cobalt":       (455, 40, 0.38, 0.04),
    "milk_glass":   (560, 500, 0.70, 0.45),
    "seafoam":      (515, 70, 0.42, 0.18),
}


def scan_shards(n, rng):
    names = list(SOURCES)
    y = rng.integers(0, len(names), n)
    X = np.empty((n, 34), dtype=np.float32)
    for i, k in enumerate(y):
        c, w, peak, base = SOURCES[names[k]]
        c = c + rng.normal(0, 35)
        w = w * rng.lognormal(0, 0.45)
        frost = rng.beta(2, 2)                       # tumbling time on the beach
        spec = base + (peak - base) * np.exp(-0.5 * ((WAVES - c) / w) ** 2)
        spec = spec * (1 - 0.35 * frost) + 0.25 * frost * 0.4   # frosting flattens the spectrum
        spec = spec + rng.normal(0, 0.06, WAVES.size)
        thick = rng.normal([4.4, 4.0, 3.4, 3.2, 3.6, 3.4][k], 1.0)
        uv = rng.normal([0.2, 0.25, 0.45, 0.2, 0.6, 0.35][k], 0.25)
        X[i, :31] = spec
        X[i, 31:] = (thick, frost, uv)
    return X, y


rng = np.random.default_rng(7)
X, y = scan_shards(3000, rng)
X_tr, y_tr, X_va, y_va = X[:2400], y[:2400], X[2400:], y[2400:]
mu, sd = X_tr.mean(0), X_tr.std(0)
X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

train_loader = DataLoader(TensorDataset(torch.tensor(X_tr), torch.tensor(y_tr)),
                          batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.tensor(X_va), torch.tensor(y_va)), batch_size=256)

model = nn.Sequential(
    nn.Linear(34, 96), nn.ReLU(),
    nn.Linear(96, 64), nn.ReLU(),
    nn.Linear(64, len(SOURCES)),
)
criterion = nn.CrossEntropyLoss()
lr = 0.05

xb, yb = next(iter(train_loader))
print("batch", tuple(xb.shape), tuple(yb.shape), "classes in batch:", yb.unique().numel())

for epoch in range(1, 16):
    model.train()
    running = 0.0
    for x, y in train_loader:
        model.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        running += loss.item() * x.size(0)
    model.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for x, y in val_loader:
            correct += (model(x).argmax(1) == y).sum().item()
            total += y.numel()
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d}  train loss {running / len(train_loader.dataset):.4f}  val acc {correct / total:.4f}")

print(f"final val accuracy {correct / total:.4f}")
