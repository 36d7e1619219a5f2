"""Contradiction scorers: one interface, several implementations, chosen by configuration.

A scorer judges pairs of claims and returns, for each, a label (contradiction / agreement /
neutral), the probability of that label (``score``), the three probabilities, and the cues
that explain it. The conflict engine and the API only see this interface, so a trained model
replaces the rule baseline without touching them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence

from .cues import find_cues

LABELS = ("contradiction", "agreement", "neutral")
STRONG_CUES = {"negation", "antonym", "number", "date"}


@dataclass
class Judgement:
    label: str
    score: float  # probability of ``label``
    probs: dict[str, float]
    cues: list[dict] = field(default_factory=list)


class ContradictionScorer(Protocol):
    name: str

    def judge(self, pairs: Sequence[tuple[str, str]], similarities: Sequence[float] | None = None) -> list[Judgement]:
        """Judge each (claim A, claim B) pair; ``similarities`` are their embedding cosines if known."""


def judgement_from_probs(probs: dict[str, float], cues: list[dict]) -> Judgement:
    label = max(LABELS, key=lambda name: probs[name])
    return Judgement(label=label, score=float(probs[label]), probs=probs, cues=cues)


class CueScorer:
    """Rule baseline: opposing cues between similar claims mean contradiction.

    Its scores are heuristic, not calibrated probabilities; the trained scorers replace it.
    """

    name = "cues"

    def __init__(self, agreement_similarity: float = 0.5):
        self.agreement_similarity = agreement_similarity

    def judge(self, pairs, similarities=None):
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
        return judgement_from_probs(probs, [c.as_dict() for c in cues])


def build_scorer(spec: str) -> ContradictionScorer:
    """Scorer from its configuration name: ``cues``, ``stance``, or the trained NLI ones once shipped."""
    if spec == "cues":
        return CueScorer()
    if spec == "stance":
        from .stance import StanceScorer

        return StanceScorer()
    try:
        from . import nli
    except ImportError as exc:  # the trained scorers are not shipped in this checkout
        raise ValueError(f"unknown scorer {spec!r}") from exc
    return nli.build_trained_scorer(spec)
