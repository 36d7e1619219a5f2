"""The command line: ingest from JSON, JSONL, CSV and articles; compare; reindex; bad files."""
from __future__ import annotations

import json

import pytest

from click.testing import CliRunner

from service.cli import main
from service.storage import open_storage
from service.storage.sqlite import SqliteStorage

from .conftest import FIXTURES, PLUMBING_SCORER, make_config


def run(tmp_path, *args):
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), "--scorer", PLUMBING_SCORER, *args],
                                catch_exceptions=False)
    return result


def storage(tmp_path) -> SqliteStorage:
    return SqliteStorage(tmp_path / "data", "all-MiniLM-L6-v2", 384)


def count(tmp_path) -> int:
    return storage(tmp_path).count_statements()


def edges(tmp_path) -> list[tuple]:
    return sorted((e["a"], e["b"], e["label"], e["score"], e["kind"]) for batch in storage(tmp_path).iter_edges()
                  for e in batch)


def test_ingest_json_jsonl_csv_and_dedupe(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps([{"actor": "A", "text": "Taxes will rise.", "source": "s"}]))
    (tmp_path / "b.csv").write_text("actor,text,source,date,aliases\nB,Taxes will not rise.,t,2025-01-02,Bee|B.\n"
                                    "A,Taxes will rise.,s,,\n")
    result = run(tmp_path, "ingest", str(tmp_path / "a.json"), str(tmp_path / "b.csv"),
                 str(FIXTURES / "statements.jsonl"))
    assert result.exit_code == 0, result.output
    assert "b.csv: 2 statements read: 1 stored, 1 skipped as already stored" in result.output
    assert count(tmp_path) == 2 + 13


def test_ingest_article_files(tmp_path):
    html = tmp_path / "page.html"
    html.write_text("<html><body><nav>Menu</nav><article><p>" + "Filler sentence about the weather today. " * 5 +
                    "</p><p>The minister said that the new bridge would open in May.</p></article></body></html>")
    result = run(tmp_path, "ingest", str(FIXTURES / "articles" / "fed_rates.txt"), str(html))
    assert result.exit_code == 0, result.output
    assert "attributed statement(s)" in result.output and count(tmp_path) > 0


def test_ingest_fills_source_url_and_date_and_says_what_it_skipped(tmp_path):
    article = FIXTURES / "articles" / "fed_rates.txt"
    result = run(tmp_path, "ingest", "--source", "Daily Post", "--url", "https://example.org/fed", "--date",
                 "2025-04-17", str(article))
    assert result.exit_code == 0, result.output
    assert "1 article(s): 1 stored" in result.output
    [document] = list(storage(tmp_path).iter_documents())
    assert (document["source"], document["url"], document["date"]) == ("Daily Post", "https://example.org/fed", "2025-04-17")
    again = run(tmp_path, "ingest", "--source", "Another Paper", str(article))
    assert "already stored as " + document["id"] in again.output and "1 skipped as already stored" in again.output
    assert len(list(storage(tmp_path).iter_documents())) == 1
    records = tmp_path / "claims.jsonl"
    records.write_text(json.dumps({"actor": "A", "text": "Taxes will rise."}) + "\n" +
                       json.dumps({"actor": "B", "text": "Taxes will fall.", "source": "own", "date": "2025-01-01"}) + "\n")
    assert run(tmp_path, "ingest", "--source", "wire", "--date", "2025-05-05", str(records)).exit_code == 0
    stored = {s["actor"]: s for s in storage(tmp_path).statements_by_id(
        storage(tmp_path).statement_ids_of_actor("A") + storage(tmp_path).statement_ids_of_actor("B")).values()}
    assert (stored["A"]["source"], stored["A"]["date"]) == ("wire", "2025-05-05")
    assert (stored["B"]["source"], stored["B"]["date"]) == ("own", "2025-01-01")  # a record's own fields win
    bad = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), "ingest", "--date", "2025-13-45", str(records)])
    assert bad.exit_code != 0 and "2025-13-45" in bad.output


def test_bad_file_is_reported_and_nothing_stored(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"actor": "A", "text": "fine"}) + "\n" + json.dumps({"actor": "A"}) + "\n")
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), "ingest", str(bad)])
    assert result.exit_code != 0 and "bad.jsonl:2" in result.output
    assert count(tmp_path) == 0


def test_ingest_refuses_a_file_that_gives_one_id_to_two_statements(tmp_path):
    clash = tmp_path / "clash.jsonl"
    clash.write_text('{"id": "x1", "actor": "A", "text": "One."}\n{"id": "x1", "actor": "B", "text": "Two."}\n')
    result = run(tmp_path, "ingest", str(clash))
    assert result.exit_code != 0 and "clash.jsonl" in result.output and "'x1'" in result.output
    assert count(tmp_path) == 0


def test_compare_and_reindex(tmp_path):
    result = run(tmp_path, "compare", "The ceasefire was agreed.", "The ceasefire was rejected.")
    assert json.loads(result.output)["label"] == "contradiction"
    run(tmp_path, "ingest", "--batch-size", "4", str(FIXTURES / "statements.jsonl"))
    ingested = edges(tmp_path)
    (tmp_path / "data" / "statements.faiss").unlink()
    result = run(tmp_path, "reindex", "--edges", "--batch-size", "4")
    assert "index: 13 vectors" in result.output and "edges recomputed" in result.output
    assert ingested and edges(tmp_path) == ingested  # reindex rebuilds the graph ingest built


