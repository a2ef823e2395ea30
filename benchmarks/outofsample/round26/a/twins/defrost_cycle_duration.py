"""Cold-store evaporator defrost: predict how long the next hot-gas defrost will take (minutes)
from the controller's readings at defrost start. Data: the site historian's export of the
controller's defrost records. Lightning, MLP, fixed step budget."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
import lightning as L

COLS = ["start_h", "ambient_c", "room_rh", "door_opens", "run_h", "coil_c", "fan_a", "pallets_kg", "frost_pf", "defrost_min"]


def historian_export(rng, n_cycles=2600):
    amb = rng.normal(24, 5, n_cycles)
    rh = rng.beta(5, 3, n_cycles) * 100
    doors = rng.poisson(18, n_cycles)
    run_h = rng.gamma(4, 1.5, n_cycles)
    coil = rng.normal(-26, 3, n_cycles)
    fan = rng.normal(1.8, 0.2, n_cycles)
    load = rng.gamma(5, 800, n_cycles)
    cap = rng.normal(40, 8, n_cycles) + 0.15 * rh + 0.4 * doors
    frost = 0.02 * rh * run_h ** 0.7 + 0.3 * doors ** 0.8 + 0.05 * (cap - 40) + 0.002 * np.maximum(amb - 20, 0) ** 2 * run_h
    minutes = 6 + 2.5 * frost + 0.5 * np.sin(coil / 3) * frost ** 0.5 + rng.gamma(2, 0.8, n_cycles)
    start = np.cumsum(run_h + minutes / 60)
    recs = np.column_stack([start, amb, rh, doors, run_h, coil, fan, load, cap, minutes]).astype(np.float32)

    ack = np.ones(n_cycles, bool)
    hot = np.flatnonzero(amb[: int(0.75 * n_cycles)] > 29)
    for s in rng.choice(hot, 12, replace=False):
        ack[s:s + rng.integers(3, 8)] = False
    rows, queue = [], []
    for i in range(n_cycles):
        queue.append(i)
        tries = 1 if ack[i] else rng.integers(20, 60)
        for _ in range(tries):
            rows.extend(queue)
        if ack[i]:
            queue = []
    return recs[rows]


class DefrostRegressor(L.LightningModule):
    def __init__(self, n_in, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(n_in, 128), nn.SiLU(), nn.Linear(128, 128), nn.SiLU(), nn.Linear(128, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)

    def training_step(self, batch, _):
        x, y = batch
        loss = nn.functional.mse_loss(self(x), y)
        self.log("train_mse", loss)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        self.log("val_mse", nn.functional.mse_loss(self(x), y), prog_bar=True)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)


def main():
    L.seed_everything(7, verbose=False)
    rng = np.random.default_rng(7)
    log = historian_export(rng)
    log = log[np.sort(np.unique(log, axis=0, return_index=True)[1])]
    cutoff = 0.8 * log[:, 0].max()
    train, val = log[log[:, 0] < cutoff], log[log[:, 0] >= cutoff]
    Xtr, ytr = train[:, 1:-1], train[:, -1]
    Xva, yva = val[:, 1:-1], val[:, -1]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    y_mu, y_sd = ytr.mean(), ytr.std()
    f = lambda X: torch.tensor((X - mu) / sd, dtype=torch.float32)
    g = lambda y: torch.tensor((y - y_mu) / y_sd, dtype=torch.float32)
    train_dl = DataLoader(TensorDataset(f(Xtr), g(ytr)), batch_size=64, shuffle=True)
    val_dl = DataLoader(TensorDataset(f(Xva), g(yva)), batch_size=256)

    model = DefrostRegressor(Xtr.shape[1])
    trainer = L.Trainer(max_steps=1500, accelerator="cpu", logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False, check_val_every_n_epoch=10)
    trainer.fit(model, train_dl, val_dl)

    model.eval()
    with torch.no_grad():
        pred = model(f(Xva)).numpy() * y_sd + y_mu
    mae = np.abs(pred - yva).mean()
    r2 = 1 - ((pred - yva) ** 2).mean() / yva.var()
    print(f"train rows {len(ytr)}  val cycles {len(yva)}  val MAE {mae:.3f} min  val R2 {r2:.4f}")


if __name__ == "__main__":
    main()
