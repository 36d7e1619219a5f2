"""The server backend: PostgreSQL + pgvector, shared by any number of API processes on any hosts.

Statements, vectors (``vector(384)``, HNSW index, cosine), edges, documents, actors and the
audit trail all live in the database; there are no local files, so a write through one process
is visible to every other at once. Connections come from a pool (psycopg 3) with a bounded size,
connect timeout and statement timeout; a database that cannot be reached raises
``StorageUnavailable`` (the API answers 503), and a unit of work is one transaction, so nothing
is ever half-written. Concurrent writers lock rows in one order (actors, then statements, then
edges by id), and a transaction the server still aborts (deadlock, serialisation) raises
``TransientConflict`` for the caller to retry.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterable, Iterator

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout

from ..base import STATEMENT_COLUMNS, StorageUnavailable, TransientConflict, edge_key
from .migrations import EMBEDDING_DIM, migrate
from .queue import PostgresQueueReads, PostgresQueueWork

MAX_EF_SEARCH = 1000  # pgvector's limit
STATEMENT_SELECT = ", ".join(f's."{c}"' for c in STATEMENT_COLUMNS)


def content_key(table: str) -> str:
    """The expression of the unique index ``statements_content`` (migration 1), so that lookups use it."""
    return f"md5({table}.actor || chr(31) || {table}.text || chr(31) || {table}.source)"


FIND_BY_CONTENT = (
    "SELECT s.id, s.actor, s.text, s.source FROM unnest(%s::text[], %s::text[], %s::text[]) AS k(actor, text, source) "
    f"JOIN statements s ON {content_key('s')} = {content_key('k')} "
    "AND s.actor = k.actor AND s.text = k.text AND s.source = k.source")


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info.pop("password", None)
    return psycopg.conninfo.make_conninfo(**info)


@contextmanager
def translated_errors(url: str) -> Iterator[None]:
    """Database failures as the storage boundary's errors."""
    try:
        yield
    except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure) as exc:
        raise TransientConflict(str(exc)) from exc
    except PoolTimeout as exc:
        raise StorageUnavailable(f"no database connection free or reachable ({redact(url)}): {exc}") from exc
    except psycopg.OperationalError as exc:
        if not _is_unavailability(exc):
            raise  # e.g. a value over an index's size limit: a bug to fix, not a reason to retry later
        raise StorageUnavailable(f"database unavailable ({redact(url)}): {exc}") from exc


def _is_unavailability(exc: psycopg.OperationalError) -> bool:
    """Connection lost or refused, server shutting down or out of resources, statement timeout."""
    return exc.sqlstate is None or exc.sqlstate[:2] in ("08", "53", "57", "58")


