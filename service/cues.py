"""Surface cues that explain why two claims may conflict.

A cue is a small, readable piece of evidence: a polarity flip ("agreed" / "did not agree"),
an antonymous predicate pair ("agreed" / "rejected"), a number or date that differs, a scope
word that narrows or widens the claim ("full" ceasefire / "energy" ceasefire). Cues are shown
to users beside every aligned pair (the words are highlighted in the page), and their numeric
form, ``cue_features``, feeds the trained fast classifier.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|\d[\d,.]*")

NEGATIONS = {
    "not", "no", "never", "n't", "cannot", "neither", "nor", "none", "nobody", "nothing",
    "without", "nowhere", "refuse", "refused", "refuses", "refusing", "deny", "denied", "denies",
    "unacceptable", "impossible", "unwilling", "false", "untrue",
}
CONTRACTED_NEGATION = re.compile(r"\b\w+n't\b", re.IGNORECASE)

# Each entry: two word stems of opposite meaning. A word matches a stem when it starts with it.
ANTONYM_STEMS: list[tuple[str, str]] = [
    ("agree", "reject"), ("agree", "refus"), ("agree", "oppos"), ("agree", "disagree"),
    ("accept", "reject"), ("accept", "den"), ("accept", "refus"), ("accept", "unaccept"),
    ("acceptable", "unacceptable"), ("confirm", "den"), ("admit", "den"), ("approv", "reject"),
    ("approv", "oppos"), ("support", "oppos"), ("endors", "reject"), ("embrac", "reject"),
    ("allow", "ban"), ("allow", "forbid"), ("permit", "prohibit"), ("increas", "decreas"),
    ("rais", "cut"), ("rise", "fall"), ("rose", "fell"), ("win", "lose"), ("won", "lost"),
    ("start", "stop"), ("begin", "end"), ("open", "clos"), ("halt", "continu"), ("stop", "continu"),
    ("ceas", "continu"), ("true", "false"), ("guilty", "innocent"), ("alive", "dead"),
    ("ready", "unready"), ("prepared", "unprepared"), ("legal", "illegal"), ("success", "fail"),
    ("peace", "war"), ("withdr", "deploy"), ("belong", "own"), ("join", "leave"), ("lift", "impos"),
]

SCOPE_WIDE = {"full", "complete", "comprehensive", "total", "all", "entire", "general", "whole"}
SCOPE_NARROW = {"partial", "limited", "some", "only", "specific", "specifically", "energy", "targeted"}

MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
}
NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "thousand": 1000, "million": 1e6, "billion": 1e9, "trillion": 1e12,
}
STOPWORDS = {
    "a", "an", "the", "of", "to", "in", "on", "and", "or", "for", "with", "by", "at", "from", "is",
    "are", "was", "were", "be", "been", "that", "this", "it", "its", "as", "will", "would", "has",
    "have", "had", "we", "i", "he", "she", "they", "our", "their", "his", "her", "us", "if", "any",
}


@dataclass(frozen=True)
class Cue:
    """One piece of evidence: its kind, the words in claim A and claim B that show it."""

    kind: str  # "negation", "antonym", "number", "date", "scope"
    a: str
    b: str

    def as_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=50_000)
def words(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in WORD.findall(text.replace("’", "'")))


def negation_words(text: str) -> list[str]:
    tokens = words(text)
    found = [t for t in tokens if t in NEGATIONS]
    found += [m.group(0).lower() for m in CONTRACTED_NEGATION.finditer(text.replace("’", "'"))]
    return found


ALL_STEMS = frozenset(stem for pair in ANTONYM_STEMS for stem in pair)
STEM_LENGTHS = sorted({len(stem) for stem in ALL_STEMS})


@lru_cache(maxsize=50_000)
def stems_in(text: str) -> dict[str, str]:
    """Each antonym stem found in ``text`` mapped to the first word that starts with it.

    Cached: a scorer sees the same claim in many pairs, and this is the costly part of the cues.
    """
    found: dict[str, str] = {}
    for token in words(text):
        for length in STEM_LENGTHS:
            if length > len(token):
                break
            prefix = token[:length]
            if prefix in ALL_STEMS and prefix not in found:
                found[prefix] = token
    return found


def antonym_pairs(a: str, b: str) -> list[tuple[str, str]]:
    """Words in ``a`` and ``b`` whose stems are listed as opposites (in either order)."""
    sa, sb = stems_in(a), stems_in(b)
    found = []
    for left, right in ANTONYM_STEMS:
        for x, y in ((left, right), (right, left)):
            # "disagree" starts with neither "agree" nor is it an agreement: guard the prefix case.
            if x in sa and y in sb and x not in sb and y not in sa:
                found.append((sa[x], sb[y]))
    return found


def numbers(text: str) -> set[float]:
    values: set[float] = set()
    for token in words(text):
        if token[0].isdigit():
            try:
                value = float(token.replace(",", "").rstrip("."))
            except ValueError:
                continue
            if not (1900 <= value <= 2100 and "." not in token):  # years are dates, not amounts
                values.add(value)
        elif token in NUMBER_WORDS and token not in {"one"}:
            values.add(float(NUMBER_WORDS[token]))
    return values


def dates(text: str) -> set[str]:
    tokens = words(text)
    found = {t for t in tokens if t in MONTHS}
    found |= {t for t in tokens if t.isdigit() and 1900 <= int(t) <= 2100}
    return found


@lru_cache(maxsize=50_000)
def content_words(text: str) -> frozenset[str]:
    return frozenset(t for t in words(text) if t not in STOPWORDS and t not in NEGATIONS and len(t) > 2)


def lexical_overlap(a: str, b: str) -> float:
    """Jaccard overlap of content words, 0..1."""
    wa, wb = content_words(a), content_words(b)
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def find_cues(a: str, b: str) -> list[Cue]:
    """All cues that suggest ``a`` and ``b`` disagree; empty when none is seen."""
    cues: list[Cue] = []
    neg_a, neg_b = negation_words(a), negation_words(b)
    if bool(neg_a) != bool(neg_b):
        cues.append(Cue("negation", neg_a[0] if neg_a else "", neg_b[0] if neg_b else ""))
    cues += [Cue("antonym", x, y) for x, y in antonym_pairs(a, b)]
    na, nb = numbers(a), numbers(b)
    if na and nb and not (na & nb):
        cues.append(Cue("number", _fmt(na), _fmt(nb)))
    da, db = dates(a), dates(b)
    if da and db and not (da & db):
        cues.append(Cue("date", " ".join(sorted(da)), " ".join(sorted(db))))
    sa, sb = set(words(a)), set(words(b))
    wide_a, wide_b = sa & SCOPE_WIDE, sb & SCOPE_WIDE
    narrow_a, narrow_b = sa & SCOPE_NARROW, sb & SCOPE_NARROW
    if wide_b - wide_a and narrow_a - narrow_b:
        cues.append(Cue("scope", sorted(narrow_a - narrow_b)[0], sorted(wide_b - wide_a)[0]))
    elif wide_a - wide_b and narrow_b - narrow_a:
        cues.append(Cue("scope", sorted(wide_a - wide_b)[0], sorted(narrow_b - narrow_a)[0]))
    return cues


def _fmt(values: set[float]) -> str:
    return " ".join(f"{v:g}" for v in sorted(values))


CUE_FEATURE_NAMES = [
    "negation_a", "negation_b", "negation_flip", "antonym", "number_mismatch", "number_shared",
    "date_mismatch", "scope", "overlap", "length_ratio",
    # directional: how much of one claim the other already says (what NLI's "neutral" turns on)
    "b_content_in_a", "a_content_in_b", "b_words_new", "a_words_new",
]


def cue_features(a: str, b: str) -> list[float]:
    """Numeric form of the cues, in the order of ``CUE_FEATURE_NAMES`` (for the fast stage)."""
    neg_a, neg_b = len(negation_words(a)), len(negation_words(b))
    kinds = {c.kind for c in find_cues(a, b)}
    na, nb = numbers(a), numbers(b)
    la, lb = max(len(words(a)), 1), max(len(words(b)), 1)
    return [
        float(min(neg_a, 3)), float(min(neg_b, 3)), float((neg_a > 0) != (neg_b > 0)),
        float("antonym" in kinds), float("number" in kinds), float(bool(na & nb)),
        float("date" in kinds), float("scope" in kinds), lexical_overlap(a, b), min(la, lb) / max(la, lb),
        share_in(content_words(b), content_words(a)), share_in(content_words(a), content_words(b)),
        1.0 - share_in(frozenset(words(b)), frozenset(words(a))),
        1.0 - share_in(frozenset(words(a)), frozenset(words(b))),
    ]


def share_in(these: frozenset[str], others: frozenset[str]) -> float:
    """Share of ``these`` that also occur in ``others`` (0 when ``these`` is empty)."""
    return len(these & others) / len(these) if these else 0.0
