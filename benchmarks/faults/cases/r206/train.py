import numpy as np
from sklearn.datasets import make_regression
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def load_data():
    X, y, = make_regression(n_samples=1500, n_features=8, n_informative=6, noise=5.0, random_state=7)
    y = y + 0.02 * y ** 2 / np.abs(y).max()
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=7)
    rng = np.random.default_rng(7)
    glitch = rng.random(len(y_train)) < 0.05
    y_train = np.where(glitch, y_train + rng.choice([-1.0, 1.0], size=len(y_train)) * 8 * y_train.std(), y_train)
    y_mean, y_std = np.median(y_train), np.percentile(y_train, 75) - np.percentile(y_train, 25)
    y_train, y_val = (y_train - y_mean) / y_std, (y_val - y_mean) / y_std
    train = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train, dtype=torch.float32))
    return train, torch.tensor(X_val, dtype=torch.float32), y_val


class Net(nn.Module):
    def __init__(self, n_in=8, hidden=64, n_out=1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.head = nn.Linear(hidden, n_out)

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
    loss_fn = nn.HuberLoss(delta=1.0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.003, weight_decay=0.01)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.003, total_steps=20 * len(loader))

    for epoch in range(20):
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
