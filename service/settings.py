"""Settings: the one object that reads the environment.

Every field can be set as an environment variable prefixed ``COUNTERCLAIM_``
(``COUNTERCLAIM_DATA_DIR=/srv/cc``, ``COUNTERCLAIM_DATABASE_URL=postgresql://…``); explicit
arguments (tests, the command line) win over the environment, which wins over the defaults.
Values are validated when read, so a mistyped number fails at start-up, not on the first request.
Nothing else in the service calls ``os.environ``.
"""
from __future__ import annotations

import multiprocessing
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

KeyList = Annotated[list[str], NoDecode]  # a JSON list or "name:secret,name2:secret2"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COUNTERCLAIM_", extra="forbid", frozen=True,
                                      populate_by_name=True)

    # Where the embedded store (SQLite, the truth) and its FAISS index (derived) live.
    data_dir: Path = ROOT / "indexes"
    fixtures_dir: Path = ROOT / "fixtures"
    # Empty: the embedded store above. "postgresql://…": PostgreSQL + pgvector holds everything
    # instead, shared by every process pointed at it (no local files).
    database_url: str = ""
    # PostgreSQL connections per process, waits and timeouts, and the least HNSW search breadth
    # (higher: better recall, slower; a query for k rows uses at least 2k).
    pg_pool_min: int = Field(1, ge=0)
    pg_pool_max: int = Field(10, ge=1)
    pg_pool_timeout: float = Field(10.0, gt=0)
    pg_connect_timeout: int = Field(5, ge=1)
    pg_statement_timeout_ms: int = Field(30_000, ge=0)
    pg_ef_search: int = Field(40, ge=1, le=1000)
    # Embedding model: the name recorded with every vector, from the installed package that carries it.
    embed_model: str = "all-MiniLM-L6-v2"
    embed_batch_size: int = Field(64, ge=1)
    embed_threads: int = Field(0, ge=0)  # threads of its ONNX Runtime session (0: all cores)
    # Contradiction scorer (service/scoring/registry.py): "judge" (same-point gate, fast stage,
    # nli-mpnet-base, calibrated verdict), "judge-thorough" (the judge without its fast stage: more
    # recall, more CPU), "nli" (nli-mpnet-base alone) or "cues" (rule baseline).
    scorer: str = "judge"
    # Shipped model files, and where the ONNX files made from them (the precise stage's, joined; the embedder's,
    # exported) are cached.
    model_dir: Path = ROOT / "model"
    cache_dir: Path = Path(tempfile.gettempdir())
    # Threads of the precise stage's ONNX Runtime session (0: all cores).
    onnx_threads: int = Field(0, ge=0, validation_alias=AliasChoices("COUNTERCLAIM_ONNX_THREADS", "OMP_NUM_THREADS"))
    # Candidate generation for conflict edges at ingest time.
    candidates_k: int = Field(5, ge=1)
    candidate_min_similarity: float = 0.30
    # Where conflicts are judged. "background" (default): ingest stores, embeds and indexes, then
    # acknowledges; workers judge the new statements from a durable queue in the store ("pending"
    # until done). "inline": inside the ingest request (small set-ups, tests that need edges at once).
    judging: Literal["background", "inline"] = "background"
    # Judging workers: processes of the local pool (default: all cores but one, left for reads), or
    # Ray actors when RAY_ADDRESS is set ("auto": a running cluster; "local": start one here).
    job_workers: int = Field(max(1, multiprocessing.cpu_count() - 1), ge=1)
    ray_address: str = ""
    # CPU priority of judging (added niceness, Linux): worker processes, and the threads that judge a
    # /compare request, give way to reads.
    judging_niceness: int = Field(10, ge=0, le=19)
    # /compare judges in a low-priority pool process of each API worker (false: in the request's thread).
    compare_in_pool: bool = True
    # /compare requests judging at once per API worker, and how long one waits for a slot before a 503.
    compare_slots: int = Field(2, ge=1)
    compare_wait_s: float = Field(0.0, ge=0)
    # With judging="inline" (inside the request), a document with more claims than this is refused:
    # 2,000 quotes once took 404 s in one request. In the background mode every claim is queued.
    inline_document_max_claims: int = Field(200, ge=1)
    # A synchronous /compare stops judging at this deadline (the rest belongs in a job).
    compare_deadline_s: float = Field(60.0, ge=0)
    # gunicorn's master starts one `python -m service worker` (false: run workers yourself, elsewhere).
    start_judging_worker: bool = True
    ray_gpus_per_worker: float = Field(0.0, ge=0)
    # Statements a worker claims from the judging queue at once, job items per chunk and per judging
    # worker (results are saved after each chunk; larger chunks keep parallel workers busier, smaller
    # ones lose less to a crash and let jobs take turns sooner), how long a claim lasts without a sign
    # of life, and the job size limit.
    judge_batch: int = Field(64, ge=1)
    job_chunk: int = Field(128, ge=1)  # per judging worker
    job_lease_s: float = Field(60.0, gt=0)
    job_max_items: int = Field(1_000_000, ge=1)
    job_max_bytes: int = Field(512 * 1024 * 1024, ge=1)  # a job's request body (1M pairs of short claims)
    # Topic queries: how many statements near the query to look at, and how near.
    # A claim is on the topic when it is this similar to the query, or shares a content word with it
    # and is at least topic_lexical_min_similarity similar (chosen on the fixtures by eye: "tariffs" or
    # "Kursk" no longer pull in ceasefire claims at 0.3-0.38; "ceasefire" keeps its "truce" claims at 0.42+).
    topic_k: int = Field(50, ge=1)
    topic_min_similarity: float = 0.40
    topic_lexical_min_similarity: float = 0.20
    # Largest request body accepted (the per-field limits are in service/schemas.py).
    max_content_length: int = 8 * 1024 * 1024
    # Auth: API keys ("name:secret") that may write; keys that may read (empty = reads are open).
    # With no write key configured, writes are open: fine on a laptop, never in production.
    write_keys: KeyList = []
    read_keys: KeyList = []
    # Rate limits per client (its key, else its address), as `limits` strings (service/web/limits.py);
    # counters per process unless rate_limit_storage points at a shared store (redis://, memcached://).
    rate_limit_enabled: bool = True
    rate_limit: str = "1200 per minute"
    rate_limit_writes: str = "300 per minute"
    rate_limit_heavy: str = "30 per minute"
    rate_limit_storage: str = "memory://"
    # The organisation named as the author of exported ClaimReviews.
    publisher: str = "Counterclaim"
    # Once any key is configured, /compare beyond this many items needs a key (heavy work is not anonymous).
    compare_anonymous_max: int = Field(10, ge=0)
    # service.wsgi (gunicorn): load fixtures/ into an empty store at start (`serve` always does).
    load_fixtures: bool = False
    # gunicorn (service/gunicorn_conf.py)
    bind: str = "127.0.0.1:8000"
    workers: int = Field(min(4, multiprocessing.cpu_count()), ge=1)
    threads: int = Field(16, ge=1)  # well over COMPARE_SLOTS: reads always find a thread
    keepalive: int = Field(2, ge=0)
    # Slow clients (service/web/slow_clients.py): a request's headers must be complete this long after
    # their first byte (else 408); a body must arrive at body_min_rate bytes/s after body_grace_s; at
    # most slow_connections_max reads per worker may fall behind (0: a quarter of the threads), the
    # oldest beyond are closed; a body read or answer write with no progress for client_io_timeout_s
    # ends the request.
    header_timeout_s: float = Field(10.0, gt=0)
    slow_connections_max: int = Field(0, ge=0)
    client_io_timeout_s: float = Field(10.0, ge=0)
    body_min_rate: int = Field(64 * 1024, ge=0)
    body_grace_s: float = Field(10.0, gt=0)
    # Threads of each gunicorn worker's sentence embedder (the workers share the cores; elsewhere embed_threads).
    worker_embed_threads: int = Field(1, ge=1, validation_alias=AliasChoices(
        "COUNTERCLAIM_WORKER_EMBED_THREADS", "COUNTERCLAIM_TORCH_NUM_THREADS", "TORCH_NUM_THREADS"))
    # Prometheus counters shared by gunicorn workers (prometheus_client's own variable).
    prometheus_multiproc_dir: str = Field("", validation_alias=AliasChoices("COUNTERCLAIM_PROMETHEUS_MULTIPROC_DIR",
                                                                             "PROMETHEUS_MULTIPROC_DIR"))

    @field_validator("write_keys", "read_keys", mode="before")
    @classmethod
    def _key_list(cls, value):
        if isinstance(value, str):
            import json

            text = value.strip()
            return json.loads(text) if text.startswith("[") else [e.strip() for e in text.split(",") if e.strip()]
        return value

    def replace(self, **changes) -> "Settings":
        """A copy with ``changes`` (validated), the environment not read again."""
        return type(self).model_validate({**self.model_dump(), **changes})


def load_settings(**overrides) -> Settings:
    """Defaults, then ``COUNTERCLAIM_*`` environment variables, then ``overrides``."""
    return Settings(**overrides)
