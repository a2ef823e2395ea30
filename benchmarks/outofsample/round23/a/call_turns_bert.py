"""Speaker-role tagging of contact-centre transcript turns with a small BERT.

Each diarised turn from the ASR pipeline is classified as spoken by the AGENT,
the CUSTOMER or the automated IVR prompt, so that downstream QA metrics
(talk ratio, hold announcements) can be computed per role.  The encoder is a
compact BERT trained from scratch on our own word-piece ids.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

VOCAB = 600
PAD, CLS, SEP = 0, 1, 2
MAX_LEN = 32
ROLES = ["agent", "customer", "ivr"]


def synth_turns(n, seed):
    rng = np.random.default_rng(seed)
    common = np.arange(10, 300)                      # shared conversational words
    role_words = {0: np.arange(300, 400), 1: np.arange(400, 500), 2: np.arange(500, 600)}
    role_rate = {0: 0.30, 1: 0.28, 2: 0.40}
    ids, labels = [], []
    for _ in range(n):
        r = int(rng.choice(3, p=[0.45, 0.40, 0.15]))
        length = int(rng.integers(6, MAX_LEN - 2)) if r != 2 else int(rng.integers(10, 20))
        toks = rng.choice(common, size=length)
        mask = rng.random(length) < role_rate[r]
        # some role words are shared across roles (agents also say "account", ...)
        other = rng.integers(0, 3, size=length)
        src = np.where(rng.random(length) < 0.85, r, other)
        toks[mask] = [rng.choice(role_words[int(s)]) for s in src[mask]]
        ids.append([CLS] + toks.tolist() + [SEP])
        labels.append(r)
    return ids, labels


class TurnDataset(Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = ids, labels

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        x = self.ids[i][:MAX_LEN]
        pad = MAX_LEN - len(x)
        return {
            "input_ids": torch.tensor(x + [PAD] * pad),
            "attention_mask": torch.tensor([1] * len(x) + [0] * pad),
            "labels": torch.tensor(self.labels[i]),
        }


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    preds = logits.argmax(-1)
    acc = (preds == labels).mean()
    recalls = [(preds[labels == c] == c).mean() for c in range(len(ROLES))]
    return {"accuracy": float(acc), "balanced_accuracy": float(np.mean(recalls))}


def main():
    torch.manual_seed(0)
    train_ids, train_y = synth_turns(1280, seed=1)
    val_ids, val_y = synth_turns(500, seed=2)

    config = BertConfig(
        vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(ROLES),
        pad_token_id=PAD,
    )
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/call_turns_bert",
        num_train_epochs=4,
        per_device_train_batch_size=32,
        per_device_eval_batch_size=128,
        learning_rate=5e-5,
        warmup_steps=16,
        weight_decay=0.01,
        eval_strategy="epoch",
        logging_steps=20,
        save_strategy="no",
        report_to=[],
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
    )
    trainer = Trainer(
        model=model, args=args,
        train_dataset=TurnDataset(train_ids, train_y),
        eval_dataset=TurnDataset(val_ids, val_y),
        compute_metrics=compute_metrics,
    )
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval: loss {metrics['eval_loss']:.4f} accuracy {metrics['eval_accuracy']:.4f} "
          f"balanced accuracy {metrics['eval_balanced_accuracy']:.4f}")


if __name__ == "__main__":
    main()
