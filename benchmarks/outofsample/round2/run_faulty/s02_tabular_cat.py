import numpy as np, torch, torch.nn as nn
torch.manual_seed(0); np.random.seed(0)
rng = np.random.default_rng(1)
n = 3000
num = rng.normal(size=(n, 6)).astype(np.float32)
store = rng.integers(0, 40, size=n)             # store id
effect = rng.normal(scale=2.0, size=40)
logit = num[:, 0] - 0.7 * num[:, 1] + 0.5 * num[:, 2] * num[:, 3] + effect[store]
y = (logit > 0).astype(np.int64)
X = np.concatenate([num, store[:, None].astype(np.float32)], axis=1)
Xt, yt = torch.tensor(X), torch.tensor(y)
Xtr, ytr, Xva, yva = Xt[:2400], yt[:2400], Xt[2400:], yt[2400:]
model = nn.Sequential(nn.Linear(7, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = nn.CrossEntropyLoss()
dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
for ep in range(30):
    model.train()
    for xb, yb in dl:
        opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    if ep % 5 == 0: print(ep, loss.item(), acc)
print("final val acc", acc)
