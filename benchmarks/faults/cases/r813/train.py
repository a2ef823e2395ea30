import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score
from torch import nn
from torch.utils.data import DataLoader, Subset, TensorDataset


def make_dataset():
    X, y = make_classification(n_samples=3000, n_features=24, n_informative=10, n_redundant=6,
                               flip_y=0.05, class_sep=0.8, random_state=11)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32))


def split(n, rng):
    order = rng.permutation(n)
    return order[:2400].tolist(), order[2400:].tolist()


def evaluate(model, loader, loss_fn):
    model.eval()
    scores, targets, total = [], [], 0.0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb).squeeze(-1)
            total += loss_fn(logits, yb).item() * len(xb)
            scores.append(torch.sigmoid(logits))
            targets.append(yb)
    scores, targets = torch.cat(scores).numpy(), torch.cat(targets).numpy()
    return total / len(targets), roc_auc_score(targets, scores)


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    data = make_dataset()
    train_idx, val_idx = split(len(data), rng)
    train_loader = DataLoader(Subset(data, train_idx), batch_size=64, shuffle=True)
    val_loader = DataLoader(Subset(data, val_idx), batch_size=256)
    model = nn.Sequential(nn.Linear(24, 64), nn.GELU(), nn.LayerNorm(64), nn.Linear(64, 64), nn.GELU(), nn.Linear(64, 1))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=5e-2)
    loss_fn = nn.BCEWithLogitsLoss()

    for epoch in range(8):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb).squeeze(-1), yb)
            loss.backward()
            optimizer.step()
        val_loss, auc = evaluate(model, val_loader, loss_fn)
        print(f"epoch {epoch} loss {loss.item():.4f} val_loss {val_loss:.4f} auc {auc:.3f}")

    print(f"final_val_metric={evaluate(model, val_loader, loss_fn)[1]:.4f}")


if __name__ == "__main__":
    main()
