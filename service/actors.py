"""Actors: canonical names with aliases and roles, resolved from the way news text names them.

An actor is a person or an organisation ("Vladimir Putin", "Ukraine", "Federal Reserve"). Text
names it in many ways: a full name with a title ("Russian President Vladimir Putin"), a surname
("Putin", "Mr Putin"), an alias ("Kyiv" for Ukraine) or a role ("the Russian leader", "the
Kremlin"). ``ActorRegistry.resolve`` maps any of these to the canonical name.

The registry is plain in-memory data: ``to_dict`` / ``from_dict`` give the JSON shape that is
kept in ``fixtures/actors.json`` and that the store persists; no storage code lives here.

JSON shape::

    {"Vladimir Putin": {"aliases": ["Putin", ...], "roles": ["the Kremlin", ...], "kind": "person"},
     "Ukraine": {"aliases": ["Kyiv"], "kind": "country"}}

``kind`` is optional ("person", "org", "country", ...); the extractor uses it to decide which
actors "he" / "she" can refer to.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

# Words that precede a name as a title or description and are dropped when cleaning a mention:
# "U.S. President Donald Trump", "Fed Chair Jerome Powell", "Home Secretary Yvette Cooper".
TITLE_WORDS = {
    "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
    "president", "vice", "prime", "minister", "chancellor", "secretary", "general", "chair",
    "chairman", "chairwoman", "chairperson", "governor", "gov", "senator", "sen", "representative",
    "rep", "congressman", "congresswoman", "speaker", "leader", "king", "queen", "prince",
    "princess", "premier", "mayor", "ambassador", "envoy", "spokesman", "spokeswoman",
    "spokesperson", "commissioner", "director", "chief", "executive", "ceo", "deputy", "foreign",
    "defence", "defense", "home", "finance", "treasury", "interior", "state", "first", "former",
    "acting", "opposition", "of", "the", "fed", "nato", "eu", "un", "u.s.", "us", "u.k.", "uk",
    "conservative", "labour", "democratic", "republican", "general-secretary", "pope", "judge",
    "justice", "attorney", "colonel", "col", "gen", "admiral", "commander", "officer", "head",
    "councillor", "councilor", "councilman", "councilwoman", "alderman", "barrister", "solicitor",
    "detective", "inspector", "superintendent", "sergeant", "constable", "lieutenant", "captain", "major",
    "bishop", "archbishop", "cardinal", "rabbi", "imam", "reverend", "rev", "sheriff", "marshal",
    "magistrate", "coroner", "dean", "provost", "vice-chancellor", "principal", "assemblyman",
    "assemblywoman", "mp", "mep", "lawmaker", "deputy", "assistant", "associate", "senior", "lead",
    "coach", "manager", "captain", "economist", "analyst", "prosecutor", "lawyer", "counsel",
    "headteacher", "headmaster", "headmistress", "teacher", "nurse", "sister", "father", "brother",
    # portfolios, as in "Health Minister Ana Duarte"
    "health", "education", "environment", "energy", "trade", "economy", "transport", "culture",
    "labor", "agriculture", "industry", "commerce", "housing", "climate", "digital", "science",
    "sports", "sport", "police", "fire", "emergency", "security", "justice", "economic", "crown",
}
# Nationality / place adjectives commonly used in titles ("Ukrainian President ...").
NATIONALITY_WORDS = {
    "american", "russian", "ukrainian", "british", "french", "german", "spanish", "italian",
    "chinese", "japanese", "indian", "israeli", "palestinian", "iranian", "turkish", "polish",
    "dutch", "belgian", "canadian", "mexican", "brazilian", "saudi", "european", "finnish",
    "swedish", "norwegian", "danish", "hungarian", "greek", "korean", "north", "south",
    "australian", "irish", "scottish", "welsh", "egyptian", "syrian", "qatari", "emirati",
}
_PREFIX_WORDS = TITLE_WORDS | NATIONALITY_WORDS
# Words that mark a multi-word name as an organisation or place, not a person (used when an
# actor has no "kind"): "Home Office", "Federal Reserve", "European Commission".
ORG_WORDS = {
    "office", "reserve", "bank", "ministry", "department", "council", "union", "nations", "chamber",
    "organization", "organisation", "commission", "house", "party", "government", "agency",
    "service", "news", "times", "post", "press", "group", "company", "corporation", "inc",
    "ltd", "association", "institute", "university", "court", "parliament", "congress", "senate",
    "assembly", "committee", "board", "authority", "forces", "army", "navy", "police", "command",
    "kingdom", "republic", "states", "federation", "emirates", "arabia", "palace", "street",
    "fund", "foundation", "network", "agency", "bureau", "alliance", "coalition", "front",
    "movement", "league", "guard", "times", "journal", "reuters", "tass", "bloomberg",
    "staff", "tribunal", "cabinet", "secretariat", "directorate", "inspectorate", "mission",
    "club", "commissariat", "prosecution", "regulator", "watchdog", "airlines",
    # company names ("Halvorsen Therapeutics", "SkyLark Airways", "Norvik Energy")
    "airways", "therapeutics", "pharmaceuticals", "pharma", "holdings", "industries", "energy", "motors",
    "systems", "technologies", "labs", "laboratories", "foods", "capital", "partners", "solutions",
    "logistics", "media", "telecom", "mining", "resources", "petroleum", "electric", "insurance",
    "shipping", "railways", "construction", "properties", "brewery", "bancorp", "plc", "llc", "gmbh", "corp",
}
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip accents, normalise quotes/whitespace: the key used for matching."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'")
    text = _SPACE.sub(" ", text).strip().lower()
    return text


def _strip_mention(mention: str) -> str:
    """Surface clean-up: whitespace, surrounding punctuation, possessive 's, leading 'the'."""
    text = _SPACE.sub(" ", mention).strip().strip(",.;:\"“”'‘’()[]")
    text = _POSSESSIVE.sub("", text).strip()
    return text


