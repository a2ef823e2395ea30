import tempfile

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

from benchmarks.faults.casedata2 import topic_documents

PAD, CLS, OFFSET = 0, 1, 2


def encode(X, y):
    return [{"input_ids": [CLS] + [int(t) + OFFSET for t in row], "labels": int(label)} for row, label in zip(X, y)]


def collate(features):
    ids = torch.tensor([f["input_ids"] for f in features])
    return {"input_ids": ids, "attention_mask": (ids != PAD).long(), "labels": torch.tensor([f["labels"] for f in features])}


def compute_metrics(prediction):
    return {"balanced_accuracy": balanced_accuracy_score(prediction.label_ids, prediction.predictions.argmax(axis=1))}


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = topic_documents(n=1500, length=32, vocab=10000, topics=5, seed=8)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=8, stratify=y)
    config = BertConfig(vocab_size=10000 + OFFSET, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                        max_position_embeddings=40, num_labels=5, pad_token_id=PAD)
    model = BertForSequenceClassification(config)

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(output_dir=out, num_train_epochs=4, per_device_train_batch_size=32, per_device_eval_batch_size=128,
                                 learning_rate=3e-3, weight_decay=0.01, warmup_steps=0.1, lr_scheduler_type="cosine",
                                 eval_strategy="epoch", logging_strategy="epoch", save_strategy="no", report_to=[], use_cpu=True,
                                 seed=0, disable_tqdm=True, remove_unused_columns=False)
        trainer = Trainer(model=model, args=args, train_dataset=encode(X_train, y_train), eval_dataset=encode(X_val, y_val),
                          data_collator=collate, compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final_val_metric={metrics['eval_balanced_accuracy']:.4f}")


if __name__ == "__main__":
    main()
