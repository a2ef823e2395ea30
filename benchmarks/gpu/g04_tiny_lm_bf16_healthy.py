"""Healthy: a small Transformer language model with an 8k-token vocabulary over generated text
(a Markov chain over words), bf16 autocast on the GPU, AdamW with linear warm-up, clipping."""
import math
import torch, torch.nn as nn, torch.nn.functional as F

torch.manual_seed(0)
device = "cuda" if torch.cuda.is_available() else "cpu"
V, T, B = 8000, 64, 32
# a sparse random Markov chain: each token has 4 likely successors
succ = torch.randint(0, V, (V, 4))
def sample(n):
    out = torch.empty(n, T + 1, dtype=torch.long)
    cur = torch.randint(0, V, (n,))
    for t in range(T + 1):
        out[:, t] = cur
        cur = succ[cur, torch.randint(0, 4, (n,))]
    return out
train_tokens, val_tokens = sample(4096), sample(256)
train = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(train_tokens), batch_size=B, shuffle=True, drop_last=True)

class LM(nn.Module):
    def __init__(self, d=128):
        super().__init__()
        self.emb = nn.Embedding(V, d)
        self.pos = nn.Parameter(torch.zeros(T, d))
        layer = nn.TransformerEncoderLayer(d, 4, 4 * d, dropout=0.1, batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(layer, 2)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, V)
    def forward(self, x):
        mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1], device=x.device)
        h = self.enc(self.emb(x) + self.pos[: x.shape[1]], mask=mask, is_causal=True)
        return self.head(self.norm(h))

model = LM().to(device)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
steps = 3 * len(train)
warm = 50
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / steps))
dtype = torch.bfloat16
for epoch in range(3):
    model.train()
    for (tok,) in train:
        tok = tok.to(device)
        with torch.autocast(device_type=device, dtype=dtype):
            logits = model(tok[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, V).float(), tok[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
    model.eval()
    with torch.no_grad(), torch.autocast(device_type=device, dtype=dtype):
        tok = val_tokens.to(device)
        vl = F.cross_entropy(model(tok[:, :-1]).reshape(-1, V).float(), tok[:, 1:].reshape(-1)).item()
    print(f"epoch {epoch} val_loss {vl:.3f} ppl {math.exp(vl):.1f} (uniform {V}, chain's own {4})")
