"""The web search page: a topic, filters, and aligned pairs in two columns, a page at a time; an
article view that shows where a claim was said; and a short "how it works".

Server-rendered with Jinja (autoescaping on: every user string is escaped), no JavaScript.
Cue words and claim spans are highlighted by splitting the text into segments, never by inserting
markup into user text. Filters the page cannot read are dropped and named, never an error page.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, render_template, request

from ..engine import NotFound
from .schemas import DATE_PATTERN, MAX_NOTE_CHARS, MAX_QUERY_CHARS, calendar_day

bp = Blueprint("web", __name__, template_folder="templates")

PAGE_SIZE = 20
LABELS = ("contradiction", "agreement", "neutral")
ORDERS = {"score": "highest score first", "relevance": "most relevant first"}


def highlight(text: str, words: list[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (segment, is_cue_word) parts, for the template to wrap in <mark>."""
    words = sorted({w for w in words if w and len(w) > 1}, key=len, reverse=True)
    if not words:
        return [(text, False)]
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(text):
        if match.start() > last:
            parts.append((text[last:match.start()], False))
        parts.append((match.group(0), True))
        last = match.end()
    if last < len(text):
        parts.append((text[last:], False))
    return parts


def stance(statement: dict) -> str:
    """How the actor put the claim, as the page says it before the claim: "accused Vladimir Putin:",
    "denied:" (a denial is stored as the claim it denies, so the page must say so), "said:"."""
    cue = (statement.get("cue") or "said").strip()
    if cue == "denial":
        cue = "denied"
    target = statement.get("target")
    return f"{cue} {target}:" if target and cue in {"accused", "blamed", "charged"} else f"{cue}:"


def view_pair(pair: dict) -> dict:
    cue_a = [c["a"] for c in pair["cues"]]
    cue_b = [c["b"] for c in pair["cues"]]
    return {**pair, "a_parts": highlight(pair["a"]["text"], cue_a), "b_parts": highlight(pair["b"]["text"], cue_b),
            "a_stance": stance(pair["a"]), "b_stance": stance(pair["b"])}


@dataclass
class PageQuery:
    """What the reader asked for, read leniently from the URL."""
    q: str = ""
    actor: str = ""
    actor_b: str = ""
    label: str = ""
    min_score: float = 0.0
    source: str = ""
    since: str = ""
    until: str = ""
    order: str = "score"
    include_dismissed: bool = False
    page: int = 1
    ignored: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> "PageQuery":
        query = cls(q=args.get("q", "").strip()[:MAX_QUERY_CHARS], actor=args.get("actor", "").strip()[:200],
                    actor_b=args.get("actor_b", "").strip()[:200], source=args.get("source", "").strip()[:300])
        query.label = query.choice(args, "label", ("",) + LABELS, "")
        query.order = query.choice(args, "order", tuple(ORDERS), "score")
        query.min_score = query.number(args, "min_score", 0.0, 1.0, 0.0)
        query.page = int(query.number(args, "page", 1, 10_000, 1))
        query.since, query.until = query.day(args, "since"), query.day(args, "until")
        query.include_dismissed = args.get("include_dismissed", "") in ("1", "true", "on")
        return query

    def choice(self, args, name: str, allowed: tuple, default: str) -> str:
        value = args.get(name, default)
        if value in allowed:
            return value
        self.ignored.append(name)
        return default

    def number(self, args, name: str, low: float, high: float, default: float) -> float:
        text = args.get(name, "").strip()
        if not text:
            return default
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not low <= value <= high:  # NaN fails too
            self.ignored.append(name)
            return default
        return value

    def day(self, args, name: str) -> str:
        text = args.get(name, "").strip()
        if not text:
            return ""
        try:
            if re.fullmatch(DATE_PATTERN, text):
                return calendar_day(text)
        except ValueError:
            pass
        self.ignored.append(name)
        return ""

    def link(self, **changes) -> str:
        """This page's URL with ``changes`` (empty values left out)."""
        params = {"q": self.q, "actor": self.actor, "actor_b": self.actor_b, "label": self.label,
                  "min_score": f"{self.min_score:g}" if self.min_score else "", "source": self.source,
                  "since": self.since, "until": self.until, "order": "" if self.order == "score" else self.order,
                  "include_dismissed": "1" if self.include_dismissed else "", "page": str(self.page)}
        params.update({k: str(v) for k, v in changes.items()})
        return "/?" + urlencode({k: v for k, v in params.items() if v and not (k == "page" and v == "1")})


