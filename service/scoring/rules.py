"""The rule baseline (``cues``): opposing cues between similar claims mean contradiction.

It loads no model, so it is also the fast, deterministic scorer of the plumbing tests. Its scores
are heuristic, not calibrated probabilities.
"""
from __future__ import annotations

from .base import Judgement, judgement_from_probs
from .cues import find_cues

STRONG_CUES = {"negation", "denial", "antonym", "number", "date"}


class CueScorer:
    name = "cues"

    def __init__(self, agreement_similarity: float = 0.5):
        self.agreement_similarity = agreement_similarity

    def judge(self, pairs, similarities=None, dates=None) -> list[Judgement]:
        similarities = similarities if similarities is not None else [0.5] * len(pairs)
        return [self._judge_one(a, b, sim) for (a, b), sim in zip(pairs, similarities)]

    def _judge_one(self, a: str, b: str, similarity: float) -> Judgement:
        cues = find_cues(a, b)
        strong = [c for c in cues if c.kind in STRONG_CUES]
        if strong:
            p_contra = min(0.95, 0.5 + 0.1 * len(strong) + 0.3 * max(similarity, 0.0))
            probs = {"contradiction": p_contra, "agreement": 0.0, "neutral": 1.0 - p_contra}
        elif similarity >= self.agreement_similarity:
            probs = {"contradiction": 0.0, "agreement": float(similarity), "neutral": 1.0 - float(similarity)}
        else:
            probs = {"contradiction": 0.0, "agreement": 0.0, "neutral": 1.0}
        return judgement_from_probs(probs, [c.as_dict() for c in cues], stage="rules")
