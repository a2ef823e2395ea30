import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(0); np.random.seed(0)
X, _ = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
Xtr, Xva = train_test_split(X, test_size=0.25, random_state=0)
train = DataLoader(TensorDataset(torch.tensor(Xtr)), batch_size=32, shuffle=True)

class AutoEncoder(nn.Module):
    def __init__(self, d=64, z=12):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU())
        self.to_latent = nn.Linear(64, z)
        self.from_latent = nn.Sequential(nn.Linear(z, 64), nn.ReLU())
        self.decoder = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, d))
    def forward(self, x):
        return self.decoder(self.from_latent(self.to_latent(self.encoder(x))))

model = AutoEncoder()
params = list(model.encoder.parameters()) + list(model.to_latent.parameters()) + list(model.from_latent.parameters())
opt = torch.optim.Adam(params, lr=1e-3)
lossf = nn.MSELoss()
for ep in range(40):
    model.train()
    for (xb,) in train:
        opt.zero_grad(); loss = lossf(model(xb), xb); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        vmse = lossf(model(torch.tensor(Xva)), torch.tensor(Xva)).item()
    if ep % 10 == 9: print(f"epoch {ep+1} loss {loss.item():.4f} val_mse {vmse:.4f}")
print(f"final val_mse {vmse:.5f} (input var {Xva.var():.4f})")
