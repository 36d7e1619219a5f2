"""Calibrate the latest cross-encoder checkpoint and export it to ``model/cross/``.

* temperature fitted on the dev "calib" split (SNLI dev + MNLI dev_matched sample), ECE
  before/after measured on the disjoint "heldout" split;
* exported as fp16 safetensors (half the fp32 size; loaded back as fp32 at run time) with the
  tokenizer files and ``calibration.json``;
* torch dynamic int8 quantisation (Linear layers) measured too: its own temperature, accuracy
  and speed are recorded, so ``CrossScorer(int8=True)`` / spec ``cross-int8`` can use it.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import torch

from .calib import ece, fit_temperature, softmax
from .cross import CKPT_DIR, SHIP_DIR, load_checkpoint_model, load_tokenizer, predict_logits
from .data import DEFAULT_DATA, LABEL_ID, dev_splits


def _eval(model, tok, dev, log, tag):
    t0 = time.time()
    lc = predict_logits(model, tok, dev["calib"])
    lh = predict_logits(model, tok, dev["heldout"])
    speed = (len(lc) + len(lh)) / (time.time() - t0)
    yc = np.array([LABEL_ID[y] for *_, y in dev["calib"]])
    yh = np.array([LABEL_ID[y] for *_, y in dev["heldout"]])
    t = fit_temperature(lc, yc)
    res = {"temperature": t, "calib_acc": float((lc.argmax(1) == yc).mean()),
           "heldout_acc": float((lh.argmax(1) == yh).mean()),
           "heldout_ece_before": ece(softmax(lh), yh), "heldout_ece_after": ece(softmax(lh, t), yh),
           "directional_pairs_per_s": speed}
    log(f"{tag}: {json.dumps(res)}")
    return res, lh


def ship_cross(root: Path = DEFAULT_DATA, threads: int = 2, per_source: int = 1000, ckpt: Path | None = None,
               log=print) -> dict:
    torch.set_num_threads(threads)
    dev = dev_splits(root, per_source=per_source)
    tok = load_tokenizer()
    model, step, total = load_checkpoint_model(ckpt)
    log(f"checkpoint {ckpt or 'last.pt'} step {step}/{total}")
    probe = dev["heldout"][:500]  # fp32 vs fp16-stored logits are compared on these
    lh32 = predict_logits(model, tok, probe)

    tmp = SHIP_DIR.with_name("cross.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.half().save_pretrained(tmp, safe_serialization=True)
    cfg = json.loads((tmp / "config.json").read_text())
    cfg["dtype"] = "float32"  # weights are stored fp16, run in fp32
    (tmp / "config.json").write_text(json.dumps(cfg, indent=2))
    tok.save_pretrained(tmp)

    from transformers import AutoModelForSequenceClassification

    reloaded = AutoModelForSequenceClassification.from_pretrained(str(tmp), dtype=torch.float32).eval()
    fp16, _ = _eval(reloaded, tok, dev, log, "fp16-stored")
    lh16 = predict_logits(reloaded, tok, probe)
    q = torch.ao.quantization.quantize_dynamic(reloaded, {torch.nn.Linear}, dtype=torch.qint8)
    int8, _ = _eval(q, tok, dev, log, "int8-dynamic")
    calib = {
        "temperature": fp16["temperature"], "temperature_int8": int8["temperature"],
        "checkpoint": str(Path(ckpt).name if ckpt else "last.pt"), "checkpoint_step": step, "checkpoint_total_steps": total, "finished_epoch": step >= total,
        "fp16_stored": fp16, "int8_dynamic": int8,
        "fp16_vs_fp32_max_abs_logit_diff_500_heldout": float(np.abs(lh32 - lh16).max()),
        "fp16_vs_fp32_argmax_agreement_500_heldout": float((lh32.argmax(1) == lh16.argmax(1)).mean()),
        "dev_split": f"dev_splits(per_source={per_source}): calib fits T, heldout measures ECE",
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    (tmp / "calibration.json").write_text(json.dumps(calib, indent=2))
    shutil.rmtree(SHIP_DIR, ignore_errors=True)
    tmp.rename(SHIP_DIR)
    log(f"shipped cross-encoder (step {step}/{total}) to {SHIP_DIR}")
    return calib
