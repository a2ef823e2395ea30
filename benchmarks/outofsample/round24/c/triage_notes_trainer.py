"""Emergency-department triage: predict the acuity level (ESI 1-5) from the nurse's
free-text intake note, as a second opinion at the front desk.

Notes are short, telegraphic and full of negations ("no cp", "denies sob"). A 2-layer BERT
trained from scratch on the hospital's own notes (word-level vocabulary) with the Hugging
Face Trainer: warm-up then linear decay, label smoothing because adjacent levels are often
disputed between nurses.
"""
import numpy as np
import torch
import torch.nn as nn
from transformers import BertConfig, BertModel, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()

MAX_LEN = 32
FINDINGS = {  # token: acuity pull (negative = more urgent)
    "unresponsive": -4.0, "apneic": -4.0, "pulseless": -4.0, "stridor": -3.0,
    "cp": -2.2, "sob": -2.0, "syncope": -2.0, "confusion": -1.8, "hematemesis": -2.2,
    "fever": -0.8, "vomiting": -0.7, "abd_pain": -1.0, "headache": -0.6, "laceration": -0.4,
    "sprain": 0.6, "rash": 0.7, "rx_refill": 1.4, "sore_throat": 0.8, "ear_pain": 0.8,
    "cough": 0.3, "back_pain": 0.2, "dysuria": 0.4,
}
VITALS = {"hr_high": -0.9, "hr_normal": 0.3, "spo2_low": -1.6, "spo2_normal": 0.3,
          "bp_low": -1.5, "bp_normal": 0.2, "temp_high": -0.4, "temp_normal": 0.1}
FILLER = ["pt", "presents", "with", "since", "yesterday", "today", "onset", "x2d", "hx", "htn",
          "dm", "per", "family", "arrived", "by", "ems", "walk", "in", "states", "reports", "mild",
          "worse", "at", "night", "pain", "score", "7", "3", "meds", "taken", "home"]
NEGATIONS = ["no", "denies"]
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
VOCAB = {w: i for i, w in enumerate(SPECIAL + list(FINDINGS) + list(VITALS) + FILLER + NEGATIONS)}


def write_note(rng):
    phrases, score = [], 0.0
    for f in rng.choice(list(FINDINGS), rng.integers(1, 4), replace=False):
        if rng.random() < 0.3:
            phrases.append([str(rng.choice(NEGATIONS)), str(f)])   # negated: no effect
        else:
            phrases.append([str(f)])
            score += FINDINGS[f]
    for v in ("hr", "spo2", "bp"):
        tok = f"{v}_normal" if rng.random() < 0.75 else [k for k in VITALS if k.startswith(v) and "normal" not in k][0]
        phrases.append([tok])
        score += VITALS[tok]
    phrases += [[str(w)] for w in rng.choice(FILLER, rng.integers(4, 12))]
    order = rng.permutation(len(phrases))
    words = [w for i in order for w in phrases[i]]
    score += rng.normal(0.0, 0.45)
    esi = int(np.digitize(score, [-4.5, -2.2, -0.2, 1.2])) + 1    # 1 (resuscitation) .. 5
    return words, esi


class Notes(torch.utils.data.Dataset):
    def __init__(self, notes, levels):
        self.notes, self.levels = notes, levels

    def __len__(self):
        return len(self.notes)

    def __getitem__(self, i):
        ids = [VOCAB["[CLS]"]] + [VOCAB.get(w, VOCAB["[UNK]"]) for w in self.notes[i]][: MAX_LEN - 2] + [VOCAB["[SEP]"]]
        mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
        ids = ids + [VOCAB["[PAD]"]] * (MAX_LEN - len(ids))
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor(self.levels[i] - 1)}


class NoteClassifier(nn.Module):
    """BERT encoder, masked mean over tokens, linear head (no [CLS] pooler: notes are bags of short phrases)."""

    def __init__(self, config, num_labels):
        super().__init__()
        self.config = config
        self.bert = BertModel(config, add_pooling_layer=False)
        self.drop = nn.Dropout(config.hidden_dropout_prob)
        self.head = nn.Linear(config.hidden_size, num_labels)

    def forward(self, input_ids, attention_mask, labels=None):
        h = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        logits = self.head(self.drop((h * m).sum(1) / m.sum(1)))
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = nn.functional.cross_entropy(logits, labels)
        return out


def compute_metrics(pred):
    logits, labels = pred
    p = logits.argmax(-1)
    return {"accuracy": float((p == labels).mean()), "within_one": float((np.abs(p - labels) <= 1).mean())}


def main():
    rng = np.random.default_rng(4)
    notes, levels = zip(*(write_note(rng) for _ in range(2400)))
    train_ds, val_ds = Notes(notes[:2000], levels[:2000]), Notes(notes[2000:], levels[2000:])
    print("ESI shares (train):", np.bincount(levels[:2000], minlength=6)[1:] / 2000)

    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=MAX_LEN,
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = NoteClassifier(config, num_labels=5)
    args = TrainingArguments(
        output_dir="/tmp/triage_notes_trainer", num_train_epochs=8, per_device_train_batch_size=64,
        per_device_eval_batch_size=200, learning_rate=2e-3, weight_decay=0.01, warmup_steps=25,
        lr_scheduler_type="linear", label_smoothing_factor=0.1, eval_strategy="epoch",
        logging_steps=50, save_strategy="no", report_to=[], seed=0, use_cpu=True, disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    m = trainer.evaluate()
    print(f"final val_loss {m['eval_loss']:.4f} val_acc {m['eval_accuracy']:.4f} within_one {m['eval_within_one']:.4f}")


if __name__ == "__main__":
    main()
