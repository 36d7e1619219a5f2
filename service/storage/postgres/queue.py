"""The server backend's durable work: the judging queue and bulk jobs, in the same database.

As in the embedded backend (``storage/sqlite/queue.py``): workers claim work with a lease that a
dead worker's lease runs out of, results are keyed by item index (work done twice replaces). Claims
take ``FOR UPDATE SKIP LOCKED``, so workers on many hosts never wait on each other's rows.
"""
from __future__ import annotations

import time
from typing import Iterable

import numpy as np
from psycopg.types.json import Json, Jsonb

from ..base import STATEMENT_COLUMNS

MIGRATION = """
    CREATE TABLE judge_queue (
        vid bigint PRIMARY KEY REFERENCES statements(vid) ON DELETE CASCADE,
        claimed_until double precision NOT NULL DEFAULT 0
    );
    CREATE TABLE jobs (
        id text COLLATE "C" PRIMARY KEY, kind text NOT NULL, state text NOT NULL, spec jsonb NOT NULL DEFAULT '{}',
        total integer NOT NULL, done integer NOT NULL DEFAULT 0, pairs bigint NOT NULL DEFAULT 0,
        error text, who text NOT NULL, created_at double precision NOT NULL, started_at double precision,
        finished_at double precision, claimed_until double precision NOT NULL DEFAULT 0,
        worked_at double precision NOT NULL DEFAULT 0
    );
    CREATE INDEX jobs_state ON jobs (state, worked_at, created_at);
    CREATE TABLE job_items (
        job_id text COLLATE "C" NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, idx integer NOT NULL,
        item jsonb NOT NULL, PRIMARY KEY (job_id, idx)
    );
    CREATE TABLE job_results (
        job_id text COLLATE "C" NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, idx integer NOT NULL,
        result json NOT NULL, PRIMARY KEY (job_id, idx)  -- json, not jsonb: keys stay in the order written
    );
"""

JOB_COLUMNS = ("id", "kind", "state", "spec", "total", "done", "pairs", "error", "who", "created_at",
               "started_at", "finished_at")
JOB_SELECT = ", ".join(JOB_COLUMNS)


class PostgresQueueWork:
    """The unit of work's queue and job writes (``self.conn`` is inside a transaction)."""

    def enqueue_judging(self, statement_ids: Iterable[str]) -> None:
        ids = sorted(set(statement_ids))
        if ids:
            self.conn.execute("INSERT INTO judge_queue (vid) SELECT vid FROM statements WHERE id = ANY(%s) "
                              "ON CONFLICT DO NOTHING", (ids,))

    def claim_judging(self, limit: int, lease_s: float) -> list[int]:
        now = time.time()
        rows = self.conn.execute(
            "UPDATE judge_queue SET claimed_until = %s WHERE vid IN (SELECT vid FROM judge_queue "
            "WHERE claimed_until < %s ORDER BY vid LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING vid",
            (now + lease_s, now, limit)).fetchall()
        return sorted(r[0] for r in rows)

    def finish_judging(self, vids: Iterable[int]) -> None:
        vids = sorted(int(v) for v in vids)
        if vids:
            self.conn.execute("DELETE FROM judge_queue WHERE vid = ANY(%s)", (vids,))

    def present_statements(self, ids: Iterable[str]) -> set[str]:
        # FOR KEY SHARE: a retraction of these rows waits until this transaction has written its edges.
        ids = sorted(set(ids))
        if not ids:
            return set()
        return {r[0] for r in self.conn.execute(
            "SELECT id FROM statements WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE", (ids,))}

    def insert_job(self, job: dict, items: list) -> None:
        self.conn.execute(
            "INSERT INTO jobs (id, kind, state, spec, total, who, created_at) VALUES (%s, %s, 'queued', %s, %s, %s, %s)",
            (job["id"], job["kind"], Jsonb(job.get("spec") or {}), len(items), job["who"], time.time()))
        with self.conn.cursor() as cursor, cursor.copy("COPY job_items (job_id, idx, item) FROM STDIN") as copy:
            for i, item in enumerate(items):
                copy.write_row((job["id"], i, Jsonb(item)))

    def claim_job(self, lease_s: float) -> dict | None:
        now = time.time()
        row = self.conn.execute(
            f"UPDATE jobs SET state = 'running', claimed_until = %s, started_at = coalesce(started_at, %s) "
            f"WHERE id = (SELECT id FROM jobs WHERE state IN ('queued', 'running') AND claimed_until < %s "
            f"ORDER BY worked_at, created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING {JOB_SELECT}",
            (now + lease_s, now, now)).fetchone()
        return dict(zip(JOB_COLUMNS, row)) if row else None

    def save_job_results(self, job_id: str, first: int, results: list[dict], pairs: int, lease_s: float) -> bool:
        updated = self.conn.execute(
            "UPDATE jobs SET done = greatest(done, %s), pairs = pairs + %s, claimed_until = %s, worked_at = %s "
            "WHERE id = %s AND state = 'running'",
            (first + len(results), pairs, time.time() + lease_s, time.time(), job_id)).rowcount
        if updated and results:
            with self.conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO job_results (job_id, idx, result) VALUES (%s, %s, %s) "
                    "ON CONFLICT (job_id, idx) DO UPDATE SET result = excluded.result",
                    [(job_id, first + i, Json(r)) for i, r in enumerate(results)])
        return bool(updated)

    def release_job(self, job_id: str) -> None:
        """Give a running job back (a worker stopping): the next worker takes it at once."""
        self.conn.execute("UPDATE jobs SET claimed_until = 0 WHERE id = %s AND state = 'running'", (job_id,))

    def finish_job(self, job_id: str, state: str, error: str | None = None) -> bool:
        return bool(self.conn.execute(
            "UPDATE jobs SET state = %s, error = %s, finished_at = %s, claimed_until = 0 "
            "WHERE id = %s AND state IN ('queued', 'running')", (state, error, time.time(), job_id)).rowcount)


