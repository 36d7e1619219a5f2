"""The one place that turns a scorer name from the settings into a scorer.

* ``judge`` (default): same-point gate, distilled fast stage, nli-mpnet-base, calibrated verdict
  (``service/scoring/judge.py``; files under ``model/judge`` and ``model/precise``).
* ``nli``: nli-mpnet-base alone, both directions combined, with no gate and no verdict model
  (for comparison: it shows what the gate and the verdict add).
* ``cues``: the rule baseline; loads no model (the plumbing tests use it).
"""
from __future__ import annotations

SCORERS = ("judge", "nli", "cues")


def build_scorer(spec: str, embedder=None):
    """The scorer named ``spec``; ``embedder`` is the engine's, so a process loads MiniLM once."""
    spec = (spec or "").strip()
    if spec == "cues":
        from .rules import CueScorer

        return CueScorer()
    if spec == "judge":
        from .judge import JudgeScorer

        return JudgeScorer(embedder=embedder)
    if spec == "nli":
        from .judge import PreciseOnlyScorer

        return PreciseOnlyScorer(embedder)
    raise ValueError(f"unknown scorer {spec!r}: use one of {', '.join(SCORERS)}")
