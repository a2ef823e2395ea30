import lightning.pytorch as pl
import torch
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata import wave_sequences


class SequenceClassifier(pl.LightningModule):
    def __init__(self, hidden=48, classes=6, lr=3e-3, epochs=10):
        super().__init__()
        self.save_hyperparameters()
        self.rnn = nn.GRU(1, hidden, num_layers=2, batch_first=True, dropout=0.1)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.head(h[-1])

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=0.01)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=self.hparams.epochs)
        return [optimizer], [scheduler]


def main():
    pl.seed_everything(2)
    X, y = wave_sequences(n=1200, length=24, classes=6, seed=15)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=15, stratify=y)
    loader = DataLoader(TensorDataset(torch.tensor(X_train), torch.tensor(y_train)), batch_size=32, shuffle=True)

    model = SequenceClassifier()
    trainer = pl.Trainer(max_epochs=10, accelerator="cpu", gradient_clip_val=1.0, enable_progress_bar=False, logger=False,
                         enable_checkpointing=False, enable_model_summary=False)
    trainer.fit(model, loader)

    model.eval()
    with torch.no_grad():
        pred = model(torch.tensor(X_val)).argmax(dim=1).numpy()
    print(f"final_val_metric={balanced_accuracy_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
