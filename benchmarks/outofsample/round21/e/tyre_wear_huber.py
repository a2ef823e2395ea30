# Tread wear rate (mm per 10,000 km) for fleet truck tyres from telematics summaries.
# Wear has a heavy right tail (overloaded axles, kerb strikes, misalignment), so the target
# is centred on its median and scaled by its IQR, and the network is fitted with a Huber
# loss. Parameters are plain tensors updated by hand with SGD + momentum and a step decay.
import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(5)
rng = np.random.default_rng(5)
torch.set_num_threads(1)

n = 6000
load_pct = rng.normal(85, 12, n)                    # % of rated load
pressure_dev = rng.normal(0, 8, n)                  # % deviation from cold inflation target
speed = rng.normal(78, 9, n)                        # mean km/h
urban_share = rng.beta(2, 5, n)
road_rough = rng.gamma(2.0, 1.0, n)                 # IRI m/km
ambient = rng.normal(15, 9, n)
compound = rng.choice(3, n, p=[0.5, 0.3, 0.2])       # long-haul / regional / mixed-service
axle = rng.choice(3, n, p=[0.3, 0.5, 0.2])            # steer / drive / trailer

base = (0.9 + 0.012 * (load_pct - 85) + 0.003 * pressure_dev ** 2 + 0.004 * np.maximum(load_pct - 90, 0) * road_rough
        + 0.006 * (speed - 78) + 0.9 * urban_share + 0.12 * road_rough
        + 0.008 * np.maximum(ambient - 20, 0) * (compound == 0)
        + np.array([0.0, 0.25, 0.4])[compound] + np.array([0.15, 0.3, 0.0])[axle])
misalign = rng.random(n) < 0.06
wear = base * np.exp(rng.normal(0, 0.08, n)) + misalign * rng.pareto(1.8, n) * 0.8 \
       + 0.05 * rng.standard_t(2.5, n)
wear = np.maximum(wear, 0.05)

Xc = np.column_stack([load_pct, pressure_dev, speed, urban_share, road_rough, ambient])
Xoh = np.concatenate([np.eye(3)[compound], np.eye(3)[axle]], 1)
idx = rng.permutation(n)
tr, va = idx[:4800], idx[4800:]
mu, sd = Xc[tr].mean(0), Xc[tr].std(0)
X = torch.tensor(np.concatenate([(Xc - mu) / sd, Xoh], 1), dtype=torch.float32)
med = np.median(wear[tr])
iqr = np.subtract(*np.percentile(wear[tr], [75, 25]))
y = torch.tensor((wear - med) / iqr, dtype=torch.float32)
print(f"wear: median {med:.2f}, IQR {iqr:.2f}, mean {wear[tr].mean():.2f}, max {wear[tr].max():.1f}, "
      f"share > Q3 + 3 IQR {(wear[tr] > np.percentile(wear[tr], 75) + 3 * iqr).mean():.3f}")


def init_linear(fan_in, fan_out):
    w = torch.randn(fan_in, fan_out) * (2.0 / fan_in) ** 0.5
    return w.requires_grad_(), torch.zeros(fan_out, requires_grad=True)


W1, b1 = init_linear(X.shape[1], 48)
W2, b2 = init_linear(48, 24)
W3, b3 = init_linear(24, 1)
params = [W1, b1, W2, b2, W3, b3]
velocity = [torch.zeros_like(p) for p in params]


def net(x):
    h = F.relu(x @ W1 + b1)
    h = F.relu(h @ W2 + b2)
    return (h @ W3 + b3).squeeze(1)


Xtr, ytr, Xva = X[tr], y[tr], X[va]
lr, mom, bs = 0.02, 0.9, 64
for epoch in range(30):
    if epoch in (18, 26):
        lr *= 0.2
    perm = torch.randperm(len(tr))
    total = 0.0
    for b in range(0, len(tr), bs):
        j = perm[b:b + bs]
        loss = F.huber_loss(net(Xtr[j]), ytr[j], delta=1.0)
        loss.backward()
        with torch.no_grad():
            for p, v in zip(params, velocity):
                v.mul_(mom).add_(p.grad)
                p -= lr * v
                p.grad = None
        total += loss.item() * len(j)
    if epoch % 5 == 0 or epoch == 29:
        with torch.no_grad():
            pred = net(Xva).numpy() * iqr + med
        mae = np.abs(pred - wear[va]).mean()
        print(f"epoch {epoch:2d} lr {lr:.4f} train huber {total / len(tr):.4f} val MAE {mae:.3f} mm/10k km")

with torch.no_grad():
    pred = net(Xva).numpy() * iqr + med
mae = np.abs(pred - wear[va]).mean()
medae = np.median(np.abs(pred - wear[va]))
from sklearn.linear_model import HuberRegressor
hub = HuberRegressor(max_iter=1000).fit(X[tr].numpy(), y[tr].numpy())
mae_lin = np.abs(hub.predict(X[va].numpy()) * iqr + med - wear[va]).mean()
print(f"baselines: median {np.abs(med - wear[va]).mean():.3f}, linear Huber {mae_lin:.3f} (val MAE, mm/10k km)")
print(f"final: val MAE {mae:.3f} median AE {medae:.3f} mm/10k km")
