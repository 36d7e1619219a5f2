"""Loading the bundled fixtures (actors, statements, articles) into an empty store."""
from __future__ import annotations

import json
from pathlib import Path

from .ingest_files import read_statements


def load_fixtures(engine, directory: str | Path) -> dict:
    """Actors first (so aliases resolve), then statements, then articles; returns counts."""
    directory = Path(directory)
    counts = {"actors": 0, "statements": 0, "documents": 0, "extracted": 0}
    actors_file = directory / "actors.json"
    if actors_file.exists():
        registry = json.loads(actors_file.read_text())
        actors = [{"name": name, **spec} for name, spec in registry.items()]
        engine.update_actors(actors)
        counts["actors"] = len(actors)
    statements_file = directory / "statements.jsonl"
    if statements_file.exists():
        results = engine.ingest(list(read_statements(statements_file)))
        counts["statements"] = sum(r.created for r in results)
    articles = directory / "articles" / "articles.json"
    if articles.exists():
        for name, meta in json.loads(articles.read_text()).items():
            result = engine.ingest_document((articles.parent / name).read_text(encoding="utf-8"), **meta)
            counts["documents"] += 1
            counts["extracted"] += len(result["statements"])
    return counts
