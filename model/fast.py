"""Fast stage: small MLPs over frozen all-MiniLM-L6-v2 embeddings and the cue features.

Input features for a pair (a, b): [u, v, |u - v|, u * v, cue_features(a, b)] (4*384 + 14), standardised.
The head (three one-hidden-layer MLPs whose logits are averaged) is trained in torch but shipped as a NumPy ``.npz`` (no pickle), so
the runtime needs only NumPy plus the embedder. Embeddings are cached under model/checkpoints/emb/.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from .calib import ece, fit_temperature, softmax
from .data import DEFAULT_DATA, LABEL_ID, LABELS, REPO, dev_splits, test_sets, training_set

EMB_DIR = REPO / "model" / "checkpoints" / "emb"
SHIP_DIR = REPO / "model" / "fast"


def _load_pool() -> dict[str, np.ndarray]:
    """Every text embedded so far (texts.json + vectors.npy), so a larger training set embeds only new texts."""
    texts_path, vecs_path = EMB_DIR / "pool_texts.json", EMB_DIR / "pool_vectors.npy"
    if not texts_path.exists():
        return {}
    return dict(zip(json.loads(texts_path.read_text(encoding="utf-8")), np.load(vecs_path)))


def _save_pool(pool: dict[str, np.ndarray]) -> None:
    EMB_DIR.mkdir(parents=True, exist_ok=True)
    texts = list(pool)
    np.save(EMB_DIR / "pool_vectors.npy", np.stack([pool[t] for t in texts]))
    (EMB_DIR / "pool_texts.json").write_text(json.dumps(texts), encoding="utf-8")


def embed_cached(texts: list[str], name: str, log=print) -> dict[str, np.ndarray]:
    """Vectors for the unique ``texts``; only texts not yet in the cache pool are embedded."""
    uniq = sorted(set(texts))
    pool = _load_pool()
    missing = [t for t in uniq if t not in pool]
    if missing:
        from service.embed import get_embedder

        t0 = time.time()
        pool.update(zip(missing, get_embedder().embed(missing)))
        _save_pool(pool)
        log(f"{name}: embedded {len(missing)} new texts in {time.time() - t0:.0f}s "
            f"({len(missing) / (time.time() - t0):.0f}/s)")
    return {t: pool[t] for t in uniq}


def pair_features(u: np.ndarray, v: np.ndarray, cues: np.ndarray) -> np.ndarray:
    return np.hstack([u, v, np.abs(u - v), u * v, cues]).astype(np.float32)


def features_for(pairs, name: str, log=print) -> tuple[np.ndarray, np.ndarray]:
    from service.cues import cue_features

    table = embed_cached([p for p, _, _ in pairs] + [h for _, h, _ in pairs], name, log)
    u = np.stack([table[p] for p, _, _ in pairs])
    v = np.stack([table[h] for _, h, _ in pairs])
    cues = np.array([cue_features(p, h) for p, h, _ in pairs], dtype=np.float32)
    y = np.array([LABEL_ID[lab] for _, _, lab in pairs])
    return pair_features(u, v, cues), y


def forward_np(x: np.ndarray, w: dict) -> np.ndarray:
    """Logits of the shipped head (before temperature), exactly as the service computes them."""
    from service.nli import fast_logits

    return fast_logits(x, w)


def train_member(xt, yt, *, seed: int, hidden: int, epochs: int, lr: float, dropout: float,
                 batch: int = 256, log=print):
    """One MLP: fixed number of epochs, one-cycle learning rate (no early stopping on noisy dev accuracy)."""
    import torch

    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(xt.shape[1], hidden), torch.nn.ReLU(),
                              torch.nn.Dropout(dropout), torch.nn.Linear(hidden, 3))
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-2)
    steps_per_epoch = (len(xt) + batch - 1) // batch
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps_per_epoch, pct_start=0.1)
    g = torch.Generator().manual_seed(seed)
    for ep in range(epochs):
        net.train()
        perm = torch.randperm(len(xt), generator=g)
        for s in range(0, len(xt), batch):
            idx = perm[s:s + batch]
            loss = torch.nn.functional.cross_entropy(net(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        log(f"fast member seed {seed}: epoch {ep + 1}/{epochs} done")
    net.eval()
    return {k: v.detach().numpy() for k, v in net.state_dict().items()}


def train_head(x, y, *, seed: int, members: int = 3, hidden: int = 1024, epochs: int = 12, lr: float = 1e-3,
               dropout: float = 0.5, log=print) -> dict:
    """An ensemble of ``members`` MLPs (seeds seed, seed+1, ...) over standardised features."""
    import torch

    mean, std = x.mean(0), x.std(0) + 1e-6
    xt, yt = torch.tensor((x - mean) / std), torch.tensor(y)
    states = [train_member(xt, yt, seed=seed + m, hidden=hidden, epochs=epochs, lr=lr, dropout=dropout, log=log)
              for m in range(members)]
    return {"mean": mean.astype(np.float32), "std": std.astype(np.float32),
            "W1": np.stack([s["1.weight"].T for s in states]).astype(np.float16),
            "b1": np.stack([s["1.bias"] for s in states]).astype(np.float32),
            "W2": np.stack([s["4.weight"].T for s in states]).astype(np.float16),
            "b2": np.stack([s["4.bias"] for s in states]).astype(np.float32)}


def train_and_ship(root: Path = DEFAULT_DATA, seed: int = 13, threads: int = 2, log=print) -> dict:
    import torch

    torch.set_num_threads(threads)
    pairs, counts = training_set(root, seed=seed)
    log(f"fast: training pairs {json.dumps(counts)}")
    dev = dev_splits(root)
    x, y = features_for(pairs, "train", log)
    xc, yc = features_for(dev["calib"], "calib", log)
    xh, yh = features_for(dev["heldout"], "heldout", log)
    w = train_head(x, y, seed=seed, log=log)
    lc, lh = forward_np(xc, w), forward_np(xh, w)
    t = fit_temperature(lc, yc)
    w["temperature"] = np.float32(t)
    meta = {
        "labels": list(LABELS), "features": "[u, v, |u-v|, u*v, cue_features] of all-MiniLM-L6-v2",
        "head": "mean logits of 3 MLPs (1024 hidden, ReLU, dropout 0.5), 12 epochs one-cycle lr 1e-3, seeds 13-15",
        "train_counts": counts, "seed": seed, "temperature": t,
        "calib_acc": float((lc.argmax(1) == yc).mean()),
        "heldout_acc": float((lh.argmax(1) == yh).mean()),
        "heldout_ece_before": ece(softmax(lh), yh), "heldout_ece_after": ece(softmax(lh, t), yh),
        "date": time.strftime("%Y-%m-%d"),
    }
    SHIP_DIR.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(SHIP_DIR / "fast_head.npz", **w)
    (SHIP_DIR / "meta.json").write_text(json.dumps(meta, indent=2))
    log(f"fast shipped: {json.dumps(meta)}")
    return meta
