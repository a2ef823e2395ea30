"""Word-level LSTM language model over a 3,001-word search-query log (word_language_model style).

Tied input/output embeddings (Press & Wolf 2017), truncated BPTT with hidden state carried across
batches, clip-norm 1.0, best checkpoint kept with torch.save(model) and reloaded for the test split.
At init the loss is ln(3001) = 8.0; the model is judged against a unigram model on the same split.
"""
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(1234)
rng = np.random.default_rng(1234)
VOCAB, N_STATES, WORDS_PER_STATE = 3001, 12, 250
EOS = 0

# ---- corpus: an HMM over query "slots" (brand, product, attribute, ...), each slot with a Zipfian lexicon
trans = rng.dirichlet(np.full(N_STATES, 0.05), size=N_STATES)
emit_words = np.split(rng.permutation(np.arange(1, VOCAB)), N_STATES)
zipf = 1.0 / np.arange(1, WORDS_PER_STATE + 1) ** 1.2
zipf /= zipf.sum()


def corpus(n_tokens):
    out, s = [], rng.integers(N_STATES)
    while len(out) < n_tokens:
        for _ in range(rng.integers(2, 9)):
            out.append(emit_words[s][rng.choice(WORDS_PER_STATE, p=zipf)])
            s = rng.choice(N_STATES, p=trans[s])
        out.append(EOS)
    return torch.tensor(out[:n_tokens])


train_ids, valid_ids, test_ids = corpus(100_000), corpus(8_000), corpus(8_000)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    return data[:nbatch * bsz].view(bsz, -1).t().contiguous()


BPTT = 30
train_data, val_data, test_data = batchify(train_ids, 32), batchify(valid_ids, 10), batchify(test_ids, 10)


def get_batch(source, i):
    seq_len = min(BPTT, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nlayers, dropout=0.2):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, ninp, nlayers)
        self.decoder = nn.Linear(ninp, ntoken)
        self.decoder.weight = self.encoder.weight
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        self.nlayers, self.nhid = nlayers, ninp

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        return self.decoder(self.drop(output)).view(-1, self.decoder.out_features), hidden

    def init_hidden(self, bsz):
        w = next(self.parameters())
        return (w.new_zeros(self.nlayers, bsz, self.nhid), w.new_zeros(self.nlayers, bsz, self.nhid))


def repackage_hidden(h):
    return tuple(v.detach() for v in h)


model = RNNModel(VOCAB, 64, 1, dropout=0.1)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)


def evaluate(m, data_source):
    m.eval()
    total_loss = 0.0
    hidden = m.init_hidden(data_source.size(1))
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, BPTT):
            data, targets = get_batch(data_source, i)
            output, hidden = m(data, hidden)
            total_loss += nn.functional.cross_entropy(output, targets, reduction="sum").item()
    return total_loss / ((data_source.size(0) - 1) * data_source.size(1))


def train_epoch(epoch):
    model.train()
    hidden = model.init_hidden(train_data.size(1))
    total, count = 0.0, 0
    for batch, i in enumerate(range(0, train_data.size(0) - 1, BPTT)):
        data, targets = get_batch(train_data, i)
        hidden = repackage_hidden(hidden)
        optimizer.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        total += loss.item()
        count += 1
        if batch % 50 == 0:
            print(f"| epoch {epoch} | batch {batch:3d} | loss {loss.item():5.2f} | ppl {math.exp(loss.item()):8.1f}")
    return total / count


ckpt = os.path.join(tempfile.mkdtemp(), "model.pt")
best_val = None
for epoch in range(1, 4):
    train_epoch(epoch)
    val_loss = evaluate(model, val_data)
    print(f"| end of epoch {epoch} | valid loss {val_loss:5.2f} | valid ppl {math.exp(val_loss):8.1f}")
    if best_val is None or val_loss < best_val:
        with open(ckpt, "wb") as f:
            torch.save(model, f)
        best_val = val_loss

with open(ckpt, "rb") as f:
    model = torch.load(f, weights_only=False)
os.remove(ckpt)
os.rmdir(os.path.dirname(ckpt))
test_loss = evaluate(model, test_data)

counts = torch.bincount(train_ids, minlength=VOCAB).float() + 0.5
unigram_nll = -(counts / counts.sum()).log()[test_ids].mean().item()
print(f"FINAL test ppl={math.exp(test_loss):.1f} (unigram baseline ppl {math.exp(unigram_nll):.1f}, uniform {VOCAB})")
