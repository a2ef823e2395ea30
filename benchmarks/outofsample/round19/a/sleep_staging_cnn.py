"""Sleep staging (W, N1, N2, N3, REM) from single-channel EEG band-power sequences.

Each 30 s scoring epoch is summarised as log band power in 8 bands over 30 one-second bins
(delta, theta, alpha, sigma, beta-low, beta-high, gamma, EMG-proxy).
"""
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

STAGES = ["W", "N1", "N2", "N3", "REM"]
N_BANDS, N_BINS = 8, 30

# mean log-power per band for each stage (rows follow STAGES)
PROFILE = np.array([
    [0.2, 0.3, 1.2, 0.1, 0.8, 0.6, 0.5, 1.2],
    [0.5, 0.9, 0.5, 0.2, 0.4, 0.3, 0.2, 0.6],
    [0.9, 0.7, 0.3, 0.7, 0.3, 0.2, 0.1, 0.4],
    [1.7, 0.6, 0.2, 0.3, 0.1, 0.0, 0.0, 0.3],
    [0.5, 1.0, 0.4, 0.1, 0.5, 0.4, 0.3, -0.2],
])


def synth_night(n, rng):
    stage = rng.choice(5, size=n, p=[0.18, 0.1, 0.4, 0.14, 0.18])
    subject_gain = rng.normal(0, 0.25, (n, N_BANDS, 1))
    x = PROFILE[stage][:, :, None] + subject_gain + rng.normal(0, 0.55, (n, N_BANDS, N_BINS))
    # spindles (sigma bursts) in N2, eye-movement bursts (beta/gamma, low EMG) in REM
    for i in np.where(stage == 2)[0]:
        for s in rng.integers(0, N_BINS - 2, rng.integers(1, 4)):
            x[i, 3, s:s + 2] += 1.2
    for i in np.where(stage == 4)[0]:
        for s in rng.integers(0, N_BINS - 3, rng.integers(1, 3)):
            x[i, 4:7, s:s + 3] += 0.9
    return x.astype(np.float32), stage.astype(np.int64)


class StageNet(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        self.conv1 = nn.Conv1d(N_BANDS, 48, 3, padding=1)
        self.conv2 = nn.Conv1d(48, 48, 3, padding=1)
        self.conv3 = nn.Conv1d(48, 64, 3, padding=1)
        self.fc = nn.Linear(64 * 2, n_classes)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool1d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.conv3(x))
        x = torch.cat([x.mean(-1), x.amax(-1)], 1)
        return self.fc(x)


def train(model, loader, optimizer, scheduler, epoch):
    model.train()
    total = 0.0
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item()
    print(f"Train Epoch: {epoch}  loss {total / len(loader):.4f}  lr {optimizer.param_groups[0]['lr']:.2e}")


def test(model, loader):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            out = model(data)
            loss += F.cross_entropy(out, target, reduction="sum").item()
            correct += (out.argmax(1) == target).sum().item()
    n = len(loader.dataset)
    print(f"Test set: Average loss: {loss / n:.4f}, Accuracy: {correct}/{n} ({100. * correct / n:.1f}%)")
    return correct / n


def main():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    X, y = synth_night(5000, rng)
    mu = X[:4000].mean(axis=(0, 2), keepdims=True)
    sd = X[:4000].std(axis=(0, 2), keepdims=True)
    X = (X - mu) / sd
    train_loader = DataLoader(TensorDataset(torch.from_numpy(X[:4000]), torch.from_numpy(y[:4000])),
                              batch_size=32, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(X[4000:]), torch.from_numpy(y[4000:])),
                             batch_size=250)

    model = StageNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)
    for epoch in range(1, 13):
        train(model, train_loader, optimizer, scheduler, epoch)
        acc = test(model, test_loader)
    print(f"final test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
