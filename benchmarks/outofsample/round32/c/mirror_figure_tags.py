"""Figure-defect tagging for hand-ground telescope mirrors.

Each finished mirror goes on the interferometer; the reduction software fits
Zernike terms to the fringe map. The optician then tags the figure with every
defect the mirror shows (a mirror can have several, or none and pass).
This script trains a small tagger on past test sheets.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import f1_score
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset

TAGS = ["astigmatism", "coma", "under_corrected", "over_corrected",
        "turned_edge", "zonal", "rough_micro"]
TERMS = ["tilt_x", "tilt_y", "defocus", "astig_0", "astig_45", "coma_x", "coma_y",
         "spherical", "trefoil_0", "trefoil_45", "spherical_2", "edge_roll",
         "zone_amp", "zone_radius", "rms_residual", "strehl_est"]

loss_fn = F.cross_entropy


def make_test_sheets(n, rng):
    """Synthetic reduction output, in waves at 632.8 nm, already per-term scaled."""
    Z = rng.normal(0.0, 1.0, size=(n, len(TERMS))).astype(np.float32)
    astig = np.hypot(Z[:, 3], Z[:, 4])
    coma = np.hypot(Z[:, 5], Z[:, 6])
    sph = Z[:, 7] + 0.4 * Z[:, 10]
    logits = np.stack([
        2.2 * astig - 2.6,
        2.0 * coma - 2.6,
        -2.0 * sph - 1.8,
        2.0 * sph - 1.8,
        1.8 * Z[:, 11] + 0.6 * Z[:, 7] - 1.2,
        1.6 * Z[:, 12] * (Z[:, 13] > -0.3) - 1.0,
        1.5 * Z[:, 14] - 0.8 * Z[:, 15] - 1.5,
    ], axis=1)
    logits += rng.normal(0.0, 0.6, size=logits.shape)
    Y = (logits > 0).astype(np.float32)
    return Z, Y


class Tagger(nn.Module):
    def __init__(self, n_in, n_tags, hidden=128):
        super().__init__()
        self.fc1 = nn.Linear(n_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.drop = nn.Dropout(0.1)
        self.head = nn.Linear(hidden, n_tags)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.drop(F.relu(self.fc2(x)))
        return self.head(x)


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = loss_fn(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0 and epoch % 5 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]"
                  f"\tLoss: {loss.item():.4f}")


def test(model, device, test_loader):
    model.eval()
    test_loss = 0.0
    preds, trues = [], []
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += loss_fn(output, target, reduction="sum").item()
            preds.append((torch.sigmoid(output) > 0.5).float())
            trues.append(target)
    test_loss /= len(test_loader.dataset)
    p, t = torch.cat(preds).numpy(), torch.cat(trues).numpy()
    f1 = f1_score(t, p, average="micro", zero_division=0)
    print(f"Test set: Average loss: {test_loss:.4f}, micro-F1: {f1:.4f}")
    return f1


def main():
    parser = argparse.ArgumentParser(description="Mirror figure tagger")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--gamma", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--log-interval", type=int, default=20)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    device = torch.device("cpu")

    X, Y = make_test_sheets(3000, rng)
    X_tr, Y_tr, X_te, Y_te = X[:2400], Y[:2400], X[2400:], Y[2400:]
    print(f"{len(X_tr)} mirrors for training, {len(X_te)} held out; "
          f"tags per mirror {Y_tr.sum(1).mean():.2f}, clean passes {np.mean(Y_tr.sum(1) == 0):.0%}")

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(Y_tr)),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(torch.from_numpy(X_te), torch.from_numpy(Y_te)),
                             batch_size=500)

    model = Tagger(X.shape[1], len(TAGS)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=12, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        if epoch % 5 == 0 or epoch == args.epochs:
            f1 = test(model, device, test_loader)
        scheduler.step()
    print(f"final held-out micro-F1 {f1:.4f}")


if __name__ == "__main__":
    main()
