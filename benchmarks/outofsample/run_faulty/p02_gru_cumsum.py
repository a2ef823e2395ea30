import torch
from torch import nn

LR = 3.0


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(2, 64, batch_first=True)
        self.head = nn.Linear(64, 1)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out).squeeze(-1)


def make_data(n, length, gen):
    x = torch.randn(n, length, 2, generator=gen)
    mask = (torch.rand(n, length, generator=gen) < 0.2).float()
    x[:, :, 1] = mask
    y = torch.cumsum(x[:, :, 0] * mask, dim=1)
    return x, y


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    X_tr, y_tr = make_data(2000, 40, gen)
    X_va, y_va = make_data(400, 40, gen)
    model = Regressor()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=0.9)
    criterion = nn.MSELoss()
    for epoch in range(6):
        model.train()
        perm = torch.randperm(len(X_tr))
        for i in range(0, len(X_tr), 50):
            idx = perm[i:i + 50]
            optimizer.zero_grad()
            loss = criterion(model(X_tr[idx]), y_tr[idx])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = criterion(model(X_va), y_va).item()
        print(f"epoch {epoch} loss {loss.item():.4f} val_mse {val_loss:.4f}")
    print(f"final_val_metric={val_loss:.4f}")


if __name__ == "__main__":
    main()
