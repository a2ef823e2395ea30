"""Language ID for subtitle lines (fastText-style hashed character n-grams).

Every line becomes a bag of hashed character 1-4-grams (with word boundaries), averaged by
an EmbeddingBag and read out by a linear layer. Parameters are updated by hand with plain
SGD (no optimizer object, as in the classic fastText recipe with a linearly decaying LR),
and an exponential moving average of the weights, kept in a deepcopy, is what gets
evaluated and exported.
"""
import copy
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LANGS = ["en", "de", "fr", "es", "it", "nl"]
WORDS = {
    "en": "i you the what is this we are not going to do that right now come on where have been "
          "please wait here thank it was just my your okay well know think really never".split(),
    "de": "ich du der die das was ist nicht wir sind jetzt komm wo warst bitte warte hier danke "
          "es war nur mein dein gut weiss glaube wirklich nie schon auch noch mal".split(),
    "fr": "je tu le la les quoi est ce nous sommes pas maintenant viens ou etais merci attends ici "
          "il etait juste mon ton bien sais crois vraiment jamais deja aussi encore".split(),
    "es": "yo tu el la los que es esto nosotros somos no ahora ven donde estabas gracias espera aqui "
          "era solo mi bien se creo realmente nunca ya tambien todavia vamos".split(),
    "it": "io tu il la che cosa e questo noi siamo non ora vieni dove eri grazie aspetta qui "
          "era solo mio tuo bene so credo davvero mai gia anche ancora andiamo".split(),
    "nl": "ik jij de het wat is dit wij zijn niet nu kom waar was alsjeblieft wacht hier dank "
          "het was maar mijn jouw goed weet denk echt nooit al ook nog even".split(),
}
SHARED = "ok hey john maria paris london 2 10 no si".split()   # names, numbers, loanwords
N_BUCKETS = 2 ** 15


def make_lines(n, seed):
    rng = np.random.default_rng(seed)
    lines, labels = [], []
    for _ in range(n):
        lang = rng.integers(len(LANGS))
        vocab = WORDS[LANGS[lang]]
        k = rng.integers(1, 6)
        words = [vocab[rng.integers(len(vocab))] if rng.random() > 0.15
                 else SHARED[rng.integers(len(SHARED))] for _ in range(k)]
        line = " ".join(words)
        if rng.random() < 0.5:
            line = line.capitalize() + rng.choice([".", "?", "!", "...", ""])
        if rng.random() < 0.1:                                   # OCR/typing noise
            pos = rng.integers(len(line))
            line = line[:pos] + chr(97 + rng.integers(26)) + line[pos + 1:]
        lines.append(line)
        labels.append(lang)
    return lines, np.array(labels)


def ngram_ids(line, n_max=4):
    ids = []
    for w in line.lower().split():
        w = f"<{w}>"
        for n in range(1, n_max + 1):
            for i in range(len(w) - n + 1):
                ids.append(zlib.crc32(w[i:i + n].encode()) % N_BUCKETS)
    return ids or [0]


def encode(lines):
    flat, offsets = [], []
    for line in lines:
        offsets.append(len(flat))
        flat.extend(ngram_ids(line))
    return torch.tensor(flat), torch.tensor(offsets)


class LangID(nn.Module):
    def __init__(self, dim=32, n_cls=len(LANGS)):
        super().__init__()
        self.emb = nn.EmbeddingBag(N_BUCKETS, dim, mode="mean")
        self.out = nn.Linear(dim, n_cls)
        nn.init.normal_(self.emb.weight, 0.0, 1.0)
        nn.init.zeros_(self.out.bias)

    def forward(self, flat, offsets):
        return self.out(self.emb(flat, offsets))


def batches(lines, labels, bs, rng):
    order = rng.permutation(len(lines))
    for i in range(0, len(order), bs):
        idx = order[i:i + bs]
        flat, off = encode([lines[j] for j in idx])
        yield flat, off, torch.from_numpy(labels[idx])


@torch.no_grad()
def accuracy(model, lines, labels):
    model.eval()
    flat, off = encode(lines)
    pred = model(flat, off).argmax(1).numpy()
    return (pred == labels).mean()


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    tr_lines, tr_y = make_lines(6000, seed=1)
    va_lines, va_y = make_lines(1500, seed=2)

    model = LangID()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    lr0, epochs, bs, decay = 2.0, 6, 16, 0.995
    total = epochs * ((len(tr_lines) + bs - 1) // bs)
    step = 0
    for epoch in range(epochs):
        model.train()
        run_loss = 0.0
        for flat, off, yb in batches(tr_lines, tr_y, bs, rng):
            lr = lr0 * (1 - step / total)
            loss = F.cross_entropy(model(flat, off), yb)
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
                for pe, p in zip(ema.parameters(), model.parameters()):
                    pe.mul_(decay).add_(p, alpha=1 - decay)
            run_loss += loss.item()
            step += 1
        print(f"epoch {epoch + 1}  train_loss {run_loss / ((len(tr_lines) + bs - 1) // bs):.4f}  "
              f"val_acc {accuracy(model, va_lines, va_y):.4f}  val_acc(ema) {accuracy(ema, va_lines, va_y):.4f}")
    print(f"final val accuracy (EMA weights) {accuracy(ema, va_lines, va_y):.4f}")


if __name__ == "__main__":
    main()
