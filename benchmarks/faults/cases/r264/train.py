import numpy as np
import torch
from sklearn.datasets import make_friedman1
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn


def main():
    torch.manual_seed(0)
    X, y = make_friedman1(n_samples=800, n_features=6, noise=0.3, random_state=5)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=5)
    X_train = torch.tensor((X_train - 0.5) / 0.29, dtype=torch.float32)
    X_val = torch.tensor((X_val - 0.5) / 0.29, dtype=torch.float32)
    y_mean, y_std = y_train.mean(), y_train.std()
    y_train = torch.tensor((y_train - y_mean) / y_std, dtype=torch.float32)
    y_val = (y_val - y_mean) / y_std

    model = nn.Sequential(nn.Linear(6, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
    optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=25, history_size=20, line_search_fn="strong_wolfe")
    loss_fn = nn.MSELoss()

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(X_train).squeeze(-1), y_train)
        loss.backward()
        return loss

    for it in range(12):
        loss = optimizer.step(closure)
        with torch.no_grad():
            val = r2_score(y_val, model(X_val).squeeze(-1).numpy())
        print(f"iteration {it} train_mse {loss.item():.4f} val_r2 {val:.3f}")

    with torch.no_grad():
        pred = model(X_val).squeeze(-1).numpy()
    print(f"final_val_metric={r2_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
