"""Customer-support intent routing with a small BERT trained from scratch with the
Hugging Face Trainer. Utterances are generated from agent-labelled templates; the intent
mix is skewed the way a real queue is (most tickets are order status), so the loss is
class-weighted with inverse-sqrt-frequency weights and the report uses macro-F1."""
import os
import tempfile

import numpy as np
import torch
from sklearn.metrics import f1_score
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(17)
rng = np.random.default_rng(17)

INTENTS = {
    "order_status": (0.46, ["where is my {item}", "has my {item} shipped yet", "track {poss} {item} order",
                            "{item} still not arrived", "when will the {item} be delivered", "order status for {poss} {item}"]),
    "refund": (0.18, ["i want my money back for the {item}", "refund the {item} please", "how do i get a refund on {poss} {item}",
                      "return the {item} and refund", "charged twice for the {item} refund me"]),
    "cancel": (0.12, ["cancel {poss} {item} order", "please cancel the {item}", "stop the {item} order before it ships",
                      "i no longer want the {item} cancel it"]),
    "change_address": (0.10, ["change the delivery address for {poss} {item}", "ship the {item} to a new address",
                               "wrong address on {poss} {item} order", "update address before the {item} ships"]),
    "damaged": (0.08, ["the {item} arrived broken", "{poss} {item} is damaged", "received a cracked {item}",
                       "the {item} box was crushed and it does not work"]),
    "invoice": (0.06, ["send me the invoice for the {item}", "i need a receipt for {poss} {item}",
                       "vat invoice for the {item} order", "download invoice {item}"]),
}
ITEMS = ["laptop", "phone", "jacket", "sofa", "blender", "headphones", "printer", "desk", "kettle", "shoes",
         "monitor", "backpack", "camera", "lamp", "mattress"]
POSS = ["my", "our", "the", "this"]
FILLERS = ["hi", "hello", "please", "asap", "thanks", "urgent", "again", "today", "", "", "", ""]


def utterance(templates):
    text = rng.choice(templates).format(item=rng.choice(ITEMS), poss=rng.choice(POSS))
    words = text.split()
    for _ in range(rng.binomial(3, 0.3)):                     # dropped words (chat-style shorthand)
        if len(words) > 2:
            del words[rng.integers(len(words))]
    if rng.random() < 0.3:                                    # a typo in one word
        i = rng.integers(len(words))
        w = list(words[i])
        w[rng.integers(len(w))] = "abcdefghijklmnopqrstuvwxyz"[rng.integers(26)]
        words[i] = "".join(w)
    pre, post = rng.choice(FILLERS), rng.choice(FILLERS)
    return " ".join(w for w in [pre, *words, post] if w)


names = list(INTENTS)
shares = np.array([INTENTS[k][0] for k in names])
labels = rng.choice(len(names), 2800, p=shares / shares.sum())
texts = [utterance(INTENTS[names[c]][1]) for c in labels]

vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2}
for t in texts[:2300]:
    for w in t.split():
        vocab.setdefault(w, len(vocab))
MAX_LEN = 20


def encode(text):
    ids = [2] + [vocab.get(w, 1) for w in text.split()][: MAX_LEN - 1]
    mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
    return ids + [0] * (MAX_LEN - len(ids)), mask


class IntentDataset(torch.utils.data.Dataset):
    def __init__(self, texts, labels):
        enc = [encode(t) for t in texts]
        self.ids = torch.tensor([e[0] for e in enc])
        self.mask = torch.tensor([e[1] for e in enc])
        self.labels = torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


train_ds = IntentDataset(texts[:2300], labels[:2300])
val_ds = IntentDataset(texts[2300:], labels[2300:])

counts = np.bincount(labels[:2300], minlength=len(names))
weights = torch.tensor((counts.sum() / counts) ** 0.5, dtype=torch.float32)
weights = weights / weights.mean()


class WeightedTrainer(Trainer):
    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        loss = torch.nn.functional.cross_entropy(outputs.logits, labels, weight=weights.to(outputs.logits.device))
        return (loss, outputs) if return_outputs else loss


config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(names),
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    y_hat = pred.predictions.argmax(-1)
    return {"accuracy": float((y_hat == pred.label_ids).mean()),
            "macro_f1": float(f1_score(pred.label_ids, y_hat, average="macro"))}


args = TrainingArguments(
    output_dir=os.path.join(tempfile.gettempdir(), "intent_bert"),
    num_train_epochs=5,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=1e-3,
    weight_decay=0.01,
    warmup_steps=50,
    lr_scheduler_type="linear",
    eval_strategy="epoch",
    logging_strategy="epoch",
    save_strategy="no",
    report_to="none",
    use_cpu=True,
    seed=17,
    dataloader_num_workers=0,
    disable_tqdm=True,
)
trainer = WeightedTrainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                          compute_metrics=compute_metrics)
trainer.train()
res = trainer.evaluate()
print(f"final eval_loss {res['eval_loss']:.4f} accuracy {res['eval_accuracy']:.4f} macro_f1 {res['eval_macro_f1']:.4f}")
