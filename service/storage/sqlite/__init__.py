"""The embedded backend: SQLite (truth) + FAISS (derived), the default; no server to run."""
from .store import SqliteStorage  # noqa: F401
