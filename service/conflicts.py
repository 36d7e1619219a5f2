"""Conflict edges: from nearest neighbours to judged, aligned pairs.

For a new statement, its candidate partners are the nearest stored claims (by embedding
cosine) made by another actor ("cross"), or by the same actor at another date ("flip": the
actor changed their story). Each candidate pair is judged by the configured
``ContradictionScorer``; pairs labelled contradiction or agreement become edges.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .scorers import ContradictionScorer

KEPT_LABELS = ("contradiction", "agreement")


@dataclass
class Candidate:
    a: dict  # the new statement
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


def candidates_for(statement: dict, neighbours: list[tuple[dict, float]], min_similarity: float) -> list[Candidate]:
    found = []
    for other, similarity in neighbours:
        kind = pair_kind(statement, other)
        if kind and similarity >= min_similarity:
            found.append(Candidate(statement, other, float(similarity), kind))
    return found


# Reporting cues whose meaning is part of the claim: "accused [Putin of rejecting a full ceasefire]",
# "agreed [halt attacks …]". The judged text puts the cue back: "agreed to halt attacks …".
CUES_TAKING_TO = {"agreed", "agrees", "agree", "refused", "refuses", "promised", "pledged", "vowed",
                  "threatened", "offered", "declined"}
CUES_AS_IS = {"accused", "accuses", "rejected", "rejects", "denied", "denies", "blamed", "welcomed",
              "condemned", "dismissed", "demanded", "opposed", "endorsed", "supported", "backed"}


def judged_text(statement: dict) -> str:
    """The text a scorer judges: the claim, with a stance-bearing or negated cue restored."""
    text, cue = statement["text"], (statement.get("cue") or "").strip()
    negated = cue.startswith("not ")
    verb = cue[4:] if negated else cue
    if verb.lower() in CUES_TAKING_TO:
        text = f"{verb} {'' if text.lower().startswith('to ') else 'to '}{text}"
    elif verb.lower() in CUES_AS_IS:
        text = f"{verb} {text}"
    return f"did not {text}" if negated and text != statement["text"] else (f"it is not the case that {text}" if negated else text)


def judge_candidates(scorer: ContradictionScorer, candidates: list[Candidate]) -> list[dict]:
    """Judge candidate pairs in one batch; returns the edges worth keeping."""
    if not candidates:
        return []
    judgements = scorer.judge(
        [(judged_text(c.a), judged_text(c.b)) for c in candidates], [c.similarity for c in candidates]
    )
    edges = []
    for candidate, judgement in zip(candidates, judgements):
        if judgement.label in KEPT_LABELS:
            edges.append({
                "a": candidate.a["id"], "b": candidate.b["id"], "label": judgement.label,
                "score": round(float(judgement.score), 4), "similarity": round(candidate.similarity, 4),
                "kind": candidate.kind, "cues": judgement.cues, "scorer": scorer.name,
            })
    return edges


def in_batch_neighbours(vectors: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    """For each row, its ``k`` most similar other rows of the same batch (row index, cosine)."""
    if len(vectors) < 2:
        return [[] for _ in range(len(vectors))]
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    k = min(k, len(vectors) - 1)
    top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    return [[(int(j), float(sims[i, j])) for j in row] for i, row in enumerate(top)]


def aligned_pair(edge: dict, statements: dict[str, dict], first: str | None = None) -> dict:
    """The API's view of an edge: both statements in full, ``first`` (if given) as claim A."""
    a_id, b_id, cues = edge["a"], edge["b"], edge["cues"]
    if first is not None and first == b_id:
        a_id, b_id = b_id, a_id
        cues = [{**c, "a": c.get("b", ""), "b": c.get("a", "")} for c in cues]
    return {
        "a": statements[a_id], "b": statements[b_id], "label": edge["label"], "score": edge["score"],
        "similarity": edge["similarity"], "kind": edge["kind"], "cues": cues, "scorer": edge["scorer"],
    }
