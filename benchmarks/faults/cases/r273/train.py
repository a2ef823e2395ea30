import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X = load_digits().data.astype(np.float32)
    X_train, X_val = train_test_split(X, test_size=0.2, random_state=9)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1.0
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
    loader = DataLoader(TensorDataset(torch.tensor(X_train)), batch_size=32, shuffle=True)
    X_val = torch.tensor(X_val)

    encoder = nn.Sequential(nn.Linear(64, 96), nn.ELU(), nn.Dropout(0.1), nn.Linear(96, 24))
    decoder = nn.Sequential(nn.Linear(24, 96), nn.ELU(), nn.Linear(96, 64))
    model = nn.Sequential(encoder, decoder)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.05, epochs=20, steps_per_epoch=len(loader))
    loss_fn = nn.MSELoss()
    noise = 0.3

    for epoch in range(20):
        model.train()
        for (xb,) in loader:
            noisy = xb + noise * torch.randn_like(xb)
            optimizer.zero_grad()
            loss = loss_fn(model(noisy), xb)
            loss.backward()
            optimizer.step()
            scheduler.step()
        model.eval()
        with torch.no_grad():
            val_loss = loss_fn(model(X_val), X_val).item()
        print(f"epoch {epoch} train {loss.item():.4f} val {val_loss:.4f}")

    with torch.no_grad():
        recon = model(X_val).numpy()
    print(f"final_val_metric={r2_score(X_val.numpy(), recon, multioutput='variance_weighted'):.4f}")


if __name__ == "__main__":
    main()
