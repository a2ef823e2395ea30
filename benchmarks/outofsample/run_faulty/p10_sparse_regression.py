import torch
from sklearn.datasets import make_sparse_uncorrelated
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class MLP(nn.Module):
    def __init__(self, n_in, width=128):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                                 nn.Linear(width, 1))
        for m in self.net:
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.constant_(m.bias, -4.0)

    def forward(self, x):
        return self.net(x).squeeze(1)


def main():
    torch.manual_seed(0)
    X, y = make_sparse_uncorrelated(n_samples=3000, n_features=12, random_state=5)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=0)
    mean, std = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mean) / std, (X_va - mean) / std
    y_mean, y_std = y_tr.mean(), y_tr.std()
    y_tr, y_va = (y_tr - y_mean) / y_std, (y_va - y_mean) / y_std
    train = TensorDataset(torch.tensor(X_tr, dtype=torch.float32), torch.tensor(y_tr, dtype=torch.float32))
    loader = DataLoader(train, batch_size=64, shuffle=True)
    X_va, y_va = torch.tensor(X_va, dtype=torch.float32), torch.tensor(y_va, dtype=torch.float32)
    model = MLP(12)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.MSELoss()
    for epoch in range(10):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_mse = criterion(model(X_va), y_va).item()
        print(f"epoch {epoch} loss {loss.item():.4f} val_mse {val_mse:.4f}")
    print(f"final_val_metric={1 - val_mse:.4f}")


if __name__ == "__main__":
    main()
