"""The server backend: PostgreSQL + pgvector (``DATABASE_URL=postgresql://…``)."""
from .store import PostgresStorage  # noqa: F401
