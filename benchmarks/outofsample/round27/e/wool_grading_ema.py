"""Wool clip classing: assign a fleece to its sale line (superfine, fine, medium, strong,
carpet) from the core-test and staple measurements.  Lines are very unequal in size, so
the cross-entropy is class-weighted (inverse square-root frequency) and the model is
judged by balanced accuracy.  An exponential moving average of the weights, kept in a
deepcopy of the model, is what gets evaluated and shipped.
"""
import copy
import numpy as np
import torch
from torch import nn
from torch.utils.data import TensorDataset, DataLoader
from sklearn.metrics import balanced_accuracy_score, confusion_matrix

torch.manual_seed(29)
rng = np.random.default_rng(29)
LINES = ["superfine", "fine", "medium", "strong", "carpet"]
SHARE = [0.46, 0.30, 0.14, 0.07, 0.03]


def core_tests(n):
    line = rng.choice(len(LINES), n, p=SHARE)
    micron = np.array([16.8, 19.0, 21.5, 24.5, 31.0])[line] + rng.normal(0, 0.9, n)
    cv_diam = rng.normal(19, 2.5, n) + 0.25 * (micron - 19)
    curv = 110 - 3.2 * micron + rng.normal(0, 6, n)           # deg/mm, finer wool crimps more
    staple_len = rng.normal(85, 12, n) + 1.2 * (micron - 19)
    strength = rng.normal(38, 8, n) + 0.8 * (micron - 19)      # N/ktex
    vm = rng.gamma(1.5, 0.6, n)                                # vegetable matter %
    yld = rng.normal(68, 5, n) - 1.5 * vm
    yz = rng.normal(8, 2, n) + 0.08 * (micron - 19) ** 2       # yellowness
    comfort = 100 - 6 * np.clip(micron - 20, 0, None) + rng.normal(0, 2, n)
    X = np.column_stack([micron, cv_diam, curv, staple_len, strength, vm, yld, yz, comfort])
    return X.astype(np.float32), line.astype(np.int64)


def main():
    X, y = core_tests(6000)
    idx = rng.permutation(len(y))
    tr, va = idx[:4800], idx[4800:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    Xs = (X - mu) / sd
    counts = np.bincount(y[tr], minlength=len(LINES))
    w = 1 / np.sqrt(counts)
    w = torch.tensor(w / w.mean(), dtype=torch.float32)
    print("line counts (train):", dict(zip(LINES, counts.tolist())))

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xs[tr]), torch.from_numpy(y[tr])), batch_size=128, shuffle=True)
    Xva, yva = torch.from_numpy(Xs[va]), y[va]

    model = nn.Sequential(nn.Linear(9, 128), nn.BatchNorm1d(128), nn.ReLU(),
                          nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(),
                          nn.Linear(64, len(LINES)))
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    decay = 0.99

    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.3)
    criterion = nn.CrossEntropyLoss(weight=w)

    for epoch in range(1, 26):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(decay).add_(pm, alpha=1 - decay)
                for be, bm in zip(ema.buffers(), model.buffers()):
                    be.copy_(bm)
        scheduler.step()
        if epoch % 5 == 0:
            ema.eval()
            with torch.no_grad():
                pred = ema(Xva).argmax(1).numpy()
            print(f"epoch {epoch} lr {scheduler.get_last_lr()[0]:.5f} train_loss {loss.item():.4f} "
                  f"ema val balanced_acc {balanced_accuracy_score(yva, pred):.4f}")
    print(confusion_matrix(yva, pred))
    print(f"final ema val balanced_acc {balanced_accuracy_score(yva, pred):.4f} "
          f"accuracy {(pred == yva).mean():.4f}")


if __name__ == "__main__":
    main()
