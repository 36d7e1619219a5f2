"""Versioned schema of the PostgreSQL backend, applied at start-up.

Each entry is applied once, in order, inside one transaction, and recorded in
``schema_migrations``; an advisory lock makes concurrent starts (many API processes) wait for
each other instead of racing. Never edit a shipped entry: append a new one.
"""
from __future__ import annotations

import psycopg

from ..base import SchemaTooNew
from .queue import MIGRATION as QUEUE_MIGRATION

LOCK_KEY = 0x636C61696D  # "claim": the advisory lock taken while migrating

MIGRATIONS: list[str] = [
    # 1: the first schema. Ids compare byte-wise (COLLATE "C"), as Python orders them, so that an edge
    # stored as (a, b) with a < b is the same edge in both backends.
    """
    CREATE EXTENSION IF NOT EXISTS vector;
    CREATE TABLE actors (name text PRIMARY KEY, roles jsonb NOT NULL DEFAULT '[]', kind text);
    CREATE TABLE aliases (
        alias text NOT NULL,
        actor text NOT NULL REFERENCES actors(name) ON DELETE CASCADE
    );
    -- case-insensitive in ASCII only, as SQLite's NOCASE, whatever the server's locale
    CREATE UNIQUE INDEX aliases_alias ON aliases (lower(alias COLLATE "C"));
    CREATE TABLE documents (
        id text COLLATE "C" PRIMARY KEY, title text, source text NOT NULL DEFAULT '', url text, date text,
        text text NOT NULL, created_at double precision NOT NULL
    );
    CREATE TABLE statements (
        vid bigserial PRIMARY KEY,
        id text COLLATE "C" NOT NULL UNIQUE,
        actor text NOT NULL, text text NOT NULL, source text NOT NULL DEFAULT '',
        url text, date text, quote text, cue text,
        document_id text COLLATE "C" REFERENCES documents(id) ON DELETE CASCADE,
        start integer, "end" integer,
        created_at double precision NOT NULL
    );
    CREATE UNIQUE INDEX statements_content ON statements (md5(actor || chr(31) || text || chr(31) || source));
    CREATE INDEX statements_actor ON statements (actor);
    CREATE INDEX statements_document ON statements (document_id);
    CREATE TABLE vectors (
        vid bigint PRIMARY KEY REFERENCES statements(vid) ON DELETE CASCADE,
        model text NOT NULL,
        embedding vector(384) NOT NULL
    );
    CREATE INDEX vectors_hnsw ON vectors USING hnsw (embedding vector_cosine_ops);
    CREATE TABLE edges (
        a text COLLATE "C" NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
        b text COLLATE "C" NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
        label text NOT NULL, score double precision NOT NULL, similarity double precision NOT NULL,
        kind text NOT NULL, cues jsonb NOT NULL DEFAULT '[]', scorer text NOT NULL,
        created_at double precision NOT NULL,
        PRIMARY KEY (a, b),
        CHECK (a < b)
    );
    CREATE INDEX edges_b ON edges (b);
    CREATE TABLE audit (
        id bigserial PRIMARY KEY, at double precision NOT NULL, who text NOT NULL, action text NOT NULL,
        target text NOT NULL, detail jsonb NOT NULL DEFAULT '{}'
    );
    """,
    # 2: listing actors looks up each one's aliases (it was quadratic without this index).
    """
    CREATE INDEX aliases_actor ON aliases (actor);
    """,
    # 3: judging off the request path: the judging queue and bulk jobs (queue.py).
    QUEUE_MIGRATION,
    # 4: editors' reviews of pairs, kept apart from the edges so that re-judging never loses one.
    """
    CREATE TABLE reviews (
        a text COLLATE "C" NOT NULL, b text COLLATE "C" NOT NULL,
        status text NOT NULL CHECK (status IN ('confirmed', 'dismissed')),
        note text NOT NULL DEFAULT '', who text NOT NULL, at double precision NOT NULL,
        verdict jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (a, b),
        CHECK (a < b)
    );
    """,
    # 5: whom a claim is about when its speaker accuses, blames or characterises ("accused B of …").
    """
    ALTER TABLE statements ADD COLUMN target text;
    """,
]

EMBEDDING_DIM = 384  # the vector(…) column of migration 1


def migrate(conn: psycopg.Connection) -> int:
    """Bring the database to the newest schema; returns its version."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                     "(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        version = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]
        if version > len(MIGRATIONS):
            raise SchemaTooNew(f"database schema version {version} is newer than this code ({len(MIGRATIONS)})")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            conn.execute(script)
            conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (number,))
    return len(MIGRATIONS)
