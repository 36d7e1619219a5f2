"""Dependency-tree helpers shared by the speaker and claim finders.
"""
from __future__ import annotations

from .lexicon import ALL_CUE_LEMMAS


def complements(verb) -> list:
    """The verb's complement clauses, or the one the parser took for a clause of a nearby noun: "told
    supporters in the capital that his party is ready …", "said in a statement that ventilation systems had
    been inspected …" ("that" marks a clause with its own subject)."""
    found = children(verb, "ccomp")
    if found:
        return found
    # "that" marks (or was misread as the object of) a clause with a subject of its own
    return [t for t in verb.subtree if t.dep_ in {"relcl", "acl"} and t.i > verb.i
            and any(c.dep_ in {"mark", "dobj"} and c.lower_ == "that" and c.i < t.i for c in t.children)
            and any(c.dep_ in {"nsubj", "nsubjpass"} and c.lower_ != "that" for c in t.children)][:1]


def children(tok, *deps):
    return [c for c in tok.children if c.dep_ in deps]


def is_cue(tok) -> bool:
    return tok.pos_ in {"VERB", "AUX"} and tok.lemma_.lower() in ALL_CUE_LEMMAS
