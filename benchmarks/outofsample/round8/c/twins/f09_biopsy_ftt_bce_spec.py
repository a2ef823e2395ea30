"""Checkup spec: biopsy malignancy classifier, a small feature-tokenizer Transformer
(each of the 30 measurements becomes a token, a learned [CLS] token is read out).

The registry export codes the diagnosis as 1 = benign, 2 = malignant."""
import numpy as np
import torch
from torch import nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

import nndoctor


class FeatureTokenizer(nn.Module):
    def __init__(self, n_features, d):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_features, d) * 0.1)
        self.bias = nn.Parameter(torch.zeros(n_features, d))
        self.cls = nn.Parameter(torch.randn(1, 1, d) * 0.1)

    def forward(self, x):                              # (B, F) -> (B, F + 1, d)
        tok = x.unsqueeze(-1) * self.weight + self.bias
        return torch.cat([self.cls.expand(len(x), -1, -1), tok], dim=1)


class FTTransformer(nn.Module):
    def __init__(self, n_features, d=32, depth=2, heads=4):
        super().__init__()
        self.tokenizer = FeatureTokenizer(n_features, d)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=64, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.head = nn.Sequential(nn.LayerNorm(d), nn.ReLU(), nn.Linear(d, 1))

    def forward(self, x):
        return self.head(self.encoder(self.tokenizer(x))[:, 0])


def registry_export():
    data = load_breast_cancer()
    diagnosis = np.where(data.target == 0, 2, 1)        # 1 = benign, 2 = malignant
    return data.data, diagnosis


def setup():
    torch.manual_seed(0)
    X, diagnosis = registry_export()
    target = (diagnosis - 1).astype(np.float32)
    Xtr, Xva, ytr, yva = train_test_split(X, target, test_size=0.3, stratify=target, random_state=1)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    f = lambda a: torch.tensor(a, dtype=torch.float32)
    return nndoctor.Setup(
        model=FTTransformer(X.shape[1]),
        train=(f((Xtr - mu) / sd), f(ytr).unsqueeze(1)),
        val=(f((Xva - mu) / sd), f(yva).unsqueeze(1)),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.AdamW(params, lr=3e-4, weight_decay=1e-2),
        batch_size=32,
    )
