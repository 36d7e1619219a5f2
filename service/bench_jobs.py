"""Benchmark of judging off the request path (``python -m service bench-jobs``).

On synthetic statements (``bench.synthetic_statements``), in one process, embedded store:

- raw embedding throughput: sentences/s of ``Embedder.embed`` alone on the same texts;
- acknowledged ingest: statements/s of ``Engine.ingest`` with background judging (store, embed,
  index, queue), as a share of the raw embedding rate;
- the queue's drain: how long the judging worker (local process pool, ``JOB_WORKERS``) takes to
  judge that backlog, and its statements/s;
- job throughput on Ray: judged pairs/s of one pairs job on 1 Ray actor, then on 2 (a local Ray
  with 2 CPUs), and the ratio.
"""
from __future__ import annotations

import tempfile
import time

from .bench import measure_model_throughput, synthetic_statements


def run_jobs_bench(config, n: int = 2000, pairs: int = 512, ray_workers: tuple[int, ...] = (1, 2),
                   batch: int = 256) -> dict:
    from . import build_engine
    from .pipeline.executors import SLICE, build_executor
    from .pipeline.jobs import Worker

    statements = synthetic_statements(n)
    report: dict = {"scorer": config.scorer, "statements": n, "ingest_batch": batch,
                    "job_workers": config.job_workers}
    with tempfile.TemporaryDirectory() as tmp:
        engine = build_engine(config.replace(data_dir=tmp, database_url="", judging="background"))
        texts = [s["text"] for s in statements]
        measure_model_throughput(engine.embedder, texts[:64])  # load the model outside the timing
        raw = measure_model_throughput(engine.embedder, texts)
        started = time.perf_counter()
        for i in range(0, n, batch):
            engine.ingest(statements[i:i + batch], who="bench")
        ack = n / (time.perf_counter() - started)
        report["embedding_sentences_per_s"] = round(raw, 1)
        report["ingest_acknowledged_statements_per_s"] = round(ack, 1)
        report["ingest_to_embedding_ratio"] = round(ack / raw, 3)

        executor = build_executor(config)
        executor.judge([("warm", "up")] * SLICE * executor.workers)  # load the models outside the timing
        worker = Worker(engine, executor)
        backlog = engine.judging_backlog()
        started = time.perf_counter()
        worker.drain_queue()
        drain = time.perf_counter() - started
        executor.close()
        report["queue"] = {"statements": backlog, "drain_s": round(drain, 1),
                           "statements_per_s": round(backlog / drain, 2), "edges": engine.stats()["edges"],
                           "executor": f"{type(executor).__name__} x {executor.workers}"}
        report["ray"] = measure_ray_scaling(config, engine, pairs, ray_workers)
        engine.storage.close()
    return report


def bench_pairs(statements: list[dict], count: int) -> list[dict]:
    """Pairs of claims about the same subject (the synthetic texts start with it): the judge's gate
    lets them through, as it does the candidates of real ingest."""
    by_subject: dict[str, list[str]] = {}
    for s in statements:
        by_subject.setdefault(s["text"].split(" ")[1], []).append(s["text"])
    found = []
    for texts in by_subject.values():
        found += [{"a": a, "b": b} for a, b in zip(texts[0::2], texts[1::2])]
    return found[:count]


def measure_ray_scaling(config, engine, count: int, workers: tuple[int, ...]) -> dict:
    """Pairs/s of the same pairs job on Ray with each number of actors (a local Ray, one CPU per actor)."""
    import ray

    from .pipeline import jobs
    from .pipeline.executors import SLICE, RayActors
    from .pipeline.jobs import Worker

    # Each run its own pairs: the driver caches embeddings, so a repeat would be cheaper.
    texts = synthetic_statements(4 * count * len(workers), seed=13)  # enough same-subject pairs for every run
    runs = {n: bench_pairs(texts, count * len(workers))[i * count:(i + 1) * count] for i, n in enumerate(workers)}
    ray.init(num_cpus=max(workers), include_dashboard=False, log_to_driver=False)
    rates = {}
    try:
        for n in workers:
            executor = RayActors(config.replace(ray_address="local"), n)
            executor.judge([("warm", "up")] * SLICE * n)  # each actor loads its model outside the timing
            items = runs[n]
            job = jobs.submit(engine, "pairs", items, {}, who="bench")
            started = time.perf_counter()
            worker = Worker(engine, executor)
            while worker.work_on_one_job():  # a chunk at a time
                pass
            elapsed = time.perf_counter() - started
            assert jobs.status(engine, job["id"])["state"] == "done"
            rates[n] = round(len(items) / elapsed, 2)
            executor.close()
    finally:
        ray.shutdown()
    report = {"pairs_per_run": count, "chunk_per_worker": config.job_chunk, "pairs_per_s_by_workers": rates}
    if len(rates) >= 2:
        low, high = min(rates), max(rates)
        report[f"speedup_{high}_vs_{low}"] = round(rates[high] / rates[low], 2)
    return report
