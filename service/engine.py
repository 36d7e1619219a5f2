"""The engine: one object that ties store, embedder, index and scorer together.

API, web page and CLI are thin layers over these methods:

- ``ingest``: statements in (deduplicated, embedded, conflict-checked, stored in one transaction);
- ``search``: statements similar to a query, with filters;
- ``topic_conflicts``: aligned pairs on a topic (a lookup of precomputed edges);
- ``statement_conflicts``: aligned pairs of one statement;
- ``compare_claims`` / ``compare_pairs``: bulk checks that store nothing;
- ``retract``: deletion with an audit row.

Every read first catches up with the store's change log, so a statement written by another
worker process is visible at once.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import conflicts
from .embed import Embedder
from .actors import ActorRegistry
from .index import open_index
from .scoring.base import ContradictionScorer
from .store import Store, normalise_text, statement_id

# Candidate search looks this many times further than the k candidates wanted: the nearest claims
# are often the same actor's (same date), which are not compared.
NEIGHBOUR_WIDENING = 3

log = logging.getLogger(__name__)


class NotFound(LookupError):
    """An id that is not in the store."""


class ConflictError(ValueError):
    """A request that contradicts what is stored (e.g. a reused id with other content)."""


class UnknownReference(ValueError):
    """A statement that points at a document that is not stored."""


@dataclass
class IngestResult:
    id: str
    created: bool
    edges: int


class Engine:
    def __init__(self, store: Store, embedder: Embedder, scorer: ContradictionScorer, config: dict):
        self.store = store
        self.embedder = embedder
        self.scorer = scorer
        self.config = config
        self.index_dir = Path(config["DATA_DIR"])
        self.index, how = open_index(store, self.index_dir, embedder.model_name, embedder.dim)
        self._last_save = time.monotonic()
        log.info("index %s: %d vectors", how, len(self.index))

    # -- freshness ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Catch up with writes made by other processes."""
        self.index.sync(self.store)

    def save_index(self) -> None:
        self.refresh()
        self.index.save(self.index_dir)
        self._last_save = time.monotonic()

    def _maybe_save_index(self) -> None:
        # The index is a cache of the store: saving it is only a start-up speed-up, so not on every write.
        if time.monotonic() - self._last_save > 60:
            self.save_index()

    # -- actors ------------------------------------------------------------------------
    def canonical_actor(self, name: str) -> str:
        name = normalise_text(name)
        return self.store.canonical_actor(name) or name

    def update_actors(self, actors: list[dict], who: str = "system") -> None:
        with self.store.transaction() as conn:
            for actor in actors:
                self.store.upsert_actor(conn, actor["name"], actor.get("aliases", ()), actor.get("roles", ()),
                                        actor.get("kind"))
                self.store.audit(conn, who, "actor.upsert", actor["name"], actor)

    def actor_registry(self) -> ActorRegistry:
        """The stored actors as the extractor's registry."""
        return ActorRegistry.from_dict({a["name"]: a for a in self.store.actors()})

    # -- ingest ------------------------------------------------------------------------
    def prepare(self, item: dict) -> dict:
        """A statement in its stored form: canonical actor, normalised text, stable id."""
        actor = self.canonical_actor(item["actor"])
        text = normalise_text(item["text"])
        source = normalise_text(item.get("source") or "")
        prepared = {key: item.get(key) for key in ("url", "date", "quote", "cue", "document_id", "start", "end")}
        prepared.update(actor=actor, text=text, source=source,
                        id=item.get("id") or statement_id(actor, text, source),
                        aliases=item.get("aliases") or [])
        return prepared

    def ingest(self, items: list[dict], who: str = "system", document: dict | None = None) -> list[IngestResult]:
        """Store statements (and their document) with vectors and conflict edges, atomically."""
        self.refresh()
        prepared = [self.prepare(item) for item in items]
        new, results = self._split_new(prepared)
        if not new and document is None:
            return [results[s["id"]] for s in prepared]
        vectors = self.embedder.embed([s["text"] for s in new])
        edges = self._edges_for_new(new, vectors)
        with self.store.transaction() as conn:
            if document is not None:
                self.store.insert_document(conn, document)
            for statement, vector in zip(new, vectors):
                self.store.upsert_actor(conn, statement["actor"], statement["aliases"])
                found = self.store.find_statement_vid(conn, statement["actor"], statement["text"], statement["source"])
                if found:  # written by a concurrent request since we looked
                    results[statement["id"]] = IngestResult(found[0], False, 0)
                    continue
                self._check_id_free(conn, statement)
                self._check_document_known(conn, statement)
                self.store.insert_statement(conn, statement, self.embedder.model_name, vector)
                results[statement["id"]] = IngestResult(statement["id"], True, 0)
            for edge in edges:
                if results[edge["a"]].created:
                    self.store.upsert_edge(conn, edge)
                    results[edge["a"]].edges += 1
            created = [r.id for r in results.values() if r.created]
            if created:
                self.store.audit(conn, who, "statements.ingest", document["id"] if document else created[0],
                                 {"count": len(created)})
        self.refresh()
        self._maybe_save_index()
        return [results[s["id"]] for s in prepared]

    def _split_new(self, prepared: list[dict]) -> tuple[list[dict], dict[str, IngestResult]]:
        results: dict[str, IngestResult] = {}
        new, seen = [], set()
        conn = self.store.conn
        for statement in prepared:
            found = self.store.find_statement_vid(conn, statement["actor"], statement["text"], statement["source"])
            if found:
                statement["id"] = found[0]
                results[found[0]] = IngestResult(found[0], False, 0)
            elif statement["id"] not in seen:
                seen.add(statement["id"])
                new.append(statement)
        return new, results

    def _check_document_known(self, conn, statement: dict) -> None:
        doc_id = statement.get("document_id")
        if doc_id and conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is None:
            raise UnknownReference(f"document_id: no document {doc_id!r}")

    def _check_id_free(self, conn, statement: dict) -> None:
        row = conn.execute("SELECT actor, text, source FROM statements WHERE id = ?", (statement["id"],)).fetchone()
        if row is not None:
            raise ConflictError(f"id {statement['id']!r} is already used by another statement")

    def _edges_for_new(self, new: list[dict], vectors: np.ndarray) -> list[dict]:
        """Judge each new statement against its nearest stored and in-batch neighbours."""
        k = int(self.config["CANDIDATES_K"])
        min_sim = float(self.config["CANDIDATE_MIN_SIMILARITY"])
        candidates: list[conflicts.Candidate] = []
        seen_pairs: set[tuple[str, str]] = set()
        stored_neighbours = self._stored_neighbours(vectors, NEIGHBOUR_WIDENING * k)
        batch_neighbours = conflicts.in_batch_neighbours(vectors, NEIGHBOUR_WIDENING * k)
        for i, statement in enumerate(new):
            neighbours = sorted(stored_neighbours[i] + [(new[j], sim) for j, sim in batch_neighbours[i]],
                                key=lambda pair: -pair[1])
            for candidate in conflicts.candidates_for(statement, neighbours, min_sim, limit=k):
                key = tuple(sorted((candidate.a["id"], candidate.b["id"])))
                if key not in seen_pairs:
                    seen_pairs.add(key)
                    candidates.append(candidate)
        return conflicts.judge_candidates(self.scorer, candidates)

    def _stored_neighbours(self, vectors: np.ndarray, k: int) -> list[list[tuple[dict, float]]]:
        if not len(self.index) or not len(vectors):
            return [[] for _ in range(len(vectors))]
        sims, vids = self.index.search(vectors, k)
        statements = self.store.statements_by_vid(v for v in vids.ravel().tolist() if v >= 0)
        return [
            [(statements[v], float(s)) for s, v in zip(row_sims, row_vids) if v in statements]
            for row_sims, row_vids in zip(sims, vids.tolist())
        ]

    def ingest_document(self, text: str, who: str = "system", **meta) -> dict:
        """Extract attributed claims from an article and ingest them with the document, atomically."""
        from .documents import statements_from_article

        document, items, claims = statements_from_article(text, self.actor_registry(), **meta)
        existing = self.store.get_document(document["id"])
        results = self.ingest(items, who=who, document=None if existing else document)
        return {"document": {k: v for k, v in document.items() if k != "text"}, "created": existing is None,
                "statements": [{**self.statement(r.id), "created": r.created, "edges": r.edges} for r in results]}

    def document(self, doc_id: str) -> dict:
        document = self.store.get_document(doc_id)
        if document is None:
            raise NotFound(f"no document with id {doc_id!r}")
        return {**document, "statements": list(self.store.statements_by_id(self.store.document_statement_ids(doc_id)).values())}

    # -- reads -------------------------------------------------------------------------
    def nearest(self, query: str, k: int) -> list[tuple[dict, float]]:
        """Stored statements nearest to ``query``, most similar first."""
        self.refresh()
        if not len(self.index):
            return []
        sims, vids = self.index.search(self.embedder.embed([query]), k)
        statements = self.store.statements_by_vid(v for v in vids[0].tolist() if v >= 0)
        return [(statements[v], float(s)) for s, v in zip(sims[0], vids[0].tolist()) if v in statements]

    def search(self, query: str, k: int = 10, actor: str | None = None, source: str | None = None,
               since: str | None = None, until: str | None = None) -> list[dict]:
        """Statements similar to ``query`` that pass the filters; widens the search until ``k`` pass."""
        actor = self.canonical_actor(actor) if actor else None
        wanted = k
        while True:
            hits = self.nearest(query, wanted)
            passing = [(s, sim) for s, sim in hits if _passes(s, actor, source, since, until)]
            if len(passing) >= k or len(hits) < wanted:
                return [{"statement": s, "similarity": round(sim, 4)} for s, sim in passing[:k]]
            wanted *= 4

    def topic_conflicts(self, query: str, actor: str | None = None, label: str | None = None,
                        min_score: float = 0.0, limit: int = 20, offset: int = 0) -> dict:
        """Aligned pairs whose claims are near ``query``, ranked by relevance × score."""
        near = {s["id"]: sim for s, sim in self.nearest(query, int(self.config["TOPIC_K"]))
                if sim >= float(self.config["TOPIC_MIN_SIMILARITY"])}
        edges = self.store.edges_touching(near, label=label, min_score=min_score)
        statements = self.store.statements_by_id({e["a"] for e in edges} | {e["b"] for e in edges})
        actor = self.canonical_actor(actor) if actor else None
        ranked = []
        for edge in edges:
            pair = conflicts.aligned_pair(edge, statements, first=_more_relevant(edge, near))
            if actor and actor not in (pair["a"]["actor"], pair["b"]["actor"]):
                continue
            pair["relevance"] = round(max(near.get(edge["a"], 0.0), near.get(edge["b"], 0.0)), 4)
            ranked.append(pair)
        ranked.sort(key=lambda p: (-(p["relevance"] * p["score"]), p["a"]["id"], p["b"]["id"]))
        return {"total": len(ranked), "items": ranked[offset:offset + limit]}

    def statement(self, statement_id_: str) -> dict:
        statement = self.store.get_statement(statement_id_)
        if statement is None:
            raise NotFound(f"no statement with id {statement_id_!r}")
        return statement

    def statement_conflicts(self, statement_id_: str, label: str | None = None, min_score: float = 0.0) -> list[dict]:
        self.statement(statement_id_)
        edges = self.store.edges_touching([statement_id_], label=label, min_score=min_score)
        statements = self.store.statements_by_id({e["a"] for e in edges} | {e["b"] for e in edges})
        pairs = [conflicts.aligned_pair(e, statements, first=statement_id_) for e in edges]
        return sorted(pairs, key=lambda p: -p["score"])

    # -- bulk checks (nothing stored) --------------------------------------------------
    def compare_claims(self, claims: list[dict], k: int = 5):
        """For each unsaved claim, its conflicts with stored statements (a generator, for streaming)."""
        self.refresh()
        min_sim = float(self.config["CANDIDATE_MIN_SIMILARITY"])
        vectors = self.embedder.embed([normalise_text(c["text"]) for c in claims])
        neighbours = self._stored_neighbours(vectors, NEIGHBOUR_WIDENING * k)
        for claim, near in zip(claims, neighbours):
            probe = {"id": "", "actor": self.canonical_actor(claim.get("actor") or "(unattributed)"),
                     "text": normalise_text(claim["text"]), "date": claim.get("date"),
                     "source": claim.get("source") or ""}
            candidates = conflicts.candidates_for(probe, near, min_sim, limit=k)
            edges = conflicts.judge_candidates(self.scorer, candidates)
            others = {c.b["id"]: c.b for c in candidates}
            yield {"claim": probe, "pairs": [
                conflicts.aligned_pair(e, {**others, "": probe}, first="") for e in edges]}

    def compare_pairs(self, pairs: list[dict]):
        """Judge explicit (a, b) text pairs; yields one result per pair."""
        texts = [(normalise_text(p["a"]), normalise_text(p["b"])) for p in pairs]
        similarities = self.embedder.pair_similarities(texts)
        for (a, b), sim, judgement in zip(texts, similarities, self.scorer.judge(texts, similarities)):
            yield {"a": a, "b": b, "label": judgement.label, "score": round(judgement.score, 4),
                   "probs": {k: round(v, 4) for k, v in judgement.probs.items()},
                   "similarity": round(sim, 4), "cues": judgement.cues, "scorer": self.scorer.name}

    # -- corrections -------------------------------------------------------------------
    def retract_statement(self, statement_id_: str, who: str, reason: str = "") -> None:
        with self.store.transaction() as conn:
            if not self.store.delete_statements(conn, [statement_id_]):
                raise NotFound(f"no statement with id {statement_id_!r}")
            self.store.audit(conn, who, "statement.retract", statement_id_, {"reason": reason})
        self.refresh()

    def retract_document(self, doc_id: str, who: str, reason: str = "") -> int:
        with self.store.transaction() as conn:
            if self.store.get_document(doc_id) is None:
                raise NotFound(f"no document with id {doc_id!r}")
            removed = self.store.delete_document(conn, doc_id)
            self.store.audit(conn, who, "document.retract", doc_id, {"reason": reason, "statements": len(removed)})
        self.refresh()
        return len(removed)

    # -- maintenance -------------------------------------------------------------------
    def recompute_edges(self, batch: int = 256, progress=None) -> int:
        """Rejudge every statement against its neighbours with the current scorer."""
        self.refresh()
        vids, matrix = self.store.vectors(self.embedder.model_name)
        edges: list[dict] = []
        k = int(self.config["CANDIDATES_K"])
        for start in range(0, len(vids), batch):
            chunk = vids[start:start + batch].tolist()
            statements = self.store.statements_by_vid(chunk)
            neighbours = self._stored_neighbours(matrix[start:start + batch], k + 1)
            candidates = []
            for vid, near in zip(chunk, neighbours):
                candidates += conflicts.candidates_for(statements[vid], near, float(self.config["CANDIDATE_MIN_SIMILARITY"]))
            edges += conflicts.judge_candidates(self.scorer, candidates)
            if progress:
                progress(len(chunk))
        with self.store.transaction() as conn:
            self.store.clear_edges(conn)
            for edge in edges:
                self.store.upsert_edge(conn, edge)
        return len(edges)

    def stats(self) -> dict:
        self.refresh()
        return {"statements": self.store.count_statements(), "index": len(self.index),
                "edges": self.store.count_edges(), "scorer": self.scorer.name,
                "embedding_model": self.embedder.model_name}


def _passes(statement: dict, actor, source, since, until) -> bool:
    date = statement.get("date") or ""
    return ((not actor or statement["actor"] == actor)
            and (not source or statement["source"] == source)
            and (not since or (date and date >= since))
            and (not until or (date and date <= until)))


def _more_relevant(edge: dict, near: dict[str, float]) -> str:
    return edge["a"] if near.get(edge["a"], 0.0) >= near.get(edge["b"], 0.0) else edge["b"]
