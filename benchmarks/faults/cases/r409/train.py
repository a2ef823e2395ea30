import copy

import numpy as np
import torch
from sklearn.datasets import load_diabetes
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = load_diabetes(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, random_state=3)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
    y_mean, y_std = y_train.mean(), y_train.std()
    y_train, y_val = (y_train - y_mean) / y_std, (y_val - y_mean) / y_std
    train = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train, dtype=torch.float32))
    loader = DataLoader(train, batch_size=32, shuffle=True)
    X_val_t, y_val_t = torch.tensor(X_val, dtype=torch.float32), torch.tensor(y_val, dtype=torch.float32)

    model = nn.Sequential(nn.Linear(10, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.MSELoss()
    best, best_state, bad = float("inf"), copy.deepcopy(model.state_dict()), 0

    for epoch in range(250):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb).squeeze(-1), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = criterion(model(X_val_t).squeeze(-1), y_val_t).item()
        if epoch % 10 == 0:
            print(f"epoch {epoch} train_mse {loss.item():.4f} val_mse {val_loss:.4f}")
        if val_loss < best - 1e-4:
            best, best_state, bad = val_loss, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
            if bad >= 15:
                print(f"stopping at epoch {epoch}")
                break
    model.load_state_dict(best_state)

    model.eval()
    with torch.no_grad():
        pred = model(X_val_t).squeeze(-1).numpy()
    print(f"final_val_metric={r2_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
