"""Who speaks: a parsed article with its quotations and the actors its mentions name (registry names,
aliases and roles, names learned from the text, short forms, "the ministry", "it", "he"/"she").
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from functools import cached_property

from ..actors import ORG_WORDS, TITLE_WORDS, ActorRegistry, fold, is_org_name, person_shaped, strip_titles
from .lexicon import (COMPANY_NOUNS, NAME_ENTITIES, NOT_ACTOR_ENTITIES, NOT_COMPANY_WORDS,
                      ORGANISATION_DESCRIPTORS, ORGANISATION_ROLES, ORG_ENTITIES, PERSON_PRONOUNS,
                      PRONOUN_GENDER, PROXY_NOUNS, PUBLIC_BODY_WORDS, REGULATOR_NOUNS, REPRESENTATIVE_NOUNS,
                      SOURCE_NOUNS, SPOKESPEOPLE, UNION_WORDS, UNNAMED_GROUPS)
from .nlp import get_nlp, without_datelines
from .parse import children, is_cue
from .text import inside, quote_regions


NAME_JOINERS = {"and", "&", "of", "'", "’", "-"}  # lower-case words inside an organisation's name


class ParsedArticle:
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
        self.genders: dict[str, str] = {}  # actor -> "she" / "he", as the article's pronouns have told
        self._collect_mentions()

    # quotations ---------------------------------------------------------------------------
    def in_quote(self, tok) -> bool:
        return inside(self.regions, tok.idx, tok.idx + len(tok)) is not None

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
        if tok.pos_ == "PROPN":
            return None  # a name of its own: "the Interior Ministry", "the Ministry of Defence"
        if tok.lower_ in PROXY_NOUNS:
            for compound in children(tok, "compound"):
                if compound.pos_ == "PROPN" or compound.lower_ in COMPANY_NOUNS | PUBLIC_BODY_WORDS:
                    return compound
        if tok.lower_ in PROXY_NOUNS | SPOKESPEOPLE | SOURCE_NOUNS:
            preps = children(tok, "prep") + [a for acl in children(tok, "acl") for a in children(acl, "agent")]
            for prep in preps:
                if prep.lower_ in {"for", "of", "at", "from", "by"} and children(prep, "pobj"):
                    return children(prep, "pobj")[0]
        if tok.lower_ in REPRESENTATIVE_NOUNS:  # "Lawyers for the Home Office argued …": the client
            for prep in children(tok, "prep"):
                if prep.lower_ == "for" and children(prep, "pobj"):
                    return children(prep, "pobj")[0]
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
                and not self._names_a_group(tok):
            actor = self._learn_name(tok, learn)
        if actor is None and tok.pos_ == "NOUN" and (self._is_definite(tok) or tok.dep_ == "compound"):
            actor = self.organisation_named(tok)
        return actor

    def _names_a_group(self, tok) -> bool:
        """ "Staff said …", "Residents say …": a group of people, capitalised, no name."""
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
        if fold(tok.text) in ORG_WORDS:  # "the Rail and Maritime Workers' Federation", "the Harrowby and District Chamber"
            for c in tok.children:
                if c.i < start and c.dep_ in {"nmod", "compound", "poss"} and c.pos_ == "PROPN" and all(
                        w.text[:1].isupper() or w.text in NAME_JOINERS for w in self.doc[c.left_edge.i:start]):
                    start = c.left_edge.i
        of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of" and c.i == end), None)
        pobj = children(of, "pobj") if of is not None else []
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
        written = [w for w in self.name_of(tok).split() if fold(w) != "the"]
        words = [fold(w) for w in written]
        if not words or words[0] in UNNAMED_GROUPS:  # "Shoppers said" is not "Shoppers' Watch"
            return None
        for _, actor in sorted(o for o in self.organisations if o[0] < tok.i)[::-1]:
            if len(written) == 1 and written[0].isupper() and f"{actor} ({written[0]})" in self.text:
                return actor  # "the General Labour Federation (FGTL)": an acronym given in brackets
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
        """The organisation "the ministry", "the court", "the company", "the regulator" or "the union" refers
        to: the latest one mentioned before whose name has that word (for "the company" any company named
        as an actor, for "the regulator" a public body, for "the union" a federation or the like)."""
        word = tok.lower_
        for _, actor in sorted(o for o in self.organisations if o[0] < tok.i)[::-1]:
            words = [fold(w) for w in actor.split(" ")]
            if word in words or (word in COMPANY_NOUNS and actor in self.tagged_organisations
                                 and not NOT_COMPANY_WORDS & set(words)):
                return actor
            if word in REGULATOR_NOUNS and PUBLIC_BODY_WORDS & set(words):
                return actor
            if word == "union" and UNION_WORDS & set(words):
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
            if actor and (self.may_be_person(actor) or tok.lower_ in SPOKESPEOPLE):
                subject = tok.dep_ in {"nsubj", "nsubjpass"} or (
                    tok.dep_ == "appos" and tok.head.dep_ in {"nsubj", "nsubjpass"})
                self.mentions.append((tok.i, actor, subject))

    def antecedent(self, tok) -> str | None:
        """The person a "he"/"she" refers to, among those not known by the other pronoun:
        1. the last one named as the subject of a reporting verb in its paragraph, else as any subject there,
           else the one person named there at all (the parser may hang a name on the wrong word);
        2. in a paragraph that names none yet (an opening quotation: '"…," she said.'), the last person who
           spoke in the paragraph before;
        3. else the person the article is most about so far (most subject mentions, the latest on a tie);
        4. else the most recent person named."""
        gender = PRONOUN_GENDER.get(tok.lower_)
        before = [m for m in self.mentions if m[0] < tok.i and self.genders.get(m[1], gender) == gender]
        subj = [m for m in before if m[2]]
        paragraph = self.paragraph_of(tok.i)
        here = [m for m in subj if self.paragraph_of(m[0]) == paragraph]
        # Who spoke last in the paragraph, before someone named inside what they said: "Justice Okonjo
        # said Roche had driven … "…," she told him."
        speakers = [m for m in here if self.is_speaking(m[0])]
        if speakers or here:
            return (speakers or here)[-1][1]
        named_here = {m[1] for m in before if self.paragraph_of(m[0]) == paragraph and self.may_be_person(m[1])}
        if len(named_here) == 1:
            return named_here.pop()
        people = [m for m in subj if self.may_be_person(m[1])]
        spoke_before = [m for m in people if self.paragraph_of(m[0]) == paragraph - 1 and self.is_speaking(m[0])]
        if spoke_before:
            return spoke_before[-1][1]
        if people:
            counts = Counter(m[1] for m in people)
            return max(reversed(people), key=lambda m: counts[m[1]])[1]
        if before:
            return before[-1][1]
        return None

    def may_be_person(self, actor: str) -> bool:
        """A person, or a name shaped like one that the small tagger called an organisation ("Ines Varga")."""
        return self.registry.is_person(actor) or person_shaped(actor)

    def is_speaking(self, i: int) -> bool:
        tok = self.doc[i]
        head = tok.head if tok.dep_ != "appos" else tok.head.head
        return is_cue(head) and not self.in_quote(head)

    def paragraph_of(self, i: int) -> int:
        return bisect.bisect_right(self.paragraph_starts, self.doc[i].idx)

    def speaker(self, tok) -> str | None:
        """Actor for a subject/agent token, pronouns resolved."""
        if tok.lower_ in PERSON_PRONOUNS:
            actor = self.antecedent(tok)
            if actor:
                # The resolved pronoun is itself a subject mention for later pronouns, and says who is "she".
                self.mentions.append((tok.i, actor, True))
                self.mentions.sort(key=lambda m: m[0])
                self.genders.setdefault(actor, PRONOUN_GENDER[tok.lower_])
            return actor
        if tok.lower_ == "it":
            return self.organisation_before(tok, acting=True)
        if tok.lower_ in {"who", "that"} and tok.head.dep_ == "relcl":
            # "… said Brian Ochieng, 24, a taxi driver who said he saw …": the one the clause is about
            described = tok.head.head
            if described.dep_ == "appos" and described.head.pos_ == "PROPN":
                described = described.head
            return self.speaker(described) if described is not tok else None
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
