"""IT help-desk ticket routing (5 queues, imbalanced) from TF-IDF bag-of-words.

Sparse TF-IDF rows (L2-normalised, fitted on the training tickets) into a one-hidden-layer
network. Queues are imbalanced, so the cross-entropy is class-weighted (inverse frequency)
with light label smoothing, and model selection uses macro-F1. The update is written by hand
(plain SGD, p -= lr * grad) with the LR halved every 10 epochs.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

torch.manual_seed(5)
rng = np.random.default_rng(5)

QUEUES = ["network", "access", "hardware", "billing", "app_bug"]
SHARES = [0.42, 0.26, 0.16, 0.10, 0.06]
TOPIC = {
    "network": "vpn wifi dns latency packet router switch disconnect ping firewall proxy bandwidth timeout gateway",
    "access": "password reset locked account permission sso mfa token login role group grant expired badge",
    "hardware": "laptop monitor keyboard battery dock printer screen charger mouse fan overheating headset webcam",
    "billing": "invoice license renewal subscription charge refund cost seat purchase order quote vendor payment",
    "app_bug": "crash error exception stacktrace freeze button report export null release regression version page",
}
COMMON = ("please help urgent issue since yesterday again my the not working cannot team office user need asap "
          "ticket hello thanks update still broken today colleague remote site").split()
topic_words = {q: w.split() for q, w in TOPIC.items()}


def ticket(q):
    n_topic = rng.integers(2, 6)
    words = list(rng.choice(topic_words[q], n_topic))
    # cross-talk: tickets often mention another queue's vocabulary
    if rng.random() < 0.35:
        other = QUEUES[rng.integers(len(QUEUES))]
        words += list(rng.choice(topic_words[other], rng.integers(1, 3)))
    words += list(rng.choice(COMMON, rng.integers(4, 12)))
    rng.shuffle(words)
    return " ".join(words)


labels = rng.choice(len(QUEUES), size=4000, p=SHARES)
texts = [ticket(QUEUES[c]) for c in labels]
t_tr, t_va, y_tr, y_va = train_test_split(texts, labels, test_size=0.25, stratify=labels, random_state=5)

vec = TfidfVectorizer(min_df=2, sublinear_tf=True)
X_tr = torch.tensor(vec.fit_transform(t_tr).toarray(), dtype=torch.float32)
X_va = torch.tensor(vec.transform(t_va).toarray(), dtype=torch.float32)
y_tr, y_va = torch.tensor(y_tr), torch.tensor(y_va)

counts = torch.bincount(y_tr, minlength=len(QUEUES)).float()
class_w = counts.sum() / (len(QUEUES) * counts)

model = nn.Sequential(nn.Linear(X_tr.shape[1], 64), nn.ReLU(), nn.Linear(64, len(QUEUES)))
lr, batch_size, epochs = 0.5, 32, 30

best_f1, best_state = -1.0, None
for epoch in range(epochs):
    if epoch and epoch % 10 == 0:
        lr *= 0.5
    model.train()
    perm = torch.randperm(len(X_tr))
    for i in range(0, len(perm), batch_size):
        idx = perm[i:i + batch_size]
        loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx], weight=class_w, label_smoothing=0.05)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
    model.eval()
    with torch.no_grad():
        logits = model(X_va)
        val_loss = F.cross_entropy(logits, y_va, weight=class_w).item()
        f1 = f1_score(y_va, logits.argmax(1), average="macro")
    if f1 > best_f1:
        best_f1, best_state = f1, {k: v.clone() for k, v in model.state_dict().items()}
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d} lr {lr:.3f} train_loss {loss.item():.4f} val_loss {val_loss:.4f} val_macroF1 {f1:.4f}")

model.load_state_dict(best_state)
print(f"best val macro-F1 {best_f1:.4f}")
