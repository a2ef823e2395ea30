"""Product-review topic classification with frozen co-occurrence word vectors.

Stage 1 builds word vectors from an unlabelled corpus of token-id reviews (PPMI + truncated SVD).
Stage 2 trains a small classifier over an nn.EmbeddingBag initialised from those vectors and
deliberately frozen (requires_grad False); only the classifier layers learn. Label smoothing 0.1,
AdamW, ReduceLROnPlateau on the validation loss. Prints validation accuracy.
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(17)
rng = np.random.default_rng(17)
VOCAB, N_TOPICS, DIM = 1500, 6, 48


def corpus(n, topic_words, background_p):
    docs, labels = [], []
    for _ in range(n):
        t = int(rng.integers(N_TOPICS))
        length = int(rng.integers(12, 60))
        n_topic = rng.binomial(length, 0.12)
        words = np.concatenate([rng.choice(topic_words[t], n_topic),
                                rng.choice(VOCAB, length - n_topic, p=background_p)])
        docs.append(rng.permutation(words))
        labels.append(t)
    return docs, np.array(labels)


def ppmi_svd(docs, dim):
    C = np.zeros((VOCAB, VOCAB))
    for d in docs:
        for i in range(len(d)):
            for j in range(max(0, i - 4), min(len(d), i + 5)):
                if i != j:
                    C[d[i], d[j]] += 1
    total = C.sum()
    pw = C.sum(1, keepdims=True) / total
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log((C / total) / (pw @ pw.T))
    ppmi = np.nan_to_num(np.maximum(pmi, 0), posinf=0.0)
    U, S, _ = np.linalg.svd(ppmi, full_matrices=False)
    vec = U[:, :dim] * np.sqrt(S[:dim])
    return (vec / (np.linalg.norm(vec, axis=1, keepdims=True) + 1e-6)).astype(np.float32)


def to_bag(docs):
    flat = torch.from_numpy(np.concatenate(docs)).long()
    offsets = torch.tensor([0] + [len(d) for d in docs[:-1]]).cumsum(0)
    return flat, offsets


class TopicClassifier(nn.Module):
    def __init__(self, vectors):
        super().__init__()
        self.bag = nn.EmbeddingBag.from_pretrained(torch.from_numpy(vectors), freeze=True, mode="mean")
        self.head = nn.Sequential(nn.Linear(vectors.shape[1], 96), nn.ReLU(), nn.Dropout(0.2), nn.Linear(96, N_TOPICS))

    def forward(self, flat, offsets):
        return self.head(self.bag(flat, offsets) * 4.0)


def main():
    background_p = 1.0 / np.arange(1, VOCAB + 1) ** 1.05
    background_p /= background_p.sum()
    topic_words = [rng.choice(np.arange(100, VOCAB), 40, replace=False) for _ in range(N_TOPICS)]
    unlabelled, _ = corpus(3000, topic_words, background_p)
    vectors = ppmi_svd(unlabelled, DIM)

    docs, y = corpus(1600, topic_words, background_p)
    y = torch.from_numpy(y)
    tr_docs, va_docs = docs[:1200], docs[1200:]
    va_flat, va_off = to_bag(va_docs)

    model = TopicClassifier(vectors)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-3, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)

    for epoch in range(1, 26):
        model.train()
        perm = torch.randperm(1200)
        for s in range(0, 1200, 32):
            idx = perm[s:s + 32].tolist()
            flat, off = to_bag([tr_docs[i] for i in idx])
            loss = criterion(model(flat, off), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            logits = model(va_flat, va_off)
            vloss = criterion(logits, y[1200:]).item()
            vacc = (logits.argmax(1) == y[1200:]).float().mean().item()
        scheduler.step(vloss)
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d} train_loss {loss.item():.4f} val_loss {vloss:.4f} val_acc {vacc:.4f} lr {optimizer.param_groups[0]['lr']:.1e}")
    print(f"final val_acc {vacc:.4f}")


if __name__ == "__main__":
    main()
