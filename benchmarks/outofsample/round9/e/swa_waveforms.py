"""Waveform-type classification from noisy 1-D sensor traces with a BatchNorm 1-D CNN and
stochastic weight averaging (Izmailov et al. 2018, torch.optim.swa_utils).

Phase 1: SGD with cosine decay down to the SWA LR. Phase 2: SWALR holds a constant SWA LR
and the weights are averaged once per epoch; BN statistics are recomputed for the averaged
weights with update_bn before evaluation.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.swa_utils import SWALR, AveragedModel, update_bn
from torch.utils.data import DataLoader, TensorDataset

L = 128


def simulate(n, rng):
    t = np.linspace(0, 1, L, dtype=np.float32)
    y = rng.integers(0, 5, n)
    f = rng.uniform(2, 6, n)[:, None]
    ph = rng.uniform(0, 2 * np.pi, n)[:, None]
    w = 2 * np.pi * f * t + ph
    waves = [np.sin(w), np.sign(np.sin(w)), 2 * ((w / (2 * np.pi)) % 1) - 1,
             np.sin(2 * np.pi * (f * t + 4 * t ** 2) + ph),
             np.abs(np.sin(w)) * 2 - 1]
    x = np.choose(y[:, None], waves)
    x = x * rng.uniform(0.5, 2.0, (n, 1)) + rng.normal(0, 0.6, (n, L))    # gain + sensor noise
    x += 0.3 * np.cumsum(rng.normal(0, 0.1, (n, L)), 1)                    # drift
    return torch.tensor(x[:, None, :], dtype=torch.float32), torch.as_tensor(y)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        def blk(i, o):
            return nn.Sequential(nn.Conv1d(i, o, 7, padding=3, bias=False), nn.BatchNorm1d(o), nn.ReLU())
        self.body = nn.Sequential(blk(1, 32), nn.MaxPool1d(2), blk(32, 64), nn.MaxPool1d(2), blk(64, 64))
        self.head = nn.Linear(128, 5)

    def forward(self, x):
        h = self.body(x)
        return self.head(torch.cat([h.mean(-1), h.amax(-1)], 1))


@torch.no_grad()
def accuracy(model, loader):
    model.eval()
    return sum((model(x).argmax(1) == y).sum().item() for x, y in loader) / len(loader.dataset)


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    Xtr, ytr = simulate(2400, rng)
    Xte, yte = simulate(1000, rng)
    mu, sd = Xtr.mean(), Xtr.std()
    Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
    test_loader = DataLoader(TensorDataset(Xte, yte), batch_size=500)

    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    epochs, swa_start = 14, 9
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=swa_start, eta_min=0.02)
    swa_model = AveragedModel(model)
    swa_sched = SWALR(opt, swa_lr=0.02, anneal_epochs=2, anneal_strategy="cos")

    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
        if epoch >= swa_start:
            swa_model.update_parameters(model)
            swa_sched.step()
        else:
            cosine.step()
        print(f"epoch {epoch + 1:2d} lr {opt.param_groups[0]['lr']:.4f} test_acc {accuracy(model, test_loader):.4f}")

    update_bn(train_loader, swa_model)
    print(f"final test_acc last {accuracy(model, test_loader):.4f}  SWA {accuracy(swa_model, test_loader):.4f}")


if __name__ == "__main__":
    main()
