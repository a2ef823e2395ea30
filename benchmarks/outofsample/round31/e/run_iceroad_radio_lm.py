"""Next-token model over ice-road dispatch radio logs (winter-road trucking company).

Transcribed check-in calls: truck id, driver call-sign, portage/lake name, kilometre post,
measured ice thickness, load, speed and a status phrase. Word-level vocabulary of ~8k types
(thousands of truck ids, call-signs and places). Small causal Transformer with tied
input/output embeddings, AdamW with warm-up then cosine decay, gradient accumulation
(2 micro-batches per step) and norm clipping. Reports validation perplexity.
"""
import math
import random
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

random.seed(0)
np.random.seed(0)
torch.manual_seed(0)
rng = np.random.default_rng(0)

# ---- vocabulary -------------------------------------------------------------------------
trucks = [f"TRK{i:04d}" for i in range(1800)]
callsigns = [f"{a}{b}{n}" for a in "ABCDEFGHJKLMNPRSTW" for b in "AEIOU" for n in range(20)][:1800]
places = [f"{p}{s}" for p in ["kas", "wek", "nor", "tli", "ama", "sik", "gar", "ord", "hay", "mac", "yel", "ros",
                              "bel", "cho", "dez", "fit", "gre", "lut", "pin", "wha"]
          for s in ["lake", "portage", "narrows", "bay", "camp", "crossing", "river", "inlet", "point", "landing",
                    "falls", "ridge", "flats", "cove", "pass", "island", "creek", "bluff", "sound", "reach"]]  # 400
km_posts = [f"km{k}" for k in range(0, 600)]
nums = [str(i) for i in range(0, 200)]
words = ("this is checking in at southbound northbound ice thick cm load tonnes speed kmh over "
         "copy that roger all clear pressure ridge flooding on surface slow to detour via "
         "plow crew ahead standby wait for escort whiteout conditions visibility low metres "
         "portage open closed repeat say again tire chains on fuel stop camp rest break "
         "heavy haul empty backhaul arrived departed eta hours minutes out").split()
filler = [f"w{i}" for i in range(2400)]   # rare free-text words in remarks (Zipf-distributed)
specials = ["<eos>", "<unk>"]
vocab = specials + words + nums + km_posts + places + trucks + callsigns + filler
stoi = {w: i for i, w in enumerate(dict.fromkeys(vocab))}
V = len(stoi)

driver_of = {t: callsigns[rng.integers(0, len(callsigns))] for t in trucks}
zipf = 1.0 / np.arange(1, len(filler) + 1) ** 1.1
zipf_cdf = np.cumsum(zipf / zipf.sum())


def call():
    t = trucks[min(int(rng.zipf(1.3)) - 1, len(trucks) - 1)] if rng.random() < 0.7 else trucks[rng.integers(len(trucks))]
    place = places[rng.integers(len(places))]
    km = rng.integers(0, 600)
    thick = int(rng.integers(40, 130))
    load = max(5, min(60, int(thick * 0.45 + rng.normal(0, 3))))   # load limit follows ice thickness
    speed = 25 if load > 35 else int(rng.choice([25, 30, 35]))
    toks = [t, "this", "is", driver_of[t], "checking", "in", "at", km_posts[km],
            str(rng.choice(["southbound", "northbound"])), place,
            "ice", str(thick), "cm", "load", str(load), "tonnes", "speed", str(speed), "kmh"]
    r = rng.random()
    if thick < 60:
        toks += ["pressure", "ridge", "ahead", "slow", "to", str(max(10, speed - 10)), "kmh"]
    elif r < 0.2:
        toks += ["whiteout", "conditions", "visibility", str(int(rng.integers(20, 150))), "metres"]
    elif r < 0.35:
        toks += ["eta", str(int(rng.integers(1, 9))), "hours"] + \
                [filler[min(i, len(filler) - 1)] for i in np.searchsorted(zipf_cdf, rng.random(rng.integers(1, 4)))]
    toks += ["over", "copy", "that", "roger", "all", "clear", "<eos>"] if rng.random() < 0.5 else ["over", "<eos>"]
    return toks


def stream(n_calls):
    ids = [stoi[w] for _ in range(n_calls) for w in call()]
    return torch.tensor(ids, dtype=torch.long)


train_ids, val_ids = stream(4000), stream(400)
print(f"vocab {V}, train tokens {len(train_ids)}, val tokens {len(val_ids)}")

CTX = 32


class CausalLM(nn.Module):
    def __init__(self, vocab, d=64, heads=4, layers=2, ctx=CTX, dropout=0.1):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(ctx, d)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout, batch_first=True, norm_first=True,
                                           activation="gelu")
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.head.weight = self.tok.weight          # tied embeddings
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(ctx), persistent=False)

    def forward(self, idx):
        T = idx.size(1)
        h = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))
        h = self.blocks(h, mask=self.mask[:T, :T], is_causal=True)
        return self.head(self.norm(h))


def get_batch(data, bs):
    ix = torch.randint(len(data) - CTX - 1, (bs,))
    x = torch.stack([data[i:i + CTX] for i in ix])
    y = torch.stack([data[i + 1:i + CTX + 1] for i in ix])
    return x, y


model = CausalLM(V)
decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                              lr=4e-3, betas=(0.9, 0.95))
MAX_STEPS, WARMUP, ACCUM, MICRO_BS = 140, 14, 2, 16


def lr_lambda(step):
    if step < WARMUP:
        return (step + 1) / WARMUP
    progress = (step - WARMUP) / max(1, MAX_STEPS - WARMUP)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)


@torch.no_grad()
def val_ppl():
    model.eval()
    nll, count = 0.0, 0
    starts = list(range(0, len(val_ids) - CTX - 1, CTX))
    for j in range(0, len(starts), 64):
        x = torch.stack([val_ids[i:i + CTX] for i in starts[j:j + 64]])
        y = torch.stack([val_ids[i + 1:i + CTX + 1] for i in starts[j:j + 64]])
        logits = model(x)
        nll += F.cross_entropy(logits.view(-1, V), y.view(-1), reduction="sum").item()
        count += y.numel()
    model.train()
    return math.exp(nll / count)


model.train()
for step in range(MAX_STEPS):
    optimizer.zero_grad(set_to_none=True)
    total = 0.0
    for _ in range(ACCUM):
        x, y = get_batch(train_ids, MICRO_BS)
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, V), y.view(-1)) / ACCUM
        loss.backward()
        total += loss.item()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    if step % 20 == 0 or step == MAX_STEPS - 1:
        print(f"step {step:3d} lr {scheduler.get_last_lr()[0]:.2e} train_loss {total:.3f}")

ppl = val_ppl()
print(f"final val perplexity {ppl:.2f} (uniform over vocab would be {V})")
