import numpy as np, torch, torch.nn as nn
torch.manual_seed(0); np.random.seed(0)
V, T, N = 12, 16, 3000
tok = torch.randint(1, V, (N, T))
y = ((tok == 3).sum(1) > (tok == 5).sum(1)).long()
Xtr, ytr, Xva, yva = tok[:2500], y[:2500], tok[2500:], y[2500:]
class TinyTF(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.emb = nn.Embedding(V, d)
        self.pos = nn.Parameter(torch.randn(1, T, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, 4, 64, dropout=0.0, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 2)
        self.fc = nn.Linear(d, 2)
    def forward(self, x):
        h = self.enc(self.emb(x) + self.pos)
        return self.fc(h.mean(1))
model = TinyTF()
opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
lossf = nn.CrossEntropyLoss()
step = 0
for ep in range(6):
    model.train()
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 50):
        b = perm[i:i+50]
        loss = lossf(model(Xtr[b]), ytr[b])
        loss.backward()
        opt.step()
        step += 1
    model.eval()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    print(ep, loss.item(), acc)
print("final val acc", acc)
