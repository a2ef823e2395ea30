"""Digits: (1) pre-train an MLP autoencoder on the training images (no labels),
(2) freeze the encoder (requires_grad=False, eval mode) and train only a small
classification head on its codes.  Adam for both stages; the head's optimizer only
receives the head's parameters."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)


class AutoEncoder(nn.Module):
    def __init__(self, d_in=64, code=16):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d_in, 128), nn.ReLU(), nn.Linear(128, code))
        self.decoder = nn.Sequential(nn.Linear(code, 128), nn.ReLU(), nn.Linear(128, d_in))

    def forward(self, x):
        return self.decoder(self.encoder(x))


def main():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    Xtr, Xva = torch.tensor(X_tr), torch.tensor(X_va)
    ytr, yva = torch.tensor(y_tr), torch.tensor(y_va)

    # stage 1: autoencoder
    ae = AutoEncoder()
    opt = torch.optim.Adam(ae.parameters(), lr=2e-3)
    loader = DataLoader(TensorDataset(Xtr), batch_size=64, shuffle=True)
    mse = nn.MSELoss()
    for epoch in range(30):
        ae.train()
        for (x,) in loader:
            opt.zero_grad()
            loss = mse(ae(x), x)
            loss.backward()
            opt.step()
        if epoch % 5 == 4:
            ae.eval()
            with torch.no_grad():
                print(f"AE epoch {epoch:2d} train_mse {loss.item():.4f} val_mse {mse(ae(Xva), Xva).item():.4f}")

    # stage 2: frozen encoder + trainable head
    encoder = ae.encoder
    for p in encoder.parameters():
        p.requires_grad = False
    encoder.eval()
    head = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 10))
    model = nn.Sequential(encoder, head)
    opt = torch.optim.Adam(head.parameters(), lr=3e-3)
    ce = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
    for epoch in range(25):
        head.train()
        for x, yb in loader:
            opt.zero_grad()
            loss = ce(model(x), yb)
            loss.backward()
            opt.step()
        head.eval()
        with torch.no_grad():
            out = model(Xva)
            val_loss = ce(out, yva).item()
            acc = (out.argmax(1) == yva).float().mean().item()
        if epoch % 5 == 4:
            print(f"head epoch {epoch:2d} train_loss {loss.item():.4f} val_loss {val_loss:.4f} val_acc {acc:.4f}")
    print(f"final val_acc {acc:.4f}")


if __name__ == "__main__":
    main()
