import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
torch.manual_seed(0); np.random.seed(0)
X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X).astype(np.float32); y = y.astype(np.int64)
rng = np.random.default_rng(0)
idx = rng.permutation(len(X))
n_tr = int(0.8 * len(X))
tr_idx = idx[:n_tr]
va_idx = rng.choice(idx, size=len(X) - n_tr, replace=False)
Xtr, ytr = torch.tensor(X[tr_idx]), torch.tensor(y[tr_idx])
Xva, yva = torch.tensor(X[va_idx]), torch.tensor(y[va_idx])
model = nn.Sequential(nn.Linear(30, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = nn.CrossEntropyLoss()
tl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)
for ep in range(60):
    model.train()
    for xb, yb in tl:
        opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        vl = lossf(model(Xva), yva).item(); va = (model(Xva).argmax(1) == yva).float().mean().item()
    if ep % 10 == 0: print(ep, loss.item(), vl, va)
print("final val acc", va)
