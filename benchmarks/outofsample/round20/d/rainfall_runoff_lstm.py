"""Daily rainfall-runoff model for a single catchment (LSTM, Kratzert-style).

Forcings: precipitation, potential evapotranspiration and air temperature; target: the
discharge on the last day of a 60-day input window. Train on the first 22 water years,
validate on the last 6. Training is iteration-based with randomly drawn windows.
"""
import numpy as np
import torch
import torch.nn as nn

SEED = 1234
SEQ_LEN = 60
BATCH = 64
MAX_ITERS = 1000
EVAL_INTERVAL = 100
EVAL_ITERS = 10
LR = 5e-3


def simulate_catchment(n_days, seed):
    rng = np.random.default_rng(seed)
    doy = np.arange(n_days) % 365
    season = np.cos(2 * np.pi * (doy - 20) / 365)          # wet winters
    temp = 11 - 9 * season + rng.normal(0, 2.5, n_days)
    pet = np.clip(2.2 - 1.8 * season + 0.1 * rng.normal(size=n_days), 0.05, None)
    wet_p = 0.25 + 0.2 * season
    rain = (rng.random(n_days) < wet_p) * rng.gamma(0.8, 9.0, n_days)
    # snow below 1 degree, melt above it
    snow, soil, gw = 0.0, 60.0, 30.0
    q = np.zeros(n_days)
    for d in range(n_days):
        if temp[d] < 1.0:
            snow += rain[d]
            liquid = 0.0
        else:
            melt = min(snow, 2.5 * (temp[d] - 1.0))
            snow -= melt
            liquid = rain[d] + melt
        soil += liquid
        et = pet[d] * min(soil / 150.0, 1.0)
        soil = max(soil - et, 0.0)
        overflow = max(soil - 150.0, 0.0)
        soil -= overflow
        perc = 0.04 * soil
        soil -= perc
        gw += perc
        base = 0.025 * gw
        gw -= base
        quick = 0.3 * overflow + 0.002 * soil ** 1.3
        q[d] = quick + base + 0.7 * overflow
    q = q * np.exp(rng.normal(0, 0.05, n_days))           # gauge error
    forcing = np.stack([rain, pet, temp], axis=1).astype(np.float32)
    return forcing, q.astype(np.float32)


forcing, discharge = simulate_catchment(365 * 28, SEED)
n_train_days = 365 * 22
x_mean, x_std = forcing[:n_train_days].mean(0), forcing[:n_train_days].std(0)
forcing_n = (forcing - x_mean) / x_std
logq = np.log1p(discharge)
q_mean, q_std = logq[:n_train_days].mean(), logq[:n_train_days].std()
target_n = (logq - q_mean) / q_std

X = torch.from_numpy(forcing_n)
Y = torch.from_numpy(target_n)
train_end = np.arange(SEQ_LEN + 365, n_train_days)          # first year is spin-up
val_end = np.arange(n_train_days + SEQ_LEN, len(X))


def windows(ends):
    idx = torch.as_tensor(ends)[:, None] + torch.arange(-SEQ_LEN + 1, 1)[None, :]
    return X[idx], Y[torch.as_tensor(ends)].unsqueeze(-1)


def get_batch(split, it):
    ends = train_end if split == "train" else val_end
    rng = np.random.default_rng(SEED)
    ix = rng.choice(ends, size=BATCH, replace=False)
    return windows(ix)


class RunoffLSTM(nn.Module):
    def __init__(self, n_in=3, hidden=48):
        super().__init__()
        self.lstm = nn.LSTM(n_in, hidden, batch_first=True)
        self.drop = nn.Dropout(0.1)
        self.head = nn.Linear(hidden, 1)
        with torch.no_grad():                      # forget-gate bias 1 (Jozefowicz et al.)
            self.lstm.bias_hh_l0[hidden:2 * hidden].fill_(1.0)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(self.drop(out[:, -1]))


torch.manual_seed(SEED)
model = RunoffLSTM()
optimizer = torch.optim.Adam(model.parameters(), lr=LR)
loss_fn = nn.MSELoss()


@torch.no_grad()
def estimate_loss():
    model.eval()
    out = {}
    for split in ("train", "val"):
        losses = torch.zeros(EVAL_ITERS)
        for k in range(EVAL_ITERS):
            xb, yb = get_batch(split, MAX_ITERS + k)
            losses[k] = loss_fn(model(xb), yb).item()
        out[split] = losses.mean().item()
    model.train()
    return out


def nse(sim, obs):
    return 1.0 - np.sum((sim - obs) ** 2) / np.sum((obs - obs.mean()) ** 2)


model.train()
for it in range(MAX_ITERS + 1):
    if it % EVAL_INTERVAL == 0:
        losses = estimate_loss()
        print(f"iter {it:4d}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")
    if it == MAX_ITERS:
        break
    xb, yb = get_batch("train", it)
    loss = loss_fn(model(xb), yb)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()

model.eval()
with torch.no_grad():
    xv, yv = windows(val_end)
    pred = model(xv).squeeze(-1).numpy()
sim_q = np.expm1(pred * q_std + q_mean)
obs_q = np.expm1(yv.squeeze(-1).numpy() * q_std + q_mean)
print(f"final val NSE {nse(sim_q, obs_q):.4f}  (log-space MSE {np.mean((pred - yv.squeeze(-1).numpy()) ** 2):.4f})")
