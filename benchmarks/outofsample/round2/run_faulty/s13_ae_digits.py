import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_digits
torch.manual_seed(0); np.random.seed(0)
X, _ = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
Xtr, Xva = X[:1500], X[1500:]
class AE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 16))
        self.decoder = nn.Sequential(nn.Linear(16, 128), nn.ReLU())
        self.out = nn.Linear(128, 64)
    def forward(self, x):
        return torch.sigmoid(self.out(self.decoder(self.encoder(x))))
model = AE()
params = list(model.encoder.parameters()) + list(model.decoder.parameters())
opt = torch.optim.Adam(params, lr=1e-3)
lossf = nn.MSELoss()
dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr), batch_size=64, shuffle=True)
for ep in range(40):
    for (xb,) in dl:
        opt.zero_grad(); loss = lossf(model(xb), xb); loss.backward(); opt.step()
    with torch.no_grad(): vl = lossf(model(Xva), Xva).item()
    if ep % 10 == 0: print(ep, loss.item(), vl)
print("final val mse", vl)
