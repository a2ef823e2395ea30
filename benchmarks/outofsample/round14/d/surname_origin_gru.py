"""Which language does a surname come from?  Character-level GRU over the letters, in the
spirit of the PyTorch "classifying names with a character-level RNN" tutorial, with the
tutorial's hand-written parameter update (no torch.optim)."""
import random
import string
import time

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

LETTERS = string.ascii_lowercase + "'-"
SYLLABLES = {
    "italian": ["ro", "ssi", "ni", "bi", "an", "chi", "ello", "uc", "ci", "gio", "lli", "ti"],
    "japanese": ["ka", "ta", "na", "mo", "to", "su", "ki", "ya", "ma", "shi", "hi", "ro"],
    "polish": ["ski", "cz", "ow", "wicz", "rz", "sz", "ko", "ew", "yk", "la", "ni", "ak"],
    "irish": ["o'", "mc", "ke", "ll", "ey", "an", "gh", "nn", "dal", "ry", "ai", "ough"],
    "greek": ["pou", "los", "ou", "kos", "as", "is", "the", "dis", "ako", "ni", "pa", "to"],
    "dutch": ["van", "der", "de", "berg", "ij", "aa", "jans", "sen", "oo", "ma", "kk", "ers"],
}
ORIGINS = sorted(SYLLABLES)


def make_name(origin, rng):
    syl = SYLLABLES[origin]
    parts = [rng.choice(syl) for _ in range(rng.randint(2, 4))]
    if rng.random() < 0.25:                      # borrowed syllable: names are not clean
        parts[rng.randrange(len(parts))] = rng.choice(SYLLABLES[rng.choice(ORIGINS)])
    return "".join(parts)


def encode(name):
    return torch.tensor([LETTERS.index(c) + 1 for c in name])


class CharGRU(nn.Module):
    def __init__(self, n_letters, n_classes, emb=16, hidden=64):
        super().__init__()
        self.emb = nn.Embedding(n_letters + 1, emb, padding_idx=0)
        self.gru = nn.GRU(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, padded, lengths):
        packed = pack_padded_sequence(self.emb(padded), lengths, batch_first=True,
                                      enforce_sorted=False)
        _, h = self.gru(packed)
        return self.out(h[-1])


def batches(pairs, batch_size, rng):
    pairs = pairs[:]
    rng.shuffle(pairs)
    for i in range(0, len(pairs), batch_size):
        chunk = pairs[i:i + batch_size]
        seqs = [encode(n) for n, _ in chunk]
        yield (pad_sequence(seqs, batch_first=True), torch.tensor([len(s) for s in seqs]),
               torch.tensor([ORIGINS.index(o) for _, o in chunk]))


def main():
    rng = random.Random(42)
    torch.manual_seed(42)
    data = [(make_name(o, rng), o) for o in ORIGINS for _ in range(600)]
    rng.shuffle(data)
    train, test = data[:3000], data[3000:]

    model = CharGRU(len(LETTERS), len(ORIGINS))
    criterion = nn.CrossEntropyLoss()
    learning_rate = 0.5

    for epoch in range(1, 9):
        t0, total, n = time.time(), 0.0, 0
        model.train()
        for padded, lengths, y in batches(train, 32, rng):
            model.zero_grad()
            loss = criterion(model(padded, lengths), y)
            loss.backward()
            for p in model.parameters():
                p.data.add_(p.grad.data, alpha=learning_rate)
            total += loss.item() * len(y)
            n += len(y)

        model.eval()
        correct = 0
        with torch.no_grad():
            for padded, lengths, y in batches(test, 512, rng):
                correct += (model(padded, lengths).argmax(1) == y).sum().item()
        acc = correct / len(test)
        print(f"epoch {epoch} loss {total / n:.4f} test_acc {acc:.4f} ({time.time() - t0:.1f}s)")
    print(f"final test_acc {acc:.4f}")


if __name__ == "__main__":
    main()
