"""Judging off the request path: the judging queue, bulk jobs, their API and CLI, the executors.

Each storage test runs on both backends. The plumbing scorer (cues) keeps them fast; the executors
(local process pool, Ray) run the same jobs and must give the same results as judging in-process.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from service import build_engine, create_app
from service.pipeline import jobs
from service.pipeline.jobs import Worker
from service.settings import ROOT

from .conftest import make_config

PAIRS = [{"a": "The plant is shut.", "b": "Production at the plant never stopped."},
         {"a": "Turnout was 41 percent.", "b": "More than half of voters turned out."},
         {"a": "The talks collapsed.", "b": "Negotiations broke down."},
         {"a": "Russia agreed to a full ceasefire.", "b": "Putin rejected a full ceasefire."}]


def edges_of(engine) -> set[tuple]:
    return {(e["a"], e["b"], e["label"], e["score"]) for batch in engine.storage.iter_edges() for e in batch}


@pytest.fixture
def background(config):
    engine = build_engine(config.replace(judging="background", job_chunk=64))
    yield engine
    engine.storage.close()


# -- the judging queue ---------------------------------------------------------------------------
def test_background_ingest_acknowledges_before_judging_and_the_worker_judges_as_inline_would(
        background, engine, fixture_statements):
    results = background.ingest(fixture_statements)
    assert all(r.conflicts_status == "pending" and r.edges == 0 for r in results)
    assert background.judging_backlog() == len(fixture_statements)
    assert background.statement(results[0].id)["conflicts_status"] == "pending"
    assert background.search("ceasefire", k=3), "stored, embedded and indexed before judging"
    assert not edges_of(background)

    assert Worker(background).drain_queue() == len(fixture_statements)
    assert background.judging_backlog() == 0
    assert background.statement(results[0].id)["conflicts_status"] == "done"
    engine.ingest(fixture_statements)  # the same batch judged inside the request (inline)
    assert edges_of(background) == edges_of(engine) and edges_of(engine)


def test_the_queue_survives_a_restart_and_judging_twice_changes_nothing(config, fixture_statements):
    settings = config.replace(judging="background")
    first = build_engine(settings)
    first.ingest(fixture_statements)
    first.storage.close()  # "crash" before any worker ran

    second = build_engine(settings)
    assert second.judging_backlog() == len(fixture_statements)
    Worker(second).drain_queue()
    judged = edges_of(second)
    assert judged
    with second.storage.unit_of_work() as uow:  # as if a worker died after writing, before finishing
        uow.enqueue_judging([s["id"] for s in fixture_statements])
    Worker(second).drain_queue()
    assert edges_of(second) == judged
    second.storage.close()


def test_a_statement_retracted_while_its_neighbour_is_judged_is_skipped_not_fatal(background):
    stored = background.ingest([{"id": "old", "actor": "Ministry", "text": "The plant is shut down."}])
    Worker(background).drain_queue()
    background.ingest([{"id": "new", "actor": "Union", "text": "The plant is not shut down."}])

    class RetractingScorer:
        name = "cues"

        def judge(self, pairs, similarities=None, dates=None):
            background.retract_statement(stored[0].id, who="test")  # lands between judging and writing
            return background.scorer.judge(pairs, similarities, dates)

    assert background.judge_queued(RetractingScorer()) == 1
    assert background.judging_backlog() == 0
    assert not edges_of(background)


def test_inline_ingest_skips_a_neighbour_retracted_while_it_was_judged(engine):
    stored = engine.ingest([{"id": "old", "actor": "Ministry", "text": "The plant is shut down."}])
    scorer = engine.scorer

    class RetractingScorer:
        name = "cues"

        def judge(self, pairs, similarities=None, dates=None):
            engine.retract_statement(stored[0].id, who="test")  # lands between judging and writing
            return scorer.judge(pairs, similarities, dates)

    engine.scorer = RetractingScorer()
    result = engine.ingest([{"id": "new", "actor": "Union", "text": "The plant is not shut down."}])
    assert result[0].created and result[0].edges == 0  # before: a foreign-key error (500), nothing stored
    assert engine.statement("new") and not edges_of(engine)


def test_retracting_a_queued_statement_takes_it_off_the_queue(background):
    result = background.ingest([{"actor": "Ministry", "text": "The plant is shut down."}])[0]
    background.retract_statement(result.id, who="test")
    assert background.judging_backlog() == 0


# -- jobs --------------------------------------------------------------------------------------------
def run_jobs(engine, scorer=None) -> None:
    worker = Worker(engine, scorer)
    while worker.work_on_one_job():
        pass


def test_a_pairs_job_gives_what_synchronous_compare_gives(background):
    job = jobs.submit(background, "pairs", PAIRS * 3, {}, who="test")
    assert job["state"] == "queued" and job["progress"] == {**job["progress"], "done": 0, "total": 12}
    run_jobs(background)
    done = jobs.status(background, job["id"])
    assert done["state"] == "done" and done["progress"]["done"] == 12 and done["progress"]["pairs_judged"] == 12
    assert list(jobs.results(background, job["id"])) == list(background.compare_pairs(PAIRS * 3))
    assert list(jobs.results(background, job["id"], offset=10)) == list(background.compare_pairs(PAIRS * 3))[10:]


def test_claims_and_actor_jobs_give_what_compare_and_search_give(engine, fixture_statements):
    engine.ingest(fixture_statements)
    claims = [{"text": "Russia agreed to a full ceasefire.", "actor": "Putin"},
              {"text": "Ukraine will get no security guarantees."}]
    job = jobs.submit(engine, "claims", claims, {"k": 5}, who="test")
    actors = jobs.submit(engine, "actors", [], {"actor_a": "Donald Trump", "actor_b": "Volodymyr Zelensky", "k": 5},
                         who="test")
    with pytest.raises(jobs.NothingToJudge, match="Trumpp"):
        jobs.submit(engine, "actors", [], {"actor_a": "Donald Trumpp", "actor_b": "Volodymyr Zelensky"}, who="test")
    run_jobs(engine)
    assert list(jobs.results(engine, job["id"])) == list(engine.compare_claims(claims, k=5))
    kept = sum(len(r["pairs"]) for r in jobs.results(engine, job["id"]))
    assert jobs.status(engine, job["id"])["progress"]["pairs_judged"] == 10 > kept  # k = 5 per claim, all judged
    rows = list(jobs.results(engine, actors["id"]))
    trump = [s for s in fixture_statements if engine.canonical_actor(s["actor"]) == "Donald Trump"]
    assert len(rows) == len(trump) and any(r["pairs"] for r in rows)
    for row in rows:
        assert all(p["a"]["id"] == row["statement"]["id"] and p["b"]["actor"] == "Volodymyr Zelensky"
                   for p in row["pairs"])


def test_a_cancelled_job_stops_and_keeps_what_it_saved(background):
    job = jobs.submit(background, "pairs", PAIRS * 50, {}, who="test")
    calls = []

    class CancellingScorer:
        name = "cues"

        def judge(self, pairs, similarities=None, dates=None):
            calls.append(len(pairs))
            if len(calls) == 2:
                jobs.cancel(background, job["id"], who="test")
            return background.scorer.judge(pairs, similarities, dates)

    run_jobs(background, CancellingScorer())
    status = jobs.status(background, job["id"])
    assert status["state"] == "cancelled" and len(calls) == 2
    assert status["progress"]["done"] == 64  # the first chunk; the second was judged after the cancel
    assert len(list(jobs.results(background, job["id"]))) == 64
    assert [a["action"] for a in background.storage.audit_log(limit=5)][:2] == ["job.cancel", "job.submit"]


def test_a_worker_that_dies_mid_job_leaves_it_to_the_next_which_finishes_it_once(config):
    engine = build_engine(config.replace(judging="background", job_chunk=4, job_lease_s=0.5))
    job = jobs.submit(engine, "pairs", PAIRS * 5, {}, who="test")

    class DyingScorer:
        name, calls = "cues", 0

        def judge(self, pairs, similarities=None, dates=None):
            DyingScorer.calls += 1
            if DyingScorer.calls == 3:
                raise SystemExit("killed")  # not an Exception: the worker does not record a failure
            return engine.scorer.judge(pairs, similarities, dates)

    with pytest.raises(SystemExit):
        run_jobs(engine, DyingScorer())
    assert jobs.status(engine, job["id"])["progress"]["done"] == 8
    assert not Worker(engine).work_on_one_job(), "its lease has not run out yet"
    time.sleep(0.6)
    run_jobs(engine)
    assert jobs.status(engine, job["id"])["state"] == "done"
    assert list(jobs.results(engine, job["id"])) == list(engine.compare_pairs(PAIRS * 5))
    engine.storage.close()


def test_a_worker_that_stops_gives_its_job_back_at_once(background):
    job = jobs.submit(background, "pairs", PAIRS * 40, {}, who="test")
    worker = Worker(background)

    class StoppingScorer:
        name = "cues"

        def judge(self, pairs, similarities=None, dates=None):
            worker.stop()  # SIGTERM arrives during the first chunk
            return background.scorer.judge(pairs, similarities, dates)

    worker.scorer = StoppingScorer()
    assert worker.work_on_one_job()
    assert jobs.status(background, job["id"])["progress"]["done"] == 64
    run_jobs(background)  # no lease to wait for
    assert jobs.status(background, job["id"])["state"] == "done"
    assert list(jobs.results(background, job["id"])) == list(background.compare_pairs(PAIRS * 40))


def test_jobs_take_turns_chunk_by_chunk(background):
    big = jobs.submit(background, "pairs", PAIRS * 100, {}, who="test")
    small = jobs.submit(background, "pairs", PAIRS, {}, who="test")
    worker = Worker(background)
    worker.work_on_one_job()
    worker.work_on_one_job()
    assert jobs.status(background, small["id"])["state"] == "done"
    assert jobs.status(background, big["id"])["progress"]["done"] == 64


def test_a_job_over_the_limit_is_refused(config):
    engine = build_engine(config.replace(job_max_items=3))
    with pytest.raises(jobs.JobTooLarge):
        jobs.submit(engine, "pairs", PAIRS, {}, who="test")
    engine.storage.close()


# -- API -----------------------------------------------------------------------------------------------
def test_jobs_api_submit_poll_results_cancel(client, engine):
    response = client.post("/api/v1/jobs", json={"pairs": PAIRS})
    assert response.status_code == 202
    location = response.headers["Location"]
    job = response.get_json()
    assert location == f"/api/v1/jobs/{job['id']}" and job["state"] == "queued"
    assert client.get(location).get_json()["progress"]["total"] == 4

    run_jobs(engine)
    assert client.get(location).get_json()["state"] == "done"
    assert 'counterclaim_jobs{state="done"} 1.0' in client.get("/metrics").get_data(as_text=True)
    lines = client.get(f"{location}/results").get_data(as_text=True).splitlines()
    assert [json.loads(line) for line in lines] == list(engine.compare_pairs(PAIRS))
    resumed = client.get(f"{location}/results?offset=3")
    assert resumed.mimetype == "application/x-ndjson" and resumed.headers["X-Job-State"] == "done"
    assert [json.loads(line) for line in resumed.get_data(as_text=True).splitlines()] == [json.loads(lines[3])]

    client.post("/api/v1/statements", json=[{"actor": "Ministry", "text": "The plant is shut down."},
                                            {"actor": "Union", "text": "The plant is not shut down."}])
    assert client.post("/api/v1/jobs", json={"actor_a": "Ministry", "actor_b": "Nobody"}).status_code == 422
    other = client.post("/api/v1/jobs", json={"actor_a": "Ministry", "actor_b": "Union"}).get_json()
    assert client.delete(f"/api/v1/jobs/{other['id']}").get_json()["state"] == "cancelled"
    assert client.get("/api/v1/jobs/job_nope").status_code == 404
    assert client.get("/api/v1/jobs/job_nope/results").status_code == 404


@pytest.mark.parametrize("body", [{"pairs": PAIRS, "claims": [{"text": "x y z"}]}, {"actor_a": "Trump"}, {},
                                  {"pairs": []}])
def test_jobs_api_refuses_a_body_that_is_not_exactly_one_kind(client, body):
    response = client.post("/api/v1/jobs", json=body)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_compare_keeps_a_small_limit_and_points_to_jobs(client):
    response = client.post("/api/v1/compare", json={"pairs": PAIRS * 26})
    assert response.status_code == 422
    assert "/api/v1/jobs" in response.get_json()["detail"]
    assert client.post("/api/v1/compare", json={"pairs": PAIRS * 25}).status_code == 200


def test_jobs_need_a_write_key_when_keys_are_set(config):
    app = create_app(config.replace(write_keys=["desk:s3cret"]))
    client = app.test_client()
    assert client.post("/api/v1/jobs", json={"pairs": PAIRS}).status_code == 401
    response = client.post("/api/v1/jobs", json={"pairs": PAIRS}, headers={"Authorization": "Bearer s3cret"})
    assert response.status_code == 202
    app.extensions["counterclaim"].storage.close()


def test_ingest_through_the_api_says_pending_then_done(config):
    app = create_app(config.replace(judging="background"))
    client = app.test_client()
    posted = client.post("/api/v1/statements", json=[
        {"actor": "Ministry", "text": "The plant is shut down."},
        {"actor": "Union", "text": "The plant is not shut down."}]).get_json()
    assert [i["conflicts_status"] for i in posted["items"]] == ["pending", "pending"]
    first = posted["items"][0]["id"]
    assert client.get(f"/api/v1/statements/{first}").get_json()["conflicts_status"] == "pending"
    assert client.get("/api/v1/healthz").get_json()["judging_backlog"] == 2
    assert "counterclaim_judging_backlog 2.0" in client.get("/metrics").get_data(as_text=True)
    Worker(app.extensions["counterclaim"]).drain_queue()
    assert client.get(f"/api/v1/statements/{first}").get_json()["conflicts_status"] == "done"
    assert client.get("/api/v1/healthz").get_json()["judging_backlog"] == 0
    assert client.get(f"/api/v1/statements/{first}/conflicts").get_json()["items"]
    app.extensions["counterclaim"].storage.close()


# -- executors -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("executor", ["local", "ray"])
def test_executors_run_every_kind_of_job_as_the_engine_does(tmp_path, executor, fixture_statements):
    from service.pipeline.executors import build_executor

    if executor == "ray":
        pytest.importorskip("ray")
    settings = make_config(tmp_path, judging="background", ray_address="local" if executor == "ray" else "")
    engine = build_engine(settings)
    pool = build_executor(settings, workers=2)
    try:
        engine.ingest(fixture_statements)
        assert Worker(engine, pool).drain_queue() == len(fixture_statements)
        claims = [{"text": "Russia agreed to a full ceasefire.", "actor": "Vladimir Putin"}]
        submitted = [jobs.submit(engine, "pairs", PAIRS * 20, {}, who="test"),
                     jobs.submit(engine, "claims", claims, {"k": 5}, who="test"),
                     jobs.submit(engine, "actors", [], {"actor_a": "Donald Trump", "actor_b": "Volodymyr Zelensky",
                                                        "k": 5}, who="test")]
        run_jobs(engine, pool)
        pairs, claimed, actors = (list(jobs.results(engine, job["id"])) for job in submitted)
        pooled_edges = edges_of(engine)
        assert pairs == list(engine.compare_pairs(PAIRS * 20))
        assert claimed == list(engine.compare_claims(claims, k=5))
        with engine.storage.unit_of_work() as uow:  # the same statements judged in this process
            uow.clear_edges(before=10**9)
            uow.enqueue_judging([s["id"] for s in fixture_statements])
        Worker(engine).drain_queue()
        assert edges_of(engine) == pooled_edges and pooled_edges
        run_jobs(engine)  # nothing left
        again = jobs.submit(engine, "actors", [], dict(submitted[2]["spec"]), who="test")
        run_jobs(engine)
        assert list(jobs.results(engine, again["id"])) == actors
    finally:
        pool.close()
        if executor == "ray":
            import ray

            ray.shutdown()
        engine.storage.close()


# -- a real worker process, killed -----------------------------------------------------------------------
@pytest.mark.skipif(sys.platform != "linux", reason="needs kill -9 semantics of Linux")
def test_kill_dash_nine_of_the_worker_mid_job_loses_nothing(config, tmp_path):
    engine = build_engine(config.replace(judging="background"))
    job = jobs.submit(engine, "pairs", PAIRS * 400, {}, who="test")
    env = {**os.environ, "COUNTERCLAIM_SCORER": "cues", "COUNTERCLAIM_DATA_DIR": str(config.data_dir),
           "COUNTERCLAIM_DATABASE_URL": config.database_url, "COUNTERCLAIM_JOB_CHUNK": "16",
           "COUNTERCLAIM_JOB_LEASE_S": "2", "COUNTERCLAIM_JOB_WORKERS": "1"}

    def start():
        return subprocess.Popen([sys.executable, "-m", "service", "worker"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    worker = start()
    deadline = time.time() + 120
    while jobs.status(engine, job["id"])["progress"]["done"] < 200 and time.time() < deadline:
        time.sleep(0.05)
    pool = psutil.Process(worker.pid).children(recursive=True)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    gone, alive = psutil.wait_procs(pool, timeout=10)
    assert pool and not alive, "the judging processes leave with the worker"
    done_at_kill = jobs.status(engine, job["id"])["progress"]["done"]
    assert 0 < done_at_kill < 1600, "killed in the middle of the job"

    worker = start()
    try:
        while jobs.status(engine, job["id"])["state"] != "done" and time.time() < deadline + 60:
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    status = jobs.status(engine, job["id"])
    assert status["state"] == "done" and status["progress"]["done"] == 1600
    assert list(jobs.results(engine, job["id"])) == list(engine.compare_pairs(PAIRS * 400))
    engine.storage.close()


def test_compare_in_a_pool_process_answers_as_in_the_request(config):
    inline = create_app(config).test_client().post("/api/v1/compare", json={"pairs": PAIRS}).get_json()
    app = create_app(config.replace(compare_in_pool=True))
    try:
        pooled = app.test_client().post("/api/v1/compare", json={"pairs": PAIRS}).get_json()
        claims = app.test_client().post("/api/v1/compare", json={"claims": [{"text": "The plant is shut."}]})
        assert claims.status_code == 200
    finally:
        app.extensions["counterclaim.judging"].scorer(None).close()
    assert pooled == inline


def test_compare_is_refused_with_retry_after_when_every_judging_slot_is_busy(config):
    app = create_app(config.replace(compare_slots=1, compare_wait_s=0))
    client, judging = app.test_client(), app.extensions["counterclaim.judging"]
    judging.take_slot()  # another request is judging
    busy = client.post("/api/v1/compare", json={"pairs": PAIRS})
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
    assert "/api/v1/jobs" in busy.get_json()["detail"]
    assert client.get("/api/v1/search?q=plant").status_code == 200, "reads do not need a judging slot"
    judging.release_slot()
    streamed = client.post("/api/v1/compare", json={"pairs": PAIRS}, headers={"Accept": "application/x-ndjson"})
    assert len(streamed.get_data(as_text=True).splitlines()) == len(PAIRS)
    assert client.post("/api/v1/compare", json={"pairs": PAIRS}).status_code == 200, "the stream gave its slot back"
    app.extensions["counterclaim"].storage.close()


def test_a_pool_process_whose_parent_died_before_it_started_leaves():
    # Its parent (the pool's owner) is given by pid: a process that finds another parent, because the
    # owner was killed while it was starting, exits at once instead of waiting forever.
    code = ("import time; from service.pipeline.executors import _exit_with_parent; "
            "_exit_with_parent(2**22 + 7); time.sleep(60)")
    started = time.monotonic()
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=30).returncode == 0
    assert time.monotonic() - started < 15
