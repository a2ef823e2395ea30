import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class AutoEncoder(nn.Module):
    def __init__(self, n_in=64, code=12):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(n_in, 128), nn.ReLU(), nn.Linear(128, code))
        self.decoder = nn.Sequential(nn.Linear(code, 128), nn.ReLU(), nn.Linear(128, n_in), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X = load_digits().data.astype(np.float32) / 16.0
    X_train, X_val = train_test_split(X, test_size=0.2, random_state=7)
    loader = DataLoader(TensorDataset(torch.tensor(X_train)), batch_size=32, shuffle=True)
    X_val = torch.tensor(X_val)

    model = AutoEncoder()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.MSELoss()

    for epoch in range(25):
        model.train()
        for (xb,) in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), xb)
            loss.backward()
            optimizer.step()
        if epoch % 5 == 0:
            print(f"epoch {epoch} loss {loss.item():.4f}")

    model.eval()
    with torch.no_grad():
        recon = model(X_val).numpy()
    print(f"final_val_metric={r2_score(X_val.numpy(), recon, multioutput='variance_weighted'):.4f}")


if __name__ == "__main__":
    main()
