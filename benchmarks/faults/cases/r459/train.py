import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata_otg import topic_docs


class TopicClassifier(nn.Module):
    def __init__(self, vocab, length, d_model=64, classes=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(torch.zeros(1, length, d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead=4, dim_feedforward=128, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=1)
        self.head = nn.Linear(d_model, classes)

    def forward(self, tokens):
        return self.head(self.encoder(self.embed(tokens) + self.pos).mean(dim=1))


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = topic_docs(n=900, length=24, vocab=5000, topics=4, share=0.3, seed=8)
    X, y = torch.tensor(X), torch.tensor(y)
    loader = DataLoader(TensorDataset(X[:300], y[:300]), batch_size=20, shuffle=True)
    X_val, y_val = X[300:], y[300:]

    model = TopicClassifier(5000, 24)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(40):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = criterion(model(X_val), y_val).item()
        print(f"epoch {epoch} train {loss.item():.4f} val_nll {val_loss:.4f}")

    model.eval()
    with torch.no_grad():
        nll = criterion(model(X_val), y_val).item()
    print(f"final_val_metric={math.exp(-nll):.4f}")


if __name__ == "__main__":
    main()
