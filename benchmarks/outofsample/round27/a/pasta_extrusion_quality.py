"""Pasta extrusion line: classify the strand quality of each 30 s production slice
(ok / sticky / brittle / uneven) from die pressure, barrel temperatures, screw torque,
dough moisture and dryer settings logged by the line PLC."""
import argparse

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=12)
parser.add_argument("--lr", type=float, default=0.05)
parser.add_argument("--batch-size", type=int, default=64)
args = parser.parse_args()

torch.manual_seed(11)
rng = np.random.default_rng(11)

CLASSES = ["ok", "sticky", "brittle", "uneven"]


def simulate(n):
    moisture = rng.normal(31.0, 1.6, n)            # % water in dough
    die_p = rng.normal(95.0, 9.0, n)               # bar
    t_zone1 = rng.normal(42.0, 2.5, n)             # C
    t_zone2 = t_zone1 + rng.normal(3.0, 1.2, n)
    torque = 0.55 * die_p + rng.normal(0, 4.0, n)  # % of rated
    screw_rpm = rng.normal(28.0, 3.0, n)
    dryer_t = rng.normal(72.0, 4.0, n)
    dryer_rh = rng.normal(68.0, 6.0, n)
    semolina_protein = rng.normal(13.0, 0.8, n)
    cutter_hz = screw_rpm * rng.normal(0.9, 0.05, n)
    X = np.column_stack([moisture, die_p, t_zone1, t_zone2, torque, screw_rpm,
                         dryer_t, dryer_rh, semolina_protein, cutter_hz])
    sticky = 0.9 * (moisture - 31) - 0.35 * (dryer_t - 72) + 0.2 * (dryer_rh - 68) / 2
    brittle = -0.8 * (moisture - 31) + 0.5 * (dryer_t - 72) / 2 - 0.9 * (semolina_protein - 13)
    uneven = 0.09 * np.abs(die_p - 95) + 0.6 * np.abs(cutter_hz / screw_rpm - 0.9) * 20 \
        + 0.3 * (t_zone2 - t_zone1 - 3)
    logits = np.column_stack([np.full(n, 1.2), sticky, brittle, uneven - 0.5])
    logits += rng.gumbel(size=logits.shape) * 0.5
    return X.astype(np.float32), logits.argmax(1)


X, y = simulate(5000)
n_tr = 4000
mean, std = X[:n_tr].mean(0), X[:n_tr].std(0)
X = (X - mean) / std

train_ds = TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr]))
test_ds = TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:]))
train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
test_loader = DataLoader(test_ds, batch_size=500)


class Net(nn.Module):
    def __init__(self, n_in=10, n_out=4):
        super().__init__()
        self.fc1 = nn.Linear(n_in, 128)
        self.fc2 = nn.Linear(128, 64)
        self.drop = nn.Dropout(0.1)
        self.fc3 = nn.Linear(64, n_out)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.drop(F.relu(self.fc2(x)))
        return self.fc3(x)


def train(model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % 20 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.4f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(1) == target).sum().item()
    test_loss /= len(loader.dataset)
    acc = correct / len(loader.dataset)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(loader.dataset)} ({100 * acc:.1f}%)")
    return acc


model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)
for epoch in range(1, args.epochs + 1):
    train(model, train_loader, optimizer, epoch)
    acc = test(model, test_loader)
    scheduler.step()
print(f"final test accuracy {acc:.4f}")
