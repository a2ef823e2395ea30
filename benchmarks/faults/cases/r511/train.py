import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata_dml import customers


def prepare(X_train, X_val):
    continuous = X_train[:, :5]
    median = np.nanmedian(continuous, axis=0)
    continuous = np.where(np.isnan(continuous), median, continuous)
    mean, std = continuous.mean(axis=0), continuous.std()

    def transform(X):
        values = np.where(np.isnan(X[:, :5]), median, X[:, :5])
        onehot = np.eye(8)[X[:, 5].astype(int)]
        return np.hstack([(values - mean) / std, onehot]).astype(np.float32)

    return transform(X_train), transform(X_val)


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y, columns = customers(n=2000, seed=0, missing=0.05)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    X_train, X_val = prepare(X_train, X_val)
    train = TensorDataset(torch.tensor(X_train), torch.tensor(y_train, dtype=torch.float32))
    loader = DataLoader(train, batch_size=32, shuffle=True)

    model = nn.Sequential(nn.Linear(X_train.shape[1], 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.BCEWithLogitsLoss()

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
        pred = (model(torch.tensor(X_val)).squeeze(-1) > 0).int().numpy()
    print(f"final_val_metric={balanced_accuracy_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
