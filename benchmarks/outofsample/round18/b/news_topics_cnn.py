"""Multi-label topic tagging of wire-service news items (token ids), text CNN.

An item carries up to three desk topics; general items carry none. Tokens come from the newsroom tokenizer
(ids; 0 = pad). Kim-style CNN with three filter widths, AdamW + one-cycle schedule.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
rng = np.random.default_rng(5)

TOPICS = ["politics", "economy", "technology", "sports", "health", "climate", "culture"]
VOCAB, MAX_LEN, N = 3000, 96, 4200


def make_corpus(n):
    K = len(TOPICS)
    common = rng.zipf(1.3, 400000) % 1200 + 1                        # function words, names, numbers
    topic_words = [rng.choice(np.arange(1200, VOCAB), 160, replace=False) for _ in range(K)]
    topic_p = [rng.dirichlet(np.full(160, 0.3)) for _ in range(K)]
    Y = np.zeros((n, K), np.float32)
    X = np.zeros((n, MAX_LEN), np.int64)
    ci = 0
    for i in range(n):
        k = rng.choice([0, 0, 1, 1, 1, 2, 2, 3])
        ts = rng.choice(K, k, replace=False)
        Y[i, ts] = 1
        length = rng.integers(40, MAX_LEN + 1)
        n_topic = rng.binomial(length, 0.25)
        toks = list(common[ci:ci + length - n_topic]); ci += length - n_topic
        for _ in range(n_topic):
            if k == 0:
                toks.append(rng.integers(1200, VOCAB))
            else:
                t = rng.choice(ts)
                toks.append(topic_words[t][rng.choice(160, p=topic_p[t])])
        toks = rng.permutation(np.array(toks))
        X[i, :length] = toks
    return X, Y


class TextCNN(nn.Module):
    def __init__(self, vocab, n_out, dim=64, n_filters=64, widths=(2, 3, 5)):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim, padding_idx=0)
        self.convs = nn.ModuleList(nn.Conv1d(dim, n_filters, w, padding=w // 2) for w in widths)
        self.drop = nn.Dropout(0.3)
        self.out = nn.Linear(n_filters * len(widths), n_out)

    def forward(self, tokens):
        h = self.emb(tokens).transpose(1, 2)
        pooled = [torch.relu(c(h)).amax(-1) for c in self.convs]
        return self.out(self.drop(torch.cat(pooled, 1)))


X, Y = make_corpus(N)
n_tr = 3400
train_dl = DataLoader(TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(Y[:n_tr])), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(X[n_tr:]), torch.from_numpy(Y[n_tr:])), batch_size=256)

model = TextCNN(VOCAB, len(TOPICS))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
epochs = 6
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=epochs * len(train_dl))


def evaluate():
    model.eval()
    tp = fp = fn = 0
    exact = 0
    with torch.no_grad():
        for xb, yb in val_dl:
            pred = (torch.sigmoid(model(xb)) > 0.5).float()
            tp += (pred * yb).sum().item()
            fp += (pred * (1 - yb)).sum().item()
            fn += ((1 - pred) * yb).sum().item()
            exact += (pred == yb).all(1).sum().item()
    return 2 * tp / max(2 * tp + fp + fn, 1), exact / len(val_dl.dataset)


for epoch in range(1, epochs + 1):
    model.train()
    total = 0.0
    for xb, yb in train_dl:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(xb)
    f1, exact = evaluate()
    print(f"epoch {epoch}  train loss {total / n_tr:.4f}  val micro-F1 {f1:.3f}  exact match {exact:.3f}")

f1, exact = evaluate()
print(f"final val micro-F1 {f1:.3f}  exact-match {exact:.3f}")
