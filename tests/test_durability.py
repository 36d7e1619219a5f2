"""Crash safety, on both backends: kill -9 the server during bulk ingest, many times, then check
the store.

Every acknowledged statement must be present, no document may be half-ingested, and after a
restart the index must hold exactly the store's vectors.
"""
from __future__ import annotations

import http.client
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from service.storage import open_storage

from .conftest import FIXTURES, backend_overrides, make_config
from .servers import free_port, post, start_server

CYCLES = int(os.environ.get("CRASH_CYCLES", 2))  # 2 kills per backend in the suite (CI time); CRASH_CYCLES=10 for a longer run
ARTICLES = ["fed_rates.txt", "nato_spending.txt"]


def expected_claims(article: str) -> int:
    from service.actors import ActorRegistry
    from service.extract import extract_claims

    registry = ActorRegistry.from_file(FIXTURES / "actors.json")
    return len(extract_claims((FIXTURES / "articles" / article).read_text(), registry))


def post_article(port, article: str, tag: str) -> None:
    """A fixture article as a document, its source ``crash-<tag>-<article>``."""
    post(port, "/api/v1/documents", {"text": (FIXTURES / "articles" / article).read_text(),
                                     "source": f"crash-{tag}-{article}"})


def warm_up_extraction(port, cycle: int) -> None:
    """One article ingested before the kill window: a fresh server loads its extraction model on the first
    article (seconds), and an article that never gets past that is never killed mid-ingest."""
    post_article(port, ARTICLES[cycle % len(ARTICLES)], f"warm{cycle}")


@pytest.mark.skipif(sys.platform != "linux", reason="needs kill -9 semantics of Linux")
def test_kill_dash_nine_during_bulk_ingest_loses_nothing_acknowledged(tmp_path, backend, request):
    config = make_config(tmp_path, **backend_overrides(backend, request))
    data_dir, port, url = tmp_path / "data", free_port(), config.database_url
    rng = random.Random(5)
    acknowledged: set[str] = set()
    counter = iter(range(10**9))
    process = start_server(data_dir, port, url, judging="background")
    actors = json.loads((FIXTURES / "actors.json").read_text())
    post(port, "/api/v1/actors", [{"name": n, **v} for n, v in actors.items()])
    claims_per_article = {a: expected_claims(a) for a in ARTICLES}
    try:
        for cycle in range(CYCLES):
            warm_up_extraction(port, cycle)
            stop = threading.Event()

            def ingest_until_killed():
                while not stop.is_set():
                    n = next(counter)
                    try:
                        if n % 2 == 1:  # every other request an article, so documents are ingested when the kill comes
                            post_article(port, ARTICLES[(n // 2) % len(ARTICLES)], str(n))
                        else:
                            batch = [{"actor": f"Actor {i % 7}", "text": f"Claim {n}-{i}: the quota {rng.choice(['rose', 'fell'])} by {i} percent.",
                                      "source": f"crash-{n}"} for i in range(25)]
                            acknowledged.update(item["id"] for item in post(port, "/api/v1/statements", batch)["items"])
                    except (urllib.error.URLError, ConnectionError, OSError, http.client.HTTPException):
                        return  # the server died mid-request (or mid-answer): this batch was not acknowledged

            worker = threading.Thread(target=ingest_until_killed)
            worker.start()
            time.sleep(rng.uniform(1.0, 4.0))
            process.send_signal(signal.SIGKILL)
            process.wait()
            stop.set()
            worker.join()
            process = start_server(data_dir, port, url, judging="background")
        health = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/healthz").read())
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()

    storage = open_storage(config, "all-MiniLM-L6-v2", 384)
    stored = set(storage.statements_by_id(acknowledged)) | {
        s["id"] for _, _, batch, _ in storage.iter_statement_vectors("all-MiniLM-L6-v2", 1000) for s in batch}
    missing = acknowledged - stored
    documents = [(d["source"], len(storage.document_statement_ids(d["id"]))) for d in storage.iter_documents()]
    storage.close()
    half = [(source, count) for source, count in documents if count != claims_per_article[source.split("-", 2)[2]]]
    print(f"\n[crash test] {CYCLES} kills; acknowledged statements {len(acknowledged)}, stored {len(stored)}, "
          f"missing {len(missing)}; documents {len(documents)}, half-ingested {len(half)}; "
          f"after restart: store {health['statements']}, index {health['index']}")
    assert len(acknowledged) > 0 and not missing
    assert documents and not half
    assert health["statements"] == health["index"] == len(stored)
