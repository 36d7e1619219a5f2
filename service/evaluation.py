"""Evaluation on the development gold set (``../shared/dev``): does the conflict search find
every labelled contradiction, and does it wrongly call agreement or neutral pairs contradictions?
"""
from __future__ import annotations

import json
from pathlib import Path

from .config import ROOT

DEFAULT_DEV_DIR = ROOT.parent / "shared" / "dev"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def edge_label(engine, a: str, b: str) -> str | None:
    """The label of the stored edge between ``a`` and ``b`` (None: no edge, i.e. neutral)."""
    for pair in engine.statement_conflicts(a):
        if pair["b"]["id"] == b:
            return pair["label"]
    return None


def evaluate_dev_pairs(engine, dev_dir: Path) -> dict:
    """Ingest the gold statements into ``engine`` and score its edges against the gold pairs."""
    engine.ingest(read_jsonl(dev_dir / "statements.jsonl"))
    pairs = read_jsonl(dev_dir / "pairs.jsonl")
    rows = []
    for pair in pairs:
        found = edge_label(engine, pair["a"], pair["b"])
        reverse = edge_label(engine, pair["b"], pair["a"])
        rows.append({**pair, "found": found or "neutral", "symmetric": found == reverse})
    contradictions = [r for r in rows if r["label"] == "contradiction"]
    others = [r for r in rows if r["label"] != "contradiction"]
    return {
        "scorer": engine.scorer.name,
        "contradiction_pairs": len(contradictions),
        "contradictions_found": sum(r["found"] == "contradiction" for r in contradictions),
        "other_pairs": len(others),
        "others_wrongly_contradiction": sum(r["found"] == "contradiction" for r in others),
        "agreements_found": sum(r["found"] == "agreement" for r in rows if r["label"] == "agreement"),
        "pairs": rows,
    }


def evaluate_attribution_files(articles_dir: Path, registry) -> dict:
    """Precision and recall of claim attribution for every ``*.txt`` with a gold file beside it,
    and over all of them pooled."""
    from .extract import evaluate_article

    report, tp, fp, fn = {}, 0, 0, 0
    for article in sorted(articles_dir.glob("*.txt")):
        if not article.with_name(article.stem + ".attribution.jsonl").exists():
            continue
        result = evaluate_article(article, registry=registry)
        report[article.name] = {k: result[k] for k in ("precision", "recall", "tp", "fp", "fn")}
        tp, fp, fn = tp + result["tp"], fp + result["fp"], fn + result["fn"]
    report["all"] = {"precision": round(tp / max(tp + fp, 1), 4), "recall": round(tp / max(tp + fn, 1), 4),
                     "tp": tp, "fp": fp, "fn": fn}
    return report
