"""Surface cues that explain why two claims may conflict.

A cue is a small, readable piece of evidence: a polarity flip ("agreed" / "did not agree"),
an antonymous predicate pair ("agreed" / "rejected"), a number or date that differs, a scope
word that narrows or widens the claim ("full" ceasefire / "energy" ceasefire). Cues are shown
to users beside every aligned pair (the words are highlighted in the page), and their numeric
form, ``cue_features``, feeds the trained fast classifier.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
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
    ("shut", "running"), ("shut", "operat"), ("clos", "operat"), ("halt", "resum"), ("collaps", "success"),
    ("collaps", "agree"), ("fail", "pass"), ("increas", "fell"), ("rise", "declin"), ("grow", "shrink"),
    ("gain", "loss"), ("profit", "loss"), ("approv", "block"), ("pass", "reject"), ("convict", "acquit"),
    ("guilty", "acquit"), ("upheld", "overturn"), ("uphold", "overturn"), ("upheld", "struck"), ("uphold", "struck"),
    ("upheld", "annul"), ("uphold", "annul"), ("upheld", "quash"), ("uphold", "quash"), ("lawful", "unlawful"), ("safe", "unsafe"),
    ("ahead", "delay"), ("lead", "trail"), ("surplus", "deficit"), ("broke", "still"), ("end", "continu"),
    ("shut", "open"),
    # keeping a rule or breaking it, and the direction of a change (words newsrooms meet daily)
    ("compli", "violat"), ("compli", "breach"), ("comply", "violat"), ("comply", "breach"), ("consistent", "breach"),
    ("consistent", "violat"), ("grew", "fell"), ("grew", "drop"), ("rose", "drop"), ("rise", "drop"),
    ("increas", "drop"), ("climb", "fell"), ("shrank", "grew"), ("improv", "wors"), ("improv", "deteriorat"),
    ("better", "wors"), ("scrap", "keep"), ("scrap", "kept"), ("rais", "lower"), ("fair", "unfair"),
    ("temporar", "permanent"), ("exceed", "below"), ("above", "below"), ("confirm", "overturn"), ("upheld", "reject"),
    ("uphold", "reject"), ("support", "against"),
    # a thing kept or dropped (a sailing, a route, a rule), a complaint or appeal upheld or dismissed
    ("keep", "drop"), ("kept", "drop"), ("retain", "drop"), ("upheld", "dismissed"), ("uphold", "dismissed"),
    ("upheld", "dismisses"),
    # a licence, permit or authorisation still in force or run out
    ("valid", "expir"), ("valid", "invalid"), ("valid", "lapsed"),
]
# phrasal verbs: (first word, second word) -> the stem of the one word they mean
PHRASAL_STEMS = {**{(turn, "down"): "reject" for turn in ("turn", "turns", "turned", "turning")},
                 **{(go, "up"): "rose" for go in ("go", "goes", "went", "gone", "going")},
                 **{(go, "down"): "fell" for go in ("go", "goes", "went", "gone", "going")}}
# stems that are whole words: "valid" is not "validity", "validated" or "validating"
WHOLE_WORD_STEMS = frozenset({"valid"})
# "valid until 2027" names the day a licence expires, neither side of valid / expired: it agrees with "expires in
# 2027" and with "remains valid"
DATED_STATES = frozenset({("valid", until) for until in ("until", "till", "through", "to")})

SCOPE_WIDE = {"full", "complete", "comprehensive", "total", "all", "entire", "general", "whole"}
SCOPE_NARROW = {"partial", "limited", "some", "only", "specific", "specifically", "energy", "targeted"}

MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
}
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
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

    kind: str  # "negation", "denial", "antonym", "positions", "persistence", "number", "date", "scope"; the judge adds "other_things"
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
    """Each antonym stem found in ``text`` mapped to the first word that starts with it (or to the phrasal
    verb that means it: "turned down" for "reject").

    Cached: a scorer sees the same claim in many pairs, and this is the costly part of the cues.
    """
    found: dict[str, str] = {}
    tokens = words(text)
    read_as_two = set()
    for i, (first, second) in enumerate(zip(tokens, tokens[1:])):
        stem = PHRASAL_STEMS.get((first, second))
        if stem:
            found.setdefault(stem, f"{first} {second}")
        if stem or (first, second) in DATED_STATES:
            read_as_two |= {i, i + 1}
    for i, token in enumerate(tokens):
        if i in read_as_two:
            continue
        for length in STEM_LENGTHS:
            if length > len(token):
                break
            prefix = token[:length]
            if prefix in ALL_STEMS and prefix not in found and (prefix not in WHOLE_WORD_STEMS or prefix == token):
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
    found |= {t for t in tokens if is_year_word(t)}
    return found


def is_year_word(token: str) -> bool:
    """A four-digit year ("2025"; the length check first: int() of 5,000 digits raises)."""
    return len(token) == 4 and token.isdigit() and 1900 <= int(token) <= 2100


@lru_cache(maxsize=50_000)
def content_words(text: str) -> frozenset[str]:
    return frozenset(t for t in words(text) if t not in STOPWORDS and t not in NEGATIONS and len(t) > 2)


def lexical_overlap(a: str, b: str) -> float:
    """Jaccard overlap of content words, 0..1."""
    wa, wb = content_words(a), content_words(b)
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


# Words that call the other side's claim untrue: an accusation meets its denial.
DENIAL_WORDS = {"fake", "false", "lie", "lies", "lying", "lied", "baseless", "untrue", "unfounded", "smear", "hoax",
                "propaganda", "myth", "rumour", "rumours", "rumor", "misinformation", "disinformation", "never",
                "groundless", "fiction", "invented", "nothing"}
DENIAL_STEMS = ("fabricat", "deni", "deny", "nonsens", "falsehood")


@lru_cache(maxsize=50_000)
def denial_words(text: str) -> tuple[str, ...]:
    return tuple(t for t in words(text) if t in DENIAL_WORDS or t.startswith(DENIAL_STEMS))


# Positions taken on a proposal, plan or deal: words that back it ("ready to", "would be the best") and
# words that refuse it ("unacceptable", "not up for discussion"). Two actors on opposite sides of one
# proposal is a conflict of narratives even where both statements can be true ("Britain is prepared to
# put troops in Ukraine" / "European peacekeepers in Ukraine are unacceptable to Russia").
# "will" before these says what is expected or how, not a measure decided ("prices will fall", "it will cost",
# "jobs will be lost"; "will go ahead with a cull" is one)
NOT_A_MEASURE = (r"not|never|no|be|have|also|still|only|soon|now|then|likely|probably|need|take|make|hold|get|see|"
                 r"face|help|say|tell|ask|decide|know|come|go(?! ahead with\b)|give|cost|fall|rise|lose|lost|grow|drop|reach|"
                 r"last|happen|able")
# keeping things as they are refuses the change ("the line will stay in public hands" against "a private operator
# is the best way"), and so does acting against it ("the party will vote against the bill", "will vote it down",
# "will strike to stop the automation")
KEEPING_VERBS = r"stay|remain|keep|carry on|continue"
STATUS_QUO = (KEEPING_VERBS + r"|vote against|vote (?!to\b)(?:[\w']+ ){0,2}down|block|fight|oppose|resist|"
              r"challenge|(?:strike|protest|campaign|go to court|sue) (?:to|in order to) (?:stop|block|prevent|halt|overturn)")
# asked for with "must" or "should", keeping refuses the change (REFUSING), unless the other claim names the keeping
KEEPING = rf"(?:{KEEPING_VERBS}|be kept)"
KEEPING_ASKED = re.compile(r"(?:must|should) " + KEEPING + "$")
# ... or takes a side on it ("agreed to keep the helicopter at Ditchmoor in summer"; not "the only way to keep")
KEEPING_NAMED = re.compile(
    r"\b(?:keeping|continuing|retaining|(?:agree[sd]?|ready|prepared|willing|refus(?:e|es|ed)|request(?:s|ed)?|"
    r"offer(?:s|ed)?|promis(?:e|es|ed)|decide[sd]?|vote[sd]?|pledge[sd]?|plans?|planned|wants?|wanted|intends?|"
    r"intended|vow(?:s|ed)?) to (?:keep|retain|continue))\b|(?:\b(?:not|never)|n't) (?:keep|retain|continue)\b(?! with\b| up with\b)",
    re.IGNORECASE)
# "open to" before who or what may pass is a state, not a side taken ("must stay open to cars and pedestrians",
# "open to the public", "open to Skerrimouth's fishing boats"); still a side in "open to a compromise deal", and
# where the users only qualify what is offered ("open to a public inquiry", "open to a traffic ban"). What may
# follow the users: punctuation, a dash or quote, a number ("24 hours a day"), or a word that opens what comes next
OPEN_TO_USERS = re.compile(
    r"^\s+(?:[\w'-]+\s+){0,2}(?:public|traffic|visitors|walkers|cyclists|pedestrians|cars|lorries|vehicles|swimmers|"
    r"drivers|passengers|boats|barges|shipping|ships|users|residents|members|fans|everyone|all|business|students|"
    r"pupils|patients|tourists|hikers|anglers|readers|people|locals|worshippers|families|children)"
    r"(?=\s*(?:[.,;:!?)]|$)|\s+(?:and|or|alike|again|from|in|on|at|until|till|during|throughout|for|every|all|while|"
    r"when|as|through|between|after|before|but|except|only|each|seven|year|day|night|outside|since|by|with|under|"
    r"over|up|within|via|around|across|once|to|this|next|today|tonight)\b|\s+[-–—]|\s*[\"“”]|\s+\d)", re.IGNORECASE)
# a rule announced ("will make ear tags compulsory for every sheep", "will make it mandatory to register"), though "make"
# alone is no measure (NOT_A_MEASURE): the object, then the adjective closing the phrase. Not a remark about a rule
# ("will make sure vaccination is never compulsory", "will make the point that masks are not mandatory"), nor an
# adjective before a noun ("will make a mandatory stop"); "illegal" is a ban, and bans are read apart (BAN_BACKING)
RULE_MADE = (r"(?=(?: (?!(?:that|whether|if|sure|clear|certain|case|point|no|not|never|decision|difference|more)\b)[\w'-]+){1,5}"
             r" (?:compulsory|mandatory|obligatory)(?=[.,;:!?]|$| (?:for|in|at|on|from|across|to|by|under|within|"
             r"nationwide|again|everywhere|throughout)\b))")
BACKING = re.compile(
    r"\b(?:(?:ready|prepared|willing|eager|open|committed|determined) (?:to|for)|agreed?(?: to| upon| on)?|agrees to|"
    r"offer(?:s|ed|ing)?|should|propos(?:e|es|ed|ing)|support(?:s|ed)?|back(?:s|ed)|welcome(?:s|d)?|would welcome|in favou?r of|"
    r"(?:is|are|was|would be|remains) the (?:best|only|right|fairest|fastest|quickest|cheapest|safest|surest|simplest)"
    r"(?: \w+)? (?:way|protection|guarantee|option|solution|site|choice|answer|plan|route|remedy|fix|use)|"
    r"want(?:s|ed)?|recommend(?:s|ed|ing)?(?! against\b| refus| reject)|needs (?:a|an)|plans? to|intends? to|call(?:s|ed)? for|urg(?:e|es|ed)|(?:is|are) (?:needed|necessary|essential) to|"
    r"demand(?:s|ed)?|push(?:es|ed)? for|campaign(?:s|ed|ing)? for|must|"
    r"(?P<announced>(?:will|is going to|are going to)(?: be)? (?:make" + RULE_MADE + r"|(?!(?:" + NOT_A_MEASURE + "|" +
    STATUS_QUO + r")\b)(?:(?:go|press|push) ahead with|[a-z]+))(?! (?:no|nothing|none)\b)))\b",
    re.IGNORECASE)
# An announced measure ("will ban", "will introduce") backs it unless it is put in doubt ("whether the council will
# ban"), made conditional ("will ban the march unless ...": no position) or said by nobody ("nobody will ban",
# "denied it will ban": refuses). A ban backs the ban, and so opposes what it bans: it counts only against a
# claim that speaks of the ban ("the ban must be dropped"), not against one that refuses the banned thing too.
ANNOUNCEMENT_IN_DOUBT = re.compile(r"\b(?:whether|if)\s+(?:[\w']+\s+){0,3}$", re.IGNORECASE)
ANNOUNCEMENT_DENIED = re.compile(r"\b(?:nobody|no one|neither|denied|denies|deny)\s+(?:[\w'-]+\s+){0,3}$", re.IGNORECASE)
# "no" before the announced measure denies it too ("No feral pigeons will be shot", "officials say no vessel will be
# hired", "no more branches will close", "under the deal no factory jobs will be cut"), not "with no" ("homes with no
# garden will receive a bin") nor a bound ("no fewer than 40 will be demolished") nor "no choice" or "in no time"
NONE_ANNOUNCED = re.compile(r"(?<!\bwith )\bno\s+(?!(?:more|fewer|less) than\b|doubt\b|question\b|choice\b|time\b)(?:[\w'-]+\s+){0,3}$",
                            re.IGNORECASE)
CONDITION_AFTER = re.compile(r"^[^.;]*\b(?:if|unless|provided)\b", re.IGNORECASE)
BAN_BACKING = re.compile(r"\bban$", re.IGNORECASE)
BAN_NAMED = re.compile(r"\bban(?:s|ned|ning)?\b", re.IGNORECASE)
# what an ask ("must / should be ...") removes, each with the verb by which another claim backs the same removal
# ("the toll should be scrapped" / "the government will scrap the toll"): REFUSING reads the asks, _removal_named
# the verbs, as another claim backs them ("will scrap", "wants to rule out"; not "calls to scrap", "scrapping")
REMOVALS = {"blocked": "block", "stopped": "stop", "scrapped": "scrap", "rejected": "reject", "halted": "halt",
            "dropped": "drop", "ruled out": "rule out", "abandoned": "abandon", "cancelled": "cancel", "canceled": "cancel",
            "shelved": "shelve", "axed": "axe"}
# refusals that can be said of a subject ("renewing the subsidy is out of the question"; _refused_subjects)
PREDICATE_REFUSALS = (r"unacceptable|not acceptable|out of the question|not (?:up )?for (?:discussion|negotiation|sale)|"
                      r"(?:not|non)[- ]negotiable|not (?:on|up for) the table|off the table|not an option")
REFUSING = re.compile(
    r"\b(?:" + PREDICATE_REFUSALS + r"|reject(?:s|ed)?|refus(?:e|es|ed)|oppos(?:e|es|ed)|rul(?:e|es|ed) out|red line|"
    r"no (?:interest|intention) (?:in|of)|(?:is|are) against|"
    r"not a matter for|a waste of (?:money|time)|(?:should|must) not|never (?:accept|agree|allow)|"
    r"would be (?:wrong|a mistake)(?! not to| to (?:say|suggest|claim|think))|cannot (?:accept|allow|agree|support)|"
    # the wrong remedy, no need, a state here to stay ("is the wrong answer to the housing shortage", "sees no need
    # for an outside investigation", "retailers need no new permits", "the beavers are here to stay")
    r"(?:is|are|was|were|will be|would be|remains) the wrong (?:answer|way(?= to\b)|approach|solution|choice|response|"
    r"remedy|fix|plan|idea|move|policy)|(?:sees?|saw) no need (?:for|to)(?! (?:worry|panic|be (?:alarmed|concerned))\b)|"
    r"needs? no\b(?!-| (?:introduction|convincing|proof|reminding|explanation|longer)\b)|(?:is|are) here to stay|"
    r"(?:will|would|can|could) (?:not|never) (?:be (?:allowed|accepted|tolerated|approved|permitted)|accept|allow|agree|sign|"
    r"happen|tolerate|let|permit)|won't (?:accept|allow|agree|sign|happen|let|permit)|"
    r"no (?!doubt|question)(?:[\w-]+ ){1,3}(?:will|would|is|are) (?:be )?(?:allowed|permitted|tolerated)|"
    r"(?:must|should) be (?:" + "|".join(REMOVALS) + r")|"
    # voting a measure down asked for (not "vote to tear down"), and an ask that nothing of it be given, in a verb
    # that gives or does ("shareholders should vote down the takeover", "the city must issue no new licences"; not
    # the idioms "should waste no time", "must take no risks", "should pay no attention", "must spare no expense")
    r"(?:must|should) vote (?:against|(?!to\b)(?:[\w']+ ){0,2}down)|"
    r"(?:must|should) (?:issue|grant|give|pay|approve|allow|permit|sell|build|fund|award|offer|accept|sign|license|"
    r"hire|spend|open|receive|get|face) no\b(?! (?:longer|more than|fewer than|less than|doubt|mistake|secret|"
    r"attention|heed)\b)|"
    # a recommendation against it ("officers recommended against approval", "recommends rejecting the bid")
    r"recommend(?:s|ed|ing)? (?:against|refus\w*|reject\w*)|"
    # keeping things as they are, asked for ("must keep its only ice rink", "should carry on under tougher rules")
    r"(?:must|should) " + KEEPING + "|"
    # a measure announced as not coming ("will not be cut", "there will be no referendum", "is not needed")
    r"(?:will|is going to|are going to) not (?:be )?(?!be\b|have\b|able\b)[a-z]+|won't (?:be )?[a-z]+|will never [a-z]+|"
    r"there will be no|no (?!doubt|question)(?:[\w-]+ ){1,3}will be (?:held|built|made|paid|given)|will (?:receive|get) no|"
    r"(?:is|are) (?:not needed|unnecessary|not necessary|not going to happen)|will (?:" + STATUS_QUO + r"))\b",
    re.IGNORECASE)
# a backing word after an article or a possessive is a noun that names the proposal ("the mayor's offer", "the
# council's plans to close", "rejects any plan to"), not a side taken on it. Not after "this" or "that": there they
# are pronouns or a relative ("this is the best way", "the plan that should save the line"), and the word takes a side
NAMED_NOT_TAKEN = re.compile(r"(?:\b(?:the|a|an|any|its|their|his|her|our)|'s|s')\s+$", re.IGNORECASE)
# A refusal said of its subject ("renewing public support for the plant is out of the question") refuses what the
# subject names, backing words and all. The subject runs back to the start of its clause: a comma, a conjunction or
# a subordinator ends it, since the words before one take their own side ("the union backs the strike because pay
# cuts are unacceptable"); an "and" inside a subject cuts it short, which leaves the claim read as before
PREDICATE_REFUSAL = re.compile(PREDICATE_REFUSALS, re.IGNORECASE)
COPULA_BEFORE = re.compile(r"\b(?:is|are|was|were|remains?|remained|would be|will be)\s+(?:(?:simply|still|now|clearly|"
                           r"just|also|plainly|therefore)\s+)?$", re.IGNORECASE)
CLAUSE_BREAK = re.compile(r"[.;:,!?()]|\b(?:but|and|or|while|whereas|though|although|because|since|so|as|if|unless|"
                          r"that|which|who|when|after|before|until|where)\b", re.IGNORECASE)
SUBJECT_REACH = 200  # characters looked back for a subject's start: bounded, so long texts stay linear
AGREE_MORE = re.compile(r"agree\s+more\b", re.IGNORECASE)
NEGATED_BACKING = re.compile(r"(?:\bnot|(?<!\bwith )\bno|\bnever|n't|\bnobody is)\s+(?:\w+\s+)?$", re.IGNORECASE)  # "no longer ready to": "longer" is the one word between


@lru_cache(maxsize=50_000)
def positions(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words by which ``text`` backs a proposal and those by which it refuses one; a backing word
    under a negation ("not ready for", "did not agree to") refuses, and one inside a refusing phrase
    ("must be blocked") does not count."""
    text = text.replace("’", "'")
    refusals = list(REFUSING.finditer(text))
    backing, refusing = [], [m.group(0).lower() for m in refusals]
    set_aside = [(r.start(), r.end()) for r in refusals] + _refused_subjects(text, refusals)
    for m in BACKING.finditer(text):
        if any(start <= m.start() < end for start, end in set_aside):
            continue
        before = text[max(0, m.start() - 80):m.start()]  # wide enough for "with no <a long noun>", cheap on long texts
        if NAMED_NOT_TAKEN.search(before):  # "the mayor's offer to host the dump is unacceptable": what is refused
            continue
        if m.group(0).lower().startswith("open") and OPEN_TO_USERS.match(text[m.end():]):
            continue
        if m.group("announced"):
            wider = text[max(0, m.start() - 40):m.start()]
            if ANNOUNCEMENT_IN_DOUBT.search(wider) or CONDITION_AFTER.match(text[m.end():]):
                continue
            if ANNOUNCEMENT_DENIED.search(wider) or NONE_ANNOUNCED.search(text[:m.start()]):
                refusing.append(m.group(0).lower())
                continue
        negated = NEGATED_BACKING.search(before)
        if negated and not AGREE_MORE.match(text, m.start()):  # "couldn't agree more with the plan" backs it
            refusing.append((before[negated.start():] + m.group(0)).lower())
        else:
            backing.append(m.group(0).lower())
    return tuple(backing), tuple(refusing)


