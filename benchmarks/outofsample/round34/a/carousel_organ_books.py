"""Fairground carousel-organ book music: classify the dance form of a tune from its
punched-card note events (token ids). Small BERT trained from scratch with the
Hugging Face Trainer: warm-up then linear decay, label smoothing, weight decay."""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(13)
torch.set_num_threads(1)

FORMS = ["waltz", "march", "polka", "galop"]
PAD, CLS, BAR, REST = 0, 1, 2, 3
N_PITCH = 36                      # three octaves of the organ's scale
N_DUR = 6                         # hole lengths, in quavers
DUR0 = 4 + N_PITCH + 12
VOCAB = DUR0 + N_DUR              # pitches, 12 bass-chord holes, then hole lengths
DUR_P = np.array([[0.05, 0.15, 0.2, 0.3, 0.2, 0.1],      # waltz
                  [0.1, 0.3, 0.3, 0.2, 0.05, 0.05],      # march
                  [0.3, 0.3, 0.2, 0.1, 0.05, 0.05],      # polka
                  [0.5, 0.3, 0.1, 0.05, 0.03, 0.02]])    # galop
SEQ = 48


def bar_tokens(form, key, rng):
    bass = 4 + N_PITCH + (key + rng.choice([0, 5, 7])) % 12
    top = 4 + N_PITCH - 1
    mel = lambda: 4 + int(np.clip(key + 12 + rng.integers(-5, 12), 0, N_PITCH - 1))
    if form == 0:     # waltz: bass on one, two chord-and-melody beats
        notes = [bass, mel(), mel()]
    elif form == 1:   # march: oom-pah, oom-pah
        notes = [bass, mel(), bass, mel()]
    elif form == 2:   # polka: off-beat lift, melody hops a tone
        m = mel()
        notes = [bass, REST, m, min(m + 2, top), mel()]
    else:             # galop: running scale passages
        start = mel()
        notes = [bass] + [min(start + k, top) for k in range(4)]
    out = []
    for t in notes:
        out += [t, DUR0 + rng.choice(N_DUR, p=DUR_P[form])]
    return out


def make_book(n, rng):
    ids = np.full((n, SEQ), PAD, np.int64)
    labels = rng.integers(0, len(FORMS), n)
    for i, form in enumerate(labels):
        key = rng.integers(0, 12)
        seq = [CLS]
        while len(seq) < SEQ:
            f = form if rng.random() > 0.25 else rng.integers(0, len(FORMS))   # trio sections borrow
            seq += bar_tokens(f, key, rng) + [BAR]
        seq = np.array(seq[:SEQ])
        flip = rng.random(SEQ) < 0.08                                         # worn or re-punched holes
        seq[flip & (seq > REST)] = rng.integers(4, VOCAB, (flip & (seq > REST)).sum())
        ids[i] = seq
    return ids, labels


class OrganBooks(Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = torch.from_numpy(ids), torch.from_numpy(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": (self.ids[i] != PAD).long(), "labels": self.labels[i]}


def accuracy(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


rng = np.random.default_rng(13)
ids, labels = make_book(1500, rng)
train_ds, val_ds = OrganBooks(ids[:1200], labels[:1200]), OrganBooks(ids[1200:], labels[1200:])

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=SEQ, num_labels=len(FORMS),
                    pad_token_id=PAD, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)

args = TrainingArguments(
    output_dir="/tmp/carousel_organ_books",
    num_train_epochs=8,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=150,
    learning_rate=2e-3,
    weight_decay=0.01,
    warmup_steps=30,
    lr_scheduler_type="linear",
    label_smoothing_factor=0.1,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=25,
    report_to=[],
    disable_tqdm=True,
    use_cpu=True,
    seed=13,
    dataloader_num_workers=0,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds, compute_metrics=accuracy)
trainer.train()
metrics = trainer.evaluate()
print(f"final val accuracy {metrics['eval_accuracy']:.4f}  val_loss {metrics['eval_loss']:.4f}")
