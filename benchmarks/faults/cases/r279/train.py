import tempfile

import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

from benchmarks.faults.casedata import token_sequences


class TokenDataset(torch.utils.data.Dataset):
    def __init__(self, X, y):
        self.X, self.y = X, y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        ids = torch.tensor([1] + list(self.X[i] + 2))
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": torch.tensor(self.y[i])}


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = token_sequences(n=1000, length=12, vocab=16, seed=7)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=7)
    config = BertConfig(vocab_size=20, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                        max_position_embeddings=16, num_labels=3)
    model = BertForSequenceClassification(config)

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(output_dir=out, num_train_epochs=8, per_device_train_batch_size=32, per_device_eval_batch_size=128,
                                 learning_rate=2e-3, weight_decay=0.01, logging_steps=25, save_strategy="no", report_to=[],
                                 use_cpu=True, seed=0, disable_tqdm=True)
        trainer = Trainer(model=model, args=args, train_dataset=TokenDataset(X_train, y_train))
        trainer.train()
        logits = trainer.predict(TokenDataset(X_val, y_val)).predictions
    print(f"final_val_metric={balanced_accuracy_score(y_val, logits.argmax(axis=1)):.4f}")


if __name__ == "__main__":
    main()
