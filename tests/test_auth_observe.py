"""Auth on writes (401/403, constant-time compare, keys never logged), metrics, request ids."""
from __future__ import annotations

import base64
import logging

import pytest

from service import create_app

from .conftest import make_config

STATEMENT = {"actor": "A", "text": "The bridge will open in May.", "source": "x"}


@pytest.fixture
def secured(tmp_path, engine):
    config = make_config(tmp_path, write_keys=["desk:w-secret"], read_keys=[])
    return create_app(config, engine=engine).test_client()


def test_writes_need_a_write_key(secured):
    assert secured.post("/api/v1/statements", json=STATEMENT).status_code == 401
    wrong = secured.post("/api/v1/statements", json=STATEMENT, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.mimetype == "application/problem+json"
    assert "WWW-Authenticate" in wrong.headers
    ok = secured.post("/api/v1/statements", json=STATEMENT, headers={"Authorization": "Bearer w-secret"})
    assert ok.status_code == 201
    assert secured.post("/api/v1/statements", json=STATEMENT, headers={"X-API-Key": "w-secret"}).status_code == 201
    assert secured.delete("/api/v1/statements/x").status_code == 401
    assert secured.post("/api/v1/documents", json={"text": "x"}).status_code == 401
    assert secured.post("/api/v1/actors", json={"name": "X"}).status_code == 401


def test_reads_stay_open_and_compare_is_a_read(secured):
    assert secured.get("/api/v1/search?q=bridge").status_code == 200
    assert secured.post("/api/v1/compare", json={"pairs": [{"a": "x", "b": "y"}]}).status_code == 200


def test_read_key_cannot_write(tmp_path, engine):
    config = make_config(tmp_path, write_keys=["desk:w"], read_keys=["tool:r"])
    client = create_app(config, engine=engine).test_client()
    assert client.get("/api/v1/search?q=x").status_code == 401
    assert client.get("/api/v1/healthz").status_code == 200
    assert client.get("/api/v1/search?q=x", headers={"Authorization": "Bearer r"}).status_code == 200
    assert client.get("/api/v1/search?q=x", headers={"Authorization": "Bearer w"}).status_code == 200
    forbidden = client.post("/api/v1/statements", json=STATEMENT, headers={"Authorization": "Bearer r"})
    assert forbidden.status_code == 403


CLOSED_READS = ["/", "/?q=ceasefire", "/metrics", "/api/v1/openapi.json", "/api/v1/docs/openapi.json",
                "/api/v1/search?q=x", "/api/v1/conflicts?q=x", "/api/v1/actors"]


@pytest.mark.parametrize("path", CLOSED_READS)
def test_read_keys_close_every_route_that_shows_data(tmp_path, engine, path):
    engine.ingest([{**STATEMENT, "actor": "Secret Source"}])
    config = make_config(tmp_path, write_keys=["desk:w"], read_keys=["tool:r"])
    client = create_app(config, engine=engine).test_client()
    refused = client.get(path)
    assert refused.status_code == 401 and b"Secret Source" not in refused.data
    assert "Basic" in refused.headers["WWW-Authenticate"]  # a browser asks for the key
    assert client.get(path, headers={"Authorization": "Bearer r"}).status_code == 200
    basic = "Basic " + base64.b64encode(b"anyone:r").decode()
    assert client.get(path, headers={"Authorization": basic}).status_code == 200
    assert client.get("/api/v1/healthz").status_code == 200


def test_key_entries_split_on_the_first_colon(tmp_path, engine):
    config = make_config(tmp_path, write_keys=["desk:w"], read_keys=["tool:pass:word", "bare-secret"])
    client = create_app(config, engine=engine).test_client()
    assert client.get("/api/v1/search?q=x", headers={"Authorization": "Bearer pass:word"}).status_code == 200
    assert client.get("/api/v1/search?q=x", headers={"Authorization": "Bearer word"}).status_code == 401
    assert client.get("/api/v1/search?q=x", headers={"Authorization": "Bearer bare-secret"}).status_code == 200


def test_start_up_warns_when_writes_are_open(tmp_path, engine, caplog):
    with caplog.at_level(logging.WARNING):
        create_app(make_config(tmp_path, write_keys=[]), engine=engine)
    assert "no write key configured" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app(make_config(tmp_path, write_keys=["desk:w"]), engine=engine)
    assert "no write key configured" not in caplog.text


def test_audit_names_the_key_and_logs_never_hold_it(secured, engine, caplog):
    with caplog.at_level(logging.DEBUG):
        secured.post("/api/v1/statements", json=STATEMENT, headers={"Authorization": "Bearer w-secret"})
    assert engine.storage.audit_log(1)[0]["who"] == "desk"
    assert "w-secret" not in caplog.text


def test_key_matching_names_the_key_and_checks_every_one():
    from service.web import auth

    assert auth.match_key("b", [("one", "a"), ("two", "b")]) == "two"
    assert auth.match_key("b", [("one", "b"), ("two", "b")]) == "two"  # no early exit on the first match
    assert auth.match_key("c", [("one", "a")]) is None


def test_metrics_and_request_id(loaded_client):
    loaded_client.get("/api/v1/search?q=ceasefire")
    response = loaded_client.get("/api/v1/conflicts?q=ceasefire", headers={"X-Request-ID": "req-42"})
    assert response.headers["X-Request-ID"] == "req-42"
    generated = loaded_client.get("/api/v1/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    text = loaded_client.get("/metrics").data.decode()
    assert 'counterclaim_requests_total{endpoint="api.search",method="GET",status="200"}' in text
    assert "counterclaim_request_seconds_bucket" in text
    statements = loaded_client.get("/api/v1/healthz").json["statements"]
    assert f"counterclaim_statements {float(statements)}" in text
    assert 'counterclaim_edges{label="contradiction"}' in text
