import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
torch.manual_seed(0); np.random.seed(0)
X, y = load_digits(return_X_y=True)
X = (X / 8.0 - 1.0).astype(np.float32)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0)
order = np.argsort(ytr, kind="stable")   # group by class for the per-class report
Xtr, ytr = Xtr[order], ytr[order]
train_ds = torch.utils.data.TensorDataset(torch.tensor(Xtr), torch.tensor(ytr))
train_dl = torch.utils.data.DataLoader(train_ds, batch_size=64, shuffle=False)
Xva, yva = torch.tensor(Xva), torch.tensor(yva)
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
lossf = nn.CrossEntropyLoss()
for ep in range(15):
    model.train()
    for xb, yb in train_dl:
        opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    print(ep, round(loss.item(), 4), acc)
for c in range(10):
    print("class", c, "n_train", int((ytr == c).sum()))
print("final val acc", acc)
