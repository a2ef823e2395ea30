"""Full-batch LBFGS with a closure: an LSTMCell sequence model learns sine waves
(after the time_sequence_prediction example, scaled down)."""
# Written in the style of PyTorch's official examples.
# ruff: noqa: PLR0402, UP008, UP032

import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


def make_data(n, length, period, seed):
    rng = np.random.RandomState(seed)
    x = np.empty((n, length), np.int64)
    x[:] = np.arange(length) + rng.randint(-4 * period, 4 * period, n).reshape(n, 1)
    return np.sin(x / 1.0 / period).astype("float64")


class Sequence(nn.Module):
    def __init__(self, hidden):
        super(Sequence, self).__init__()
        self.hidden = hidden
        self.lstm1 = nn.LSTMCell(1, hidden)
        self.lstm2 = nn.LSTMCell(hidden, hidden)
        self.linear = nn.Linear(hidden, 1)

    def forward(self, input, future=0):
        outputs = []
        h_t = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        c_t = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        h_t2 = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        c_t2 = torch.zeros(input.size(0), self.hidden, dtype=torch.double)
        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for i in range(future):  # if we should predict the future
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        return torch.cat(outputs, dim=1)


def main():
    parser = argparse.ArgumentParser(description="LBFGS sine-wave LSTM")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--length", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    data = torch.from_numpy(make_data(24, args.length, 5, args.seed))
    input, target = data[4:, :-1], data[4:, 1:]
    test_input, test_target = data[:4, :-1], data[:4, 1:]
    seq = Sequence(args.hidden).double()
    criterion = nn.MSELoss()
    optimizer = optim.LBFGS(seq.parameters(), lr=0.8, max_iter=10)
    for i in range(args.steps):
        def closure():
            optimizer.zero_grad()
            out = seq(input)
            loss = criterion(out, target)
            loss.backward()
            return loss
        loss = optimizer.step(closure)
        print("STEP: {}  loss: {:.6f}".format(i, loss.item()))
        with torch.no_grad():
            future = 10
            pred = seq(test_input, future=future)
            loss = criterion(pred[:, :-future], test_target)
            print("      test loss: {:.6f}".format(loss.item()))
    print("final test loss: {:.6f}".format(loss.item()))


if __name__ == "__main__":
    main()
