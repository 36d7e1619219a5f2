"""SQLite statement store: the source of truth.

Holds actors and their aliases, documents, statements with their embedding vectors,
conflict edges, a change log, and an audit trail. The FAISS index is derived from it and can
always be rebuilt from it. The database runs in WAL mode with ``synchronous=FULL``, and every
ingest is one transaction, so an acknowledged write survives a crash and a failed one leaves
nothing half-written.

The change log (``changes``) is an append-only sequence of vector additions and removals: an
index (in any worker process) records the last sequence number it applied and catches up by
reading what came after.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS actors (
    name TEXT PRIMARY KEY,
    roles TEXT NOT NULL DEFAULT '[]',
    kind TEXT                                        -- "person", "org", "country" (optional)
);
CREATE TABLE IF NOT EXISTS aliases (
    alias TEXT PRIMARY KEY COLLATE NOCASE,
    actor TEXT NOT NULL REFERENCES actors(name) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    title TEXT, source TEXT NOT NULL DEFAULT '', url TEXT, date TEXT,
    text TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS statements (
    vid INTEGER PRIMARY KEY AUTOINCREMENT,           -- the id in the vector index
    id TEXT NOT NULL UNIQUE,                         -- the public, stable id
    actor TEXT NOT NULL,
    text TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    url TEXT, date TEXT, quote TEXT, cue TEXT,
    document_id TEXT REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER, "end" INTEGER,
    created_at REAL NOT NULL,
    UNIQUE (actor, text, source)
);
CREATE INDEX IF NOT EXISTS statements_actor ON statements(actor);
CREATE INDEX IF NOT EXISTS statements_document ON statements(document_id);
CREATE TABLE IF NOT EXISTS vectors (
    vid INTEGER PRIMARY KEY REFERENCES statements(vid) ON DELETE CASCADE,
    model TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS edges (
    a TEXT NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    b TEXT NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    score REAL NOT NULL,
    similarity REAL NOT NULL,
    kind TEXT NOT NULL,                              -- "cross" (two actors) or "flip" (same actor)
    cues TEXT NOT NULL DEFAULT '[]',
    scorer TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (a, b)
);
CREATE INDEX IF NOT EXISTS edges_b ON edges(b);
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op TEXT NOT NULL CHECK (op IN ('add', 'remove')),
    vid INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
"""

STATEMENT_COLUMNS = ("id", "actor", "text", "source", "url", "date", "quote", "cue", "document_id", "start", "end")


