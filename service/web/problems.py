"""RFC 9457 problem details: every API error is ``application/problem+json``.

``ApiProblem`` is raised by views; Werkzeug's HTTP errors (404, 405, 413 …) and validation
errors are turned into the same shape, so a client handles one format.
"""
from __future__ import annotations

from flask import Flask, Response, json, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, HTTPException

from ..storage.base import StorageUnavailable, TransientConflict

PROBLEM_MIME = "application/problem+json"


class ApiProblem(Exception):
    def __init__(self, status: int, title: str, detail: str | None = None, errors: list | None = None,
                 headers: dict | None = None):
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors
        self.headers = headers or {}


def problem_response(status: int, title: str, detail: str | None = None, errors: list | None = None,
                     headers: dict | None = None) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "instance": request.path}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIME)
    response.headers.update(headers or {})
    return response


class GuardedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested deeper than Python can parse is a 400, not a crash."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise BadRequest("the JSON body is nested too deeply") from None


def register_problem_handlers(app: Flask) -> None:
    @app.errorhandler(ApiProblem)
    def _api_problem(exc: ApiProblem):
        return problem_response(exc.status, exc.title, exc.detail, exc.errors, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code and exc.code >= 400 and not request.path.startswith("/api/"):
            return exc  # the web page keeps Werkzeug's HTML errors
        allow = {name: value for name, value in exc.get_headers() if name == "Allow"}  # 405 must say what is allowed
        return problem_response(exc.code or 500, exc.name, exc.description, headers=allow)

    @app.errorhandler(StorageUnavailable)
    @app.errorhandler(TransientConflict)
    def _storage_unavailable(exc: Exception):
        app.logger.warning("storage unavailable: %s", exc)
        return problem_response(503, "Service Unavailable",
                                "the database cannot be reached or is busy; nothing was written, retry later",
                                headers={"Retry-After": "5"})

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        return problem_response(500, "Internal Server Error", "the error was logged")
