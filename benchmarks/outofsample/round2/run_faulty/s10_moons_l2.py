import numpy as np, torch, torch.nn as nn
from sklearn.datasets import make_moons
torch.manual_seed(0); np.random.seed(0)
X, y = make_moons(n_samples=2000, noise=0.15, random_state=0)
X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
Xtr, ytr, Xva, yva = X[:1600], y[:1600], X[1600:], y[1600:]
model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-2, weight_decay=0.1)
lossf = nn.CrossEntropyLoss()
dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)
for ep in range(25):
    model.train()
    for xb, yb in dl:
        opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        tl = lossf(model(Xtr), ytr).item(); acc = (model(Xva).argmax(1) == yva).float().mean().item()
    if ep % 5 == 0: print(ep, tl, acc)
print("final train loss", tl, "final val acc", acc)
