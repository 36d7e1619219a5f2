"""The embedded backend's durable work: the judging queue and bulk jobs, in the same SQLite file.

A queue entry is a statement whose conflicts are not judged yet; a job is a list of items with
its results. Workers claim work with a lease (``claimed_until``): a worker that dies (kill -9)
leaves a lease that runs out, and another worker takes the work over. Results are written with
the item's index as key, so work done twice replaces, never duplicates.
"""
from __future__ import annotations

import json
import time
from typing import Iterable

import numpy as np

from ..base import STATEMENT_COLUMNS, chunks

SQL_VARIABLES = 500

MIGRATION = """
    CREATE TABLE IF NOT EXISTS judge_queue (
        vid INTEGER PRIMARY KEY REFERENCES statements(vid) ON DELETE CASCADE,
        claimed_until REAL NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS jobs (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, spec TEXT NOT NULL DEFAULT '{}',
        total INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0, pairs INTEGER NOT NULL DEFAULT 0,
        error TEXT, who TEXT NOT NULL, created_at REAL NOT NULL, started_at REAL, finished_at REAL,
        claimed_until REAL NOT NULL DEFAULT 0, worked_at REAL NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, worked_at, created_at);
    CREATE TABLE IF NOT EXISTS job_items (
        job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, idx INTEGER NOT NULL, item TEXT NOT NULL,
        PRIMARY KEY (job_id, idx)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS job_results (
        job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, idx INTEGER NOT NULL, result TEXT NOT NULL,
        PRIMARY KEY (job_id, idx)
    ) WITHOUT ROWID;
"""

JOB_COLUMNS = ("id", "kind", "state", "spec", "total", "done", "pairs", "error", "who", "created_at",
               "started_at", "finished_at")
ACTIVE = ("queued", "running")


