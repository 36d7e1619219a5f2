"""Counterclaim: where do these narratives contradict each other?

``create_app()`` is the Flask application factory (API blueprint, web page, problem-details
errors, security headers). ``build_engine()`` wires store, embedder, index and scorer.
"""
from __future__ import annotations

import logging
from flask import Flask

from .settings import Settings, load_settings

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def build_engine(settings: Settings):
    """Storage, embedder and scorer as the settings say."""
    from .embed import get_embedder
    from .engine import Engine
    from .scoring.registry import build_scorer
    from .storage import open_storage

    embedder = get_embedder(settings.embed_model, settings.embed_batch_size, settings.embed_threads, settings.cache_dir)
    storage = open_storage(settings, embedder.model_name, embedder.dim)
    return Engine(storage, embedder, build_scorer(settings.scorer, embedder, settings), settings)


def create_app(settings: Settings | None = None, engine=None) -> Flask:
    settings = settings or load_settings()
    from .pipeline.executors import RequestJudging
    from .web import api, page
    from .web.auth import authorize_request, warn_if_writes_are_open
    from .web.bodies import BoundedBodies
    from .web.limits import init_rate_limits
    from .web.observe import init_observability
    from .web.problems import GuardedJSONProvider, register_problem_handlers

    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_content_length, COUNTERCLAIM=settings)
    app.wsgi_app = BoundedBodies(app.wsgi_app, lambda path: settings.job_max_bytes if path.rstrip("/").endswith(
        "/api/v1/jobs") else settings.max_content_length, settings.body_min_rate, settings.body_grace_s)
    app.json = GuardedJSONProvider(app)
    app.json.sort_keys = False

    engine = engine or build_engine(settings)
    app.extensions["counterclaim"] = engine
    app.extensions["counterclaim.judging"] = RequestJudging(settings)
    register_problem_handlers(app)
    init_observability(app, engine, settings.prometheus_multiproc_dir)
    app.register_blueprint(api.bp)
    app.register_blueprint(page.bp)
    api.spec.register(app)
    init_rate_limits(app, settings)  # before authorisation: refused floods and key guessing cost nothing else
    app.before_request(authorize_request)  # after the request id is set, before any route reads data
    warn_if_writes_are_open(settings)

    @app.after_request
    def _security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app