def _drop_leading_the(text: str) -> str:
    return text[4:] if text.lower().startswith("the ") else text


# Letters after a person's name: "Sarah Quinn KC", "Tom Reyes MP".
POST_NOMINALS = {"kc", "qc", "mp", "mep", "msp", "phd", "jr", "sr", "obe", "cbe", "mbe", "frs", "esq", "ii", "iii"}


def _without_post_nominals(name: str) -> str:
    words = name.split(" ")
    while len(words) > 1 and fold(words[-1]).strip(".,") in POST_NOMINALS:
        words = words[:-1]
    return " ".join(words)


def person_shaped(name: str, most_words: int = 3) -> bool:
    """Two to ``most_words`` capitalised words, none an organisation's ("Ines Varga"): the shape of a
    person's name."""
    words = name.split()
    return 2 <= len(words) <= most_words and all(w[:1].isupper() for w in words) and not any(
        fold(w) in ORG_WORDS for w in words)


def is_org_name(name: str) -> bool:
    """A name that ends in an organisation's word ("General Staff", "European Commission", "Defence
    Ministry", "White House"), or names one before "of"/"for" ("Department of Finance", "Court of Appeal")."""
    words = [fold(w) for w in _strip_mention(name).split(" ")]
    return len(words) > 1 and (words[-1] in ORG_WORDS or any(
        w in ORG_WORDS and following in {"of", "for"} for w, following in zip(words, words[1:])))


def strip_titles(name: str) -> str:
    """Drop leading titles and nationality words from a person's name: "Ukrainian President Volodymyr
    Zelensky" → "Volodymyr Zelensky". An organisation's name keeps its words ("the General Staff" →
    "General Staff"), and a name made only of such words is returned unchanged."""
    text = _strip_mention(name)
    if is_org_name(text):
        return _drop_leading_the(text)
    words = _without_post_nominals(text).split(" ")
    i = 0
    while i < len(words) - 1 and fold(words[i]).rstrip(".") in _PREFIX_WORDS | {
        w.rstrip(".") for w in _PREFIX_WORDS
    }:
        i += 1
    return " ".join(words[i:])


@dataclass
class Actor:
    name: str
    aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    kind: str | None = None

    def to_dict(self) -> dict:
        d: dict = {"aliases": list(self.aliases), "roles": list(self.roles)}
        if self.kind:
            d["kind"] = self.kind
        return d


