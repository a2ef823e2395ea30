import numpy as np, torch, torch.nn as nn
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(0); np.random.seed(0)
rng = np.random.default_rng(0)
n, L, V = 4000, 16, 8
X = rng.integers(0, V, (n, L))
y = ((X == 1).sum(1) > (X == 2).sum(1)).astype(np.int64)
Xtr, Xva, ytr, yva = X[:3200], X[3200:], y[:3200], y[3200:]
train = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=32, shuffle=True)

class TinyTransformer(nn.Module):
    def __init__(self, V, L, d=32):
        super().__init__()
        self.tok = nn.Embedding(V, d)
        self.pos = nn.Parameter(torch.randn(1, L, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, 4, 64, dropout=0.0, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 2)
        self.head = nn.Linear(d, 2)
    def forward(self, x):
        h = self.enc(self.tok(x) + self.pos)
        return self.head(h.mean(1))

model = TinyTransformer(V, L)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
lossf = nn.CrossEntropyLoss()
for ep in range(12):
    model.train()
    for xb, yb in train:
        opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        acc = (model(torch.tensor(Xva)).argmax(1).numpy() == yva).mean()
    if ep % 3 == 2: print(f"epoch {ep+1} loss {loss.item():.3f} val_acc {acc:.3f} lr {sched.get_last_lr()[0]:.2e}")
print(f"final val_acc {acc:.4f}")
