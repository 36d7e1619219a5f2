"""Moving an embedded store (SQLite + FAISS) into PostgreSQL: actors, documents, statements with
their vectors, edges, editors' reviews and the audit trail.

Every batch is its own transaction and every write is idempotent (a row already in the target is
left alone), so an interrupted copy is resumed by running it again; batches already copied are
skipped after one look-up. The copy ends by comparing both sides: counts, and the actors in
full (names, aliases, roles, kinds).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .base import Storage, chunks

Progress = Callable[[str, int], None]


def copy_store(source: Storage, target: Storage, model: str, batch: int = 500,
               progress: Progress | None = None) -> dict:
    """Copy everything from ``source`` to ``target``; returns the counts of both and whether they match."""
    progress = progress or (lambda step, n: None)
    unembedded = source.statements_without_vector(model)
    if unembedded:
        raise ValueError(f"{len(unembedded)} statements have no {model} vector yet: run `reindex` first")
    copy_actors(source, target)
    for documents in chunks(source.iter_documents(), batch):
        with target.unit_of_work() as uow:
            for document in documents:
                uow.insert_document(document)
        progress("documents", len(documents))
    for _, _, statements, vectors in source.iter_statement_vectors(model, batch):
        present = target.statements_by_id(s["id"] for s in statements)
        missing = [(s, v) for s, v in zip(statements, vectors) if s["id"] not in present]
        if missing:
            with target.unit_of_work() as uow:
                uow.insert_statements([s for s, _ in missing], model, np.vstack([v for _, v in missing]))
        progress("statements", len(statements))
    for edges in source.iter_edges(batch):
        with target.unit_of_work() as uow:
            uow.upsert_edges(edges)
        progress("edges", len(edges))
    for reviews in chunks(source.iter_reviews(), batch):
        with target.unit_of_work() as uow:
            for review in reviews:
                uow.upsert_review(review)
        progress("reviews", len(reviews))
    after = 0
    while rows := source.audit_log(batch, after_id=after, oldest_first=True):
        with target.unit_of_work() as uow:
            uow.copy_audit(rows)
        after = rows[-1]["id"]
        progress("audit", len(rows))
    counts = {"source": store_counts(source), "target": store_counts(target)}
    same_actors = _actors_without_counts(source) == _actors_without_counts(target)
    return {**counts, "actors_identical": same_actors, "verified": same_actors and counts["source"] == counts["target"]}


def copy_actors(source: Storage, target: Storage) -> None:
    """Actors first, then every alias pointed where it points in the source (an actor's own name
    may be another actor's alias there)."""
    actors = source.actors()
    with target.unit_of_work() as uow:
        for actor in actors:
            uow.upsert_actor(actor["name"], (), actor["roles"], actor["kind"])
        for actor in actors:
            for alias in actor["aliases"]:
                uow.set_alias(alias, actor["name"])


def _actors_without_counts(storage: Storage) -> list[dict]:
    return [{k: v for k, v in actor.items() if k != "statements"} for actor in storage.actors()]


def store_counts(storage: Storage) -> dict:
    return {"actors": len(storage.actors()), "documents": sum(1 for _ in storage.iter_documents()),
            "statements": storage.count_statements(), "vectors": storage.vector_count(),
            "edges": storage.count_edges(), "audit": _count_audit(storage),
            "reviews": sum(1 for _ in storage.iter_reviews())}


def _count_audit(storage: Storage, page: int = 5000) -> int:
    total, after = 0, 0
    while rows := storage.audit_log(page, after_id=after, oldest_first=True):
        total, after = total + len(rows), rows[-1]["id"]
    return total
