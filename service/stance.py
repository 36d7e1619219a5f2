"""Stance scorer: a small calibrated head that maps NLI + cue + similarity features to the
product's *narrative* labels (contradiction / agreement / neutral).

Why: strict NLI models (trained on SNLI/MNLI) call many news-style conflicts "neutral" ("Ukraine
agreed to give us 500 billion…" vs "We did not agree to 500 billion…" is a conflict between two
actors' positions, not always a strict logical contradiction). The rule baseline (``cues``) finds
them but over-fires. This head learns how to weigh both from news stance data (Emergent and
FNC-1, see ``model/train_stance.py`` and ``model/STANCE.md``).

Features (all symmetric in the pair, so ``judge(a, b) == judge(b, a)``), in ``FEATURE_NAMES``
order: the cross-encoder's probabilities in both directions (combined by
``service.nli.combine_directions``, plus min/max of the directional contradiction and
entailment), the embedding cosine and its square, the cue features of ``service.cues.cue_features`` with the
two per-side negation counts replaced by their min and max, and three interactions
(similarity × negation flip / antonym / number mismatch). The head is a multinomial logistic
regression on standardised features with a temperature fitted on held-out data; its weights are
``model/stance/head.json`` (loaded once per process).

Unlike the ``cascade`` scorer this always runs the cross-encoder (both directions), because the
head was trained on the cross-encoder's probabilities; it costs the same as ``cross``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from .cues import cue_features, find_cues
from .scorers import LABELS, Judgement, judgement_from_probs

MODEL_DIR = Path(os.environ.get("COUNTERCLAIM_MODEL_DIR", Path(__file__).resolve().parent.parent / "model"))
HEAD_PATH = MODEL_DIR / "stance" / "head.json"

FEATURE_NAMES = [
    "nli_contradiction", "nli_agreement", "nli_neutral",
    "contradiction_min", "contradiction_max", "entailment_min", "entailment_max",
    "log_contradiction", "log_agreement",
    "similarity", "similarity_sq",
    "negation_min", "negation_max", "negation_flip", "antonym", "number_mismatch", "number_shared",
    "date_mismatch", "scope", "overlap", "length_ratio",
    "sim_x_negation_flip", "sim_x_antonym", "sim_x_number_mismatch",
]

_LOCK = threading.Lock()
log = logging.getLogger(__name__)


def cross_fingerprint(cross_dir: Path = MODEL_DIR / "cross") -> str:
    """Short hash of the shipped cross-encoder weights (first MiB + size), recorded in head.json."""
    p = cross_dir / "model.safetensors"
    h = hashlib.sha256()
    with open(p, "rb") as f:
        h.update(f.read(1 << 20))
    h.update(str(p.stat().st_size).encode())
    return h.hexdigest()[:16]


def features(pairs: Sequence[tuple[str, str]], p_ab: np.ndarray, p_ba: np.ndarray,
             similarities: Sequence[float]) -> np.ndarray:
    """(n, len(FEATURE_NAMES)) features from directional NLI probabilities (NLI_ORDER columns:
    entailment, neutral, contradiction) of a→b and b→a, and the embedding cosines."""
    from .nli import combine_directions

    combined = combine_directions(np.asarray(p_ab), np.asarray(p_ba))
    rows = []
    for (a, b), pa, pb, comb, sim in zip(pairs, p_ab, p_ba, combined, similarities):
        cf = cue_features(a, b)
        sim = float(sim)
        c, g = comb["contradiction"], comb["agreement"]
        rows.append([
            c, g, comb["neutral"],
            min(pa[2], pb[2]), max(pa[2], pb[2]), min(pa[0], pb[0]), max(pa[0], pb[0]),
            float(np.log(c + 1e-4)), float(np.log(g + 1e-4)),
            sim, sim * sim,
            min(cf[0], cf[1]), max(cf[0], cf[1]), cf[2], cf[3], cf[4], cf[5], cf[6], cf[7], cf[8], cf[9],
            sim * cf[2], sim * cf[3], sim * cf[4],
        ])
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURE_NAMES))


def apply_head(head: dict, x: np.ndarray) -> np.ndarray:
    """Calibrated (n, 3) probabilities in ``head['classes']`` order."""
    z = (x - np.asarray(head["mean"])) / np.asarray(head["std"])
    logits = z @ np.asarray(head["coef"]).T + np.asarray(head["intercept"])
    logits = logits / float(head["temperature"])
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


@lru_cache(maxsize=1)
def load_head(path: str = str(HEAD_PATH)) -> dict:
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"stance head not shipped: {p} is missing (python -m model.train_stance)")
    head = json.loads(p.read_text())
    if head["features"] != FEATURE_NAMES:
        raise ValueError(f"{p}: feature names differ from service.stance.FEATURE_NAMES")
    try:
        if head.get("cross_fingerprint") != cross_fingerprint():
            log.warning("stance head %s was trained on another cross-encoder than the one in model/cross; "
                        "retrain it: python -m model.train_stance", p)
    except OSError:
        pass
    return head


class StanceScorer:
    """Cross-encoder (both directions) + cues + similarity → calibrated stance head."""

    name = "stance"

    def __init__(self, head_path: str | Path | None = None, cross=None):
        self.head_path = str(head_path or HEAD_PATH)
        self._cross = cross
        self._head = None

    def _parts(self):
        if self._head is None:
            with _LOCK:
                self._head = load_head(self.head_path)
        if self._cross is None:
            from .nli import CrossScorer

            self._cross = CrossScorer()
        return self._head, self._cross

    def judge(self, pairs: Sequence[tuple[str, str]], similarities: Sequence[float] | None = None) -> list[Judgement]:
        pairs = [(str(a), str(b)) for a, b in pairs]
        if not pairs:
            return []
        head, cross = self._parts()
        if similarities is None or any(s is None for s in similarities):
            sims = pair_similarities(pairs)
            if similarities is not None:
                sims = [float(s) if s is not None else t for s, t in zip(similarities, sims)]
        else:
            sims = [float(s) for s in similarities]
        p_ab, p_ba = cross.symmetric_probs(pairs)
        probs = apply_head(head, features(pairs, p_ab, p_ba, sims))
        order = [head["classes"].index(label) for label in LABELS]
        out = []
        for (a, b), p in zip(pairs, probs):
            pd = {label: float(p[i]) for label, i in zip(LABELS, order)}
            out.append(judgement_from_probs(pd, [c.as_dict() for c in find_cues(a, b)]))
        return out


def pair_similarities(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """Embedding cosine (all-MiniLM-L6-v2, normalised) of each pair."""
    from .embed import get_embedder

    return get_embedder().pair_similarities(pairs)
