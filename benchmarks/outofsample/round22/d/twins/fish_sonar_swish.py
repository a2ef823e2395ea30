"""Species classification from split-beam echosounder returns (fish sonar).

Each sample is the 128-bin echo envelope of one tracked fish (log power, range-normalised)
plus its measured target strength. Four species groups: herring, cod, mackerel (no swim
bladder) and salmon. A 1-D CNN with a memory-light Swish, EMA weights for evaluation.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
np.random.seed(3)
L = 128


class SwishFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_out * (s * (1 + x * (1 - s)))


class Swish(nn.Module):
    def forward(self, x):
        return SwishFn.apply(x)


def echoes(n):
    sp = np.random.randint(0, 4, n)
    r = np.arange(L)[None, :]
    length = np.array([0.25, 0.6, 0.35, 0.75])[sp] * np.random.uniform(0.7, 1.3, n)
    ts = np.array([-42.0, -34.0, -48.0, -31.0])[sp] + np.random.normal(0, 3.0, n)
    bladder = np.array([1.0, 1.0, 0.0, 1.0])[sp]
    centre = np.random.uniform(40, 88, n)[:, None]
    width = (4 + 10 * length)[:, None]
    body = np.exp(-0.5 * ((r - centre) / width) ** 2)
    # swim-bladder resonance: a sharp second peak just behind the body echo
    lag = (3 + 6 * length)[:, None]
    peak = bladder[:, None] * np.exp(-0.5 * ((r - centre - lag) / 1.5) ** 2) * np.random.uniform(0.4, 1.0, (n, 1))
    ripple = np.where(sp == 3, 0.25, 0.1)[:, None] * np.sin(r / np.random.uniform(1.5, 3.0, (n, 1)))
    env = body + peak + ripple * body + np.random.normal(0, 0.08, (n, L))
    X = np.concatenate([env, ((ts + 40) / 6)[:, None]], axis=1).astype(np.float32)
    return X, sp


class EchoNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 16, 7, padding=3)
        self.bn1 = nn.BatchNorm1d(16)
        self.conv2 = nn.Conv1d(16, 32, 5, padding=2)
        self.bn2 = nn.BatchNorm1d(32)
        self.act = Swish()
        self.fc1 = nn.Linear(32 * 8 + 1, 64)
        self.fc2 = nn.Linear(64, 4)

    def forward(self, x):
        env, ts = x[:, None, :L], x[:, L:]
        h = F.max_pool1d(self.act(self.bn1(self.conv1(env))), 4)
        h = F.max_pool1d(self.act(self.bn2(self.conv2(h))), 4)
        h = torch.cat([h.flatten(1), ts], dim=1)
        return self.fc2(self.act(self.fc1(h)))


def train(model, ema, loader, opt, epoch, decay=0.99):
    model.train()
    total = 0.0
    for data, target in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        opt.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(decay).add_(pm, alpha=1 - decay)
            for be, bm in zip(ema.buffers(), model.buffers()):
                be.copy_(bm)
        total += loss.item() * len(data)
    return total / len(loader.dataset)


def test(model, loader):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            out = model(data)
            loss += F.cross_entropy(out, target, reduction="sum").item()
            correct += (out.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    return loss / n, correct / n


def main():
    X, y = echoes(3000)
    Xtr, ytr, Xte, yte = X[:2400], y[:2400], X[2400:], y[2400:]
    mu, sd = Xtr.mean(), Xtr.std()
    Xtr[:, :L], Xte[:, :L] = (Xtr[:, :L] - mu) / sd, (Xte[:, :L] - mu) / sd
    train_loader = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=64, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.tensor(Xte), torch.tensor(yte)), batch_size=500)

    model = EchoNet()
    ema = copy.deepcopy(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, nesterov=True, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=6, gamma=0.3)
    for epoch in range(1, 16):
        tr = train(model, ema, train_loader, opt, epoch)
        sched.step()
        if epoch % 3 == 0:
            vl, va = test(ema, test_loader)
            print(f"epoch {epoch:2d} train_loss {tr:.4f} ema_val_loss {vl:.4f} ema_val_acc {va:.4f}")

    path = os.path.join(tempfile.mkdtemp(), "echonet_ema.pt")
    torch.save(ema, path)
    restored = torch.load(path, weights_only=False)
    vl, va = test(restored, test_loader)
    print(f"final val_acc {va:.4f} val_loss {vl:.4f}")


if __name__ == "__main__":
    main()
