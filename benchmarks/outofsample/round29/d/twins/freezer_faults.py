"""Ice-cream freezer cabinets: classify the fault behind a service call.

Each sample is a 2-channel, 128-point trace (compressor current, evaporator
temperature; one point every 30 s) exported by the cabinet controller in the
hour before a technician arrived. The technician's job sheet gives the label.
Structure follows the PyTorch MNIST example.
"""
import argparse
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import TensorDataset

FAULTS = ["normal", "refrigerant_leak", "iced_evaporator", "fan_failure", "door_ajar"]
T = 128


def job_sheet_traces(fault, n, rng):
    t = np.arange(T)[None, :]
    period = rng.uniform(18, 30, (n, 1))
    duty = rng.uniform(0.45, 0.6, (n, 1))
    phase = rng.uniform(0, 1, (n, 1))
    on = (((t / period) + phase) % 1.0) < duty
    amp = rng.uniform(2.6, 3.4, (n, 1))
    current = amp * on
    temp = -18 + 1.5 * (~on) - 0.5 * on + rng.normal(0, 0.3, (n, 1))
    temp = temp + np.cumsum(rng.normal(0, 0.05, (n, T)), axis=1)
    if fault == "refrigerant_leak":
        current = current * rng.uniform(0.72, 0.85, (n, 1))
        temp = temp + rng.uniform(0.01, 0.025, (n, 1)) * t
    elif fault == "iced_evaporator":
        current = current * rng.uniform(1.05, 1.2, (n, 1))
        temp = -18 + 0.6 * (temp + 18) - rng.uniform(0.5, 1.5, (n, 1))
        on = np.ones_like(on) * (rng.random((n, T)) < 0.85)
        current = current + 0.4 * amp * on
    elif fault == "fan_failure":
        ripple = rng.uniform(0.2, 0.4, (n, 1)) * np.sin(2 * np.pi * t / rng.uniform(3.5, 5.0, (n, 1)))
        current = current * (1 + ripple)
        temp = temp + 0.006 * t
    elif fault == "door_ajar":
        start = rng.integers(20, 90, (n, 1))
        open_len = rng.integers(8, 25, (n, 1))
        opened = (t >= start) & (t < start + open_len)
        temp = temp + 3.0 * opened * rng.uniform(0.6, 1.4, (n, 1))
        current = np.where(t >= start, amp * 1.05 * (rng.random((n, T)) < 0.8), current)
    current = current + rng.normal(0, 0.15, (n, T))
    temp = temp + rng.normal(0, 0.2, (n, T))
    return np.stack([current, temp], axis=1).astype(np.float32)


def load_exports(seed):
    rng = np.random.default_rng(seed)
    xs_tr, ys_tr, xs_te, ys_te = [], [], [], []
    for label, fault in enumerate(FAULTS):
        x = job_sheet_traces(fault, 300, rng)
        cut = 240
        xs_tr.append(x[:cut]); ys_tr.append(np.full(cut, label))
        xs_te.append(x[cut:]); ys_te.append(np.full(len(x) - cut, label))
    x_tr, x_te = np.concatenate(xs_tr), np.concatenate(xs_te)
    mean = x_tr.mean(axis=(0, 2), keepdims=True)
    std = x_tr.std(axis=(0, 2), keepdims=True)
    x_tr, x_te = (x_tr - mean) / std, (x_te - mean) / std
    train = TensorDataset(torch.from_numpy(x_tr), torch.from_numpy(np.concatenate(ys_tr)))
    test = TensorDataset(torch.from_numpy(x_te), torch.from_numpy(np.concatenate(ys_te)))
    return train, test


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv1d(2, 16, 7, padding=3)
        self.conv2 = nn.Conv1d(16, 32, 5, padding=2)
        self.conv3 = nn.Conv1d(32, 32, 5, padding=2)
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(32 * 2, 64)
        self.fc2 = nn.Linear(64, len(FAULTS))

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.conv1(x)), 2)
        x = F.max_pool1d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.conv3(x))
        x = torch.cat([x.mean(dim=2), x.amax(dim=2)], dim=1)
        x = self.dropout(x)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0 and args.verbose:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]\tLoss: {loss.item():.6f}")


def test(model, device, test_loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            pred = output.argmax(dim=1)
            correct += pred.eq(target).sum().item()
    test_loss /= len(test_loader.dataset)
    acc = correct / len(test_loader.dataset)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(test_loader.dataset)} ({100 * acc:.1f}%)")
    return acc


def main():
    parser = argparse.ArgumentParser(description="Freezer fault classifier")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--test-batch-size", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.7)
    parser.add_argument("--no-cuda", action="store_true", default=False)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-interval", type=int, default=10)
    parser.add_argument("--verbose", action="store_true", default=False)
    args = parser.parse_args()
    use_cuda = not args.no_cuda and torch.cuda.is_available()
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if use_cuda else "cpu")

    train_kwargs = {"batch_size": args.batch_size, "shuffle": True}
    test_kwargs = {"batch_size": args.test_batch_size}
    if use_cuda:
        cuda_kwargs = {"num_workers": 1, "pin_memory": True, "shuffle": True}
        train_kwargs.update(cuda_kwargs)
        test_kwargs.update(cuda_kwargs)

    dataset1, dataset2 = load_exports(args.seed)
    train_loader = torch.utils.data.DataLoader(dataset1, **train_kwargs)
    test_loader = torch.utils.data.DataLoader(dataset2, **test_kwargs)

    model = Net().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        acc = test(model, device, test_loader)
        scheduler.step()
    print(f"final test accuracy {acc:.3f}")


if __name__ == "__main__":
    main()
