import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
torch.manual_seed(0); np.random.seed(0)
X, y = load_digits(return_X_y=True)
X = (X / 8.0 - 1.0).astype(np.float32)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0)
Xtr, Xva = torch.tensor(Xtr), torch.tensor(Xva)
ytr, yva = torch.tensor(ytr, dtype=torch.float32), torch.tensor(yva)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = nn.MSELoss()
dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)
for ep in range(20):
    model.train()
    for xb, yb in dl:
        opt.zero_grad(); loss = lossf(model(xb).squeeze(1), yb); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(Xva).squeeze(1).round().clamp(0, 9).long()
        acc = (pred == yva).float().mean().item()
    if ep % 5 == 0: print(ep, loss.item(), acc)
print("final val acc", acc)