def test_migrate_copies_the_embedded_store_into_postgresql_resumably(tmp_path, databases, monkeypatch):
    from service.storage.postgres.store import PostgresUnitOfWork

    url = databases.new()
    source = storage(tmp_path)
    with source.unit_of_work() as uow:  # "White House" is an actor, and also an alias of another one
        uow.upsert_actor("White House", roles=["the administration"], kind="org")
        uow.upsert_actor("Karoline Leavitt", aliases=["White House", "Leavitt"], kind="person")
    run(tmp_path, "ingest", str(FIXTURES / "statements.jsonl"))
    run(tmp_path, "ingest", str(FIXTURES / "articles" / "trump_putin_call.txt"))
    edge = next(source.iter_edges())[0]
    with source.unit_of_work() as uow:
        uow.upsert_review({"a": edge["b"], "b": edge["a"], "status": "confirmed", "note": "checked", "who": "desk",
                           "at": 1.0, "verdict": {"label": edge["label"]}})

    def interrupted(self, edges):
        raise RuntimeError("killed")  # the copy stops after the statements, before any edge
    monkeypatch.setattr(PostgresUnitOfWork, "upsert_edges", interrupted)
    with pytest.raises(RuntimeError, match="killed"):
        run(tmp_path, "migrate", "--to", url, "--batch-size", "7")
    target = open_storage(make_config(tmp_path, database_url=url), "all-MiniLM-L6-v2", 384)
    assert target.count_statements() > 0 and target.count_edges() == {}
    monkeypatch.undo()

    result = run(tmp_path, "migrate", "--to", url, "--batch-size", "7")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{"):])
    assert report["verified"] and report["actors_identical"]
    assert report["target"]["statements"] == report["source"]["statements"] > 13
    assert report["target"]["edges"] == report["source"]["edges"] and report["target"]["edges"]
    assert report["target"]["documents"] == 1 and report["target"]["audit"] == report["source"]["audit"] > 0
    assert list(target.iter_reviews()) == list(source.iter_reviews()) and report["target"]["reviews"] == 1
    assert target.canonical_actors(["White House", "white house", "Leavitt"]) == source.canonical_actors(
        ["White House", "white house", "Leavitt"]) == {n: "Karoline Leavitt" for n in ["White House", "white house", "Leavitt"]}
    assert run(tmp_path, "migrate", "--to", url).exit_code == 0  # a rerun copies nothing twice
    assert target.count_statements() == report["source"]["statements"]
    target.close()


def test_pg_start_gives_a_database_url_and_stop_stops_it(tmp_path):
    import psycopg

    folder = str(tmp_path / "pg")
    result = run(tmp_path, "pg", "start", "--dir", folder)
    url = result.output.strip().split("=", 1)[1].strip("'")
    try:
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT default_version FROM pg_available_extensions WHERE name = 'vector'").fetchone()
    finally:
        run(tmp_path, "pg", "stop", "--dir", folder)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)


def test_ingest_judges_what_it_stored_unless_told_not_to(tmp_path):
    run(tmp_path, "ingest", "--no-judge", str(FIXTURES / "statements.jsonl"))
    assert edges(tmp_path) == [] and storage(tmp_path).judging_backlog() == 13
    result = run(tmp_path, "ingest", str(FIXTURES / "statements.jsonl"))  # nothing new; judges the backlog
    assert result.exit_code == 0 and storage(tmp_path).judging_backlog() == 0 and edges(tmp_path)


def test_jobs_submit_status_results_cancel(tmp_path):
    run(tmp_path, "ingest", str(FIXTURES / "statements.jsonl"))
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join(json.dumps({"a": f"The plant is shut ({i}).", "b": "The plant never stopped."})
                               for i in range(5)))
    result = run(tmp_path, "jobs", "submit", str(pairs), "--run")
    assert result.exit_code == 0, result.output
    job_id = result.output.split()[0]
    assert f"{job_id}: done" in result.output
    status = json.loads(run(tmp_path, "jobs", "status", job_id).output)
    assert status["state"] == "done" and status["progress"]["done"] == 5
    lines = run(tmp_path, "jobs", "results", job_id, "--offset", "3").output.splitlines()
    assert [json.loads(line)["a"] for line in lines] == ["The plant is shut (3).", "The plant is shut (4)."]

    queued = run(tmp_path, "jobs", "submit", "--actors", "Donald Trump", "Volodymyr Zelensky").output.split()[0]
    assert json.loads(run(tmp_path, "jobs", "cancel", queued).output)["state"] == "cancelled"
    assert run(tmp_path, "jobs", "status", "job_nope").exit_code != 0


def test_jobs_submit_refuses_a_bad_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"a": "only one side"}) + "\n")
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), "jobs", "submit", str(bad)])
    assert result.exit_code != 0 and "bad.jsonl" in result.output


@pytest.mark.parametrize("args, expected", [
    ([], ([1_000], 50, ("sqlite",))),  # the quick run: about a minute here
    (["--full"], ([10_000, 100_000], 200, ("sqlite", "postgresql"))),
    (["-n", "300", "--backends", "postgresql", "--queries", "5"], ([300], 5, ("postgresql",))),
])
def test_bench_runs_a_quick_benchmark_unless_asked_for_the_full_one(tmp_path, monkeypatch, args, expected):
    import service.bench

    asked = []
    monkeypatch.setattr(service.bench, "run_benchmarks", lambda settings, sizes, queries, one_day, backends, storage_only:
                        asked.append((sizes, queries, backends)) or {"runs": []})
    result = run(tmp_path, "bench", "--out", str(tmp_path / "bench.json"), *args)
    assert result.exit_code == 0, result.output
    assert asked == [expected]
