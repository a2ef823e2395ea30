"""Glove sizing: adapt a sizing model to a new brand.

A glove retailer has a sizing network (XS..XXL, ordinal classes) trained on
many fitted customers of its house brand from eight hand measurements. A new
work-glove brand cuts differently (runs small, longer fingers) and only a few
hundred fitted customers exist for it. We pre-train on the house brand, then
fine-tune on the new brand with the first layer frozen (the measurement
encoder is shared) and a deliberately small learning rate, so the head moves
without forgetting. Input standardisation is the one shipped with the
pre-trained model.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(8)
rng = np.random.default_rng(8)


def customers(n):
    circ = rng.normal(20.5, 1.8, n)                         # palm circumference, cm
    length = 0.75 * circ + rng.normal(3.5, 0.8, n)          # hand length
    fingers = np.stack([0.42 * length + rng.normal(0, 0.25, n) for _ in range(4)], 1)
    thumb = 0.33 * length + rng.normal(0, 0.25, n)
    wrist = 0.8 * circ + rng.normal(0, 0.7, n)
    X = np.column_stack([circ, length, fingers, thumb, wrist])
    X += rng.normal(0, 0.3, X.shape)                        # tape-measure error
    return X.astype(np.float32), circ, length


def house_sizes(circ, length):
    s = 0.8 * circ + 0.2 * length
    return np.digitize(s, [16.6, 17.8, 19.0, 20.2, 21.4])


def new_brand_sizes(circ, length):
    s = 0.6 * circ + 0.4 * length + 0.9                    # longer fingers, runs small
    return np.digitize(s, [16.6, 17.8, 19.0, 20.2, 21.4])


XA, cA, lA = customers(5000)
yA = house_sizes(cA, lA)
XB, cB, lB = customers(700)
yB = new_brand_sizes(cB, lB)
mu, sd = XA.mean(0), XA.std(0)
XA, XB = (XA - mu) / sd, (XB - mu) / sd


def loader(X, y, bs, shuffle):
    return DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), batch_size=bs, shuffle=shuffle)


def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(X)).argmax(1).numpy()
    return (pred == y).mean(), np.abs(pred - y).mean()


def make_model():
    return nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 6))


def fit(model, dl, opt, epochs):
    for _ in range(epochs):
        model.train()
        for xb, yb in dl:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()


# stage 1: house brand
model = make_model()
fit(model, loader(XA[:4500], yA[:4500], 64, True), torch.optim.Adam(model.parameters(), lr=2e-3), 12)
acc, _ = accuracy(model, XA[4500:], yA[4500:])
print(f"house brand held-out accuracy {acc:.3f}")

# stage 2: new brand, 300 fitted customers for training, 400 for validation
trB, vaB = slice(0, 300), slice(300, 700)
acc0, mae0 = accuracy(model, XB[vaB], yB[vaB])
print(f"new brand before fine-tuning: accuracy {acc0:.3f}, mean size error {mae0:.3f}")

for p in model[0].parameters():
    p.requires_grad_(False)
optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=2e-4)
dlB = loader(XB[trB], yB[trB], 16, True)
for epoch in range(1, 41):
    fit(model, dlB, optimizer, 1)
    if epoch % 10 == 0:
        acc, mae = accuracy(model, XB[vaB], yB[vaB])
        print(f"fine-tune epoch {epoch:2d} new-brand val accuracy {acc:.3f} mean size error {mae:.3f}")

scratch = make_model()
fit(scratch, dlB, torch.optim.Adam(scratch.parameters(), lr=2e-3), 40)
acc_s, _ = accuracy(scratch, XB[vaB], yB[vaB])
print(f"reference: same network trained from scratch on the 300 new-brand fittings {acc_s:.3f}")
acc, mae = accuracy(model, XB[vaB], yB[vaB])
print(f"final new-brand val accuracy {acc:.3f}  mean size error {mae:.3f}")
