"""The JSON API: success paths, bulk JSON and NDJSON, OpenAPI, and problem-details errors."""
from __future__ import annotations

import json

import pytest

from service.storage.base import statement_id
from service.web.schemas import MAX_BATCH, MAX_TEXT_CHARS

from .conftest import make_config

PROBLEM = "application/problem+json"


def is_zelensky_accusation(statement) -> bool:
    return statement["actor"] == "Volodymyr Zelensky" and "rejected a full ceasefire" in statement["text"]


def founding_pair(items):
    """The item for s6 (Trump's agreed energy ceasefire) against Zelensky's accusation, as extracted from the
    seed article, or for the pair it was folded into."""
    return next((p for p in items if "s6" in {p["a"]["id"], p["b"]["id"], *(i for twin in p.get("duplicates", []) for i in twin)}
                 and any(is_zelensky_accusation(s) for s in (p["a"], p["b"]))), None)


def test_founding_question_on_fixtures(loaded_client):
    response = loaded_client.get("/api/v1/conflicts?q=ceasefire")
    assert response.status_code == 200
    pair = founding_pair(response.json["items"])
    assert pair is not None, "Trump's agreed ceasefire vs Zelensky's rejected ceasefire not found"
    assert pair["label"] == "contradiction"
    trump, zelensky = sorted((pair["a"], pair["b"]), key=lambda s: s["actor"])
    assert "Ceasefire on all Energy and Infrastructure" in trump["text"] and "agreed" in trump["text"]
    assert zelensky["actor"] == "Volodymyr Zelensky" and "a full ceasefire" in zelensky["text"]
    assert {"source", "date", "id"} <= set(trump) and pair["cues"]
    assert 0 < pair["score"] <= 1 and 0 < pair["similarity"] <= 1


def test_conflict_filters_and_pagination(loaded_client):
    everything = loaded_client.get("/api/v1/conflicts?q=ceasefire&limit=200").json
    assert everything["total"] == len(everything["items"]) >= 2
    scores = [p["score"] for p in everything["items"]]
    assert scores == sorted(scores, reverse=True)  # the most certain verdicts first, by default
    by_relevance = loaded_client.get("/api/v1/conflicts?q=ceasefire&limit=200&order=relevance").json["items"]
    ranks = [p["relevance"] * p["score"] for p in by_relevance]
    assert ranks == sorted(ranks, reverse=True) and len(by_relevance) == len(scores)
    page = loaded_client.get("/api/v1/conflicts?q=ceasefire&limit=1&offset=1").json
    assert page["items"] == everything["items"][1:2]
    only = loaded_client.get("/api/v1/conflicts?q=ceasefire&label=agreement").json["items"]
    assert all(p["label"] == "agreement" for p in only)
    by_actor = loaded_client.get("/api/v1/conflicts?q=ceasefire&actor=Zelensky&limit=200").json["items"]
    assert by_actor == [p for p in everything["items"] if "Volodymyr Zelensky" in (p["a"]["actor"], p["b"]["actor"])]
    assert len(by_actor) < len(everything["items"])
    strong = loaded_client.get("/api/v1/conflicts?q=ceasefire&min_score=0.99").json["items"]
    assert all(p["score"] >= 0.99 for p in strong)


def test_search_with_filters(loaded_client):
    hits = loaded_client.get("/api/v1/search?q=rare earths deal&k=3").json["items"]
    assert hits[0]["statement"]["id"] in {"d1", "d2"}
    assert [h["similarity"] for h in hits] == sorted((h["similarity"] for h in hits), reverse=True)
    trump = loaded_client.get("/api/v1/search?q=ceasefire&actor=Trump&k=20").json["items"]
    assert trump and all(h["statement"]["actor"] == "Donald Trump" for h in trump)
    dated = loaded_client.get("/api/v1/search?q=ceasefire&since=2025-03-10&until=2025-03-19&k=20").json["items"]
    assert dated and all("2025-03-10" <= h["statement"]["date"] <= "2025-03-19" for h in dated)


def test_statement_and_its_conflicts(loaded_client):
    statement = loaded_client.get("/api/v1/statements/s6").json
    assert statement["actor"] == "Donald Trump"
    pairs = loaded_client.get("/api/v1/statements/s6/conflicts").json["items"]
    assert all(p["a"]["id"] == "s6" for p in pairs)
    assert any(is_zelensky_accusation(p["b"]) and p["label"] == "contradiction" for p in pairs)


