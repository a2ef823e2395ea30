"""Glass-bottle inspection: backlit 16x16 tiles of the bottle wall from the cold-end
camera.  Defects (stones, seeds/blisters, checks) are rare and varied, so an autoencoder
is trained on good tiles only and the reconstruction error is the reject score.  The
decoder shares the encoder's weights (transposed), and the forward pass runs under CPU
bfloat16 autocast (no GradScaler needed for bf16); the loss is taken in float32.
"""
import math
import numpy as np
import torch
from torch import nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader
from sklearn.metrics import roc_auc_score

torch.manual_seed(31)
rng = np.random.default_rng(31)
S = 16
yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)


def good_tile():
    g = 0.55 + 0.25 * np.cos((xx - rng.uniform(0, S)) / S * math.pi) * rng.uniform(0.6, 1.0)
    seam_x = rng.uniform(0, S)
    g -= 0.12 * np.exp(-((xx - seam_x) ** 2) / 0.6) * (rng.random() < 0.5)
    g += 0.04 * np.sin(yy * rng.uniform(0.5, 1.2) + rng.uniform(0, 6.28))   # wall-thickness waviness
    return g + rng.normal(0, 0.03, (S, S))


def defect_tile():
    g = good_tile()
    kind = rng.integers(0, 3)
    cx, cy = rng.uniform(3, 13, 2)
    if kind == 0:    # stone: opaque inclusion
        g[(xx - cx) ** 2 + (yy - cy) ** 2 <= rng.uniform(0.8, 2.5)] -= rng.uniform(0.1, 0.25)
    elif kind == 1:  # blister: bright rim, darker centre
        r2 = (xx - cx) ** 2 + (yy - cy) ** 2
        g[(r2 > 1.5) & (r2 <= 4)] += rng.uniform(0.05, 0.12)
        g[r2 <= 1.5] -= 0.05
    else:            # check: thin crack at an angle
        phi = rng.uniform(0, math.pi)
        d = np.abs((xx - cx) * math.sin(phi) - (yy - cy) * math.cos(phi))
        along = np.abs((xx - cx) * math.cos(phi) + (yy - cy) * math.sin(phi))
        g[(d < 0.6) & (along < rng.uniform(2, 5))] -= rng.uniform(0.08, 0.2)
    return g


class TiedAE(nn.Module):
    def __init__(self, d=S * S, dims=(128, 32)):
        super().__init__()
        self.enc1 = nn.Linear(d, dims[0])
        self.enc2 = nn.Linear(dims[0], dims[1])
        self.dec2_bias = nn.Parameter(torch.zeros(dims[0]))
        self.dec1_bias = nn.Parameter(torch.zeros(d))

    def forward(self, x):
        h1 = F.gelu(self.enc1(x))
        z = self.enc2(h1)
        r1 = F.gelu(F.linear(z, self.enc2.weight.t(), self.dec2_bias))
        return F.linear(r1, self.enc1.weight.t(), self.dec1_bias)


def main():
    good = np.stack([good_tile() for _ in range(3000)]).reshape(-1, S * S).astype(np.float32)
    val_good = np.stack([good_tile() for _ in range(450)]).reshape(-1, S * S).astype(np.float32)
    val_bad = np.stack([defect_tile() for _ in range(50)]).reshape(-1, S * S).astype(np.float32)
    mean, std = good.mean(), good.std()
    norm = lambda a: torch.from_numpy((a - mean) / std)
    Xtr = norm(good)
    Xval = norm(np.concatenate([val_good, val_bad]))
    yval = np.r_[np.zeros(len(val_good)), np.ones(len(val_bad))]

    loader = DataLoader(TensorDataset(Xtr), batch_size=64, shuffle=True)
    model = TiedAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=20 * len(loader))

    for epoch in range(1, 21):
        model.train()
        tot = 0.0
        for (xb,) in loader:
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                recon = model(xb)
            loss = F.mse_loss(recon.float(), xb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            tot += loss.item() * len(xb)
        if epoch % 5 == 0:
            model.eval()
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
                err = ((model(Xval).float() - Xval) ** 2).mean(1).numpy()
            print(f"epoch {epoch} train_mse {tot / len(Xtr):.4f} val good-tile mse {err[yval == 0].mean():.4f} "
                  f"defect mse {err[yval == 1].mean():.4f} AUROC {roc_auc_score(yval, err):.4f}")
    print(f"final val AUROC {roc_auc_score(yval, err):.4f}")


if __name__ == "__main__":
    main()
