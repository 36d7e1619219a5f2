"""The embedded backend: one SQLite file (the truth) and a FAISS index (derived) under ``DATA_DIR``.

The database runs in WAL mode with ``synchronous=FULL``, and every unit of work is one
``BEGIN IMMEDIATE`` transaction, so an acknowledged write survives a crash and a failed one
leaves nothing half-written. The schema is versioned (``PRAGMA user_version``) and migrated at
start-up.

The change log (``changes``) is an append-only sequence of vector additions and removals: the
FAISS index of each worker process records the last sequence number it applied and catches up
by reading what came after (``refresh``).
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from ..base import STATEMENT_COLUMNS, SchemaTooNew, chunks, edge_key
from .index import VectorIndex, open_index
from .queue import MIGRATION as QUEUE_MIGRATION, SqliteQueueReads, SqliteQueueWork

DATABASE_FILE = "store.sqlite3"
SQL_VARIABLES = 500  # ids per IN (…) list, well below SQLite's limit on bound variables

log = logging.getLogger(__name__)

MIGRATIONS = [
    # 1: the schema as first shipped (``IF NOT EXISTS``: stores made before versioning keep their data).
    """
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS actors (name TEXT PRIMARY KEY, roles TEXT NOT NULL DEFAULT '[]', kind TEXT);
    CREATE TABLE IF NOT EXISTS aliases (
        alias TEXT PRIMARY KEY COLLATE NOCASE,
        actor TEXT NOT NULL REFERENCES actors(name) ON DELETE CASCADE
    );
    CREATE TABLE IF NOT EXISTS documents (
        id TEXT PRIMARY KEY, title TEXT, source TEXT NOT NULL DEFAULT '', url TEXT, date TEXT,
        text TEXT NOT NULL, created_at REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS statements (
        vid INTEGER PRIMARY KEY AUTOINCREMENT,           -- the id in the vector index
        id TEXT NOT NULL UNIQUE,                         -- the public, stable id
        actor TEXT NOT NULL, text TEXT NOT NULL, source TEXT NOT NULL DEFAULT '',
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
        model TEXT NOT NULL, vector BLOB NOT NULL
    );
    CREATE TABLE IF NOT EXISTS edges (
        a TEXT NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
        b TEXT NOT NULL REFERENCES statements(id) ON DELETE CASCADE,
        label TEXT NOT NULL, score REAL NOT NULL, similarity REAL NOT NULL,
        kind TEXT NOT NULL,                              -- "cross" (two actors) or "flip" (same actor)
        cues TEXT NOT NULL DEFAULT '[]', scorer TEXT NOT NULL, created_at REAL NOT NULL,
        PRIMARY KEY (a, b)
    );
    CREATE INDEX IF NOT EXISTS edges_b ON edges(b);
    CREATE TABLE IF NOT EXISTS changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        op TEXT NOT NULL CHECK (op IN ('add', 'remove')),
        vid INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,
        target TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '{}'
    );
    """,
    # 2: listing actors looks up each one's aliases (it was quadratic: 19 s at 10k actors).
    """
    CREATE INDEX IF NOT EXISTS aliases_actor ON aliases(actor);
    """,
    # 3: judging off the request path: the judging queue and bulk jobs (queue.py).
    QUEUE_MIGRATION,
    # 4: editors' reviews of pairs, kept apart from the edges so that re-judging never loses one.
    """
    CREATE TABLE IF NOT EXISTS reviews (
        a TEXT NOT NULL, b TEXT NOT NULL,               -- the pair, a < b as in edges
        status TEXT NOT NULL CHECK (status IN ('confirmed', 'dismissed')),
        note TEXT NOT NULL DEFAULT '', who TEXT NOT NULL, at REAL NOT NULL,
        verdict TEXT NOT NULL DEFAULT '{}',               -- the pair as judged when reviewed
        PRIMARY KEY (a, b)
    );
    """,
    # 5: whom a claim is about when its speaker accuses, blames or characterises ("accused B of …").
    """
    ALTER TABLE statements ADD COLUMN target TEXT;
    """,
]


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations this database has not seen; returns its schema version."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise SchemaTooNew(f"store schema version {version} is newer than this code ({len(MIGRATIONS)})")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            for sql in filter(str.strip, script.split(";")):
                conn.execute(sql)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return len(MIGRATIONS)


class SqliteUnitOfWork(SqliteQueueWork):
    """Writes inside one SQLite transaction."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def upsert_actor(self, name, aliases=(), roles=(), kind=None) -> None:
        existing = self.conn.execute("SELECT roles FROM actors WHERE name = ?", (name,)).fetchone()
        merged_roles = sorted(set(json.loads(existing["roles"]) if existing else []) | set(roles))
        self.conn.execute(
            "INSERT INTO actors (name, roles, kind) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET roles = excluded.roles, kind = coalesce(excluded.kind, kind)",
            (name, json.dumps(merged_roles), kind))
        for alias in [name, *sorted(set(aliases) - {name})]:
            self.set_alias(alias, name)

    def set_alias(self, alias: str, actor: str) -> None:
        self.conn.execute(
            "INSERT INTO aliases (alias, actor) VALUES (?, ?) ON CONFLICT(alias) DO UPDATE SET actor = excluded.actor",
            (alias, actor))

    def find_statement(self, actor, text, source) -> str | None:
        return _find_statement(self.conn, actor, text, source)

    def statement_exists(self, statement_id_: str) -> bool:
        return self.conn.execute("SELECT 1 FROM statements WHERE id = ?", (statement_id_,)).fetchone() is not None

    def document_exists(self, doc_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def insert_document(self, doc: dict) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO documents (id, title, source, url, date, text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (doc["id"], doc.get("title"), doc.get("source") or "", doc.get("url"), doc.get("date"), doc["text"],
             time.time()))

    def insert_statements(self, statements: list[dict], model: str, vectors: np.ndarray) -> list[bool]:
        return [self._insert_statement(s, model, v) for s, v in zip(statements, vectors)]

    def _insert_statement(self, statement: dict, model: str, vector: np.ndarray) -> bool:
        if self.statement_exists(statement["id"]) or self.find_statement(
                statement["actor"], statement["text"], statement["source"]):
            return False
        columns = ", ".join(f'"{c}"' for c in STATEMENT_COLUMNS)
        cursor = self.conn.execute(
            f"INSERT INTO statements ({columns}, created_at) VALUES ({', '.join('?' * len(STATEMENT_COLUMNS))}, ?)",
            (*[statement.get(key) for key in STATEMENT_COLUMNS], time.time()))
        self._write_vector(int(cursor.lastrowid), model, vector)
        return True

    def set_vector(self, statement_id_: str, model: str, vector: np.ndarray) -> None:
        row = self.conn.execute("SELECT vid FROM statements WHERE id = ?", (statement_id_,)).fetchone()
        if row is not None:
            self._write_vector(row["vid"], model, vector)

    def _write_vector(self, vid: int, model: str, vector: np.ndarray) -> None:
        self.conn.execute("INSERT OR REPLACE INTO vectors (vid, model, vector) VALUES (?, ?, ?)",
                          (vid, model, np.asarray(vector, dtype=np.float32).tobytes()))
        self.conn.execute("INSERT INTO changes (op, vid) VALUES ('add', ?)", (vid,))

    def delete_statements(self, ids: Iterable[str]) -> int:
        """Remove statements (their vectors and edges cascade) and log the removals."""
        removed = 0
        for sid in ids:
            row = self.conn.execute("SELECT vid FROM statements WHERE id = ?", (sid,)).fetchone()
            if row is not None:
                self.conn.execute("DELETE FROM statements WHERE vid = ?", (row["vid"],))
                self.conn.execute("INSERT INTO changes (op, vid) VALUES ('remove', ?)", (row["vid"],))
                removed += 1
        return removed

    def delete_document(self, doc_id: str) -> int:
        ids = [r[0] for r in self.conn.execute("SELECT id FROM statements WHERE document_id = ?", (doc_id,))]
        removed = self.delete_statements(ids)
        self.conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        return removed

    def upsert_edges(self, edges: list[dict]) -> None:
        now = time.time()
        self.conn.executemany(
            """INSERT INTO edges (a, b, label, score, similarity, kind, cues, scorer, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(a, b) DO UPDATE SET label = excluded.label, score = excluded.score,
                   similarity = excluded.similarity, kind = excluded.kind, cues = excluded.cues,
                   scorer = excluded.scorer, created_at = excluded.created_at""",
            [(a, b, e["label"], e["score"], e["similarity"], e["kind"], json.dumps(cues), e["scorer"], now)
             for e in edges for a, b, cues in [edge_key(e)]])

    def clear_edges(self, before: int) -> None:
        self.conn.execute("DELETE FROM edges WHERE a IN (SELECT id FROM statements WHERE vid < ?) "
                          "AND b IN (SELECT id FROM statements WHERE vid < ?)", (before, before))

    def upsert_review(self, review: dict) -> None:
        self.conn.execute(
            """INSERT INTO reviews (a, b, status, note, who, at, verdict) VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(a, b) DO UPDATE SET status = excluded.status, note = excluded.note,
                   who = excluded.who, at = excluded.at, verdict = excluded.verdict""",
            (*sorted((review["a"], review["b"])), review["status"], review["note"], review["who"], review["at"],
             json.dumps(review["verdict"])))

    def audit(self, who, action, target, detail=None) -> None:
        self.conn.execute("INSERT INTO audit (at, who, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                          (time.time(), who, action, target, json.dumps(detail or {})))

    def copy_audit(self, rows: list[dict]) -> int:
        cursor = self.conn.executemany(
            "INSERT OR IGNORE INTO audit (id, at, who, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
            [(r["id"], r["at"], r["who"], r["action"], r["target"], json.dumps(r["detail"])) for r in rows])
        return cursor.rowcount


class SqliteStorage(SqliteQueueReads):
    """A SQLite database file (one connection per thread) and this process's FAISS index over it."""

    backend = "sqlite"

    def __init__(self, directory: Path, model: str, dim: int):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / DATABASE_FILE
        self.model, self.dim = model, dim
        self._local = threading.local()
        migrate(self.conn)
        self.index, how = open_index(self, self.directory, model, dim)
        log.info("index %s: %d vectors", how, len(self.index))
        self._last_save = time.monotonic()

    # -- connections and transactions --------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.path)
        return conn

    @contextmanager
    def unit_of_work(self) -> Iterator[SqliteUnitOfWork]:
        """One atomic write: committed as a whole or rolled back as a whole."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield SqliteUnitOfWork(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # also when COMMIT itself failed: never leave the write lock held
                conn.execute("ROLLBACK")
            raise
        self.refresh()
        self._maybe_checkpoint()

    def refresh(self) -> None:
        self.index.sync(self)

    def checkpoint(self) -> None:
        self.refresh()
        self.index.save(self.directory)
        self._last_save = time.monotonic()

    def rebuild_index(self) -> None:
        self.index = VectorIndex.rebuild(self, self.model, self.dim)
        self.index.save(self.directory)
        self._last_save = time.monotonic()

    def _maybe_checkpoint(self) -> None:
        # The index is a cache of the store: saving it only speeds up the next start, so not on every write.
        if time.monotonic() - self._last_save > 60:
            self.checkpoint()

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- vectors -----------------------------------------------------------------------
    def nearest(self, vectors: np.ndarray, k: int, before: int | None = None) -> list[list[tuple[dict, float]]]:
        if not len(self.index) or not len(vectors):
            return [[] for _ in range(len(vectors))]
        sims, vids = self.index.search(vectors, k, before=before)
        statements = self.statements_by_vid(v for v in vids.ravel().tolist() if v >= 0)
        return [[(statements[v], float(s)) for s, v in zip(row_sims, row_vids) if v in statements]
                for row_sims, row_vids in zip(sims, vids.tolist())]

    def vector_count(self) -> int:
        return len(self.index)

    def statements_without_vector(self, model: str) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            "SELECT s.id, s.text FROM statements s LEFT JOIN vectors v ON v.vid = s.vid AND v.model = ? "
            "WHERE v.vid IS NULL ORDER BY s.vid", (model,)).fetchall()
        return [(r["id"], r["text"]) for r in rows]

    def iter_statement_vectors(self, model: str, batch: int) -> Iterator[tuple[int, int, list[dict], np.ndarray]]:
        last = 0
        while True:
            rows = self.conn.execute(
                "SELECT s.*, v.vector FROM statements s JOIN vectors v ON v.vid = s.vid AND v.model = ? "
                "WHERE s.vid > ? ORDER BY s.vid LIMIT ?", (model, last, batch)).fetchall()
            if not rows:
                return
            yield (rows[0]["vid"], rows[-1]["vid"], [_statement(r) for r in rows],
                   np.vstack([np.frombuffer(r["vector"], dtype=np.float32) for r in rows]))
            last = rows[-1]["vid"]

    # what the FAISS index reads to build and catch up
    def vectors(self, model: str) -> tuple[np.ndarray, np.ndarray | None]:
        rows = self.conn.execute("SELECT vid, vector FROM vectors WHERE model = ? ORDER BY vid", (model,)).fetchall()
        ids = np.array([r["vid"] for r in rows], dtype=np.int64)
        return ids, (np.vstack([np.frombuffer(r["vector"], dtype=np.float32) for r in rows]) if rows else None)

    def vector_ids(self) -> set[int]:
        return {r[0] for r in self.conn.execute("SELECT vid FROM vectors WHERE model = ?", (self.model,))}

    def vectors_for(self, vids: Iterable[int]) -> dict[int, np.ndarray]:
        found: dict[int, np.ndarray] = {}
        for chunk in chunks((int(v) for v in vids), SQL_VARIABLES):
            rows = self.conn.execute(
                f"SELECT vid, vector FROM vectors WHERE model = ? AND vid IN ({_marks(chunk)})", [self.model, *chunk])
            found.update({r["vid"]: np.frombuffer(r["vector"], dtype=np.float32) for r in rows})
        return found

    def last_change(self) -> int:
        return self.conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]

    def changes_after(self, seq: int, limit: int = 10_000) -> list[tuple[int, str, int]]:
        """The next ``limit`` changes after ``seq`` (a page: a reader far behind catches up page by page)."""
        return [tuple(r) for r in self.conn.execute("SELECT seq, op, vid FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
                                                    (seq, limit))]

    # -- actors ------------------------------------------------------------------------
    def canonical_actors(self, names: Iterable[str]) -> dict[str, str]:
        found = {}
        for name in set(names):
            row = self.conn.execute("SELECT actor FROM aliases WHERE alias = ?", (name,)).fetchone()
            if row:
                found[name] = row["actor"]
        return found

    def actors(self) -> list[dict]:
        rows = self.conn.execute(
            """SELECT a.name, a.roles, a.kind,
                      (SELECT json_group_array(alias) FROM aliases WHERE actor = a.name AND alias != a.name) AS aliases,
                      (SELECT count(*) FROM statements WHERE actor = a.name) AS statements
               FROM actors a ORDER BY a.name""").fetchall()
        return [{"name": r["name"], "aliases": sorted(json.loads(r["aliases"])), "roles": json.loads(r["roles"]),
                 "kind": r["kind"], "statements": r["statements"]} for r in rows]

    # -- statements --------------------------------------------------------------------
    def find_statements(self, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], str]:
        found = {}
        for key in keys:
            statement_id_ = _find_statement(self.conn, *key)
            if statement_id_:
                found[key] = statement_id_
        return found

    def get_statement(self, statement_id_: str) -> dict | None:
        row = self.conn.execute("SELECT * FROM statements WHERE id = ?", (statement_id_,)).fetchone()
        return _statement(row) if row else None

    def statements_by_vid(self, vids: Iterable[int]) -> dict[int, dict]:
        found: dict[int, dict] = {}
        for chunk in chunks((int(v) for v in vids), SQL_VARIABLES):
            rows = self.conn.execute(f"SELECT * FROM statements WHERE vid IN ({_marks(chunk)})", chunk)
            found.update({r["vid"]: _statement(r) for r in rows})
        return found

    def statements_by_id(self, ids: Iterable[str]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for chunk in chunks(ids, SQL_VARIABLES):
            rows = self.conn.execute(f"SELECT * FROM statements WHERE id IN ({_marks(chunk)})", chunk)
            found.update({r["id"]: _statement(r) for r in rows})
        return found

    def count_statements(self) -> int:
        return self.conn.execute("SELECT count(*) FROM statements").fetchone()[0]

    # -- documents ---------------------------------------------------------------------
    def get_document(self, doc_id: str) -> dict | None:
        row = self.conn.execute("SELECT id, title, source, url, date, text FROM documents WHERE id = ?",
                                (doc_id,)).fetchone()
        return dict(row) if row else None

    def document_statement_ids(self, doc_id: str) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM statements WHERE document_id = ? ORDER BY start NULLS LAST, vid",
                                                (doc_id,))]

    def iter_documents(self) -> Iterator[dict]:
        for row in self.conn.execute("SELECT id, title, source, url, date, text FROM documents ORDER BY created_at, id"):
            yield dict(row)

    # -- edges -------------------------------------------------------------------------
    def edges_touching(self, ids: Iterable[str], label: str | None = None, min_score: float = 0.0) -> list[dict]:
        found: dict[tuple[str, str], dict] = {}  # an edge between two chunks is met twice
        for chunk in chunks(dict.fromkeys(ids), SQL_VARIABLES // 2):
            sql = f"SELECT * FROM edges WHERE (a IN ({_marks(chunk)}) OR b IN ({_marks(chunk)})) AND score >= ?"
            params: list = [*chunk, *chunk, min_score]
            if label:
                sql += " AND label = ?"
                params.append(label)
            for row in self.conn.execute(sql, params):
                found[(row["a"], row["b"])] = _edge(row)
        return list(found.values())

    def iter_edges(self, batch: int = 1000) -> Iterator[list[dict]]:
        last = ("", "")
        while True:
            rows = self.conn.execute("SELECT * FROM edges WHERE (a, b) > (?, ?) ORDER BY a, b LIMIT ?",
                                     (*last, batch)).fetchall()
            if not rows:
                return
            yield [_edge(r) for r in rows]
            last = (rows[-1]["a"], rows[-1]["b"])

    def reviews_of(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        found = {}
        for pair in {tuple(sorted(p)) for p in pairs}:
            row = self.conn.execute("SELECT * FROM reviews WHERE a = ? AND b = ?", pair).fetchone()
            if row:
                found[pair] = _review(row)
        return found

    def iter_reviews(self) -> Iterator[dict]:
        for row in self.conn.execute("SELECT * FROM reviews ORDER BY at, a, b"):
            yield _review(row)

    def count_edges(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT label, count(*) FROM edges GROUP BY label")}

    # -- audit -------------------------------------------------------------------------
    def audit_log(self, limit: int = 100, after_id: int = 0, oldest_first: bool = False) -> list[dict]:
        order = "ASC" if oldest_first else "DESC"
        rows = self.conn.execute(f"SELECT * FROM audit WHERE id > ? ORDER BY id {order} LIMIT ?",
                                 (after_id, limit)).fetchall()
        return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]


def _find_statement(conn: sqlite3.Connection, actor: str, text: str, source: str) -> str | None:
    row = conn.execute("SELECT id FROM statements WHERE actor = ? AND text = ? AND source = ?",
                       (actor, text, source)).fetchone()
    return row["id"] if row else None


def _statement(row: sqlite3.Row) -> dict:
    return {key: row[key] for key in STATEMENT_COLUMNS}


def _review(row: sqlite3.Row) -> dict:
    return {"a": row["a"], "b": row["b"], "status": row["status"], "note": row["note"], "who": row["who"],
            "at": row["at"], "verdict": json.loads(row["verdict"])}


def _edge(row: sqlite3.Row) -> dict:
    return {key: row[key] for key in ("a", "b", "label", "score", "similarity", "kind", "scorer")} | {
        "cues": json.loads(row["cues"])}


def _marks(values: list) -> str:
    return ", ".join("?" * len(values))
