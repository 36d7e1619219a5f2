"""The engine: one object that ties store, embedder, index and scorer together.

API, web page and CLI are thin layers over these methods:

- ``ingest``: statements in (deduplicated, embedded, conflict-checked, stored in one transaction);
- ``search``: statements similar to a query, with filters;
- ``topic_conflicts``: aligned pairs on a topic (a lookup of precomputed edges);
- ``statement_conflicts``: aligned pairs of one statement;
- ``compare_claims`` / ``compare_pairs``: bulk checks that store nothing;
- ``retract``: deletion with an audit row.

The engine never touches a database: it asks ``self.storage`` (``service/storage``), which
is the embedded SQLite + FAISS store or PostgreSQL + pgvector. Every read first lets the storage
catch up with writes made by other processes, so a statement written elsewhere is visible at once.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from .actors import ActorRegistry
from .embed import Embedder
from .exports import public_review
from .pipeline import judging
from .pipeline.candidates import candidates
from .scoring.base import ContradictionScorer
from .settings import Settings
from .storage.base import STATEMENT_ID_PREFIX, Storage, TransientConflict, normalise_text, statement_id

log = logging.getLogger(__name__)


class NotFound(LookupError):
    """An id that is not in the store."""


class ConflictError(ValueError):
    """A request that contradicts what is stored (e.g. a reused id with other content)."""


class UnknownReference(ValueError):
    """A statement that points at a document that is not stored."""


class InvalidBatch(ValueError):
    """A batch that contradicts itself (one id for two different statements) or takes a reserved id."""


@dataclass
class IngestResult:
    id: str
    created: bool
    edges: int
    conflicts_status: str = "done"  # "pending" while its conflicts wait in the judging queue


class Engine:
    def __init__(self, storage: Storage, embedder: Embedder, scorer: ContradictionScorer, settings: Settings):
        self.storage = storage
        self.embedder = embedder
        self.scorer = scorer
        self.settings = settings

    def refresh(self) -> None:
        """Catch up with writes made by other processes."""
        self.storage.refresh()

    def checkpoint(self) -> None:
        """Persist what the storage derives (the embedded index), so that the next start is quick."""
        self.storage.checkpoint()

    def rebuild_index(self) -> None:
        self.storage.rebuild_index()

    # -- actors ------------------------------------------------------------------------
    def canonical_actor(self, name: str) -> str:
        name = normalise_text(name)
        return self.storage.canonical_actors([name]).get(name) or name

    def actors(self) -> list[dict]:
        return self.storage.actors()

    def update_actors(self, actors: list[dict], who: str = "system") -> None:
        with self.storage.unit_of_work() as uow:
            for actor in actors:
                uow.upsert_actor(actor["name"], actor.get("aliases", ()), actor.get("roles", ()), actor.get("kind"))
                uow.audit(who, "actor.upsert", actor["name"], actor)

    def actor_registry(self) -> ActorRegistry:
        """The stored actors as the extractor's registry."""
        return ActorRegistry.from_dict({a["name"]: a for a in self.storage.actors()})

    # -- ingest ------------------------------------------------------------------------
    def prepare(self, items: list[dict]) -> list[dict]:
        """Statements in their stored form: canonical actor, normalised text, stable id."""
        names = [normalise_text(item["actor"]) for item in items]
        canonical = self.storage.canonical_actors(names)
        return [self._prepared(item, canonical.get(name) or name) for item, name in zip(items, names)]

    @staticmethod
    def _prepared(item: dict, actor: str) -> dict:
        text = normalise_text(item["text"])
        source = normalise_text(item.get("source") or "")
        prepared = {key: item.get(key) for key in ("url", "date", "quote", "cue", "document_id", "start", "end", "target")}
        content_id = statement_id(actor, text, source)
        prepared.update(actor=actor, text=text, source=source, id=item.get("id") or content_id,
                        aliases=item.get("aliases") or [])
        if prepared["id"].startswith(STATEMENT_ID_PREFIX) and prepared["id"] != content_id:
            # Otherwise a caller could take the id a future statement will hash to, and block it.
            raise InvalidBatch(f"ids starting with {STATEMENT_ID_PREFIX!r} are content hashes; {prepared['id']!r} "
                               f"is not this statement's ({content_id!r}); choose another id or none")
        return prepared

    def ingest(self, items: list[dict], who: str = "system", document: dict | None = None) -> list[IngestResult]:
        """Store statements (and their document) with vectors and conflict edges, atomically."""
        self.refresh()
        prepared = self.prepare(items)
        new, results = self._split_new(prepared)
        if not new and document is None:
            return _one_result_per_item(prepared, results)
        vectors = self.embedder.embed([s["text"] for s in new])
        inline = self.settings.judging == "inline"
        edges = self._judged_edges(new, vectors) if inline else []
        for attempt in _retrying_transient_conflicts():
            with attempt:
                written = self._write(new, vectors, edges, document, who, queue=not inline)
        results.update(written)
        return self._with_conflicts_status(_one_result_per_item(prepared, results))

    def _with_conflicts_status(self, results: list[IngestResult]) -> list[IngestResult]:
        pending = self.storage.pending_judging({r.id for r in results})
        for result in results:
            result.conflicts_status = "pending" if result.id in pending else "done"
        return results

    def _write(self, new: list[dict], vectors: np.ndarray, edges: list[dict], document: dict | None,
               who: str, queue: bool) -> dict[str, IngestResult]:
        """One transaction. Rows are locked in one order (actors, statements, edges, each sorted) so
        that concurrent writers queue rather than deadlock. With ``queue``, the new statements join the
        judging queue in the same transaction: a crash cannot lose their judging."""
        results: dict[str, IngestResult] = {}
        with self.storage.unit_of_work() as uow:
            if document is not None:
                uow.insert_document(document)
            for actor, aliases in sorted(_actors_of(new).items()):
                uow.upsert_actor(actor, aliases)
            for doc_id in sorted({s["document_id"] for s in new if s.get("document_id")}):
                if not uow.document_exists(doc_id):
                    raise UnknownReference(f"document_id: no document {doc_id!r}")
            order = sorted(range(len(new)), key=lambda i: new[i]["id"])
            inserted = uow.insert_statements([new[i] for i in order], self.embedder.model_name, vectors[order])
            for i, created in zip(order, inserted):
                results[new[i]["id"]] = IngestResult(new[i]["id"], True, 0) if created else self._stored(uow, new[i])
            kept = [e for e in sorted(edges, key=lambda e: sorted((e["a"], e["b"])))
                    if results[e["a"]].created and _stored_as(results, e["b"])]
            kept = _between_present(uow, kept)
            uow.upsert_edges(kept)
            if queue:
                uow.enqueue_judging(sorted(r.id for r in results.values() if r.created))
            for edge in kept:
                results[edge["a"]].edges += 1
            created = sorted(r.id for r in results.values() if r.created)
            if created:
                uow.audit(who, "statements.ingest", document["id"] if document else created[0], {"count": len(created)})
        return results

    @staticmethod
    def _stored(uow, statement: dict) -> IngestResult:
        """A statement the storage refused: the same statement stored since we looked (by a concurrent
        request), or its id taken by another statement."""
        found = uow.find_statement(statement["actor"], statement["text"], statement["source"])
        if found:
            return IngestResult(found, False, 0)
        raise ConflictError(f"id {statement['id']!r} is already used by another statement")

    def _split_new(self, prepared: list[dict]) -> tuple[list[dict], dict[str, IngestResult]]:
        results: dict[str, IngestResult] = {}
        new, seen = [], {}
        stored = self.storage.find_statements([(s["actor"], s["text"], s["source"]) for s in prepared])
        for statement in prepared:
            found = stored.get((statement["actor"], statement["text"], statement["source"]))
            if found:
                statement["id"] = found
                results[found] = IngestResult(found, False, 0)
            elif statement["id"] in seen:
                _check_same_statement(seen[statement["id"]], statement)
            else:
                seen[statement["id"]] = statement
                new.append(statement)
        return new, results

    def _judged_edges(self, statements: list[dict], vectors: np.ndarray, before: int | None = None,
                      scorer=None) -> list[dict]:
        """Judge each statement against its nearest stored neighbours (those stored before position
        ``before``, when given) and the rest of its batch: inline ingest, the queue and recompute."""
        found = candidates(self.storage, statements, vectors, self.settings.candidates_k,
                           self.settings.candidate_min_similarity, before=before)
        return judging.judge_candidates(scorer or self.scorer, found)

    def judge_queued(self, scorer=None, batch: int | None = None) -> int:
        """Judge one batch of statements from the judging queue (claimed with a lease, so that a
        worker that dies leaves them to another): each against the statements stored before it and
        the rest of the batch, through the same ``candidates()`` as inline ingest. Returns how many
        statements left the queue. Re-judging replaces an edge, never duplicates it."""
        with self.storage.unit_of_work() as uow:
            claimed = uow.claim_judging(batch or self.settings.judge_batch, self.settings.job_lease_s)
        if not claimed:
            return 0
        self.refresh()
        vids, statements, vectors = self.storage.statements_with_vectors(claimed, self.embedder.model_name)
        edges = self._judged_edges(statements, vectors, before=max(vids) + 1, scorer=scorer) if statements else []
        for attempt in _retrying_transient_conflicts():
            with attempt, self.storage.unit_of_work() as uow:
                uow.upsert_edges(_between_present(uow, edges))  # a neighbour retracted meanwhile is skipped
                uow.finish_judging(claimed)
        return len(claimed)

    def judging_backlog(self) -> int:
        return self.storage.judging_backlog()

    def ingest_document(self, text: str, who: str = "system", **meta) -> dict:
        """Extract attributed claims from an article and ingest them with the document, atomically."""
        from .documents import DocumentRejected, statements_from_article

        document, items, claims = statements_from_article(text, self.actor_registry, **meta)
        limit = self.settings.inline_document_max_claims
        if self.settings.judging == "inline" and len(items) > limit:
            raise DocumentRejected(413, "Too many claims to judge in one request",
                                   f"{len(items)} claims; with JUDGING=inline a document may hold {limit}, since their "
                                   "conflicts are judged inside the request; with JUDGING=background every claim is queued")
        existing = self.stored_document(document)
        if existing is not None:  # the same article again: nothing new is stored
            return {"document": {k: v for k, v in existing.items() if k not in ("text", "statements")}, "created": False,
                    "statements": [{**s, "conflicts_status": "done", "created": False, "edges": 0}
                                   for s in existing["statements"]]}
        results = self.ingest(items, who=who, document=document)
        stored = self.storage.statements_by_id({r.id for r in results})
        return {"document": {k: v for k, v in document.items() if k != "text"}, "created": True,
                "statements": [{**stored[r.id], "conflicts_status": r.conflicts_status, "created": r.created,
                                "edges": r.edges} for r in results]}

    def stored_document(self, document: dict) -> dict | None:
        """The stored article with this one's text (by its id, or by the id older stores gave it)."""
        from .storage.base import legacy_document_id

        for doc_id in (document["id"], legacy_document_id(document["text"], document["source"])):
            if self.storage.get_document(doc_id) is not None:
                return self.document(doc_id)
        return None

    def document(self, doc_id: str) -> dict:
        document = self.storage.get_document(doc_id)
        if document is None:
            raise NotFound(f"no document with id {doc_id!r}")
        ids = self.storage.document_statement_ids(doc_id)
        found = self.storage.statements_by_id(ids)
        return {**document, "statements": [found[i] for i in ids if i in found]}

    # -- reads -------------------------------------------------------------------------
    def nearest(self, query: str, k: int) -> list[tuple[dict, float]]:
        """Stored statements nearest to ``query``, most similar first."""
        self.refresh()
        return self.storage.nearest(self.embedder.embed([query]), k)[0]

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
                        min_score: float = 0.0, limit: int = 20, offset: int = 0, order: str = "score",
                        actor_b: str | None = None, source: str | None = None, since: str | None = None,
                        until: str | None = None, include_dismissed: bool = False) -> dict:
        """Aligned pairs whose claims are near ``query``: by score (``order="score"``, the default) or
        by relevance × score (``"relevance"``). ``actor`` on one side (and ``actor_b`` on the other),
        ``source`` (a part of either claim's source) and the date range (``since``/``until``: every
        dated claim of the pair within it) filter them. ``claims`` counts the stored claims near the
        query: 0 means nothing in the store is about it. Each pair carries its editor's review; pairs an
        editor dismissed are left out unless ``include_dismissed``. A pair whose two claims both restate
        those of a higher-ranked pair (same actors, near-identical words: the same quote from another
        source, or a seed statement beside its extracted twin) is folded into it, listed in ``duplicates``."""
        near = self.on_topic(query)
        edges = self.storage.edges_touching(near, label=label, min_score=min_score)
        statements = self.storage.statements_by_id({e["a"] for e in edges} | {e["b"] for e in edges})
        edges = [e for e in edges if e["a"] in statements and e["b"] in statements]  # not retracted meanwhile
        if actor or actor_b or source or since or until:
            wanted = PairFilter(self.canonical_actor(actor) if actor else None,
                                self.canonical_actor(actor_b) if actor_b else None, source, since, until)
            edges = [e for e in edges if wanted.passes(statements[e["a"]], statements[e["b"]])]
        edges, reviews = self._with_reviews(edges, include_dismissed)
        ranked = sorted((_ranked_edge(edge, near, order) for edge in edges), key=lambda r: r[0])
        groups = _fold_near_duplicates(ranked, statements)
        items = [{**judging.aligned_pair(edge, statements, first=first), "relevance": relevance,
                  "review": public_review(reviews.get(_pair_key(edge))), "duplicates": twins}
                 for (_, edge, first, relevance), twins in groups[offset:offset + limit]]
        return {"total": len(groups), "claims": len(near), "items": items}

    def on_topic(self, query: str) -> dict[str, float]:
        """The stored claims about ``query`` (id -> similarity): similar enough, or sharing a content
        word with it and not far off."""
        from .scoring.cues import content_stems

        words = content_stems(query)
        return {s["id"]: sim for s, sim in self.nearest(query, self.settings.topic_k)
                if sim >= self.settings.topic_min_similarity
                or (sim >= self.settings.topic_lexical_min_similarity and words & content_stems(s["text"]))}

    def statement(self, statement_id_: str) -> dict:
        statement = self.storage.get_statement(statement_id_)
        if statement is None:
            raise NotFound(f"no statement with id {statement_id_!r}")
        pending = self.storage.pending_judging([statement_id_])
        return {**statement, "conflicts_status": "pending" if pending else "done"}

    def statement_conflicts(self, statement_id_: str, label: str | None = None, min_score: float = 0.0,
                            include_dismissed: bool = False) -> list[dict]:
        self.statement(statement_id_)
        edges, reviews = self._with_reviews(self.storage.edges_touching([statement_id_], label=label, min_score=min_score),
                                            include_dismissed)
        statements = self.storage.statements_by_id({e["a"] for e in edges} | {e["b"] for e in edges})
        pairs = [{**judging.aligned_pair(e, statements, first=statement_id_),
                  "review": public_review(reviews.get(_pair_key(e)))} for e in edges]
        return sorted(pairs, key=lambda p: -p["score"])

    # -- editors' reviews --------------------------------------------------------------
    def _with_reviews(self, edges: list[dict], include_dismissed: bool) -> tuple[list[dict], dict]:
        """``edges`` less those an editor dismissed (unless ``include_dismissed``), and the reviews of
        them, keyed by ``_pair_key``."""
        reviews = self.storage.reviews_of((e["a"], e["b"]) for e in edges)
        if not include_dismissed:
            edges = [e for e in edges if reviews.get(_pair_key(e), {}).get("status") != "dismissed"]
        return edges, reviews

    def pair(self, a: str, b: str) -> dict:
        """The aligned pair judged between statements ``a`` and ``b`` (``a`` first), with its review."""
        edge = next((e for e in self.storage.edges_touching([a]) if {e["a"], e["b"]} == {a, b} and a != b), None)
        if edge is None:
            raise NotFound(f"no judged pair between {a!r} and {b!r}")
        statements = self.storage.statements_by_id([a, b])
        if len(statements) < 2:
            raise NotFound(f"no judged pair between {a!r} and {b!r}")
        review = self.storage.reviews_of([(a, b)]).get(_pair_key(edge))
        return {**judging.aligned_pair(edge, statements, first=a), "review": public_review(review)}

    def review_pair(self, a: str, b: str, status: str, note: str, who: str) -> dict:
        """Record an editor's judgement of a pair (``confirmed`` or ``dismissed``, with a note); audited.
        Kept apart from the edge: re-judging the pair never loses it."""
        pair = self.pair(a, b)
        verdict = {k: pair[k] for k in ("label", "score", "similarity", "kind", "scorer")} | {
            "a": {k: pair["a"][k] for k in ("id", "actor", "text", "source", "url", "date")},
            "b": {k: pair["b"][k] for k in ("id", "actor", "text", "source", "url", "date")}}
        review = {"a": a, "b": b, "status": status, "note": note, "who": who, "at": time.time(), "verdict": verdict}
        with self.storage.unit_of_work() as uow:
            uow.upsert_review(review)
            uow.audit(who, f"pair.{status}", f"{a} {b}", {"note": note, "label": pair["label"], "score": pair["score"]})
        return {**pair, "review": public_review(review)}

    def reviews(self):
        """Every review, oldest first (for ``export-reviews``)."""
        return self.storage.iter_reviews()

    # -- bulk checks (nothing stored) --------------------------------------------------
    def compare_claims(self, claims: list[dict], k: int = 5, scorer=None):
        """For each unsaved claim, its conflicts with stored statements (a generator, for streaming:
        one claim at a time, so results come as they are computed)."""
        for claim in claims:
            yield from self.compare_claim_batch([claim], k, scorer)

    def compare_claim_batch(self, claims: list[dict], k: int = 5, scorer=None) -> list[dict]:
        """Each unsaved claim's conflicts with stored statements, all pairs judged in one call of
        ``scorer`` (the engine's by default; a job passes its executor)."""
        return self.judge_claims(claims, k, scorer)[0]

    def judge_claims(self, claims: list[dict], k: int = 5, scorer=None) -> tuple[list[dict], int]:
        """``compare_claim_batch``'s results, and how many pairs were judged for them."""
        self.refresh()
        vectors = self.embedder.embed([normalise_text(c["text"]) for c in claims])
        probes = [{"id": f"claim:{i}", "actor": self.canonical_actor(c.get("actor") or "(unattributed)"),
                   "text": normalise_text(c["text"]), "date": c.get("date"), "source": c.get("source") or ""}
                  for i, c in enumerate(claims)]
        found = []
        # Each claim against the store only: unsaved claims are not compared with each other.
        for probe, vector in zip(probes, vectors):
            found += candidates(self.storage, [probe], vector[None, :], k, self.settings.candidate_min_similarity)
        edges = judging.judge_candidates(scorer or self.scorer, found)
        others = {c.b["id"]: c.b for c in found}
        results = []
        for probe in probes:
            mine = [e for e in edges if probe["id"] in (e["a"], e["b"])]
            pairs = [judging.aligned_pair(e, {**others, probe["id"]: probe}, first=probe["id"]) for e in mine]
            for pair in pairs:
                pair["a"] = {**pair["a"], "id": ""}
            results.append({"claim": {**probe, "id": ""}, "pairs": pairs})
        return results, len(found)

    def compare_pairs(self, pairs: list[dict], scorer=None, batch: int = 32):
        """Judge explicit (a, b) text pairs; one result per pair (a generator: ``batch`` pairs judged at
        a time, so a caller that stops reading stops the judging)."""
        scorer = scorer or self.scorer
        for start in range(0, len(pairs), batch):
            yield from self.judge_pairs(pairs[start:start + batch], scorer)

    def judge_pairs(self, pairs: list[dict], scorer) -> list[dict]:
        texts = [(normalise_text(p["a"]), normalise_text(p["b"])) for p in pairs]
        if hasattr(scorer, "similarities_and_judgements"):  # an executor: embedding spread over its workers too
            similarities, judgements = zip(*scorer.similarities_and_judgements(texts)) if texts else ((), ())
        else:
            similarities = self.embedder.pair_similarities(texts)
            judgements = scorer.judge(texts, similarities)
        return [{"a": a, "b": b, "label": judgement.label, "score": round(judgement.score, 4),
                 "probs": {k: round(v, 4) for k, v in judgement.probs.items()},
                 "similarity": round(sim, 4), "cues": judgement.cues, "scorer": scorer.name}
                for (a, b), sim, judgement in zip(texts, similarities, judgements)]

    # -- corrections -------------------------------------------------------------------
    def retract_statement(self, statement_id_: str, who: str, reason: str = "") -> None:
        with self.storage.unit_of_work() as uow:
            if not uow.delete_statements([statement_id_]):
                raise NotFound(f"no statement with id {statement_id_!r}")
            uow.audit(who, "statement.retract", statement_id_, {"reason": reason})

    def retract_document(self, doc_id: str, who: str, reason: str = "") -> int:
        with self.storage.unit_of_work() as uow:
            if not uow.document_exists(doc_id):
                raise NotFound(f"no document with id {doc_id!r}")
            removed = uow.delete_document(doc_id)
            uow.audit(who, "document.retract", doc_id, {"reason": reason, "statements": removed})
        return removed

    # -- maintenance -------------------------------------------------------------------
    def recompute_edges(self, batch: int | None = None, progress=None) -> int:
        """Rejudge the whole store with the current scorer, replaying the judging queue: statements in
        the order they were stored, in batches of ``JUDGE_BATCH``, each batch against what was stored
        before it and against itself, through the same ``candidates()`` as ingest."""
        self.refresh()
        batch = batch or self.settings.judge_batch
        edges: list[dict] = []
        end = 0
        for first, last, statements, vectors in self.storage.iter_statement_vectors(self.embedder.model_name, batch):
            edges += self._judged_edges(statements, vectors, before=first)
            end = last + 1
            if progress:
                progress(len(statements))
        # Statements ingested meanwhile (other processes) keep their edges; retracted ones lose theirs.
        present = self.storage.statements_by_id({e["a"] for e in edges} | {e["b"] for e in edges})
        edges = [e for e in edges if e["a"] in present and e["b"] in present]
        with self.storage.unit_of_work() as uow:
            uow.clear_edges(before=end)
            uow.upsert_edges(edges)
        return len(edges)

    def embed_missing_vectors(self, batch: int = 512, progress=None) -> int:
        """Give every statement a vector of the current model (after a model change)."""
        missing = self.storage.statements_without_vector(self.embedder.model_name)
        for start in range(0, len(missing), batch):
            chunk = missing[start:start + batch]
            vectors = self.embedder.embed([text for _, text in chunk])
            with self.storage.unit_of_work() as uow:
                for (statement_id_, _), vector in zip(chunk, vectors):
                    uow.set_vector(statement_id_, self.embedder.model_name, vector)
            if progress:
                progress(len(chunk))
        return len(missing)

    def stats(self) -> dict:
        self.refresh()
        return {"statements": self.storage.count_statements(), "index": self.storage.vector_count(),
                "edges": self.storage.count_edges(), "judging_backlog": self.storage.judging_backlog(),
                "jobs": self.storage.job_counts(), "scorer": self.scorer.name,
                "embedding_model": self.embedder.model_name, "storage": self.storage.backend}


