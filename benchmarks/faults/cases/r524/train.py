import numpy as np
import torch
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata_dml import houses


def features(X, mean, std):
    continuous = (X[:, :4] - mean) / std
    return np.hstack([continuous, np.eye(6)[X[:, 4].astype(int)]]).astype(np.float32)


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, price = houses(n=1500, seed=0)
    X_train, X_val, p_train, p_val = train_test_split(X, price, test_size=0.25, random_state=0)
    mean, std = X_train[:, :4].mean(axis=0), X_train[:, :4].std(axis=0)
    X_train, X_val = features(X_train, mean, std), features(X_val, mean, std)
    p_mean, p_std = p_train.mean(), p_train.std()
    y_train = ((p_train - p_mean) / p_std).astype(np.float32)
    loader = DataLoader(TensorDataset(torch.tensor(X_train), torch.tensor(y_train)), batch_size=32, shuffle=True)

    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    for layer in (model[0], model[2]):
        layer.bias.data.fill_(-2.0)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.MSELoss()

    for epoch in range(10):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb).squeeze(-1), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f}")

    model.eval()
    with torch.no_grad():
        pred = model(torch.tensor(X_val)).squeeze(-1).numpy() * p_std + p_mean
    print(f"final_val_metric={r2_score(p_val, pred):.4f}")


if __name__ == "__main__":
    main()