@bp.get("/")
def index():
    engine = current_app.extensions["counterclaim"]
    query = PageQuery.from_args(request.args)
    found = {"total": 0, "claims": 0, "items": []}
    if query.q:
        found = engine.topic_conflicts(query.q, actor=query.actor or None, label=query.label or None,
                                       min_score=query.min_score, limit=PAGE_SIZE, offset=(query.page - 1) * PAGE_SIZE,
                                       order=query.order, actor_b=query.actor_b or None, source=query.source or None,
                                       since=query.since or None, until=query.until or None,
                                       include_dismissed=query.include_dismissed)
    pages = max(1, math.ceil(found["total"] / PAGE_SIZE))
    actors = [a["name"] for a in engine.actors() if a["statements"]]
    return render_template("index.html", query=query, actors=actors, found=found, pages=pages, labels=LABELS,
                           orders=ORDERS, pairs=[view_pair(p) for p in found["items"]], page_size=PAGE_SIZE,
                           max_note=MAX_NOTE_CHARS)


@bp.post("/pairs/<a>/<b>/review")
def review(a: str, b: str):
    """The page's Confirm / Dismiss buttons (a write, so a write key once keys are set). Only from this
    site's own pages: a form posted from elsewhere with the browser's stored key is refused."""
    if not same_origin(request):
        abort(403)
    status = request.form.get("status", "")
    if status not in ("confirmed", "dismissed"):
        abort(400)
    engine = current_app.extensions["counterclaim"]
    try:
        engine.review_pair(a, b, status, request.form.get("note", "")[:MAX_NOTE_CHARS], getattr(request, "api_key_name", None) or "editor")
    except NotFound:
        abort(404)
    back = request.form.get("back", "/")
    return redirect(back if back.startswith("/") and not back.startswith("//") else "/", code=303)


def same_origin(req) -> bool:
    """The form came from a page of this site: the browser says so (``Sec-Fetch-Site``; with this site's
    ``Referrer-Policy: no-referrer`` a browser sends ``Origin: null``), or Origin, else Referer, names
    this host."""
    fetch_site = req.headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site == "same-origin"
    own = req.host_url.rstrip("/")
    origin = req.headers.get("Origin") or ""
    if origin:
        return origin.rstrip("/") == own
    referer = req.headers.get("Referer") or ""
    return referer == own or referer.startswith(own + "/")


@bp.get("/articles/<doc_id>")
def article(doc_id: str):
    """A stored article, its claims marked, the one asked for (``?claim=<statement id>``) highlighted."""
    engine = current_app.extensions["counterclaim"]
    try:
        document = engine.document(doc_id)
    except NotFound:
        abort(404)
    return render_template("article.html", document=document,
                           paragraphs=article_parts(document, request.args.get("claim", "")))


def article_parts(document: dict, chosen: str) -> list[list[tuple[str, str, str]]]:
    """The article's text as paragraphs of (text, statement id or "", "chosen"/"claim"/"") segments,
    cut at the stored offsets of its claims."""
    text = document["text"] or ""
    spans = sorted((s["start"], s["end"], s["id"]) for s in document["statements"]
                   if s.get("start") is not None and s.get("end") is not None and 0 <= s["start"] < s["end"] <= len(text))
    segments, last = [], 0
    for start, end, statement_id_ in spans:
        if start < last:
            continue  # overlapping spans: the first one is shown
        segments.append((text[last:start], "", ""))
        segments.append((text[start:end], statement_id_, "chosen" if statement_id_ == chosen else "claim"))
        last = end
    segments.append((text[last:], "", ""))
    paragraphs: list[list[tuple[str, str, str]]] = [[]]
    for segment, statement_id_, kind in segments:
        pieces = re.split(r"\n\s*\n", segment)
        for index, piece in enumerate(pieces):
            if index:
                paragraphs.append([])
            if piece:
                paragraphs[-1].append((piece, statement_id_, kind))
    return [p for p in paragraphs if p]


@bp.get("/how-it-works")
def how_it_works():
    return render_template("how_it_works.html")
