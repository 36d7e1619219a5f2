"""Articles in, attributed statements out: the bridge between ``extract`` and the engine.

HTML (sent as ``text/html``, or found in a JSON or plain-text body) is first reduced to its article
text by trafilatura, as the CLI does, so that markup never reaches the extractor. A document is then
checked (not empty, text not binary, within the size limit, English), its claims are extracted with
their speakers, and each claim becomes a statement that keeps the document id, the reporting cue,
the direct quote and its character offsets.
"""
from __future__ import annotations

import re

from .extract import article_text_from_html, detect_language, extract_claims
from .web.schemas import MAX_DOCUMENT_CHARS
from .storage.base import document_id

MIN_WORDS_FOR_LANGUAGE_CHECK = 5


class DocumentRejected(ValueError):
    """The document cannot be processed; ``status`` is the HTTP status that says why."""

    def __init__(self, status: int, title: str, detail: str):
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


def decode_text(raw: bytes) -> str:
    """Bytes of an uploaded article as text; binary data is refused."""
    if b"\x00" in raw[:8192]:
        raise DocumentRejected(415, "Unsupported Media Type", "the document looks binary; send UTF-8 text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentRejected(415, "Unsupported Media Type", f"the document is not UTF-8 text ({exc.reason})") from exc


HTML_TAG = re.compile(r"<\s*/?\s*(?:html|head|body|article|main|p|div|span|a|br|h[1-6]|section|header|footer|"
                      r"script|style|meta|link|figure|ul|li|table|em|strong|b|i)\b[^>]*>", re.IGNORECASE)
HTML_START = ("<!doctype html", "<html", "<?xml")


def looks_like_html(text: str) -> bool:
    """A page, or text with markup in it (three tags or more in its first 20,000 characters)."""
    return text.lstrip()[:20].lower().startswith(HTML_START) or len(HTML_TAG.findall(text[:20_000])) >= 3


def article_text(text: str, html: bool = False) -> str:
    """The text to extract claims from: HTML reduced to the page's article text (markup, navigation and
    boilerplate removed), anything else (an empty body too, which ``check_document_text`` refuses) as sent."""
    if not text.strip() or not (html or looks_like_html(text)):
        return text
    cleaned = article_text_from_html(text)
    if not cleaned:
        raise DocumentRejected(422, "No article text", "the HTML holds no article text once markup and boilerplate "
                               "are removed")
    return cleaned


def check_document_text(text: str) -> str:
    if not text or not text.strip():
        raise DocumentRejected(422, "Empty document", "the document has no text")
    if len(text) > MAX_DOCUMENT_CHARS:
        raise DocumentRejected(413, "Document too large",
                               f"{len(text)} characters; the limit is {MAX_DOCUMENT_CHARS}")
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t")
    if control > len(text) * 0.01:
        raise DocumentRejected(415, "Unsupported Media Type", "the document looks binary; send UTF-8 text")
    if len(text.split()) >= MIN_WORDS_FOR_LANGUAGE_CHECK:
        language = detect_language(text)
        if language != "en":
            raise DocumentRejected(422, "Unsupported language",
                                   f"the document looks like {language!r}; only English is supported")
    return text


def claim_statement(claim, document: dict) -> dict:
    cue = f"not {claim.cue}" if claim.negated else claim.cue
    return {
        "actor": claim.actor, "text": claim.claim, "cue": cue, "quote": claim.quote,
        "source": document["source"], "url": document.get("url"), "date": document.get("date"),
        "document_id": document["id"], "start": claim.start, "end": claim.end, "target": claim.target,
    }


def statements_from_article(text: str, load_registry, title=None, source=None, url=None, date=None, html=False):
    """(document, statements, claims) for an article (``html``: it is a web page); raises ``DocumentRejected``.
    ``load_registry()`` gives the actor registry, loaded only for a text that passed its checks."""
    text = check_document_text(article_text(text or "", html))
    registry = load_registry()
    source = source or title or url or ""
    document = {"id": document_id(text), "title": title, "source": source, "url": url, "date": date,
                "text": text}
    claims = extract_claims(text, registry)
    return document, [claim_statement(c, document) for c in claims], claims
