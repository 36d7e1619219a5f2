"""Many nodes, one truth: API processes on one PostgreSQL share every write at once, concurrent
writers lose nothing and duplicate nothing, and an unreachable database is a clean 503."""
from __future__ import annotations

import time
from pathlib import Path
import urllib.error
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from service import build_engine, create_app
from service.embed import get_embedder
from service.storage import open_storage
from service.storage.base import StorageUnavailable

from .conftest import Databases, make_config
from .servers import free_port, get, post, start_server

WRITERS, PER_WRITER = 20, 20


@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory, pg_server):
    """Two API processes on one database, shared by this module's tests (each starts in ~10 s): the
    tests count what they add, not what the database holds."""
    databases = Databases(pg_server)
    url, folder = databases.new(), tmp_path_factory.mktemp("nodes")
    ports = [free_port(), free_port()]
    processes = [start_server(folder / f"node{i}", port, url) for i, port in enumerate(ports)]
    yield url, ports
    for process in processes:
        process.kill()
        process.wait()
    databases.drop_all()


def stored_counts(url: str, must_hold: set[str] = frozenset()) -> tuple[int, int, int]:
    """Statements, vectors and edges in the database at ``url``, once it is checked to hold ``must_hold``."""
    storage = open_storage(make_config(Path("/nonexistent"), database_url=url), "all-MiniLM-L6-v2", 384)
    try:
        assert set(storage.statements_by_id(must_hold)) == set(must_hold)
        return storage.count_statements(), storage.vector_count(), sum(len(batch) for batch in storage.iter_edges())
    finally:
        storage.close()


def test_a_write_through_one_node_is_visible_with_its_edges_through_the_other_within_a_second(two_nodes):
    _, (a, b) = two_nodes
    before = get(b, "/api/v1/healthz")["statements"]
    post(a, "/api/v1/statements", {"id": "x1", "actor": "Mayor", "text": "The bridge will open in May.",
                                   "source": "radio"})
    post(a, "/api/v1/statements", {"id": "x2", "actor": "Council", "text": "The bridge will not open in May.",
                                   "source": "paper"})
    written = time.monotonic()
    seen = None
    while time.monotonic() - written < 1.0:
        pairs = get(b, "/api/v1/statements/x2/conflicts")["items"]
        if pairs:
            seen = time.monotonic() - written
            break
        time.sleep(0.02)
    assert seen is not None and seen < 1.0
    print(f"\n[many nodes] the edge written through one node was served by the other after {seen * 1000:.0f} ms")
    assert pairs[0]["b"]["id"] == "x1" and pairs[0]["label"] == "contradiction"
    assert get(b, "/api/v1/healthz")["statements"] == before + 2


def test_concurrent_writers_on_two_nodes_lose_nothing_and_duplicate_nothing(two_nodes):
    url, ports = two_nodes
    statements_before, _, edges_before = stored_counts(url)
    shared = {"actor": "Wire", "text": "The fishing quota was cut by 20 percent.", "source": "wire"}

    def writer(w: int) -> tuple[list[str], int, int, int]:
        ids, created_shared, failures, edges = [], 0, 0, 0
        for i in range(PER_WRITER):
            port = ports[(w + i) % 2]
            body = {"actor": f"Minister {w}", "source": f"briefing {w}",
                    "text": f"The fishing quota for zone {i} was {'cut' if (w + i) % 2 else 'raised'} by {w + 5} percent."}
            try:
                item = post(port, "/api/v1/statements", body)["items"][0]
                ids.append(item["id"])
                edges += item["edges"]
                if i == PER_WRITER // 2:
                    answer = post(port, "/api/v1/statements", shared)
                    created_shared += answer["created"]
                    edges += answer["items"][0]["edges"]
            except urllib.error.HTTPError:
                failures += 1
        return ids, created_shared, failures, edges

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(writer, range(WRITERS)))
    acknowledged = {i for ids, _, _, _ in results for i in ids}
    assert sum(f for _, _, f, _ in results) == 0
    assert len(acknowledged) == WRITERS * PER_WRITER
    assert sum(c for _, c, _, _ in results) == 1  # the statement all writers sent was created once

    statements, vectors, edges = stored_counts(url, acknowledged)
    assert statements - statements_before == WRITERS * PER_WRITER + 1 and vectors == statements
    stored_edges = edges - edges_before
    # every edge an answer reported is stored, once (a lost or doubled write would show here)
    assert stored_edges == sum(e for _, _, _, e in results) > 0
    assert get(ports[0], "/api/v1/healthz") == get(ports[1], "/api/v1/healthz")
    print(f"\n[many nodes] {WRITERS} writers x {PER_WRITER} statements on two nodes: {len(acknowledged)} acknowledged "
          f"and stored, {stored_edges} edges, each reported once")


def test_unreachable_database_is_a_clear_error_at_start(tmp_path):
    config = make_config(tmp_path, database_url=f"postgresql://cc:secret@127.0.0.1:{free_port()}/none",
                         pg_connect_timeout=2)
    get_embedder(config.embed_model, config.embed_batch_size)  # loaded first: the bound is on the database
    started = time.monotonic()
    with pytest.raises(StorageUnavailable) as caught:
        build_engine(config)
    assert time.monotonic() - started < 10
    assert "database unavailable" in str(caught.value) and "secret" not in str(caught.value)


def test_a_connection_lost_inside_a_write_gives_503_and_leaves_nothing_half_written(tmp_path, databases,
                                                                                   monkeypatch):
    from service.storage.postgres.store import PostgresUnitOfWork

    config = make_config(tmp_path, database_url=databases.new())
    engine = build_engine(config)
    client = create_app(config, engine=engine).test_client()
    real_insert = PostgresUnitOfWork.insert_statements

    def insert_then_lose_the_connection(self, *args):
        real_insert(self, *args)  # statements and vectors written inside the transaction
        raise psycopg.OperationalError("server closed the connection unexpectedly")
    monkeypatch.setattr(PostgresUnitOfWork, "insert_statements", insert_then_lose_the_connection)
    response = client.post("/api/v1/statements", json=[{"actor": "A", "text": "Taxes will rise."},
                                                       {"actor": "B", "text": "Taxes will not rise."}])
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    monkeypatch.undo()
    assert engine.storage.count_statements() == 0 == engine.storage.vector_count()
    assert client.get("/api/v1/search?q=taxes").json["items"] == []
    engine.storage.close()


def test_a_database_that_stops_answering_gives_503_problem_and_writes_nothing(tmp_path, databases):
    url = databases.new()
    config = make_config(tmp_path, database_url=url, pg_pool_max=1, pg_pool_timeout=1)
    engine = build_engine(config)
    client = create_app(config, engine=engine).test_client()
    assert client.post("/api/v1/statements", json={"actor": "A", "text": "Taxes will rise."}).status_code == 201
    with engine.storage.pool.connection():  # the only connection is taken: the database looks unreachable
        response = client.post("/api/v1/statements", json={"actor": "B", "text": "Taxes will fall."})
        assert response.status_code == 503
        assert response.mimetype == "application/problem+json" and response.headers["Retry-After"]
        assert client.get("/api/v1/search?q=taxes").status_code == 503
    with psycopg.connect(url) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    # connections killed under the pool (a database restart): checked before use, replaced, no error
    health = client.get("/api/v1/healthz")
    assert health.status_code == 200 and health.json["statements"] == 1  # the refused write left nothing
    engine.storage.close()
