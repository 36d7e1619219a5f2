"""Judging candidate pairs: the sentence each claim is judged as, the scorer's verdicts as edges,
and an edge as the API's aligned pair.

Each candidate pair is judged by the configured ``ContradictionScorer``; pairs labelled
contradiction or agreement become edges.
"""
from __future__ import annotations

import re

from ..scoring.base import ContradictionScorer
from ..storage.base import swap_cue
from .candidates import Candidate, pair_kind

KEPT_LABELS = ("contradiction", "agreement")


# Reporting cues whose meaning is part of the claim: "agreed [halt attacks …]" is judged as
# "Agreed to halt attacks …", "denied [the measures broke …]" as "Denied the measures broke …".
CUES_TAKING_TO = {"agreed", "agrees", "agree", "refused", "refuses", "promised", "pledged", "vowed",
                  "threatened", "offered", "declined"}
CUES_AS_IS = {"rejected", "rejects", "denied", "denies", "blamed", "welcomed",
              "condemned", "dismissed", "demanded", "opposed", "endorsed", "supported", "backed"}
ACCUSING_CUES = {"accused", "accuses", "accuse", "charged"}
IRREGULAR_PAST = {"being": "was", "making": "made", "breaking": "broke", "giving": "gave", "taking": "took",
                  "lying": "lied", "hiding": "hid", "stealing": "stole", "running": "ran", "seeking": "sought",
                  "selling": "sold", "telling": "told", "keeping": "kept", "leaving": "left", "having": "had",
                  "doing": "did", "going": "went", "saying": "said", "paying": "paid", "sending": "sent",
                  "building": "built", "spending": "spent", "holding": "held", "bringing": "brought",
                  "buying": "bought", "fighting": "fought", "losing": "lost", "meeting": "met", "winning": "won"}
ACCUSATION = re.compile(r"^(?P<who>.+?) of (?P<verb>[a-z]+ing)\b(?P<rest>.*)$", re.DOTALL)
QUOTE_MARKS = re.compile(r"[\"“”„‟«»]")


def accused_content(claim: str) -> str | None:
    """ "Putin of rejecting a full ceasefire" → "Putin rejected a full ceasefire": the proposition
    an accusation asserts. None when the claim is not of the form "X of <verb>ing …"."""
    match = ACCUSATION.match(claim)
    if not match:
        return None
    verb = match["verb"]
    past = IRREGULAR_PAST.get(verb, verb[:-3] + "ed")
    return f"{match['who']} {past}{match['rest']}"


def as_sentence(text: str) -> str:
    text = " ".join(QUOTE_MARKS.sub("", text).split()).rstrip(" ,;:")
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def judged_text(statement: dict) -> str:
    """The sentence a scorer judges: the claim without quotation marks, as a sentence, with a
    stance-bearing cue restored ("Agreed to …") or an accusation turned into what it asserts (the
    extractor now stores that itself, with a ``target``; older stores hold "Putin of rejecting …"). A
    denial of an earlier claim (cue ``denial``) is judged as "Denied <that claim>". A posted
    statement that is already a whole sentence ("No ceasefire was agreed.", cue "denied") is judged
    as written: its cue is metadata, and "Denied no ceasefire was agreed" would invert it."""
    text, cue = statement["text"], (statement.get("cue") or "").strip().lower()
    negated = cue.startswith("not ")
    verb = cue[4:] if negated else cue
    if verb == "denial":  # a denial of an earlier claim, stored as that claim
        verb = "denied"
    elif statement.get("target") and not negated:
        return as_sentence(text)  # already what the accusation or characterisation asserts: "B did …"
    asserted = accused_content(text) if verb in ACCUSING_CUES and not negated else None
    if asserted:
        return as_sentence(asserted)
    if not statement.get("document_id") and text[:1].isupper():
        return as_sentence(text)  # a whole posted sentence, not a span the extractor cut after the cue
    if verb in CUES_TAKING_TO:
        text = f"{verb} {'' if text.lower().startswith('to ') else 'to '}{text}"
    elif verb in CUES_AS_IS or verb in ACCUSING_CUES:
        text = f"{verb} {text}"
    if negated:
        text = f"did not {text}" if verb in CUES_TAKING_TO | CUES_AS_IS | ACCUSING_CUES else f"it is not the case that {text}"
    return as_sentence(text)


def gate_dates(a: dict, b: dict) -> tuple[str | None, str | None]:
    """The dates the same-point gate weighs for statements ``a`` and ``b``. Two actors' claims weeks
    apart are seldom about one point, but one actor's claims at two dates are a flip-flop when they
    clash: the gap is what makes them one, so it is no evidence of another point (the gate vetoed
    every flip-flop 28 to 78 days apart on its date gap alone)."""
    if pair_kind(a, b) == "flip":
        return None, None
    return a.get("date"), b.get("date")


def judge_candidates(scorer: ContradictionScorer, candidates: list[Candidate]) -> list[dict]:
    """Judge candidate pairs in one batch; returns the edges worth keeping."""
    if not candidates:
        return []
    judgements = scorer.judge(
        [(judged_text(c.a), judged_text(c.b)) for c in candidates], [c.similarity for c in candidates],
        [gate_dates(c.a, c.b) for c in candidates],
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


def aligned_pair(edge: dict, statements: dict[str, dict], first: str | None = None) -> dict:
    """The API's view of an edge: both statements in full, ``first`` (if given) as claim A."""
    a_id, b_id, cues = edge["a"], edge["b"], edge["cues"]
    if first is not None and first == b_id:
        a_id, b_id = b_id, a_id
        cues = [swap_cue(c) for c in cues]
    return {
        "a": statements[a_id], "b": statements[b_id], "label": edge["label"], "score": edge["score"],
        "similarity": edge["similarity"], "kind": edge["kind"], "cues": cues, "scorer": edge["scorer"],
    }
