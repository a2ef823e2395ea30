"""Folk-tune family classification from transcribed note tokens (jig, reel, hornpipe, polka,
slide, mazurka). Token = pitch (two octaves) or rest/bar marker; a small 1-D CNN over embeddings."""
import argparse
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from torch.optim.lr_scheduler import StepLR

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=8)
parser.add_argument("--lr", type=float, default=2e-3)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--seed", type=int, default=3)
args = parser.parse_args()
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)

VOCAB, PAD, BAR, REST = 28, 0, 1, 2          # 3..27 pitches
FAMILIES, SEQ = 6, 48
motifs = [[rng.integers(3, VOCAB, rng.integers(3, 6)).tolist() for _ in range(5)] for _ in range(FAMILIES)]
shared = [rng.integers(3, VOCAB, 4).tolist() for _ in range(8)]


def tune(fam):
    out = []
    while len(out) < SEQ:
        r = rng.random()
        if r < 0.16:
            m = motifs[fam][rng.integers(5)]
        elif r < 0.82:
            m = shared[rng.integers(8)]
        else:
            m = [REST]
        m = [t if rng.random() > 0.25 else int(rng.integers(3, VOCAB)) for t in m]
        out += m + ([BAR] if rng.random() < 0.3 else [])
    return out[:SEQ]


N = 4200
y = rng.integers(0, FAMILIES, N)
X = np.array([tune(f) for f in y], dtype=np.int64)
idx = rng.permutation(N)
tr, te = idx[:3400], idx[3400:]
train_loader = DataLoader(TensorDataset(torch.tensor(X[tr]), torch.tensor(y[tr])), batch_size=args.batch_size, shuffle=True)
test_loader = DataLoader(TensorDataset(torch.tensor(X[te]), torch.tensor(y[te])), batch_size=500)


class TuneCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 32, padding_idx=PAD)
        self.convs = nn.Sequential(
            nn.Conv1d(32, 64, 5, padding=2), nn.ReLU(),
            nn.Conv1d(64, 64, 3, padding=1), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, FAMILIES))

    def forward(self, x):
        h = self.convs(self.embed(x).transpose(1, 2))
        return self.head(h.amax(dim=2))


def train(model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % 25 == 0:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.4f}")


def test(model, loader):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            correct += (output.argmax(1) == target).sum().item()
    test_loss /= len(loader.dataset)
    acc = correct / len(loader.dataset)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(loader.dataset)} ({100 * acc:.1f}%)")
    return test_loss, acc


model = TuneCNN()
enc_lr = args.lr
optimizer = torch.optim.Adam([
    {"params": model.embed.parameters(), "lr": enc_lr},
    {"params": model.convs.parameters(), "lr": enc_lr},
    {"params": model.head.parameters()},
], lr=args.lr)
scheduler = StepLR(optimizer, step_size=3, gamma=0.5)
for epoch in range(1, args.epochs + 1):
    train(model, train_loader, optimizer, epoch)
    test_loss, acc = test(model, test_loader)
    scheduler.step()
torch.save(model.state_dict(), "/tmp/tune_cnn_round37d.pt")
print(f"FINAL test_acc={acc:.4f} test_loss={test_loss:.4f}")
