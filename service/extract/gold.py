"""Scoring extraction against gold attribution lines {"doc", "actor", "cue", "claim"}: the same actor,
and claims that overlap (token F1 ≥ ``CLAIM_OVERLAP``).
"""
from __future__ import annotations

import re
from typing import Iterable

from ..actors import ActorRegistry
from .claims import ExtractedClaim, extract_claims
from .text import normalise_claim


CLAIM_OVERLAP = 0.6  # token F1 at which an extracted claim matches a gold one


def claim_overlap(a: str, b: str) -> float:
    """Token F1 of two claims' words (case-folded, after ``normalise_claim``)."""
    from collections import Counter

    ta = Counter(re.findall(r"[\w']+", normalise_claim(a).lower()))
    tb = Counter(re.findall(r"[\w']+", normalise_claim(b).lower()))
    common = sum((ta & tb).values())
    return 2 * common / (sum(ta.values()) + sum(tb.values())) if common else 0.0


def evaluate_attribution(text: str, gold_lines: Iterable[dict],
                         registry: ActorRegistry | None = None,
                         claims: list[ExtractedClaim] | None = None) -> dict:
    """Score extraction on ``text`` against gold lines ({"actor", "cue", "claim"}).

    An extracted claim matches a gold line when the actors are equal and the claims overlap (token
    F1 ≥ ``CLAIM_OVERLAP``); exact matches (equal ``normalise_claim``) are paired first, then the best
    overlaps, each gold line with at most one extraction. The cue is reported but not required to
    match. precision = matched extractions / all extractions, recall = matched gold lines / all gold
    lines; ``exact`` counts the matches whose claims are equal.
    """
    gold = list(gold_lines)
    if claims is None:
        claims = extract_claims(text, registry)
    scored = sorted(((normalise_claim(g["claim"]) != normalise_claim(c.claim), -claim_overlap(g["claim"], c.claim), gi, k)
                     for gi, g in enumerate(gold) for k, c in enumerate(claims) if g["actor"] == c.actor),
                    key=lambda row: row[:2])
    used_gold: set[int] = set()
    used: set[int] = set()
    matched: list[tuple[dict, ExtractedClaim, bool]] = []
    for inexact, negative_overlap, gi, k in scored:
        if gi in used_gold or k in used or -negative_overlap < CLAIM_OVERLAP:
            continue
        used_gold.add(gi)
        used.add(k)
        matched.append((gold[gi], claims[k], not inexact))
    tp = len(matched)
    return {
        "precision": tp / len(claims) if claims else (1.0 if not gold else 0.0),
        "recall": tp / len(gold) if gold else 1.0,
        "tp": tp, "fp": len(claims) - tp, "fn": len(gold) - tp,
        "exact": sum(exact for _, _, exact in matched),
        "cue_agreement": sum(g.get("cue", c.cue).lower() == c.cue.lower() for g, c, _ in matched),
        "false_positives": [c.to_dict() for k, c in enumerate(claims) if k not in used],
        "false_negatives": [g for gi, g in enumerate(gold) if gi not in used_gold],
    }


def load_gold(path) -> list[dict]:
    """Gold attribution lines from a JSONL file (blank lines ignored)."""
    import json
    from pathlib import Path

    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def evaluate_article(article_path, gold_path=None,
                     registry: ActorRegistry | None = None) -> dict:
    """``evaluate_attribution`` for an article file and its gold file (by default
    ``<name>.attribution.jsonl`` beside ``<name>.txt``); for the CLI ``eval`` command."""
    from pathlib import Path

    article_path = Path(article_path)
    if gold_path is None:
        gold_path = article_path.with_name(article_path.stem + ".attribution.jsonl")
    text = article_path.read_text(encoding="utf-8")
    return evaluate_attribution(text, load_gold(gold_path), registry)