def test_ingest_one_and_many_then_dedupe(client):
    one = client.post("/api/v1/statements", json={"actor": "A", "text": "Taxes will rise.", "source": "x"})
    assert one.status_code == 201 and one.json["created"] == 1
    many = client.post("/api/v1/statements", json=[
        {"actor": "A", "text": "Taxes will rise.", "source": "x"},
        {"actor": "B", "text": "Taxes will not rise.", "source": "y", "date": "2025-01-01"}])
    assert many.status_code == 201 and many.json["created"] == 1
    assert many.json["items"][0]["id"] == one.json["items"][0]["id"]
    pairs = client.get(f"/api/v1/statements/{many.json['items'][1]['id']}/conflicts").json["items"]
    assert pairs and pairs[0]["label"] == "contradiction"


def test_actors_endpoint(client):
    response = client.post("/api/v1/actors", json={"name": "Vladimir Putin", "aliases": ["Putin"], "roles": ["the Kremlin"]})
    assert response.status_code == 200
    client.post("/api/v1/statements", json={"actor": "Putin", "text": "Attacks on energy will stop."})
    actor = next(a for a in client.get("/api/v1/actors").json["items"] if a["name"] == "Vladimir Putin")
    assert actor["aliases"] == ["Putin"] and actor["roles"] == ["the Kremlin"] and actor["statements"] == 1


def test_compare_pairs_json_and_ndjson(loaded_client):
    body = {"pairs": [{"a": "The ceasefire was agreed.", "b": "The ceasefire was rejected."},
                      {"a": "Eggs are cheap.", "b": "The UK will raise defence spending."}]}
    as_json = loaded_client.post("/api/v1/compare", json=body)
    assert as_json.status_code == 200
    assert [r["label"] for r in as_json.json["items"]] == ["contradiction", "neutral"]
    streamed = loaded_client.post("/api/v1/compare", json=body, headers={"Accept": "application/x-ndjson"})
    assert streamed.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in streamed.data.decode().splitlines()]
    assert lines == as_json.json["items"]


def test_compare_claims_against_index(loaded_client):
    body = {"claims": [{"text": "Putin agreed to a full ceasefire.", "actor": "Kremlin"}]}
    result = loaded_client.post("/api/v1/compare", json=body).json["items"][0]
    assert result["claim"]["text"] == body["claims"][0]["text"]
    assert all(p["a"]["text"] == body["claims"][0]["text"] for p in result["pairs"])
    assert any(is_zelensky_accusation(p["b"]) for p in result["pairs"])