def normalise_text(text: str) -> str:
    """Unicode NFC and collapsed whitespace: the form in which statements are stored."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def statement_id(actor: str, text: str, source: str) -> str:
    """Stable id: the same actor, text and source always give the same id."""
    digest = hashlib.sha256(f"{actor}\x1f{text}\x1f{source}".encode("utf-8")).hexdigest()
    return f"st_{digest[:16]}"


def document_id(text: str, source: str) -> str:
    digest = hashlib.sha256(f"{source}\x1f{text}".encode("utf-8")).hexdigest()
    return f"doc_{digest[:16]}"


def row_to_statement(row: sqlite3.Row) -> dict:
    return {key: row[key] for key in STATEMENT_COLUMNS}


class Store:
    """A SQLite database file; one connection per thread."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.conn.executescript(SCHEMA)

    # -- connections -------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: committed as a whole or rolled back as a whole."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- actors ------------------------------------------------------------------------
    def upsert_actor(self, conn: sqlite3.Connection, name: str, aliases: Iterable[str] = (), roles: Iterable[str] = (),
                     kind: str | None = None) -> None:
        existing = conn.execute("SELECT roles FROM actors WHERE name = ?", (name,)).fetchone()
        merged_roles = sorted(set(json.loads(existing["roles"]) if existing else []) | set(roles))
        conn.execute(
            "INSERT INTO actors (name, roles, kind) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET roles = excluded.roles, kind = coalesce(excluded.kind, kind)",
            (name, json.dumps(merged_roles), kind),
        )
        for alias in {name, *aliases}:
            conn.execute(
                "INSERT INTO aliases (alias, actor) VALUES (?, ?) ON CONFLICT(alias) DO UPDATE SET actor = excluded.actor",
                (alias, name),
            )

    def actors(self) -> list[dict]:
        rows = self.conn.execute(
            """SELECT a.name, a.roles, a.kind,
                      (SELECT json_group_array(alias) FROM aliases WHERE actor = a.name AND alias != a.name) AS aliases,
                      (SELECT count(*) FROM statements WHERE actor = a.name) AS statements
               FROM actors a ORDER BY a.name"""
        ).fetchall()
        return [
            {"name": r["name"], "aliases": sorted(json.loads(r["aliases"])), "roles": json.loads(r["roles"]),
             "kind": r["kind"], "statements": r["statements"]}
            for r in rows
        ]

    def delete_actor(self, conn: sqlite3.Connection, name: str) -> bool:
        return conn.execute("DELETE FROM actors WHERE name = ?", (name,)).rowcount > 0

    def canonical_actor(self, name: str) -> str | None:
        row = self.conn.execute("SELECT actor FROM aliases WHERE alias = ?", (name,)).fetchone()
        return row["actor"] if row else None

    # -- statements --------------------------------------------------------------------
    def find_statement_vid(self, conn: sqlite3.Connection, actor: str, text: str, source: str) -> tuple[str, int] | None:
        row = conn.execute(
            "SELECT id, vid FROM statements WHERE actor = ? AND text = ? AND source = ?", (actor, text, source)
        ).fetchone()
        return (row["id"], row["vid"]) if row else None

    def insert_statement(self, conn: sqlite3.Connection, statement: dict, model: str, vector: np.ndarray) -> int:
        """Insert one statement with its vector and log the addition; returns its vector id."""
        values = [statement.get(key) for key in STATEMENT_COLUMNS]
        cursor = conn.execute(
            f"INSERT INTO statements ({', '.join(map(_quoted, STATEMENT_COLUMNS))}, created_at) "
            f"VALUES ({', '.join('?' * len(STATEMENT_COLUMNS))}, ?)",
            (*values, time.time()),
        )
        vid = int(cursor.lastrowid)
        conn.execute("INSERT INTO vectors (vid, model, vector) VALUES (?, ?, ?)",
                     (vid, model, np.asarray(vector, dtype=np.float32).tobytes()))
        conn.execute("INSERT INTO changes (op, vid) VALUES ('add', ?)", (vid,))
        return vid

    def get_statement(self, statement_id_: str) -> dict | None:
        row = self.conn.execute("SELECT * FROM statements WHERE id = ?", (statement_id_,)).fetchone()
        return row_to_statement(row) if row else None

    def statements_by_vid(self, vids: Iterable[int]) -> dict[int, dict]:
        vids = [int(v) for v in vids]
        if not vids:
            return {}
        rows = self.conn.execute(
            f"SELECT * FROM statements WHERE vid IN ({', '.join('?' * len(vids))})", vids
        ).fetchall()
        return {r["vid"]: row_to_statement(r) for r in rows}

    def statements_by_id(self, ids: Iterable[str]) -> dict[str, dict]:
        ids = list(ids)
        found: dict[str, dict] = {}
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start:chunk_start + 500]
            rows = self.conn.execute(
                f"SELECT * FROM statements WHERE id IN ({', '.join('?' * len(chunk))})", chunk
            ).fetchall()
            found.update({r["id"]: row_to_statement(r) for r in rows})
        return found

    def vid_of(self, statement_id_: str) -> int | None:
        row = self.conn.execute("SELECT vid FROM statements WHERE id = ?", (statement_id_,)).fetchone()
        return row["vid"] if row else None

    def count_statements(self) -> int:
        return self.conn.execute("SELECT count(*) FROM statements").fetchone()[0]

    def delete_statements(self, conn: sqlite3.Connection, ids: Iterable[str]) -> list[int]:
        """Remove statements (their vectors and edges cascade) and log the removals."""
        removed = []
        for sid in ids:
            row = conn.execute("SELECT vid FROM statements WHERE id = ?", (sid,)).fetchone()
            if row is None:
                continue
            conn.execute("DELETE FROM statements WHERE vid = ?", (row["vid"],))
            conn.execute("INSERT INTO changes (op, vid) VALUES ('remove', ?)", (row["vid"],))
            removed.append(int(row["vid"]))
        return removed

    # -- vectors and the change log ----------------------------------------------------
    def vectors(self, model: str, after_vid: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """All stored vectors of ``model`` (ids, matrix), in vid order."""
        rows = self.conn.execute(
            "SELECT vid, vector FROM vectors WHERE model = ? AND vid > ? ORDER BY vid", (model, after_vid)
        ).fetchall()
        ids = np.array([r["vid"] for r in rows], dtype=np.int64)
        matrix = np.vstack([np.frombuffer(r["vector"], dtype=np.float32) for r in rows]) if rows else None
        return ids, matrix

    def vector_ids(self) -> set[int]:
        return {r[0] for r in self.conn.execute("SELECT vid FROM vectors")}

    def vectors_for(self, vids: Iterable[int]) -> dict[int, np.ndarray]:
        vids = [int(v) for v in vids]
        if not vids:
            return {}
        rows = self.conn.execute(
            f"SELECT vid, vector FROM vectors WHERE vid IN ({', '.join('?' * len(vids))})", vids
        ).fetchall()
        return {r["vid"]: np.frombuffer(r["vector"], dtype=np.float32) for r in rows}

    def last_change(self) -> int:
        return self.conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]

    def changes_after(self, seq: int) -> list[tuple[int, str, int]]:
        return [tuple(r) for r in self.conn.execute(
            "SELECT seq, op, vid FROM changes WHERE seq > ? ORDER BY seq", (seq,))]

    # -- documents ---------------------------------------------------------------------
    def insert_document(self, conn: sqlite3.Connection, doc: dict) -> None:
        conn.execute(
            "INSERT OR IGNORE INTO documents (id, title, source, url, date, text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (doc["id"], doc.get("title"), doc.get("source") or "", doc.get("url"), doc.get("date"), doc["text"], time.time()),
        )

    def get_document(self, doc_id: str) -> dict | None:
        row = self.conn.execute("SELECT id, title, source, url, date, text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return dict(row) if row else None

    def document_statement_ids(self, doc_id: str) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM statements WHERE document_id = ? ORDER BY start", (doc_id,))]

    def delete_document(self, conn: sqlite3.Connection, doc_id: str) -> list[int]:
        ids = [r[0] for r in conn.execute("SELECT id FROM statements WHERE document_id = ?", (doc_id,))]
        removed = self.delete_statements(conn, ids)
        conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        return removed

    # -- edges -------------------------------------------------------------------------
    def upsert_edge(self, conn: sqlite3.Connection, edge: dict) -> None:
        a, b = sorted((edge["a"], edge["b"]))
        conn.execute(
            """INSERT INTO edges (a, b, label, score, similarity, kind, cues, scorer, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(a, b) DO UPDATE SET label = excluded.label, score = excluded.score,
                   similarity = excluded.similarity, kind = excluded.kind, cues = excluded.cues,
                   scorer = excluded.scorer, created_at = excluded.created_at""",
            (a, b, edge["label"], edge["score"], edge["similarity"], edge["kind"],
             json.dumps(edge["cues"] if a == edge["a"] else [_swap_cue(c) for c in edge["cues"]]),
             edge["scorer"], time.time()),
        )

    def edges_touching(self, ids: Iterable[str], label: str | None = None, min_score: float = 0.0) -> list[dict]:
        ids = list(ids)
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        sql = f"SELECT * FROM edges WHERE (a IN ({marks}) OR b IN ({marks})) AND score >= ?"
        params: list = [*ids, *ids, min_score]
        if label:
            sql += " AND label = ?"
            params.append(label)
        return [_edge_row(r) for r in self.conn.execute(sql, params)]

    def clear_edges(self, conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM edges")

    def count_edges(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT label, count(*) FROM edges GROUP BY label")}

    # -- audit and meta ----------------------------------------------------------------
    def audit(self, conn: sqlite3.Connection, who: str, action: str, target: str, detail: dict | None = None) -> None:
        conn.execute("INSERT INTO audit (at, who, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                     (time.time(), who, action, target, json.dumps(detail or {})))

    def audit_log(self, limit: int = 100) -> list[dict]:
        rows = self.conn.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]


def _quoted(column: str) -> str:
    return f'"{column}"'


def _swap_cue(cue: dict) -> dict:
    return {**cue, "a": cue.get("b", ""), "b": cue.get("a", "")}


def _edge_row(row: sqlite3.Row) -> dict:
    return {**dict(row), "cues": json.loads(row["cues"])}
