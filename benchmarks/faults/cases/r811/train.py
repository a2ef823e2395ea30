import numpy as np
import torch
from sklearn.datasets import make_friedman1
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def load_data():
    X, y = make_friedman1(n_samples=1200, n_features=10, noise=1.0, random_state=4)
    X_train, X_val, y_train, y_val = train_test_split(X, y, train_size=0.75, random_state=0)
    scaler = StandardScaler().fit(X_train)
    mean, std = y_train.mean(), y_train.std()

    def pack(features, target):
        return TensorDataset(torch.tensor(scaler.transform(features), dtype=torch.float32),
                             torch.tensor((target - mean) / std, dtype=torch.float32))

    return pack(X_train, y_train), pack(X_val, y_val)


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    train, val = load_data()
    train_loader = DataLoader(train, batch_size=32, shuffle=True)
    val_loader = DataLoader(val, batch_size=256)
    model = nn.Sequential(nn.Linear(10, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()

    for epoch in range(30):
        model.train()
        total = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb).squeeze(-1), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        model.eval()
        val_loss = 0.0
        with torch.no_grad():
            for xb, yb in val_loader:
                val_loss += loss_fn(model(xb).squeeze(-1), yb).item() * len(xb)
        print(f"epoch {epoch} train {total / len(train):.4f} val {val_loss / len(val):.4f}")

    model.eval()
    with torch.no_grad():
        X_val, y_val = val.tensors
        pred = model(X_val).squeeze(-1).numpy()
    print(f"final_val_metric={r2_score(y_val.numpy(), pred):.4f}")


if __name__ == "__main__":
    main()
