"""Estimate lithium-ion cell state of health (% of nominal capacity) from cycling telemetry
with a small highway network."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FEATURES = ["cycle_count", "mean_discharge_v", "v_drop_first_60s", "internal_resistance_mohm",
            "mean_cell_temp", "max_cell_temp", "charge_time_min", "cc_fraction",
            "dod_mean", "c_rate_mean", "rest_time_h", "calendar_age_days"]


def simulate_cells(n, rng):
    cycles = rng.uniform(0, 1500, n)
    temp = rng.normal(30, 6, n)
    c_rate = rng.uniform(0.3, 2.5, n)
    dod = rng.uniform(0.3, 1.0, n)
    cal_age = cycles * rng.uniform(0.4, 1.2, n) + rng.uniform(0, 200, n)
    stress = np.exp(0.045 * (temp - 25)) * (0.6 + 0.4 * c_rate ** 1.3) * (0.5 + dod ** 2)
    fade = 0.11 * (cycles / 1000) ** 0.75 * stress + 0.02 * np.sqrt(cal_age / 365)
    knee = np.clip(cycles / 1000 * stress - 1.3, 0, None) ** 2 * 0.08
    soh = np.clip(100 * (1 - fade - knee), 40, 100) + rng.normal(0, 0.8, n)
    ir = 35 + 40 * (1 - soh / 100) + 4 * (c_rate > 1.5) + rng.normal(0, 2, n)
    v_mean = 3.7 - 0.6 * (1 - soh / 100) - 0.0006 * ir * c_rate + rng.normal(0, 0.01, n)
    v_drop = 0.002 * ir * c_rate + rng.normal(0, 0.01, n)
    t_max = temp + 2.5 * c_rate ** 2 + rng.normal(0, 1, n)
    charge_t = 60 / np.clip(c_rate, 0.5, None) * dod * (1 + 0.3 * (1 - soh / 100)) + rng.normal(0, 2, n)
    cc_frac = np.clip(0.85 - 0.8 * (1 - soh / 100) - 0.05 * c_rate + rng.normal(0, 0.02, n), 0.2, 1)
    rest = rng.exponential(2.0, n)
    X = np.column_stack([cycles, v_mean, v_drop, ir, temp, t_max, charge_t, cc_frac, dod, c_rate, rest, cal_age])
    return X.astype(np.float32), soh.astype(np.float32)


class Highway(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.transform = nn.Linear(d, d)
        self.gate = nn.Linear(d, d)

    def forward(self, x):
        t = torch.sigmoid(self.gate(x))
        return t * F.relu(self.transform(x)) + (1 - t) * x


class SoHNet(nn.Module):
    def __init__(self, d_in, width=64, depth=4):
        super().__init__()
        self.stem = nn.Linear(d_in, width)
        self.blocks = nn.Sequential(*[Highway(width) for _ in range(depth)])
        self.out = nn.Linear(width, 1)
        for name, m in self.named_modules():
            if isinstance(m, nn.Linear):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.constant_(m.bias, -2.0 if name.endswith("gate") else 0.0)

    def forward(self, x):
        return self.out(self.blocks(F.relu(self.stem(x)))).squeeze(-1)


def main():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    X, y = simulate_cells(5000, rng)
    idx = rng.permutation(len(y))
    tr, va = idx[:4000], idx[4000:]
    x_mu, x_sd = X[tr].mean(0), X[tr].std(0)
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    Xs = torch.from_numpy((X - x_mu) / x_sd)
    ys = torch.from_numpy((y - y_mu) / y_sd)

    loader = DataLoader(TensorDataset(Xs[tr], ys[tr]), batch_size=64, shuffle=True)
    model = SoHNet(X.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=25)

    for epoch in range(25):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()
        sched.step()
        model.eval()
        with torch.no_grad():
            pred = model(Xs[va]) * y_sd + y_mu
        mae = (pred - torch.from_numpy(y[va])).abs().mean().item()
        if (epoch + 1) % 5 == 0:
            print(f"epoch {epoch + 1:2d} train_mse {loss.item():.4f} val_mae_pct {mae:.3f}")

    resid = ((pred - torch.from_numpy(y[va])) ** 2).sum()
    total = ((torch.from_numpy(y[va]) - y[va].mean()) ** 2).sum()
    print(f"final val_mae {mae:.3f} %SoH  val_r2 {1 - (resid / total).item():.4f}")


if __name__ == "__main__":
    main()
