"""Same-point gate: are two claims about the same event, entity, quantity or time window?

NLI models call claims about *different* points contradictory ("the ministry is ready to talk about
pensions" / "the union is ready to discuss shift patterns"), so a pair must pass this gate before it
can become a contradiction edge. The gate is a logistic regression over cheap features (no model
run): embedding cosine, shared names (capitalised words and acronyms), shared content stems, whether
an amount in one matches an amount in the other, and the distance between the two statements' dates
beyond a news cycle (``DATE_GRACE_DAYS``).
(Amounts that *differ* are no evidence either way: a number clash is what many contradictions are.) It is
trained by ``python -m model.judge`` on news pairs (two headlines of one story vs nearest headlines of
other stories) and the dev split of the news gold set; weights in ``model/judge/judge.json`` (``gate``).
"""
from __future__ import annotations

import math
import re
from datetime import date
from functools import lru_cache

import numpy as np

from .cues import MONTHS, STOPWORDS, WEEKDAYS, content_words, quantity_comparison, share_in

GATE_FEATURES = [
    "similarity", "similarity_sq", "names_jaccard", "names_shared", "names_unmatched_min", "names_none",
    "stems_jaccard", "stems_in_shorter", "quantity_match", "date_gap_log", "date_known",
]
NAME = re.compile(r"\b(?:[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)*|[A-Z]{2,}[a-z]?)\b")
NOT_NAMES = STOPWORDS | MONTHS | WEEKDAYS | {
    "the", "this", "these", "those", "there", "it", "no", "not", "only", "more", "fewer", "less", "all", "some",
    "after", "before", "since", "when", "while", "if", "but", "and", "our", "we", "you", "did", "does", "do",
    "agreed", "denied", "rejected", "accused", "said", "says", "claims", "reports", "closing", "under", "over",
}


@lru_cache(maxsize=50_000)
def names(text: str) -> frozenset[str]:
    """Capitalised words and acronyms, lower-cased, without sentence-start function words and months."""
    return frozenset(w.lower() for w in NAME.findall(text) if w.lower() not in NOT_NAMES)


@lru_cache(maxsize=50_000)
def stems(text: str) -> frozenset[str]:
    return frozenset(w[:5] for w in content_words(text) if not w[0].isdigit())


# Days within which two dates say nothing about whether two claims are on one point: a news cycle.
# The gold sets' labelled pairs are mostly of one day (an article each), so a gate trained on them alone
# reads any gap as another event; real claims on one point are days apart (``../shared/dev``: Trump's
# 500 billion dollars and Zelensky's "we did not agree to 500 billion" are 13 days apart).
DATE_GRACE_DAYS = 14


def _date_gap(a: str | None, b: str | None) -> float | None:
    """Days between two ISO dates beyond ``DATE_GRACE_DAYS`` (0 within it); None when one is unknown."""
    try:
        days = abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days)
    except (TypeError, ValueError):
        return None
    return max(days - DATE_GRACE_DAYS, 0)


def gate_features(a: str, b: str, similarity: float, dates: tuple[str | None, str | None] = (None, None)) -> list[float]:
    na, nb = names(a), names(b)
    sa, sb = stems(a), stems(b)
    gap = _date_gap(*dates)
    shorter, longer = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    return [
        similarity, similarity * similarity,
        len(na & nb) / len(na | nb) if na | nb else 0.0, float(min(len(na & nb), 3)),
        float(min(len(na - nb), len(nb - na), 3)), float(not na and not nb),
        len(sa & sb) / len(sa | sb) if sa | sb else 0.0, share_in(shorter, longer),
        float(bool(quantity_comparison(a, b)[1])),
        math.log1p(gap) if gap is not None else 0.0, float(gap is not None),
    ]


def apply_logistic(model: dict, x: np.ndarray) -> np.ndarray:
    """Class probabilities of a standardised (multinomial or binary) logistic model stored as JSON."""
    z = (np.asarray(x, dtype=np.float64) - np.asarray(model["mean"])) / np.asarray(model["std"])
    logits = z @ np.asarray(model["coef"]).T + np.asarray(model["intercept"])
    if logits.shape[1] == 1:  # binary: P(class 1)
        p = 1.0 / (1.0 + np.exp(-logits[:, 0]))
        return np.stack([1.0 - p, p], axis=1)
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def alignment(model: dict, rows: list[list[float]]) -> np.ndarray:
    """P(same point) for each row of ``gate_features``."""
    if not rows:
        return np.zeros(0)
    return apply_logistic(model, np.asarray(rows))[:, 1]
