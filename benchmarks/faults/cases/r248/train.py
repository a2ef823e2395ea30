import copy

import numpy as np
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata import token_sequences


def load_data():
    X, y = token_sequences(n=1000, length=12, vocab=16, seed=49)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=49)
    train = TensorDataset(torch.tensor(X_train), torch.tensor(y_train))
    return train, torch.tensor(X_val), y_val


class Net(nn.Module):
    def __init__(self, vocab=16, length=12, dim=32, n_out=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.zeros(1, length, dim))
        layer = nn.TransformerEncoderLayer(dim, nhead=4, dim_feedforward=2 * dim, dropout=0.0, batch_first=True)
        self.body = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Linear(dim, n_out)

    def forward(self, tokens):
        h = self.body(self.embed(tokens) + self.pos)
        return self.head(h.mean(dim=1))


def evaluate(model, X_val, y_val):
    model.eval()
    with torch.no_grad():
        out = model(X_val)
    model.train()
    return balanced_accuracy_score(y_val, out.argmax(dim=1).numpy())


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    train, X_val, y_val = load_data()
    loader = DataLoader(train, batch_size=32, shuffle=True)
    model = Net()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.002)
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    ema_decay = 0.97

    for epoch in range(10):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                for e, p in zip(ema.parameters(), model.parameters()):
                    e.mul_(ema_decay).add_(p.detach(), alpha=1 - ema_decay)
                for e, b in zip(ema.buffers(), model.buffers()):
                    e.copy_(b)
        metric = evaluate(model, X_val, y_val)
        print(f"epoch {epoch} loss {loss.item():.4f} val {metric:.3f}")

    print(f"final_val_metric={evaluate(ema, X_val, y_val):.4f}")


if __name__ == "__main__":
    main()