def _refused_subjects(text: str, refusals: list[re.Match[str]]) -> list[tuple[int, int]]:
    """The spans of the subjects that a refusal said of them ("... is out of the question") refuses."""
    spans = []
    for r in refusals:
        if not PREDICATE_REFUSAL.fullmatch(r.group(0)):
            continue
        copula = COPULA_BEFORE.search(text, max(0, r.start() - 40), r.start())
        if not copula:
            continue
        reach = max(0, copula.start() - SUBJECT_REACH)
        clause_start = reach
        for clause_break in CLAUSE_BREAK.finditer(text, reach, copula.start()):
            clause_start = clause_break.end()
        if clause_start == reach and reach > 0:  # no start found within reach: no subject read
            continue
        spans.append((clause_start, copula.start()))
    return spans


# A state said to last ("the reactor is still running", "the licence remains valid", "work has never stopped")
# against a claim that reports the change that ends it ("the reactor was shut down on 3 March"): a flat
# denial of a state, which NLI often reads as two events on two dates.
PERSISTENCE = re.compile(
    r"\b(?:still|remains?|remained|continues?|continued|continuing|again|already|"
    r"never (?:stopped|closed|halted|left|ended))\b", re.IGNORECASE)


@lru_cache(maxsize=50_000)
def persistence_words(text: str) -> tuple[str, ...]:
    """The words by which ``text`` says a state lasts (or has already come about)."""
    return tuple(m.group(0).lower() for m in PERSISTENCE.finditer(text))


