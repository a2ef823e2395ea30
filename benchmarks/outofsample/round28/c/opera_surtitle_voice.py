"""Opera house surtitles: tag which voice part sings each surtitle line.

Lines are tokenised with the house's libretto vocabulary (300 sub-word ids).
Voice parts: soprano, mezzo, tenor, baritone/bass. A tiny BERT trained from
scratch with the Hugging Face Trainer (warm-up then linear decay, label smoothing).
"""
import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

VOCAB, LEN, N_PARTS = 300, 24, 4
PAD, CLS = 0, 1


class Lines(torch.utils.data.Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


def libretto(n, rng):
    # each voice part has its own stock phrases (bigrams) over a shared vocabulary
    common = np.arange(10, 200)
    phrases = [rng.integers(200, VOCAB, (12, 2)) for _ in range(N_PARTS)]
    ids = np.full((n, LEN), PAD)
    mask = np.zeros((n, LEN), dtype=np.int64)
    y = rng.integers(0, N_PARTS, n)
    for i in range(n):
        length = rng.integers(10, LEN)
        toks = list(rng.choice(common, length - 1))
        n_phr = rng.choice([0, 1, 2], p=[0.2, 0.5, 0.3])   # recitative lines carry no stock phrase
        for _ in range(n_phr):
            ph = phrases[y[i]][rng.integers(12)]
            pos = rng.integers(0, len(toks) - 1)
            toks[pos:pos + 2] = list(ph)
        ids[i, 0] = CLS
        ids[i, 1:length] = toks[:length - 1]
        mask[i, :length] = 1
    return torch.tensor(ids), torch.tensor(mask), torch.tensor(y)


def accuracy(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    ids, mask, y = libretto(2000, rng)
    train, val = Lines(ids[:1600], mask[:1600], y[:1600]), Lines(ids[1600:], mask[1600:], y[1600:])
    cfg = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=128, max_position_embeddings=LEN, num_labels=N_PARTS)
    model = BertForSequenceClassification(cfg)
    args = TrainingArguments(
        output_dir="/tmp/opera_surtitle_voice", num_train_epochs=5, per_device_train_batch_size=32,
        per_device_eval_batch_size=128, learning_rate=1e-3, warmup_steps=30, lr_scheduler_type="linear",
        weight_decay=0.01, label_smoothing_factor=0.1, eval_strategy="epoch", save_strategy="no",
        logging_steps=25, report_to=[], seed=5, use_cpu=True, disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=val, compute_metrics=accuracy)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval loss {metrics['eval_loss']:.4f}  eval accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
