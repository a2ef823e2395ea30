"""Entity tagging in free-text shipping instructions (BIO tags: QTY, GOODS, ORIG, DEST, DATE, VESSEL).

A BiLSTM tagger over word embeddings, packed sequences, padding positions ignored by the
loss (ignore_index). Port names occur as both origin and destination, so the role has to
come from context. Word dropout (tokens replaced by <unk> during training) keeps the model
usable on unseen vessel and port names. SGD with momentum, 1/(1 + decay * epoch) schedule and
norm clipping at 5, as in the classic sequence-labelling recipes.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PORTS = ["rotterdam", "antwerp", "hamburg", "houston", "santos", "singapore", "busan", "durban", "felixstowe",
         "valencia", "genoa", "mombasa", "chennai", "savannah", "tianjin", "gdansk", "izmir", "callao"]
NEW_PORTS = ["lagos", "colombo", "manzanillo", "jebel", "piraeus", "tangier"]   # only in recent (validation) traffic
GOODS = [["steel", "coils"], ["frozen", "shrimp"], ["copper", "cathodes"], ["wheat"], ["used", "tyres"],
         ["cotton", "bales"], ["machinery", "parts"], ["ceramic", "tiles"], ["soybean", "meal"], ["auto", "parts"],
         ["timber"], ["olive", "oil"], ["fertiliser"], ["solar", "panels"], ["coffee", "beans"]]
UNITS = ["pallets", "containers", "teu", "tonnes", "drums", "cartons", "bags", "crates"]
VESSEL_A = ["msc", "maersk", "cma", "cgm", "ever", "one", "hmm", "cosco", "zim"]
VESSEL_B = ["oscar", "aurora", "gulsun", "given", "apus", "algeciras", "antares", "venture", "horizon", "pearl",
            "star", "emerald", "triumph", "harmony", "spirit", "sky", "falcon", "orion"]
MONTHS = ["jan", "feb", "march", "april", "may", "june", "july", "aug", "sept", "oct", "nov", "dec"]
TAGS = ["O"] + [f"{p}-{t}" for t in ["QTY", "GOODS", "ORIG", "DEST", "DATE", "VESSEL"] for p in "BI"]
TAG_ID = {t: i for i, t in enumerate(TAGS)}


def span(words, label):
    return [(w, ("B-" if i == 0 else "I-") + label) for i, w in enumerate(words)]


def typo(word, rng):
    if word.isdigit() or len(word) < 4:
        return word
    i = rng.integers(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:] if rng.random() < 0.5 else word[:i] + word[i + 1:]


def make_sentence(rng, ports=PORTS):
    qty = span([str(rng.integers(1, 400)), rng.choice(UNITS)], "QTY")
    goods = span(list(GOODS[rng.integers(len(GOODS))]), "GOODS")
    o, d = rng.choice(ports, 2, replace=False)
    orig, dest = span([o], "ORIG"), span([d], "DEST")
    date = span([str(rng.integers(1, 29)), rng.choice(MONTHS)] if rng.random() < 0.7
                else [rng.choice(["eta", "etd"]), str(rng.integers(1, 29)), "/", str(rng.integers(1, 13))], "DATE")
    vessel = span([rng.choice(VESSEL_A), rng.choice(VESSEL_B)], "VESSEL")
    O = lambda *ws: [(w, "O") for w in ws]
    templates = [
        lambda: O("please", "ship") + qty + O("of") + goods + O("from") + orig + O("to") + dest + O("on") + date,
        lambda: O("book") + qty + goods + O("ex") + orig + O("for") + dest + O("on", "board") + vessel,
        lambda: goods + O(",") + qty + O(",") + O("pol") + orig + O("pod") + dest + O(",") + date,
        lambda: O("we", "need") + qty + O("to", "go", "to") + dest + O("loading", "at") + orig + O("by") + date,
        lambda: O("pls", "confirm", "space", "on") + vessel + O("for") + qty + goods + O("destined", "for") + dest,
        lambda: O("cargo", ":") + goods + O("qty", ":") + qty + O("routing") + orig + O("-") + dest + O("vsl") + vessel,
        lambda: O("urgent", ":") + qty + O("of") + goods + O("arriving") + dest + O("from") + orig + O(",") + date,
        # "X / Y" lanes: most shippers write origin first, some write destination first
        lambda: qty + goods + (orig + O("/") + dest if rng.random() < 0.7 else dest + O("/") + orig) + O(",") + date,
    ]
    sent = templates[rng.integers(len(templates))]()
    return [(typo(w, rng) if rng.random() < 0.06 else w, t) for w, t in sent]


def encode(sents, vocab):
    return [([vocab.get(w, 1) for w, _ in s], [TAG_ID[t] for _, t in s]) for s in sents]


def batchify(items, word_dropout=0.0, gen=None):
    items = sorted(items, key=lambda it: -len(it[0]))
    lengths = torch.tensor([len(w) for w, _ in items])
    W = torch.zeros(len(items), int(lengths[0]), dtype=torch.long)
    T = torch.full((len(items), int(lengths[0])), -100, dtype=torch.long)
    for i, (w, t) in enumerate(items):
        W[i, : len(w)] = torch.tensor(w)
        T[i, : len(t)] = torch.tensor(t)
    if word_dropout > 0:
        drop = (torch.rand(W.shape, generator=gen) < word_dropout) & (W > 1)
        W = W.masked_fill(drop, 1)
    return W, T, lengths


class BiLSTMTagger(nn.Module):
    def __init__(self, vocab_size, n_tags, emb=48, hidden=64):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, emb, padding_idx=0)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True, bidirectional=True)
        self.drop = nn.Dropout(0.25)
        self.out = nn.Linear(2 * hidden, n_tags)

    def forward(self, words, lengths):
        packed = pack_padded_sequence(self.drop(self.emb(words)), lengths, batch_first=True)
        h, _ = self.lstm(packed)
        h, _ = pad_packed_sequence(h, batch_first=True)
        return self.out(self.drop(h))


def spans(tags):
    out, start, label = set(), None, None
    for i, t in enumerate(list(tags) + ["O"]):
        if start is not None and not t.startswith("I-" + label):
            out.add((start, i, label))
            start = None
        if t.startswith("B-"):
            start, label = i, t[2:]
    return out


def entity_f1(model, data):
    model.eval()
    tp = fp = fn = 0
    with torch.no_grad():
        for i in range(0, len(data), 256):
            W, T, L = batchify(data[i:i + 256])
            pred = model(W, L).argmax(-1)
            for b in range(len(L)):
                n = int(L[b])
                gold = spans([TAGS[k] for k in T[b, :n].tolist()])
                hyp = spans([TAGS[k] for k in pred[b, :n].tolist()])
                tp += len(gold & hyp)
                fp += len(hyp - gold)
                fn += len(gold - hyp)
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return 2 * p * r / max(p + r, 1e-9)


def main():
    torch.manual_seed(23)
    rng = np.random.default_rng(23)
    gen = torch.Generator().manual_seed(23)
    train_s = [make_sentence(rng) for _ in range(2400)]
    val_s = [make_sentence(rng, PORTS + NEW_PORTS if rng.random() < 0.3 else PORTS) for _ in range(600)]
    counts = {}
    for s in train_s:
        for w, _ in s:
            counts[w] = counts.get(w, 0) + 1
    vocab = {"<pad>": 0, "<unk>": 1}
    for w, c in sorted(counts.items()):
        if c >= 2:
            vocab[w] = len(vocab)
    train, val = encode(train_s, vocab), encode(val_s, vocab)
    print(f"vocab {len(vocab)}  train sentences {len(train)}  val sentences {len(val)}")

    model = BiLSTMTagger(len(vocab), len(TAGS))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda ep: 1.0 / (1.0 + 0.1 * ep))

    bs = 32
    for epoch in range(1, 11):
        model.train()
        order = torch.randperm(len(train), generator=gen).tolist()
        total, ntok = 0.0, 0
        for i in range(0, len(order), bs):
            W, T, L = batchify([train[j] for j in order[i:i + bs]], word_dropout=0.05, gen=gen)
            logits = model(W, L)
            loss = F.cross_entropy(logits.reshape(-1, len(TAGS)), T[:, : logits.shape[1]].reshape(-1),
                                   ignore_index=-100)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            k = int((T != -100).sum())
            total += loss.item() * k
            ntok += k
        scheduler.step()
        if epoch % 2 == 0:
            print(f"epoch {epoch:2d}  token loss {total / ntok:.4f}  val entity F1 {entity_f1(model, val):.4f}")
    print(f"final: val entity-level F1 {entity_f1(model, val):.4f}")


if __name__ == "__main__":
    main()