class PostgresUnitOfWork(PostgresQueueWork):
    """Writes inside one PostgreSQL transaction."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn

    def upsert_actor(self, name, aliases=(), roles=(), kind=None) -> None:
        self.conn.execute(
            "INSERT INTO actors (name, roles, kind) VALUES (%s, %s, %s) ON CONFLICT (name) DO UPDATE SET "
            "roles = (SELECT coalesce(jsonb_agg(DISTINCT r COLLATE \"C\" ORDER BY r COLLATE \"C\"), '[]') FROM jsonb_array_elements_text("
            "actors.roles || excluded.roles) r), kind = coalesce(excluded.kind, actors.kind)",
            (name, Jsonb(sorted(set(roles))), kind))
        for alias in [name, *sorted(set(aliases) - {name})]:
            self.set_alias(alias, name)

    def set_alias(self, alias: str, actor: str) -> None:
        self.conn.execute("INSERT INTO aliases (alias, actor) VALUES (%s, %s) "
                          'ON CONFLICT ((lower(alias COLLATE "C"))) DO UPDATE SET actor = excluded.actor', (alias, actor))

    def find_statement(self, actor, text, source) -> str | None:
        return _find_statement(self.conn, actor, text, source)

    def statement_exists(self, statement_id_: str) -> bool:
        return self.conn.execute("SELECT 1 FROM statements WHERE id = %s", (statement_id_,)).fetchone() is not None

    def document_exists(self, doc_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM documents WHERE id = %s", (doc_id,)).fetchone() is not None

    def insert_document(self, doc: dict) -> None:
        self.conn.execute(
            "INSERT INTO documents (id, title, source, url, date, text, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (id) DO NOTHING",
            (doc["id"], doc.get("title"), doc.get("source") or "", doc.get("url"), doc.get("date"), doc["text"],
             time.time()))

    def insert_statements(self, statements: list[dict], model: str, vectors: np.ndarray) -> list[bool]:
        # One statement per row, statement and vector together, pipelined by executemany.
        columns = ", ".join(f'"{c}"' for c in STATEMENT_COLUMNS)
        sql = (f"WITH s AS (INSERT INTO statements ({columns}, created_at) "
               f"VALUES ({', '.join(['%s'] * len(STATEMENT_COLUMNS))}, %s) ON CONFLICT DO NOTHING RETURNING vid) "
               "INSERT INTO vectors (vid, model, embedding) SELECT vid, %s, %s FROM s RETURNING vid")
        now = time.time()
        rows = [(*[s.get(key) for key in STATEMENT_COLUMNS], now, model, np.asarray(v, dtype=np.float32))
                for s, v in zip(statements, vectors)]
        if not rows:
            return []
        with self.conn.cursor() as cursor:
            cursor.executemany(sql, rows, returning=True)
            created = []
            while True:
                created.append(cursor.fetchone() is not None)
                if not cursor.nextset():
                    return created

    def set_vector(self, statement_id_: str, model: str, vector: np.ndarray) -> None:
        self.conn.execute(
            "INSERT INTO vectors (vid, model, embedding) SELECT vid, %s, %s FROM statements WHERE id = %s "
            "ON CONFLICT (vid) DO UPDATE SET model = excluded.model, embedding = excluded.embedding",
            (model, np.asarray(vector, dtype=np.float32), statement_id_))

    def delete_statements(self, ids: Iterable[str]) -> int:
        ids = sorted(set(ids))
        return self.conn.execute("DELETE FROM statements WHERE id = ANY(%s)", (ids,)).rowcount if ids else 0

    def delete_document(self, doc_id: str) -> int:
        removed = self.conn.execute("DELETE FROM statements WHERE document_id = %s", (doc_id,)).rowcount
        self.conn.execute("DELETE FROM documents WHERE id = %s", (doc_id,))
        return removed

    def upsert_edges(self, edges: list[dict]) -> None:
        if not edges:
            return
        now = time.time()
        with self.conn.cursor() as cursor:
            cursor.executemany(
                """INSERT INTO edges (a, b, label, score, similarity, kind, cues, scorer, created_at)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
                   ON CONFLICT (a, b) DO UPDATE SET label = excluded.label, score = excluded.score,
                       similarity = excluded.similarity, kind = excluded.kind, cues = excluded.cues,
                       scorer = excluded.scorer, created_at = excluded.created_at""",
                [(a, b, e["label"], e["score"], e["similarity"], e["kind"], Jsonb(cues), e["scorer"], now)
                 for e in edges for a, b, cues in [edge_key(e)]])

    def clear_edges(self, before: int) -> None:
        self.conn.execute("DELETE FROM edges e USING statements sa, statements sb "
                          "WHERE sa.id = e.a AND sb.id = e.b AND sa.vid < %s AND sb.vid < %s", (before, before))

    def upsert_review(self, review: dict) -> None:
        self.conn.execute(
            """INSERT INTO reviews (a, b, status, note, who, at, verdict) VALUES (%s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (a, b) DO UPDATE SET status = excluded.status, note = excluded.note,
                   who = excluded.who, at = excluded.at, verdict = excluded.verdict""",
            (*sorted((review["a"], review["b"])), review["status"], review["note"], review["who"], review["at"],
             Jsonb(review["verdict"])))

    def audit(self, who, action, target, detail=None) -> None:
        self.conn.execute("INSERT INTO audit (at, who, action, target, detail) VALUES (%s, %s, %s, %s, %s)",
                          (time.time(), who, action, target, Jsonb(detail or {})))

    def copy_audit(self, rows: list[dict]) -> int:
        copied = 0
        for r in rows:
            copied += self.conn.execute(
                "INSERT INTO audit (id, at, who, action, target, detail) VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (id) DO NOTHING", (r["id"], r["at"], r["who"], r["action"], r["target"],
                                                Jsonb(r["detail"]))).rowcount
        # Later audit rows must not reuse the copied ids.
        self.conn.execute("SELECT setval(pg_get_serial_sequence('audit', 'id'), coalesce(max(id), 1), "
                          "max(id) IS NOT NULL) FROM audit")
        return copied


class PostgresStorage(PostgresQueueReads):
    """A pool of connections to one PostgreSQL database."""

    backend = "postgresql"

    def __init__(self, url: str, model: str, dim: int, settings):
        if dim != EMBEDDING_DIM:
            raise ValueError(f"the PostgreSQL schema stores {EMBEDDING_DIM}-dimensional vectors, not {dim}")
        self.url, self.model = url, model
        self.ef_search = settings.pg_ef_search
        connect_timeout = settings.pg_connect_timeout
        with translated_errors(url):
            with psycopg.connect(url, autocommit=True, connect_timeout=connect_timeout) as conn:
                migrate(conn)
        self.pool = ConnectionPool(
            url, min_size=settings.pg_pool_min, max_size=settings.pg_pool_max,
            timeout=settings.pg_pool_timeout, open=False, configure=self._configure,
            check=ConnectionPool.check_connection,  # a connection the server dropped is replaced, not used
            kwargs={"autocommit": True, "connect_timeout": connect_timeout,
                    "options": f"-c statement_timeout={settings.pg_statement_timeout_ms}"})
        with translated_errors(url):
            self.pool.open(wait=True, timeout=settings.pg_pool_timeout)

    def _configure(self, conn: psycopg.Connection) -> None:
        register_vector(conn)
        # Filtered nearest-neighbour queries (model, insertion order) keep scanning until k rows pass.
        conn.execute("SET hnsw.iterative_scan = relaxed_order")
        # psycopg prepares a query it has run five times, and the server then switches to a generic
        # plan; for nearest() that plan scans every vector (8 ms instead of 1 ms per statement at 40k).
        conn.execute("SET plan_cache_mode = force_custom_plan")

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        with translated_errors(self.url), self.pool.connection() as conn:
            yield conn

    @contextmanager
    def unit_of_work(self) -> Iterator[PostgresUnitOfWork]:
        with self._connection() as conn, conn.transaction():
            yield PostgresUnitOfWork(conn)

    def refresh(self) -> None:
        """Every read goes to the server: nothing to catch up with."""

    def checkpoint(self) -> None:
        """Nothing derived lives outside the database."""

    def rebuild_index(self) -> None:
        with self._connection() as conn:
            conn.execute("REINDEX INDEX vectors_hnsw")

    def close(self) -> None:
        self.pool.close()

    # -- vectors -----------------------------------------------------------------------
    def nearest(self, vectors: np.ndarray, k: int, before: int | None = None) -> list[list[tuple[dict, float]]]:
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        if not len(vectors):
            return []
        order_filter = "AND v.vid < %(before)s" if before is not None else ""
        sql = f"""
            SELECT q.i, n.distance, {STATEMENT_SELECT}
            FROM unnest(%(queries)s::vector[]) WITH ORDINALITY AS q(embedding, i)
            CROSS JOIN LATERAL (
                SELECT v.vid, v.embedding <=> q.embedding AS distance FROM vectors v
                WHERE v.model = %(model)s {order_filter}
                ORDER BY v.embedding <=> q.embedding LIMIT %(k)s
            ) n JOIN statements s ON s.vid = n.vid"""
        params = {"queries": list(vectors), "model": self.model, "before": before, "k": int(k)}
        found: list[list[tuple[dict, float]]] = [[] for _ in range(len(vectors))]
        with self._connection() as conn, conn.transaction(), conn.cursor() as cursor:
            # The HNSW candidate list: at least twice k (k = 50 for a topic query), small for ingest's k;
            # pgvector's ceiling is 1000, and the iterative scan goes on past it when more rows are wanted.
            cursor.execute(f"SET LOCAL hnsw.ef_search = {min(MAX_EF_SEARCH, max(self.ef_search, 2 * int(k)))}")
            for row in cursor.execute(sql, params):
                found[row[0] - 1].append((dict(zip(STATEMENT_COLUMNS, row[2:])), 1.0 - float(row[1])))
        for neighbours in found:
            neighbours.sort(key=lambda pair: -pair[1])  # iterative scans may return rows slightly out of order
        return found

    def vector_count(self) -> int:
        return self._scalar("SELECT count(*) FROM vectors WHERE model = %s", (self.model,))

    def statements_without_vector(self, model: str) -> list[tuple[str, str]]:
        return [tuple(r) for r in self._rows(
            "SELECT s.id, s.text FROM statements s LEFT JOIN vectors v ON v.vid = s.vid AND v.model = %s "
            "WHERE v.vid IS NULL ORDER BY s.vid", (model,), row_factory=None)]

    def iter_statement_vectors(self, model: str, batch: int) -> Iterator[tuple[int, int, list[dict], np.ndarray]]:
        last = 0
        while True:
            rows = self._rows(
                f"SELECT s.vid, v.embedding, {STATEMENT_SELECT} FROM statements s "
                "JOIN vectors v ON v.vid = s.vid AND v.model = %s WHERE s.vid > %s ORDER BY s.vid LIMIT %s",
                (model, last, batch), row_factory=None)
            if not rows:
                return
            yield (rows[0][0], rows[-1][0], [dict(zip(STATEMENT_COLUMNS, r[2:])) for r in rows],
                   np.vstack([r[1].to_numpy() for r in rows]).astype(np.float32))
            last = rows[-1][0]

    # -- actors ------------------------------------------------------------------------
    def canonical_actors(self, names: Iterable[str]) -> dict[str, str]:
        names = sorted(set(names))
        if not names:
            return {}
        rows = self._rows("SELECT n.name, a.actor FROM unnest(%s::text[]) AS n(name) "
                          'JOIN aliases a ON lower(a.alias COLLATE "C") = lower(n.name COLLATE "C")', (names,),
                          row_factory=None)
        return dict(rows)

    def actors(self) -> list[dict]:
        rows = self._rows(
            """SELECT a.name, a.roles, a.kind,
                      coalesce((SELECT array_agg(alias ORDER BY alias) FROM aliases
                                WHERE actor = a.name AND lower(alias COLLATE "C") <> lower(a.name COLLATE "C")),
                               '{}') AS aliases,
                      (SELECT count(*) FROM statements WHERE actor = a.name) AS statements
               FROM actors a ORDER BY a.name COLLATE "C" """)
        return [{**r, "aliases": sorted(r["aliases"]), "roles": list(r["roles"])} for r in rows]

    # -- statements --------------------------------------------------------------------
    def find_statements(self, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], str]:
        if not keys:
            return {}
        rows = self._rows(FIND_BY_CONTENT, [list(column) for column in zip(*keys)], row_factory=None)
        return {(r[1], r[2], r[3]): r[0] for r in rows}

    def get_statement(self, statement_id_: str) -> dict | None:
        return self.statements_by_id([statement_id_]).get(statement_id_)

    def statements_by_id(self, ids: Iterable[str]) -> dict[str, dict]:
        ids = list(ids)
        if not ids:
            return {}
        rows = self._rows(f"SELECT {STATEMENT_SELECT} FROM statements s WHERE s.id = ANY(%s)", (ids,))
        return {r["id"]: r for r in rows}

    def count_statements(self) -> int:
        return self._scalar("SELECT count(*) FROM statements")

    # -- documents ---------------------------------------------------------------------
    def get_document(self, doc_id: str) -> dict | None:
        rows = self._rows("SELECT id, title, source, url, date, text FROM documents WHERE id = %s", (doc_id,))
        return rows[0] if rows else None

    def document_statement_ids(self, doc_id: str) -> list[str]:
        return [r[0] for r in self._rows("SELECT id FROM statements WHERE document_id = %s ORDER BY start NULLS LAST, vid",
                                         (doc_id,), row_factory=None)]

    def iter_documents(self) -> Iterator[dict]:
        yield from self._rows("SELECT id, title, source, url, date, text FROM documents ORDER BY created_at, id")

    # -- edges -------------------------------------------------------------------------
    def edges_touching(self, ids: Iterable[str], label: str | None = None, min_score: float = 0.0) -> list[dict]:
        ids = list(ids)
        if not ids:
            return []
        sql = ("SELECT a, b, label, score, similarity, kind, cues, scorer FROM edges "
               "WHERE (a = ANY(%(ids)s) OR b = ANY(%(ids)s)) AND score >= %(min)s")
        if label:
            sql += " AND label = %(label)s"
        return self._rows(sql, {"ids": ids, "min": min_score, "label": label})

    def iter_edges(self, batch: int = 1000) -> Iterator[list[dict]]:
        last = ("", "")
        while True:
            rows = self._rows("SELECT a, b, label, score, similarity, kind, cues, scorer FROM edges "
                              "WHERE (a, b) > (%s, %s) ORDER BY a, b LIMIT %s", (*last, batch))
            if not rows:
                return
            yield rows
            last = (rows[-1]["a"], rows[-1]["b"])

    def reviews_of(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        pairs = sorted({tuple(sorted(p)) for p in pairs})
        if not pairs:
            return {}
        rows = self._rows("SELECT r.* FROM reviews r JOIN unnest(%s::text[], %s::text[]) AS p(a, b) "
                          "ON r.a = p.a AND r.b = p.b", ([a for a, _ in pairs], [b for _, b in pairs]))
        return {(r["a"], r["b"]): r for r in rows}

    def iter_reviews(self) -> Iterator[dict]:
        yield from self._rows("SELECT * FROM reviews ORDER BY at, a, b")

    def count_edges(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self._rows("SELECT label, count(*) FROM edges GROUP BY label", row_factory=None)}

    # -- audit -------------------------------------------------------------------------
    def audit_log(self, limit: int = 100, after_id: int = 0, oldest_first: bool = False) -> list[dict]:
        order = "ASC" if oldest_first else "DESC"
        return self._rows(f"SELECT id, at, who, action, target, detail FROM audit WHERE id > %s "
                          f"ORDER BY id {order} LIMIT %s", (after_id, limit))

    # -- helpers -----------------------------------------------------------------------
    def _rows(self, sql: str, params=None, row_factory=dict_row) -> list:
        with self._connection() as conn, conn.cursor(row_factory=row_factory) as cursor:
            return cursor.execute(sql, params).fetchall()

    def _scalar(self, sql: str, params=None):
        return self._rows(sql, params, row_factory=None)[0][0]


def _find_statement(conn: psycopg.Connection, actor: str, text: str, source: str) -> str | None:
    row = conn.execute(FIND_BY_CONTENT, ([actor], [text], [source])).fetchone()
    return row[0] if row else None
