"""The scoring interface: a scorer judges claim pairs and returns one ``Judgement`` per pair.

A judgement has a label (contradiction / agreement / neutral), the probability of that label
(``score``), the three probabilities, the readable cues that explain it, and, for the trained
judge, the same-point probability (``alignment``) and which stage decided (``stage``). The
conflict engine and the API only see this interface.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence

LABELS = ("contradiction", "agreement", "neutral")


@dataclass
class Judgement:
    label: str
    score: float  # probability of ``label``
    probs: dict[str, float]
    cues: list[dict] = field(default_factory=list)
    alignment: float | None = None  # P(same point), where the scorer estimates it
    stage: str = ""  # which part decided: "rules", "gate", "fast", "precise"


class ContradictionScorer(Protocol):
    name: str

    def judge(self, pairs: Sequence[tuple[str, str]], similarities: Sequence[float] | None = None,
              dates: Sequence[tuple[str | None, str | None]] | None = None) -> list[Judgement]:
        """Judge each (claim A, claim B) pair; ``similarities`` are their embedding cosines and
        ``dates`` the two statements' dates, where known."""


def judgement_from_probs(probs: dict[str, float], cues: list[dict], **extra) -> Judgement:
    label = max(LABELS, key=lambda name: probs[name])
    return Judgement(label=label, score=float(probs[label]), probs=probs, cues=cues, **extra)
