import math

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata_otg import topic_docs


class Encoder(nn.Module):
    def __init__(self, vocab, length, d_model=32, classes=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(torch.zeros(1, length, d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead=4, dim_feedforward=64, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Linear(d_model, classes)

    def forward(self, tokens):
        h = self.encoder(self.embed(tokens) + self.pos)
        return self.head(h.mean(dim=1))


def evaluate(model, X, y):
    model.eval()
    with torch.no_grad():
        pred = model(X).argmax(dim=1).numpy()
    model.train()
    return balanced_accuracy_score(y.numpy(), pred)


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = topic_docs(n=1200, length=32, vocab=5000, topics=4, seed=5)
    X, y = torch.tensor(X), torch.tensor(y)
    train = TensorDataset(X[:960], y[:960])
    X_val, y_val = X[960:], y[960:]
    loader = DataLoader(train, batch_size=32, shuffle=True)

    model = Encoder(vocab=5000, length=32)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    epochs = 3
    total_steps = epochs * len(loader)
    warmup = 30
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(step, total_steps) / total_steps))
    )
    loss_fn = nn.CrossEntropyLoss()

    for epoch in range(epochs):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
        print(f"epoch {epoch} loss {loss.item():.4f} lr {scheduler.get_last_lr()[0]:.2e} val {evaluate(model, X_val, y_val):.3f}")

    print(f"final_val_metric={evaluate(model, X_val, y_val):.4f}")


if __name__ == "__main__":
    main()
