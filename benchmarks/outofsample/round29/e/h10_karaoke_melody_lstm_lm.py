"""Karaoke scoring: a melody language model over the notes singers actually produce.

The scorer rates a performance by how likely the sung note sequence is under a model of
the song catalogue. Notes are tokens (pitch relative to the song's key x duration class),
sung renditions carry the usual slips (a semitone off, a held note cut short, a skipped
note). The model follows PyTorch's word-language-model example: a token stream batchified
into columns, truncated back-propagation through time with the hidden state carried over
(and detached) between chunks, an LSTM with the decoder weight tied to the embedding,
gradient-norm clipping as insurance before each Adam step, and the learning rate divided
by four whenever validation perplexity stops improving.
"""
import math

import numpy as np
import torch
from torch import nn

torch.manual_seed(9)
rng = np.random.default_rng(9)

N_PITCH, N_DUR = 25, 4                     # two octaves around the tonic, four durations
EOL = N_PITCH * N_DUR                      # end of a lyric line
NTOKENS = EOL + 1
SCALE = np.array([0, 2, 4, 5, 7, 9, 11, 12, 14, 16, 17, 19, 21, 23, 24])


def compose(n_lines):
    lines = []
    for _ in range(n_lines):
        deg = rng.integers(4, 9)
        line = []
        for _ in range(rng.integers(6, 11)):
            deg = int(np.clip(deg + rng.choice([-2, -1, -1, 0, 1, 1, 2, 3]), 0, len(SCALE) - 1))
            line.append((SCALE[deg], int(rng.choice(N_DUR, p=[0.4, 0.35, 0.15, 0.1]))))
        lines.append(line)
    return lines


SONGS = [compose(rng.integers(4, 7)) for _ in range(12)]


def sing(song):
    out = []
    for line in song:
        for pitch, dur in line:
            r = rng.random()
            if r < 0.04:
                continue                                        # skipped note
            if r < 0.10:
                pitch = int(np.clip(pitch + rng.choice([-1, 1]), 0, N_PITCH - 1))
            elif r < 0.14:
                dur = max(dur - 1, 0)
            out.append(pitch * N_DUR + dur)
        out.append(EOL)
    return out


def corpus(n_renditions):
    return torch.tensor([t for _ in range(n_renditions) for t in sing(SONGS[rng.integers(len(SONGS))])])


train_data, val_data = corpus(300), corpus(60)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data[:nbatch * bsz].view(bsz, -1).t().contiguous()


BPTT = 30
train_b, val_b = batchify(train_data, 16), batchify(val_data, 10)


def get_batch(source, i):
    seq_len = min(BPTT, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


class MelodyLM(nn.Module):
    def __init__(self, ntoken, nhid=96, nlayers=2, dropout=0.2):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, nhid)
        self.rnn = nn.LSTM(nhid, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.decoder.weight = self.encoder.weight                 # tied input/output embeddings
        self.nhid, self.nlayers = nhid, nlayers
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, x, hidden):
        emb = self.drop(self.encoder(x))
        out, hidden = self.rnn(emb, hidden)
        return self.decoder(self.drop(out)).view(-1, self.decoder.out_features), hidden

    def init_hidden(self, bsz):
        w = next(self.parameters())
        return (w.new_zeros(self.nlayers, bsz, self.nhid), w.new_zeros(self.nlayers, bsz, self.nhid))


def repackage_hidden(h):
    return tuple(v.detach() for v in h)


model = MelodyLM(NTOKENS)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.25, patience=0)


def evaluate(source):
    model.eval()
    total = 0.0
    hidden = model.init_hidden(source.size(1))
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, BPTT):
            data, targets = get_batch(source, i)
            output, hidden = model(data, hidden)
            total += len(data) * criterion(output, targets).item()
    return total / (len(source) - 1)


clip, best_val = 1.0, None
for epoch in range(1, 21):
    model.train()
    hidden = model.init_hidden(train_b.size(1))
    total, n = 0.0, 0
    for i in range(0, train_b.size(0) - 1, BPTT):
        data, targets = get_batch(train_b, i)
        hidden = repackage_hidden(hidden)
        optimizer.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        total += loss.item()
        n += 1
    val_loss = evaluate(val_b)
    print(f"epoch {epoch:2d} lr {optimizer.param_groups[0]['lr']:.5f} train_ppl {math.exp(total / n):7.2f} val_ppl {math.exp(val_loss):7.2f}")
    scheduler.step(val_loss)
    best_val = val_loss if best_val is None else min(best_val, val_loss)

counts = torch.bincount(train_data, minlength=NTOKENS).float() + 1
unigram_ppl = math.exp(-(torch.log(counts / counts.sum())[val_data]).mean().item())
print(f"final val_ppl {math.exp(best_val):.2f} (unigram {unigram_ppl:.2f})")
