"""Flag sponsor reads in podcast transcripts.

Transcripts are cut into ~30-second segments of sub-word ids (our in-house 512-id tokenizer);
a segment is labelled 1 when an editor marked it as a host-read ad. Ads are a few percent of
airtime. A fastText-style bag-of-embeddings classifier (cheap enough to run over the whole
back catalogue) trained with the Hugging Face Trainer.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed
from transformers.modeling_outputs import SequenceClassifierOutput

VOCAB, MAX_LEN, PAD = 512, 32, 0
set_seed(11)
rng = np.random.default_rng(11)

# token ids 1..479 are ordinary speech, 480..511 the words sponsors tend to use (codes, urls, "offer")
zipf = 1.0 / np.arange(1, 480) ** 1.05
zipf /= zipf.sum()
promo = np.ones(32) / 32


def make_segments(n, ad_rate):
    ids = np.zeros((n, MAX_LEN), dtype=np.int64)
    mask = np.zeros((n, MAX_LEN), dtype=np.int64)
    labels = (rng.random(n) < ad_rate).astype(np.int64)
    for i in range(n):
        length = rng.integers(20, MAX_LEN + 1)
        p_promo = rng.beta(4, 60) * (4.0 if labels[i] else 1.0)
        from_promo = rng.random(length) < p_promo
        toks = np.where(from_promo, 480 + rng.choice(32, length, p=promo), 1 + rng.choice(479, length, p=zipf))
        ids[i, :length] = toks
        mask[i, :length] = 1
    return ids, mask, labels


class SegmentDataset(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]), "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab_size, dim=32, num_labels=2):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim, padding_idx=PAD)
        self.classifier = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, num_labels))

    def forward(self, input_ids, attention_mask, labels=None):
        m = attention_mask.unsqueeze(-1).float()
        pooled = (self.embed(input_ids) * m).sum(1) / m.sum(1).clamp(min=1.0)
        logits = self.classifier(pooled)
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


class WeightedTrainer(Trainer):
    def __init__(self, *args, class_weights=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.class_weights = class_weights

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        loss = nn.functional.cross_entropy(outputs.logits, labels, weight=self.class_weights)
        return (loss, outputs) if return_outputs else loss


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = logits.argmax(-1)
    recall = [((pred == c) & (labels == c)).sum() / max((labels == c).sum(), 1) for c in (0, 1)]
    precision_ad = ((pred == 1) & (labels == 1)).sum() / max((pred == 1).sum(), 1)
    return {"accuracy": float((pred == labels).mean()), "balanced_accuracy": float(np.mean(recall)),
            "ad_recall": float(recall[1]), "ad_precision": float(precision_ad)}


train_ids, train_mask, train_y = make_segments(4000, ad_rate=0.06)
val_ids, val_mask, val_y = make_segments(1000, ad_rate=0.06)
counts = np.bincount(train_y, minlength=2)
print("train segments per class:", counts.tolist())
class_weights = torch.tensor(counts.sum() / (2.0 * counts), dtype=torch.float32)

model = BagOfEmbeddings(VOCAB)

args = TrainingArguments(
    output_dir="/tmp/podcast_ad_segments", num_train_epochs=4, per_device_train_batch_size=32,
    per_device_eval_batch_size=128, learning_rate=3e-3, weight_decay=0.01, warmup_steps=30,
    lr_scheduler_type="linear", eval_strategy="epoch", logging_steps=50, save_strategy="no",
    report_to=[], use_cpu=True, disable_tqdm=True, seed=11, dataloader_num_workers=0,
)
trainer = WeightedTrainer(model=model, args=args, train_dataset=SegmentDataset(train_ids, train_mask, train_y),
                          eval_dataset=SegmentDataset(val_ids, val_mask, val_y), compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final val balanced_accuracy={metrics['eval_balanced_accuracy']:.4f} ad_recall={metrics['eval_ad_recall']:.3f} "
      f"ad_precision={metrics['eval_ad_precision']:.3f} accuracy={metrics['eval_accuracy']:.4f}")
