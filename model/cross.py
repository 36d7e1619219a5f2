"""Precise stage: a cross-encoder fine-tuned from the bundled all-MiniLM-L6-v2 weights, 3-class NLI.

Training is resumable: every ``--ckpt-every`` steps the model, optimiser, scheduler and step are
written (atomically) to ``model/checkpoints/cross/last.pt``. The batch order is a pure function of
the seed, so a resumed run skips the batches already seen and continues exactly where it stopped.
"""
from __future__ import annotations

import json
import math
import os
import random
import time
from pathlib import Path

import numpy as np
import torch

from .data import LABEL_ID, LABELS, REPO

CKPT_DIR = REPO / "model" / "checkpoints" / "cross"
SHIP_DIR = REPO / "model" / "cross"


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def base_path() -> str:
    from service.embed import bundled_model_path

    return bundled_model_path()


def load_tokenizer(path: str | None = None):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path or base_path())


def new_model(path: str | None = None):
    from transformers import AutoModelForSequenceClassification

    return AutoModelForSequenceClassification.from_pretrained(
        path or base_path(), num_labels=3,
        id2label={i: n for i, n in enumerate(LABELS)}, label2id=dict(LABEL_ID),
    )


def make_batches(lengths: list[int], batch_size: int, seed: int, pool: int = 50) -> list[list[int]]:
    """Length-bucketed batches: shuffle, sort within pools of ``pool`` batches, shuffle batches."""
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches = []
    span = batch_size * pool
    for start in range(0, len(order), span):
        chunk = sorted(order[start:start + span], key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def encode_lengths(tok, pairs, max_length: int) -> list[int]:
    enc = tok([p for p, _, _ in pairs], [h for _, h, _ in pairs], truncation=True, max_length=max_length)
    return [len(ids) for ids in enc["input_ids"]]


def _atomic_save(obj, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def train(pairs, *, epochs: float = 1.0, batch_size: int = 32, lr: float = 6e-5, warmup: float = 0.05,
          max_length: int = 128, seed: int = 13, ckpt_every: int = 200, max_minutes: float | None = None,
          threads: int = 2, init_from: Path | None = None, ckpt_name: str = "last.pt", log=print) -> dict:
    """Fine-tune (or resume); returns a summary. ``epochs`` may be fractional (the schedule fits it)."""
    torch.set_num_threads(threads)
    set_seed(seed)
    tok = load_tokenizer()
    model = new_model()
    if init_from is not None:  # continue from an earlier run's weights (fresh optimiser/schedule)
        model.load_state_dict(torch.load(init_from, map_location="cpu", weights_only=False)["model"])
        log(f"initialised from {init_from}")
    lengths = encode_lengths(tok, pairs, max_length)
    batches = []
    for e in range(math.ceil(epochs)):
        batches += make_batches(lengths, batch_size, seed + e)
    total_steps = int(len(pairs) * epochs / batch_size)
    batches = batches[:total_steps]
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warm = max(1, int(warmup * total_steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total_steps - s) / max(1, total_steps - warm))))
    step, seen_loss = 0, []
    ckpt = CKPT_DIR / ckpt_name
    if ckpt.exists():
        state = torch.load(ckpt, map_location="cpu", weights_only=False)
        if state["total_steps"] != total_steps:
            raise SystemExit(f"checkpoint planned {state['total_steps']} steps, this run {total_steps}: same args needed")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step = state["step"]
        torch.set_rng_state(state["torch_rng"])
        log(f"resumed from step {step}/{total_steps}")
    model.train()
    t0 = time.time()
    n_pairs = 0
    labels_all = torch.tensor([LABEL_ID[y] for _, _, y in pairs])

    def save(final=False):
        _atomic_save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                      "step": step, "total_steps": total_steps, "torch_rng": torch.get_rng_state(),
                      "args": dict(epochs=epochs, batch_size=batch_size, lr=lr, max_length=max_length, seed=seed)},
                     ckpt)
        (CKPT_DIR / f"progress_{Path(ckpt_name).stem}.json").write_text(json.dumps(
            {"step": step, "total_steps": total_steps, "final": final, "time": time.strftime("%Y-%m-%d %H:%M:%S")}))

    while step < total_steps:
        idx = batches[step]
        enc = tok([pairs[i][0] for i in idx], [pairs[i][1] for i in idx], truncation=True,
                  max_length=max_length, padding=True, return_tensors="pt")
        out = model(**enc, labels=labels_all[idx])
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        n_pairs += len(idx)
        seen_loss.append(out.loss.item())
        if step % 20 == 0:
            el = time.time() - t0
            log(f"step {step}/{total_steps} loss {np.mean(seen_loss[-100:]):.4f} lr {sched.get_last_lr()[0]:.2e} "
                f"{n_pairs / el:.1f} pairs/s elapsed {el / 60:.1f} min")
        if step % ckpt_every == 0:
            save()
        if max_minutes is not None and time.time() - t0 > max_minutes * 60:
            log(f"stopping at step {step} after {max_minutes} min (resume with the same command)")
            break
    save(final=step >= total_steps)
    el = time.time() - t0
    return {"step": step, "total_steps": total_steps, "train_pairs_per_s": n_pairs / max(el, 1e-9),
            "seconds": el, "finished": step >= total_steps}


def seen_indices(tok, pairs, epochs: float, batch_size: int, seed: int, max_length: int = 128) -> set[int]:
    """Indices of ``pairs`` that a run with these arguments trained on (its batch plan)."""
    lengths = encode_lengths(tok, pairs, max_length)
    batches = []
    for e in range(math.ceil(epochs)):
        batches += make_batches(lengths, batch_size, seed + e)
    return {i for b in batches[: int(len(pairs) * epochs / batch_size)] for i in b}


def load_checkpoint_model(path: Path | None = None):
    model = new_model()
    state = torch.load(path or CKPT_DIR / "last.pt", map_location="cpu", weights_only=False)
    model.load_state_dict(state["model"])
    model.eval()
    return model, state["step"], state["total_steps"]


@torch.inference_mode()
def predict_logits(model, tok, pairs, batch_size: int = 64, max_length: int = 128) -> np.ndarray:
    """Logits (n, 3) for (premise, hypothesis[, label]) tuples, batched by length."""
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    out = np.zeros((len(pairs), 3), dtype=np.float32)
    for s in range(0, len(order), batch_size):
        idx = order[s:s + batch_size]
        enc = tok([pairs[i][0] for i in idx], [pairs[i][1] for i in idx], truncation=True,
                  max_length=max_length, padding=True, return_tensors="pt")
        out[idx] = model(**enc).logits.float().numpy()
    return out
