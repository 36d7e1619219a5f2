"""Judging off the request path: bulk jobs and the worker that drains the judging queue.

A **job** is a list of items stored with it (claims against the store, explicit pairs, or the
statements of one actor to check against another's), processed in chunks by a worker; each
chunk's results are saved with the job's progress in one transaction, so a worker killed in the
middle loses at most the chunk it was on, and the next worker resumes where the saved progress
stops. States: ``queued`` → ``running`` → ``done`` | ``failed`` | ``cancelled``.

The **worker** (``Worker.run``) gives the judging queue priority (new statements from ingest wait
for their conflicts; a job's caller waits for the whole job anyway), then works on the jobs, which
take turns chunk by chunk.
Scoring goes through an executor (``executors.py``): a local process pool, or Ray actors.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid

log = logging.getLogger(__name__)

KINDS = ("claims", "pairs", "actors")
FINISHED = ("done", "failed", "cancelled")


class JobNotFound(LookupError):
    """No job with this id."""


class JobTooLarge(ValueError):
    """More items than a job may hold."""


class NothingToJudge(ValueError):
    """An actor job naming an actor with no statements (a typo, most often)."""


def new_job_id() -> str:
    return f"job_{uuid.uuid4().hex[:20]}"


def submit(engine, kind: str, items: list, spec: dict, who: str) -> dict:
    """Store a job with its items (queued); returns its status."""
    if kind == "actors":
        items = actor_items(engine, spec)
    limit = engine.settings.job_max_items
    if len(items) > limit:
        raise JobTooLarge(f"a job holds at most {limit:,} items; this one has {len(items):,}")
    job = {"id": new_job_id(), "kind": kind, "spec": spec, "who": who}
    with engine.storage.unit_of_work() as uow:
        uow.insert_job(job, items)
        uow.audit(who, "job.submit", job["id"], {"kind": kind, "items": len(items), **spec})
    return status(engine, job["id"])


def actor_items(engine, spec: dict) -> list[dict]:
    """One item per statement of actor A (each checked against actor B's nearest claims)."""
    spec["actor_a"], spec["actor_b"] = (engine.canonical_actor(spec["actor_a"]), engine.canonical_actor(spec["actor_b"]))
    ids = {side: engine.storage.statement_ids_of_actor(spec[side]) for side in ("actor_a", "actor_b")}
    for side, found in ids.items():
        if not found:
            raise NothingToJudge(f"{side}: no statements by {spec[side]!r} (GET /api/v1/actors lists the known names)")
    return [{"id": statement_id} for statement_id in ids["actor_a"]]


def status(engine, job_id: str) -> dict:
    """The job as the API shows it: state, progress (done/total, pairs/s, ETA), error."""
    job = engine.storage.get_job(job_id)
    if job is None:
        raise JobNotFound(f"no job with id {job_id!r}")
    started, finished = job["started_at"], job["finished_at"]
    elapsed = ((finished or time.time()) - started) if started else 0.0
    items_per_s = job["done"] / elapsed if elapsed > 0 else 0.0
    eta = None
    if job["state"] in ("queued", "running") and items_per_s > 0:
        eta = round((job["total"] - job["done"]) / items_per_s, 1)
    return {"id": job["id"], "kind": job["kind"], "state": job["state"], "spec": job["spec"],
            "progress": {"done": job["done"], "total": job["total"], "pairs_judged": job["pairs"],
                         "pairs_per_s": round(job["pairs"] / elapsed, 2) if elapsed > 0 else 0.0,
                         "items_per_s": round(items_per_s, 2), "eta_s": eta},
            "error": job["error"], "created_at": job["created_at"], "started_at": started, "finished_at": finished}


def results(engine, job_id: str, offset: int = 0, page: int = 1000):
    """The job's results from item ``offset`` on, in item order (a generator over pages)."""
    status(engine, job_id)
    while True:
        rows = engine.storage.job_results(job_id, offset, page)
        yield from rows
        if len(rows) < page:
            return
        offset += len(rows)


def cancel(engine, job_id: str, who: str) -> dict:
    """Stop a queued or running job (a running chunk finishes, its results are not saved)."""
    status(engine, job_id)
    with engine.storage.unit_of_work() as uow:
        if uow.finish_job(job_id, "cancelled"):
            uow.audit(who, "job.cancel", job_id)
    return status(engine, job_id)


# -- processing ------------------------------------------------------------------------------
def process_items(engine, kind: str, items: list, spec: dict, scorer) -> tuple[list[dict], int]:
    """(one result per item, pairs judged)."""
    if kind == "pairs":
        rows = engine.judge_pairs(items, scorer)
        return rows, len(rows)
    if kind == "claims":
        return engine.judge_claims(items, spec.get("k", 5), scorer=scorer)
    if kind == "actors":
        return actor_results(engine, items, spec, scorer)
    raise ValueError(f"unknown job kind {kind!r}")


def actor_results(engine, items: list[dict], spec: dict, scorer) -> tuple[list[dict], int]:
    """Each statement of actor A against actor B's nearest claims (as ``search`` with an actor filter)."""
    from . import judging
    from .candidates import Candidate

    statements = engine.storage.statements_by_id([item["id"] for item in items])
    found: list[Candidate] = []
    for item in items:
        statement = statements.get(item["id"])
        if statement is None:
            continue  # retracted since the job was submitted
        for hit in engine.search(statement["text"], spec.get("k", 5), actor=spec["actor_b"]):
            if hit["similarity"] >= engine.settings.candidate_min_similarity:
                found.append(Candidate(statement, hit["statement"], hit["similarity"], "cross"))
    edges = judging.judge_candidates(scorer, found)
    others = {c.b["id"]: c.b for c in found}
    rows = []
    for item in items:
        mine = [e for e in edges if e["a"] == item["id"]]
        rows.append({"statement": statements.get(item["id"], {"id": item["id"], "retracted": True}),
                     "pairs": [judging.aligned_pair(e, {**others, **statements}, first=item["id"]) for e in mine]})
    return rows, len(found)


class Worker:
    """Drains the judging queue, then works through jobs, until stopped."""

    def __init__(self, engine, scorer=None, idle_wait_s: float = 0.5):
        self.engine, self.scorer = engine, scorer or engine.scorer
        self.idle_wait_s = idle_wait_s
        self.stopping = threading.Event()

    def run(self) -> None:
        log.info("worker started (scorer %s)", getattr(self.scorer, "name", "?"))
        while not self.stopping.is_set():
            try:
                busy = self.drain_queue() or self.work_on_one_job()
            except Exception:  # the database away, a bug in one batch: log it, wait, go on
                log.exception("worker step failed")
                busy = False
            if not busy:
                self.stopping.wait(self.idle_wait_s)

    def stop(self) -> None:
        self.stopping.set()

    def drain_queue(self) -> int:
        """Judge queued statements until the queue is empty (or the worker stops)."""
        judged = 0
        while not self.stopping.is_set():
            n = self.engine.judge_queued(self.scorer)
            if not n:
                break
            judged += n
        return judged

    def work_on_one_job(self) -> bool:
        """One chunk of the job whose turn it is: running jobs take turns chunk by chunk, so a small
        job submitted behind a big one does not wait for all of it. False when no job is waiting."""
        settings = self.engine.settings
        with self.engine.storage.unit_of_work() as uow:
            job = uow.claim_job(settings.job_lease_s)
        if job is None:
            return False
        # Per worker of the executor: parallel workers then finish a chunk nearly together.
        chunk = settings.job_chunk * getattr(self.scorer, "workers", 1)
        try:
            items = self.engine.storage.job_items(job["id"], job["done"], chunk)
            if items:
                rows, pairs = process_items(self.engine, job["kind"], items, job["spec"], self.scorer)
                with self.engine.storage.unit_of_work() as uow:
                    if not uow.save_job_results(job["id"], job["done"], rows, pairs, settings.job_lease_s):
                        return True  # cancelled meanwhile
                    uow.release_job(job["id"])  # its turn is over
            if job["done"] + len(items) >= job["total"]:
                self._finish(job["id"], "done")
        except Exception as exc:
            log.exception("job %s failed", job["id"])
            self._finish(job["id"], "failed", f"{type(exc).__name__}: {exc}")
        return True

    def _finish(self, job_id: str, state: str, error: str | None = None) -> None:
        with self.engine.storage.unit_of_work() as uow:
            if uow.finish_job(job_id, state, error):
                uow.audit("worker", f"job.{state}", job_id, {"error": error} if error else {})


def start_in_thread(engine, scorer=None) -> Worker:
    """A worker on a daemon thread of this process (``serve``)."""
    worker = Worker(engine, scorer)
    threading.Thread(target=worker.run, name="counterclaim-worker", daemon=True).start()
    return worker

