import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(0); np.random.seed(0)
X, y = load_diabetes(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0)
sx = StandardScaler().fit(Xtr)
mu, sd = ytr.mean(), ytr.std()
Xtr, Xva = sx.transform(Xtr).astype(np.float32), sx.transform(Xva).astype(np.float32)
ytr_s, yva_s = ((ytr - mu) / sd).astype(np.float32), ((yva - mu) / sd).astype(np.float32)
train = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr_s)), batch_size=16, shuffle=True)
model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.003, momentum=0.9)
lossf = nn.MSELoss()
for ep in range(40):
    model.train()
    for xb, yb in train:
        opt.zero_grad(); loss = lossf(model(xb).squeeze(1), yb); loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.001)
        opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(torch.tensor(Xva)).squeeze(1).numpy() * sd + mu
    r2 = 1 - ((pred - yva) ** 2).mean() / yva.var()
    if ep % 20 == 19: print(f"epoch {ep+1} loss {loss.item():.3f} val_r2 {r2:.3f}")
print(f"final val_r2 {r2:.4f}")
