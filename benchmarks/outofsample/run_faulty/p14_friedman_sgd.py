import torch
from sklearn.datasets import make_friedman2
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    X, y = make_friedman2(n_samples=3000, noise=10.0, random_state=8)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=0)
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_va = scaler.transform(X_tr), scaler.transform(X_va)
    y_mean, y_std = y_tr.mean(), y_tr.std()
    y_tr, y_va = (y_tr - y_mean) / y_std, (y_va - y_mean) / y_std
    train = TensorDataset(torch.tensor(X_tr, dtype=torch.float32), torch.tensor(y_tr, dtype=torch.float32))
    loader = DataLoader(train, batch_size=64, shuffle=True)
    X_va, y_va = torch.tensor(X_va, dtype=torch.float32), torch.tensor(y_va, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(4, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=2e-4)
    criterion = nn.MSELoss()
    for epoch in range(10):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb).squeeze(1), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_mse = criterion(model(X_va).squeeze(1), y_va).item()
        print(f"epoch {epoch} loss {loss.item():.4f} val_mse {val_mse:.4f}")
    print(f"final_val_metric={1 - val_mse:.4f}")


if __name__ == "__main__":
    main()
