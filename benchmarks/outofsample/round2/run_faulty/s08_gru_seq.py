import numpy as np, torch, torch.nn as nn
torch.manual_seed(0); np.random.seed(0)
# task: classify whether the running sum of a noisy sequence ends positive
N, T = 2000, 40
x = torch.randn(N, T, 1)
y = (x[:, :, 0].sum(1) > 0).long()
Xtr, ytr, Xva, yva = x[:1600], y[:1600], x[1600:], y[1600:]
class RNNClf(nn.Module):
    def __init__(self, h=64):
        super().__init__()
        self.rnn = nn.GRU(1, h, batch_first=True)
        self.fc = nn.Linear(h, 2)
        for name, p in self.rnn.named_parameters():
            if "weight_hh" in name:
                nn.init.normal_(p, std=1.0)
            elif "weight_ih" in name:
                nn.init.xavier_uniform_(p)
            else:
                nn.init.zeros_(p)
    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])
model = RNNClf()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
lossf = nn.CrossEntropyLoss()
for ep in range(8):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        b = perm[i:i+32]
        opt.zero_grad(); loss = lossf(model(Xtr[b]), ytr[b]); loss.backward(); opt.step()
    with torch.no_grad():
        acc = (model(Xva).argmax(1) == yva).float().mean().item()
    print(ep, loss.item(), acc)
print("final val acc", acc)