def test_openapi_is_generated_from_models(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    for path in ["/api/v1/search", "/api/v1/conflicts", "/api/v1/statements", "/api/v1/compare",
                 "/api/v1/statements/{statement_id}/conflicts", "/api/v1/actors", "/api/v1/healthz"]:
        assert path in doc["paths"], path
    params = {p["name"]: p for p in doc["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert params["k"]["schema"]["maximum"] == 100


def test_healthz(loaded_client):
    health = loaded_client.get("/api/v1/healthz").json
    assert health["status"] == "ok" and health["statements"] == health["index"] > 0


@pytest.mark.parametrize("body, status", [
    ("{not json", 400),
    (json.dumps({"text": "no actor"}), 422),
    (json.dumps({"actor": "A", "text": 42}), 422),
    (json.dumps({"actor": "A", "text": "   "}), 422),
    (json.dumps({"actor": "A", "text": "x" * (MAX_TEXT_CHARS + 1)}), 422),
    (json.dumps({"actor": "A", "text": "ok", "date": "yesterday"}), 422),
    (json.dumps({"actor": "A", "text": "ok", "date": "2024-13-45"}), 422),
    (json.dumps({"actor": "A", "text": "ok", "date": "0000-00-00"}), 422),
    (json.dumps({"actor": "A", "text": "ok", "date": "2025-02-29"}), 422),
    (json.dumps({"actor": "\u200b\u200d\ufeff", "text": "ok"}), 422),
    (json.dumps({"actor": "Evil\u202eTNEDISERP", "text": "ok"}), 422),
    (json.dumps({"actor": "A", "aliases": ["\u2067B\u2069"], "text": "ok"}), 422),
    (json.dumps({"actor": "A", "text": "\u200b \u2060"}), 422),
    (json.dumps({"actor": "A", "text": "ok", "unknown": 1}), 422),
    (json.dumps([{"actor": "A", "text": f"t{i}"} for i in range(MAX_BATCH + 1)]), 422),
    (json.dumps([]), 422),
])
def test_bad_statements_get_problem_details_and_store_nothing(loaded_client, body, status):
    before = loaded_client.get("/api/v1/healthz").json["statements"]
    response = loaded_client.post("/api/v1/statements", data=body, content_type="application/json")
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    assert response.json["status"] == status and response.json["title"]
    assert loaded_client.get("/api/v1/healthz").json["statements"] == before


@pytest.mark.parametrize("url, status", [
    ("/api/v1/search", 422),
    ("/api/v1/search?q=", 422),
    ("/api/v1/search?q=x&k=0", 422),
    ("/api/v1/search?q=x&k=abc", 422),
    ("/api/v1/search?q=x&k=101", 422),
    ("/api/v1/search?q=" + "x" * 501, 422),
    ("/api/v1/conflicts?q=x&label=maybe", 422),
    ("/api/v1/conflicts?q=x&min_score=2", 422),
    ("/api/v1/conflicts?q=x&limit=1000", 422),
    ("/api/v1/statements/nope", 404),
    ("/api/v1/statements/nope/conflicts", 404),
    ("/api/v1/no-such-endpoint", 404),
])
def test_bad_reads_get_problem_details(client, url, status):
    response = client.get(url)
    assert response.status_code == status and response.mimetype == PROBLEM


def test_oversized_body_is_413(tmp_path):
    from service import create_app

    app = create_app(make_config(tmp_path, max_content_length=1000))
    response = app.test_client().post("/api/v1/statements", data=json.dumps({"actor": "A", "text": "x" * 2000}),
                                      content_type="application/json")
    assert response.status_code == 413 and response.mimetype == PROBLEM


@pytest.mark.parametrize("padding, status", [(9 * 1024 * 1024, 413), (1024, 201)])
def test_a_chunked_body_is_held_to_the_size_limit(client, padding, status):
    """Without a Content-Length, Werkzeug cut a body at the limit and the valid start was stored."""
    import io

    body = json.dumps([{"actor": "A", "text": "The bridge opens in May.", "source": "x"}]) + " " * padding
    before = client.get("/api/v1/healthz").json["statements"]
    response = client.post("/api/v1/statements", input_stream=io.BytesIO(body.encode()), content_type="application/json",
                           headers={"Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == status
    assert client.get("/api/v1/healthz").json["statements"] == before + (status == 201)
    if status == 413:
        assert response.mimetype == PROBLEM and "larger than" in response.json["detail"]


def test_reused_id_with_other_content_is_409(client):
    assert client.post("/api/v1/statements", json={"id": "x1", "actor": "A", "text": "One."}).status_code == 201
    clash = client.post("/api/v1/statements", json={"id": "x1", "actor": "B", "text": "Two."})
    assert clash.status_code == 409 and clash.mimetype == PROBLEM


def test_one_id_for_two_statements_in_a_batch_is_refused_whole(client):
    clash = client.post("/api/v1/statements", json=[{"id": "x2", "actor": "A", "text": "One."},
                                                    {"actor": "C", "text": "Unrelated and new."},
                                                    {"id": "x2", "actor": "B", "text": "Two."}])
    assert clash.status_code == 422 and clash.mimetype == PROBLEM and "x2" in clash.json["detail"]
    assert client.get("/api/v1/statements/x2").status_code == 404
    assert client.get("/api/v1/search?q=unrelated").json["items"] == []


def test_a_statement_repeated_in_a_batch_is_stored_and_counted_once(client):
    same = {"actor": "A", "text": "Rates stay at 4 percent.", "source": "x"}
    response = client.post("/api/v1/statements", json=[same, {**same}])
    assert response.status_code == 201 and response.json["created"] == 1
    assert [item["created"] for item in response.json["items"]] == [True, False]
    assert response.json["items"][0]["id"] == response.json["items"][1]["id"]


@pytest.mark.parametrize("path", ["/api/v1/statements", "/api/v1/compare", "/api/v1/documents", "/api/v1/actors"])
def test_a_body_nested_too_deeply_is_400_not_a_crash(client, path):
    response = client.post(path, data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert response.status_code == 400 and response.mimetype == PROBLEM


def test_a_caller_cannot_squat_the_content_id_of_a_future_statement(client):
    future = {"actor": "B", "text": "The port reopens on Friday.", "source": "x"}
    squat = client.post("/api/v1/statements", json={"id": statement_id(**future), "actor": "A", "text": "Other."})
    assert squat.status_code == 422 and squat.mimetype == PROBLEM
    assert client.post("/api/v1/statements", json=future).status_code == 201
    same = client.post("/api/v1/statements", json={**future, "id": statement_id(**future)})  # a round trip
    assert same.status_code == 201 and same.json["created"] == 0


def test_actor_batches_are_bounded(client):
    too_many = [{"name": f"Actor {i}"} for i in range(MAX_BATCH + 1)]
    assert client.post("/api/v1/actors", json=too_many).status_code == 422
    assert client.post("/api/v1/actors", json=[]).status_code == 422
    assert client.post("/api/v1/actors", json={"name": "A", "roles": ["x" * 201]}).status_code == 422


def test_a_wrong_method_says_which_are_allowed(client):
    response = client.put("/api/v1/statements", json={})
    assert response.status_code == 405 and response.mimetype == PROBLEM
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"POST"}


def test_real_dates_and_right_to_left_text_are_accepted(client):
    hebrew = "\u05d4\u05e9\u05e8 \u05d0\u05de\u05e8 \u05e9\u05d4\u05d2\u05e9\u05e8 \u05d9\u05d9\u05e4\u05ea\u05d7.\u200f"
    response = client.post("/api/v1/statements", json={"actor": "A", "text": hebrew, "date": "2024-02-29"})
    assert response.status_code == 201 and response.json["created"] == 1


def test_compare_limits(client):
    assert client.post("/api/v1/compare", json={}).status_code == 422
    assert client.post("/api/v1/compare", json={"pairs": []}).status_code == 422
    big = {"pairs": [{"a": "x", "b": "y"}] * (MAX_BATCH + 1)}
    assert client.post("/api/v1/compare", json=big).status_code == 422
    assert client.post("/api/v1/compare", data="[", content_type="application/json").status_code == 400


def test_found_by_fuzzing(client):
    """Bugs schemathesis found: form bodies, dangling document ids, a JSON null body."""
    form = client.post("/api/v1/statements", data={"actor": "A", "text": "x"}, content_type="multipart/form-data")
    assert form.status_code == 415 and form.mimetype == PROBLEM
    dangling = client.post("/api/v1/statements", json={"actor": "A", "text": "x", "document_id": "nope"})
    assert dangling.status_code == 422 and "nope" in dangling.json["detail"]
    assert client.get("/api/v1/healthz").json["statements"] == 0
    null = client.post("/api/v1/statements", data="null", content_type="application/json")
    assert null.status_code == 422
    doc = client.get("/api/v1/openapi.json").json
    not_found = doc["paths"]["/api/v1/statements/{statement_id}"]["get"]["responses"]["404"]["content"]
    assert list(not_found) == ["application/problem+json"]


def test_compare_stops_at_its_deadline(tmp_path, engine):
    from service import create_app

    client = create_app(make_config(tmp_path, compare_deadline_s=0.0), engine=engine).test_client()
    body = {"claims": [{"text": f"The harbour toll will rise by {n} percent.", "actor": "X"} for n in range(5)]}
    refused = client.post("/api/v1/compare", json=body)
    assert refused.status_code == 503 and refused.mimetype == PROBLEM and "jobs" in refused.json["detail"]
    streamed = client.post("/api/v1/compare", json=body, headers={"Accept": "application/x-ndjson"})
    lines = [json.loads(line) for line in streamed.data.decode().splitlines()]
    assert len(lines) == 2 and "claim" in lines[0] and lines[1]["error"]["title"] == "Deadline passed"
    assert client.post("/api/v1/compare", json=body).status_code == 503  # the slot was given back each time


@pytest.mark.parametrize("actor", [{"name": "\u200b\u200d\ufeff"}, {"name": "Evil\u202ePRESIDENT"},
                                   {"name": "A", "aliases": ["\u2067B\u2069"]}])
def test_actor_names_of_invisible_or_bidi_control_characters_are_refused(client, actor):
    response = client.post("/api/v1/actors", json=actor)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert client.get("/api/v1/actors").json["items"] == []


def test_a_full_comparison_at_the_largest_k_is_answered(client):
    """1,000 claims with k=100 once answered 500 ("too many SQL variables"). /compare now takes at most
    MAX_COMPARE claims and looks each one up alone; the store's lookups of many ids are chunked
    (tests/test_storage.py::test_statements_and_vectors_of_more_ids_than_sqlite_binds_at_once)."""
    from service.web.schemas import MAX_COMPARE, MAX_K

    client.post("/api/v1/statements", json=[{"actor": f"Actor {i % 7}", "text": f"The bridge {i} opened on day {i}.",
                                             "source": "x"} for i in range(150)])
    claims = [{"text": f"Bridge {i} did not open on day {i}.", "actor": "Desk"} for i in range(MAX_COMPARE)]
    response = client.post("/api/v1/compare", json={"claims": claims, "k": MAX_K})
    assert response.status_code == 200 and len(response.json["items"]) == MAX_COMPARE
    assert any(item["pairs"] for item in response.json["items"])


def test_a_statement_keeps_whom_it_accuses(client):
    body = {"actor": "Greenpeace", "text": "Norvik Energy dumped waste in the river.", "cue": "accused",
            "target": "Norvik Energy", "source": "press release"}
    created = client.post("/api/v1/statements", json=body)
    assert created.status_code == 201
    stored = client.get(f"/api/v1/statements/{created.json['items'][0]['id']}").json
    assert (stored["text"], stored["cue"], stored["target"]) == (body["text"], "accused", "Norvik Energy")
    bad = client.post("/api/v1/statements", json={**body, "target": ""})
    assert bad.status_code == 422 and bad.content_type == PROBLEM
