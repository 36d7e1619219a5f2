"""Rate limits per client (Flask-Limiter): a client is its API key when it presents a known one, else
its address, so that one caller cannot starve the others, and guessing keys is limited too.

Three budgets, each a `limits` string from the settings: every request (``rate_limit``), writes
(``rate_limit_writes``: what needs a write key) and heavy work (``rate_limit_heavy``: ``/compare``
and job submission). Liveness and the page's static files are never limited. Past a limit the answer
is ``429`` problem details with ``Retry-After``. Counters live in ``rate_limit_storage`` (default
``memory://``: per process, so with N gunicorn workers a client gets up to N times the budget; point
it at ``redis://…`` or ``memcached://…`` for one count across processes and machines).
"""
from __future__ import annotations

import math
import time

from flask import Flask, request
from flask_limiter import Limiter, RateLimitExceeded

from .auth import OPEN_ENDPOINTS, is_open_request, is_write_request, known_key_name
from .problems import problem_response

HEAVY_ENDPOINTS = ("api.compare", "api.post_job")


def client_key() -> str:
    """``key:<name>`` for a known key (unknown secrets do not buy a fresh budget), else ``ip:<address>``."""
    name = known_key_name()
    return f"key:{name}" if name else f"ip:{request.remote_addr or 'unknown'}"


def init_rate_limits(app: Flask, settings) -> Limiter | None:
    """Attach the limiter to every registered route; call it after the routes are registered and before
    the authorisation hook, so that a refused request (or a guessed key) costs nothing more. With
    ``rate_limit_enabled`` false, nothing is limited."""
    if not settings.rate_limit_enabled:
        return None
    # one budget across all routes (application limits), not one per route
    limiter = Limiter(client_key, app=app, application_limits=[settings.rate_limit],
                      application_limits_exempt_when=is_open_request, storage_uri=settings.rate_limit_storage,
                      headers_enabled=True, strategy="moving-window")
    # override_defaults=False: these budgets come on top of the per-request one, not instead of it
    writes = limiter.shared_limit(settings.rate_limit_writes, scope="writes", override_defaults=False,
                                  exempt_when=lambda: not is_write_request())
    heavy = limiter.shared_limit(settings.rate_limit_heavy, scope="heavy", override_defaults=False)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith("api.") and endpoint not in OPEN_ENDPOINTS:
            view = writes(view)
        if endpoint in HEAVY_ENDPOINTS:
            view = heavy(view)
        app.view_functions[endpoint] = view

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded):
        retry = _retry_after(limiter)
        return problem_response(429, "Too Many Requests",
                                f"rate limit of {exc.description} per client exceeded; retry after {retry} s",
                                headers={"Retry-After": str(retry)})

    return limiter


def _retry_after(limiter: Limiter) -> int:
    current = limiter.current_limit
    if current is None:
        return 1
    return max(1, math.ceil(current.reset_at - time.time()))
