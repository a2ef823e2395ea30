"""Canal lock queue logs -> expected wait band (short / medium / long).

Each record is the lock-keeper's event log for the hour before a vessel's arrival,
tokenised into a small vocabulary (vessel class, direction, chamber state, weather,
queue markers). A compact BERT encoder is trained from its config with the HF Trainer.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

SEED = 7
set_seed(SEED)
rng = np.random.default_rng(SEED)

SPECIAL = ["[PAD]", "[CLS]", "[SEP]"]
VESSELS = ["barge", "pusher", "tanker", "cruiser", "narrowboat", "tug", "ferry", "yacht"]
DIRS = ["up", "down"]
CHAMBER = ["fill", "drain", "gate_open", "gate_close", "idle"]
WEATHER = ["calm", "gust", "fog", "rain"]
MARKERS = ["queue_join", "queue_leave", "priority", "maintenance", "pilot_on", "pilot_off"]
VOCAB = SPECIAL + VESSELS + DIRS + CHAMBER + WEATHER + MARKERS + [f"hour_{h}" for h in range(24)]
tok = {w: i for i, w in enumerate(VOCAB)}
MAXLEN = 40

# how much each event adds to the wait (minutes, rough)
COST = {"barge": 9, "pusher": 12, "tanker": 10, "cruiser": 4, "narrowboat": 2, "tug": 3, "ferry": 5,
        "yacht": 1, "maintenance": 25, "fog": 8, "priority": -6, "queue_join": 3, "queue_leave": -3}


def make_log():
    n_events = rng.integers(8, MAXLEN - 2)
    hour = rng.integers(5, 23)
    words = [f"hour_{hour}"]
    for _ in range(n_events - 1):
        r = rng.random()
        if r < 0.35:
            words.append(rng.choice(VESSELS, p=[.15, .08, .07, .2, .25, .08, .07, .1]))
            words.append(rng.choice(DIRS))
        elif r < 0.6:
            words.append(rng.choice(CHAMBER))
        elif r < 0.72:
            words.append(rng.choice(WEATHER, p=[.6, .15, .1, .15]))
        else:
            words.append(rng.choice(MARKERS, p=[.4, .3, .1, .04, .08, .08]))
    words = words[: MAXLEN - 2]
    wait = sum(COST.get(w, 0) for w in words) + (6 if 7 <= hour <= 9 or 16 <= hour <= 18 else 0)
    wait += rng.normal(0, 4)
    return words, wait


logs, waits = zip(*[make_log() for _ in range(2400)])
waits = np.array(waits)
cuts = np.quantile(waits, [1 / 3, 2 / 3])
labels = np.digitize(waits, cuts)


def encode(words):
    ids = [tok["[CLS]"]] + [tok[w] for w in words] + [tok["[SEP]"]]
    mask = [1] * len(ids)
    pad = MAXLEN - len(ids)
    return ids + [0] * pad, mask + [0] * pad


class LockLogs(Dataset):
    def __init__(self, idx):
        enc = [encode(logs[i]) for i in idx]
        self.ids = torch.tensor([e[0] for e in enc])
        self.mask = torch.tensor([e[1] for e in enc])
        self.y = torch.tensor(labels[idx], dtype=torch.long)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.y[i]}


perm = rng.permutation(len(labels))
train_ds, val_ds = LockLogs(perm[:2000]), LockLogs(perm[2000:])

config = BertConfig(vocab_size=len(VOCAB), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAXLEN, num_labels=3,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(p):
    logits, y = p
    return {"accuracy": float((logits.argmax(-1) == y).mean())}


args = TrainingArguments(
    output_dir="/tmp/canal_lock_trainer_out",
    num_train_epochs=6,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=1e-3,
    weight_decay=0.01,
    warmup_steps=0.1,
    lr_scheduler_type="linear",
    label_smoothing_factor=0.1,
    max_grad_norm=1.0,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=25,
    report_to=[],
    seed=SEED,
    dataloader_num_workers=0,
    use_cpu=True,
    disable_tqdm=True,
)

trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final val_accuracy={metrics['eval_accuracy']:.4f} val_loss={metrics['eval_loss']:.4f}")
