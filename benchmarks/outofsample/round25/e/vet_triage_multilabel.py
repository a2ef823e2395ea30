"""Which work-up a veterinary triage nurse should order, from species, complaints and vitals.

Multi-label: each visit may need any of eight work-ups. Species is an embedding, the
presenting complaints are a sparse multi-hot bag of 40 codes (left as 0/1), vitals are
standardised. Rare work-ups get a pos_weight and the output biases start at the log-odds
of each label's training frequency. One-cycle schedule stepped every batch.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import roc_auc_score, f1_score

torch.manual_seed(17)
np.random.seed(17)
torch.set_num_threads(1)

WORKUPS = ["bloods", "radiograph", "ultrasound", "urinalysis", "faecal", "ecg", "skin_scrape", "iv_fluids"]
N_SPECIES, N_COMPLAINTS = 5, 40          # dog, cat, rabbit, ferret, bird

rng = np.random.default_rng(17)
n = 5000
species = rng.choice(N_SPECIES, n, p=[0.5, 0.35, 0.08, 0.04, 0.03])
sev = rng.gamma(2.0, 0.5, n)
comp = np.zeros((n, N_COMPLAINTS), dtype=np.float32)
organ = rng.integers(0, 8, n)            # hidden body system behind the visit
for i in range(n):
    core = organ[i] * 5 + rng.choice(5, size=rng.integers(1, 3), replace=False)
    comp[i, core] = 1
    if rng.random() < 0.3:
        comp[i, rng.integers(N_COMPLAINTS)] = 1
temp = 38.6 + 0.6 * (species == 1) - 0.4 * (species == 4) + 0.5 * sev * (organ == 7) + rng.normal(0, 0.4, n)
hr = 100 + 60 * (species >= 2) + 25 * sev * (organ == 5) + rng.normal(0, 12, n)
rr = 24 + 8 * sev * (organ == 1) + rng.normal(0, 4, n)
age = rng.gamma(2.5, 2.5, n)
log_weight = np.log(np.select([species == 0, species == 1, species == 2, species == 3], [20, 4.5, 2, 1], 0.4)) \
    + rng.normal(0, 0.3, n)
dehyd = np.clip(rng.normal(2 + 2.5 * sev * np.isin(organ, [2, 4, 7]), 1.2), 0, 12)

logit = np.full((n, 8), -3.0)
logit[:, 0] += 1.7 * (1.8 * sev + 0.08 * age + 1.5 * (organ == 7))
logit[:, 1] += 1.7 * (2.5 * (organ == 1) + 2.0 * (organ == 6) + 0.5 * sev)
logit[:, 2] += 1.7 * (2.8 * (organ == 2) + 1.2 * (organ == 3) + 0.6 * sev)
logit[:, 3] += 1.7 * (3.0 * (organ == 3) + 0.05 * age)
logit[:, 4] += 1.7 * (3.0 * (organ == 4) - 1.0 * (species == 4))
logit[:, 5] += 1.7 * (3.5 * (organ == 5) * (hr > 130 + 40 * (species >= 2)) - 1.5)
logit[:, 6] += 1.7 * (3.5 * (organ == 0) + 1.0 * (species == 2))
logit[:, 7] += 1.7 * (0.7 * (dehyd - 5) + 0.8 * sev)
Y = (rng.random((n, 8)) < 1 / (1 + np.exp(-logit))).astype(np.float32)

vitals = np.column_stack([temp, hr, rr, age, log_weight, dehyd]).astype(np.float32)
perm = rng.permutation(n)
tr, va = perm[:4000], perm[4000:]
v_mu, v_sd = vitals[tr].mean(0), vitals[tr].std(0)
vitals = (vitals - v_mu) / v_sd


def tensors(ix):
    return (torch.from_numpy(vitals[ix]), torch.from_numpy(species[ix]).long(),
            torch.from_numpy(comp[ix]), torch.from_numpy(Y[ix]))


train_loader = DataLoader(TensorDataset(*tensors(tr)), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(*tensors(va)), batch_size=500)


class TriageNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.species = nn.Embedding(N_SPECIES, 8)
        self.complaints = nn.Linear(N_COMPLAINTS, 48)
        self.trunk = nn.Sequential(nn.Linear(6 + 8 + 48, 128), nn.ReLU(), nn.Dropout(0.1),
                                   nn.Linear(128, 64), nn.ReLU())
        self.out = nn.Linear(64, len(WORKUPS))

    def forward(self, vit, sp, cc):
        h = torch.cat([vit, self.species(sp), torch.relu(self.complaints(cc))], dim=1)
        return self.out(self.trunk(h))


model = TriageNet()
prev = Y[tr].mean(0)
with torch.no_grad():
    model.out.bias.copy_(torch.from_numpy(np.log(prev / (1 - prev))))
pos_weight = torch.from_numpy(np.clip((1 - prev) / prev, 1.0, 4.0) ** 0.5).float()
criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
EPOCHS = 20
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=EPOCHS,
                                                steps_per_epoch=len(train_loader))

for epoch in range(EPOCHS):
    model.train()
    tot = 0.0
    for vit, sp, cc, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(vit, sp, cc), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        tot += loss.item() * len(yb)
    if (epoch + 1) % 5 == 0:
        print(f"epoch {epoch + 1:2d}  train loss {tot / len(tr):.4f}")

model.eval()
probs, truths = [], []
with torch.no_grad():
    for vit, sp, cc, yb in val_loader:
        probs.append(torch.sigmoid(model(vit, sp, cc)))
        truths.append(yb)
prob, truth = torch.cat(probs).numpy(), torch.cat(truths).numpy()
aucs = [roc_auc_score(truth[:, k], prob[:, k]) for k in range(8)]
oracle = [roc_auc_score(truth[:, k], logit[va][:, k]) for k in range(8)]
f1 = f1_score(truth, prob > 0.5, average="micro")
print("per-label AUROC: " + ", ".join(f"{w} {a:.2f}" for w, a in zip(WORKUPS, aucs)))
print(f"final: val macro AUROC {np.mean(aucs):.3f} (generating-process oracle {np.mean(oracle):.3f}), micro-F1 {f1:.3f}, label prevalence {[round(float(p), 2) for p in prev]}")
