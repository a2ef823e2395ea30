import tempfile

import numpy as np
import torch
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

from benchmarks.faults.casedata import token_sequences


class MultiHot(torch.utils.data.Dataset):
    def __init__(self, X, Y):
        self.ids = torch.cat([torch.ones(len(X), 1, dtype=torch.long), torch.tensor(X) + 2], dim=1)
        self.Y = torch.tensor(Y, dtype=torch.float32)

    def __len__(self):
        return len(self.Y)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones_like(self.ids[i]), "labels": self.Y[i]}


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, _ = token_sequences(n=1200, length=12, vocab=16, seed=10)
    X = X.copy()
    rng = np.random.default_rng(10)
    X[rng.random(X.shape) < 0.15] = 3
    Y = np.stack([(X == k).any(axis=1) for k in range(3)], axis=1).astype(np.int64)
    X_train, X_val, Y_train, Y_val = train_test_split(X, Y, test_size=0.2, random_state=10)
    config = BertConfig(vocab_size=18, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                        max_position_embeddings=16, num_labels=3, problem_type="multi_label_classification")
    model = BertForSequenceClassification(config)

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(output_dir=out, num_train_epochs=10, per_device_train_batch_size=32, learning_rate=2e-3,
                                 optim="adamw_torch", lr_scheduler_type="linear", warmup_steps=0.05, logging_steps=50,
                                 save_strategy="no", report_to=[], use_cpu=True, seed=0, disable_tqdm=True)
        trainer = Trainer(model=model, args=args, train_dataset=MultiHot(X_train, Y_train))
        trainer.train()
        logits = trainer.predict(MultiHot(X_val, Y_val)).predictions
    print(f"final_val_metric={f1_score(Y_val, (logits > 0).astype(int), average='micro'):.4f}")


if __name__ == "__main__":
    main()
