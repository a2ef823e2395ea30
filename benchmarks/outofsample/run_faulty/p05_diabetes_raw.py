import torch
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    X, y = load_diabetes(return_X_y=True, scaled=False)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=0)
    y_mean, y_std = y_tr.mean(), y_tr.std()
    y_tr, y_va = (y_tr - y_mean) / y_std, (y_va - y_mean) / y_std
    train = TensorDataset(torch.tensor(X_tr, dtype=torch.float32), torch.tensor(y_tr, dtype=torch.float32))
    loader = DataLoader(train, batch_size=32, shuffle=True)
    X_va, y_va = torch.tensor(X_va, dtype=torch.float32), torch.tensor(y_va, dtype=torch.float32)
    model = nn.Sequential(nn.Linear(10, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.MSELoss()
    for epoch in range(60):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb).squeeze(1), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_mse = criterion(model(X_va).squeeze(1), y_va).item()
        if epoch % 10 == 0:
            print(f"epoch {epoch} loss {loss.item():.4f} val_mse {val_mse:.4f}")
    print(f"final_val_metric={1 - val_mse:.4f}")


if __name__ == "__main__":
    main()
