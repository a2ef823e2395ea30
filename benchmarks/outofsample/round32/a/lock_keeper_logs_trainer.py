"""Sorting canal lock-keepers' log entries into event types with a small BERT and the HF Trainer.

Entries are short free-text notes ("pen 3 upper gate paddle stiff greased and tested ...").
Event types: passage, maintenance, water level, gate fault, closure/stoppage, incident.
A 2-layer BERT trained from scratch on a word vocabulary, warm-up then linear decay, label
smoothing 0.1, evaluated each epoch; the best epoch's weights are kept.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(17)
rng = np.random.default_rng(17)

LABELS = ["passage", "maintenance", "water-level", "gate-fault", "stoppage", "incident"]
VESSELS = ["narrowboat", "widebeam", "cruiser", "dutch barge", "hire boat", "work flat", "canoe", "tug"]
PARTS = ["upper gate", "lower gate", "paddle", "ground paddle", "balance beam", "cill", "quoin", "bywash", "windlass spindle"]
SIGNS = ["stiff", "leaking", "jammed", "cracked", "loose", "seized", "dripping", "worn"]
ACTIONS = ["greased", "tightened", "replaced pin", "cleared debris", "painted", "packed with clay", "checked"]
LEVELS = ["pound low", "pound high", "weir running", "overflow", "levels normal", "water short"]
TEMPLATES = {
    0: ["{v} {n} up through lock {k} {t}", "{n} {v}s down {t} single lock", "passed {v} and {v} breasting up {t}",
        "{v} waited {m} min for {v} then down {t}", "lock {k} worked for {v} {t} all in order"],
    1: ["{p} {a} {t}", "routine check {p} {a} lock {k}", "{a} {p} and {p} {t}", "crew {a} {p} lock {k} {t}",
        "{p} {s} {a} {t}", "{p} {s} crew {a} lock {k}"],
    2: ["{l} at lock {k} {t}", "{l} {t} ran water down from summit", "{l} reported by {v} crew {t}",
        "{l} above lock {k} {l}"],
    3: ["{p} {s} lock {k} {t}", "{p} {s} could not work {p} {t}", "{v} crew report {p} {s}", "{p} {s} and {p} {s}",
        "{p} {s} lock {k} crew called"],
    4: ["lock {k} closed {t} {p} {s} stoppage", "stoppage lock {k} until {t}", "navigation closed {l} lock {k}",
        "lock {k} chained off {t} awaiting crew", "{p} {s} lock {k} closed {t}"],
    5: ["{v} caught on cill lock {k} {t}", "person in water lock {k} {t} recovered", "{v} hit {p} lock {k}",
        "windlass dropped in lock {k} {v} crew {t}", "{v} flooded stern in lock {k}"],
}
TIMES = ["morning", "afternoon", "evening", "dawn", "0800", "1130", "1415", "1730", "late"]


def entry(label):
    tpl = TEMPLATES[label][rng.integers(len(TEMPLATES[label]))]
    out = []
    for tok in tpl.split():
        if tok.startswith("{"):
            key = tok[1]
            if key == "v":
                out.append(VESSELS[rng.integers(len(VESSELS))])
            elif key == "p":
                out.append(PARTS[rng.integers(len(PARTS))])
            elif key == "s":
                out.append(SIGNS[rng.integers(len(SIGNS))])
            elif key == "a":
                out.append(ACTIONS[rng.integers(len(ACTIONS))])
            elif key == "l":
                out.append(LEVELS[rng.integers(len(LEVELS))])
            elif key == "t":
                out.append(TIMES[rng.integers(len(TIMES))])
            elif key == "k":
                out.append(str(rng.integers(1, 30)))
            elif key == "n":
                out.append(str(rng.integers(1, 4)))
            elif key == "m":
                out.append(str(5 * rng.integers(1, 9)))
        else:
            out.append(tok)
    words = " ".join(out).split()
    if rng.random() < 0.3:                       # keepers add asides
        words += ["weather", str(rng.choice(["fine", "wet", "windy", "frost"]))]
    for _ in range(2):                           # and shorthand drops words
        if rng.random() < 0.35 and len(words) > 2:
            del words[rng.integers(len(words))]
    return words


N = 2400
y_all = rng.integers(0, len(LABELS), N)
texts = [entry(int(c)) for c in y_all]

vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
for w in (w for t in texts[:1800] for w in t):
    vocab.setdefault(w, len(vocab))
MAX_LEN = 24


def encode(words):
    ids = [2] + [vocab.get(w, 1) for w in words][: MAX_LEN - 2] + [3]
    mask = [1] * len(ids)
    pad = MAX_LEN - len(ids)
    return ids + [0] * pad, mask + [0] * pad


class LogDataset(Dataset):
    def __init__(self, idx):
        enc = [encode(texts[i]) for i in idx]
        self.ids = torch.tensor([e[0] for e in enc])
        self.mask = torch.tensor([e[1] for e in enc])
        self.labels = torch.tensor(y_all[idx], dtype=torch.long)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


train_ds, val_ds = LogDataset(np.arange(0, 1800)), LogDataset(np.arange(1800, N))

config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(LABELS),
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


args = TrainingArguments(
    output_dir="/tmp/lock_keeper_logs",
    num_train_epochs=5,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=1e-3,
    weight_decay=0.01,
    warmup_steps=30,
    lr_scheduler_type="linear",
    label_smoothing_factor=0.1,
    eval_strategy="epoch",
    save_strategy="epoch",
    save_total_limit=1,
    load_best_model_at_end=True,
    metric_for_best_model="accuracy",
    logging_steps=25,
    report_to=[],
    use_cpu=True,
    seed=17,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"val accuracy {metrics['eval_accuracy']:.3f}  val loss {metrics['eval_loss']:.4f}")
