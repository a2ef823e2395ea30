import math

import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def load_data():
    X, y = make_friedman1(n_samples=1500, n_features=10, noise=0.5, random_state=9)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=9)
    X_train, X_val = (X_train - 0.5) / 0.29, (X_val - 0.5) / 0.29
    y_mean, y_std = y_train.mean(), y_train.std()
    y_train, y_val = (y_train - y_mean) / y_std, (y_val - y_mean) / y_std
    train = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train, dtype=torch.float32))
    return train, torch.tensor(X_val, dtype=torch.float32), y_val


class Block(nn.Module):
    def __init__(self, dim, dropout=0.0):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(2 * dim, dim))

    def forward(self, x):
        return x + self.ff(self.norm(x))


class Net(nn.Module):
    def __init__(self, n_in=10, dim=64, n_out=1, depth=3):
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
    return r2_score(y_val, out.squeeze(-1).numpy())


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    train, X_val, y_val = load_data()
    loader = DataLoader(train, batch_size=32, shuffle=True)
    model = Net()
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.002, weight_decay=0.01)
    total = 15 * len(loader)
    warmup = total // 10

    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1 + math.cos(math.pi * progress))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)

    for epoch in range(15):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb).squeeze(-1), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
        metric = evaluate(model, X_val, y_val)
        print(f"epoch {epoch} loss {loss.item():.4f} val {metric:.3f}")

    print(f"final_val_metric={evaluate(model, X_val, y_val):.4f}")


if __name__ == "__main__":
    main()
