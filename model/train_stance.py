"""Train the stance head (``service/stance.py``) on news stance pairs and evaluate it honestly.

Data (``../shared/data``, see its README sections 7 and 8):

* Emergent train split: claimHeadline vs articleHeadline; for→agreement, against→contradiction,
  observing→neutral.
* FNC-1 train: Headline vs the body sentence most similar to it (content-word overlap);
  agree→agreement, disagree→contradiction, discuss/unrelated→neutral. All ``disagree`` rows are
  kept; agree/discuss/unrelated are subsampled (fixed seed).

Splits of the training data are grouped (by Emergent claim, by FNC-1 headline): 60 % fit,
20 % validation (choice of C and class weighting, by macro-F1), 20 % calibration (temperature).
Evaluation on data never trained on: Emergent test split, a sample of the FNC-1 competition test
(all ``disagree`` kept), and the dev gold pairs (``../shared/dev``, reported per pair, not tuned on).

Cross-encoder probabilities are cached in ``model/checkpoints/stance_<split>.npz``.

    nice python -m model.train_stance            # features (cached) + fit + eval → model/stance/
"""
from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
DEV = ROOT.parent / "shared" / "dev"
CKPT = ROOT / "model" / "checkpoints"
OUT = ROOT / "model" / "stance"
CLASSES = ["contradiction", "agreement", "neutral"]
EMERGENT = {"for": "agreement", "against": "contradiction", "observing": "neutral"}
FNC = {"agree": "agreement", "disagree": "contradiction", "discuss": "neutral", "unrelated": "neutral"}
SENT = re.compile(r"(?<=[.!?])\s+|\n+")


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def emergent(split: str) -> list[dict]:
    path = DATA / "emergent" / f"url-versions-2015-06-14-clean-{split}.csv"
    rows = list(csv.DictReader(open(path, encoding="utf-8", newline="")))
    return [{"a": r["claimHeadline"].strip(), "b": r["articleHeadline"].strip(),
             "label": EMERGENT[r["articleHeadlineStance"]], "group": "em:" + r["claimId"], "source": "emergent"}
            for r in rows if r["articleHeadlineStance"] in EMERGENT and r["articleHeadline"].strip()]


def _rd(p):
    return list(csv.DictReader(gzip.open(p, "rt", encoding="utf-8", newline="")))


def fnc(stances: str, bodies: str, quota: dict, seed: int) -> list[dict]:
    body = {r["Body ID"]: r["articleBody"] for r in _rd(DATA / "fnc1" / bodies)}
    rows = _rd(DATA / "fnc1" / stances)
    rng = random.Random(seed)
    by = {}
    for r in rows:
        by.setdefault(r["Stance"], []).append(r)
    chosen = []
    for stance, rs in sorted(by.items()):
        n = quota.get(stance)
        chosen += rs if n is None or n >= len(rs) else rng.sample(rs, n)
    # the body sentence most similar to the headline: content-word overlap (service.cues.lexical_overlap),
    # ties broken by position; cheap on 2 shared cores (embedding every body sentence was too slow)
    from service.cues import lexical_overlap

    sents = {}
    for r in chosen:
        bid = r["Body ID"]
        if bid not in sents:
            ss = [s.strip() for s in SENT.split(body[bid]) if 20 <= len(s.strip()) <= 400]
            sents[bid] = ss or [body[bid].strip()[:400]]
    out = []
    for r in chosen:
        ss = sents[r["Body ID"]]
        best = max(range(len(ss)), key=lambda i: (lexical_overlap(r["Headline"], ss[i]), -i))
        out.append({"a": r["Headline"].strip(), "b": ss[best], "label": FNC[r["Stance"]],
                    "group": "fnc:" + r["Headline"], "source": "fnc1", "fnc_stance": r["Stance"]})
    rng.shuffle(out)
    return out


def cross_fingerprint() -> str:
    from service.stance import cross_fingerprint as fp

    return fp(ROOT / "model" / "cross")


