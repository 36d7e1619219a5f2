"""The web search page: one search box, an actor filter, and aligned pairs in two columns.

Server-rendered with Jinja (autoescaping on: every user string is escaped), no JavaScript.
Cue words are highlighted by splitting the text into segments, never by inserting markup
into user text.
"""
from __future__ import annotations

import re

from flask import Blueprint, current_app, render_template, request

from .schemas import MAX_QUERY_CHARS

bp = Blueprint("web", __name__, template_folder="templates")


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


def view_pair(pair: dict) -> dict:
    cue_a = [c["a"] for c in pair["cues"]]
    cue_b = [c["b"] for c in pair["cues"]]
    return {**pair, "a_parts": highlight(pair["a"]["text"], cue_a), "b_parts": highlight(pair["b"]["text"], cue_b)}


@bp.get("/")
def index():
    engine = current_app.extensions["counterclaim"]
    query = request.args.get("q", "").strip()[:MAX_QUERY_CHARS]
    actor = request.args.get("actor", "").strip()[:200]
    pairs = []
    if query:
        found = engine.topic_conflicts(query, actor=actor or None, limit=50)
        pairs = [view_pair(p) for p in found["items"]]
    actors = [a["name"] for a in engine.actors() if a["statements"]]
    return render_template("index.html", query=query, actor=actor, actors=actors, pairs=pairs)
