"""Land-cover classification of 4-band (R, G, B, NIR) 16x16 image chips.

Chips are procedurally textured (water, forest, cropland rows, urban blocks, bare soil,
wetland) with sensor noise and haze. Overhead imagery has no canonical orientation, so
training batches get random flips and 90-degree rotations. Forward passes run under
bfloat16 autocast on CPU; evaluation accumulates a summed cross-entropy and divides by
the number of chips at the end.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

CLASSES = ["water", "forest", "cropland", "urban", "bare", "wetland"]
SPECTRA = {  # mean reflectance R, G, B, NIR
    "water": [0.04, 0.06, 0.08, 0.03], "forest": [0.04, 0.08, 0.03, 0.40],
    "cropland": [0.08, 0.12, 0.06, 0.35], "urban": [0.18, 0.17, 0.16, 0.22],
    "bare": [0.25, 0.21, 0.16, 0.30], "wetland": [0.06, 0.09, 0.06, 0.18],
}


def smooth_noise(rng, size, scale):
    n = rng.normal(size=(size // scale + 2, size // scale + 2))
    up = np.kron(n, np.ones((scale, scale)))[:size, :size]
    return up


def make_chip(k, rng, size=16):
    chip = texture(k, rng, size)
    if rng.random() < 0.6:  # mixed chip: a field edge or shoreline cuts through
        other = texture(int(rng.integers(len(CLASSES))), rng, size)
        yy, xx = np.mgrid[:size, :size]
        ang = rng.uniform(0, 2 * np.pi)
        edge = (xx - size / 2) * np.cos(ang) + (yy - size / 2) * np.sin(ang) > rng.uniform(0, 0.45) * size
        chip = np.where(edge[None], other, chip)
    chip = chip * rng.uniform(0.6, 1.4) + rng.uniform(0, 0.08)  # illumination and haze
    chip = chip + rng.normal(0, 0.05, chip.shape)
    return chip.astype(np.float32)


def texture(k, rng, size):
    name = CLASSES[k]
    base = np.array(SPECTRA[name])[:, None, None] * np.ones((4, size, size))
    yy, xx = np.mgrid[:size, :size]
    if name == "forest":
        tex = smooth_noise(rng, size, 2) * 0.25
    elif name == "cropland":
        ang = rng.uniform(0, np.pi)
        period = rng.uniform(3, 6)
        tex = 0.3 * np.sign(np.sin(2 * np.pi * (xx * np.cos(ang) + yy * np.sin(ang)) / period))
    elif name == "urban":
        step = int(rng.integers(3, 6))
        tex = 0.35 * (((xx // step) + (yy // step)) % 2) - 0.15 + 0.1 * rng.normal(size=(size, size))
    elif name == "water":
        tex = 0.1 * smooth_noise(rng, size, 8)
    elif name == "wetland":
        tex = 0.5 * (smooth_noise(rng, size, 4) > 0.3) - 0.2
    else:
        tex = 0.15 * smooth_noise(rng, size, 4)
    return base * (1 + tex[None])


def augment(x):
    if torch.rand(()) < 0.5:
        x = x.flip(-1)
    if torch.rand(()) < 0.5:
        x = x.flip(-2)
    return torch.rot90(x, int(torch.randint(0, 4, ())), dims=(-2, -1))


def block(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU())


class ChipNet(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.features = nn.Sequential(block(4, 24), block(24, 24), nn.MaxPool2d(2),
                                      block(24, 48), nn.MaxPool2d(2), block(48, 64))
        self.head = nn.Linear(64, n_classes)

    def forward(self, x):
        return self.head(self.features(x).mean((-2, -1)))


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    total_loss, correct, n = 0.0, 0, 0
    for xb, yb in loader:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(xb)
        total_loss += F.cross_entropy(logits.float(), yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
        n += len(yb)
    return total_loss / n, correct / n


def main():
    torch.manual_seed(29)
    rng = np.random.default_rng(29)
    y = rng.integers(0, len(CLASSES), 2400)
    X = np.stack([make_chip(k, rng) for k in y])
    band_mu = X[:1800].mean((0, 2, 3), keepdims=True)
    band_sd = X[:1800].std((0, 2, 3), keepdims=True)
    X = (X - band_mu) / band_sd
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    train_loader = DataLoader(TensorDataset(Xt[:1800], yt[:1800]), batch_size=64, shuffle=True, drop_last=True)
    val_loader = DataLoader(TensorDataset(Xt[1800:], yt[1800:]), batch_size=200)

    model = ChipNet(len(CLASSES))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-5)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.3)
    for epoch in range(1, 11):
        model.train()
        for xb, yb in train_loader:
            xb = augment(xb)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
        val_loss, val_acc = evaluate(model, val_loader)
        print(f"epoch {epoch:2d}  last batch loss {loss.item():.4f}  val loss {val_loss:.4f}  val acc {val_acc:.3f}")
    print(f"final val accuracy {val_acc:.3f} (val cross-entropy {val_loss:.4f})")


if __name__ == "__main__":
    main()
