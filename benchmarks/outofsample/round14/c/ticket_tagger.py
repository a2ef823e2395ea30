"""Multi-label tagging of support tickets (billing, login, outage, ...) from bag-of-words.

Tickets are synthetic: each one mixes the word distributions of its 1-3 tags with a
background distribution. Features are sublinear TF-IDF rows, L2-normalised.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.metrics import average_precision_score, f1_score

SEED = 11
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

VOCAB, TAGS, N = 2000, 14, 4000


def zipf_dist(size, a=1.1):
    p = 1.0 / np.arange(1, size + 1) ** a
    return rng.permutation(p / p.sum())


background = zipf_dist(VOCAB)
tag_words = [zipf_dist(VOCAB, 1.3) for _ in range(TAGS)]
tag_freq = np.linspace(0.35, 0.04, TAGS)

counts = np.zeros((N, VOCAB), dtype=np.float64)
labels = np.zeros((N, TAGS), dtype=np.float32)
for i in range(N):
    k = rng.choice([1, 1, 2, 2, 3])
    tags = rng.choice(TAGS, size=k, replace=False, p=tag_freq / tag_freq.sum())
    labels[i, tags] = 1
    length = rng.integers(25, 110)
    mix = 0.55 * background + 0.45 * np.mean([tag_words[t] for t in tags], axis=0)
    words = rng.choice(VOCAB, size=length, p=mix)
    np.add.at(counts[i], words, 1)

split = 3200
tfidf = TfidfTransformer(sublinear_tf=True).fit(counts[:split])
X = tfidf.transform(counts).toarray().astype(np.float32)
X_tr, X_te = torch.from_numpy(X[:split]), torch.from_numpy(X[split:])
Y_tr, Y_te = torch.from_numpy(labels[:split]), torch.from_numpy(labels[split:])


class Tagger(nn.Module):
    def __init__(self, vocab, tags, hidden=128, p=0.2):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(vocab, hidden), nn.GELU(), nn.Dropout(p),
            nn.Linear(hidden, hidden // 2), nn.GELU(), nn.Dropout(p),
        )
        self.classifier = nn.Linear(hidden // 2, tags)

    def forward(self, x):
        return torch.sigmoid(self.classifier(self.encoder(x)))


model = Tagger(VOCAB, TAGS)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-5)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=6, gamma=0.3)
criterion = nn.BCEWithLogitsLoss()
loader = DataLoader(TensorDataset(X_tr, Y_tr), batch_size=64, shuffle=True)

for epoch in range(1, 15):
    model.train()
    running = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(xb)
    scheduler.step()
    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(X_te), Y_te).item()
    print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.1e} train loss {running / split:.4f} val loss {val_loss:.4f}")

model.eval()
with torch.no_grad():
    scores = torch.sigmoid(model(X_te)).numpy()
y_true = Y_te.numpy()
mAP = average_precision_score(y_true, scores, average="macro")
micro_f1 = f1_score(y_true, scores > 0.5, average="micro", zero_division=0)
print(f"final test macro-AP {mAP:.4f}  micro-F1@0.5 {micro_f1:.4f}")
