"""Configuration: defaults, overridden by the environment, then by an explicit mapping (tests).

Every key can be set as an environment variable prefixed ``COUNTERCLAIM_``
(``COUNTERCLAIM_DATA_DIR=/srv/cc``). Values from the environment are parsed as
JSON when they look like JSON (numbers, booleans, lists), otherwise kept as text.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict = {
    # Where the SQLite store (the truth) and the FAISS index (derived) live.
    "DATA_DIR": str(ROOT / "indexes"),
    # Unset: the embedded store above. "postgresql://…": PostgreSQL + pgvector holds everything instead,
    # shared by every process pointed at it (no local files).
    "DATABASE_URL": "",
    # PostgreSQL connections per process, waits and timeouts (seconds unless named otherwise), and the
    # least HNSW search breadth (higher: better recall, slower; a query for k rows uses at least 2k).
    "PG_POOL_MIN": 1,
    "PG_POOL_MAX": 10,
    "PG_POOL_TIMEOUT": 10,
    "PG_CONNECT_TIMEOUT": 5,
    "PG_STATEMENT_TIMEOUT_MS": 30000,
    "PG_EF_SEARCH": 40,
    "FIXTURES_DIR": str(ROOT / "fixtures"),
    # Embedding model: the name recorded in the index, and the installed package that carries it.
    "EMBED_MODEL": "all-MiniLM-L6-v2",
    "EMBED_BATCH_SIZE": 64,
    # Contradiction scorer (service/scoring/registry.py): "judge" (same-point gate, fast stage,
    # nli-mpnet-base, calibrated verdict), "nli" (nli-mpnet-base alone) or "cues" (rule baseline).
    "SCORER": "judge",
    # Candidate generation for conflict edges at ingest time.
    "CANDIDATES_K": 5,
    "CANDIDATE_MIN_SIMILARITY": 0.30,
    # Topic queries: how many statements near the query to look at, and how near.
    "TOPIC_K": 50,
    "TOPIC_MIN_SIMILARITY": 0.25,
    # Largest request body accepted (the per-field limits are in service/schemas.py).
    "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    # Auth: API keys that may write; keys that may read (empty = reads are open).
    # With no write key configured, writes are open: fine on a laptop, never in production.
    "WRITE_KEYS": [],
    "READ_KEYS": [],
    # service.wsgi (gunicorn): load fixtures/ into an empty store at start (`serve` always does).
    "LOAD_FIXTURES": False,
}


def _parse_env_value(raw: str):
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def load_config(overrides: dict | None = None) -> dict:
    """Defaults, then ``COUNTERCLAIM_*`` environment variables, then explicit ``overrides``."""
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        raw = os.environ.get(f"COUNTERCLAIM_{key}")
        if raw is not None:
            config[key] = _parse_env_value(raw)
    config.update(overrides or {})
    return config
