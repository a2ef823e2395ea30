import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_digits
torch.manual_seed(0); np.random.seed(0)
X, y = load_digits(return_X_y=True)
X = (X / 8.0 - 1.0).astype(np.float32)
rng = np.random.default_rng(0); idx = rng.permutation(len(X))
tr, va = idx[:100], idx[100:600]
Xtr, ytr, Xva, yva = torch.tensor(X[tr]), torch.tensor(y[tr]), torch.tensor(X[va]), torch.tensor(y[va])
model = nn.Sequential(nn.Linear(64, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = nn.CrossEntropyLoss()
dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr), batch_size=20, shuffle=True)
for ep in range(150):
    model.train()
    for xb, yb in dl:
        opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        tl = lossf(model(Xtr), ytr).item(); vl = lossf(model(Xva), yva).item()
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    if ep % 25 == 0: print(ep, tl, vl, acc)
print("final train loss", tl, "val loss", vl, "val acc", acc)
