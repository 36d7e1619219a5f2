"""Candidate pairs: which stored claims a statement is compared with. One path for all callers.

A statement's candidate partners are its nearest claims (embedding cosine) made by another actor
("cross"), or by the same actor at another date ("flip": the actor changed their story). Ingest,
bulk compare and ``reindex --edges`` all call ``candidates()``, so a recomputed graph is the graph
ingest built.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Look this many times further than the k candidates wanted: the nearest claims are often the
# same actor's (same date), which are not compared.
NEIGHBOUR_WIDENING = 3


@dataclass
class Candidate:
    a: dict  # the statement being checked
    b: dict  # its neighbour
    similarity: float
    kind: str  # "cross" or "flip"


def pair_kind(a: dict, b: dict) -> str | None:
    """"cross" for two actors, "flip" for one actor at two dates, None when not comparable."""
    if a["id"] == b["id"]:
        return None
    if a["actor"] != b["actor"]:
        return "cross"
    if a.get("date") and b.get("date") and a["date"] != b["date"]:
        return "flip"
    return None


def candidates_for(statement: dict, neighbours: list[tuple[dict, float]], min_similarity: float,
                   limit: int | None = None) -> list[Candidate]:
    """The first ``limit`` comparable neighbours (most similar first) above ``min_similarity``."""
    found = []
    for other, similarity in neighbours:
        kind = pair_kind(statement, other)
        if kind and similarity >= min_similarity:
            found.append(Candidate(statement, other, float(similarity), kind))
    return found[:limit] if limit else found


def in_batch_neighbours(vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    """For each row, its ``k`` most similar other rows of the same batch (row index, cosine)."""
    if len(vectors) < 2:
        return [[] for _ in range(len(vectors))]
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    k = min(k, len(vectors) - 1)
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    return [[(int(j), float(sims[i, j])) for j in row] for i, row in enumerate(top)]


def candidates(storage, statements: list[dict], vectors: np.ndarray, k: int, min_similarity: float,
               before: int | None = None) -> list[Candidate]:
    """Up to ``k`` candidates per statement among the stored claims (only those stored before
    position ``before`` when given) and the other statements of the batch; each unordered pair once.
    With ``storage`` None, among the batch alone: the pairs a store holding just this batch would judge
    (``model.judge`` counts its edges there)."""
    wide = NEIGHBOUR_WIDENING * k
    stored = storage.nearest(vectors, wide, before=before) if storage is not None else [[] for _ in statements]
    batch = in_batch_neighbours(vectors, wide)
    found: list[Candidate] = []
    seen: set[tuple[str, str]] = set()
    for i, statement in enumerate(statements):
        neighbours = _each_once(stored[i] + [(statements[j], sim) for j, sim in batch[i]])
        for candidate in candidates_for(statement, neighbours, min_similarity, limit=k):
            key = tuple(sorted((candidate.a["id"], candidate.b["id"])))
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def _each_once(neighbours: list[tuple[dict, float]]) -> list[tuple[dict, float]]:
    """Most similar first, each statement once: a batch judged after it was stored (the judging
    queue) finds its own members both in the store and in the batch."""
    best: dict[str, tuple[dict, float]] = {}
    for statement, similarity in neighbours:
        if statement["id"] not in best or similarity > best[statement["id"]][1]:
            best[statement["id"]] = (statement, similarity)
    return sorted(best.values(), key=lambda pair: -pair[1])
