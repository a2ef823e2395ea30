"""Checkup spec: convolutional autoencoder for the 8x8 digit scans, pixels mapped to [-1, 1]
and a tanh output layer to match that range; reconstruction MSE.
"""
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nndoctor


class ConvAE(nn.Module):
    def __init__(self, code=12):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ELU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ELU(),          # 4x4
            nn.Flatten(), nn.Linear(32 * 16, code))
        self.dec = nn.Sequential(
            nn.Linear(code, 32 * 16), nn.ELU(), nn.Unflatten(1, (32, 4, 4)),
            nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1), nn.ELU(),  # 8x8
            nn.Conv2d(16, 1, 3, padding=1), nn.Tanh())

    def forward(self, x):
        return self.dec(self.enc(x))


def setup():
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X, dtype=torch.float32).view(-1, 1, 8, 8) / 8.0 - 1.0
    Xtr, Xva = train_test_split(X, test_size=0.2, stratify=y, random_state=0)
    return nndoctor.Setup(
        model=ConvAE(),
        train=(Xtr, Xtr),
        val=(Xva, Xva),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3),
        batch_size=32,
    )


if __name__ == "__main__":
    import types
    nndoctor.Setup = lambda **kw: types.SimpleNamespace(**kw)
    s = setup()
    (Xtr, _), (Xva, _) = s.train, s.val
    opt = s.optimizer(s.model.parameters())
    g = torch.Generator().manual_seed(0)
    for epoch in range(40):
        s.model.train()
        for idx in torch.randperm(len(Xtr), generator=g).split(s.batch_size):
            opt.zero_grad()
            s.loss(s.model(Xtr[idx]), Xtr[idx]).backward()
            opt.step()
    s.model.eval()
    with torch.no_grad():
        mse = s.loss(s.model(Xva), Xva).item()
    from sklearn.decomposition import PCA
    pca = PCA(12).fit(Xtr.view(len(Xtr), -1).numpy())
    rec = pca.inverse_transform(pca.transform(Xva.view(len(Xva), -1).numpy()))
    pca_mse = ((rec - Xva.view(len(Xva), -1).numpy()) ** 2).mean()
    print(f"final val_mse {mse:.4f} (PCA-12 {pca_mse:.4f}, predicting the mean {Xva.var(0).mean().item():.4f})")
