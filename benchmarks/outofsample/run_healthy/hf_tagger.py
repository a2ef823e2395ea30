"""Hugging Face Trainer: a tiny BERT (built from a BertConfig, no download) tagging tokens of generated
'sentences' (a toy part-of-speech task: each token's tag depends on the token and the sentence's first word)."""
import tempfile

import numpy as np
import torch
from transformers import BertConfig, BertForTokenClassification, Trainer, TrainingArguments

VOCAB, N_TAGS, MAXLEN = 300, 5, 20


def make_split(n, seed):
    rng = np.random.default_rng(seed)
    base_tag = np.random.default_rng(99).integers(0, N_TAGS - 1, VOCAB)
    out = []
    for _ in range(n):
        length = rng.integers(6, MAXLEN - 1)
        toks = rng.integers(3, VOCAB, length)
        tags = base_tag[toks].copy()
        # in a sentence that opens with a "marker" word (ids 3..22), tag-0 tokens take the special tag
        if toks[0] < 23:
            tags[tags == 0] = N_TAGS - 1
        ids = [1] + list(toks) + [2]
        labels = [-100] + list(tags) + [-100]
        out.append({"input_ids": ids, "labels": labels})
    return out


class TagDataset(torch.utils.data.Dataset):
    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def collate(batch):
    n = max(len(b["input_ids"]) for b in batch)
    ids = torch.zeros(len(batch), n, dtype=torch.long)
    labels = torch.full((len(batch), n), -100, dtype=torch.long)
    mask = torch.zeros(len(batch), n, dtype=torch.long)
    for i, b in enumerate(batch):
        k = len(b["input_ids"])
        ids[i, :k] = torch.tensor(b["input_ids"])
        labels[i, :k] = torch.tensor(b["labels"])
        mask[i, :k] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = logits.argmax(-1)
    keep = labels != -100
    return {"token_accuracy": float((pred[keep] == labels[keep]).mean())}


def main():
    torch.manual_seed(0)
    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=32, num_labels=N_TAGS)
    model = BertForTokenClassification(config)
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(output_dir=out, num_train_epochs=4, per_device_train_batch_size=32,
                                 per_device_eval_batch_size=128, learning_rate=5e-4, warmup_steps=40,
                                 weight_decay=0.01, eval_strategy="epoch", save_strategy="no", logging_steps=25,
                                 report_to=[], seed=0, use_cpu=True, disable_tqdm=True)
        trainer = Trainer(model=model, args=args, train_dataset=TagDataset(make_split(3000, 0)),
                          eval_dataset=TagDataset(make_split(500, 1)), data_collator=collate,
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final_val_metric={metrics['eval_token_accuracy']:.4f}")


if __name__ == "__main__":
    main()
