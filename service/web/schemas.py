"""Request and response models of the JSON API (pydantic).

The OpenAPI document at ``/api/v1/openapi.json`` is generated from these models, and so are
the validation errors: the limits below are both documented and enforced.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date as calendar_date
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

# Documented limits (also in the README).
MAX_TEXT_CHARS = 5_000
MAX_QUERY_CHARS = 500
MAX_BATCH = 1_000
MAX_NOTE_CHARS = 2000  # an editor's note on a pair
MAX_COMPARE = 100  # items judged inside one /compare request
MAX_JOB_ITEMS = 1_000_000
MAX_K = 100
MAX_LIMIT = 200
MAX_OFFSET = 10_000
MAX_DOCUMENT_CHARS = 200_000

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"

# Bidirectional embeddings, overrides and isolates: they make "EvilPRESIDENT" read as something else.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def visible(value: str) -> str:
    """At least one character that shows (not only zero-width, format or space characters)."""
    if not any(unicodedata.category(c)[0] not in "CZ" for c in value):
        raise ValueError("has no visible character")
    return value


def calendar_day(value: str) -> str:
    try:
        calendar_date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a day of the calendar (YYYY-MM-DD)") from None
    return value


Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS), AfterValidator(visible)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(visible)]
Alias = Name
Day = Annotated[str, Field(pattern=DATE_PATTERN, description="YYYY-MM-DD"), AfterValidator(calendar_day)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _no_control_characters(cls, value):
        for text in value if isinstance(value, list) else [value]:
            if not isinstance(text, str):
                continue
            if "\x00" in text:  # no text a newsroom sends, and PostgreSQL cannot store it
                raise ValueError("may not contain NUL characters")
            if BIDI_CONTROLS.search(text):
                raise ValueError("may not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069)")
        return value


# -- statements ----------------------------------------------------------------------------
class StatementIn(Strict):
    actor: Name
    aliases: list[Alias] = Field(default_factory=list, max_length=50)
    text: Text
    source: str = Field(default="", max_length=300)
    url: Optional[str] = Field(default=None, max_length=2_000)
    date: Optional[Day] = None
    quote: Optional[str] = Field(default=None, max_length=MAX_TEXT_CHARS)
    cue: Optional[str] = Field(default=None, max_length=100)
    target: Optional[Name] = Field(default=None, description="Whom the claim is about when the actor accuses, blames "
                                   "or characterises someone (\"accused B of …\": B).")
    document_id: Optional[str] = Field(default=None, pattern=ID_PATTERN)
    id: Optional[str] = Field(default=None, pattern=ID_PATTERN,
                              description="Optional caller id; by default a stable hash of actor, text and source.")


class StatementsIn(RootModel[StatementIn | list[StatementIn]]):
    """One statement, or a JSON array of at most MAX_BATCH statements."""

    @model_validator(mode="after")
    def _batch_size(self):
        if isinstance(self.root, list) and not 1 <= len(self.root) <= MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH} statements")
        return self

    def items(self) -> list[StatementIn]:
        return self.root if isinstance(self.root, list) else [self.root]


class Statement(BaseModel):
    id: str
    actor: str
    text: str
    source: str
    url: Optional[str] = None
    date: Optional[str] = None
    quote: Optional[str] = None
    cue: Optional[str] = None
    target: Optional[str] = None
    document_id: Optional[str] = None
    start: Optional[int] = None
    end: Optional[int] = None
    conflicts_status: Optional[Literal["pending", "done"]] = None


class IngestItem(BaseModel):
    id: str
    created: bool
    edges: int
    conflicts_status: Literal["pending", "done"] = Field(
        "done", description="pending: stored and searchable, its conflicts are being judged in the background")


class IngestResponse(BaseModel):
    created: int
    items: list[IngestItem]


# -- search and conflicts ------------------------------------------------------------------
class SearchQuery(Strict):
    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, pattern=r"\S")
    k: int = Field(default=10, ge=1, le=MAX_K)
    actor: Optional[str] = Field(default=None, max_length=200)
    source: Optional[str] = Field(default=None, max_length=300)
    since: Optional[Day] = None
    until: Optional[Day] = None


class SearchHit(BaseModel):
    statement: Statement
    similarity: float


class SearchResponse(BaseModel):
    query: str
    items: list[SearchHit]


Label = Literal["contradiction", "agreement"]


class ConflictsQuery(Strict):
    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, pattern=r"\S")
    actor: Optional[str] = Field(default=None, max_length=200, description="An actor on one side of the pair")
    actor_b: Optional[str] = Field(default=None, max_length=200, description="With actor: the actor on the other side")
    label: Optional[Label] = None
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    source: Optional[str] = Field(default=None, max_length=300, description="A part of either claim's source")
    since: Optional[Day] = Field(default=None, description="Every dated claim of the pair on or after this day")
    until: Optional[Day] = Field(default=None, description="Every dated claim of the pair on or before this day")
    order: Literal["score", "relevance"] = Field(
        default="score", description="score: the most certain verdicts first; relevance: relevance to the query × score")
    include_dismissed: bool = Field(default=False, description="Also the pairs an editor dismissed")
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class StatementConflictsQuery(Strict):
    label: Optional[Label] = None
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    include_dismissed: bool = False


class Cue(BaseModel):
    kind: str
    a: str
    b: str


class Review(BaseModel):
    status: Literal["confirmed", "dismissed"]
    note: str
    who: str = Field(description="The name of the write key that reviewed")
    reviewed_at: str


class AlignedPair(BaseModel):
    a: Statement
    b: Statement
    label: Label
    score: float = Field(description="Probability of the label, 0..1")
    similarity: float
    kind: Literal["cross", "flip"] = Field(description="cross: two actors; flip: one actor at two dates")
    cues: list[Cue]
    scorer: str
    relevance: Optional[float] = None
    review: Optional[Review] = Field(default=None, description="An editor's judgement of the pair, if any")
    duplicates: list[list[str]] = Field(default_factory=list, description=(
        "In topic lists: the [a, b] ids of lower-ranked pairs folded into this one (the same actors in "
        "near-identical words, e.g. one quote from two sources)"))


class ReviewIn(Strict):
    status: Literal["confirmed", "dismissed"]
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)


class Ready(BaseModel):
    ready: bool


class ConflictsResponse(BaseModel):
    query: str
    total: int
    claims: int = Field(description="Stored claims near the query; 0: nothing in the store is about it")
    limit: int
    offset: int
    items: list[AlignedPair]


class StatementConflictsResponse(BaseModel):
    statement: Statement
    items: list[AlignedPair]


# -- bulk compare --------------------------------------------------------------------------
class ClaimIn(Strict):
    text: Text
    actor: Optional[str] = Field(default=None, max_length=200)
    date: Optional[Day] = None
    source: Optional[str] = Field(default=None, max_length=300)


class PairIn(Strict):
    a: Text
    b: Text


class CompareRequest(Strict):
    """Either ``claims`` (each checked against the stored statements) or ``pairs`` (each judged),
    at most MAX_COMPARE items: judging runs inside the request. More: ``POST /api/v1/jobs``."""

    claims: Optional[list[ClaimIn]] = Field(default=None, min_length=1)
    pairs: Optional[list[PairIn]] = Field(default=None, min_length=1)
    k: int = Field(default=5, ge=1, le=MAX_K, description="Neighbours checked per claim")

    @model_validator(mode="after")
    def _exactly_one(self):
        if (self.claims is None) == (self.pairs is None):
            raise ValueError("give exactly one of 'claims' or 'pairs'")
        if len(self.claims or self.pairs) > MAX_COMPARE:
            raise ValueError(f"/compare judges at most {MAX_COMPARE} items inside the request; for more, "
                             f"submit a job (POST /api/v1/jobs, up to {MAX_JOB_ITEMS:,} items)")
        return self


# -- jobs ----------------------------------------------------------------------------------
class JobIn(Strict):
    """A bulk job, judged in the background: ``claims`` (each checked against the store), ``pairs``
    (each judged), or ``actor_a`` with ``actor_b`` (each statement of A against B's nearest claims)."""

    claims: Optional[list[ClaimIn]] = Field(default=None, min_length=1, max_length=MAX_JOB_ITEMS)
    pairs: Optional[list[PairIn]] = Field(default=None, min_length=1, max_length=MAX_JOB_ITEMS)
    actor_a: Optional[Name] = None
    actor_b: Optional[Name] = None
    k: int = Field(default=5, ge=1, le=MAX_K, description="Neighbours checked per claim or statement")

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [self.claims is not None, self.pairs is not None, self.actor_a is not None or self.actor_b is not None]
        if sum(given) != 1:
            raise ValueError("give exactly one of 'claims', 'pairs', or 'actor_a' with 'actor_b'")
        if given[2] and (self.actor_a is None or self.actor_b is None):
            raise ValueError("an actor job needs both 'actor_a' and 'actor_b'")
        return self

    @property
    def kind(self) -> str:
        return "claims" if self.claims is not None else "pairs" if self.pairs is not None else "actors"


class JobProgress(BaseModel):
    done: int
    total: int
    pairs_judged: int
    pairs_per_s: float
    items_per_s: float
    eta_s: Optional[float] = None


class Job(BaseModel):
    id: str
    kind: Literal["claims", "pairs", "actors"]
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    spec: dict
    progress: JobProgress
    error: Optional[str] = None
    created_at: float
    started_at: Optional[float] = None
    finished_at: Optional[float] = None


class JobResultsQuery(Strict):
    offset: int = Field(default=0, ge=0, description="First item's index: resume a download where it stopped")


class ClaimOut(BaseModel):
    id: str
    actor: str
    text: str
    date: Optional[str] = None
    source: Optional[str] = None


class ClaimResult(BaseModel):
    claim: ClaimOut
    pairs: list[AlignedPair]


class PairResult(BaseModel):
    a: str
    b: str
    label: Literal["contradiction", "agreement", "neutral"]
    score: float
    probs: dict[str, float]
    similarity: float
    cues: list[Cue]
    scorer: str


class CompareResponse(BaseModel):
    items: list[ClaimResult] | list[PairResult]


# -- documents -----------------------------------------------------------------------------
class DocumentMeta(Strict):
    title: Optional[str] = Field(default=None, max_length=500)
    source: Optional[str] = Field(default=None, max_length=300)
    url: Optional[str] = Field(default=None, max_length=2_000)
    date: Optional[Day] = None


class DocumentIn(DocumentMeta):
    """An article (JSON). The same endpoint takes ``text/plain`` with the metadata as query parameters."""

    # The size limit is checked by the engine, which answers 413 (not 422) when it is passed.
    text: str = Field(description=f"English text of at most {MAX_DOCUMENT_CHARS} characters (else 413)")


class ExtractedStatement(Statement):
    created: bool
    edges: int


class DocumentOut(BaseModel):
    id: str
    title: Optional[str] = None
    source: str
    url: Optional[str] = None
    date: Optional[str] = None


class DocumentIngestResponse(BaseModel):
    document: DocumentOut
    created: bool
    statements: list[ExtractedStatement]


class Document(DocumentOut):
    text: str
    statements: list[Statement]


# -- actors, health, problems --------------------------------------------------------------
class ActorIn(Strict):
    name: Name
    aliases: list[Alias] = Field(default_factory=list, max_length=100)
    roles: list[Name] = Field(default_factory=list, max_length=100,
                              description='Descriptions that name the actor in text, e.g. "the Russian leader"')
    kind: Optional[Literal["person", "org", "country"]] = None


class ActorsIn(RootModel[ActorIn | list[ActorIn]]):
    """One actor, or a JSON array of at most MAX_BATCH actors."""

    @model_validator(mode="after")
    def _batch_size(self):
        if isinstance(self.root, list) and not 1 <= len(self.root) <= MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH} actors")
        return self

    def items(self) -> list[ActorIn]:
        return self.root if isinstance(self.root, list) else [self.root]


class Actor(BaseModel):
    name: str
    aliases: list[str]
    roles: list[str]
    kind: Optional[str] = None
    statements: int


class ActorsResponse(BaseModel):
    items: list[Actor]


class Health(BaseModel):
    status: Literal["ok"]
    statements: int
    index: int
    edges: dict[str, int]
    judging_backlog: int = Field(description="Statements whose conflicts are still being judged")
    jobs: dict[str, int] = Field(description="Bulk jobs by state")
    scorer: str
    embedding_model: str
    storage: Literal["sqlite", "postgresql"]


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: Optional[str] = None
    instance: Optional[str] = None
    errors: Optional[list[dict]] = None
