"""Hand-loom weave structure from a 16x16 warp-tension scan (which threads are up at each pick).

Six structures: plain, 2/1 twill, 3/1 twill, 5-end satin, 2x2 basket (hopsack), herringbone.
Scans come from a tension-sensing reed, so there is a random phase, uneven beat-up, broken
ends and sensor noise. Written after the official PyTorch MNIST example (log_softmax + nll_loss,
Adadelta at lr=1.0 with StepLR gamma=0.7, test loss summed over the set).
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

S = 16


def weave_pattern(kind, rng):
    i, j = np.mgrid[0:S, 0:S]
    di, dj = rng.integers(0, 8, 2)
    i, j = i + di, j + dj
    if kind == 0:
        up = (i + j) % 2 == 0
    elif kind == 1:
        up = (i + j) % 3 == 0
    elif kind == 2:
        up = (i + j) % 4 != 0
    elif kind == 3:
        up = (2 * i + j) % 5 == 0
    elif kind == 4:
        up = ((i // 2) + (j // 2)) % 2 == 0
    else:
        fold = np.where((j // 4) % 2 == 0, i + j, i - j)
        up = fold % 4 < 2
    img = up.astype(np.float32)
    if rng.random() < 0.5:                      # scanned with warp and weft swapped
        img = img.T.copy()
    broken = rng.random(S) < 0.1               # broken warp ends read as slack
    img[:, broken] = 0.2
    beat = 1 + 0.25 * rng.standard_normal((S, 1))  # uneven beat-up changes tension per pick
    return (img * beat + 0.9 * rng.standard_normal((S, S))).astype(np.float32)


def make_split(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 6, n)
    X = np.stack([weave_pattern(k, rng) for k in y])[:, None]
    return torch.from_numpy(X), torch.from_numpy(y).long()


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1)
        self.conv2 = nn.Conv2d(16, 32, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(32 * 6 * 6, 64)
        self.fc2 = nn.Linear(64, 6)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
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
            test_loss += F.nll_loss(output, target, reduction='sum').item()  # sum up batch loss
            pred = output.argmax(dim=1, keepdim=True)  # get the index of the max log-probability
            correct += pred.eq(target.view_as(pred)).sum().item()

    test_loss /= len(test_loader.dataset)
    acc = correct / len(test_loader.dataset)
    print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.1f}%)\n'.format(
        test_loss, correct, len(test_loader.dataset), 100. * acc))
    return acc


def main():
    parser = argparse.ArgumentParser(description='Hand-loom weave structure')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--test-batch-size', type=int, default=500)
    parser.add_argument('--epochs', type=int, default=6)
    parser.add_argument('--lr', type=float, default=1.0)
    parser.add_argument('--gamma', type=float, default=0.7)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--log-interval', type=int, default=20)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cpu")

    X_train, y_train = make_split(3000, seed=100)
    X_test, y_test = make_split(1000, seed=200)
    mean, std = X_train.mean().item(), X_train.std().item()     # like Normalize((0.1307,), (0.3081,))
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std

    train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(X_test, y_test), batch_size=args.test_batch_size)

    model = Net().to(device)
    optimizer = torch.optim.Adadelta(model.parameters(), lr=args.lr)

    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        acc = test(model, device, test_loader)
        scheduler.step()
    print(f"final test accuracy {acc:.3f}")


if __name__ == '__main__':
    main()
