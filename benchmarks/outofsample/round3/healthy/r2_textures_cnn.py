import math, random
import numpy as np, torch
from torch import nn
from torch.utils.data import TensorDataset, DataLoader

random.seed(0); np.random.seed(0); torch.manual_seed(0)

def make_textures(n, size=24, rng=None):
    xs, ys = [], []
    yy, xx = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    for _ in range(n):
        c = rng.integers(4)
        f = rng.uniform(0.5, 1.2); ph = rng.uniform(0, 2 * np.pi)
        if c == 0:   img = np.sin(f * xx + ph)
        elif c == 1: img = np.sin(f * yy + ph)
        elif c == 2: img = np.sin(f * (xx + yy) / math.sqrt(2) + ph)
        else:        img = np.sin(f * xx + ph) * np.sin(f * yy + ph)
        img = img + rng.normal(0, 2.5, img.shape)
        xs.append(img); ys.append(c)
    return torch.tensor(np.array(xs)[:, None], dtype=torch.float32), torch.tensor(ys)

rng = np.random.default_rng(0)
Xtr, ytr = make_textures(2000, rng=rng)
Xva, yva = make_textures(500, rng=rng)
train_dl = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(Xva, yva), batch_size=250)

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.Dropout2d(0.1), nn.MaxPool2d(2),
    nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
    nn.Linear(32, 4),
)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2)
crit = nn.CrossEntropyLoss()

for epoch in range(12):
    model.train()
    for i, (xb, yb) in enumerate(train_dl):
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
        sched.step(epoch + i / len(train_dl))
    model.eval(); correct = 0; vl = 0.0
    with torch.no_grad():
        for xb, yb in val_dl:
            out = model(xb); vl += crit(out, yb).item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
    print(f"epoch {epoch} val_loss {vl/len(Xva):.4f} val_acc {correct/len(Xva):.3f}")
print(f"final val_acc {correct/len(Xva):.4f}")
