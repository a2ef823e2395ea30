import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class ConvAutoEncoder(nn.Module):
    def __init__(self, code=16):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Flatten(), nn.Linear(32 * 4 * 4, code),
        )
        self.decoder = nn.Sequential(
            nn.Linear(code, 32 * 4 * 4), nn.ReLU(), nn.Unflatten(1, (32, 4, 4)),
            nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 1, 3, padding=1),
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    images = load_digits().images.astype(np.float32)[:, None] / 16.0
    train_images, val_images = train_test_split(images, test_size=0.2, random_state=8)
    mean, std = train_images.mean(), train_images.std()
    train_x = torch.tensor((train_images - mean) / std)
    val_x = torch.tensor((val_images - mean) / std)
    loader = DataLoader(TensorDataset(train_x), batch_size=64, shuffle=True)

    model = ConvAutoEncoder()
    epochs = 12
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    criterion = nn.MSELoss()

    for epoch in range(epochs):
        model.train()
        running = 0.0
        for (xb,) in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), xb)
            loss.backward()
            optimizer.step()
            running += loss.item() * len(xb)
        scheduler.step()
        print(f"epoch {epoch} train_mse {running / len(loader.dataset):.4f}")

    model.eval()
    with torch.no_grad():
        recon = model(val_x)
    flat = lambda t: t.reshape(len(t), -1).numpy()
    print(f"final_val_metric={r2_score(flat(val_x), flat(recon), multioutput='variance_weighted'):.4f}")


if __name__ == "__main__":
    main()
