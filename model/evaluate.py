"""Evaluate what is shipped: the precise stage on the public NLI test splits, and the judge on the gold
sets through the store.

    python -m model.evaluate                      # both parts -> model/metrics.json
    python -m model.evaluate --part precise       # SNLI test + MNLI dev-mismatched (about 5 min on 2 cores)
    python -m model.evaluate --part gold          # ../shared/dev, news gold dev and test, per scorer

Precise stage: 3-class accuracy of the directional (premise→hypothesis) prediction, contradiction
precision / recall, 15-bin ECE of the calibrated probabilities, directional pairs/s. None of these
rows was trained or tuned on (the card of nli-mpnet-base and ``model/data.py`` say why).
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time

import numpy as np

from .calib import ece, softmax
from .data import DEFAULT_DATA, LABEL_ID, REPO, test_sets

METRICS = REPO / "model" / "metrics.json"


def precise_metrics(threads: int = 2) -> dict:
    from service.scoring.nli_onnx import OnnxNLI

    nli = OnnxNLI(REPO / "model" / "precise", threads=threads)
    out = {}
    for name, rows in test_sets(DEFAULT_DATA).items():
        started = time.time()
        logits = nli.logits([(p, h) for p, h, _ in rows])
        seconds = time.time() - started
        y = np.array([LABEL_ID[label] for *_, label in rows])
        pred = logits.argmax(1)
        tp = float(np.sum((pred == 2) & (y == 2)))
        out[name] = {"n": len(rows), "accuracy": float((pred == y).mean()),
                     "contradiction_precision": tp / max(float(np.sum(pred == 2)), 1.0),
                     "contradiction_recall": tp / max(float(np.sum(y == 2)), 1.0),
                     "ece_calibrated": ece(softmax(logits, nli.temperature), y), "ece_raw": ece(softmax(logits), y),
                     "directional_pairs_per_s": len(rows) / seconds, "threads": threads}
        print(name, json.dumps(out[name]), flush=True)
    return out


def gold_metrics(scorers=("judge", "nli", "cues")) -> dict:
    from service import build_engine
    from service.settings import load_settings
    from service.evaluation import DEFAULT_DEV_DIR, NEWS_GOLD_DIR, evaluate_gold

    out = {}
    for scorer in scorers:
        for name, folder, split in (("shared_dev", DEFAULT_DEV_DIR, None), ("news_gold_dev", NEWS_GOLD_DIR, "dev"),
                                    ("news_gold_test", NEWS_GOLD_DIR, "test")):
            if not (folder / "pairs.jsonl").exists():
                continue
            with tempfile.TemporaryDirectory() as tmp:
                engine = build_engine(load_settings(data_dir=tmp, scorer=scorer, database_url=""))
                report = evaluate_gold(engine, folder, split)
                engine.storage.close()
            report.pop("pairs")
            out.setdefault(scorer, {})[name] = report
            print(scorer, name, {k: report[k] for k in ("contradictions_found", "contradiction_pairs",
                                                        "contradiction_recall", "contradiction_edges",
                                                        "edge_precision", "others_wrongly_contradiction")}, flush=True)
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["precise", "gold", "all"], default="all")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    metrics = json.loads(METRICS.read_text()) if METRICS.exists() else {}
    if args.part in ("precise", "all"):
        metrics["precise"] = precise_metrics(args.threads)
    if args.part in ("gold", "all"):
        metrics["gold"] = gold_metrics()
    metrics["date"] = time.strftime("%Y-%m-%d")
    METRICS.write_text(json.dumps(metrics, indent=1))
    return metrics


if __name__ == "__main__":
    main()