def opposed_positions(a: str, b: str) -> tuple[str, str] | None:
    """The words of two claims that take opposite positions (one only backs, the other only refuses), or
    None."""
    back_a, refuse_a = _keeping_against(*positions(a), b)
    back_b, refuse_b = _keeping_against(*positions(b), a)
    back_a, back_b = _backing_against(back_a, b), _backing_against(back_b, a)
    refuse_a, refuse_b = _removal_not_backed(refuse_a, b), _removal_not_backed(refuse_b, a)
    refuse_a, refuse_b = _staying_against(refuse_a, b), _staying_against(refuse_b, a)
    if back_a and not refuse_a and refuse_b and not back_b:
        return back_a[0], refuse_b[0]
    if refuse_a and not back_a and back_b and not refuse_b:
        return refuse_a[0], back_b[0]
    return None


def _keeping_against(backing: tuple[str, ...], refusing: tuple[str, ...],
                     other: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An ask to keep a thing as it is ("the ferry should be kept") refuses a change, but backs the keeping where
    ``other`` names the keeping as its proposal ("keeping the ferry is off the table", "agreed to keep the ferry")."""
    if not KEEPING_NAMED.search(other):
        return backing, refusing
    kept = tuple(word for word in refusing if KEEPING_ASKED.match(word))
    return backing + kept, tuple(word for word in refusing if word not in kept)


# an ask that a thing be removed ("the toll should be scrapped") refuses the thing, and so sides with a claim that
# backs its removal in the same verb ("the government will scrap the toll", "wants to scrap the toll")
REMOVAL_ASKED = re.compile(r"^(?:must|should) be (?P<removed>.+)$")


def _removal_backing(removed: str, verb: str) -> re.Pattern:
    """How another claim backs the removal: its verb after will / shall / should / must / to (not "calls to"; a
    particle may come after an object: "will rule it out"), or its participle ("wants the toll scrapped")."""
    head, _, particle = verb.partition(" ")
    backed = rf"\b(?:will|shall|should|must|(?<!\bcalls )to)\s+{head}\b" + (rf"\s+(?:\w+\s+)?{particle}\b" if particle else "")
    return re.compile(rf"{backed}|\b{removed}\b", re.IGNORECASE)


REMOVAL_BACKING = {removed: _removal_backing(removed, verb) for removed, verb in REMOVALS.items()}


def _removal_not_backed(refusing: tuple[str, ...], other: str) -> tuple[str, ...]:
    """The refusing words left once an asked removal that ``other`` backs in the same verb is set aside; where
    ``other`` refuses anything, its verb may be the refused one ("will not scrap the toll"), so all are left."""
    if positions(other)[1]:
        return refusing
    return tuple(word for word in refusing if not _removal_named(word, other))


def _removal_named(word: str, other: str) -> bool:
    """Whether ``word`` asks for a removal ("must be scrapped") that ``other`` names in the same verb."""
    asked = REMOVAL_ASKED.match(word)
    backing = asked and REMOVAL_BACKING.get(asked.group("removed"))
    return bool(backing and backing.search(other))


def _backing_against(backing: tuple[str, ...], other: str) -> tuple[str, ...]:
    """The backing words that take a side against ``other``: an announced ban only where ``other`` speaks of it."""
    return tuple(word for word in backing if not BAN_BACKING.search(word) or BAN_NAMED.search(other))


# "here to stay" refuses a removal ("the beavers are here to stay" / "the beavers should be trapped and removed"), but
# of a trend it only reports one ("inflation is here to stay" / "the central bank will raise rates"): it takes a side
# only against a claim that speaks of removing, ending or closing something
HERE_TO_STAY = re.compile(r"here to stay$")
REMOVAL_SPOKEN = re.compile(r"\b(?:remov|cull|scrap|abolish|bann?(?:ed|ing|s)?\b|phas(?:e|ed|ing) out|get rid|clos|shut|"
                            r"end(?:s|ed|ing)?\b|trap|eradicat|drop|ax(?:e|ed|ing)\b|replac)", re.IGNORECASE)


def _staying_against(refusing: tuple[str, ...], other: str) -> tuple[str, ...]:
    """The refusing words that take a side against ``other``: "here to stay" only where ``other`` speaks of a removal."""
    return tuple(word for word in refusing if not HERE_TO_STAY.search(word) or REMOVAL_SPOKEN.search(other))


def find_cues(a: str, b: str) -> list[Cue]:
    """All cues that suggest ``a`` and ``b`` disagree; empty when none is seen."""
    cues: list[Cue] = []
    neg_a, neg_b = negation_words(a), negation_words(b)
    if bool(neg_a) != bool(neg_b):
        cues.append(Cue("negation", neg_a[0] if neg_a else "", neg_b[0] if neg_b else ""))
    den_a, den_b = denial_words(a), denial_words(b)
    if bool(den_a) != bool(den_b):
        cues.append(Cue("denial", den_a[0] if den_a else "", den_b[0] if den_b else ""))
    cues += [Cue("antonym", x, y) for x, y in antonym_pairs(a, b)]
    opposed = opposed_positions(a, b)
    if opposed:
        cues.append(Cue("positions", *opposed))
    last_a, last_b = persistence_words(a), persistence_words(b)
    if bool(last_a) != bool(last_b):
        cues.append(Cue("persistence", last_a[0] if last_a else "", last_b[0] if last_b else ""))
    clashes, _ = quantity_comparison(a, b)
    cues += [Cue("number", x.surface, y.surface) for x, y in clashes]
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


CUE_FEATURE_NAMES = [
    "negation_a", "negation_b", "negation_flip", "antonym", "number_mismatch", "number_shared",
    "date_mismatch", "scope", "overlap", "length_ratio", "denial_flip", "quantity_match",
    # directional: how much of one claim the other already says (what NLI's "neutral" turns on)
    "b_content_in_a", "a_content_in_b", "b_words_new", "a_words_new",
    "positions", "persistence",
]


def cue_features(a: str, b: str, cues: list[Cue] | None = None) -> list[float]:
    """Numeric form of the cues, in the order of ``CUE_FEATURE_NAMES``; ``cues`` = ``find_cues(a, b)``
    when the caller has it already."""
    neg_a, neg_b = len(negation_words(a)), len(negation_words(b))
    kinds = {c.kind for c in (find_cues(a, b) if cues is None else cues)}
    na, nb = numbers(a), numbers(b)
    la, lb = max(len(words(a)), 1), max(len(words(b)), 1)
    return [
        float(min(neg_a, 3)), float(min(neg_b, 3)), float((neg_a > 0) != (neg_b > 0)),
        float("antonym" in kinds), float("number" in kinds), float(bool(na & nb)),
        float("date" in kinds), float("scope" in kinds), lexical_overlap(a, b), min(la, lb) / max(la, lb),
        float("denial" in kinds), float(bool(quantity_comparison(a, b)[1])),
        share_in(content_words(b), content_words(a)), share_in(content_words(a), content_words(b)),
        1.0 - share_in(frozenset(words(b)), frozenset(words(a))),
        1.0 - share_in(frozenset(words(a)), frozenset(words(b))),
        float("positions" in kinds), float("persistence" in kinds),
    ]


def share_in(these: frozenset[str], others: frozenset[str]) -> float:
    """Share of ``these`` that also occur in ``others`` (0 when ``these`` is empty)."""
    return len(these & others) / len(these) if these else 0.0


# ---------------------------------------------------------------- quantities with units

# a span of years ("the 2024-25 winter") is one token, so that its end is not read as a count of 25; a
# multiplier letter only where the word ends there ("$5m", "3bn"), so "500mg" and "10km" keep their unit
QUANTITY_TOKEN = re.compile(
    r"[$€£]|\d{4}[-–/]\d{2}(?:\d{2})?\b|\d[\d,]*(?:\.\d+)?(?:(?:bn|m|k)(?![a-z])|%)?|[a-z]+(?:-[a-z]+)*")
UNIT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
TENS_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
              "ninety": 90}
SMALL_NUMBERS = {**UNIT_WORDS, **TENS_WORDS, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
                 "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "hundred": 100,
                 "dozen": 12}
# "hundred" multiplies too: "two hundred jobs" is 200, "twelve hundred words" 1,200 (not 2 and 100, a clash with 200)
MULTIPLIERS = {"hundred": 100.0, "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
               "trillion": 1e12, "dozen": 12.0}
DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5,
                "tenth": 10, "tenths": 10}
# unit word -> (dimension, factor to the dimension's base unit); fixed conversions only (no exchange rates)
UNITS = {"percent": ("%", 1.0), "%": ("%", 1.0),
         "km": ("length", 1.0), "kilometres": ("length", 1.0), "kilometers": ("length", 1.0), "miles": ("length", 1.609),
         "mile": ("length", 1.609), "metres": ("length", 0.001), "meters": ("length", 0.001),
         "centimetres": ("length", 1e-5), "centimeters": ("length", 1e-5), "cm": ("length", 1e-5),
         "millimetres": ("length", 1e-6), "millimeters": ("length", 1e-6), "mm": ("length", 1e-6),
         "feet": ("length", 3.048e-4), "foot": ("length", 3.048e-4), "ft": ("length", 3.048e-4),
         "kg": ("mass", 1.0), "kilograms": ("mass", 1.0), "kilos": ("mass", 1.0), "tonnes": ("mass", 1000.0),
         "tons": ("mass", 1000.0), "tonne": ("mass", 1000.0), "grams": ("mass", 1e-3), "milligrams": ("mass", 1e-6),
         "mg": ("mass", 1e-6), "micrograms": ("mass", 1e-9), "mcg": ("mass", 1e-9), "nanograms": ("mass", 1e-12),
         "ng": ("mass", 1e-12),
         "watts": ("power", 1e-6), "kilowatts": ("power", 1e-3), "kw": ("power", 1e-3), "megawatts": ("power", 1.0), "mw": ("power", 1.0),
         "gigawatts": ("power", 1000.0), "gw": ("power", 1000.0), "terawatts": ("power", 1e6),
         "seconds": ("duration", 1 / 86400), "minutes": ("duration", 1 / 1440), "hours": ("duration", 1 / 24), "days": ("duration", 1.0),
         "second": ("duration", 1 / 86400), "minute": ("duration", 1 / 1440), "hour": ("duration", 1 / 24),
         "weeks": ("duration", 7.0), "months": ("duration", 30.4), "years": ("duration", 365.0),
         "dollars": ("USD", 1.0), "$": ("USD", 1.0), "euros": ("EUR", 1.0), "€": ("EUR", 1.0),
         "pounds": ("GBP", 1.0), "£": ("GBP", 1.0),
         "hectares": ("area", 0.01), "hectare": ("area", 0.01), "acres": ("area", 0.004047),
         "litres": ("volume", 0.001), "liters": ("volume", 0.001), "megalitres": ("volume", 1000.0),
         "hectolitres": ("volume", 0.1), "hectoliters": ("volume", 0.1), "hl": ("volume", 0.1),
         "khz": ("frequency", 1e-3), "mhz": ("frequency", 1.0), "ghz": ("frequency", 1e3),
         "kwh": ("energy", 1e-3), "mwh": ("energy", 1.0), "gwh": ("energy", 1e3), "twh": ("energy", 1e6),
         "kilowatt-hours": ("energy", 1e-3), "megawatt-hours": ("energy", 1.0), "gigawatt-hours": ("energy", 1e3),
         "terawatt-hours": ("energy", 1e6), "kilowatt": ("power", 1e-3), "megawatt": ("power", 1.0),
         "gigawatt": ("power", 1000.0), "terawatt": ("power", 1e6), "kilowatt-hour": ("energy", 1e-3),
         "megawatt-hour": ("energy", 1.0), "gigawatt-hour": ("energy", 1e3), "terawatt-hour": ("energy", 1e6),
         "inches": ("length", 2.54e-5), "inch": ("length", 2.54e-5), "yards": ("length", 9.144e-4),
         "knots": ("speed", 1.852), "mph": ("speed", 1.609), "kph": ("speed", 1.0)}
# units of more than one word, looked up longest first ("mg per litre" before "mg l"): areas and volumes ("180 square
# kilometres", "2 million cubic metres") and concentrations in water, where a milligram per litre is a part per
# million (a litre of water weighs a kilogram): "0.7 mg/l", "700 micrograms per litre", "0.7 ppm". ppm and ppb
# stay out of UNITS: a unit there is also a word that names no thing (``nouns``)
MULTI_WORD_UNITS = {
    ("square", "kilometres"): ("area", 1.0), ("square", "kilometers"): ("area", 1.0), ("square", "km"): ("area", 1.0),
    ("square", "miles"): ("area", 2.59), ("square", "metres"): ("area", 1e-6), ("square", "meters"): ("area", 1e-6),
    ("cubic", "metres"): ("volume", 1.0), ("cubic", "meters"): ("volume", 1.0), ("cubic", "kilometres"): ("volume", 1e9),
    ("cubic", "kilometers"): ("volume", 1e9), ("cubic", "km"): ("volume", 1e9),
    **{(*mass, "per", litre): ("concentration", factor) for mass, factor in ((("milligrams",), 1.0), (("mg",), 1.0),
                                                                            (("micrograms",), 1e-3))
       for litre in ("litre", "liter")},
    ("parts", "per", "million"): ("concentration", 1.0), ("parts", "per", "billion"): ("concentration", 1e-3),
    ("mg", "l"): ("concentration", 1.0), ("ppm",): ("concentration", 1.0), ("ppb",): ("concentration", 1e-3),
    # a nautical mile is 1.852 km, a knot one of them an hour; speeds in km/h written out or with a slash
    ("nautical", "miles"): ("length", 1.852), ("nautical", "mile"): ("length", 1.852),
    **{(*km, "per", "hour"): ("speed", 1.0) for km in (("kilometres",), ("kilometers",), ("km",))},
    ("miles", "per", "hour"): ("speed", 1.609), ("km", "h"): ("speed", 1.0),
    # "400 megawatt hours" written apart: energy, not "400 megawatt" of power
    **{(watt, hours): ("energy", factor) for watt, factor in (("kilowatt", 1e-3), ("megawatt", 1.0), ("gigawatt", 1e3),
                                                               ("terawatt", 1e6)) for hours in ("hours", "hour")},
}
LONGEST_UNIT = max(map(len, MULTI_WORD_UNITS))
# one of a unit, for "half an hour", "a day and a half", "half a kilometre"
SINGULAR_UNITS = {"minute": ("duration", 1 / 1440), "hour": ("duration", 1 / 24), "day": ("duration", 1.0),
                  "week": ("duration", 7.0), "month": ("duration", 30.4), "year": ("duration", 365.0),
                  "kilometre": ("length", 1.0), "kilometer": ("length", 1.0), "metre": ("length", 0.001),
                  "meter": ("length", 0.001), "mile": ("length", 1.609), "mile-long": ("length", 1.609),
                  "kilogram": ("mass", 1.0), "kilo": ("mass", 1.0), "gram": ("mass", 1e-3), "kilowatt": ("power", 1e-3),
                  "megawatt": ("power", 1.0), "gigawatt": ("power", 1000.0), "million": ("count", 1e6), "billion": ("count", 1e9),
                  "dozen": ("count", 12.0)}
# a change in one word, as the percent it rises or falls by ("more than doubled" clashes with "rose by 40 percent")
CHANGE_WORDS = {"doubled": 100.0, "tripled": 200.0, "trebled": 200.0, "quadrupled": 300.0, "halved": 50.0}
# plural amounts without a number: "dozens of arrests" (24-99), "hundreds of thousands of people"
VAGUE_COUNTS = {"dozens": (24.0, 99.0), "scores": (40.0, 99.0), "hundreds": (200.0, 999.0),
                "thousands": (2e3, 9999.0), "millions": (2e6, 9.99e8), "handful": (2.0, 6.0)}
# "just over half" is 50-60 percent, not any share above half (92 percent clashes with it): a bound that also
# says the amount is near, read before the plain ones it contains ("over", "less than")
JUST_OVER = {("just", "over"), ("just", "above"), ("just", "more", "than"), ("slightly", "more", "than"),
             ("slightly", "over"), ("slightly", "above"), ("a", "little", "over"), ("a", "little", "more", "than")}
JUST_UNDER = {("just", "under"), ("just", "below"), ("just", "less", "than"), ("just", "fewer", "than"),
              ("slightly", "less", "than"), ("slightly", "fewer", "than"), ("slightly", "under"),
              ("slightly", "below"), ("a", "little", "under"), ("a", "little", "less", "than")}
NEAR_BOUND_SPREAD = 0.2
LOWER_BOUND = {("more", "than"), ("over",), ("above",), ("at", "least"), ("upwards", "of"), ("exceeding",)}
UPPER_BOUND = {("fewer", "than"), ("less", "than"), ("under",), ("below",), ("no", "more", "than"), ("at", "most"),
               ("up", "to"), ("as", "many", "as"), ("as", "long", "as"), ("as", "much", "as"), ("capped", "at"),
               ("limited", "to"), ("a", "maximum", "of")}
APPROXIMATE = {("about",), ("around",), ("roughly",), ("nearly",), ("almost",), ("some",), ("approximately",),
               ("close", "to"), ("an", "estimated")}
NEAR_BOUNDS = (("just_over", JUST_OVER), ("just_under", JUST_UNDER))
PLAIN_BOUNDS = (("lower", LOWER_BOUND), ("upper", UPPER_BOUND), ("approx", APPROXIMATE))
EXACT_TOLERANCE, APPROX_TOLERANCE = 0.02, 0.12
DECIMALS = re.compile(r"[\d,]*\.(\d+)")
# "2 minutes 4.12 seconds", "1 hour and 20 minutes": one duration
FINER_DURATIONS = {"hour": {"minute", "minutes", "second", "seconds"}, "hours": {"minute", "minutes", "second", "seconds"},
                   "minute": {"second", "seconds"}, "minutes": {"second", "seconds"}}


@dataclass(frozen=True)
class Quantity:
    """An amount as an interval in its dimension's base unit ("41 percent" -> 41..41 %, "more than half" -> 50..inf %)."""

    low: float
    high: float
    dimension: str
    surface: str
    bound: str = "exact"  # "exact", "approx", "lower" ("more than"), "upper" ("up to") or "vague" ("dozens")
    # whether another claim's wording may stand in for it (``amounts_alike``): not a change in one word ("rose by
    # doubled") or a share of a unit ("15 percent euros")
    rewritable: bool = True
    # a count per unit of time, as the number of that unit in a day ("600 letters a minute": 1,440); 0 for none
    per_day: float = 0.0


def _number(token: str) -> float | None:
    if token in SMALL_NUMBERS:
        return float(SMALL_NUMBERS[token])
    tens, _, unit = token.partition("-")  # "twenty-three"
    if tens in TENS_WORDS and unit in UNIT_WORDS:
        return float(TENS_WORDS[tens] + UNIT_WORDS[unit])
    if token[:1].isdigit():
        try:
            return float(token.rstrip("%").removesuffix("bn").rstrip("mk").replace(",", ""))
        except ValueError:
            return None
    return None


def _bound(tokens: list[str], i: int) -> str:
    """"lower", "upper", "just_over", "just_under", "approx" or "exact": the comparator just before position ``i``
    (the near bounds first: "just over" holds "over")."""
    for sizes, kinds in (((4, 3, 2), NEAR_BOUNDS), ((3, 2, 1), PLAIN_BOUNDS)):
        for size in sizes:
            before = tuple(tokens[max(0, i - size):i])
            for name, phrases in kinds:
                if before in phrases:
                    return name
    return "exact"


def _interval(value: float, bound: str, tolerance: float = EXACT_TOLERANCE) -> tuple[float, float]:
    if bound == "lower":
        return value, float("inf")
    if bound == "upper":
        return 0.0, value
    if bound == "just_over":
        return value, value * (1 + NEAR_BOUND_SPREAD)
    if bound == "just_under":
        return value * (1 - NEAR_BOUND_SPREAD), value
    tolerance = APPROX_TOLERANCE if bound == "approx" else tolerance
    return value * (1 - tolerance), value * (1 + tolerance)


def _written_tolerance(raw: str) -> float:
    """How far an exact amount may stand from its written value: 2 % for rounding, less where its decimals
    say it is finer ("123.41 seconds" is not "123.5 seconds"; "41.2 percent" still matches "41 percent")."""
    m = DECIMALS.match(raw)
    if not m:
        return EXACT_TOLERANCE
    written = float(m.group(0).replace(",", ""))
    # just under half the last digit, so that 3.4 and 3.5 do not touch
    return min(EXACT_TOLERANCE, 0.49 * 10 ** -len(m.group(1)) / written) if written else EXACT_TOLERANCE


@lru_cache(maxsize=50_000)
def quantities(text: str) -> tuple[Quantity, ...]:
    """Amounts with their unit: percentages and fractions, money by currency, lengths, masses, power,
    durations, and plain counts ("4,000 jobs"). Years and days of a month are dates, not amounts."""
    spans, tokens = [], []
    for m in QUANTITY_TOKEN.finditer(text.lower()):
        if m.group(0) == "cent" and tokens and tokens[-1] == "per":  # "per cent" is one unit word
            spans[-1], tokens[-1] = (spans[-1][0], m.end()), "percent"
        else:
            spans.append(m.span())
            tokens.append(m.group(0))
    # words joined to the number before them by a hyphen ("a 400-metre stretch"): only there does a unit in the
    # singular follow a number ("two year 10 pupils" is not two years)
    hyphenated = {k for k in range(1, len(spans)) if text[spans[k - 1][1]:spans[k][0]] == "-"}

    def surface(first: int, last: int) -> str:  # the words as written, for highlighting
        return text[spans[first][0]:spans[last - 1][1]]

    def amount(value: float, dimension: str, first: int, last: int, tolerance: float = EXACT_TOLERANCE) -> Quantity:
        """tokens[first:last] as an amount, with the comparator before it ("more than", "about")."""
        bound = _bound(tokens, first)
        if bound == "exact" and "dozen" in tokens[first:last]:  # "half a dozen", "two dozen": round numbers
            bound = "approx"
        return Quantity(*_interval(value, bound, tolerance), dimension, surface(first, last), bound)

    def with_larger_units(q: Quantity, first: int, last: int) -> Quantity:
        """``q`` (tokens[first:last], a duration) added to a duration in larger units just before it: "2 minutes
        4.12 seconds" is 124.12 seconds, as precise as its seconds."""
        prev = found[-1] if found and found[-1].dimension == "duration" and q.bound == "exact" else None
        joint = first - 1 if tokens[first - 1:first] == ["and"] else first
        if prev is None or prev.bound != "exact" or joint < 1 or tokens[last - 1] not in FINER_DURATIONS.get(tokens[joint - 1], ()) \
                or not surface(0, joint).endswith(prev.surface) or text[spans[joint - 1][1]:spans[first][0]].strip(" and"):
            return q
        found.pop()
        centre, half = (prev.low + prev.high) / 2 + (q.low + q.high) / 2, (q.high - q.low) / 2
        return Quantity(centre - half, centre + half, "duration", prev.surface + text[spans[joint - 1][1]:spans[last - 1][1]])

    def share_of_a_count(percent: float, first: int, i: int) -> list[Quantity]:
        """"half of 8,000 staff" is also 4,000 staff; the 8,000 itself is read on its own after it."""
        of = _share_of_a_count(tokens, i, hyphenated)
        if not of:
            return []
        # behind a possessive name the share is read but not written over the claim: the name would go with it
        return [replace(amount(percent / 100 * of[0], "count", first, of[1]), rewritable="s" not in tokens[i:of[1]])]

    def count_as_share(count: Quantity, first: int, i: int) -> list[Quantity]:
        """A count out of a larger total after it ("about 400 of the 2,000 sampled calls", "more than 12 of its 40
        stations") is also its share in percent, widened by ``SHARE_ROUNDING``; read, never written over the claim.
        Not the end of a range ("between 300 and 400 of the 2,000")."""
        of = _share_of_a_count(tokens, i, hyphenated)
        if not of or not 0 <= count.low < of[0] or (first >= 2 and tokens[first - 1] in ("and", "to")
                                                      and _number(tokens[first - 2]) is not None):
            return []
        low, high = 100.0 * count.low / of[0], 100.0 * min(count.high, of[0]) / of[0]
        return [Quantity(max(low - SHARE_ROUNDING, 0.0), min(high + SHARE_ROUNDING, 100.0), "%", surface(first, of[1]),
                         count.bound, rewritable=False)]

    found, i = [], 0
    while i < len(tokens):
        start, token = i, tokens[i]
        currency = UNITS[token] if token in ("$", "€", "£") else None
        if currency:
            i += 1
            token = tokens[i] if i < len(tokens) else ""
        value = _number(token)
        if value is None and token in ("a", "an") and tokens[i + 1:i + 2] in (["hundred"], ["thousand"], ["million"], ["billion"], ["dozen"]):
            value = 1.0  # "a million", "a dozen": the multiplier is applied below, so "more than a dozen" keeps
            # its bound ("half a million", "half a dozen" and "a million and a half" are read whole by _unit_fraction)
        vague = None if currency or value is not None else _vague_count(tokens, i)
        if vague:
            (low, high), i = vague
            found.append(Quantity(low, high, "count", surface(start, i), "vague"))
            continue
        of_unit = None if currency else _unit_fraction(tokens, i) or _one_unit_bounded(tokens, i)
        if of_unit:
            value, dimension, i = of_unit
            if dimension == "count":  # "half a million tonnes": the unit after the multiplier
                value, dimension, i = _with_unit_after(value, tokens, i)
            found.append(amount(value, dimension, start, i))
            continue
        if value is None and token in CHANGE_WORDS and tokens[i + 1:i + 2] not in (["down"], ["up"], ["as"]):
            # not "doubled down", "doubled as a shelter"; "doubled" is a round figure ("rose 95 percent" is one)
            found.append(replace(amount(CHANGE_WORDS[token], "%", start, i + 1, APPROX_TOLERANCE), rewritable=False))
            i += 1
            continue
        if value is None:
            fraction = _fraction_word(tokens, i)
            if fraction:
                value, i = fraction
                # "nearly a tenth": the comparator stands before the article
                first = start - 1 if start > 0 and tokens[start - 1] in ("a", "one") else start
                found.append(amount(value, "%", first, i))
                if tokens[start] != "majority":  # more than half, not a point to take a share of
                    found.extend(share_of_a_count(value, first, i))
                continue
            i += 1
            continue
        raw = token
        value, i = _scaled(value, raw, tokens, i + 1)
        nxt = tokens[i] if i < len(tokens) else ""
        if start > 0 and tokens[start - 1] == "not":  # "500 soldiers, not 2,000": the amount denied
            continue
        if not currency and (nxt in MONTHS or (i >= 2 and tokens[i - 2] in MONTHS) or _is_year(raw, value, nxt)):
            continue
        ratio = _ratio(value, tokens, i)
        if raw.endswith("%"):
            dimension = "%"
        elif ratio:
            value, i = ratio
            dimension = "%"
        elif currency:
            dimension, factor = currency
            value *= factor
        else:
            value, dimension, i = _with_unit_after(value, tokens, i, singular=i in hyphenated)
        quantity = amount(value, dimension, start, i, _written_tolerance(raw))
        if dimension == "count" and (per_day := _per_time(tokens, i)):
            quantity = replace(quantity, per_day=per_day)
        if ratio and "every" in tokens[start:i]:  # "280 of every 1,000 crowns"
            quantity = replace(quantity, rewritable=False)
        found.append(with_larger_units(quantity, start, i) if dimension == "duration" else quantity)
        if dimension == "%":
            found.extend(share_of_a_count(value, start, i))
        elif dimension == "count" and not quantity.per_day:
            found.extend(count_as_share(quantity, start, i))
    return tuple(found)


# a share worked out from two counts is compared with percentages written rounded ("13 of the 400" is 3.25 percent,
# and "3 percent" of them as a reporter writes it)
SHARE_ROUNDING = 0.5  # percentage points either side


def _scaled(value: float, raw: str, tokens: list[str], i: int) -> tuple[float, int]:
    """``value`` (read from the token ``raw``) times its suffix ("5m", "3bn", "8k") and the multiplier words at
    ``tokens[i]`` ("2.5 million", "a thousand million"), with the tens and units after a hundred ("one hundred
    and fifty", "two hundred twenty-five"): (value, the index after them)."""
    if raw.endswith("bn"):
        value *= 1e9
    elif raw[:1].isdigit() and raw[-1:] in ("m", "k"):
        value *= MULTIPLIERS[raw[-1]]
    while i < len(tokens) and tokens[i] in MULTIPLIERS and tokens[i] not in ("m", "k"):
        value *= MULTIPLIERS[tokens[i]]
        i += 1
        if tokens[i - 1] == "hundred":
            value, i = _plus_tens(value, tokens, i)
    return value, i


def _plus_tens(hundreds: float, tokens: list[str], i: int) -> tuple[float, int]:
    """``hundreds`` plus the number in words under a hundred at ``tokens[i]``, after an optional "and"."""
    j = i + 1 if tokens[i:i + 1] == ["and"] else i
    word = tokens[j] if j < len(tokens) else ""
    tens = _number(word) if not word[:1].isdigit() and word not in ("hundred", "dozen") else None
    return (hundreds + tens, j + 1) if tens is not None and tens < 100 else (hundreds, i)


def _multi_word_unit(tokens: list[str], i: int) -> tuple[str, float, int] | None:
    """The longest unit of ``MULTI_WORD_UNITS`` at ``tokens[i]``: (dimension, factor, its number of tokens)."""
    for length in range(min(LONGEST_UNIT, len(tokens) - i), 0, -1):
        unit = MULTI_WORD_UNITS.get(tuple(tokens[i:i + length]))
        if unit:
            return (*unit, length)
    return None


def _unit_fraction(tokens: list[str], i: int) -> tuple[float, str, int] | None:
    """Parts of a unit in words: "half an hour", "half a kilometre", "half a million", "an hour and a
    half", "two and a half days", "two thirds of an hour", "a quarter of a mile": (value in the dimension's
    base unit, dimension, index after it)."""
    rest = tokens[i:i + 6]
    part = _fraction_of_one(tokens, i)
    if part:
        share, after = part
        if tokens[after:after + 2] in (["of", "a"], ["of", "an"]) and tokens[after + 2:after + 3] \
                and tokens[after + 2] in SINGULAR_UNITS:
            dimension, factor = SINGULAR_UNITS[tokens[after + 2]]
            return share * factor, dimension, after + 3
    if rest[:2] in (["half", "a"], ["half", "an"]) and len(rest) > 2 and rest[2] in SINGULAR_UNITS:
        dimension, factor = SINGULAR_UNITS[rest[2]]
        return 0.5 * factor, dimension, i + 3
    whole = 1.0 if rest[:1] in (["a"], ["an"], ["one"]) else _number(rest[0]) if rest else None
    if whole is None or len(rest) < 5:
        return None
    if rest[1] in SINGULAR_UNITS and rest[2:5] == ["and", "a", "half"]:  # "an hour and a half"
        dimension, factor = SINGULAR_UNITS[rest[1]]
        return (whole + 0.5) * factor, dimension, i + 5
    unit = rest[4]
    if rest[1:4] == ["and", "a", "half"] and (unit in UNITS or unit in MULTIPLIERS):  # "two and a half hours"
        dimension, factor = UNITS.get(unit, ("count", MULTIPLIERS.get(unit, 1.0)))
        return (whole + 0.5) * factor, dimension, i + 5
    return None


def _with_unit_after(count: float, tokens: list[str], i: int, singular: bool = False) -> tuple[float, str, int]:
    """``count`` in the unit at ``tokens[i]`` when one stands there, the longest first ("180 square kilometres",
    "400 €", "half a million tonnes"), a unit in the singular too where ``singular`` ("a 400-metre stretch"):
    (value in the dimension's base unit, dimension, index after it)."""
    if unit := _multi_word_unit(tokens, i):
        dimension, factor, length = unit
        return count * factor, dimension, i + length
    if i < len(tokens) and tokens[i] in UNITS:
        dimension, factor = UNITS[tokens[i]]
        return count * factor, dimension, i + 1
    if singular and i < len(tokens) and SINGULAR_UNITS.get(tokens[i], ("count",))[0] != "count":
        dimension, factor = SINGULAR_UNITS[tokens[i]]
        return count * factor, dimension, i + 1
    return count, "count", i


def _fraction_of_one(tokens: list[str], i: int) -> tuple[float, int] | None:
    """A fraction in words at ``tokens[i]`` as a share of one: "two thirds", "two-thirds", "a quarter",
    "one fifth" -> (0.667, 0.25, 0.2; the index after it). "half" alone is left to the callers."""
    token = tokens[i] if i < len(tokens) else ""
    head, _, tail = token.partition("-")
    if head in SMALL_NUMBERS and tail in DENOMINATORS:
        return SMALL_NUMBERS[head] / DENOMINATORS[tail], i + 1
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if nxt not in DENOMINATORS or nxt in ("half", "halves"):
        return None
    count = 1.0 if token in ("a", "an", "one") else _number(token)
    if count is None or count >= DENOMINATORS[nxt]:
        return None
    return count / DENOMINATORS[nxt], i + 2


def _share_of_a_count(tokens: list[str], i: int, joined: set[int]) -> tuple[float, int] | None:
    """The plain count a fraction or a count is taken of: "half of 8,000 staff", "a third of the 600 beds", "half of
    Zelmirov's 8,000 residents" -> (8,000 or 600, the index after it). Not a year, a ratio or an amount with a unit
    ("a third of 2024's budget", "half of 40 km", "half of the 180 square kilometres", "half of the 9 out of 10"), nor
    a number joined by a hyphen to what it qualifies ("half of the 20-year-old reactors", "two of the 18-year-olds";
    ``joined``: the indices of tokens joined so to the one before)."""
    j = i + 1 if tokens[i:i + 1] == ["of"] else None
    if j is None:
        return None
    if tokens[j:j + 1] in (["the"], ["its"], ["their"]):
        j += 1
    j = _after_possessive(tokens, j)  # "half of Zelmirov's 8,000 residents", "a third of the town's 600 homes"
    raw = tokens[j] if j < len(tokens) else ""
    count = _number(raw) if raw[:1].isdigit() else None
    if count is None:
        return None
    count, j = _scaled(count, raw, tokens, j + 1)
    nxt = tokens[j] if j < len(tokens) else ""
    if (j in joined or raw.endswith("%") or nxt in UNITS or nxt in MONTHS or _is_year(raw, count, nxt)
            or _multi_word_unit(tokens, j) or _ratio(count, tokens, j)):
        return None
    return count, j


def _after_possessive(tokens: list[str], j: int) -> int:
    """The index after a possessive name of one to four words at ``tokens[j]`` ("Rennick District Hospital's", read
    as "rennick district hospital s"), when a number follows it; else ``j``."""
    for k in range(j + 1, min(j + 5, len(tokens) - 1)):
        if not tokens[k - 1].isalpha() or tokens[k - 1] in STOPWORDS or tokens[k - 1] in PHRASE_OPENERS:
            break  # "half of pupils at the city's 40 schools" is no share of the 40
        if tokens[k] == "s" and tokens[k + 1][:1].isdigit():
            return k + 1
    return j


# a count per unit of time ("36,000 letters an hour" is "600 letters a minute"), compared per day with a count per
# another unit (``_on_one_period``); not through a word that opens another phrase ("400 jobs in a year", "30 days
# of a month") nor a period of the action ("900,000 people take the drug every day")
PER_DAY = {"second": 86400.0, "minute": 1440.0, "hour": 24.0, "day": 1.0, "week": 1 / 7, "month": 1 / 30.4, "year": 1 / 365}
# words that open another phrase: no part of what a rate counts, nor of a possessive name (``_after_possessive``)
PHRASE_OPENERS = frozenset({"and", "or", "of", "in", "on", "at", "for", "by", "from", "to", "with", "than", "the", "over",
                           "after", "before", "within", "since", "this", "that", "was", "were", "is", "are", "will",
                           "have", "has", "had", "each"})
# after "a day", "a year": a time, not a period ("a year ago", "a day after the riot", "a second time")
NOT_A_PERIOD = frozenset({"ago", "after", "before", "later", "earlier", "running", "time", "times", "on", "into", "since"})


def _per_time(tokens: list[str], i: int) -> float | None:
    """The period of the count before ``tokens[i]``, after up to two words naming what is counted ("letters an
    hour", "lorries per day"), as the number of that period in a day; None for a count of no period."""
    for k in range(i, min(i + 3, len(tokens) - 1)):
        if tokens[k] in ("a", "an", "per") and tokens[k + 1] in PER_DAY:
            return None if tokens[k + 2:k + 3] and tokens[k + 2] in NOT_A_PERIOD else PER_DAY[tokens[k + 1]]
        if not tokens[k].isalpha() or tokens[k] in PHRASE_OPENERS:
            return None
    return None


def _one_unit_bounded(tokens: list[str], i: int) -> tuple[float, str, int] | None:
    """One of a unit after a comparator: "more than a week", "less than an hour", "about a kilometre".
    Without a comparator "a day" is a rate ("22 hours a day") or no amount at all ("a day of talks")."""
    rest = tokens[i:i + 2]
    if len(rest) < 2 or rest[0] not in ("a", "an") or rest[1] not in SINGULAR_UNITS or _bound(tokens, i) == "exact":
        return None
    dimension, factor = SINGULAR_UNITS[rest[1]]
    if dimension == "count":  # "more than a million litres": a multiplier, read with its unit by the caller
        return None
    return factor, dimension, i + 2


def _vague_count(tokens: list[str], i: int) -> tuple[tuple[float, float], int] | None:
    """"dozens", "a handful", "hundreds of thousands" as a count interval, and the index after it."""
    token = tokens[i] if i < len(tokens) else ""
    if token not in VAGUE_COUNTS or (token == "handful" and (i == 0 or tokens[i - 1] != "a")):
        return None
    low, high = VAGUE_COUNTS[token]
    after = i + 1
    if tokens[after:after + 1] == ["of"] and tokens[after + 1:after + 2] in (["thousands"], ["millions"]):
        scale = 1e3 if tokens[after + 1] == "thousands" else 1e6
        low, high, after = low * scale, (high + 1) * scale - 1, after + 2
    return (low, high), after


def _is_year(raw: str, value: float, nxt: str) -> bool:
    """``raw`` read as a year: not ``is_year_word`` alone, since ``value`` is the amount after any multiplier
    ("2025 million" is an amount), and a unit after it makes it an amount too ("1950 metres")."""
    raw = raw.rstrip(".,;:")  # "In 2024, the council ..." ends a clause
    return raw.isdigit() and len(raw) == 4 and 1900 <= value <= 2100 and nxt not in UNITS


def _ratio(value: float, tokens: list[str], i: int) -> tuple[float, int] | None:
    """"nine out of ten" / "three in four" / "280 of every 1,000" -> 90 / 75 / 28 percent; "three fifths" -> 60 percent."""
    rest = tokens[i:i + 3]
    if rest[:2] in (["out", "of"], ["of", "every"], ["in", "every"]) and len(rest) == 3 and _number(rest[2]):
        whole, after = _scaled(_number(rest[2]), rest[2], tokens, i + 3)  # "280 of every 1,000", "one in every 2,000"
        return (100.0 * value / whole, after) if whole >= value or rest[1] != "every" else None
    if rest[:1] == ["in"] and len(rest) >= 2 and _number(rest[1]) and _number(rest[1]) > value:
        return 100.0 * value / _number(rest[1]), i + 2
    if rest[:1] and rest[0] in DENOMINATORS and value < DENOMINATORS[rest[0]]:
        return 100.0 * value / DENOMINATORS[rest[0]], i + 1
    return None


def _fraction_word(tokens: list[str], i: int) -> tuple[float, int] | None:
    """"half", "a third", "a quarter", "two-thirds", "majority" as percentages."""
    if i >= len(tokens):  # a currency sign with nothing after it
        return None
    token = tokens[i]
    if token in ("half", "majority") and (i == 0 or tokens[i - 1] not in ("one", "two", "three")):
        return (50.0, i + 1) if token == "half" else (50.0001, i + 1)
    if token in ("third", "quarter", "fifth", "tenth") and i > 0 and tokens[i - 1] in ("a", "one"):
        return 100.0 / DENOMINATORS[token], i + 1
    if "-" in token:
        head, _, tail = token.partition("-")
        if head in SMALL_NUMBERS and tail in DENOMINATORS:
            return 100.0 * SMALL_NUMBERS[head] / DENOMINATORS[tail], i + 1
    return None


def quantity_comparison(a: str, b: str) -> tuple[list[tuple[Quantity, Quantity]], list[tuple[Quantity, Quantity]]]:
    """(clashes, matches): per dimension present in both claims, the closest pair of amounts (of those
    ``_pairs_to_compare`` keeps) either overlaps (a match: "60 percent" ~ "three fifths") or not (a clash:
    "41 percent" vs "more than half")."""
    qa, qb = quantities(a), quantities(b)
    clashes, matches = [], []
    for dimension in {q.dimension for q in qa} & {q.dimension for q in qb}:
        pairs = _pairs_to_compare(a, b, [x for x in qa if x.dimension == dimension],
                                  [y for y in qb if y.dimension == dimension])
        overlapping = [(x, y) for x, y in pairs if _overlap(*_on_one_period(x, y))]
        if overlapping:
            matches.append(overlapping[0])
        else:
            clashes.append(min(pairs, key=lambda p: _gap(*_on_one_period(*p))))
    if clashes and _years_apart(a, b):
        clashes = []
    return clashes, matches


def amounts_of_other_years(a: str, b: str) -> bool:
    """Both claims state amounts, and of two different years ("3,000 cremations in 2025" / "about 3,100 in 2024"):
    a claim of the same shape on another point, which NLI often reads as a conflict. On the labelled dev pairs
    (twenty-seventh session, dev batches 1-30) 71 such pairs are neutral and 2 contradictions; months of one year
    ("its June 2025 test" / "its July 2025 test") added 4 more neutrals and were left out."""
    return bool(quantities(a) and quantities(b) and _years_apart(a, b))


def _years_apart(a: str, b: str) -> bool:
    """Both claims name a year and none in common: their amounts are of two years ("410,000 calls in 2025" /
    "290,000 calls in 2023"), no clash of one. The whole claim's years, not only those beside an amount: on the
    labelled dev pairs, years read clause by clause (so that "the hospital, opened in 1998, has 400 beds" keeps its
    clash) gave a clash back to 7 neutrals and to no contradiction ("the previous record, set in 2024, was 480
    seconds" / "1,380 seconds on 11 February 2026")."""
    ya, yb = _years(a), _years(b)
    return bool(ya and yb and not ya & yb)


A_DATE_BEFORE_ITS_YEAR = r"(?:(?:\d{1,2}\s+)?[A-Za-z]+\s+)?"  # "between September 2024 and 1 March 2025"
YEAR_RANGE = re.compile(rf"\b(?:between|from)\s+{A_DATE_BEFORE_ITS_YEAR}(\d{{4}})\s+(?:and|to|until)\s+"
                        rf"{A_DATE_BEFORE_ITS_YEAR}(\d{{4}})\b|\b(\d{{4}})\s*(?:-|–|to)\s*(\d{{4}})\b")


def _years(text: str) -> set[int]:
    """The years ``text`` names, a range standing for every year in it ("between 2019 and 2024" holds 2023)."""
    stripped = (t.rstrip(".,") for t in words(text))  # "in 2025." ends a sentence
    years = {int(t) for t in stripped if is_year_word(t)}
    for m in YEAR_RANGE.finditer(text):
        first, last = (int(g) for g in (m.group(1, 2) if m.group(1) else m.group(3, 4)))
        if 1900 <= first <= last <= 2100:
            years |= set(range(first, last + 1))
    return years


def _pairs_to_compare(a: str, b: str, xs: list[Quantity], ys: list[Quantity]) -> list[tuple[Quantity, Quantity]]:
    """Where both claims state one amount alike (a label or a shared total: "element 127", "of the city's 19"),
    the other amounts are compared only with those that count the same thing (the same word after them:
    "three atoms" / "one atom", "seven of" / "11 of"; any two of a unit), so the shared one no longer hides their
    clash; where none count the same thing ("12 people in 3 states" / "12 people ... 40,000 homes"), every pair, as before."""
    every = [(x, y) for x in xs for y in ys]
    alike = {(x.low, x.high) for x in xs} & {(y.low, y.high) for y in ys}
    if not alike:
        return every
    counted_a = [(x, _counted_thing(a, x)) for x in xs if (x.low, x.high) not in alike]
    counted_b = [(y, _counted_thing(b, y)) for y in ys if (y.low, y.high) not in alike]
    rest = [(x, y) for x, thing in counted_a for y, other in counted_b if thing is not None and thing == other]
    if not rest and xs[0].dimension in PHYSICAL_MEASURES:
        # amounts of one physical unit beside a shared one measure alike whatever word follows them ("2.3
        # kilograms below the 96-kilogram minimum" / "under the 96-kilogram minimum by less than half a kilogram");
        # not counts, shares, durations or money, which measure anything ("rents up 6 percent" / "rates held at 4
        # percent", "a 2-week trial" / "banned for 5 years")
        rest = [(x, y) for x, _ in counted_a for y, _ in counted_b]
    return rest or every


def _counted_thing(text: str, q: Quantity) -> str | None:
    """The word after an amount, without a plural s ("three atoms" -> "atom"); none after a change in one word
    ("doubled to 40 percent" counts nothing)."""
    if q.surface.lower() in CHANGE_WORDS:
        return None
    at = text.lower().find(q.surface.lower())
    after = COUNTED_WORD.match(text, at + len(q.surface)) if at >= 0 else None
    return after.group(1).lower().removesuffix("s") if after else None


COUNTED_WORD = re.compile(r"\s+([A-Za-z]+)")
PHYSICAL_MEASURES = {"length", "mass", "area", "volume", "power", "energy", "speed", "concentration", "frequency"}


def amounts_alike(a: str, b: str) -> tuple[str, str]:
    """The two claims with each amount that one states in other words than the other written the same
    way in both ("an hour and a half" -> "90 minutes", "0.9 million" -> "900,000", "three fifths" ->
    "60 percent"): NLI reads a change of wording as a change of amount. Only point amounts are rewritten
    ("more than a million" is not "a million"); the wordier form gives way, so the result does not depend
    on which claim comes first."""
    for x, y in same_amounts(a, b):
        if x.surface == y.surface:
            continue
        if (len(x.surface), x.surface) > (len(y.surface), y.surface):
            a = a.replace(x.surface, y.surface, 1)
        else:
            b = b.replace(y.surface, x.surface, 1)
    return a, b


def same_amounts(a: str, b: str) -> list[tuple[Quantity, Quantity]]:
    """Pairs of point amounts, one from each claim, of one dimension and overlapping, each amount in one pair
    at most; amounts written alike pair first, then the closest. Every such pair, not one per dimension:
    "a 30 km/h limit on 180 kilometres of streets" / "a 30 km/h limit on about 112 miles of streets" pairs
    the two speeds and then the two lengths."""
    candidates = [(x, y) for x in quantities(a) for y in quantities(b)
                  if x.dimension == y.dimension and {x.bound, y.bound} <= {"exact", "approx"} and x.rewritable and y.rewritable
                  and _overlap(x, y) and not _periods_differ(x, y)]  # only the number is rewritten, not its period
    candidates.sort(key=lambda p: (p[0].surface.lower() != p[1].surface.lower(), _gap_of_centres(*p)))
    taken_a, taken_b, pairs = set(), set(), []
    for x, y in candidates:
        if x not in taken_a and y not in taken_b:
            taken_a.add(x)
            taken_b.add(y)
            pairs.append((x, y))
    return pairs


def _gap_of_centres(x: Quantity, y: Quantity) -> float:
    cx, cy = (x.low + x.high) / 2, (y.low + y.high) / 2
    return abs(cx - cy) / max(abs(cx), abs(cy), 1e-9)


def _overlap(x: Quantity, y: Quantity) -> bool:
    return x.low <= y.high and y.low <= x.high


def _on_one_period(x: Quantity, y: Quantity) -> tuple[Quantity, Quantity]:
    """Two counts per different units of time, both per day ("600 letters a minute" / "36,000 letters an hour");
    any other two amounts as they are (a count per day against a plain count compares the numbers, as written)."""
    if not _periods_differ(x, y):
        return x, y
    return (replace(x, low=x.low * x.per_day, high=x.high * x.per_day),
            replace(y, low=y.low * y.per_day, high=y.high * y.per_day))


def _periods_differ(x: Quantity, y: Quantity) -> bool:
    """Both amounts are counts per a unit of time, and not the same unit."""
    return bool(x.per_day and y.per_day and x.per_day != y.per_day)


def _gap(x: Quantity, y: Quantity) -> float:
    return max(x.low - y.high, y.low - x.high, 0.0) / max(abs(x.high), abs(y.high), 1e-9)


# ---------------------------------------------------------------- is a clash about the same measure?

MEASURE_FILLER = STOPWORDS | NEGATIONS | {
    "percent", "per", "cent", "million", "billion", "thousand", "about", "more", "than", "less", "fewer", "over",
    "under", "around", "nearly", "some", "only", "just", "since", "almost", "roughly", "least", "most",
}


def _measure_words(text: str, surface: str, before: int = 3, after: int = 5) -> frozenset[str]:
    """Lower-case content stems next to an amount ("120 confirmed measles cases" -> confi, measl, cases):
    what is being counted. Capitalised words are left out: a shared name says the story is the same,
    not that the two amounts measure the same thing."""
    at = text.find(surface)
    if at < 0:
        return frozenset()
    near = WORD.findall(text[:at])[-before:] + WORD.findall(text[at + len(surface):])[:after]
    return frozenset(w[:5] for w in near if w[:1].islower() and len(w) > 2 and w not in MEASURE_FILLER)


def same_measure(a: str, b: str) -> int:
    """For a number clash, how many words about *what* is counted the two amounts share (0-3): "120
    confirmed measles cases" / "no more than 40 confirmed measles cases" -> 3; "a 25 percent tariff" /
    "41 percent turnout" -> 0. A clash between two different measures is no conflict."""
    clashes, _ = quantity_comparison(a, b)
    best = 0
    for x, y in clashes:
        best = max(best, len(_measure_words(a, x.surface) & _measure_words(b, y.surface)))
    return min(best, 3)


@lru_cache(maxsize=50_000)
def content_stems(text: str) -> frozenset[str]:
    """The first five letters of each content word (numbers included): what the overlap cues compare."""
    return frozenset(w[:5] for w in content_words(text))


def denial_overlap(a: str, b: str) -> float:
    """When one claim denies and the other does not, the share of the denying claim's content words
    that the other claim states: a denial of *this* claim ("Rydo never collected data after log-off" vs
    "Rydo collected data after log-off") rather than of something else in the same story."""
    den_a, den_b = denial_words(a), denial_words(b)
    if bool(den_a) == bool(den_b):
        return 0.0
    denier, other = (a, b) if den_a else (b, a)
    own = frozenset(w[:5] for w in content_words(denier) if w not in DENIAL_WORDS and not w.startswith(DENIAL_STEMS))
    return share_in(own, content_stems(other))


REPORT_WORDS = {"claim", "claims", "report", "reports", "allegation", "allegations", "accusation", "accusations",
                "charge", "charges", "stories", "story", "rumour", "rumours", "rumor", "rumors", "suggestion",
                "suggestions", "account", "accounts"}


# "the claims of ballot stuffing are lies", "the dumping charge is false": a statement that calls a
# report untrue, with what the report says between the two. NLI reads these as neutral to the report
# itself (the words barely overlap), so the overlap of the reported content is a cue of its own.
META_DENIAL = re.compile(
    r"\b((?:[a-z]+ )?(?:claims?|reports?|allegations?|accusations?|charges?|stories|story|rumou?rs?|suggestions?|"
    r"accounts?)\b[^.;]{0,80}?)\b(?:is|are|was|were)\b(?: (?:simply|all|just|completely|entirely|totally|a|an|"
    r"pure|utter|[A-Z][a-z]+))*? (?:lies|lie|false|untrue|baseless|fabrications?|fabricated|nonsense|fake|unfounded|"
    r"groundless|fiction|invented|propaganda|smears?|wrong|inventions?|misinformation|disinformation)\b")


def meta_denial_overlap(a: str, b: str) -> float:
    """When one claim calls a report untrue ("the reports of shelling are fabrications"), the share of the
    reported content's words (shell) that the other claim states ("artillery shelled the village");
    0 when neither does or both do."""
    ma, mb = META_DENIAL.search(a), META_DENIAL.search(b)
    if bool(ma) == bool(mb):
        return 0.0
    reported, other = (ma.group(1), b) if ma else (mb.group(1), a)
    own = frozenset(w[:5] for w in content_words(reported) if w not in REPORT_WORDS)
    return share_in(own, content_stems(other)) if own else 0.5

