"""Regional avalanche danger level (1-4) from slope-day weather and snowpack observations.

Trains a small MLP in the style of the PyTorch examples (argparse, train/test functions,
StepLR per epoch). Data are simulated forecast-region records.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

LEVELS = ["low", "moderate", "considerable", "high"]


def simulate_observations(n, rng):
    new_snow_24 = rng.gamma(1.2, 8.0, n)                       # cm
    new_snow_72 = new_snow_24 + rng.gamma(1.5, 10.0, n)        # cm
    wind = rng.weibull(2.0, n) * 9.0                           # m/s
    wind_dir = rng.uniform(0, 2 * np.pi, n)
    aspect = rng.uniform(0, 2 * np.pi, n)
    slope = rng.normal(34, 6, n).clip(15, 55)                  # degrees
    elevation = rng.normal(2100, 400, n)                       # m
    air_temp = rng.normal(-6, 5, n) + (2100 - elevation) / 150
    temp_change = rng.normal(0, 3, n)                          # 24 h change
    snow_depth = rng.gamma(4.0, 35.0, n)
    surface_hoar = (rng.random(n) < 0.18).astype(np.float64)   # buried weak layer reported

    lee = np.cos(aspect - wind_dir - np.pi)                    # 1 = slope in the lee
    loading = np.clip(lee, 0, None) * np.clip(wind - 4, 0, None) * np.sqrt(new_snow_72) / 6
    steep = 1 / (1 + np.exp(-(slope - 32) / 3))
    warming = np.clip(temp_change, 0, None) * (air_temp > -3)
    risk = (0.06 * new_snow_24 + 0.025 * new_snow_72 + 0.9 * loading + 1.4 * surface_hoar * steep
            + 0.35 * warming - 0.004 * (snow_depth - 140) + 1.2 * steep + rng.normal(0, 0.55, n))
    cuts = np.quantile(risk, [0.35, 0.7, 0.9])
    level = np.digitize(risk, cuts)
    X = np.column_stack([new_snow_24, new_snow_72, wind, np.sin(wind_dir), np.cos(wind_dir),
                         np.sin(aspect), np.cos(aspect), slope, elevation, air_temp, temp_change,
                         snow_depth, surface_hoar])
    return X.astype(np.float32), level.astype(np.int64)


class DangerNet(nn.Module):
    def __init__(self, n_in, n_out=len(LEVELS)):
        super().__init__()
        self.fc1 = nn.Linear(n_in, 128)
        self.fc2 = nn.Linear(128, 64)
        self.dropout = nn.Dropout(0.1)
        self.fc3 = nn.Linear(64, n_out)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.dropout(F.relu(self.fc2(x)))
        return self.fc3(x)


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction='sum').item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    acc = correct / len(test_loader.dataset)
    print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.1f}%)\n'.format(
        test_loss, correct, len(test_loader.dataset), 100. * acc))
    return test_loss, acc


def main():
    parser = argparse.ArgumentParser(description='Avalanche danger level')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--test-batch-size', type=int, default=1000)
    parser.add_argument('--epochs', type=int, default=12)
    parser.add_argument('--lr', type=float, default=2e-3)
    parser.add_argument('--gamma', type=float, default=0.85)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--log-interval', type=int, default=10)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    device = torch.device('cpu')

    X, y = simulate_observations(5000, rng)
    n_train = 4000
    cont = [i for i in range(X.shape[1]) if i != 12]           # the weak-layer flag stays 0/1
    mu = X[:n_train, cont].mean(0)
    sd = X[:n_train, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd

    train_ds = TensorDataset(torch.from_numpy(X[:n_train]), torch.from_numpy(y[:n_train]))
    test_ds = TensorDataset(torch.from_numpy(X[n_train:]), torch.from_numpy(y[n_train:]))
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_ds, batch_size=args.test_batch_size)

    model = DangerNet(X.shape[1]).to(device)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        test_loss, acc = test(model, device, test_loader)
        scheduler.step()
    print(f'final test_loss {test_loss:.4f} test_acc {acc:.4f}')


if __name__ == '__main__':
    main()
