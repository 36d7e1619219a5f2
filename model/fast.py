"""Fast stage: a small MLP over frozen all-MiniLM-L6-v2 embeddings and the cue features.

Input features for a pair (a, b): [u, v, |u - v|, u * v, cue_features(a, b)] (4*384 + 10), standardised.
The head (one hidden layer) is trained in torch but shipped as a NumPy ``.npz`` (no pickle), so
the runtime needs only NumPy plus the embedder. Embeddings are cached under model/checkpoints/emb/.
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np

from .calib import ece, fit_temperature, softmax
from .data import DEFAULT_DATA, LABEL_ID, LABELS, REPO, dev_splits, test_sets, training_set

EMB_DIR = REPO / "model" / "checkpoints" / "emb"
SHIP_DIR = REPO / "model" / "fast"


def embed_cached(texts: list[str], name: str, log=print) -> dict[str, np.ndarray]:
    """Vectors for the unique ``texts``, cached as .npy keyed by a hash of the text list."""
    uniq = sorted(set(texts))
    key = hashlib.sha1("\n".join(uniq).encode("utf-8")).hexdigest()[:12]
    path = EMB_DIR / f"{name}_{key}.npy"
    if path.exists():
        vecs = np.load(path)
    else:
        from service.embed import get_embedder

        t0 = time.time()
        vecs = get_embedder().embed(uniq)
        EMB_DIR.mkdir(parents=True, exist_ok=True)
        np.save(path, vecs)
        log(f"embedded {len(uniq)} texts for {name} in {time.time() - t0:.0f}s ({len(uniq) / (time.time() - t0):.0f}/s)")
    return dict(zip(uniq, vecs))


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
    """Logits of the shipped head (before temperature)."""
    x = (x - w["mean"]) / w["std"]
    h = np.maximum(x @ w["W1"].astype(np.float32) + w["b1"], 0.0)
    return h @ w["W2"].astype(np.float32) + w["b2"]


def train_head(x, y, xd, yd, *, seed: int, hidden: int = 1024, epochs: int = 14, lr: float = 5e-4,
               dropout: float = 0.5, batch: int = 256, log=print) -> dict:
    import torch

    torch.manual_seed(seed)
    mean, std = x.mean(0), x.std(0) + 1e-6
    xt = torch.tensor((x - mean) / std)
    yt = torch.tensor(y)
    xdt = torch.tensor((xd - mean) / std)
    net = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(),
                              torch.nn.Dropout(dropout), torch.nn.Linear(hidden, 3))
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-2)
    g = torch.Generator().manual_seed(seed)
    best, best_state, bad = -1.0, None, 0
    for ep in range(epochs):
        net.train()
        perm = torch.randperm(len(xt), generator=g)
        for s in range(0, len(xt), batch):
            idx = perm[s:s + batch]
            loss = torch.nn.functional.cross_entropy(net(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            acc = float((net(xdt).argmax(1).numpy() == yd).mean())
        log(f"fast epoch {ep + 1}: dev acc {acc:.4f}")
        if acc > best:
            best, bad = acc, 0
            best_state = {k: v.clone() for k, v in net.state_dict().items()}
        else:
            bad += 1
            if bad >= 4:
                break
    net.load_state_dict(best_state)
    sd = {k: v.numpy() for k, v in net.state_dict().items()}
    return {"mean": mean.astype(np.float32), "std": std.astype(np.float32),
            "W1": sd["1.weight"].T.astype(np.float16), "b1": sd["1.bias"].astype(np.float32),
            "W2": sd["4.weight"].T.astype(np.float16), "b2": sd["4.bias"].astype(np.float32),
            "dev_acc": np.float32(best)}


def train_and_ship(root: Path = DEFAULT_DATA, seed: int = 13, threads: int = 2, log=print) -> dict:
    import torch

    torch.set_num_threads(threads)
    pairs, counts = training_set(root, seed=seed)
    log(f"fast: training pairs {json.dumps(counts)}")
    dev = dev_splits(root)
    x, y = features_for(pairs, "train", log)
    xc, yc = features_for(dev["calib"], "calib", log)
    xh, yh = features_for(dev["heldout"], "heldout", log)
    w = train_head(x, y, xc, yc, seed=seed, log=log)
    lc, lh = forward_np(xc, w), forward_np(xh, w)
    t = fit_temperature(lc, yc)
    w["temperature"] = np.float32(t)
    meta = {
        "labels": list(LABELS), "features": "[u, v, |u-v|, u*v, cue_features] of all-MiniLM-L6-v2",
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
