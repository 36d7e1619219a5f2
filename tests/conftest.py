"""Shared fixtures: a fresh store per test, one embedding model per test session."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from service import build_engine, create_app
from service.config import ROOT, load_config

FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


# Plumbing tests run the rule scorer: it loads no model, so retraining the judge cannot break them and
# they stay fast. The model-quality tests (test_judge.py, test_gold.py) ask for SCORER="judge".
PLUMBING_SCORER = "cues"


def make_config(tmp_path: Path, **overrides) -> dict:
    """The default configuration with the plumbing scorer, on a fresh data folder."""
    return load_config({"DATA_DIR": str(tmp_path / "data"), "WRITE_KEYS": [], "READ_KEYS": [],
                        "SCORER": PLUMBING_SCORER, **overrides})


@pytest.fixture
def config(tmp_path):
    return make_config(tmp_path)


@pytest.fixture
def engine(config):
    engine = build_engine(config)
    yield engine
    engine.store.close()


@pytest.fixture
def app(config, engine):
    return create_app(config, engine=engine)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def fixture_statements() -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / "statements.jsonl").read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def loaded_config(tmp_path_factory):
    return make_config(tmp_path_factory.mktemp("loaded"))


@pytest.fixture(scope="module")
def loaded_engine(loaded_config):
    """The fixtures loaded once per test module (loading them extracts and embeds four articles).
    Tests that use it must not change it, except at the end of a module."""
    from service.fixtures import load_fixtures

    engine = build_engine(loaded_config)
    load_fixtures(engine, FIXTURES)
    yield engine
    engine.store.close()


@pytest.fixture
def loaded_client(loaded_engine, loaded_config):
    return create_app(loaded_config, engine=loaded_engine).test_client()