def nli_probs(name: str, pairs: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(p_ab, p_ba, similarity), cached per split and cross-encoder fingerprint."""
    key = hashlib.sha256(json.dumps(pairs).encode()).hexdigest()[:12]
    path = CKPT / f"stance_{name}.npz"
    fp = cross_fingerprint()
    if path.exists():
        z = np.load(path, allow_pickle=False)
        if str(z["key"]) == key and str(z["cross"]) == fp:
            return z["p_ab"], z["p_ba"], z["sim"]
    from service.nli import CrossScorer
    from service.stance import pair_similarities

    t = time.time()
    p_ab, p_ba = CrossScorer().symmetric_probs(pairs)
    sim = np.asarray(pair_similarities(pairs))
    log(f"{name}: {len(pairs)} pairs through cross (both directions) in {time.time() - t:.0f}s")
    CKPT.mkdir(parents=True, exist_ok=True)
    np.savez(path, p_ab=p_ab, p_ba=p_ba, sim=sim, key=key, cross=fp)
    return p_ab, p_ba, sim


def featurize(name, rows):
    from service.stance import features

    pairs = [(r["a"], r["b"]) for r in rows]
    p_ab, p_ba, sim = nli_probs(name, pairs)
    y = np.array([CLASSES.index(r["label"]) for r in rows])
    return features(pairs, p_ab, p_ba, sim), y, (p_ab, p_ba)


def prf(pred, y, cls=0):
    tp = int(((pred == cls) & (y == cls)).sum())
    p = tp / max(int((pred == cls).sum()), 1)
    r = tp / max(int((y == cls).sum()), 1)
    return {"precision": p, "recall": r, "f1": 2 * p * r / max(p + r, 1e-12)}


def report(probs, y) -> dict:
    from model.calib import ece

    pred = probs.argmax(1)
    f1s = [prf(pred, y, c)["f1"] for c in range(3)]
    return {"n": int(len(y)), "labels": {c: int((y == i).sum()) for i, c in enumerate(CLASSES)},
            "accuracy": float((pred == y).mean()), "macro_f1": float(np.mean(f1s)),
            "contradiction": prf(pred, y, 0), "ece": ece(probs, y)}


def nli_baseline_probs(p_ab, p_ba) -> np.ndarray:
    from service.nli import combine_directions

    return np.array([[d[c] for c in CLASSES] for d in combine_directions(p_ab, p_ba)])


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    from sklearn.linear_model import LogisticRegression
    from model.calib import fit_temperature, softmax
    from service.stance import FEATURE_NAMES, apply_head

    t0 = time.time()
    train_rows = emergent("train") + fnc("train_stances.csv.gz", "train_bodies.csv.gz",
                                         {"agree": 500, "discuss": 400, "unrelated": 300}, args.seed)
    test_em = emergent("test")
    test_fnc = fnc("competition_test_stances.csv.gz", "competition_test_bodies.csv.gz",
                   {"agree": 120, "discuss": 120, "unrelated": 120}, args.seed + 1)
    log("train", len(train_rows), Counter(r["label"] for r in train_rows))
    X, y, _ = featurize("train", train_rows)
    Xe, ye, pe = featurize("test_emergent", test_em)
    Xf, yf, pf = featurize("test_fnc1", test_fnc)

    # grouped 60/20/20 split
    groups = sorted({r["group"] for r in train_rows})
    random.Random(args.seed).shuffle(groups)
    part = {g: (0 if i < 0.6 * len(groups) else 1 if i < 0.8 * len(groups) else 2) for i, g in enumerate(groups)}
    sp = np.array([part[r["group"]] for r in train_rows])
    fit, val, cal = sp == 0, sp == 1, sp == 2
    mean, std = X[fit].mean(0), X[fit].std(0) + 1e-6

    best = None
    for C in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0):
        for cw in (None, "balanced"):
            m = LogisticRegression(C=C, class_weight=cw, max_iter=2000, random_state=args.seed)
            m.fit((X[fit] - mean) / std, y[fit])
            pv = m.predict_proba((X[val] - mean) / std)
            score = report(pv, y[val])["macro_f1"]
            log(f"C={C} cw={cw}: val macro-F1 {score:.4f}, contradiction F1 {prf(pv.argmax(1), y[val])['f1']:.4f}")
            if best is None or score > best[0]:
                best = (score, C, cw, m)
    score, C, cw, m = best
    log(f"chosen C={C} class_weight={cw} (val macro-F1 {score:.4f})")
    logits_cal = ((X[cal] - mean) / std) @ m.coef_.T + m.intercept_
    T = fit_temperature(logits_cal, y[cal])
    head = {
        "classes": CLASSES, "features": FEATURE_NAMES, "mean": mean.tolist(), "std": std.tolist(),
        "coef": m.coef_.tolist(), "intercept": m.intercept_.tolist(), "temperature": T,
        "C": C, "class_weight": cw, "seed": args.seed, "val_macro_f1": score,
        "training_counts": {"fit": int(fit.sum()), "validation": int(val.sum()), "calibration": int(cal.sum()),
                            "by_source_label": {f"{s}/{l}": n for (s, l), n in sorted(
                                Counter((r["source"], r["label"]) for r in train_rows).items())}},
        "base_model": "model/cross (both directions)", "cross_fingerprint": cross_fingerprint(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "head.json").write_text(json.dumps(head, indent=1))

    metrics = {"date": head["date"], "head": {k: head[k] for k in ("C", "class_weight", "temperature", "training_counts")},
               "calibration_split": {"ece_before": report(softmax(logits_cal), y[cal])["ece"],
                                     "ece_after": report(softmax(logits_cal, T), y[cal])["ece"]}}
    for name, Xs, ys, ps in (("emergent_test", Xe, ye, pe), ("fnc1_test_sample", Xf, yf, pf)):
        metrics[name] = {"stance": report(apply_head(head, Xs), ys),
                         "cross_nli_symmetric_baseline": report(nli_baseline_probs(*ps), ys)}
        log(name, json.dumps(metrics[name]["stance"]))
    metrics["fnc1_test_sample"]["note"] = "all 697 disagree + 120 each of agree/discuss/unrelated (seed %d)" % (args.seed + 1)
    metrics["dev_gold"] = dev_gold()
    metrics["seconds"] = time.time() - t0
    (OUT / "metrics.json").write_text(json.dumps(metrics, indent=1))
    log("done", json.dumps(metrics["dev_gold"]["summary"]))


def dev_gold() -> dict:
    """Dev gold pairs (never trained or tuned on), judged directly by StanceScorer, cascade, cues."""
    if not (DEV / "pairs.jsonl").exists():
        return {"skipped": "../shared/dev absent"}
    from service.nli import build_trained_scorer
    from service.scorers import CueScorer
    from service.stance import StanceScorer, load_head, pair_similarities

    load_head.cache_clear()
    st = {json.loads(l)["id"]: json.loads(l) for l in (DEV / "statements.jsonl").read_text().splitlines() if l.strip()}
    gold = [json.loads(l) for l in (DEV / "pairs.jsonl").read_text().splitlines() if l.strip()]
    pairs = [(st[g["a"]]["text"], st[g["b"]]["text"]) for g in gold]
    sims = pair_similarities(pairs)
    t = time.time()
    js = StanceScorer().judge(pairs, sims)
    rows, summary = [], Counter()
    for g, j, jc, jq, sim in zip(gold, js, build_trained_scorer("cascade").judge(pairs, sims),
                                 CueScorer().judge(pairs, sims), sims):
        rows.append({"a": g["a"], "b": g["b"], "gold": g["label"], "similarity": round(sim, 3),
                     "stance": j.label, "stance_probs": {k: round(v, 3) for k, v in j.probs.items()},
                     "cascade": jc.label, "cues": jq.label})
        for name, lab in (("stance", j.label), ("cascade", jc.label), ("cues", jq.label)):
            if g["label"] == "contradiction":
                summary[f"{name}_contradictions_found"] += lab == "contradiction"
            else:
                summary[f"{name}_false_contradictions"] += lab == "contradiction"
            summary[f"{name}_exact"] += lab == g["label"]
    return {"n": len(gold), "summary": dict(summary), "pairs": rows}


if __name__ == "__main__":
    main()