class SqliteQueueWork:
    """The unit of work's queue and job writes (``self.conn`` is inside a transaction)."""


    def enqueue_judging(self, statement_ids: Iterable[str]) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO judge_queue (vid) SELECT vid FROM statements WHERE id = ?",
                              [(i,) for i in statement_ids])

    def claim_judging(self, limit: int, lease_s: float) -> list[int]:
        now = time.time()
        vids = [r[0] for r in self.conn.execute(
            "SELECT vid FROM judge_queue WHERE claimed_until < ? ORDER BY vid LIMIT ?", (now, limit))]
        self.conn.executemany("UPDATE judge_queue SET claimed_until = ? WHERE vid = ?", [(now + lease_s, v) for v in vids])
        return vids

    def finish_judging(self, vids: Iterable[int]) -> None:
        self.conn.executemany("DELETE FROM judge_queue WHERE vid = ?", [(int(v),) for v in vids])

    def present_statements(self, ids: Iterable[str]) -> set[str]:
        # The write lock (BEGIN IMMEDIATE) keeps a retraction out until this transaction commits.
        found: set[str] = set()
        for chunk in chunks(sorted(set(ids)), SQL_VARIABLES):
            found.update(r[0] for r in self.conn.execute(
                f"SELECT id FROM statements WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
        return found

    def insert_job(self, job: dict, items: list) -> None:
        self.conn.execute(
            "INSERT INTO jobs (id, kind, state, spec, total, who, created_at) VALUES (?, ?, 'queued', ?, ?, ?, ?)",
            (job["id"], job["kind"], json.dumps(job.get("spec") or {}), len(items), job["who"], time.time()))
        self.conn.executemany("INSERT INTO job_items (job_id, idx, item) VALUES (?, ?, ?)",
                              ((job["id"], i, json.dumps(item, ensure_ascii=False)) for i, item in enumerate(items)))

    def claim_job(self, lease_s: float) -> dict | None:
        now = time.time()
        row = self.conn.execute(
            f"SELECT {', '.join(JOB_COLUMNS)} FROM jobs WHERE state IN ('queued', 'running') AND claimed_until < ? "
            "ORDER BY worked_at, created_at, id LIMIT 1", (now,)).fetchone()
        if row is None:
            return None
        self.conn.execute("UPDATE jobs SET state = 'running', claimed_until = ?, started_at = coalesce(started_at, ?) "
                          "WHERE id = ?", (now + lease_s, now, row["id"]))
        return {**_job(row), "state": "running", "started_at": row["started_at"] or now}

    def save_job_results(self, job_id: str, first: int, results: list[dict], pairs: int, lease_s: float) -> bool:
        updated = self.conn.execute(
            "UPDATE jobs SET done = max(done, ?), pairs = pairs + ?, claimed_until = ?, worked_at = ? "
            "WHERE id = ? AND state = 'running'",
            (first + len(results), pairs, time.time() + lease_s, time.time(), job_id)).rowcount
        if updated:
            self.conn.executemany("INSERT OR REPLACE INTO job_results (job_id, idx, result) VALUES (?, ?, ?)",
                                  [(job_id, first + i, json.dumps(r, ensure_ascii=False)) for i, r in enumerate(results)])
        return bool(updated)

    def release_job(self, job_id: str) -> None:
        """Give a running job back (a worker stopping): the next worker takes it at once."""
        self.conn.execute("UPDATE jobs SET claimed_until = 0 WHERE id = ? AND state = 'running'", (job_id,))

    def finish_job(self, job_id: str, state: str, error: str | None = None) -> bool:
        return bool(self.conn.execute(
            "UPDATE jobs SET state = ?, error = ?, finished_at = ?, claimed_until = 0 "
            "WHERE id = ? AND state IN ('queued', 'running')", (state, error, time.time(), job_id)).rowcount)


class SqliteQueueReads:
    """The store's reads of the queue and the jobs (``self.conn``: this thread's connection)."""


    def judging_backlog(self) -> int:
        return self.conn.execute("SELECT count(*) FROM judge_queue").fetchone()[0]

    def pending_judging(self, ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(list(ids), SQL_VARIABLES):
            found.update(r[0] for r in self.conn.execute(
                "SELECT s.id FROM statements s JOIN judge_queue q ON q.vid = s.vid "
                f"WHERE s.id IN ({', '.join('?' * len(chunk))})", chunk))
        return found

    def statements_with_vectors(self, vids: Iterable[int], model: str) -> tuple[list[int], list[dict], np.ndarray]:
        rows = []
        for chunk in chunks(sorted(int(v) for v in vids), SQL_VARIABLES):
            rows += self.conn.execute(
                "SELECT s.*, v.vector FROM statements s JOIN vectors v ON v.vid = s.vid AND v.model = ? "
                f"WHERE s.vid IN ({', '.join('?' * len(chunk))}) ORDER BY s.vid", [model, *chunk]).fetchall()
        vectors = (np.vstack([np.frombuffer(r["vector"], dtype=np.float32) for r in rows]) if rows
                   else np.zeros((0, 0), dtype=np.float32))
        return [r["vid"] for r in rows], [{k: r[k] for k in STATEMENT_COLUMNS} for r in rows], vectors

    def statement_ids_of_actor(self, actor: str) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM statements WHERE actor = ? ORDER BY vid", (actor,))]

    def get_job(self, job_id: str) -> dict | None:
        row = self.conn.execute(f"SELECT {', '.join(JOB_COLUMNS)} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def job_items(self, job_id: str, start: int, limit: int) -> list:
        return [json.loads(r[0]) for r in self.conn.execute(
            "SELECT item FROM job_items WHERE job_id = ? AND idx >= ? ORDER BY idx LIMIT ?", (job_id, start, limit))]

    def job_results(self, job_id: str, offset: int, limit: int) -> list[dict]:
        return [json.loads(r[0]) for r in self.conn.execute(
            "SELECT result FROM job_results WHERE job_id = ? AND idx >= ? ORDER BY idx LIMIT ?", (job_id, offset, limit))]

    def job_counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT state, count(*) FROM jobs GROUP BY state")}


def _job(row) -> dict:
    return {**{k: row[k] for k in JOB_COLUMNS}, "spec": json.loads(row["spec"])}