class ActorRegistry:
    """Canonical actors with aliases and roles; resolves mentions case- and accent-insensitively."""

    def __init__(self) -> None:
        self._actors: dict[str, Actor] = {}
        self._keys: dict[str, str] = {}      # folded alias / role / name -> canonical name
        self._role_keys: set[str] = set()    # the keys that are only roles ("the central bank")
        self._surnames: dict[str, set[str]] = {}  # folded last word of a person's name -> names
        # folded middle word of a three-word person's name -> names: the first of two surnames, by which
        # Spanish and Portuguese usage names a person later ("Marisol Vargas Ulate" ... "Vargas")
        self._first_surnames: dict[str, set[str]] = {}

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict) -> "ActorRegistry":
        reg = cls()
        for name, spec in (data or {}).items():
            spec = spec or {}
            reg.add(name, spec.get("aliases", ()), spec.get("roles", ()), kind=spec.get("kind"))
        return reg

    @classmethod
    def from_file(cls, path: str | Path) -> "ActorRegistry":
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def to_dict(self) -> dict:
        return {name: actor.to_dict() for name, actor in self._actors.items()}

    def copy(self) -> "ActorRegistry":
        return ActorRegistry.from_dict(self.to_dict())

    def add(self, name: str, aliases=(), roles=(), kind: str | None = None) -> Actor:
        """Add an actor, or merge aliases/roles into an existing one. Returns the actor."""
        name = _SPACE.sub(" ", name).strip()
        if not name:
            raise ValueError("actor name must not be empty")
        actor = self._actors.get(name)
        if actor is None:
            actor = self._actors[name] = Actor(name)
            self._index(name, name)
        if kind and not actor.kind:
            actor.kind = kind
        for alias in aliases:
            alias = _SPACE.sub(" ", alias).strip()
            if alias and alias not in actor.aliases:
                actor.aliases.append(alias)
                self._index(alias, name)
        for role in roles:
            role = _SPACE.sub(" ", role).strip()
            if role and role not in actor.roles:
                actor.roles.append(role)
                if self._index(role, name):
                    self._role_keys.add(self._key(role))
        if self.is_person(name):
            words = fold(name).split(" ")
            if len(words) > 1:
                self._surnames.setdefault(words[-1], set()).add(name)
            if len(words) == 3:
                self._first_surnames.setdefault(words[1], set()).add(name)
        return actor

    @staticmethod
    def _key(text: str) -> str:
        return fold(_drop_leading_the(text))

    def _index(self, key: str, name: str) -> bool:
        """Register a key; False when it already names someone (first registration wins: an alias never
        silently moves to another actor)."""
        k = self._key(key)
        if k in self._keys:
            return False
        self._keys[k] = name
        return True

    def is_role(self, mention: str) -> bool:
        """The mention is one of an actor's roles ("the Kremlin", "the central bank"), not a name or alias."""
        return self._key(_strip_mention(mention)) in self._role_keys

    def named_in(self, folded_words: set[str]) -> set[str]:
        """The actors whose name or an alias (not a role) is among ``folded_words``, the folded words and
        word sequences of a text."""
        return {name for key, name in self._keys.items() if key in folded_words and key not in self._role_keys}

    # -- queries ------------------------------------------------------------------------------
    def __contains__(self, name: str) -> bool:
        return name in self._actors

    def __len__(self) -> int:
        return len(self._actors)

    def __iter__(self):
        return iter(self._actors.values())

    def get(self, name: str) -> Actor | None:
        return self._actors.get(name)

    def names(self) -> list[str]:
        return list(self._actors)

    def is_person(self, name: str) -> bool:
        """True for actors of kind "person"; without a kind, a multi-word name whose words are all
        capitalised and that has no org-like word is taken as a person's name."""
        actor = self._actors.get(name)
        if actor is not None and actor.kind:
            return actor.kind == "person"
        return person_shaped(name, most_words=4)

    def resolve(self, mention: str) -> str | None:
        """Canonical name for a mention, or None when it names no known actor.

        Tries, in order: the mention as an alias/role/name; the mention with leading titles
        removed word by word ("Fed Chair Jerome Powell" → "Jerome Powell"); the surname of a
        known person ("Mr Zelensky" → "Volodymyr Zelensky" when unambiguous).
        """
        text = _without_post_nominals(_strip_mention(mention))
        if not text:
            return None
        words = _drop_leading_the(text).split(" ")
        # Full mention, then ever shorter suffixes (dropping leading titles/descriptions); an
        # organisation's name only whole ("Department of Finance" is not "Finance").
        for i in range(1 if is_org_name(text) else len(words)):
            dropped = words[:i]
            if dropped and fold(dropped[-1]).rstrip(".") not in _PREFIX_WORDS and not (
                dropped[-1][:1].isupper() and len(words) - i > 1
            ):
                # a lower-case non-title word, or a capitalised one before a single last word ("Fair
                # Travel Alliance" is not "the alliance"): stop, not a title sequence
                break
            hit = self._keys.get(fold(" ".join(words[i:])))
            if hit:
                return hit
        last = fold(words[-1])
        head = strip_titles(text)
        cands = self._surnames.get(last, set())
        if len(cands) == 1:
            # A surname alone, or a first-name + surname we don't contradict.
            if len(head.split(" ")) == 1 or fold(head) == fold(next(iter(cands))):
                return next(iter(cands))
        elif not cands and len(head.split(" ")) == 1 and len(self._first_surnames.get(last, ())) == 1:
            return next(iter(self._first_surnames[last]))  # "Vargas" for "Marisol Vargas Ulate"
        return None

    def canonical(self, name: str) -> str:
        """``resolve(name)``, or the name cleaned of titles when it is not known."""
        return self.resolve(name) or strip_titles(name)
