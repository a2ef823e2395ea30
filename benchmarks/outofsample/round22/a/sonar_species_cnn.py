"""Fish species from tri-frequency echosounder patches (38/120/200 kHz).

Each sample is a 16 (depth bins) x 24 (pings) patch of volume backscatter Sv in dB, cropped
around a detection by the survey software. Species shares follow the catch: herring dominate,
salmon are rare. Class-weighted, label-smoothed cross-entropy; ping-axis augmentation
(roll/flip) and a random calibration offset in dB; early stopping on validation loss.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

SPECIES = ["herring", "mackerel", "cod", "salmon"]
SHARES = [0.5, 0.3, 0.15, 0.05]
# relative frequency response (dB at 38/120/200 kHz): swim-bladder fish are flat, mackerel rises
FREQ_RESP = {0: [0.0, -1.0, -2.0], 1: [-2.5, -1.0, 0.0], 2: [0.0, -0.5, -1.5], 3: [0.5, 0.0, -0.5]}
D, P = 16, 24


def echogram(species, rng):
    sv = np.full((3, D, P), -80.0) + rng.normal(0, 2.0, (3, D, P))
    resp = np.array(FREQ_RESP[species])[:, None, None] + rng.normal(0, 1.0, (3, 1, 1))
    if species in (0, 1):                                   # schools: a dense blob
        cy, cx = rng.uniform(4, 12), rng.uniform(6, 18)
        hy, hx = rng.uniform(2, 4), rng.uniform(4, 9)
        yy, xx = np.mgrid[0:D, 0:P]
        blob = np.exp(-(((yy - cy) / hy) ** 2 + ((xx - cx) / hx) ** 2))
        sv = np.maximum(sv, -52 + 4 * rng.normal() + 10 * np.log10(blob + 1e-3) + resp)
    else:                                                   # single targets
        n = rng.integers(2, 7)
        depth_c = 11 if species == 2 else 8                 # cod hug the bottom
        for _ in range(n):
            y = int(np.clip(rng.normal(depth_c, 2.5), 0, D - 1)); x = rng.integers(0, P)
            sv[:, y, x] = np.maximum(sv[:, y, x], -48 + 3 * rng.normal() + resp[:, 0, 0])
    sv += rng.normal(0, 1.0)                                # calibration offset per transect
    return ((sv + 70.0) / 10.0).astype(np.float32)          # roughly centred, unit-ish scale


class EchoDataset(Dataset):
    def __init__(self, n, seed, augment):
        rng = np.random.default_rng(seed)
        self.y = rng.choice(4, size=n, p=SHARES)
        self.x = np.stack([echogram(s, rng) for s in self.y])
        self.augment = augment
        self.rng = np.random.default_rng(seed + 1)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.x[i]
        if self.augment:
            x = np.roll(x, self.rng.integers(0, P), axis=2)
            if self.rng.random() < 0.5:
                x = x[:, :, ::-1]
            x = x + self.rng.normal(0, 0.15)
        return torch.from_numpy(np.ascontiguousarray(x)), int(self.y[i])


class EchoNet(nn.Module):
    def __init__(self, n_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 48, 3, padding=1), nn.BatchNorm2d(48), nn.ReLU(),
        )
        self.depth_pool = nn.AdaptiveAvgPool2d((4, 1))          # keep coarse depth, pool over pings
        self.fc = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(48 * 4, n_classes))

    def forward(self, x):
        return self.fc(self.depth_pool(self.features(x)))


def evaluate(model, loader):
    model.eval()
    preds, ys, loss = [], [], 0.0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss += F.cross_entropy(out, y, reduction="sum").item()
            preds.append(out.argmax(1)); ys.append(y)
    p, y = torch.cat(preds), torch.cat(ys)
    recalls = [((p == c) & (y == c)).sum().item() / max((y == c).sum().item(), 1) for c in range(4)]
    return loss / len(y), float(np.mean(recalls)), recalls


def main():
    torch.manual_seed(4)
    train_ds, val_ds = EchoDataset(2000, seed=4, augment=True), EchoDataset(800, seed=99, augment=False)
    counts = np.bincount(train_ds.y, minlength=4)
    print("train counts:", dict(zip(SPECIES, counts.tolist())))
    weights = torch.tensor((counts.sum() / counts) ** 0.5, dtype=torch.float32)
    weights = weights / weights.mean()

    train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=256)
    model = EchoNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
    criterion = nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05)

    best, best_state, patience, bad = float("inf"), None, 4, 0
    for epoch in range(1, 31):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        val_loss, bal_acc, _ = evaluate(model, val_loader)
        print(f"epoch {epoch:2d}  last batch loss {loss.item():.4f}  val loss {val_loss:.4f}  val bal-acc {bal_acc:.3f}")
        if val_loss < best - 1e-4:
            best, bad = val_loss, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
            if bad >= patience:
                print(f"early stop at epoch {epoch}")
                break
    model.load_state_dict(best_state)
    val_loss, bal_acc, recalls = evaluate(model, val_loader)
    print("per-species recall:", {s: round(r, 3) for s, r in zip(SPECIES, recalls)})
    print(f"final val_balanced_acc={bal_acc:.4f} val_loss={val_loss:.4f}")


if __name__ == "__main__":
    main()
