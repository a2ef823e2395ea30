"""Product search with a two-tower model and an in-batch-negatives (InfoNCE) loss.

Catalogue items have 24 numeric attributes (standardised with training statistics); queries are
short token strings over a 5000-word vocabulary (attribute words, category words and noise words).
model(query_tokens, item_features) returns the B x B matrix of query/item similarities; the
target for row i is column i, so labels are torch.arange(B) in every batch by construction.
Validation: recall@1/@10 of each held-out query against all 800 held-out items (new items, never
seen in training).
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 99
torch.manual_seed(SEED)
np.random.seed(SEED)
rng = np.random.default_rng(SEED)

VOCAB, PAD = 5000, 0
N_LAT, N_BINS, N_CAT = 12, 6, 20
Q_LEN = 10
proj = rng.normal(size=(N_LAT + N_CAT, 24)) / np.sqrt(N_LAT)
col_scale, col_offset = rng.uniform(0.5, 20, 24), rng.uniform(-5, 50, 24)   # raw units differ per column
# token ids: 1..72 attribute words (latent dim x bin), 100..299 category words, the rest is noise
attr_token = 1 + np.arange(N_LAT * N_BINS).reshape(N_LAT, N_BINS)
cat_words = 100 + np.arange(N_CAT * 10).reshape(N_CAT, 10)
edges = np.quantile(rng.normal(size=100000), np.linspace(0, 1, N_BINS + 1)[1:-1])


def make_catalogue(n):
    z = rng.normal(size=(n, N_LAT))
    cat = rng.integers(0, N_CAT, n)
    feats = np.concatenate([z, np.eye(N_CAT)[cat] * 1.5], 1) @ proj
    feats += rng.normal(0, 0.1, feats.shape) * feats.std(0)
    feats = feats * col_scale + col_offset
    queries = np.full((n, Q_LEN), PAD, dtype=np.int64)
    for i in range(n):
        dims = rng.choice(N_LAT, size=5, replace=False)
        words = [attr_token[d, np.digitize(z[i, d], edges)] for d in dims]
        words += list(rng.choice(cat_words[cat[i]], size=2))
        words += list(rng.integers(300, VOCAB, size=rng.integers(0, 3)))     # "cheap", "buy", typos ...
        rng.shuffle(words)
        queries[i, : len(words)] = words
    return feats.astype(np.float32), queries


feat_tr, q_tr = make_catalogue(16000)
feat_va, q_va = make_catalogue(800)
mu, sd = feat_tr.mean(0), feat_tr.std(0)
feat_tr = torch.tensor((feat_tr - mu) / sd)
feat_va = torch.tensor((feat_va - mu) / sd)
q_tr, q_va = torch.tensor(q_tr), torch.tensor(q_va)


class TwoTower(nn.Module):
    def __init__(self, vocab, n_feat, d=64, temperature=0.05):
        super().__init__()
        self.query_emb = nn.EmbeddingBag(vocab, d, mode="mean", padding_idx=PAD)
        self.query_mlp = nn.Sequential(nn.Linear(d, 128), nn.ReLU(), nn.Linear(128, d))
        self.item_mlp = nn.Sequential(nn.Linear(n_feat, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                                      nn.Linear(128, d))
        self.temperature = temperature

    def encode_query(self, tokens):
        return F.normalize(self.query_mlp(self.query_emb(tokens)), dim=-1)

    def encode_item(self, feats):
        return F.normalize(self.item_mlp(feats), dim=-1)

    def forward(self, tokens, feats):
        return self.encode_query(tokens) @ self.encode_item(feats).T / self.temperature


model = TwoTower(VOCAB, feat_tr.shape[1])
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
BS, EPOCHS = 128, 8
steps = EPOCHS * (len(q_tr) // BS)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, total_steps=steps, pct_start=0.1)


@torch.no_grad()
def evaluate():
    model.eval()
    sims = model(q_va, feat_va)                        # every held-out query vs every held-out item
    target = torch.arange(len(q_va))
    rank = (sims > sims[target, target][:, None]).sum(1)
    val_loss = F.cross_entropy(sims, target).item()
    return val_loss, (rank < 1).float().mean().item(), (rank < 10).float().mean().item()


for epoch in range(1, EPOCHS + 1):
    model.train()
    perm = torch.randperm(len(q_tr))
    total = 0.0
    for s in range(0, len(perm) - BS + 1, BS):        # drop the ragged last batch: fixed #negatives
        b = perm[s:s + BS]
        logits = model(q_tr[b], feat_tr[b])
        labels = torch.arange(len(b))
        loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2   # symmetric InfoNCE
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item()
    v_loss, r1, r10 = evaluate()
    print(f"epoch {epoch:2d} train_infonce {total / (len(perm) // BS):.3f} val_infonce(800-way) {v_loss:.3f} "
          f"recall@1 {r1:.3f} recall@10 {r10:.3f}")

print(f"FINAL val recall@1 {r1:.3f} recall@10 {r10:.3f} (random: {1 / 800:.4f} / {10 / 800:.4f})")