class PostgresQueueReads:
    """The store's reads of the queue and the jobs."""

    def judging_backlog(self) -> int:
        return self._scalar("SELECT count(*) FROM judge_queue")

    def pending_judging(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        if not ids:
            return set()
        return {r[0] for r in self._rows("SELECT s.id FROM statements s JOIN judge_queue q ON q.vid = s.vid "
                                         "WHERE s.id = ANY(%s)", (ids,), row_factory=None)}

    def statements_with_vectors(self, vids: Iterable[int], model: str) -> tuple[list[int], list[dict], np.ndarray]:
        columns = ", ".join(f's."{c}"' for c in STATEMENT_COLUMNS)
        rows = self._rows(f"SELECT s.vid, v.embedding, {columns} FROM statements s "
                          "JOIN vectors v ON v.vid = s.vid AND v.model = %s WHERE s.vid = ANY(%s) ORDER BY s.vid",
                          (model, sorted(int(v) for v in vids)), row_factory=None)
        vectors = (np.vstack([r[1].to_numpy() for r in rows]).astype(np.float32) if rows
                   else np.zeros((0, 0), dtype=np.float32))
        return [r[0] for r in rows], [dict(zip(STATEMENT_COLUMNS, r[2:])) for r in rows], vectors

    def statement_ids_of_actor(self, actor: str) -> list[str]:
        return [r[0] for r in self._rows("SELECT id FROM statements WHERE actor = %s ORDER BY vid", (actor,),
                                         row_factory=None)]

    def get_job(self, job_id: str) -> dict | None:
        rows = self._rows(f"SELECT {JOB_SELECT} FROM jobs WHERE id = %s", (job_id,))
        return rows[0] if rows else None

    def job_items(self, job_id: str, start: int, limit: int) -> list:
        return [r[0] for r in self._rows("SELECT item FROM job_items WHERE job_id = %s AND idx >= %s "
                                         "ORDER BY idx LIMIT %s", (job_id, start, limit), row_factory=None)]

    def job_results(self, job_id: str, offset: int, limit: int) -> list[dict]:
        return [r[0] for r in self._rows("SELECT result FROM job_results WHERE job_id = %s AND idx >= %s "
                                         "ORDER BY idx LIMIT %s", (job_id, offset, limit), row_factory=None)]

    def job_counts(self) -> dict[str, int]:
        return dict(self._rows("SELECT state, count(*) FROM jobs GROUP BY state", row_factory=None))
