"""IRNN (Le, Jaitly & Hinton 2015) for dead reckoning, trained with plain SGD.

Each sequence is T noisy 2-D velocity readings; the target is the displacement
at the end (in units of 10 steps). A ReLU RNN with identity recurrent init is
the classic baseline for integrating tasks like this one.
"""
import math
import torch
from torch import nn

torch.manual_seed(0)

T = 60
N_TRAIN, N_TEST = 4096, 1024
BATCH = 64
EPOCHS = 12
LR = 0.01
CLIP = 1.0


def dead_reckoning(n, T, g):
    """Noisy 2-D velocity readings -> displacement after T steps."""
    drift = 0.2 * torch.randn(n, 1, 2, generator=g)
    vel = drift + 0.5 * torch.randn(n, T, 2, generator=g)
    pos = vel.sum(1) / 10.0
    x = vel + 0.1 * torch.randn(n, T, 2, generator=g)
    return x, pos


class IRNN(nn.Module):
    def __init__(self, hidden=96):
        super().__init__()
        self.rnn = nn.RNN(2, hidden, nonlinearity="relu", batch_first=True)
        self.head = nn.Linear(hidden, 2)
        with torch.no_grad():
            self.rnn.weight_hh_l0.copy_(torch.eye(hidden))
            self.rnn.bias_hh_l0.zero_()
            self.rnn.bias_ih_l0.zero_()

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


g = torch.Generator().manual_seed(1)
x_train, y_train = dead_reckoning(N_TRAIN, T, g)
x_test, y_test = dead_reckoning(N_TEST, T, g)

model = IRNN()
loss_fn = nn.MSELoss()

step = 0
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(N_TRAIN)
    running = 0.0
    for i in range(0, N_TRAIN, BATCH):
        idx = perm[i:i + BATCH]
        pred = model(x_train[idx])
        loss = loss_fn(pred, y_train[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= LR * p.grad
        running += loss.item() * len(idx)
        step += 1
    model.eval()
    with torch.no_grad():
        test_mse = loss_fn(model(x_test), y_test).item()
    print(f"epoch {epoch + 1:2d}  train mse {running / N_TRAIN:.4f}  test mse {test_mse:.4f}")

print(f"final test_mse={test_mse:.4f}")
