"""The one place that turns a scorer name from the settings into a scorer.

* ``judge`` (default): same-point gate, distilled fast stage, nli-mpnet-base, calibrated verdict
  (``service/scoring/judge.py``; files under ``model/judge`` and ``model/precise``).
* ``judge-thorough``: the judge without its fast stage (every gate-passing pair to the precise stage):
  higher recall, about three times the precise stage's work on same-story pairs.
* ``nli``: nli-mpnet-base alone, both directions combined, with no gate and no verdict model
  (for comparison: it shows what the gate and the verdict add).
* ``cues``: the rule baseline; loads no model (the plumbing tests use it).
"""
from __future__ import annotations

SCORERS = ("judge", "judge-thorough", "nli", "cues")


def build_scorer(spec: str, embedder=None, settings=None):
    """The scorer named ``spec``; ``embedder`` is the engine's, so a process loads MiniLM once; model
    files, their cache and thread count as ``settings`` say (the shipped files by default)."""
    spec = (spec or "").strip()
    files = {} if settings is None else {
        "precise_dir": settings.model_dir / "precise", "cache_dir": settings.cache_dir, "threads": settings.onnx_threads}
    if spec == "cues":
        from .rules import CueScorer

        return CueScorer()
    if spec in ("judge", "judge-thorough"):
        from .judge import JudgeScorer, ThoroughJudgeScorer

        judge_dir = {} if settings is None else {"judge_dir": settings.model_dir / "judge"}
        kind = JudgeScorer if spec == "judge" else ThoroughJudgeScorer
        return kind(embedder=embedder, **judge_dir, **files)
    if spec == "nli":
        from .judge import PreciseOnlyScorer

        return PreciseOnlyScorer(embedder, **files)
    raise ValueError(f"unknown scorer {spec!r}: use one of {', '.join(SCORERS)}")