def _retrying_transient_conflicts() -> Retrying:
    return Retrying(retry=retry_if_exception_type(TransientConflict), stop=stop_after_attempt(5),
                    wait=wait_random_exponential(0.05, 1), reraise=True)


def _between_present(uow, edges: list[dict]) -> list[dict]:
    """The edges whose two statements are still stored, those rows now held against retraction until
    the transaction commits: a neighbour retracted since it was judged is skipped, not a 500."""
    present = uow.present_statements({e["a"] for e in edges} | {e["b"] for e in edges})
    return [e for e in edges if e["a"] in present and e["b"] in present]


def _actors_of(statements: list[dict]) -> dict[str, set[str]]:
    actors: dict[str, set[str]] = {}
    for statement in statements:
        actors.setdefault(statement["actor"], set()).update(statement["aliases"])
    return actors


def _stored_as(results: dict[str, IngestResult], statement_id_: str) -> bool:
    """False for an in-batch partner that turned out to be stored already under another id."""
    return statement_id_ not in results or results[statement_id_].id == statement_id_


@dataclass(frozen=True)
class PairFilter:
    """Which aligned pairs a reader asked for: ``actor`` on one side and ``actor_b`` on the other
    (either alone: on any side), ``source`` a part of either claim's source (any case), and every
    dated claim within ``since``..``until`` (ISO dates; undated claims pass)."""
    actor: str | None = None
    actor_b: str | None = None
    source: str | None = None
    since: str | None = None
    until: str | None = None

    def passes(self, a: dict, b: dict) -> bool:
        return self.actors_match(a["actor"], b["actor"]) and self.source_matches(a, b) and all(
            self.in_range(s.get("date")) for s in (a, b))

    def actors_match(self, first: str, second: str) -> bool:
        wanted = [name for name in (self.actor, self.actor_b) if name]
        if len(wanted) == 2:
            return {first, second} == set(wanted) if wanted[0] != wanted[1] else first == second == wanted[0]
        return not wanted or wanted[0] in (first, second)

    def source_matches(self, a: dict, b: dict) -> bool:
        needle = (self.source or "").casefold()
        return not needle or any(needle in (s.get("source") or "").casefold() for s in (a, b))

    def in_range(self, date: str | None) -> bool:
        return not date or ((not self.since or date >= self.since) and (not self.until or date <= self.until))


