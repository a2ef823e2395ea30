import numpy as np, torch, torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(0); np.random.seed(0)
rng = np.random.default_rng(0)
n, T, C = 2000, 30, 4
freqs = np.array([1.0, 2.0, 3.0, 4.5])
y = rng.integers(0, C, n)
t = np.linspace(0, 2 * np.pi, T)
phase = rng.uniform(0, 2 * np.pi, n)
sig = np.sin(freqs[y][:, None] * t[None, :] + phase[:, None]) + rng.normal(0, 0.4, (n, T))
X = sig[:, :, None].astype(np.float32)
Xtr, Xva, ytr, yva = X[:1500], X[1500:], y[:1500], y[1500:]
train = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=32, shuffle=True)

class SeqClassifier(nn.Module):
    def __init__(self, hidden=32, n_cls=4):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_cls)
    def forward(self, x):
        _, h = self.gru(x)
        return self.out(h[-1])

model = SeqClassifier()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
lossf = nn.NLLLoss()
for ep in range(10):
    model.train()
    for xb, yb in train:
        opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(torch.tensor(Xva)).argmax(1).numpy() == yva).mean()
    if ep % 3 == 2: print(f"epoch {ep+1} loss {loss.item():.3f} val_acc {acc:.3f}")
print(f"final val_acc {acc:.4f}")
