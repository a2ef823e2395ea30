"""Municipal compost windrows: predict the peak core temperature (degC) a new windrow will reach
from its feedstock mix (a bag of up to 6 of 40 feedstock types, as a sparse multi-hot list) and
four continuous measurements. Feedstocks go through an EmbeddingBag (not standardised as numbers);
SGD with momentum, gradient accumulation over 4 micro-batches, a MultiStepLR schedule, and an
output bias started at the training-target mean.
"""
import numpy as np
import torch
from torch import nn

torch.manual_seed(31)
rng = np.random.default_rng(31)
N, K = 3000, 40
nitrogen = rng.normal(0, 1, K)             # hidden C:N character of each feedstock
moisture_hold = rng.normal(0, 1, K)

cats = [rng.choice(K, rng.integers(1, 7), replace=False) for _ in range(N)]
moisture = rng.uniform(35, 75, N)           # %
volume = rng.uniform(20, 200, N)            # m3
ambient = rng.uniform(-5, 30, N)            # degC
turns = rng.integers(0, 5, N).astype(float)
cn = np.array([nitrogen[c].mean() for c in cats])
mh = np.array([moisture_hold[c].mean() for c in cats])
eff_moist = moisture + 5 * mh
peak = 40 + 12 * np.tanh(cn) - 0.02 * (eff_moist - 55) ** 2 + 6 * np.log(volume / 50) + 0.25 * ambient \
    + 1.5 * turns * (cn > 0) + rng.normal(0, 1.5, N)
num = np.stack([moisture, np.log(volume), ambient, turns], 1)

idx = rng.permutation(N)
tr, va = idx[:2400], idx[2400:]
nm, ns = num[tr].mean(0), num[tr].std(0)
num_t = torch.tensor((num - nm) / ns, dtype=torch.float32)
y_t = torch.tensor(peak, dtype=torch.float32)


def bags(ids):
    flat = torch.tensor(np.concatenate([cats[i] for i in ids]), dtype=torch.long)
    offsets = torch.tensor(np.cumsum([0] + [len(cats[i]) for i in ids[:-1]]), dtype=torch.long)
    return flat, offsets


class WindrowNet(nn.Module):
    def __init__(self, n_feed=K, d_emb=12, d_num=4, width=64):
        super().__init__()
        self.feed = nn.EmbeddingBag(n_feed, d_emb, mode="mean")
        self.mlp = nn.Sequential(nn.Linear(d_emb + d_num, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                                 nn.Linear(width, 1))

    def forward(self, x_num, feed_ids, feed_offsets):
        return self.mlp(torch.cat([self.feed(feed_ids, feed_offsets), x_num], 1)).squeeze(1)


model = WindrowNet()
with torch.no_grad():
    model.mlp[-1].bias.fill_(float(peak[tr].mean()))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[25, 35], gamma=0.2)
accum, micro = 4, 16
scale = float(peak[tr].std())

for epoch in range(40):
    model.train()
    order = tr[rng.permutation(len(tr))]
    opt.zero_grad()
    for k, i in enumerate(range(0, len(order), micro)):
        b = order[i:i + micro]
        f, o = bags(b)
        loss = nn.functional.mse_loss(model(num_t[b], f, o) / scale, y_t[b] / scale) / accum
        loss.backward()
        if (k + 1) % accum == 0:
            opt.step()
            opt.zero_grad()
    sched.step()
    if epoch % 10 == 9:
        model.eval()
        with torch.no_grad():
            f, o = bags(va)
            pred = model(num_t[va], f, o).numpy()
        rmse = np.sqrt(np.mean((pred - peak[va]) ** 2))
        print(f"epoch {epoch + 1} val RMSE {rmse:.2f} degC")

print(f"final val RMSE {rmse:.2f} degC (target std {peak[va].std():.2f})")
