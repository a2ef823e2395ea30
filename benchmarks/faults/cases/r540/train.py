import numpy as np
import torch
from sklearn.datasets import make_friedman1
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def load_data():
    X, y = make_friedman1(n_samples=1000, n_features=8, noise=0.5, random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=0)
    X_train, X_val = (X_train - 0.5) / 0.29, (X_val - 0.5) / 0.29
    y_mean, y_std = y_train.mean(), y_train.std()
    y_train, y_val = (y_train - y_mean) / y_std, (y_val - y_mean) / y_std
    train = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train, dtype=torch.float32))
    return train, torch.tensor(X_val, dtype=torch.float32), y_val


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    train, X_val, y_val = load_data()
    loader = DataLoader(train, batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(8, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.MSELoss(reduction="sum")

    for epoch in range(12):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb).squeeze(-1), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} train_mse {loss.item():.4f}")

    with torch.no_grad():
        pred = model(X_val).squeeze(-1).numpy()
    print(f"final_val_metric={r2_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
