"""Route customer-support tickets to one of five queues with a small Transformer
encoder trained by the Hugging Face Trainer.

Tickets are synthetic token-id sequences: a Zipfian background vocabulary plus
queue-specific keywords, some of which are shared between related queues.
"""
import numpy as np
import torch
from torch import nn
from transformers import BertConfig, BertModel, Trainer, TrainingArguments, set_seed
from transformers.utils import logging as hf_logging

SEED = 1234
VOCAB = 600
SEQ = 32
N_QUEUES = 5
PAD, CLS = 0, 1

hf_logging.set_verbosity_error()


def make_tickets(n, rng):
    # keyword pools: ids 10..109, 20 per queue, queues (0,3) and (1,4) share half of theirs
    pools = [list(range(10 + 20 * q, 30 + 20 * q)) for q in range(N_QUEUES)]
    pools[3] = pools[3][:10] + pools[0][:10]
    pools[4] = pools[4][:10] + pools[1][10:]
    ranks = np.arange(110, VOCAB)
    p_bg = 1.0 / (ranks - 100) ** 1.1
    p_bg /= p_bg.sum()
    ids = np.full((n, SEQ), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ), dtype=np.int64)
    labels = rng.integers(N_QUEUES, size=n)
    for i in range(n):
        length = rng.integers(12, SEQ)
        toks = rng.choice(ranks, size=length - 1, p=p_bg)
        n_kw = rng.integers(1, 4)
        pos = rng.choice(length - 1, size=n_kw, replace=False)
        toks[pos] = rng.choice(pools[labels[i]], size=n_kw)
        ids[i, 0] = CLS
        ids[i, 1:length] = toks
        mask[i, :length] = 1
    return ids, mask, labels


class TicketDataset(torch.utils.data.Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]), "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


class TicketClassifier(nn.Module):
    def __init__(self, config, n_labels):
        super().__init__()
        self.encoder = BertModel(config, add_pooling_layer=False)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.head = nn.Linear(config.hidden_size, n_labels)
        self.loss_fct = nn.NLLLoss()

    def forward(self, input_ids, attention_mask, labels=None):
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1)
        logits = self.head(self.dropout(pooled))
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = self.loss_fct(logits, labels)
        return out


def compute_metrics(ev):
    logits, labels = ev
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(SEED)
    rng = np.random.default_rng(SEED)
    ids, mask, labels = make_tickets(2000, rng)
    train = TicketDataset(ids[:1600], mask[:1600], labels[:1600])
    val = TicketDataset(ids[1600:], mask[1600:], labels[1600:])

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=SEQ, pad_token_id=PAD)
    model = TicketClassifier(config, N_QUEUES)

    args = TrainingArguments(
        output_dir="/tmp/ticket_router_hf", num_train_epochs=6, per_device_train_batch_size=32,
        per_device_eval_batch_size=128, learning_rate=1e-3, weight_decay=0.01, warmup_steps=30,
        lr_scheduler_type="linear", eval_strategy="epoch", logging_steps=25, save_strategy="no",
        report_to=[], seed=SEED, use_cpu=True, disable_tqdm=True, dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=val,
                      compute_metrics=compute_metrics)
    trainer.train()
    res = trainer.evaluate()
    print(f"final eval_accuracy {res['eval_accuracy']:.4f} eval_loss {res['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
