"""Storage backends behind one boundary (``base.Storage``); ``open_storage`` picks one from the settings.

``database_url`` unset: the embedded store (SQLite + FAISS under ``DATA_DIR``, no server).
``database_url=postgresql://…``: PostgreSQL + pgvector, shared by any number of processes.
"""
from __future__ import annotations

from pathlib import Path

from .base import Storage

def open_storage(settings, model: str, dim: int) -> Storage:
    """The backend the settings name, its schema migrated, ready for ``model`` vectors of ``dim``."""
    url = settings.database_url
    if url.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStorage

        return PostgresStorage(url, model, dim, settings)
    if url:
        raise ValueError(f"DATABASE_URL: only postgresql:// URLs are supported, not {url.split(':', 1)[0]!r}")
    from .sqlite import SqliteStorage

    return SqliteStorage(Path(settings.data_dir), model, dim)
