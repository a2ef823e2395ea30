"""Keystroke-dynamics identification: who typed the password?

Each record is one repetition of the fixed password ".tie5Roanl" (plus Return), described by
11 hold times, 10 keydown-keydown and 10 keyup-keydown latencies (seconds), as in the usual
keystroke benchmark layout. All subjects typed on the same ten collection days (one session each
per day); we enrol on the first eight days and verify on the last two.
"""
import argparse
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

N_KEYS = 11


def simulate_corpus(n_subjects=24, n_sessions=10, reps=20, seed=0):
    rng = np.random.default_rng(seed)
    feats, subject, stamp = [], [], []
    session_days = np.arange(n_sessions) * 6                  # one collection day every six days
    for s in range(n_subjects):
        hold_mu = rng.lognormal(np.log(0.09), 0.18, N_KEYS)
        dd_mu = rng.lognormal(np.log(0.22), 0.25, N_KEYS - 1)
        rhythm = rng.uniform(0.85, 1.15)
        for k, day in enumerate(session_days):
            drift = 1.0 + 0.03 * rng.normal()
            start = day * 86400 + rng.uniform(9, 17) * 3600
            for r in range(reps):
                hold = hold_mu * drift * rng.lognormal(0, 0.16, N_KEYS)
                dd = dd_mu * drift * rhythm * rng.lognormal(0, 0.22, N_KEYS - 1)
                ud = dd - hold[:-1]
                feats.append(np.concatenate([hold, dd, ud]))
                subject.append(s)
                stamp.append(start + r * 9.0 + rng.uniform(0, 3))
    rows = rng.permutation(len(feats))                 # export comes in record-id order
    return {"features": np.asarray(feats, dtype=np.float32)[rows],
            "subject": np.asarray(subject, dtype=np.int64)[rows],
            "timestamp": np.asarray(stamp)[rows]}


class TypistNet(nn.Module):
    def __init__(self, n_in, n_out, hidden=128, p=0.1):
        super().__init__()
        self.fc1 = nn.Linear(n_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, n_out)
        self.drop = nn.Dropout(p)

    def forward(self, x):
        x = self.drop(F.relu(self.fc1(x)))
        x = self.drop(F.relu(self.fc2(x)))
        return self.fc3(x)


def train(model, loader, optimizer, epoch):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()


def evaluate(model, loader):
    model.eval()
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            total += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return total / n, correct / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()
    torch.manual_seed(1)

    data = simulate_corpus()
    # keep the records in the order they were typed
    order = np.argsort(data["timestamp"], kind="stable")
    X = np.log(data["features"][order].clip(min=1e-3) + 0.1)
    y = data["subject"]
    n_classes = int(y.max()) + 1

    n_train = int(0.8 * len(X))
    X_tr, X_va = X[:n_train], X[n_train:]
    y_tr, y_va = y[:n_train], y[n_train:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)),
                            batch_size=256)

    model = TypistNet(X.shape[1], n_classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(1, args.epochs + 1):
        train(model, train_loader, optimizer, epoch)
        val_loss, val_acc = evaluate(model, val_loader)
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d}  val_loss {val_loss:.4f}  val_acc {val_acc:.3f}")
    tr_loss, tr_acc = evaluate(model, train_loader)
    print(f"final train_acc {tr_acc:.3f}  val_loss {val_loss:.4f}  val_acc {val_acc:.3f}")


if __name__ == "__main__":
    main()
