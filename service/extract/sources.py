"""Where articles come from: the main text of a web page (trafilatura) and its language (py3langid).
"""
from __future__ import annotations


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
