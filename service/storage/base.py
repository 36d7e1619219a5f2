"""The storage boundary: what the engine may ask of a backend, and nothing more.

A backend is the source of truth for actors, documents, statements with their vectors, conflict
edges, the audit trail, the judging queue and bulk jobs, and it answers nearest-neighbour queries
over the vectors. Two
backends implement it: ``storage.sqlite`` (embedded: one SQLite file + a FAISS index under
``DATA_DIR``) and ``storage.postgres`` (a server shared by many processes: PostgreSQL +
pgvector). Writes go through a unit of work: everything done inside one ``with
storage.unit_of_work() as uow:`` block is committed together or not at all.
"""
from __future__ import annotations

import hashlib
import unicodedata
from contextlib import AbstractContextManager
from typing import Iterable, Iterator, Protocol

import numpy as np

STATEMENT_COLUMNS = ("id", "actor", "text", "source", "url", "date", "quote", "cue", "document_id", "start", "end",
                     "target")
DOCUMENT_COLUMNS = ("id", "title", "source", "url", "date", "text")


class StorageUnavailable(RuntimeError):
    """The database cannot be reached (or timed out): retry later; nothing was half-written."""


class TransientConflict(RuntimeError):
    """Concurrent writers collided (deadlock, serialisation failure); the transaction was rolled back
    and may be retried as a whole."""


class SchemaTooNew(RuntimeError):
    """The database was written by a newer version of Counterclaim."""


def normalise_text(text: str) -> str:
    """Unicode NFC and collapsed whitespace: the form in which statements are stored."""
    return " ".join(unicodedata.normalize("NFC", text).split())


STATEMENT_ID_PREFIX = "st_"  # ids derived from content; callers may not choose one for other content


def statement_id(actor: str, text: str, source: str) -> str:
    """Stable id: the same actor, text and source always give the same id."""
    digest = hashlib.sha256(f"{actor}\x1f{text}\x1f{source}".encode("utf-8")).hexdigest()
    return f"{STATEMENT_ID_PREFIX}{digest[:16]}"


def document_id(text: str) -> str:
    """An article's id: a hash of its normalised text (``normalise_text``), so that the same
    article sent again, as JSON, text/plain, HTML or a file, under any source name, is one document."""
    return f"doc_{hashlib.sha256(normalise_text(text).encode('utf-8')).hexdigest()[:16]}"


def legacy_document_id(text: str, source: str) -> str:
    """The id stores made before 2026-11-30 gave an article (its source and exact text)."""
    digest = hashlib.sha256(f"{source}\x1f{text}".encode("utf-8")).hexdigest()
    return f"doc_{digest[:16]}"


def edge_key(edge: dict) -> tuple[str, str, list[dict]]:
    """An edge is stored once, with ``a < b``; its cues are turned round when its ends are."""
    a, b = sorted((edge["a"], edge["b"]))
    cues = edge["cues"] if a == edge["a"] else [swap_cue(c) for c in edge["cues"]]
    return a, b, cues


def chunks(items: Iterable, size: int) -> Iterator[list]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def swap_cue(cue: dict) -> dict:
    return {**cue, "a": cue.get("b", ""), "b": cue.get("a", "")}


Neighbours = list[tuple[dict, float]]


