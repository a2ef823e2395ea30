import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
torch.manual_seed(0); np.random.seed(0)
X, y = load_digits(return_X_y=True)
X = (X / 8.0 - 1.0).astype(np.float32).reshape(-1, 1, 8, 8)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0)
Xtr, Xva, ytr, yva = map(torch.tensor, (Xtr, Xva, ytr, yva))
model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
    nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Dropout(0.5), nn.Linear(32 * 16, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = nn.CrossEntropyLoss()
dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
vdl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xva, yva), batch_size=8)
def evaluate():
    correct, total = 0, 0
    with torch.no_grad():
        for xb, yb in vdl:
            correct += (model(xb).argmax(1) == yb).sum().item(); total += len(yb)
    return correct / total
model.train()
for ep in range(10):
    for xb, yb in dl:
        opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
    acc = evaluate()
    print(ep, loss.item(), acc)
print("final val acc", acc)
