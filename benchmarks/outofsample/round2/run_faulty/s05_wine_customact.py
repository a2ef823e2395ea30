import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split
torch.manual_seed(0); np.random.seed(0)
class Swish(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        s = torch.sigmoid(x)
        ctx.save_for_backward(x, s)
        return x * s
    @staticmethod
    def backward(ctx, g):
        x, s = ctx.saved_tensors
        return s + x * s * (1 - s)
class Act(nn.Module):
    def forward(self, x): return Swish.apply(x)
X, y = load_wine(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
sc = StandardScaler().fit(Xtr)
Xtr, Xva = [torch.tensor(sc.transform(a), dtype=torch.float32) for a in (Xtr, Xva)]
ytr, yva = torch.tensor(ytr), torch.tensor(yva)
model = nn.Sequential(nn.Linear(13, 64), Act(), nn.Linear(64, 64), Act(), nn.Linear(64, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
lossf = nn.CrossEntropyLoss()
for ep in range(200):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        b = perm[i:i+32]
        opt.zero_grad(); loss = lossf(model(Xtr[b]), ytr[b]); loss.backward(); opt.step()
    if ep % 40 == 0:
        with torch.no_grad(): print(ep, loss.item(), (model(Xva).argmax(1) == yva).float().mean().item())
with torch.no_grad():
    print("final val acc", (model(Xva).argmax(1) == yva).float().mean().item(), "train loss", lossf(model(Xtr), ytr).item())
