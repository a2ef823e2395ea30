import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Encoder(nn.Module):
    def __init__(self, latent):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten())
        self.mu = nn.Linear(32 * 16, latent)
        self.logvar = nn.Linear(32 * 16, latent)

    def forward(self, x):
        h = self.net(x)
        return self.mu(h), self.logvar(h)


class Decoder(nn.Module):
    def __init__(self, latent):
        super().__init__()
        self.fc = nn.Linear(latent, 32 * 16)
        self.net = nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.ReLU(), nn.Conv2d(16, 1, 3, padding=1))

    def forward(self, z):
        return self.net(self.fc(z).view(-1, 32, 4, 4))


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    images = load_digits().images.astype(np.float32)[:, None] / 16.0
    train_images, val_images = train_test_split(images, test_size=0.2, random_state=12)
    loader = DataLoader(TensorDataset(torch.tensor(train_images)), batch_size=32, shuffle=True)
    val_x = torch.tensor(val_images)

    latent = 10
    encoder, decoder = Encoder(latent), Decoder(latent)
    params = list(encoder.parameters()) + list(decoder.parameters())
    optimizer = torch.optim.Adam(params, lr=2e-3)
    epochs = 15
    warmup_steps = 5 * len(loader)
    step = 0

    for epoch in range(epochs):
        encoder.train()
        decoder.train()
        for (xb,) in loader:
            mu, logvar = encoder(xb)
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
            logits = decoder(z)
            recon = nn.functional.binary_cross_entropy_with_logits(logits, xb, reduction="sum") / len(xb)
            kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(dim=1)).mean()
            beta = min(1.0, step / warmup_steps)
            loss = recon + beta * kl
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 5.0)
            optimizer.step()
            step += 1
        print(f"epoch {epoch} recon {recon.item():.2f} kl {kl.item():.2f} beta {beta:.2f}")

    encoder.eval()
    decoder.eval()
    with torch.no_grad():
        mu, _ = encoder(val_x)
        recon = torch.sigmoid(decoder(mu))
    print(f"final_val_metric={r2_score(val_x.reshape(len(val_x), -1).numpy(), recon.reshape(len(recon), -1).numpy(), multioutput='variance_weighted'):.4f}")


if __name__ == "__main__":
    main()
