import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class AutoEncoder(nn.Module):
    def __init__(self, inputs=64, code=16):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(inputs, 128), nn.ReLU(), nn.Linear(128, code))
        self.decoder = nn.Sequential(nn.Linear(code, 128), nn.ReLU(), nn.Linear(128, inputs), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(torch.round(self.encoder(x)))


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, _ = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    X_train, X_val = train_test_split(X, test_size=0.25, random_state=0)
    loader = DataLoader(TensorDataset(torch.tensor(X_train), torch.tensor(X_train)), batch_size=32, shuffle=True)

    model = AutoEncoder()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.MSELoss()

    for epoch in range(10):
        model.train()
        for xb, target in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), target)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f}")

    model.eval()
    with torch.no_grad():
        recon = model(torch.tensor(X_val)).numpy()
    print(f"final_val_metric={r2_score(X_val, recon):.4f}")


if __name__ == "__main__":
    main()
