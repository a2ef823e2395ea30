"""Self-supervised contrastive learning (SimCLR's NT-Xent loss) on scikit-learn's 8x8 digit
scans: two random augmentations of each image (shift, pixel dropout, noise) are pulled together,
all other images in the batch pushed apart. No labels are used in training. Evaluated as usual
for representation learning: k-NN classification on the frozen embedding (train bank -> test)."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
digits = load_digits()
X = digits.images.astype(np.float32) / 16.0          # 0..16 grey levels -> 0..1
X_tr, X_te, y_tr, y_te = train_test_split(X, digits.target, test_size=0.3, random_state=5, stratify=digits.target)
MEAN, STD = X_tr.mean(), X_tr.std()
Xtr = torch.from_numpy((X_tr - MEAN) / STD).unsqueeze(1)
Xte = torch.from_numpy((X_te - MEAN) / STD).unsqueeze(1)
ytr, yte = torch.from_numpy(y_tr), torch.from_numpy(y_te)


def augment(x):
    n = x.shape[0]
    # random translation by up to one pixel (zero padding = background after normalisation)
    padded = F.pad(x, (1, 1, 1, 1), value=float(-MEAN / STD))
    dx, dy = torch.randint(0, 3, (2, n))
    out = torch.stack([padded[i, :, dy[i]:dy[i] + 8, dx[i]:dx[i] + 8] for i in range(n)])
    keep = (torch.rand_like(out) > 0.15).float()
    out = out * keep + (1 - keep) * float(-MEAN / STD)
    return out + 0.2 * torch.randn_like(out)


class Encoder(nn.Module):
    def __init__(self, dim=64, proj=32):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(), nn.Linear(64, dim))
        self.projector = nn.Sequential(nn.ReLU(), nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, proj))

    def forward(self, x):
        return self.projector(self.backbone(x))


def nt_xent(z1, z2, temperature=0.2):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    sim = z @ z.t() / temperature
    sim.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


@torch.no_grad()
def knn_accuracy(model, k=5):
    model.eval()
    bank = F.normalize(model.backbone(Xtr), dim=1)
    query = F.normalize(model.backbone(Xte), dim=1)
    idx = (query @ bank.t()).topk(k, dim=1).indices
    votes = F.one_hot(ytr[idx], 10).sum(1)
    return (votes.argmax(1) == yte).float().mean().item()


model = Encoder()
EPOCHS = 25
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)
loader = DataLoader(TensorDataset(Xtr), batch_size=256, shuffle=True, drop_last=True)

for epoch in range(1, EPOCHS + 1):
    model.train()
    total, batches = 0.0, 0
    for (xb,) in loader:
        loss = nt_xent(model(augment(xb)), model(augment(xb)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1
    scheduler.step()
    if epoch % 5 == 0:
        print(f"epoch {epoch:3d} nt-xent {total / batches:.4f} knn@5 test acc {knn_accuracy(model):.4f}")

print(f"final knn5_test_acc {knn_accuracy(model):.4f}")
