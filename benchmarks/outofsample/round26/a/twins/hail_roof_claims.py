"""Hail claims triage: grade roof damage (none / light / moderate / heavy) from the desk-adjuster
file (radar hail size, roof data, drone photo measurements) so field visits can be prioritised.
Training data: one export per regional office from last season; validation: this season's audited sample.
Plain PyTorch loop, EMA weights kept with deepcopy, the EMA model saved whole and reloaded for scoring."""
import copy
import os
import tempfile
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SEVERITY = np.array(["heavy", "light", "moderate", "none"])
OFFICES = {"plains": (39.8, -101.5, 32.0, 640), "front_range": (39.7, -104.9, 27.0, 620),
           "panhandle": (35.2, -101.8, 24.0, 520), "gulf_coast": (29.8, -95.3, 7.0, 480)}


def office_export(center_lat, center_lon, hail_scale, n, rng):
    lat = center_lat + rng.normal(0, 0.6, n)
    lon = center_lon + rng.normal(0, 0.8, n)
    hail_mm = rng.gamma(4.0, hail_scale / 4.0, n)
    roof_age = rng.gamma(3.0, 4.0, n)
    pitch = rng.uniform(2, 12, n)
    dents_sq = rng.poisson(0.25 * hail_mm * (1 + 0.04 * roof_age))
    granule = (rng.beta(2, 8, n) * 30 + 0.3 * hail_mm).clip(0, 60)
    gutter_mm = np.maximum(0, 0.06 * hail_mm + rng.normal(0, 0.8, n))
    X = np.column_stack([lat, lon, hail_mm, roof_age, pitch, dents_sq, granule, gutter_mm]).astype(np.float32)
    score = 0.09 * hail_mm + 0.05 * roof_age + 0.12 * dents_sq + 0.03 * granule - 0.06 * pitch + rng.normal(0, 0.35, n)
    sev = np.array(["none", "light", "moderate", "heavy"])[np.digitize(score, [2.0, 3.3, 4.9])]
    return X, sev


def load_office(name, rng):
    X, sev = office_export(*OFFICES[name], rng)
    y = np.searchsorted(SEVERITY, sev)
    return X, y


def main():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    parts = [load_office(name, rng) for name in OFFICES]
    Xtr = np.concatenate([p[0] for p in parts])
    ytr = np.concatenate([p[1] for p in parts])
    Xva, sev_va = [], []
    for lat, lon, scale, _ in OFFICES.values():
        Xo, so = office_export(lat, lon, scale, 150, rng)
        Xva.append(Xo); sev_va.append(so)
    Xva = np.concatenate(Xva)
    yva = np.searchsorted(SEVERITY, np.concatenate(sev_va))

    mu, sd = Xtr.mean(0), Xtr.std(0)
    tr_dl = DataLoader(TensorDataset(torch.tensor((Xtr - mu) / sd), torch.tensor(ytr)), batch_size=64, shuffle=True)
    Xv, yv = torch.tensor((Xva - mu) / sd), torch.tensor(yva)

    model = nn.Sequential(nn.Linear(8, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 4))
    ema = copy.deepcopy(model).eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=15, gamma=0.3)
    loss_fn = nn.CrossEntropyLoss()

    for epoch in range(40):
        model.train()
        for xb, yb in tr_dl:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(0.98).add_(pm, alpha=0.02)
        sched.step()
        if epoch % 10 == 9:
            with torch.no_grad():
                acc = (ema(Xv).argmax(1) == yv).float().mean().item()
            print(f"epoch {epoch + 1} train loss {loss.item():.3f} val acc (ema) {acc:.3f}")

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "hail_triage_ema.pt")
        torch.save(ema, path)
        scorer = torch.load(path, weights_only=False)
    with torch.no_grad():
        logits = scorer(Xv)
        val_loss = loss_fn(logits, yv).item()
        pred = logits.argmax(1)
    acc = (pred == yv).float().mean().item()
    recall = [((pred == c) & (yv == c)).sum().item() / max(1, (yv == c).sum().item()) for c in range(4)]
    print(f"val loss {val_loss:.4f}  val acc {acc:.4f}  balanced acc {np.mean(recall):.4f}")


if __name__ == "__main__":
    main()
