import numpy as np
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def load_data():
    X, Y = make_multilabel_classification(n_samples=2000, n_features=30, n_classes=5, n_labels=2, random_state=47)
    X = np.log1p(X)
    X_train, X_val, Y_train, Y_val = train_test_split(X, Y, test_size=0.2, random_state=47)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-6
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
    train = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(Y_train, dtype=torch.float32))
    return train, torch.tensor(X_val, dtype=torch.float32), Y_val


class Block(nn.Module):
    def __init__(self, dim, dropout=0.0):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(2 * dim, dim))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class Net(nn.Module):
    def __init__(self, n_in=30, dim=64, n_out=5, depth=3):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, dim), *[Block(dim) for _ in range(depth)], nn.LayerNorm(dim))
        self.head = nn.Linear(dim, n_out)

    def forward(self, x):
        return self.head(self.body(x))


def evaluate(model, X_val, y_val):
    model.eval()
    with torch.no_grad():
        out = model(X_val)
    model.train()
    return f1_score(y_val, (out > 0).long().numpy(), average="micro")


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    train, X_val, y_val = load_data()
    loader = DataLoader(train, batch_size=32, shuffle=True)
    model = Net()
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.002, weight_decay=0.01)
    total = 15 * len(loader)
    warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.05, total_iters=total // 10)
    decay = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total - total // 10)
    scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, decay], milestones=[total // 10])

    for epoch in range(15):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            scheduler.step()
        metric = evaluate(model, X_val, y_val)
        print(f"epoch {epoch} loss {loss.item():.4f} val {metric:.3f}")

    print(f"final_val_metric={evaluate(model, X_val, y_val):.4f}")


if __name__ == "__main__":
    main()
