"""Articles end to end: extraction through the API, the founding question from the raw article."""
from __future__ import annotations

import json

import pytest

from service.web.schemas import MAX_DOCUMENT_CHARS

from .conftest import FIXTURES

ARTICLE = (FIXTURES / "articles" / "trump_putin_call.txt").read_text(encoding="utf-8")
PROBLEM = "application/problem+json"


@pytest.fixture
def registry_client(client):
    actors = json.loads((FIXTURES / "actors.json").read_text())
    assert client.post("/api/v1/actors", json=[{"name": n, **v} for n, v in actors.items()]).status_code == 200
    return client


def test_founding_article_into_empty_store_answers_the_founding_question(registry_client):
    response = registry_client.post("/api/v1/documents", json={
        "text": ARTICLE, "title": "Trump-Putin call", "source": "seed article", "date": "2025-03-18"})
    assert response.status_code == 201
    statements = response.json["statements"]
    assert {s["actor"] for s in statements} >= {"Donald Trump", "Volodymyr Zelensky", "Vladimir Putin"}
    for s in statements:
        assert s["document_id"] == response.json["document"]["id"]
        # a claim is its span of the article, or, when it accuses someone, what the accusation asserts
        assert ARTICLE[s["start"]:s["end"]] == s["text"] or s["target"], s
    accusation = next(s for s in statements if s["cue"] == "accused")
    assert (accusation["text"], accusation["target"], ARTICLE[accusation["start"]:accusation["end"]]) == (
        "Putin rejected a full ceasefire", "Vladimir Putin", "Putin of rejecting a full ceasefire")
    pairs = registry_client.get("/api/v1/conflicts?q=ceasefire").json["items"]
    founding = [p for p in pairs if p["label"] == "contradiction"
                and {p["a"]["actor"], p["b"]["actor"]} == {"Donald Trump", "Volodymyr Zelensky"}
                and any("Energy and Infrastructure" in s["text"] for s in (p["a"], p["b"]))
                and any("rejected a full ceasefire" in s["text"] for s in (p["a"], p["b"]))]
    assert founding, [(p["a"]["text"], p["b"]["text"], p["label"]) for p in pairs]


def test_plain_text_and_idempotent_reingest(registry_client):
    first = registry_client.post("/api/v1/documents?source=seed&date=2025-03-18", data=ARTICLE.encode(),
                                 content_type="text/plain")
    again = registry_client.post("/api/v1/documents?source=seed&date=2025-03-18", data=ARTICLE.encode(),
                                 content_type="text/plain")
    assert (first.status_code, again.status_code) == (201, 200)  # the same article again: the stored one
    assert first.json["created"] and not again.json["created"]
    assert not any(s["created"] for s in again.json["statements"])
    assert again.json["document"]["id"] == first.json["document"]["id"]
    doc = registry_client.get(f"/api/v1/documents/{first.json['document']['id']}").json
    assert doc["text"] == ARTICLE and len(doc["statements"]) == len(first.json["statements"])


def test_every_fixture_article_posted_twice_in_any_format_or_source_is_one_document(registry_client, engine):
    """Posting the same article twice (JSON, text/plain, another source name) once stored it twice."""
    articles = sorted((FIXTURES / "articles").glob("*.txt"))
    for path in articles:
        text = path.read_text()
        first = registry_client.post("/api/v1/documents", json={"text": text, "source": path.stem})
        again = registry_client.post("/api/v1/documents?source=another+name", data=("  " + text + "\n").encode(),
                                     content_type="text/plain")
        assert (first.status_code, again.status_code) == (201, 200), path.name
        assert again.json["document"]["id"] == first.json["document"]["id"]
    documents = list(engine.storage.iter_documents())
    assert len(documents) == len(articles) == len({d["text"].strip() for d in documents})
    statements = engine.storage.count_statements()
    registry_client.post("/api/v1/documents", json={"text": articles[0].read_text(), "source": "a third name"})
    assert engine.storage.count_statements() == statements


def test_retracting_a_document_removes_its_statements(registry_client):
    posted = registry_client.post("/api/v1/documents", json={"text": ARTICLE, "source": "seed"}).json
    before = registry_client.get("/api/v1/healthz").json
    assert registry_client.delete(f"/api/v1/documents/{posted['document']['id']}").status_code == 204
    after = registry_client.get("/api/v1/healthz").json
    assert after["statements"] == after["index"] == before["statements"] - len(posted["statements"])
    assert registry_client.get(f"/api/v1/documents/{posted['document']['id']}").status_code == 404


