"""Sawmill log grading from the 3D/X-ray log scanner: grade A / B / C / pulp.

Continuous scanner measurements (top diameter, taper, sweep, knot whorl spacing, largest
knot, density variance, ovality, length) plus the species code, which goes through an
embedding. Training uses the mean cross-entropy; the evaluation loop sums per-sample losses
over the whole validation set and divides by its size once, so the last, smaller batch is
weighted correctly. The LR is cut when the validation loss stalls.
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(13)
rng = np.random.default_rng(13)

N = 5000
SPECIES = ["spruce", "pine", "larch", "fir", "birch"]
sp = rng.choice(5, N, p=[.35, .3, .1, .15, .1])
top_d = rng.gamma(9, 3.0, N) + 8            # cm
taper = rng.normal(1.0, 0.25, N).clip(0.3)  # cm/m
sweep = rng.gamma(2, 0.6, N)                # cm/m
whorl = rng.normal(45, 12, N).clip(10)      # cm between knot whorls
knot = rng.gamma(3, 0.9, N)                 # cm
dens_var = rng.gamma(2, 0.04, N)
oval = rng.normal(1.06, 0.03, N)
length = rng.choice([3.1, 3.7, 4.3, 4.9, 5.5], N)

sp_knot = np.array([1.0, 0.7, 0.9, 1.2, 0.8])[sp]
score = (0.08 * (top_d - 30) - 1.1 * sweep - 0.9 * knot * sp_knot + 0.025 * (whorl - 45)
         - 14 * dens_var - 8 * (oval - 1.06) - 0.6 * (taper - 1) + 0.1 * (length - 4.3)
         + np.array([0.3, 0.2, 0.5, -0.2, -0.6])[sp] + rng.normal(0, 0.5, N))
grade = 3 - np.digitize(score, np.quantile(score, [0.2, 0.5, 0.8]))   # 0 = A ... 3 = pulp

num = np.stack([top_d, taper, sweep, whorl, knot, dens_var, oval, length], 1)
idx = rng.permutation(N)
tr, va = idx[:4000], idx[4000:]
mu, sd = num[tr].mean(0), num[tr].std(0)
num = ((num - mu) / sd).astype(np.float32)


def loader(ix, shuffle, bs):
    ds = TensorDataset(torch.from_numpy(num[ix]), torch.from_numpy(sp[ix]), torch.from_numpy(grade[ix]))
    return DataLoader(ds, batch_size=bs, shuffle=shuffle)


train_loader, val_loader = loader(tr, True, 64), loader(va, False, 96)


class GradingNet(nn.Module):
    def __init__(self, n_num, n_species, d_emb=4, width=96):
        super().__init__()
        self.species = nn.Embedding(n_species, d_emb)
        self.mlp = nn.Sequential(nn.Linear(n_num + d_emb, width), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 4))

    def forward(self, x_num, species):
        return self.mlp(torch.cat([x_num, self.species(species)], 1))


model = GradingNet(num.shape[1], len(SPECIES))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.3, patience=2)


def evaluate():
    model.eval()
    loss_sum, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, sb, yb in val_loader:
            logits = model(xb, sb)
            loss_sum += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
    return loss_sum / n, correct / n


for epoch in range(20):
    model.train()
    for xb, sb, yb in train_loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb, sb), yb)
        loss.backward()
        opt.step()
    val_loss, val_acc = evaluate()
    plateau.step(val_loss)
    if epoch % 4 == 3:
        print(f"epoch {epoch + 1:2d} lr={opt.param_groups[0]['lr']:.1e} val_loss={val_loss:.4f} val_acc={val_acc:.4f}")

model.eval()
with torch.no_grad():
    pred = model(torch.from_numpy(num[va]), torch.from_numpy(sp[va])).argmax(1).numpy()
off_by_more = np.mean(np.abs(pred - grade[va]) > 1)
print(f"final val_loss={val_loss:.4f} val_accuracy={val_acc:.4f} (share off by >1 grade {off_by_more:.4f})")
