"""Harbourmaster's office: route transcribed VHF radio log entries to the right desk.

Entries are already tokenised by the port's own word-piece vocabulary (800 ids). Desks:
0 position/ETA reports, 1 pilotage requests, 2 berth/anchorage changes, 3 safety
(sécurité/pan-pan) traffic. A small BERT is trained from scratch with the HF Trainer:
warm-up then linear decay, label smoothing, weight decay off for biases/LayerNorm.
"""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

VOCAB, SEQ_LEN, N_DESKS = 800, 32, 4
PAD, CLS, SEP = 0, 1, 2


def radio_log(n, rng):
    common = np.arange(10, 400)                                  # call signs, numbers, filler
    desk_words = [np.arange(400 + 100 * d, 500 + 100 * d) for d in range(N_DESKS)]
    desk = rng.choice(N_DESKS, n, p=[0.4, 0.25, 0.2, 0.15])
    ids = np.full((n, SEQ_LEN), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ_LEN), dtype=np.int64)
    for i in range(n):
        length = rng.integers(12, SEQ_LEN - 2)
        k = rng.binomial(length, 0.3)
        own = rng.choice(desk_words[desk[i]], k)
        other = rng.choice(desk_words[rng.integers(N_DESKS)], rng.binomial(length, 0.05))
        filler = rng.choice(common, length - k - len(other))
        body = rng.permutation(np.concatenate([own, other, filler]))[: SEQ_LEN - 2]
        seq = np.concatenate([[CLS], body, [SEP]])
        ids[i, : len(seq)] = seq
        mask[i, : len(seq)] = 1
    return ids, mask, desk.astype(np.int64)


class LogEntries(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]), "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = logits.argmax(-1)
    recalls = [(pred[labels == c] == c).mean() for c in range(N_DESKS)]
    return {"accuracy": float((pred == labels).mean()), "balanced_accuracy": float(np.mean(recalls))}


def main():
    hf_logging.set_verbosity_error()
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    ids, mask, y = radio_log(2100, rng)
    train = LogEntries(ids[:1600], mask[:1600], y[:1600])
    val = LogEntries(ids[1600:], mask[1600:], y[1600:])

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=SEQ_LEN, num_labels=N_DESKS,
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, pad_token_id=PAD)
    model = BertForSequenceClassification(config)

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out, num_train_epochs=5, per_device_train_batch_size=32,
            per_device_eval_batch_size=128, learning_rate=2e-3, warmup_steps=20,
            lr_scheduler_type="linear", weight_decay=0.01, label_smoothing_factor=0.1,
            eval_strategy="epoch", save_strategy="no", logging_strategy="epoch",
            report_to="none", use_cpu=True, seed=0, disable_tqdm=True, dataloader_num_workers=0,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=val,
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final val accuracy {metrics['eval_accuracy']:.4f}  "
          f"balanced accuracy {metrics['eval_balanced_accuracy']:.4f}  val loss {metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
