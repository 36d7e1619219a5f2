"""Text helpers for claims: quotation marks, normalisation, content words, the past tense of an
accusation's verb, and the shape of a person's name.
"""
from __future__ import annotations

import re

from .lexicon import CLOSE_QUOTES, OPEN_QUOTES, POINTING_WORDS, REFERRING_NOUNS, REFERRING_WORDS, STRAIGHT


# -- quotations --------------------------------------------------------------------------------
def quote_regions(text: str) -> list[tuple[int, int]]:
    """(open, close) character offsets of the quotation marks of each quotation in ``text``.

    Curly/guillemet marks pair explicitly; straight double quotes pair alternately within a
    paragraph. The inner text is ``text[open + 1:close]``.
    """
    regions: list[tuple[int, int]] = []
    pos = 0
    for para in re.split(r"(\n\s*\n)", text):
        stack: list[tuple[int, str]] = []
        straight_open: int | None = None
        single_open: int | None = None
        for i, ch in enumerate(para):
            j = pos + i
            prev = para[i - 1] if i else " "
            nxt = para[i + 1] if i + 1 < len(para) else " "
            if ch in "‘'" and (prev.isspace() or prev in "([—–\"“:") and not nxt.isspace():
                single_open = j  # opening single quote (never an apostrophe: nothing before it)
            elif ch in "’'" and single_open is not None and not prev.isspace() and (
                    nxt.isspace() or (not nxt.isalnum() and nxt not in "’'")):
                regions.append((single_open, j))
                single_open = None
            elif ch in OPEN_QUOTES:
                stack.append((j, OPEN_QUOTES[ch]))
            elif ch in CLOSE_QUOTES:
                while stack and stack[-1][1] != ch:
                    stack.pop()
                if stack:
                    regions.append((stack.pop()[0], j))
            elif ch == STRAIGHT:
                if straight_open is None:
                    straight_open = j
                else:
                    regions.append((straight_open, j))
                    straight_open = None
        pos += len(para)
    return sorted(regions)


def inside(regions, a: int, b: int) -> tuple[int, int] | None:
    """The quotation whose inner text contains [a, b), if any."""
    for qa, qb in regions:
        if qa < a and b <= qb + 1 and a <= qb:
            return qa, qb
    return None


# -- normalisation and evaluation ----------------------------------------------------------------
_QUOTE_CHARS = re.compile(r"[\"“”„«»]")
_SINGLE_QUOTE = re.compile(r"(?:(?<=^)|(?<=[\s(\[]))'|'(?=[\s.,;:!?)\]]|$)")


def normalise_claim(text: str) -> str:
    """Comparison form of a claim: curly apostrophes made straight, double quotation marks
    removed, whitespace collapsed, outer spaces and trailing ``.,;:`` removed, case kept."""
    text = text.replace("’", "'").replace("‘", "'")
    text = _QUOTE_CHARS.sub("", text)
    text = _SINGLE_QUOTE.sub("", text)  # single quotation marks, not apostrophes
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(".,;: ").strip()


NEGATIONS = {"not", "no", "never", "nothing", "none", "nobody", "neither", "nor", "n't"}


def content_words(text: str) -> list[str]:
    """The words of a claim that carry content: neither stop words ("the", "was", "it") nor punctuation;
    numbers count, and so do negations ("Our pipeline has never been stronger" says something)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = re.findall(r"[\w'’-]+", text.lower().replace("’", "'"))
    return [w for w in words if (w not in STOP_WORDS or w in NEGATIONS) and (w.isdigit() or any(ch.isalpha() for ch in w))]


def refers_back(claim: str) -> bool:
    """ "that", "it", "the accusation", "that account", "the opposition's claims": a phrase that only
    points to a claim made before."""
    words = re.findall(r"[\w'’]+", claim.lower().replace("’", "'"))
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    return bool(words) and len(words) <= 5 and all(w in REFERRING_WORDS | REFERRING_NOUNS for w in words) \
        and words[-1] in REFERRING_NOUNS | POINTING_WORDS


def strip_article(phrase: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.IGNORECASE)


def past_tense(gerund: str) -> str:
    """Simple past of a verb's -ing form ("rejecting" → "rejected", "hiding" → "hid", "lying" → "lied"),
    from lemminflect's own lemma (spaCy's small model reads "staging" as "stag")."""
    from lemminflect import getInflection, getLemma

    word = gerund.lower()
    lemma = next(iter(getLemma(word, upos="VERB")), word[:-3])
    forms = getInflection(lemma, tag="VBD")
    # Where a verb has two pasts, the regular one is the accusation's sense ("lied", not "lay").
    past = next((f for f in forms if f.endswith("ed")), forms[0]) if forms else lemma + "ed"
    as_written = word[:-3] + "ed" if word.endswith("ing") else past
    undoubled = re.compile(r"(.)\1")
    # Keep the writer's spelling: "fuelling" → "fuelled", where lemminflect spells "fueled".
    return as_written if undoubled.sub(r"\1", as_written) == undoubled.sub(r"\1", past) else past
