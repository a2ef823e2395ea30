"""Mountain-hut bookings: tag the guest's free-text note (already word-piece encoded by the
booking system) with the warden's handling flags. Several flags can apply to one note."""
import shutil
import tempfile

import numpy as np
import torch
from torch import nn
from sklearn.metrics import f1_score, roc_auc_score
from transformers import BertConfig, BertModel, Trainer, TrainingArguments, set_seed

TAGS = ["half_board", "vegetarian", "late_arrival", "guided_group", "dog", "needs_blankets"]
VOCAB, MAXLEN = 500, 32
PAD, CLS, SEP = 0, 1, 2


def make_notes(n, rng):
    # each flag has a handful of word pieces that guests use for it; the rest is chatter
    pieces = rng.permutation(np.arange(20, VOCAB))
    cues = {t: pieces[6 * t:6 * t + 6] for t in range(len(TAGS))}
    chatter = pieces[6 * len(TAGS):]
    prior = np.array([0.45, 0.22, 0.30, 0.12, 0.10, 0.18])
    ids, masks, labels = [], [], []
    for _ in range(n):
        y = (rng.random(len(TAGS)) < prior).astype(np.float32)
        length = rng.integers(12, MAXLEN - 2)
        words = list(rng.choice(chatter, size=length))
        for t in np.flatnonzero(y):
            for _ in range(rng.integers(1, 3)):
                words[rng.integers(0, length)] = rng.choice(cues[t])
        seq = [CLS] + words + [SEP]
        pad = MAXLEN - len(seq)
        ids.append(seq + [PAD] * pad)
        masks.append([1] * len(seq) + [0] * pad)
        labels.append(y)
    return np.array(ids), np.array(masks), np.array(labels)


class NoteDataset(torch.utils.data.Dataset):
    def __init__(self, ids, masks, labels):
        self.ids, self.masks, self.labels = ids, masks, labels

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]),
                "attention_mask": torch.tensor(self.masks[i]),
                "labels": torch.tensor(self.labels[i])}


class NoteTagger(nn.Module):
    def __init__(self, config, n_tags):
        super().__init__()
        self.encoder = BertModel(config, add_pooling_layer=False)
        self.classifier = nn.Sequential(
            nn.Dropout(config.hidden_dropout_prob),
            nn.Linear(config.hidden_size, n_tags),
        )
        self.loss_fct = nn.BCEWithLogitsLoss()

    def forward(self, input_ids, attention_mask, labels=None):
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1)
        logits = self.classifier(pooled)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = self.loss_fct(logits, labels)
        return out


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    probs = 1 / (1 + np.exp(-logits))
    return {"macro_auc": roc_auc_score(labels, probs, average="macro"),
            "micro_f1": f1_score(labels, probs > 0.5, average="micro")}


def main():
    set_seed(42)
    rng = np.random.default_rng(42)
    ids, masks, labels = make_notes(2500, rng)
    train_ds = NoteDataset(ids[:2000], masks[:2000], labels[:2000])
    eval_ds = NoteDataset(ids[2000:], masks[2000:], labels[2000:])

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=1, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=MAXLEN, pad_token_id=PAD)
    model = NoteTagger(config, len(TAGS))

    args = TrainingArguments(
        output_dir=tempfile.mkdtemp(prefix="hut_tags_"),
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        num_train_epochs=4,
        learning_rate=3e-3,
        warmup_steps=20,
        weight_decay=0.01,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=50,
        report_to="none",
        disable_tqdm=True,
        use_cpu=True,
        seed=42,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    shutil.rmtree(args.output_dir, ignore_errors=True)
    print(f"final eval macro_auc {metrics['eval_macro_auc']:.4f}  micro_f1 {metrics['eval_micro_f1']:.4f}")


if __name__ == "__main__":
    main()
