"""What is claimed: the reporting constructions of a parsed article, each turned into an
``ExtractedClaim`` (speaker, cue, claim, offsets, quote, target).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cached_property

from ..actors import ActorRegistry
from .lexicon import (ACCUSATION_NOUNS, ACCUSE_LEMMAS, ALLEGING_CUES, BLAME_LEMMAS, CHARACTERISE_LEMMAS,
                      CIRCUMSTANCE_PREPS, CLAUSE_ONLY, COMMIT_LEMMAS, DASHES, DENIAL_LEMMAS, DOBJ_LEMMAS, EXPRESS_LEMMAS,
                      MIN_CONTENT_WORDS, OBJECT_LEMMAS, OBJECT_PREPS, PERSUADE_LEMMAS, REQUEST_LEMMAS, REQUEST_NOUNS,
                      SAYING_LEMMAS, SPEECH_LEMMAS, TEMPORAL_PREPS, TRAIL, WITHHOLDING_LEMMAS)
from .parse import children, complements, is_cue
from .speakers import ParsedArticle
from .text import content_words, inside, past_tense, refers_back, strip_article

QUOTE_MARKS = {'"', "“", "”", "‘", "’", "'", "«", "»"}
# what may stand between "accused X of" and the gerund: "deliberately shelling", "“losing control …”"
GERUND_OPENING = re.compile(r"(?P<adverbs>(?:[a-z]+ly )*)(?P<quote>[\"“‘]?)")


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




class ClaimFinder:
    def __init__(self, d: ParsedArticle):
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
            if c.dep_ == "conj" and is_cue(c) and (c.lemma_.lower() not in CLAUSE_ONLY or complements(c)):
                out.append(c)
                out.extend(cc for cc in head.children if cc.dep_ == "cc" and cc.i < c.i)
            elif c.dep_ == "mark" and c.i < head.i and c.lower_ in {"that", "whether"}:
                out.append(c)
        for c in head.subtree:
            if c is not head and self.is_further_clause(c):
                # "said A and that B": B is a claim of its own.
                out.append(c)
                out.extend(self._joining(c))
        # Trailing adjunct after a comma: ", with hopes for …", ", leaving …".
        for c in head.children:
            if c.i > head.i and c.dep_ in {"prep", "advcl", "npadvmod"}:
                prev = self.doc[c.left_edge.i - 1] if c.left_edge.i > 0 else None
                if prev is not None and prev.text == "," and not self.d.in_quote(c):
                    out.append(c)
        return out

    def _joining(self, clause) -> list:
        """The ", and" right before a further clause (not a closing quotation mark earlier on)."""
        out, i = [], clause.left_edge.i - 1
        while i > clause.head.i and self.doc[i].dep_ in {"cc", "punct"} and self.doc[i].head.i == clause.head.i \
                and self.doc[i].text not in QUOTE_MARKS:
            out.append(self.doc[i])
            i -= 1
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
        while len(idx) > 1 and self.doc[idx[0]].dep_ in {"mark", "dobj"} and self.doc[idx[0]].lower_ == "that":
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
        q = inside(self.d.regions, a + 1, b - 1) if b - a >= 2 else None
        if q and q[0] == a and q[1] == b - 1:
            a, b = self._trim(a + 1, b - 1)
        return (a, b) if a < b else None

    def _trim(self, a: int, b: int) -> tuple[int, int]:
        text = self.d.masked
        while a < b and text[a] in TRAIL:
            a += 1
        while b > a and text[b - 1] in TRAIL:
            b -= 1
        # A final full stop outside any quotation belongs to the sentence, not the claim.
        while b > a and text[b - 1] == "." and not (b - 2 >= a and text[b - 2].isupper()
                                                    and (b - 3 < a or text[b - 3] == ".")):
            b -= 1
            while b > a and text[b - 1] in TRAIL:
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
            return self._with_stray_subject(verb, ccomp[0], span)
        # "… and mentioned discussing …": a gerund complement.
        xcomp = children(verb, "xcomp")
        if xcomp and lemma not in CLAUSE_ONLY | {"say", "tell"}:
            x = xcomp[0]
            # the one addressed: "urged Putin to …", "called on the council to …"
            addressee = [o for o in verb.children if o.i < x.i and (o.dep_ == "dobj" or (
                o.dep_ in {"prep", "prt"} and o.lower_ in {"on", "upon"}))]
            if (addressee and lemma in PERSUADE_LEMMAS) or x.lemma_.lower() == "comment" or (
                    lemma in WITHHOLDING_LEMMAS and x.lemma_.lower() in SAYING_LEMMAS):
                return None  # a request; "declined to comment", "refused to say whether …" say nothing
            excl = [c for c in x.children if c.dep_ == "aux" and c.lower_ == "to"]
            idx = self._subtree_tokens(x, excl + [c for c in x.children
                                                 if c.dep_ == "conj" and is_cue(c)])
            return self._cut_dash(self._contiguous(idx, x.i))
        dobj = children(verb, "dobj")
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
                return self._phrase_span(obj, self._continuing(verb, obj, [], clauses, stops), trimmed=stops)
            if follow:
                # Further phrases of the verb that continue the span ("… of surrendering
                # control … to Brussels"), up to a temporal/circumstantial one.
                heads = self._continuing(verb, follow[0], preps, clauses, stops)
                return self._phrase_span(obj, heads, trimmed=stops)
        if dobj and lemma in EXPRESS_LEMMAS:
            obj = dobj[0]
            follow = [p for p in preps if p.dep_ == "prep" and p.i == obj.right_edge.i + 1]
            return self._phrase_span(obj, follow[:1])
        if lemma in COMMIT_LEMMAS and lemma not in CLAUSE_ONLY | {"call"}:  # "called for protests": a demand
            to = [p for p in preps if p.dep_ == "prep" and p.lower_ in {"to", "for"}]
            if to:
                pobj = children(to[0], "pobj")
                if pobj:
                    return self._phrase_span(pobj[0], [], trim_temporal=False)
        if dobj and lemma in DOBJ_LEMMAS and not verb.lower_.startswith("tell"):
            return self._phrase_span(dobj[0], [], trim_temporal=False)
        return None

    @staticmethod
    def _with_stray_subject(verb, clause, span: list[int]) -> list[int]:
        """ "warned that turnout, at about 58 percent, was the lowest": the parser may take "that turnout"
        for the cue's object and leave the clause without a subject; the object is the clause's subject."""
        if not span or any(c.dep_ in {"nsubj", "nsubjpass", "expl", "csubj"} for c in clause.children):
            return span
        stray = [o for o in children(verb, "dobj") if o.i < clause.i and o.left_edge.lower_ == "that"]
        if not stray:
            return span
        return list(range(stray[0].left_edge.i + 1, span[-1] + 1))

    @staticmethod
    def _continuing(verb, first, preps, clauses: bool, stops) -> list:
        """``first`` and the verb's phrases (with ``clauses``, its adverbial clauses too) that continue it
        without a gap, up to one that ``stops`` opens."""
        further = preps + ([c for c in children(verb, "advcl") if c.i > verb.i] if clauses else [])
        heads = [first]
        for p in sorted(further, key=lambda t: t.i):
            if p.i > heads[-1].right_edge.i and p.left_edge.i == heads[-1].right_edge.i + 1:
                if p.lower_ in stops or any(m.lower_ in stops for m in children(p, "mark")):
                    break
                heads.append(p)
        return heads

    # speakers ----------------------------------------------------------------------------
    def subject_of(self, verb):
        """The subject; of two (misparses of "The opposition Liberal Union accused …", "Outside court,
        Mr Okafor's sister, Grace Okafor, said …"), the name, else the one with a name beside it, else
        the nearer."""
        subj = children(verb, "nsubj")
        named = [s for s in subj if s.pos_ == "PROPN"]
        beside = [s for s in subj if self.d.named_apposition(s) is not None]
        return (named or beside or subj[::-1] or [self.name_after_quotation(verb)])[0]

    def name_after_quotation(self, verb):
        """'"…," Chief Executive Lena Vashti said.': a name between a quotation and its cue, which the
        parser hung on the quotation's last word; None when the cue has no such name before it."""
        name = self.doc[verb.i - 1] if verb.i > 0 else None
        if name is None or name.pos_ != "PROPN":
            return None
        first = name.i
        while first > 0 and self.doc[first - 1].pos_ == "PROPN":
            first -= 1
        start = self.doc[first].idx
        if any(qb < start and not self.text[qb + 1:start].strip(" \t,") for _, qb in self.d.regions):
            return name
        return None

    def passive_agent(self, verb):
        for c in verb.children:
            if c.dep_ == "agent":
                pobj = children(c, "pobj")
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
            if is_cue(node):
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
        out = sorted(out + self.continued_quotations(out), key=lambda c: c.start)
        return [c for c in out if len(content_words(c.claim)) >= MIN_CONTENT_WORDS]

    def continued_quotations(self, claims: list[ExtractedClaim]) -> list[ExtractedClaim]:
        """ '"A," Lena Vashti said. "B."': a quotation with no cue of its own, after a quoted claim in the
        same paragraph and before any other cue there, goes on with the same speaker's words."""
        out = []
        for qa, qb in self.d.regions:
            if any(c.start <= qb and qa <= c.end for c in claims) or not self.text[qa + 1:qa + 2].isupper():
                continue
            paragraph = self.d.paragraph_of(self._token_at(qa).i)
            before = [c for c in claims if c.end < qa and self.d.paragraph_of(self._token_at(c.start).i) == paragraph]
            if not before or before[-1].quote is None or before[-1].target is not None:
                continue
            last = before[-1]
            if any(last.end < t.idx < qa and t.idx != self.cue_pos.get(id(last)) and is_cue(t) and not self.d.in_quote(t)
                   for t in self.doc):
                continue  # someone else is cued in between
            a, b = self._trim(qa + 1, qb)
            made = self._make(last.actor, last.cue, (a, b), self._token_at(a).sent)
            if made is not None:
                out.append(made)
        return out

    def claims_at(self, tok, sent) -> list[ExtractedClaim]:
        """The claims a reporting cue at ``tok`` introduces: its own, each further "… and that …"
        clause, and the same for every coordinated speaker."""
        if self.d.in_quote(tok):
            return []
        if tok.lower_ == "according":
            claim = self.according(tok, sent)
        elif is_cue(tok):
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
            if node.dep_ == "ccomp" and is_cue(node.head):
                return True
            if node.dep_ in {"acl", "relcl"} and any(complements(a) == [node] for a in node.ancestors if is_cue(a)):
                return True  # the first clause is one the parser hung on a noun ("said in a statement that …")
            if node.head is node:
                return False
            node = node.head
        return False

    def further_clauses(self, verb, claim: ExtractedClaim, sent) -> list[ExtractedClaim]:
        """ "said the shortage was temporary and that supplies would arrive": the second clause."""
        out = []
        for ccomp in complements(verb):
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
        obj = next(iter(children(verb, "dobj")), None)
        if obj is None or lemma not in ACCUSE_LEMMAS | BLAME_LEMMAS | CHARACTERISE_LEMMAS:
            return claim
        # The object without a claim phrase the parser hung on it ("the company [of dumping …]").
        hung = [c for c in obj.children if c.dep_ == "prep" and c.lower_ in {"of", "for", "as"} and c.i > obj.i]
        if not hung and lemma in CHARACTERISE_LEMMAS:  # "dismissed the complaints about the journey as …"
            hung = [c for c in obj.subtree if c.dep_ == "prep" and c.lower_ == "as" and c.i > obj.i]
        last = self.doc[hung[0].i - 1] if hung else obj.right_edge
        subject = self.text[obj.left_edge.idx:last.idx + len(last)]
        if not claim.claim.startswith(subject + " "):
            return claim
        rest = claim.claim[len(subject) + 1:]
        word, _, tail = rest.partition(" ")
        # "of deliberately shelling …", "of “losing control of the game”": adverbs and a quotation mark may come first
        before = GERUND_OPENING.match(tail)
        gerund = self._token_at(claim.start + len(subject) + 1 + len(word) + 1 + before.end())
        if lemma in ACCUSE_LEMMAS and word == "of" and gerund is not None and gerund.tag_ == "VBG":
            rest_of_it = tail[before.end() + len(gerund.text):]
            if before["quote"]:  # "of “losing control of the game” after the defeat": the quoted words are the charge
                rest_of_it = re.split(r"[\"”’]", rest_of_it, maxsplit=1)[0]
            # "of dumping waste and of lying about it" → "dumped waste and lied about it"
            rest_of_it = re.sub(r"\b(and|or) of (\w+ing)\b", lambda m: f"{m[1]} {past_tense(m[2])}", rest_of_it)
            text = f"{subject} {before['adverbs']}{past_tense(gerund.text)}{rest_of_it}"
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
        return self._replaced(claim, claim=text, target=target or strip_article(subject))

    def _names_a_request(self, idx) -> bool:
        """ "rejected an application by Grayfield to exclude …", "called for his resignation": a claim
        that is only a noun phrase naming a request or a procedure is a decision or a demand, no proposition."""
        inside = set(idx)
        heads = [self.doc[i] for i in idx if self.doc[i].head.i not in inside or self.doc[i].head.i == i]
        return len(heads) == 1 and heads[0].pos_ == "NOUN" and heads[0].lemma_.lower() in REQUEST_NOUNS

    @staticmethod
    def _characterised(verb) -> bool:
        """ "dismissed X as Y", "described X as Y": the claim is that X is Y."""
        return verb.lemma_.lower() in CHARACTERISE_LEMMAS and any(
            t.lower_ == "as" and t.dep_ == "prep" for t in verb.subtree if t.i > verb.i)

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
        """A denial of "the accusation", "that account" or "it" stands for an earlier claim by someone else,
        with the cue ``denial``; with nothing earlier to point to, it is no claim."""
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
        accusations = [c for c in earlier if c.cue.lower() in ALLEGING_CUES] if names_an_accusation else []
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
        if inside(self.d.regions, a, b):
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
                    out.append(self._replaced(claim, actor=actor))
        return out

    def cue(self, verb, sent) -> ExtractedClaim | None:
        # Participles used as modifiers ("the proposed ceasefire", "a reported deal") are no cue.
        who_said = verb.dep_ == "relcl" and any(s.lower_ == "who" for s in children(verb, "nsubj"))
        if verb.dep_ in {"amod", "compound", "acl", "relcl", "pcomp", "csubj"} and not who_said:
            return None
        if verb.lemma_.lower() in CLAUSE_ONLY and not complements(verb):
            return None
        if verb.lemma_.lower() in REQUEST_LEMMAS:
            return None  # "Asked whether …", "asked residents to leave": a question or a request, no claim
        if verb.dep_ == "xcomp" and verb.head.lemma_.lower() in WITHHOLDING_LEMMAS:
            return None  # "declined to say whether …": what was not said
        subj = self.subject_of(verb)
        agent = self.passive_agent(verb)
        if children(verb, "auxpass") or children(verb, "nsubjpass"):
            if agent is None:
                return None  # "an agreement was reached" / "was agreed upon": no speaker
            actor = self.d.speaker(agent)
            if children(verb, "ccomp"):
                idx = self._clause_span(children(verb, "ccomp")[0])
            else:
                sp = [s for s in children(verb, "nsubjpass") if s.lower_ not in {"it", "this"}]
                if not sp or verb.lemma_.lower() not in DOBJ_LEMMAS | SPEECH_LEMMAS:
                    return None
                idx = self._phrase_span(sp[0], [], trim_temporal=False)
        else:
            quoted = self.quotation_beside(verb, subj) if verb.lemma_.lower() in SPEECH_LEMMAS else None
            if quoted is not None and subj is not None and (not children(verb, "ccomp") or subj.dep_ != "nsubj"):
                # '"Ask me after the race," she says, grinning, and jogs back …': the quotation is what she says;
                # so too where the parser took the quotation for a clause with the name inside it.
                return self._make(self.d.speaker(subj), verb.text, quoted, sent, verb)
            if subj is not None and verb.dep_ == "parataxis" and not children(verb, "ccomp"):
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
        if self._names_a_request(idx) and not self._characterised(verb):
            return None  # "rejected the appeal"; but "dismissed the complaints as excuses" says what they are
        span = self._char_span(idx, sent)
        if span is None:
            return None
        # Quoted speech introduced or closed by the cue: take the whole quotation, even across
        # sentences ("“A. B,” she said.").
        q = inside(self.d.regions, span[0], span[1])
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
        pobj = children(nxt, "pobj") or children(tok, "pobj")
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
    d = ParsedArticle(text, registry)
    return ClaimFinder(d).run()
