"""Claim extraction with speaker attribution from news text (spaCy dependency parses).

``extract_claims(text, registry)`` finds reporting constructions and returns one
``ExtractedClaim`` per attributed claim: who (a canonical actor), the reporting cue as written,
the claim with the character offsets of the words it was read from (``text[start:end] == claim``,
except where an accusation, blame or characterisation is stored as what it asserts, with a
``target``, or a denial that points back stands for the claim it denies), and the direct quotation
it contains, if any.

The package, in reading order: ``nlp`` (the spaCy pipeline and our sentence rule), ``lexicon`` (the
words each construction is read from), ``text`` (quotation marks, content words, past tenses),
``parse`` (tree helpers), ``speakers`` (a parsed article and the actors its mentions name),
``claims`` (the constructions, turned into claims), ``gold`` (scoring against gold lines) and
``sources`` (web pages and languages).

Constructions handled (examples from the fixtures):

* speech verb + clause: "Putin stipulated that …", "He claimed an “immediate Ceasefire …” was
  agreed upon" (no "that"), "…, Zelensky said.", "“…,” said Zelensky", "… told reporters that …",
  "…, adding that …" (speaker inherited from the governing verb);
* commitments: "Putin agreed to halt attacks …" (claim: the infinitive phrase), "Kyiv had agreed
  to a proposed … ceasefire" (claim: the object of "to"), "threatened to …", "promised to …";
* object constructions: "accused Putin of rejecting …", "dismissed the agreement as a gimmick",
  "called Powell “a numbskull”", "expressed openness to …", "mentioned discussing …";
* "according to X, …" / "…, according to X";
* passives with an agent: "It was reported by Bloomberg that …", "A pledge … was announced by Rutte".

The speaker is the subject (or passive agent) of the cue; coordinated subjects ("Trump and Putin
agreed to …") each get the claim, and "Zelensky's office" / "the Kremlin's spokesman" count as
their possessor. It is resolved with the
``ActorRegistry`` (titles, aliases, and roles such as "the Russian leader" in a story that names
their actor); "he"/"she" go to the paragraph's last speaker, else the person the article is most
about. A proper-noun speaker that the registry does not know is kept under its whole name (an
organisation's every word, a person's without titles) and learned for later short forms; a speaker
that names no actor ("critics", "both leaders", "officials") yields nothing, and so do narrator
sentences without a reporting construction. Cues inside a quotation are ignored, and
so is a cue inside another speaker's claim ("Trump said Putin agreed to …" is Trump's claim).
A negated cue ("did not agree to …") sets ``negated``; the polarity of commitments is otherwise
carried by the cue itself ("agreed" vs "refused"), so consumers should read cue and claim together.

Claim spans are trimmed so that they carry the claim and not the narrator's framing: the
complementiser "that" and infinitival "to" are left out, a second coordinated reporting verb
("… and mentioned …") is cut off, as is a dash-introduced aside ("… – conditions that …"), a
trailing comma-separated adjunct ("…, with hopes for …") and, in object constructions, a
trailing temporal/circumstantial phrase ("… following a series of attacks"). Spans are widened
to keep quotation marks balanced; a claim that is entirely a quotation is returned without its
quotation marks (and without the comma before the closing mark).

``article_text_from_html`` (trafilatura) and ``detect_language`` (py3langid) support ingesting
raw web pages and rejecting non-English text. ``normalise_claim``, ``evaluate_attribution`` and
``evaluate_article`` score an extraction against gold lines {"doc", "actor", "cue", "claim"}:
the same actor, and claims that overlap (token F1 ≥ ``CLAIM_OVERLAP``).
"""
from __future__ import annotations

from .claims import ExtractedClaim, extract_claims
from .gold import CLAIM_OVERLAP, claim_overlap, evaluate_article, evaluate_attribution, load_gold
from .lexicon import MIN_CONTENT_WORDS
from .nlp import SPACY_MODEL, get_nlp
from .sources import article_text_from_html, detect_language
from .text import content_words, normalise_claim, past_tense, quote_regions

__all__ = [
    "CLAIM_OVERLAP", "MIN_CONTENT_WORDS", "SPACY_MODEL", "ExtractedClaim", "article_text_from_html", "claim_overlap",
    "content_words", "detect_language", "evaluate_article", "evaluate_attribution", "extract_claims", "get_nlp",
    "load_gold", "normalise_claim", "past_tense", "quote_regions",
]