@pytest.mark.parametrize("data, content_type, status", [
    (b"", "text/plain", 422),
    (b"   \n ", "text/plain", 422),
    (b"\x00\x01\x02\x03 binary \xff", "text/plain", 415),
    (b"\xff\xfe\xfa not utf-8", "text/plain", 415),
    ("Der Bundeskanzler sagte am Montag, dass die Regierung die Steuern im nächsten Jahr senken werde.".encode(),
     "text/plain", 422),
    (("Putin said peace is near. " * (MAX_DOCUMENT_CHARS // 20)).encode(), "text/plain", 413),
    (b"{\"text\": 5}", "application/json", 422),
    (b"{oops", "application/json", 400),
    (b"<html></html>", "text/html", 422),
    (b"<html></html>", "image/png", 415),
])
def test_bad_documents_are_refused_and_nothing_is_stored(registry_client, data, content_type, status):
    before = registry_client.get("/api/v1/healthz").json
    response = registry_client.post("/api/v1/documents", data=data, content_type=content_type)
    assert response.status_code == status, response.json
    assert response.mimetype == PROBLEM
    assert registry_client.get("/api/v1/healthz").json == before


PAGE = """<!DOCTYPE html><html><head><title>Harbour toll to triple</title><script>var ad = "Buy now";</script></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/login">Log in</a></nav>
<article><h1>Harbour toll to triple, port says</h1>
<p>Anna Vik, the harbour master, said on Monday that the toll for cargo ships will triple next spring to pay
for the new breakwater.</p>
<p>Mayor Tom Berg denied that the toll would rise at all, saying the council had not approved any increase.</p>
<p>Shipping firms said the increase would push freight to the rival port of Ostby.</p></article>
<footer>Contact us | Privacy | <a href="/jobs">Jobs</a></footer></body></html>"""


@pytest.mark.parametrize("send", ["text/html", "json"])
def test_a_web_page_is_reduced_to_its_article_before_extraction(registry_client, send):
    if send == "json":
        response = registry_client.post("/api/v1/documents", json={"text": PAGE, "source": "Port Gazette"})
    else:
        response = registry_client.post("/api/v1/documents?source=Port+Gazette", data=PAGE.encode(),
                                        content_type="text/html; charset=utf-8")
    assert response.status_code == 201, response.json
    statements = response.json["statements"]
    assert any(s["actor"] == "Anna Vik" and "triple" in s["text"] for s in statements)
    for s in statements:
        assert "<" not in s["text"] and ">" not in s["text"] and "Buy now" not in s["text"]
    stored = registry_client.get(f"/api/v1/documents/{response.json['document']['id']}").json
    assert "<" not in stored["text"] and "Log in" not in stored["text"] and "new breakwater" in stored["text"]


@pytest.mark.parametrize("judging, status", [("inline", 413), ("background", 201)])
def test_a_document_with_more_claims_than_inline_judging_allows_is_refused_whole(tmp_path, judging, status):
    from service import build_engine, create_app

    from .conftest import make_config

    config = make_config(tmp_path, judging=judging, inline_document_max_claims=2)
    client = create_app(config, engine=build_engine(config)).test_client()
    response = client.post("/api/v1/documents", json={"text": ARTICLE, "source": "seed article"})
    assert response.status_code == status
    if status == 413:
        assert response.mimetype == PROBLEM and "JUDGING=background" in response.json["detail"]
        assert client.get("/api/v1/healthz").json["statements"] == 0
    else:
        assert len(response.json["statements"]) > 2


def test_a_refused_document_request_does_not_load_the_actor_registry(tmp_path, engine, monkeypatch):
    """The registry (every actor and alias) once loaded for each /documents request, refused ones too."""
    from service import create_app

    from .conftest import make_config

    loads = []
    listing = engine.storage.actors
    monkeypatch.setattr(engine.storage, "actors", lambda: loads.append(1) or listing())
    client = create_app(make_config(tmp_path, write_keys=["desk:secret"]), engine=engine).test_client()
    key = {"Authorization": "Bearer secret"}
    assert client.post("/api/v1/documents", json={"text": "Ruiz said the bridge opens in May."}).status_code == 401
    assert client.post("/api/v1/documents", data=b"x", content_type="image/png", headers=key).status_code == 415
    assert client.post("/api/v1/documents", json={"text": ""}, headers=key).status_code == 422
    assert client.post("/api/v1/documents", json={"title": 5}, headers=key).status_code == 422
    assert loads == []


def test_the_fixtures_hold_only_real_claims_each_once(loaded_engine):
    """Every statement the bundled fixtures load (seed statements and claims extracted from the articles)
    carries at least MIN_CONTENT_WORDS content words, and none is held twice by one actor."""
    from service.extract import MIN_CONTENT_WORDS, content_words
    from service.storage.base import normalise_text

    statements = [s for _, _, batch, _ in loaded_engine.storage.iter_statement_vectors(loaded_engine.embedder.model_name, 500)
                  for s in batch]
    assert len(statements) == loaded_engine.storage.count_statements() > 40
    assert [s["text"] for s in statements if len(content_words(s["text"])) < MIN_CONTENT_WORDS] == []
    keys = [(s["actor"], normalise_text(s["text"]).lower().rstrip(".")) for s in statements]
    assert len(keys) == len(set(keys))
