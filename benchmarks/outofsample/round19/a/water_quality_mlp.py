"""Drinking-water sample triage: potable / needs-treatment / reject, from a lab panel of
nine field measurements taken at municipal intake points."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FEATURES = ["ph", "hardness", "tds", "chloramines", "sulfate", "conductivity",
            "toc", "trihalomethanes", "turbidity"]
CLASSES = ["potable", "treat", "reject"]


def sample_intakes(n, rng):
    ph = rng.normal(7.3, 0.9, n)
    hardness = rng.gamma(9.0, 22.0, n)
    tds = rng.lognormal(9.9, 0.4, n)
    chloramines = rng.normal(7.1, 1.6, n)
    sulfate = rng.normal(333, 40, n)
    conductivity = 0.018 * tds + rng.normal(60, 70, n)
    toc = rng.gamma(5.0, 2.9, n)
    thm = 4.0 * toc + 2.2 * chloramines + rng.normal(0, 8, n)
    turbidity = rng.lognormal(1.3, 0.35, n)
    risk = (1.6 * np.maximum(np.abs(ph - 7.4) - 0.8, 0) ** 1.2
            + 0.9 * ((thm > 80).astype(float) + (turbidity > 4.8) * (toc > 14))
            + 0.6 * np.tanh((tds - 26000) / 6000) + 0.4 * np.tanh((chloramines - 8.5) / 0.8)
            + 0.5 * np.tanh((sulfate - 380) / 25) + rng.normal(0, 0.15, n))
    label = np.digitize(risk, [-0.3, 0.45])
    X = np.stack([ph, hardness, tds, chloramines, sulfate, conductivity, toc, thm, turbidity], 1)
    return X.astype(np.float32), label.astype(np.int64)


def evaluate(model, loader):
    model.eval()
    total_loss, correct, n = 0.0, 0, 0
    per_class = np.zeros((len(CLASSES), 2))
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            total_loss += F.cross_entropy(logits, yb, reduction="sum").item()
            pred = logits.argmax(1)
            correct += (pred == yb).sum().item()
            n += len(yb)
            for c in range(len(CLASSES)):
                m = yb == c
                per_class[c] += [(pred[m] == c).sum().item(), m.sum().item()]
    bal_acc = np.mean(per_class[:, 0] / np.maximum(per_class[:, 1], 1))
    return total_loss / n, correct / n, bal_acc


def main():
    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    X, y = sample_intakes(8000, rng)
    idx = rng.permutation(len(X))
    tr, va = idx[:6400], idx[6400:]
    mean, std = X[tr].mean(0), X[tr].std(0)
    X = (X - mean) / std

    train_loader = DataLoader(TensorDataset(torch.tensor(X[tr]), torch.tensor(y[tr])),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.tensor(X[va]), torch.tensor(y[va])), batch_size=400)
    print("class shares", np.bincount(y[tr]) / len(tr))

    model = nn.Sequential(
        nn.Linear(len(FEATURES), 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, len(CLASSES)),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=2e-2)

    for epoch in range(20):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
        if epoch % 4 == 3:
            tr_loss, tr_acc, _ = evaluate(model, train_loader)
            va_loss, va_acc, va_bal = evaluate(model, val_loader)
            print(f"epoch {epoch + 1:2d} train loss {tr_loss:.4f} acc {tr_acc:.3f} | "
                  f"val loss {va_loss:.4f} acc {va_acc:.3f} bal_acc {va_bal:.3f}")

    print(f"final val accuracy {va_acc:.4f} balanced accuracy {va_bal:.4f}")


if __name__ == "__main__":
    main()
