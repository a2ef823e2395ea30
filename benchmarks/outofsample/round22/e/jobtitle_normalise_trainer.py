"""Map free-text job titles from applicant CVs to a canonical role family.

A tiny BERT built from a config (no pretrained weights) is trained with the HF Trainer:
warm-up then linear decay, label smoothing, weight decay and routine gradient clipping.
"""
import random
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

SEED = 17
set_seed(SEED)
rng = random.Random(SEED)

FAMILIES = {
    "software_engineer": ["software engineer", "software developer", "swe", "backend developer", "programmer",
                          "full stack engineer", "frontend dev", "web developer"],
    "data_scientist": ["data scientist", "ml engineer", "machine learning scientist", "data analyst",
                       "applied scientist", "analytics engineer"],
    "product_manager": ["product manager", "pm", "product owner", "product lead", "technical product manager"],
    "nurse": ["nurse", "rn", "registered nurse", "staff nurse", "nurse practitioner", "icu nurse"],
    "accountant": ["accountant", "cpa", "bookkeeper", "staff accountant", "accounts payable clerk", "auditor"],
    "sales": ["sales representative", "account executive", "sales rep", "bdr", "business development rep",
              "inside sales"],
    "mechanic": ["mechanic", "auto technician", "service technician", "diesel mechanic", "fleet technician"],
    "teacher": ["teacher", "instructor", "lecturer", "tutor", "math teacher", "classroom teacher"],
}
SENIORITY = ["senior", "sr", "sr.", "junior", "jr", "lead", "principal", "staff", "associate", "head", "ii", "iii", ""]
NOISE = ["remote", "contract", "(m/f/d)", "-", "nyc", "london", "part-time", "urgent", "hybrid", "2024", "i", "ft"]
LABELS = sorted(FAMILIES)


def make_title(label):
    words = rng.choice(FAMILIES[label]).split()
    if rng.random() < 0.7:
        words = [rng.choice(SENIORITY)] + words
    for _ in range(rng.randint(0, 3)):
        words.insert(rng.randint(0, len(words)), rng.choice(NOISE))
    if rng.random() < 0.4:  # a typo in one word (OCR of scanned CVs)
        j = rng.randrange(len(words))
        if rng.random() < 0.5:
            j = max(range(len(words)), key=lambda k: len(words[k]))
        w = words[j]
        if len(w) > 3:
            k = rng.randrange(len(w) - 1)
            words[j] = w[:k] + w[k + 1] + w[k] + w[k + 2:]
    return " ".join(w for w in words if w)


# one row per distinct title string, so no title is both trained on and validated on
titles = {}
while len(titles) < 1400:
    y = rng.randrange(len(LABELS))
    titles.setdefault(make_title(LABELS[y]), y)
rows = list(titles.items())
rng.shuffle(rows)
train_txt, train_y = map(list, zip(*rows[:900]))
val_txt, val_y = map(list, zip(*rows[900:]))

# word-level vocabulary from the training split only; unseen words map to [UNK]
vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2}
for t in train_txt:
    for w in t.split():
        vocab.setdefault(w, len(vocab))
MAX_LEN = 12


def encode(text):
    ids = [vocab["[CLS]"]] + [vocab.get(w, 1) for w in text.split()][: MAX_LEN - 1]
    mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
    return ids + [0] * (MAX_LEN - len(ids)), mask


class TitleDataset(Dataset):
    def __init__(self, texts, labels):
        enc = [encode(t) for t in texts]
        self.ids = torch.tensor([e[0] for e in enc])
        self.mask = torch.tensor([e[1] for e in enc])
        self.labels = torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(LABELS),
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    return {"accuracy": float((np.argmax(logits, -1) == labels).mean())}


with tempfile.TemporaryDirectory() as out:
    args = TrainingArguments(
        output_dir=out,
        num_train_epochs=8,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        learning_rate=1e-3,
        warmup_steps=0.1,  # a float below 1 is a share of the total steps
        lr_scheduler_type="linear",
        weight_decay=0.01,
        label_smoothing_factor=0.1,
        max_grad_norm=1.0,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=25,
        report_to=[],
        use_cpu=True,
        seed=SEED,
        dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=TitleDataset(train_txt, train_y),
                      eval_dataset=TitleDataset(val_txt, val_y), compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()

print(f"val_loss {metrics['eval_loss']:.4f} val_accuracy {metrics['eval_accuracy']:.4f}")
