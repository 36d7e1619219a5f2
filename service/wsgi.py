"""WSGI entry point for production servers: ``gunicorn -c service/gunicorn_conf.py service.wsgi:app``.

Each worker process builds its own engine (model, index) over the shared SQLite store; every
read catches up with the store's change log, so a write through one worker is visible to all.
Set ``COUNTERCLAIM_LOAD_FIXTURES=true`` to load the fixtures into an empty store at start.
"""
from __future__ import annotations

from . import create_app
from .settings import load_settings

settings = load_settings()
settings = settings.replace(embed_threads=settings.worker_embed_threads)  # the workers share the cores
app = create_app(settings)

if settings.load_fixtures and app.extensions["counterclaim"].storage.count_statements() == 0:
    from .fixtures import load_fixtures

    load_fixtures(app.extensions["counterclaim"], settings.fixtures_dir)
