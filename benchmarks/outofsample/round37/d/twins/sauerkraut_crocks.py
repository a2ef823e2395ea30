"""Sauerkraut crock outcome at day 21 (sound / soft-pink / spoiled) from the brining log:
salt share, room temperature, day-3 pH and brine level, shred width, cabbage harvest week, crock size."""
import numpy as np
import torch
from torch import nn
import nndoctor


def make_data(seed=5, n=3000):
    rng = np.random.default_rng(seed)
    salt = rng.normal(2.1, 0.35, n)                 # % by weight
    temp = rng.normal(19, 3.0, n)                   # deg C
    ph3 = rng.normal(4.1, 0.35, n)                  # pH on day 3
    brine = rng.normal(2.0, 1.0, n)                 # cm of brine above the weight
    shred = rng.gamma(4, 0.6, n)                    # mm
    week = rng.integers(30, 46, n).astype(float)    # harvest week
    litres = rng.choice([5.0, 10.0, 15.0, 20.0], n)
    soft = 1.6 * (temp - 19) / 3 - 1.8 * (salt - 2.1) / 0.35 + 0.6 * (shred - 2.4) - 4.2
    spoil = 2.2 * (ph3 - 4.1) / 0.35 - 1.5 * brine + 0.5 * (temp - 19) / 3 * (brine < 1.5) - 2.9
    z = np.stack([np.zeros(n), soft, spoil], 1) + rng.logistic(size=(n, 3)) * 0.6
    y = z.argmax(1)
    X = np.stack([salt, temp, ph3, brine, shred, week, np.log(litres)], 1).astype(np.float32)
    return X, y


def build():
    torch.manual_seed(5)
    X, y = make_data()
    n_tr = 2400
    mu, sd = X[:n_tr].mean(0), X[:n_tr].std(0)
    X = (X - mu) / sd
    Xtr, ytr = torch.tensor(X[:n_tr]), torch.tensor(y[:n_tr])
    Xva, yva = torch.tensor(X[n_tr:]), torch.tensor(y[n_tr:])

    counts = torch.bincount(ytr, minlength=3).float()
    class_w = counts.sum() / (len(counts) * counts)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 3),
    )
    loss = nn.CrossEntropyLoss(weight=class_w)
    optimizer = lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-4)
    return model, (Xtr, ytr), (Xva, yva), loss, optimizer


def setup():
    model, train, val, loss, optimizer = build()
    return nndoctor.Setup(model=model, train=train, val=val, loss=loss, optimizer=optimizer, batch_size=64)


if __name__ == "__main__":
    model, (Xtr, ytr), (Xva, yva), loss_fn, make_opt = build()
    opt = make_opt(model.parameters())
    g = torch.Generator().manual_seed(0)
    for epoch in range(30):
        model.train()
        for b in torch.randperm(len(ytr), generator=g).split(64):
            opt.zero_grad()
            loss_fn(model(Xtr[b]), ytr[b]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(Xva).argmax(1)
    recall = [((pred == c) & (yva == c)).sum().item() / max((yva == c).sum().item(), 1) for c in range(3)]
    print("val class shares", (torch.bincount(yva, minlength=3) / len(yva)).numpy().round(3))
    print("per-class recall", np.round(recall, 3))
    print(f"FINAL val_acc={(pred == yva).float().mean().item():.4f} balanced_acc={np.mean(recall):.4f}")
