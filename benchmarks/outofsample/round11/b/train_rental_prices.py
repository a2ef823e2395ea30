"""Nightly-price model for short-term rental listings (log price regression).

Listing attributes come from the listings export; the photos export (one row per photo) gives
each listing's share of professional photos. Listings without photos are not
published, so they are left out. Validation = every fifth listing id (stable across scrapes).
"""
import numpy as np
import torch
import torch.nn as nn

FEATURES = ["bedrooms", "bathrooms", "km_to_center", "rating", "log_reviews", "host_years",
            "pool", "wifi", "min_nights", "lat_z", "lon_z", "pro_photo_share"]


def scrape(n_listings=2000, seed=5):
    rng = np.random.default_rng(seed)
    bed = rng.integers(0, 5, n_listings)
    bath = np.clip(bed * 0.6 + rng.normal(0, 0.5, n_listings), 0.5, 4)
    dist = rng.gamma(2, 2, n_listings)
    rating = np.clip(rng.normal(4.6, 0.3, n_listings), 3, 5)
    reviews = rng.poisson(30, n_listings)
    host_years = rng.exponential(3, n_listings)
    pool = rng.random(n_listings) < 0.1
    wifi = rng.random(n_listings) < 0.9
    min_nights = rng.integers(1, 8, n_listings)
    lat, lon = rng.normal(0, 1, n_listings), rng.normal(0, 1, n_listings)
    log_price = (4.2 + 0.25 * bed + 0.15 * bath - 0.08 * dist + 0.5 * (rating - 4.6) + 0.4 * pool
                 + 0.3 * np.sin(2 * lat) * np.cos(lon) - 0.03 * min_nights
                 + rng.normal(0, 0.25, n_listings))
    listings = {
        "listing_id": np.arange(n_listings),
        "attrs": np.column_stack([bed, bath, dist, rating, np.log1p(reviews), host_years,
                                  pool, wifi, min_nights, lat, lon]).astype(np.float32),
        "log_price": log_price.astype(np.float32),
    }
    n_photos = rng.poisson(np.exp(1.6 * (log_price - log_price.mean())) * 5)
    photo_listing = np.repeat(listings["listing_id"], n_photos)
    photos = {
        "listing_id": photo_listing,
        "is_pro": (rng.random(len(photo_listing)) < 1 / (1 + np.exp(-(log_price[photo_listing] - 5)))).astype(np.float32),
    }
    return listings, photos


def build_table(listings, photos):
    n = len(listings["listing_id"])
    n_photos = np.bincount(photos["listing_id"], minlength=n)
    pro_share = np.bincount(photos["listing_id"], weights=photos["is_pro"], minlength=n) / np.maximum(n_photos, 1)
    ids = photos["listing_id"]
    X = np.column_stack([listings["attrs"][ids], pro_share[ids]]).astype(np.float32)
    return ids, X, listings["log_price"][ids]


def r2(pred, y):
    return 1 - ((pred - y) ** 2).sum().item() / ((y - y.mean()) ** 2).sum().item()


def main():
    torch.manual_seed(0)
    listings, photos = scrape()
    ids, X, y = build_table(listings, photos)
    is_val = ids % 5 == 0
    X_tr, y_tr, X_va, y_va = X[~is_val], y[~is_val], X[is_val], y[is_val]
    print(f"{len(X_tr)} training rows, {len(X_va)} validation rows, {len(FEATURES)} features")

    mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    X_tr, X_va = torch.from_numpy((X_tr - mu) / sd), torch.from_numpy((X_va - mu) / sd)
    y_tr = torch.from_numpy((y_tr - y_mu) / y_sd)[:, None]
    y_va = torch.from_numpy((y_va - y_mu) / y_sd)[:, None]

    model = nn.Sequential(nn.Linear(X_tr.shape[1], 128), nn.ReLU(),
                          nn.Linear(128, 128), nn.ReLU(),
                          nn.Linear(128, 1))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    batch_size = 64
    for epoch in range(1, 16):
        model.train()
        perm = torch.randperm(len(X_tr))
        total = 0.0
        for i in range(0, len(perm), batch_size):
            idx = perm[i:i + batch_size]
            loss = nn.functional.mse_loss(model(X_tr[idx]), y_tr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            pred = model(X_va)
            val_mse = nn.functional.mse_loss(pred, y_va).item()
        if epoch % 3 == 0:
            print(f"epoch {epoch:2d}  train mse {total / len(perm):.4f}  val mse {val_mse:.4f}  val R2 {r2(pred, y_va):.4f}")
    rmse_log = (val_mse ** 0.5) * y_sd
    print(f"final val R2 {r2(pred, y_va):.4f}  RMSE(log price) {rmse_log:.4f}")


if __name__ == "__main__":
    main()
