"""Lightning GAN with manual optimisation (two Adam optimisers, generator and discriminator)
on a 2-D mixture of 8 Gaussians arranged on a ring.  Non-saturating generator loss.
Metric at the end: share of generated points within 3 sigma of some mode and number of
modes covered (a validation set of real points is scored by the discriminator as a check)."""
import math
import warnings

import lightning as L
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

warnings.filterwarnings("ignore", ".*does not have many workers.*")
L.seed_everything(0, verbose=False)

N_MODES, RADIUS, SIGMA, Z = 8, 2.0, 0.05, 8
CENTERS = torch.tensor([[RADIUS * math.cos(2 * math.pi * k / N_MODES), RADIUS * math.sin(2 * math.pi * k / N_MODES)]
                        for k in range(N_MODES)], dtype=torch.float32)


def sample_real(n, gen):
    k = torch.randint(0, N_MODES, (n,), generator=gen)
    return CENTERS[k] + SIGMA * torch.randn(n, 2, generator=gen)


class GAN(L.LightningModule):
    def __init__(self, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.G = nn.Sequential(nn.Linear(Z, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))
        self.D = nn.Sequential(nn.Linear(2, 128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.LeakyReLU(0.2),
                               nn.Linear(128, 1))

    def forward(self, z):
        return self.G(z)

    def training_step(self, batch, batch_idx):
        (real,) = batch
        opt_g, opt_d = self.optimizers()
        n = real.size(0)

        # discriminator step
        z = torch.randn(n, Z, device=self.device)
        fake = self.G(z).detach()
        d_real, d_fake = self.D(real), self.D(fake)
        loss_d = F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real)) + \
            F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
        opt_d.zero_grad()
        self.manual_backward(loss_d)
        opt_d.step()

        # generator step (non-saturating loss)
        z = torch.randn(n, Z, device=self.device)
        d_gen = self.D(self.G(z))
        loss_g = F.binary_cross_entropy_with_logits(d_gen, torch.ones_like(d_gen))
        opt_g.zero_grad()
        self.manual_backward(loss_g)
        opt_g.step()

        self.log_dict({"loss_d": loss_d, "loss_g": loss_g}, on_epoch=True, on_step=False)

    def validation_step(self, batch, batch_idx):
        (real,) = batch
        with torch.no_grad():
            fake = self.G(torch.randn(real.size(0), Z, device=self.device))
            d_acc = 0.5 * ((self.D(real) > 0).float().mean() + (self.D(fake) < 0).float().mean())
            dist = torch.cdist(fake, CENTERS.to(self.device))
            good = (dist.min(1).values < 3 * SIGMA).float().mean()
            covered = (torch.bincount(dist.argmin(1)[dist.min(1).values < 3 * SIGMA], minlength=N_MODES) > 5).sum()
        self.log_dict({"val_d_acc": d_acc, "val_high_quality": good, "val_modes": covered.float()})

    def on_train_epoch_end(self):
        m = self.trainer.callback_metrics
        if "val_high_quality" in m:
            print(f"epoch {self.current_epoch:2d} loss_d {m['loss_d']:.3f} "
                  f"loss_g {m['loss_g']:.3f} high_quality {m['val_high_quality']:.3f} "
                  f"modes {int(m['val_modes'])}/{N_MODES}")

    def configure_optimizers(self):
        opt_g = torch.optim.Adam(self.G.parameters(), lr=self.hparams.lr, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(self.D.parameters(), lr=self.hparams.lr, betas=(0.5, 0.999))
        return opt_g, opt_d


def main():
    gen = torch.Generator().manual_seed(0)
    train_loader = DataLoader(TensorDataset(sample_real(12800, gen)), batch_size=128, shuffle=True)
    val_loader = DataLoader(TensorDataset(sample_real(2000, gen)), batch_size=2000)
    model = GAN()
    trainer = L.Trainer(max_epochs=25, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                        enable_progress_bar=False, enable_model_summary=False)
    trainer.fit(model, train_loader, val_loader)
    m = trainer.callback_metrics
    print(f"final high_quality_share {m['val_high_quality']:.3f} modes_covered {int(m['val_modes'])}/{N_MODES}")


if __name__ == "__main__":
    main()
