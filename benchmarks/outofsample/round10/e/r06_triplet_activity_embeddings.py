"""Metric learning for wearable-sensor windows: a 1-D CNN embeds 3-axis accelerometer
windows so that 1-NN retrieval recognises the activity. Batch-hard triplet loss
(Hermans et al. 2017) on P x K batches, L2-normalised embeddings, AdamW + cosine decay.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(5)
rng = np.random.default_rng(5)

ACTIVITIES = {  # (step frequency Hz, amplitude per axis, harmonic weight)
    "walk": (1.8, (1.0, 0.4, 0.3), 0.3), "run": (2.8, (2.2, 0.8, 0.6), 0.5),
    "stairs_up": (1.5, (1.1, 0.7, 0.3), 0.8), "stairs_down": (1.7, (1.4, 0.5, 0.5), 0.8),
    "cycle": (1.2, (0.3, 0.9, 0.8), 0.1), "sit": (0.0, (0.05, 0.05, 0.05), 0.0),
}
FS, T = 25, 64


def window(c):
    f, amp, harm = list(ACTIVITIES.values())[c]
    f = f * rng.uniform(0.85, 1.15)
    t = np.arange(T) / FS
    phase = rng.uniform(0, 2 * np.pi)
    amp = np.asarray(amp) * rng.uniform(0.6, 1.4)  # subject-to-subject intensity
    sig = np.stack([a * (np.sin(2 * np.pi * f * t + phase + k) + harm * np.sin(4 * np.pi * f * t + 2 * phase))
                    for k, a in enumerate(amp)])
    gravity = rng.normal(0, 1, 3)
    gravity /= np.linalg.norm(gravity)
    return (sig + gravity[:, None] + rng.normal(0, 0.9, (3, T))).astype(np.float32)


def make(n_per_class):
    X = np.stack([window(c) for c in range(6) for _ in range(n_per_class)])
    y = np.repeat(np.arange(6), n_per_class)
    return torch.from_numpy(X), torch.from_numpy(y)


X_tr, y_tr = make(250)
X_te, y_te = make(80)
mean = X_tr.mean((0, 2), keepdim=True)
std = X_tr.std((0, 2), keepdim=True)
X_tr, X_te = (X_tr - mean) / std, (X_te - mean) / std


class Encoder(nn.Module):
    def __init__(self, dim=32):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(3, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 5, padding=2), nn.BatchNorm1d(64), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(64, 64, 3, padding=1), nn.BatchNorm1d(64), nn.ReLU(), nn.AdaptiveAvgPool1d(1))
        self.proj = nn.Linear(64, dim)

    def forward(self, x):
        return F.normalize(self.proj(self.conv(x).flatten(1)), dim=1)


def batch_hard_triplet(emb, labels, margin=0.2):
    d = torch.cdist(emb, emb)
    same = labels[:, None] == labels[None, :]
    hardest_pos = (d * same.float()).max(1).values
    hardest_neg = (d + 1e3 * same.float()).min(1).values
    return F.relu(hardest_pos - hardest_neg + margin).mean()


def pk_batches(labels, P=6, K=12, n_batches=30):
    by_class = [torch.nonzero(labels == c).squeeze(1) for c in range(6)]
    for _ in range(n_batches):
        classes = torch.randperm(6)[:P]
        yield torch.cat([by_class[c][torch.randperm(len(by_class[c]))[:K]] for c in classes])


@torch.no_grad()
def knn_accuracy(model):
    model.eval()
    g, q = model(X_tr), model(X_te)
    pred = y_tr[torch.cdist(q, g).argmin(1)]
    return (pred == y_te).float().mean().item()


model = Encoder()
epochs = 12
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)

for epoch in range(epochs):
    model.train()
    total = 0.0
    for idx in pk_batches(y_tr):
        optimizer.zero_grad()
        loss = batch_hard_triplet(model(X_tr[idx]), y_tr[idx])
        loss.backward()
        optimizer.step()
        total += loss.item()
    scheduler.step()
    if epoch % 3 == 2:
        print(f"epoch {epoch + 1:2d} triplet loss {total / 30:.4f} 1-NN acc {knn_accuracy(model):.3f}")

raw = y_tr[torch.cdist(X_te.flatten(1), X_tr.flatten(1)).argmin(1)]
print(f"final 1-NN accuracy on embeddings={knn_accuracy(model):.4f} "
      f"(raw-signal 1-NN {(raw == y_te).float().mean().item():.4f}, chance {1 / 6:.4f})")
