"""Reading what the CLI ingests: statements (JSON, JSON Lines, CSV) and articles (.txt, .html,
or JSON Lines of ``{"text", "title", "source", "url", "date"}``).

Each record is validated against the API's models; a bad record is reported with its file and
line, and nothing from that file is stored.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Iterator

from pydantic import ValidationError

from .web.schemas import DocumentIn, StatementIn


class BadRecord(ValueError):
    pass


def raw_records(path: Path) -> Iterator[tuple[int, dict]]:
    suffix = path.suffix.lower()
    with open(path, encoding="utf-8", newline="") as handle:
        if suffix == ".csv":
            for number, row in enumerate(csv.DictReader(handle), start=2):
                yield number, {k: v for k, v in row.items() if v not in (None, "")}
        elif suffix in {".jsonl", ".ndjson"}:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield number, _json(line, path, number)
        elif suffix == ".json":
            data = _json(handle.read(), path, 1)
            for number, record in enumerate(data if isinstance(data, list) else [data], start=1):
                yield number, record
        else:
            raise BadRecord(f"{path}: unsupported file type {suffix!r} (use .json, .jsonl or .csv)")


def _json(text: str, path: Path, number: int):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadRecord(f"{path}:{number}: invalid JSON ({exc.msg})") from exc


def read_statements(path: str | Path) -> Iterator[dict]:
    """Validated statement dicts from ``path``; raises ``BadRecord`` on the first bad one."""
    path = Path(path)
    for number, record in raw_records(path):
        if isinstance(record.get("aliases"), str):
            record["aliases"] = [a.strip() for a in record["aliases"].split("|") if a.strip()]
        try:
            yield StatementIn.model_validate(record).model_dump()
        except (ValidationError, AttributeError) as exc:
            raise BadRecord(f"{path}:{number}: {exc}") from exc


def is_article_file(path: str | Path) -> bool:
    """Articles: .txt and .html files, and JSON Lines whose records have text but no actor."""
    path = Path(path)
    if path.suffix.lower() in {".txt", ".html", ".htm"}:
        return True
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        first = next(raw_records(path), (0, {}))[1]
        return isinstance(first, dict) and "text" in first and "actor" not in first
    return False


def read_articles(path: str | Path) -> Iterator[dict]:
    """Articles as ``DocumentIn`` dicts (text plus metadata); HTML is reduced to its main text. A .txt or
    .html file is one article, its name the title and source (``from_file`` says so)."""
    from .documents import decode_text
    from .extract import article_text_from_html

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in {".txt", ".html", ".htm"}:
        text = decode_text(path.read_bytes())
        if suffix != ".txt":
            text = article_text_from_html(text)
        yield {"text": text, "title": path.stem, "source": path.name, "url": None, "date": None, "from_file": True}
        return
    for number, record in raw_records(path):
        try:
            yield DocumentIn.model_validate(record).model_dump()
        except (ValidationError, AttributeError) as exc:
            raise BadRecord(f"{path}:{number}: {exc}") from exc
