import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class VAE(nn.Module):
    def __init__(self, n_in=64, hidden=128, latent=8):
        super().__init__()
        self.fc1 = nn.Linear(n_in, hidden)
        self.fc_mu = nn.Linear(hidden, latent)
        self.fc_logvar = nn.Linear(hidden, latent)
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, n_in)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc_mu(h), self.fc_logvar(h)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + torch.randn_like(std) * std

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x):
        mu, logvar = self.encode(x)
        return self.decode(self.reparameterize(mu, logvar)), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x, reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X = load_digits().data.astype(np.float32) / 16.0
    X_train, X_val = train_test_split(X, test_size=0.2, random_state=10)
    train_loader = DataLoader(TensorDataset(torch.tensor(X_train)), batch_size=64, shuffle=True)
    X_val = torch.tensor(X_val)

    model = VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    for epoch in range(30):
        model.train()
        train_loss = 0.0
        for (data,) in train_loader:
            optimizer.zero_grad()
            recon, mu, logvar = model(data)
            loss = loss_function(recon, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
        if epoch % 5 == 0:
            print(f"epoch {epoch} average loss {train_loss / len(train_loader.dataset):.4f}")

    model.eval()
    with torch.no_grad():
        mu, _ = model.encode(X_val)
        recon = model.decode(mu)
        recon_s, mu_s, logvar_s = model(X_val)
        val_loss = loss_function(recon_s, X_val, mu_s, logvar_s).item() / len(X_val)
    print(f"val loss {val_loss:.4f}")
    print(f"final_val_metric={r2_score(X_val.numpy(), recon.numpy(), multioutput='variance_weighted'):.4f}")


if __name__ == "__main__":
    main()
