"""Query-document relevance grading (0 = bad .. 4 = perfect) from LETOR-style features.

Grades are ordinal, so the head is CORAL-style: one shared score and K-1 ordered
thresholds, each trained as a binary "grade > k" logit. The split is by query, so no query
has documents on both sides. Ranking quality is NDCG@10 on held-out queries, ranking by
the expected grade.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

K = 5
FEATURES = ["bm25_body", "bm25_title", "tfidf_cos", "coverage", "title_exact", "log_doc_len",
            "log_pagerank", "url_depth", "click_rate", "log_age_days", "spam_score", "query_len"]


def simulate(n_queries, docs_per_query, rng):
    rows, grades, qids = [], [], []
    for q in range(n_queries):
        qlen = rng.integers(1, 6)
        difficulty = rng.normal(0, 0.6)
        m = docs_per_query
        coverage = rng.beta(1.2, 2.0, m)
        coverage = np.round(coverage * qlen) / qlen
        title_exact = (rng.random(m) < 0.15 + 0.4 * coverage).astype(float)
        doc_len = rng.lognormal(6.5, 0.9, m)
        bm25_body = coverage * qlen * rng.gamma(3, 1.2, m) / (1 + doc_len / 2000)
        bm25_title = title_exact * rng.gamma(4, 1.5, m) + coverage * rng.gamma(1, 1, m)
        tfidf = np.clip(coverage * 0.6 + rng.normal(0, 0.12, m), 0, 1)
        pagerank = rng.pareto(1.5, m) + 1
        depth = rng.integers(1, 7, m)
        spam = rng.beta(1, 8, m)
        age = rng.exponential(400, m) + 1
        latent = (3.0 * coverage ** (0.5 + 0.6 * qlen) + 0.9 * title_exact * np.tanh(bm25_title / 4)
                  + 0.6 * np.tanh(np.log(pagerank)) - 0.45 * (np.log(doc_len) - 6.3) ** 2
                  - 4.0 * np.maximum(spam - 0.25, 0) - 0.25 * depth * (qlen >= 3)
                  - 0.3 * np.log(age) * (qlen <= 2) + 1.2 - difficulty + rng.normal(0, 0.25, m))
        click = 1 / (1 + np.exp(-(latent - 1.0) * 1.5 + rng.normal(0, 0.5, m))) * rng.beta(2, 5, m) * 2
        grade = np.digitize(latent, [0.6, 1.5, 2.3, 3.0])
        rows.append(np.column_stack([bm25_body, bm25_title, tfidf, coverage, title_exact, np.log(doc_len),
                                     np.log(pagerank), depth, click, np.log(age), spam, np.full(m, qlen)]))
        grades.append(grade)
        qids.append(np.full(m, q))
    return np.vstack(rows).astype(np.float32), np.concatenate(grades), np.concatenate(qids)


class CoralRanker(nn.Module):
    def __init__(self, d_in, k=K):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.score = nn.Linear(64, 1, bias=False)
        self.thresholds = nn.Parameter(torch.linspace(1.0, -1.0, k - 1))

    def forward(self, x):
        return self.score(self.body(x)) + self.thresholds     # (B, K-1) logits of P(grade > k)


def coral_targets(y, k=K):
    return (y.unsqueeze(1) > torch.arange(k - 1)).float()


def ndcg_at(scores, grades, qids, k=10):
    vals = []
    for q in np.unique(qids):
        s, g = scores[qids == q], grades[qids == q]
        if g.max() == 0:
            continue
        disc = 1 / np.log2(np.arange(2, k + 2))
        dcg = ((2 ** g[np.argsort(-s)][:k] - 1) * disc[: min(k, len(g))]).sum()
        idcg = ((2 ** np.sort(g)[::-1][:k] - 1) * disc[: min(k, len(g))]).sum()
        vals.append(dcg / idcg)
    return float(np.mean(vals))


def main():
    torch.manual_seed(8)
    rng = np.random.default_rng(8)
    X, y, qid = simulate(260, 25, rng)
    q_perm = rng.permutation(260)
    val_q = np.isin(qid, q_perm[:60])
    mu, sd = X[~val_q].mean(0), X[~val_q].std(0)
    Xs = (X - mu) / sd
    print("grade shares (train):", np.round(np.bincount(y[~val_q], minlength=K) / (~val_q).sum(), 3))

    Xtr, ytr = torch.from_numpy(Xs[~val_q]), torch.from_numpy(y[~val_q])
    Xva, yva, qva = torch.from_numpy(Xs[val_q]), y[val_q], qid[val_q]
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=50, shuffle=True)

    model = CoralRanker(X.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.3)

    for epoch in range(1, 26):
        model.train()
        total = 0.0
        for xb, yb in loader:
            logits = model(xb)
            loss = F.binary_cross_entropy_with_logits(logits, coral_targets(yb))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
        scheduler.step()
        if epoch % 5 == 0:
            model.eval()
            with torch.no_grad():
                p = torch.sigmoid(model(Xva))
            expected = p.sum(1).numpy()
            pred_grade = (p > 0.5).sum(1).numpy()
            print(f"epoch {epoch:2d}  train loss {total / len(ytr):.4f}  val NDCG@10 {ndcg_at(expected, yva, qva):.4f}  "
                  f"grade acc {np.mean(pred_grade == yva):.3f}  MAE {np.abs(pred_grade - yva).mean():.3f}")
    print(f"final: val NDCG@10 {ndcg_at(expected, yva, qva):.4f}  exact-grade acc {np.mean(pred_grade == yva):.3f}  "
          f"grade MAE {np.abs(pred_grade - yva).mean():.3f}")


if __name__ == "__main__":
    main()
