"""What each claim is about: the things (nouns and names) one claim names that the other never mentions.

Two claims of one story often differ only in what they are about: "the price of petrol fell 4 percent" /
"the price of diesel rose 4 percent", "household tariffs" / "tariffs for industrial users", "rail fares" /
"rail season tickets". NLI reads the opposite predicate or the other amount and calls them contradictory.
The verdict weighs ``unshared_things``: how many things the claim that names fewer new ones names that
the other does not mention in any form (the first five letters of any word or lemma, as the cues compare
words: "prisoners" is met by "prisoner", "Ukraine" by "Ukrainians"). A real conflict usually names the
same things and differs in what it says of them (a predicate, an amount, a denial).

Amount words (units, "percent", "million", "half") and calendar words are not things: "41 percent" /
"more than half of voters" differ in how they say an amount, not in what they count.

The tagger is the extraction's spaCy model without its parser and entity recogniser, loaded once;
``prefetch`` tags many claims in one batch (training reads tens of thousands).
"""
from __future__ import annotations

import threading
from typing import Iterable

from .cues import DENOMINATORS, MONTHS, MULTIPLIERS, UNITS, WEEKDAYS

THING_TAGS = ("NOUN", "PROPN")
NOT_THINGS = set(UNITS) | set(MULTIPLIERS) | set(DENOMINATORS) | MONTHS | WEEKDAYS | {
    "percent", "cent", "per", "year", "month", "week", "day", "hour", "minute",
}
MAX_COUNTED = 3  # beyond three new things a pair is about something else either way
_CACHE_LIMIT = 200_000

_tagger = None
_lock = threading.Lock()
_cache: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def _load_tagger():
    global _tagger
    if _tagger is None:
        with _lock:
            if _tagger is None:
                import spacy

                from ..extract.nlp import SPACY_MODEL

                _tagger = spacy.load(SPACY_MODEL, exclude=["parser", "ner"])
    return _tagger


def _read(doc) -> tuple[frozenset[str], frozenset[str]]:
    """(things the claim names, as lemmas; the first five letters of every word and lemma in it)."""
    things = frozenset(t.lemma_.lower() for t in doc
                       if t.pos_ in THING_TAGS and not t.like_num and t.lemma_.lower() not in NOT_THINGS)
    mentioned = frozenset(w[:5] for t in doc for w in (t.lemma_.lower(), t.lower_))
    return things, mentioned


def prefetch(texts: Iterable[str]) -> None:
    """Tag the claims not read yet, in batches (one call per pipe instead of one per claim)."""
    todo = list(dict.fromkeys(t for t in texts if t not in _cache))
    if not todo:
        return
    nlp = _load_tagger()
    read = {text: _read(doc) for text, doc in zip(todo, nlp.pipe(todo, batch_size=256))}
    with _lock:
        if len(_cache) + len(read) > _CACHE_LIMIT:
            _cache.clear()
        _cache.update(read)


def things(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(things named, stems of the words and lemmas mentioned) of one claim."""
    if text not in _cache:
        prefetch([text])
    return _cache.get(text) or _read(_load_tagger()(text))


def unshared(a: str, b: str) -> tuple[list[str], list[str]]:
    """The things A names that B never mentions, and those B names that A never mentions (sorted)."""
    named_a, said_a = things(a)
    named_b, said_b = things(b)
    return sorted(t for t in named_a if t[:5] not in said_b), sorted(t for t in named_b if t[:5] not in said_a)


def unshared_things(a: str, b: str) -> float:
    """0..1: the fewer of the two sides' unshared things, up to ``MAX_COUNTED`` (0: the claim that names
    fewer new things names none; 1: both name three or more that the other never mentions)."""
    only_a, only_b = unshared(a, b)
    return min(len(only_a), len(only_b), MAX_COUNTED) / MAX_COUNTED
