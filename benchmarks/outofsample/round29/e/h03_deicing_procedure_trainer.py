"""Airport de-icing: choose the de-icing procedure from the coded weather observation.

Each observation is the tokenised METAR-style group sequence (wind, visibility, present
weather, cloud layers, temperature, dew point) plus the ramp's frost report. The procedure
is one of: none, one-step Type I (frost/hoar only), two-step Type I + Type IV (active
frozen or freezing precipitation) and one-step Type II (cold soak in dry snow). A small BERT
encoder is trained from scratch with the Hugging Face Trainer: warm-up then linear decay,
decoupled weight decay and label smoothing.
"""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(3)
rng = np.random.default_rng(3)

WX = ["NOWX", "-SN", "SN", "+SN", "FZDZ", "FZRA", "-RA", "RA", "BR", "FG", "DZ"]
CLD = ["FEW", "SCT", "BKN", "OVC"]
vocab = ["[PAD]", "[CLS]", "[SEP]"]
vocab += [f"WND{i}" for i in range(8)] + [f"VIS{i}" for i in range(6)] + WX
vocab += [f"{c}{h}" for c in CLD for h in ("005", "010", "020", "040")]
vocab += [f"T{t:+d}" for t in range(-15, 13)] + [f"SPR{s}" for s in range(6)]
vocab += ["FROST", "NOFROST", "RMK", "NOSIG", "BECMG"]
tok = {w: i for i, w in enumerate(vocab)}
MAXLEN = 16
CLASSES = ["none", "type1", "type1_type4", "type2_cold"]


def observation():
    temp = int(rng.integers(-15, 13))
    spread = int(rng.integers(0, 6))
    wx = WX[rng.integers(0, len(WX))]
    if wx in ("-SN", "SN", "+SN") and temp > 2:
        wx = "-RA"
    if wx in ("FZDZ", "FZRA") and temp > 0:
        wx = "DZ"
    frost = rng.random() < (0.5 if temp <= 2 and spread <= 2 else 0.08)
    words = ["[CLS]", f"WND{rng.integers(0, 8)}", f"VIS{rng.integers(0, 6)}", wx]
    for _ in range(rng.integers(0, 4)):
        words.append(f"{CLD[rng.integers(0, 4)]}{['005', '010', '020', '040'][rng.integers(0, 4)]}")
    words += [f"T{temp:+d}", f"SPR{spread}", "FROST" if frost else "NOFROST"]
    if rng.random() < 0.3:
        words.append(["RMK", "NOSIG", "BECMG"][rng.integers(0, 3)])
    words.append("[SEP]")
    if wx in ("FZDZ", "FZRA") or (wx in ("-SN", "SN", "+SN") and temp >= -6):
        label = 2
    elif wx in ("SN", "+SN") and temp < -6:
        label = 3
    elif frost or (temp <= 0 and wx in ("BR", "FG", "-SN")):
        label = 1
    elif -1 <= temp <= 2 and spread <= 1:
        # wing skin temperature after a cold-soaked night is not in the report: the ramp decides
        label = int(rng.random() < 0.5)
    else:
        label = 0
    ids = [tok[w] for w in words] + [0] * (MAXLEN - len(words))
    return ids, label


class Observations(Dataset):
    def __init__(self, n):
        rows = [observation() for _ in range(n)]
        self.ids = torch.tensor([r[0] for r in rows])
        self.labels = torch.tensor([r[1] for r in rows])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        ids = self.ids[i]
        return {"input_ids": ids, "attention_mask": (ids != 0).long(), "labels": self.labels[i]}


train_ds, val_ds = Observations(2400), Observations(500)

config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAXLEN, num_labels=len(CLASSES),
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


with tempfile.TemporaryDirectory() as out:
    args = TrainingArguments(
        output_dir=out,
        learning_rate=2e-3,
        warmup_steps=50,
        lr_scheduler_type="linear",
        weight_decay=0.01,
        label_smoothing_factor=0.1,
        num_train_epochs=7,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=200,
        eval_strategy="epoch",
        logging_strategy="epoch",
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        seed=3,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()

print(f"final eval_loss {metrics['eval_loss']:.4f} eval_accuracy {metrics['eval_accuracy']:.4f}")
