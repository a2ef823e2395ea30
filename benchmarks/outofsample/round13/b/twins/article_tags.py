"""Multi-label topic tagging of news articles from 64-d sentence-embedding features.

The tag head's bias starts from the tag frequencies (rare tags, 1-6% of articles each).
"""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import average_precision_score, f1_score
from torch import nn

N_TAGS, DIM = 40, 64


def make_corpus(n, seed=3):
    rng = np.random.default_rng(seed)
    topics = rng.normal(0, 1, (N_TAGS, 12))
    mix = rng.normal(0, 1, (12, DIM)) / np.sqrt(12)
    z = rng.normal(0, 1, (n, 12))
    X = z @ mix + 0.3 * rng.normal(0, 1, (n, DIM))
    rate = rng.uniform(0.01, 0.06, N_TAGS)
    score = z @ topics.T / np.sqrt(12) * 2.5
    thresh = np.array([np.quantile(score[:, k], 1 - rate[k]) for k in range(N_TAGS)])
    Y = (score + rng.normal(0, 0.4, score.shape) > thresh).astype(np.float32)
    return X.astype(np.float32), Y


def main():
    torch.manual_seed(1)
    X, Y = make_corpus(4000)
    X_tr, Y_tr, X_va, Y_va = X[:3200], Y[:3200], X[3200:], Y[3200:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = torch.from_numpy((X_tr - mu) / sd), torch.from_numpy((X_va - mu) / sd)
    Y_tr, Y_va = torch.from_numpy(Y_tr), torch.from_numpy(Y_va)

    model = nn.Sequential(nn.Linear(DIM, 128), nn.ReLU(), nn.Linear(128, N_TAGS))
    prior = Y_tr.mean(0).clamp(1e-3, 1 - 1e-3)
    with torch.no_grad():
        model[-1].bias.copy_(torch.log(prior / (1 - prior)))

    lr, epochs, bs = 2e-3, 10, 64
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(1)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(X_tr), generator=g)
        for i in range(0, len(perm), bs):
            idx = perm[i:i + bs]
            logits = model(X_tr[idx])
            loss = F.binary_cross_entropy_with_logits(logits, Y_tr[idx], reduction="none").sum(1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            va_logits = model(X_va)
            va_loss = F.binary_cross_entropy_with_logits(va_logits, Y_va, reduction="none").sum(1).mean()
        print(f"epoch {epoch + 1} train_loss {loss.item():.4f} val_loss {va_loss.item():.4f}")

    probs = torch.sigmoid(va_logits).numpy()
    keep = Y_va.numpy().sum(0) > 0
    mAP = average_precision_score(Y_va.numpy()[:, keep], probs[:, keep], average="macro")
    f1 = f1_score(Y_va.numpy(), probs > 0.5, average="micro", zero_division=0)
    print(f"final val macro-AP {mAP:.4f} micro-F1 {f1:.4f}")


if __name__ == "__main__":
    main()
