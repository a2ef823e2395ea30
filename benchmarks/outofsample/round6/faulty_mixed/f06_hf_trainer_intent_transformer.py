"""Intent classification of short customer utterances (token ids from a toy tokenizer) with a
small Transformer encoder, trained with the Hugging Face Trainer."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from transformers import Trainer, TrainingArguments, set_seed

VOCAB, SEQ, N_INTENTS, PAD = 500, 24, 8, 0


def make_utterances(n, rng):
    """Each intent has 12 trigger words; an utterance has 2-3 triggers among filler words,
    and 15% of utterances also contain one trigger of a different intent."""
    ids = rng.integers(100, VOCAB, (n, SEQ))
    labels = rng.integers(0, N_INTENTS, n)
    lengths = rng.integers(10, SEQ + 1, n)
    for i in range(n):
        k = rng.integers(2, 4)
        pos = rng.choice(lengths[i], k + 1, replace=False)
        ids[i, pos[:k]] = 1 + labels[i] * 12 + rng.integers(0, 12, k)
        if rng.random() < 0.15:
            other = (labels[i] + rng.integers(1, N_INTENTS)) % N_INTENTS
            ids[i, pos[k]] = 1 + other * 12 + rng.integers(0, 12)
        ids[i, lengths[i]:] = PAD
    return ids, labels


class UtteranceDataset(torch.utils.data.Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = torch.tensor(ids), torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        ids = self.ids[i]
        return {"input_ids": ids, "attention_mask": (ids != PAD).long(), "labels": self.labels[i]}


class IntentEncoder(nn.Module):
    def __init__(self, d_model=64, n_heads=4, n_layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d_model, padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(1, SEQ, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, n_heads, dim_feedforward=128, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, n_layers)
        self.classifier = nn.Sequential(nn.Linear(d_model, d_model), nn.Tanh(),
                                        nn.Linear(d_model, N_INTENTS), nn.Softmax(dim=-1))

    def forward(self, input_ids, attention_mask, labels=None):
        h = self.encoder(self.tok(input_ids) + self.pos, src_key_padding_mask=attention_mask == 0)
        m = attention_mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1)
        probs = self.classifier(pooled)
        loss = F.cross_entropy(probs, labels) if labels is not None else None
        return {"loss": loss, "logits": probs}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


if __name__ == "__main__":
    set_seed(0)
    rng = np.random.default_rng(0)
    ids, labels = make_utterances(2400, rng)
    train_ds = UtteranceDataset(ids[:2000], labels[:2000])
    eval_ds = UtteranceDataset(ids[2000:], labels[2000:])

    args = TrainingArguments(
        output_dir="/tmp/intent_encoder_out", per_device_train_batch_size=32, per_device_eval_batch_size=128,
        num_train_epochs=5, learning_rate=1e-3, weight_decay=0.01, warmup_steps=30,
        eval_strategy="epoch", save_strategy="no", logging_steps=50, report_to="none",
        use_cpu=True, seed=0, dataloader_num_workers=0, disable_tqdm=True,
    )
    trainer = Trainer(model=IntentEncoder(), args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval_loss {metrics['eval_loss']:.4f} eval_accuracy {metrics['eval_accuracy']:.4f}")
