"""Rate limits per client (429 problem details with Retry-After) and heavy work only with a key."""
from __future__ import annotations

import pytest

from service import create_app

from .conftest import make_config

STATEMENT = {"actor": "A", "text": "The bridge will open in May.", "source": "x"}


def limited_client(tmp_path, engine, **overrides):
    config = make_config(tmp_path, rate_limit_enabled=True, **overrides)
    return create_app(config, engine=engine).test_client()


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_a_client_past_its_limit_gets_429_problem_details_and_others_do_not(tmp_path, engine):
    client = limited_client(tmp_path, engine, rate_limit="3 per minute")
    for _ in range(3):
        assert client.get("/api/v1/search?q=bridge", **from_address("10.0.0.1")).status_code == 200
    refused = client.get("/api/v1/search?q=bridge", **from_address("10.0.0.1"))
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json["status"] == 429 and "retry after" in refused.json["detail"]
    assert client.get("/api/v1/search?q=bridge", **from_address("10.0.0.2")).status_code == 200
    assert client.get("/", **from_address("10.0.0.1")).status_code == 429  # the page shares the budget


def test_liveness_is_never_limited(tmp_path, engine):
    client = limited_client(tmp_path, engine, rate_limit="1 per minute")
    assert all(client.get("/api/v1/healthz").status_code == 200 for _ in range(5))


def test_a_known_key_has_its_own_budget_and_unknown_secrets_do_not_buy_one(tmp_path, engine):
    client = limited_client(tmp_path, engine, rate_limit="2 per minute", write_keys=["desk:w"])
    for n in range(2):
        assert client.get("/api/v1/search?q=x", headers={"Authorization": f"Bearer guess-{n}"}).status_code == 200
    assert client.get("/api/v1/search?q=x", headers={"Authorization": "Bearer guess-9"}).status_code == 429
    assert client.get("/api/v1/search?q=x", headers={"Authorization": "Bearer w"}).status_code == 200
    # guessing write keys is limited like anything else
    assert client.post("/api/v1/statements", json=STATEMENT, headers={"Authorization": "Bearer g"}).status_code == 429


def test_writes_and_heavy_work_have_smaller_budgets(tmp_path, engine):
    client = limited_client(tmp_path, engine, rate_limit_writes="2 per minute", rate_limit_heavy="1 per minute")
    assert [client.post("/api/v1/statements", json=STATEMENT).status_code for _ in range(3)] == [201, 201, 429]
    pairs = {"pairs": [{"a": "The bridge opened.", "b": "The bridge is closed."}]}
    assert client.post("/api/v1/compare", json=pairs).status_code == 200
    assert client.post("/api/v1/compare", json=pairs).status_code == 429
    assert client.get("/api/v1/search?q=bridge").status_code == 200  # reads keep their own budget


@pytest.mark.parametrize("keys", [{"write_keys": ["desk:w"]}, {"write_keys": ["desk:w"], "read_keys": ["tool:r"]}])
def test_heavy_comparisons_need_a_key_once_keys_exist(tmp_path, engine, keys):
    client = limited_client(tmp_path, engine, compare_anonymous_max=2, **keys)
    read_key = {"Authorization": "Bearer " + ("r" if keys.get("read_keys") else "w")}
    small = {"pairs": [{"a": f"Claim {i} holds.", "b": f"Claim {i} fails."} for i in range(2)]}
    big = {"pairs": small["pairs"] * 2}
    anonymous_small = client.post("/api/v1/compare", json=small)
    assert anonymous_small.status_code == (401 if keys.get("read_keys") else 200)
    refused = client.post("/api/v1/compare", json=big)
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    assert client.post("/api/v1/compare", json=big, headers=read_key).status_code == 200


def test_without_any_key_a_local_server_compares_freely(tmp_path, engine):
    client = limited_client(tmp_path, engine, compare_anonymous_max=1)
    pairs = {"pairs": [{"a": f"Claim {i} holds.", "b": f"Claim {i} fails."} for i in range(3)]}
    assert client.post("/api/v1/compare", json=pairs).status_code == 200
