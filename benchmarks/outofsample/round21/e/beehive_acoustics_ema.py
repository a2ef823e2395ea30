"""Colony-state classification from beehive microphone clips.

Each clip is a 32-band log-spectrogram (about 60-1000 Hz) over 40 frames. States: normal
(steady hum near 250 Hz), queenless (louder, broader "roar" and raised upper band),
pre-swarm (tooting/quacking piping pulses at 400-500 Hz) and disturbed (broadband bursts).
A small CNN is trained under CPU bfloat16 autocast; an exponential moving average of the
weights (a deepcopy updated every step, BatchNorm buffers copied) is what gets evaluated and
saved with torch.save(model). Validation loss is summed per batch and divided by the count.
"""
import copy
import os
import tempfile
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
torch.set_num_threads(1)
rng = np.random.default_rng(21)
F_BINS, T = 32, 40
STATES = ["normal", "queenless", "pre-swarm", "disturbed"]


def clip(state):
    f = np.arange(F_BINS)[:, None]
    t = np.arange(T)[None, :]
    f0 = rng.normal(9.0, 0.8) + 0.6 * np.sin(2 * np.pi * t / rng.uniform(15, 40))
    level = rng.normal(0, 0.3)
    width = 1.2
    if state == 1:
        width, level = 1.9, level + 0.3
    spec = level + 1.5 * np.exp(-(f - f0) ** 2 / (2 * width ** 2)) \
        + 0.7 * np.exp(-(f - 2 * f0) ** 2 / (2 * width ** 2))
    if state == 1:
        spec += 0.3 * np.exp(-(f - 24) ** 2 / 18.0)
    if state == 2:
        for _ in range(rng.integers(2, 5)):
            t0, fp = rng.integers(0, T - 6), rng.uniform(15, 19)
            dur = rng.integers(2, 6)
            spec[:, t0:t0 + dur] += 0.9 * np.exp(-(f - fp) ** 2 / 1.5)
    if state == 3:
        for _ in range(rng.integers(1, 4)):
            t0 = rng.integers(0, T - 3)
            spec[:, t0:t0 + rng.integers(1, 4)] += rng.uniform(0.4, 0.9)
    # rain, wind and traffic happen in every state
    if rng.random() < 0.3:
        spec += rng.uniform(0.2, 0.6) * np.exp(-f / 6.0)
    spec += 0.6 * rng.standard_normal((F_BINS, T))
    return spec.astype(np.float32)


y = rng.choice(4, size=2600, p=[0.4, 0.2, 0.2, 0.2])
X = np.stack([clip(s) for s in y])[:, None]
Xtr, ytr, Xva, yva = X[:2000], y[:2000], X[2000:], y[2000:]
mu, sd = Xtr.mean(), Xtr.std()
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
train_loader = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.tensor(Xva), torch.tensor(yva)), batch_size=200)


class HiveNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        )
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(32, n_classes))

    def forward(self, x):
        h = self.features(x)
        return self.classifier(h.amax(dim=(2, 3)))      # global max pool over time and frequency


model = HiveNet()
ema = copy.deepcopy(model).eval()
for p in ema.parameters():
    p.requires_grad_(False)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.3)
EMA_DECAY = 0.98


@torch.no_grad()
def update_ema():
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.lerp_(pm, 1 - EMA_DECAY)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(net):
    net.eval()
    loss_sum, correct = 0.0, 0
    for xb, yb in val_loader:
        out = net(xb)
        loss_sum += F.cross_entropy(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
    n = len(val_loader.dataset)
    return loss_sum / n, correct / n


for epoch in range(12):
    model.train()
    run_loss = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = model(xb)
        loss = F.cross_entropy(out.float(), yb)
        loss.backward()
        optimizer.step()
        update_ema()
        run_loss += loss.item() * len(xb)
    scheduler.step()
    if epoch % 3 == 0 or epoch == 11:
        vl, va = evaluate(model)
        el, ea = evaluate(ema)
        print(f"epoch {epoch:2d} train loss {run_loss / len(train_loader.dataset):.3f} val loss {vl:.3f} acc {va:.3f} | EMA val loss {el:.3f} acc {ea:.3f}")

path = os.path.join(tempfile.mkdtemp(), "hive_ema.pt")
torch.save(ema, path)
restored = torch.load(path, weights_only=False)
loss_r, acc_r = evaluate(restored)
majority = (yva == 0).mean()
from sklearn.linear_model import LogisticRegression
prof = lambda a: np.concatenate([a.mean(3)[:, 0], a.max(3)[:, 0]], 1)   # mean and max band profiles
lr_acc = LogisticRegression(max_iter=2000).fit(prof(Xtr), ytr).score(prof(Xva), yva)
print(f"baselines: majority class acc {majority:.3f}, logistic regression on band profiles acc {lr_acc:.3f}")
print(f"final: EMA model (reloaded) val acc {acc_r:.3f} val loss {loss_r:.3f}")
