import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 48), nn.Sigmoid(), nn.Linear(48, 32), nn.Sigmoid(), nn.Linear(32, 12))
        self.decoder = nn.Sequential(nn.Linear(12, 32), nn.Sigmoid(), nn.Linear(32, 48), nn.Sigmoid(), nn.Linear(48, 64))

    def forward(self, x):
        return self.decoder(self.encoder(x))


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X = load_digits().data.astype(np.float32)
    X_train, X_val = train_test_split(X, test_size=0.2, random_state=0)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-3
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
    loader = DataLoader(TensorDataset(torch.tensor(X_train)), batch_size=32, shuffle=True)

    model = AutoEncoder()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    criterion = nn.MSELoss()

    for epoch in range(15):
        running = 0.0
        for (xb,) in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), xb)
            loss.backward()
            optimizer.step()
            running += loss.item()
        print(f"epoch {epoch} reconstruction {running / len(loader):.4f}")

    model.eval()
    with torch.no_grad():
        recon = model(torch.tensor(X_val)).numpy()
    print(f"final_val_metric={r2_score(X_val, recon, multioutput='variance_weighted'):.4f}")


if __name__ == "__main__":
    main()