def _passes(statement: dict, actor, source, since, until) -> bool:
    date = statement.get("date") or ""
    return ((not actor or statement["actor"] == actor)
            and (not source or statement["source"] == source)
            and (not since or (date and date >= since))
            and (not until or (date and date <= until)))


def _check_same_statement(first: dict, again: dict) -> None:
    """A batch may repeat a statement, never give its id to another one (only one could be stored)."""
    differing = sorted(k for k in first.keys() | again.keys() if k != "aliases" and first.get(k) != again.get(k))
    if differing:
        raise InvalidBatch(f"id {first['id']!r} is given to two different statements in this batch "
                           f"(they differ in {', '.join(differing)}); nothing was stored")


def _one_result_per_item(prepared: list[dict], results: dict[str, IngestResult]) -> list[IngestResult]:
    """The result of each item in order; a repeat of an earlier item of the batch created nothing."""
    out, done = [], set()
    for statement in prepared:
        result = results[statement["id"]]
        out.append(IngestResult(result.id, False, 0) if statement["id"] in done else result)
        done.add(statement["id"])
    return out


NEAR_IDENTICAL = 0.8  # Jaccard of two claims' content stems: the same words, give or take one or two


def _fold_near_duplicates(ranked: list, statements: dict[str, dict]) -> list[tuple[tuple, list[list[str]]]]:
    """``ranked`` edges in order, each with the [a, b] ids of the lower-ranked pairs folded into it: those
    whose claims, in one order or the other, are by the same actors in near-identical words."""
    from .scoring.cues import content_stems

    def side(statement_id_: str) -> tuple[str, frozenset]:
        return statements[statement_id_]["actor"], content_stems(statements[statement_id_]["text"])

    def same(x: tuple[str, frozenset], y: tuple[str, frozenset]) -> bool:
        return x[0] == y[0] and len(x[1] & y[1]) >= NEAR_IDENTICAL * max(1, len(x[1] | y[1]))

    groups: list[tuple[tuple, list[list[str]], tuple, tuple]] = []
    for entry in ranked:
        edge = entry[1]
        a, b = side(edge["a"]), side(edge["b"])
        for _, twins, first, second in groups:
            if (same(a, first) and same(b, second)) or (same(a, second) and same(b, first)):
                twins.append([edge["a"], edge["b"]])
                break
        else:
            groups.append((entry, [], a, b))
    return [(entry, twins) for entry, twins, _, _ in groups]


def _pair_key(edge: dict) -> tuple[str, str]:
    return tuple(sorted((edge["a"], edge["b"])))


def _ranked_edge(edge: dict, near: dict[str, float], order: str = "score") -> tuple[tuple, dict, str, float]:
    """(sort key, edge, the more relevant claim's id, relevance): by score, then relevance (or by
    relevance × score), then by the ids as the pair is shown (the more relevant claim first)."""
    relevance_a, relevance_b = near.get(edge["a"], 0.0), near.get(edge["b"], 0.0)
    first, second = (edge["a"], edge["b"]) if relevance_a >= relevance_b else (edge["b"], edge["a"])
    relevance = round(max(relevance_a, relevance_b), 4)
    key = (-edge["score"], -relevance) if order == "score" else (-(relevance * edge["score"]),)
    return (*key, first, second), edge, first, relevance


