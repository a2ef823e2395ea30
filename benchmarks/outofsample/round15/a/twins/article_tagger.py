"""Topic tagger for news articles: each article carries one or more of 8 section tags.

Bag-of-words counts -> TF-IDF-like weighting -> MLP; evaluated with micro/macro F1.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import f1_score
from torch.utils.data import DataLoader, TensorDataset

TAGS = ["politics", "economy", "tech", "science", "sport", "culture", "health", "climate"]

torch.manual_seed(3)
np.random.seed(3)

counts, tags = make_multilabel_classification(
    n_samples=4000, n_features=200, n_classes=len(TAGS), n_labels=2,
    length=150, allow_unlabeled=False, random_state=3,
)
split = 3200
df = (counts[:split] > 0).sum(0) + 1
idf = np.log((split + 1) / df)
tfidf = np.log1p(counts) * idf
tfidf /= np.linalg.norm(tfidf, axis=1, keepdims=True) + 1e-12
tfidf *= np.sqrt(tfidf.shape[1])

X = torch.tensor(tfidf, dtype=torch.float32)
Y = torch.tensor(tags, dtype=torch.float32)
train_ds = TensorDataset(X[:split], Y[:split])
val_X, val_Y = X[split:], Y[split:]


class Tagger(nn.Module):
    def __init__(self, n_in, n_tags, hidden=256, p=0.3):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden), nn.ReLU(), nn.Dropout(p),
            nn.Linear(hidden, hidden // 2), nn.ReLU(), nn.Dropout(p),
        )
        self.head = nn.Linear(hidden // 2, n_tags)

    def forward(self, x):
        return self.head(self.body(x))


model = Tagger(X.shape[1], len(TAGS))
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
EPOCHS = 15
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)
loader = DataLoader(train_ds, batch_size=64, shuffle=True)


def evaluate():
    model.eval()
    with torch.no_grad():
        pred = (torch.sigmoid(model(val_X)) > 0.5).int().numpy()
    truth = val_Y.int().numpy()
    return f1_score(truth, pred, average="micro", zero_division=0), f1_score(truth, pred, average="macro", zero_division=0)


for epoch in range(EPOCHS):
    model.train()
    running = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(xb)
    scheduler.step()
    micro, macro = evaluate()
    print(f"epoch {epoch + 1:2d} loss {running / len(train_ds):.4f} val micro-F1 {micro:.4f} macro-F1 {macro:.4f}")

micro, macro = evaluate()
print(f"final val micro-F1 {micro:.4f} macro-F1 {macro:.4f}")