class UnitOfWork(Protocol):
    """Writes inside one transaction."""

    def upsert_actor(self, name: str, aliases: Iterable[str] = (), roles: Iterable[str] = (),
                     kind: str | None = None) -> None: ...
    def set_alias(self, alias: str, actor: str) -> None: ...
    def find_statement(self, actor: str, text: str, source: str) -> str | None: ...
    def statement_exists(self, statement_id_: str) -> bool: ...
    def document_exists(self, doc_id: str) -> bool: ...
    def insert_document(self, doc: dict) -> None: ...
    def insert_statements(self, statements: list[dict], model: str, vectors: np.ndarray) -> list[bool]:
        """Store statements with their vectors; False (and nothing written) for one whose id or content
        is already stored."""
    def set_vector(self, statement_id_: str, model: str, vector: np.ndarray) -> None: ...
    def delete_statements(self, ids: Iterable[str]) -> int: ...
    def delete_document(self, doc_id: str) -> int: ...
    def upsert_edges(self, edges: list[dict]) -> None: ...
    def clear_edges(self, before: int) -> None:
        """Remove the edges between statements stored before position ``before`` of the insertion order."""
    def upsert_review(self, review: dict) -> None:
        """An editor's review of a pair (``a``, ``b``, ``status``, ``note``, ``who``, ``at``, ``verdict``: the
        pair as judged then); one per pair, the latest wins (the audit log keeps them all)."""
    def audit(self, who: str, action: str, target: str, detail: dict | None = None) -> None: ...
    def copy_audit(self, rows: list[dict]) -> int:
        """Audit rows copied from another store, keeping their ids (a rerun copies nothing twice)."""

    # judging queue and jobs (queue.py of each backend)
    def enqueue_judging(self, statement_ids: Iterable[str]) -> None:
        """Queue stored statements for conflict judging (in the transaction that stores them)."""
    def claim_judging(self, limit: int, lease_s: float) -> list[int]:
        """Up to ``limit`` queued statements (insertion positions, oldest first) not claimed by a live
        worker, now claimed for ``lease_s`` seconds."""
    def finish_judging(self, vids: Iterable[int]) -> None: ...
    def present_statements(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are stored, held against retraction until this transaction commits."""
    def insert_job(self, job: dict, items: list) -> None: ...
    def claim_job(self, lease_s: float) -> dict | None:
        """The running or queued job whose turn it is (least recently worked on, then oldest) that no live
        worker holds, now running and claimed."""
    def save_job_results(self, job_id: str, first: int, results: list[dict], pairs: int, lease_s: float) -> bool:
        """Results of items ``first``… with the progress, renewing the claim; False (nothing saved)
        when the job is no longer running (cancelled)."""
    def release_job(self, job_id: str) -> None: ...
    def finish_job(self, job_id: str, state: str, error: str | None = None) -> bool: ...


class Storage(Protocol):
    """One backend: the truth, and nearest-neighbour search over it."""

    backend: str  # "sqlite" or "postgresql"

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]: ...
    def refresh(self) -> None:
        """Catch up with writes made by other processes (a no-op where every read goes to the server)."""
    def checkpoint(self) -> None:
        """Persist derived data (the embedded FAISS index) so the next start is fast."""
    def rebuild_index(self) -> None:
        """Rebuild the vector index from the stored vectors."""
    def close(self) -> None: ...

    # vectors
    def nearest(self, vectors: np.ndarray, k: int, before: int | None = None) -> list[Neighbours]:
        """For each query row, up to ``k`` stored statements, most similar (cosine) first; with
        ``before``, only statements stored before that position in the insertion order."""
    def vector_count(self) -> int: ...
    def statements_without_vector(self, model: str) -> list[tuple[str, str]]: ...
    def iter_statement_vectors(self, model: str, batch: int) -> Iterator[tuple[int, int, list[dict], np.ndarray]]:
        """(positions of the batch's first and last statements in the insertion order, statements, vectors),
        in that order."""

    # reads
    def canonical_actors(self, names: Iterable[str]) -> dict[str, str]:
        """The actor each known name or alias (any case) stands for; unknown names are left out."""
    def actors(self) -> list[dict]: ...
    def find_statements(self, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], str]:
        """The ids of the stored statements among (actor, text, source) keys."""
    def get_statement(self, statement_id_: str) -> dict | None: ...
    def statements_by_id(self, ids: Iterable[str]) -> dict[str, dict]: ...
    def count_statements(self) -> int: ...
    def get_document(self, doc_id: str) -> dict | None: ...
    def document_statement_ids(self, doc_id: str) -> list[str]: ...
    def iter_documents(self) -> Iterator[dict]: ...
    def edges_touching(self, ids: Iterable[str], label: str | None = None, min_score: float = 0.0) -> list[dict]: ...
    def iter_edges(self, batch: int = 1000) -> Iterator[list[dict]]: ...
    def count_edges(self) -> dict[str, int]: ...
    def reviews_of(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        """The reviews of these pairs (either order), keyed by the pair with ``a < b``."""
    def iter_reviews(self) -> Iterator[dict]: ...
    def audit_log(self, limit: int = 100, after_id: int = 0, oldest_first: bool = False) -> list[dict]: ...

    # judging queue and jobs
    def judging_backlog(self) -> int: ...
    def pending_judging(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` wait in the judging queue."""
    def statements_with_vectors(self, vids: Iterable[int], model: str) -> tuple[list[int], list[dict], np.ndarray]: ...
    def statement_ids_of_actor(self, actor: str) -> list[str]: ...
    def get_job(self, job_id: str) -> dict | None: ...
    def job_items(self, job_id: str, start: int, limit: int) -> list: ...
    def job_results(self, job_id: str, offset: int, limit: int) -> list[dict]: ...
    def job_counts(self) -> dict[str, int]: ...
