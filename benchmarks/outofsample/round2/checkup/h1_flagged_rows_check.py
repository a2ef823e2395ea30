"""h1 D110 false alarm: how does the spec's own GRU (plain training, 10 epochs) score the rows nndoctor flagged?"""
import importlib.util, json
import numpy as np
import torch
from torch import nn
torch.set_num_threads(1)
sp = importlib.util.spec_from_file_location("m", "h1_gru_channel_sequences.py"); m = importlib.util.module_from_spec(sp); sp.loader.exec_module(m)
X, y = m.channel_sequences(2000, 30, seed=101)
rows = json.load(open("h1_gru_channel_sequences.json"))["findings"][0]["evidence"]["rows"]
# 5-fold out-of-sample probabilities from the GRU itself
X, y = torch.as_tensor(X), torch.as_tensor(y)
prob = torch.zeros(len(y))
folds = np.array_split(np.random.default_rng(0).permutation(len(y)), 5)
for k, te in enumerate(folds):
    tr = np.setdiff1d(np.arange(len(y)), te)
    torch.manual_seed(k); model = m.GRUClassifier(); opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for ep in range(8):
        perm = np.random.default_rng(ep).permutation(tr)
        for i in range(0, len(perm), 50):
            b = perm[i:i + 50]; opt.zero_grad(); nn.functional.cross_entropy(model(X[b]), y[b]).backward(); opt.step()
    with torch.no_grad():
        prob[te] = model(X[te]).softmax(1)[torch.arange(len(te)), y[te]]
print(f"GRU 5-fold out-of-sample accuracy-ish: mean prob of true label {prob.mean():.3f}; rows with p<0.05: {(prob < 0.05).sum().item()}")
print("flagged rows (all labels correct by construction): GRU prob of their label:", [round(float(prob[r]), 3) for r in rows])
