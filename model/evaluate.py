"""Evaluate the SHIPPED scorers (service.nli, files under model/) on the public test splits.

    python -m model.evaluate                      # all stages; writes model/metrics.json + MODEL_CARD.md table
    python -m model.evaluate --stages fast        # one stage

Per stage and split: 3-class accuracy of the directional (premise→hypothesis) prediction, the
contradiction precision / recall / F1 of both the directional prediction and the symmetric
service judgement (label == "contradiction"), and the 15-bin ECE of the calibrated directional
probabilities. Also: the cascade (its rule replayed on the fast and cross outputs), the dev gold
pairs (/work/shared/dev), and judged pairs/s of each scorer on this machine.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from .calib import ece  # noqa: E402
from .data import DEFAULT_DATA, LABEL_ID, REPO, test_sets  # noqa: E402

METRICS = REPO / "model" / "metrics.json"
CARD = REPO / "model" / "MODEL_CARD.md"


def prf(gold: np.ndarray, pred: np.ndarray) -> dict:
    tp = float(np.sum(gold & pred))
    p = tp / max(pred.sum(), 1)
    r = tp / max(gold.sum(), 1)
    return {"precision": p, "recall": r, "f1": 2 * p * r / max(p + r, 1e-12)}


def split_metrics(p_ab: np.ndarray, sym: list[dict] | None, y: np.ndarray, p_ba: np.ndarray | None = None) -> dict:
    out = {"n": int(len(y)), "accuracy": float((p_ab.argmax(1) == y).mean()), "ece": ece(p_ab, y),
           "contradiction_directional": prf(y == 2, p_ab.argmax(1) == 2)}
    if sym is not None:
        labels = np.array([max(s, key=s.get) for s in sym])
        out["contradiction_symmetric"] = prf(y == 2, labels == "contradiction")
    if p_ba is not None:  # the rejected alternative: contradiction = max of the two directions
        from service.nli import combine_directions

        alt = []
        for s, c in zip(combine_directions(p_ab, p_ba), np.maximum(p_ab[:, 2], p_ba[:, 2])):
            rest = s["agreement"] + s["neutral"]
            scale = (1 - c) / rest if rest > 0 else 0.0
            alt.append(c > max(s["agreement"] * scale, s["neutral"] * scale))
        out["contradiction_symmetric_max_rule"] = prf(y == 2, np.array(alt))
    return out


def dev_gold(scorer, shared: Path) -> dict | None:
    pf, sf = shared / "dev" / "pairs.jsonl", shared / "dev" / "statements.jsonl"
    if not pf.exists():
        return None
    text = {r["id"]: r["text"] for r in map(json.loads, sf.read_text().splitlines()) if r}
    gold = [json.loads(line) for line in pf.read_text().splitlines() if line.strip()]
    from service.embed import get_embedder

    pairs = [(text[g["a"]], text[g["b"]]) for g in gold]
    sims = get_embedder().pair_similarities(pairs)  # as the conflict engine passes them
    judged = scorer.judge(pairs, similarities=sims)
    rows, ok = [], True
    for g, j in zip(gold, judged):
        good = (j.label == "contradiction") if g["label"] == "contradiction" else (j.label != "contradiction")
        ok &= good
        rows.append({"a": g["a"], "b": g["b"], "gold": g["label"], "label": j.label, "similarity": round(sims[len(rows)], 3),
                     "p_contradiction": round(j.probs["contradiction"], 3), "ok": bool(good)})
    return {"passed": bool(ok), "n_ok": sum(r["ok"] for r in rows), "n": len(rows), "pairs": rows}


def speed(scorer, pairs, repeats: int = 1) -> float:
    scorer.judge(pairs[:8])  # load
    t0 = time.time()
    for _ in range(repeats):
        scorer.judge(pairs)
    return len(pairs) * repeats / (time.time() - t0)


def file_sizes() -> dict:
    out = {}
    for d in ("fast", "cross"):
        for f in sorted((REPO / "model" / d).glob("*")):
            out[f"model/{d}/{f.name}"] = f.stat().st_size
    return out


def main(argv=None) -> dict:
    import torch

    from service import nli
    from service.scorers import CueScorer

    ap = argparse.ArgumentParser(prog="python -m model.evaluate")
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--stages", default="fast,cross,cross-int8")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--speed-pairs", type=int, default=256)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    root = Path(args.data)
    shared = root.parent
    stages = [s for s in args.stages.split(",") if s]
    tests = test_sets(root)
    results: dict = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "stages": {}, "dev_gold": {},
                     "speed_judged_pairs_per_s": {}, "machine": f"{os.cpu_count()} CPU cores, torch threads {args.threads}"}
    cache: dict = {}
    for stage in stages:
        scorer = nli.build_trained_scorer(stage)
        res = {}
        for name, rows in tests.items():
            pairs = [(p, h) for p, h, _ in rows]
            y = np.array([LABEL_ID[lab] for *_, lab in rows])
            both = stage != "cross-int8"  # int8: premise->hypothesis only (accuracy cost of int8)
            t0 = time.time()
            probs = scorer.directional_probs(pairs + ([(h, p) for p, h in pairs] if both else []))
            dt = time.time() - t0
            p_ab, sym = probs[: len(pairs)], None
            if both:
                sym = nli.combine_directions(p_ab, probs[len(pairs):])
                cache[(stage, name)] = (p_ab, sym)
            res[name] = split_metrics(p_ab, sym, y, probs[len(pairs):] if both else None)
            res[name]["directional_pairs_per_s"] = len(probs) / dt
            print(f"{stage} {name}: {json.dumps(res[name])}", flush=True)
        results["stages"][stage] = res
        results["dev_gold"][stage] = dev_gold(scorer, shared)
        sp = [(p, h) for p, h, _ in tests["snli_test"][: args.speed_pairs // 2] + tests["mnli_dev_mismatched"][: args.speed_pairs // 2]]
        results["speed_judged_pairs_per_s"][stage] = speed(scorer, sp)
    if "fast" in stages and "cross" in stages:  # replay the cascade rule on the stored outputs
        gate = nli.CascadeScorer()
        res = {}
        for name, rows in tests.items():
            fa, fsym = cache[("fast", name)]
            ca, csym = cache[("cross", name)]
            y = np.array([LABEL_ID[lab] for *_, lab in rows])
            esc = np.array([gate.escalates(fs) for fs in fsym])
            sym = [c if e else f for f, c, e in zip(fsym, csym, esc)]
            p_ab = np.where(esc[:, None], ca, fa)
            res[name] = split_metrics(p_ab, sym, y)
            res[name]["escalated_fraction"] = float(esc.mean())
        results["stages"]["cascade"] = res
        cascade = nli.build_trained_scorer("cascade")
        results["dev_gold"]["cascade"] = dev_gold(cascade, shared)
        results["speed_judged_pairs_per_s"]["cascade"] = speed(cascade, sp)
    results["dev_gold"]["cues"] = dev_gold(CueScorer(), shared)
    results["file_sizes_bytes"] = file_sizes()
    old = json.loads(METRICS.read_text()) if METRICS.exists() else {}
    if set(stages) != {"fast", "cross", "cross-int8"}:  # partial run: keep the other stages
        for key in ("stages", "dev_gold", "speed_judged_pairs_per_s"):
            results[key] = {**old.get(key, {}), **results[key]}
    METRICS.write_text(json.dumps(results, indent=2))
    table = render(results)
    print(table)
    if CARD.exists():
        card = CARD.read_text()
        card = re.sub(r"<!-- metrics:start -->.*<!-- metrics:end -->",
                      lambda _: f"<!-- metrics:start -->\n{table}\n<!-- metrics:end -->", card, flags=re.S)
        CARD.write_text(card)
    return results


def render(r: dict) -> str:
    lines = [f"Measured {r['date']} by `python -m model.evaluate` ({r['machine']}).", "",
             "| stage | split | n | 3-class acc | ECE | contra P / R / F1 (directional) | contra P / R / F1 (symmetric judge) |",
             "|---|---|---|---|---|---|---|"]
    f = lambda d: f"{d['precision']:.3f} / {d['recall']:.3f} / {d['f1']:.3f}" if d else "–"  # noqa: E731
    for stage, res in r["stages"].items():
        for split, m in res.items():
            extra = f" (escalated {m['escalated_fraction']:.0%})" if "escalated_fraction" in m else ""
            lines.append(f"| {stage}{extra} | {split} | {m['n']} | {m['accuracy']:.4f} | {m['ece']:.4f} | "
                         f"{f(m['contradiction_directional'])} | {f(m.get('contradiction_symmetric'))} |")
    lines += ["", "| scorer | dev gold pairs (contradictions found, no false contradiction) | judged pairs/s (both directions) |",
              "|---|---|---|"]
    for stage, g in r["dev_gold"].items():
        sp = r["speed_judged_pairs_per_s"].get(stage)
        g_txt = f"{'PASS' if g['passed'] else 'FAIL'} ({g['n_ok']}/{g['n']} ok)" if g else "n/a (no ../shared/dev)"
        lines.append(f"| {stage} | {g_txt} | {sp:.1f} |" if sp else f"| {stage} | {g_txt} | – |")
    lines += ["", "| file | bytes |", "|---|---|"]
    lines += [f"| {k} | {v:,} |" for k, v in r.get("file_sizes_bytes", {}).items()]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
